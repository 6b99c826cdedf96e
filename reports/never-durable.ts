/**
 * What `syncsim run` says of page versions that never became durable: the
 * causes in the table's note under its `durability` line when 5 % or more did
 * not and some did, or none did in a trace without msyncs (scripts/run.ts
 * neverDurableRows), and the warning when none did. Both name the causes the
 * run had, from summary.json's `durability.never_durable_by`
 * (sim/stats/durability.ts): stores after the trace's last msync of their
 * pages, stores the replay ran after an msync the trace has after them, pages
 * no msync covers (a trace with no msync at all, as a block trace imported
 * without injected ones, said as such), msyncs that left them unwritten
 * (wired pages under xnu, MS_ASYNC under linux, a failed msync), a volatile
 * write cache with no FLUSH after, pages dropped or held by a Mach manager.
 * README "Result files" has the caveats.
 */
import type { Summary } from '../sim/stats/summary.ts';
import type { NeverDurableBy } from '../sim/stats/durability.ts';
import { groupedCount } from '../sim/stats/count-text.ts';

/** A count as the table writes it (`1,234`). */
const count = groupedCount;

/** Why a trace has no msync, and what adds them: said of the versions no msync covers when the run had none. */
export const NO_MSYNC_WHY = 'the trace has no msync (a block trace has no syncs of its own: syncsim import --sync-every-writes N or --sync-every-us T injects them)';

/** How the replay can run a store after an msync the trace has after it, in replay mode `replay`. */
function reorderedWhy(replay: string): string {
  return replay === 'closed'
    ? 'in closed replay a task runs late by the time its own msyncs took, so another task\'s msync can run before its store; --replay open keeps the trace\'s order'
    : 'their store waited in the kernel, for a page-in, a page under writeback or a dirty-page throttle, while that msync ran';
}

/** The causes of the versions never durable, each as `N why` in the order of {@link NeverDurableBy}, none for a count of 0. */
export function neverDurableCauses(s: Summary): string[] {
  return causeCounts(s).map(({ n, why }) => `${count(n)} ${why}`);
}

/** The cause of the most versions never durable (its words, as in {@link neverDurableCauses}), undefined when none are counted. */
export function mainNeverDurableCause(s: Summary): string | undefined {
  const all = causeCounts(s);
  return all.length === 0 ? undefined : all.reduce((a, b) => (b.n > a.n ? b : a)).why;
}

/** Each cause of versions never durable with its count (none for a count of 0), in the order of {@link NeverDurableBy}. */
function causeCounts(s: Summary): { n: number; why: string }[] {
  const by: NeverDurableBy | undefined = s.durability.never_durable_by;
  if (by === undefined) return [];
  const personality = s.config.personality;
  const out: { n: number; why: string }[] = [];
  const add = (n: number, why: string) => {
    if (n > 0) out.push({ n, why });
  };
  if (by.replay_order === undefined) add(by.after_last_msync, 'stored after the last msync covering them ran'); // a summary written before replay_order
  else {
    add(by.after_last_msync, 'stored after the trace\'s last msync of their pages');
    add(by.replay_order, `stored after an msync the trace has after them, which the replay ran first (${reorderedWhy(s.config.replay)})`);
  }
  add(by.no_msync, s.sync.count === 0 ? `on pages no msync covers: ${NO_MSYNC_WHY}` : 'on pages no msync covers');
  add(by.msync_wired, `left unwritten by msyncs that ran while their pages were wired${personality === 'xnu' ? ' (xnu\'s msync skips wired pages)' : ''}`);
  add(by.msync_failed, 'left unwritten by msyncs that failed (summary.json sync.errors)');
  add(by.msync_async, `left unwritten by MS_ASYNC msyncs${personality === 'linux' ? ' (linux\'s MS_ASYNC writes nothing at once)' : ''}`);
  add(by.msync_unwritten, 'left unwritten by the msyncs covering them');
  add(by.no_flush, `written to the drive's volatile cache with no FLUSH after${s.fs?.flushes === 0 && s.fs.kind !== 'none' ? ` (${s.fs.kind} sent none)` : ''}`);
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
 * the causes the run had. A trace with no msync at all that made none durable gets a warning
 * that says so, and what adds msyncs to an imported block trace.
 */
export function durabilityWarning(s: Summary): string | undefined {
  const d = s.durability as Summary['durability'] | undefined; // (none in a summary.json of before durability was followed)
  if (d === undefined || d.durable_pages > 0 || d.never_durable_pages === 0) return undefined;
  if (s.sync.count === 0) return `none of the ${d.never_durable_pages} page versions stored became durable by the run's end (summary.json durability): ${NO_MSYNC_WHY}`;
  if (s.sync.ok === 0) return undefined;
  const causes = neverDurableCauses(s);
  const why = causes.length > 0
    ? `: ${causes.join(', ')}${msyncWrites(s)}`
    : ' (e.g. MS_ASYNC, which writes nothing at once under linux, or a device write cache the filesystem sends no FLUSH to)';
  return `none of the ${d.never_durable_pages} page versions stored became durable by the run's end (summary.json durability), so these msyncs' latencies are not what making the data durable costs${why}`;
}
