/**
 * What `syncsim run` says of page versions that never became durable: the
 * causes in the table's note under its `durability` line when some did and
 * 5 % or more did not (scripts/run.ts neverDurableRows), and the warning when
 * none did. Both name the causes the run had, from
 * summary.json's `durability.never_durable_by` (sim/stats/durability.ts):
 * stores after the last msync covering them, pages no msync covers, msyncs
 * that left them unwritten (wired pages under xnu, MS_ASYNC under linux, a
 * failed msync), a volatile write cache with no FLUSH after, pages dropped or
 * held by a Mach manager. README "Result files" has the caveats.
 */
import type { Summary } from '../sim/stats/summary.ts';
import type { NeverDurableBy } from '../sim/stats/durability.ts';

/** A count as the table writes it (`1,234`). */
const count = (n: number) => n.toLocaleString('en-US');

/** The causes of the versions never durable, each as `N why` in the order of {@link NeverDurableBy}, none for a count of 0. */
export function neverDurableCauses(s: Summary): string[] {
  const by: NeverDurableBy | undefined = s.durability.never_durable_by;
  if (by === undefined) return [];
  const personality = s.config.personality;
  const out: string[] = [];
  const add = (n: number, why: string) => {
    if (n > 0) out.push(`${count(n)} ${why}`);
  };
  add(by.after_last_msync, 'stored after the last msync covering them ran');
  add(by.no_msync, 'on pages no msync covers');
  add(by.msync_wired, `left unwritten by msyncs that ran while their pages were wired${personality === 'xnu' ? ' (xnu\'s msync skips wired pages)' : ''}`);
  add(by.msync_failed, 'left unwritten by msyncs that failed (summary.json sync.errors)');
  add(by.msync_async, `left unwritten by MS_ASYNC msyncs${personality === 'linux' ? ' (linux\'s MS_ASYNC writes nothing at once)' : ''}`);
  add(by.msync_unwritten, 'left unwritten by the msyncs covering them');
  add(by.no_flush, `written to the drive's volatile cache with no FLUSH after${s.fs.flushes === 0 && s.fs.kind !== 'none' ? ` (${s.fs.kind} sent none)` : ''}`);
  add(by.dropped, 'dropped unwritten (msync INVALIDATE or KILLPAGES, a Mach flush)');
  add(by.held_by_manager, 'held by a Mach memory manager that had not written them');
  return out;
}

/** The msyncs' own writes, when they wrote nothing: what a reader of the warning looks for first. */
function msyncWrites(s: Summary): string {
  return s.writeback.by_cause.msync === 0 ? `; the ${count(s.sync.ok)} successful msyncs wrote 0 bytes` : '';
}

/**
 * The warning for a run whose msyncs succeeded while no page version it stored became durable
 * (durable_pages 0, never_durable_pages > 0), else undefined: its msync latencies are then not
 * what making the data durable costs, which a reader of the table would take them for. It names
 * the causes the run had.
 */
export function durabilityWarning(s: Summary): string | undefined {
  const d = s.durability;
  if (s.sync.ok === 0 || d.durable_pages > 0 || d.never_durable_pages === 0) return undefined;
  const causes = neverDurableCauses(s);
  const why = causes.length > 0
    ? `: ${causes.join(', ')}${msyncWrites(s)}`
    : ' (e.g. MS_ASYNC, which writes nothing at once under linux, or a device write cache the filesystem sends no FLUSH to)';
  return `none of the ${d.never_durable_pages} page versions stored became durable by the run's end (summary.json durability), so these msyncs' latencies are not what making the data durable costs${why}`;
}
