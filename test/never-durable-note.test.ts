/**
 * Page versions never durable, and why: stored after the trace's last msync
 * of their pages (`after_last_msync`), or although the trace has an msync
 * covering them after the store, which the replay ran first (`replay_order`:
 * in closed replay a task runs late by the time its own msyncs took, so some
 * of its stores run after another task's msync that the trace has after them,
 * and no later msync covers their page; Linux's MS_SYNC writes its byte range
 * only), or on pages no msync covers (`no_msync`; a trace with no msync at
 * all said as such). The model is right to leave them dirty; `run`'s table
 * says why under its durability line (scripts/run.ts neverDurableRows).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { neverDurableRows, NEVER_DURABLE_NOTE_SHARE } from '../scripts/run.ts';
import { durabilityWarning } from '../reports/never-durable.ts';
import type { NeverDurableBy } from '../sim/stats/durability.ts';
import { writeFileSync } from 'node:fs';
import type { Summary } from '../sim/stats/summary.ts';
import { readTrace } from '../traces/reader.ts';
import type { TraceRow } from '../traces/types.ts';
import { syncsimHere } from './cli-here.ts';
import { Simulator } from '../sim/simulator.ts';
import { resolveConfig } from '../sim/config.ts';
import { simulate, TraceBuilder } from './helpers.ts';

/** The user's report: a WAL of 4 tasks with group commits, replayed under linux with 4 KiB folios. */
const GEN = ['gen', 'wal-append', '--set', 'duration_s=2', '--seed', '3', '-o', 'wal.csv'];
const LINUX = ['--set', 'personality=linux', '--set', 'readahead.max_folio_order=0'];

/** No version never durable, by cause. */
const NONE: NeverDurableBy = { no_msync: 0, after_last_msync: 0, replay_order: 0, msync_wired: 0, msync_failed: 0, msync_async: 0, msync_unwritten: 0, no_flush: 0, dropped: 0, held_by_manager: 0 };

/** A summary with only what {@link neverDurableRows} reads (`by`: durability.never_durable_by, none in a summary written before it). */
function summaryOf(durable: number, never: number, o: { replay?: string; tasks?: number; lagUs?: number; cache?: boolean; by?: Partial<NeverDurableBy>; personality?: string; msyncs?: number; before?: 'replay_order' } = {}): Summary {
  const by = o.by ? { ...NONE, ...o.by } as Partial<NeverDurableBy> : undefined;
  // a summary written before replay_order
  if (by && o.before === 'replay_order') delete by.replay_order;
  return {
    durability: { durable_pages: durable, never_durable_pages: never, ...(by ? { never_durable_by: by } : {}) },
    config: { replay: o.replay ?? 'closed', device: { write_cache: o.cache ?? false }, personality: o.personality ?? 'freebsd' },
    sync: { ok: o.msyncs ?? 40, count: o.msyncs ?? 40 }, writeback: { by_cause: { msync: 0 } }, fs: { kind: 'ufs', flushes: 0 },
    replay: { tasks: o.tasks ?? 4, trace_end_us: 1e6, max_lag_end_us: o.lagUs ?? 1000, stretched_tasks: 0 },
  } as unknown as Summary;
}

describe("run's note on page versions never durable", () => {
  it('splits the versions by cause, in a fixed order, and names the closed replay only for the versions it stored after an msync the trace has after them', () => {
    // stored after the trace's last msync of their pages: no word of the replay, whatever it was (the new user's MSR import, each task its own object)
    expect(neverDurableRows(summaryOf(3, 18, { by: { after_last_msync: 1, no_msync: 17 } }))[0]![1])
      .toBe('85.7% of the page versions (18): 1 stored after the trace\'s last msync of their pages, 17 on pages no msync covers; see README.md, "Result files"');
    expect(neverDurableRows(summaryOf(90, 10, { by: { after_last_msync: 4, replay_order: 6 } }))[0]![1])
      .toBe('10.0% of the page versions (10): 4 stored after the trace\'s last msync of their pages, 6 stored after an msync the trace has after them, which the replay ran first '
        + '(in closed replay a task runs late by the time its own msyncs took, so another task\'s msync can run before its store; --replay open keeps the trace\'s order); see README.md, "Result files"');
    expect(neverDurableRows(summaryOf(90, 10, { replay: 'open', by: { replay_order: 10 } }))[0]![1])
      .toBe('10.0% of the page versions (10): 10 stored after an msync the trace has after them, which the replay ran first '
        + '(their store waited in the kernel, for a page-in, a page under writeback or a dirty-page throttle, while that msync ran); see README.md, "Result files"');
    expect(neverDurableRows(summaryOf(3, 18, { by: { no_msync: 18 } }))[0]![1]).toBe('85.7% of the page versions (18): 18 on pages no msync covers; see README.md, "Result files"');
    expect(neverDurableRows(summaryOf(90, 10, { replay: 'open', cache: true, by: { after_last_msync: 2, no_flush: 3, msync_failed: 5 } }))[0]![1])
      .toBe('10.0% of the page versions (10): 2 stored after the trace\'s last msync of their pages, 5 left unwritten by msyncs that failed (summary.json sync.errors), '
        + '3 written to the drive\'s volatile cache with no FLUSH after (ufs sent none); see README.md, "Result files"');
    // a summary written before replay_order: the two are one count, and a closed replay of several tasks that ran late may be why
    const late = '; in closed replay a task runs late by the time its own msyncs took, so its store can come after another task\'s msync that the trace has after it (--replay open keeps the trace\'s order)';
    expect(neverDurableRows(summaryOf(3, 18, { before: 'replay_order', by: { after_last_msync: 1, no_msync: 17 } }))[0]![1])
      .toBe(`85.7% of the page versions (18): 1 stored after the last msync covering them ran, 17 on pages no msync covers${late}; see README.md, "Result files"`);
  });

  it('a trace with no msync: the table and the warning say so, and what injects msyncs into a block trace; a trace with msyncs that made none durable leaves it to the warning', () => {
    const hint = 'the trace has no msync (a block trace has no syncs of its own: syncsim import --sync-every-writes N or --sync-every-us T injects them)';
    const none = summaryOf(0, 3890, { msyncs: 0, by: { no_msync: 3890 } });
    expect(neverDurableRows(none)).toEqual([['  never durable', `100.0% of the page versions (3,890): 3,890 on pages no msync covers: ${hint}; see README.md, "Result files"`]]);
    expect(durabilityWarning(none)).toBe(`none of the 3890 page versions stored became durable by the run's end (summary.json durability): ${hint}`);
    // some made durable by background writeback, none by msync: the note names the cause the same way
    expect(neverDurableRows(summaryOf(10, 90, { msyncs: 0, by: { no_msync: 90 } }))[0]![1]).toBe(`90.0% of the page versions (90): 90 on pages no msync covers: ${hint}; see README.md, "Result files"`);
    expect(durabilityWarning(summaryOf(10, 90, { msyncs: 0, by: { no_msync: 90 } }))).toBeUndefined();
    expect(neverDurableRows(summaryOf(0, 10, { by: { msync_async: 10 } }))).toEqual([]);
  });

  it('a hand-made trace of three tasks: each version never durable gets its real cause, and open replay, which keeps the store before the msync, none of the replay\'s', () => {
    const A = 0x10000000, G = 0x20000000, H = 0x30000000, P = 4096;
    // tasks a and b share f; c has g and h. a: store f0 at 1 µs, MS_SYNC of f at 2 µs (writes f0: 100 µs on the queue device), store f1 at 3 µs;
    // b: MS_SYNC of f at 4 µs, after a's store of f1 in the trace. c: store g0 at 1, MS_SYNC of g at 2, store g1 at 5 (no msync of g after it),
    // store h0 at 6 (no msync of h at all)
    const b = new TraceBuilder('a')
      .map(0, A, 4 * P, 'f', 0, '', 'a').map(0, A, 4 * P, 'f', 0, '', 'b').map(0, G, 4 * P, 'g', 0, '', 'c').map(0, H, 4 * P, 'h', 0, '', 'c')
      .op(1, 'write', A, 8, '', { task: 'a' }).op(1, 'write', G, 8, '', { task: 'c' })
      .op(2, 'msync', A, 4 * P, 'SYNC', { task: 'a' }).op(2, 'msync', G, 4 * P, 'SYNC', { task: 'c' })
      .op(3, 'write', A + P, 8, '', { task: 'a' }).op(4, 'msync', A, 4 * P, 'SYNC', { task: 'b' })
      .op(5, 'write', G + P, 8, '', { task: 'c' }).op(6, 'write', H, 8, '', { task: 'c' });
    const closed = simulate(b.rows, { replay: 'closed', writeback: { policy: 'none' } });
    // closed replay: a's store of f1 waits for its own msync (to 102 µs) and runs after b's msync, issued at 4 µs with nothing dirty
    const f1 = closed.ops.find((x) => x.row.op === 'write' && x.row.addr === A + P)!;
    const bSync = closed.syncs.find((x) => x.task === 'b')!;
    expect([bSync.tIssueNs, bSync.pagesWritten]).toEqual([4000, 0]);
    expect(f1.tIssueNs).toBeGreaterThan(bSync.tIssueNs);
    // f0 and g0 durable; f1 stored after b's msync that the trace has after it; g1 after g's last msync; h0 on a page no msync covers
    expect(closed.result.durability).toMatchObject({ durable_pages: 2, never_durable_pages: 3 });
    expect(closed.result.durability.never_durable_by).toEqual({ ...NONE, replay_order: 1, after_last_msync: 1, no_msync: 1 });
    // open replay: b's msync writes f1, stored before it; g1 and h0 are as before
    const open = simulate(b.rows, { replay: 'open', writeback: { policy: 'none' } });
    expect(open.result.durability).toMatchObject({ durable_pages: 3, never_durable_pages: 2 });
    expect(open.result.durability.never_durable_by).toEqual({ ...NONE, after_last_msync: 1, no_msync: 1 });
  });

  it('the warning when none became durable names the causes the run had, not examples', () => {
    expect(durabilityWarning(summaryOf(0, 2048, { personality: 'xnu', by: { msync_wired: 2048 } })))
      .toBe('none of the 2048 page versions stored became durable by the run\'s end (summary.json durability), so these msyncs\' latencies are not what making the data durable costs: '
        + '2,048 left unwritten by msyncs that ran while their pages were wired (xnu\'s msync skips wired pages); the 40 successful msyncs wrote 0 bytes');
    // a summary written before never_durable_by: the examples it gave then
    expect(durabilityWarning(summaryOf(0, 10))).toMatch(/costs \(e\.g\. MS_ASYNC, which writes nothing at once under linux, or a device write cache the filesystem sends no FLUSH to\)$/);
    expect(durabilityWarning(summaryOf(1, 10, { by: { no_msync: 10 } }))).toBeUndefined();
  });

  it('an MSR import whose injected msyncs cover some objects only: the note says how many versions no msync covers (the new user\'s trial)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-never-msr-'));
    // usr_0: pages 0, 0, 1, 2 and then 3; with --sync-every-writes 2 an msync follows its 2nd and 4th writes, so pages 0, 1 and 2
    // become durable (page 0 once: both its stores come before the first msync) and page 3, written after, never does;
    // prxy_1 .. prxy_17: one write each, never an msync
    const t0 = 128166372003061629;
    const lines: string[] = [];
    const write = (host: string, disk: number, off: number) => lines.push(`${t0 + lines.length * 10000},${host},${disk},Write,${off},4096,100`);
    for (const p of [0, 0, 1, 2, 3]) write('usr', 0, p * 4096);
    for (let disk = 1; disk <= 17; disk++) write('prxy', disk, 0);
    writeFileSync(join(d, 'm.csv'), lines.join('\n') + '\n');
    expect((await syncsimHere(['import', '--from', 'msr', 'm.csv', '--sync-every-writes', '2', '-o', 'm_native.csv'], d)).code).toBe(0);
    const r = await syncsimHere(['run', 'm_native.csv', '--out', 'r'], d);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(d, 'r', 'summary.json'), 'utf8'));
    expect(s.durability).toMatchObject({ durable_pages: 3, never_durable_pages: 18 });
    expect(s.durability.never_durable_by).toEqual({ ...NONE, after_last_msync: 1, no_msync: 17 });
    expect(r.stdout).toContain('\n  never durable       85.7% of the page versions (18): 1 stored after the trace\'s last msync of their pages, 17 on pages no msync covers; see README.md');
  });

  it('xnu\'s msync skips the wired pages of a wired pool: the warning says so, not MS_ASYNC or a write cache (the new user\'s trial)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-never-wired-'));
    expect((await syncsimHere(['gen', 'wired-pool', '--set', 'tasks=2', '--set', 'duration_s=2', '-o', 'wp.csv'], d)).code).toBe(0);
    // every page the trace stores to is wired from before its first store to after its last msync
    const rows: TraceRow[] = [];
    for await (const b of readTrace(join(d, 'wp.csv'))) rows.push(...b);
    const pages = new Set(rows.filter((x) => x.op === 'write').map((x) => `${x.task} ${Math.floor(Number(x.addr) / 4096)}`));
    const r = await syncsimHere(['run', 'wp.csv', '--set', 'personality=xnu', '--out', 'x'], d);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(d, 'x', 'summary.json'), 'utf8'));
    expect(s.durability).toMatchObject({ durable_pages: 0, never_durable_pages: pages.size });
    expect(s.durability.never_durable_by).toEqual({ ...NONE, msync_wired: pages.size });
    expect(r.stderr).toContain(`costs: ${pages.size.toLocaleString('en-US')} left unwritten by msyncs that ran while their pages were wired (xnu's msync skips wired pages); the ${s.sync.ok} successful msyncs wrote 0 bytes\n`);
    expect(r.stderr).not.toMatch(/MS_ASYNC|write cache/);
  });

  it('is there from 5 % of the versions when some became durable, naming the closed replay only when several tasks ran late, and the cache only with one (a summary written before never_durable_by)', () => {
    expect(NEVER_DURABLE_NOTE_SHARE).toBe(0.05);
    expect(neverDurableRows(summaryOf(96, 4))).toEqual([]);
    // none durable: run's warning says it (durabilityWarning), not the table
    expect(neverDurableRows(summaryOf(0, 10))).toEqual([]);
    const [row] = neverDurableRows(summaryOf(95, 5));
    expect(row).toEqual(['  never durable', '5.0% of the page versions (5): stored after the last msync covering them ran; '
      + 'in closed replay a task runs late by the time its own msyncs took, so its store can come after another task\'s msync that the trace has after it '
      + '(--replay open keeps the trace\'s order); see README.md, "Result files"']);
    const plain = '10.0% of the page versions (1,000): stored after the last msync covering them ran; see README.md, "Result files"';
    for (const o of [{ replay: 'open' }, { tasks: 1 }, { lagUs: 0 }]) expect(neverDurableRows(summaryOf(9000, 1000, o))[0]![1], JSON.stringify(o)).toBe(plain);
    expect(neverDurableRows(summaryOf(9000, 1000, { replay: 'open', cache: true }))[0]![1])
      .toBe('10.0% of the page versions (1,000): stored after the last msync covering them ran, or reached the drive\'s volatile cache with no FLUSH after; see README.md, "Result files"');
  });

  it('leaves dirty, in the run of the report, only versions stored after every msync covering their page started, each before one of them in the trace; MS_SYNC makes every version stored before it durable by its return', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-never-'));
    expect((await syncsimHere(GEN, d)).code).toBe(0);
    const rows: TraceRow[] = [];
    for await (const b of readTrace(join(d, 'wal.csv'))) rows.push(...b);
    const pageSize = 4096, base = 0x10000000;
    const pagesOf = (r: TraceRow) => [Math.floor((Number(r.addr) - base) / pageSize), Math.ceil((Number(r.addr) + Number(r.len) - base) / pageSize)] as const;
    const msyncs: { first: number; end: number; issueNs: number; line: number }[] = [];
    const lastStoreLine = new Map<number, number>();
    let checked = 0, broken = 0;
    const sim: Simulator = new Simulator(resolveConfig({ personality: 'linux', readahead: { max_folio_order: 0 } }), {
      sync: () => {}, writeback: () => {}, timeline: () => {},
      op: (r) => {
        const [first, end] = pagesOf(r.row);
        if (r.row.op === 'write') for (let p = first; p < end; p++) lastStoreLine.set(p, r.row.line);
        if (r.row.op !== 'msync') return;
        msyncs.push({ first, end, issueNs: r.tIssueNs, line: r.row.line });
        // as it returns: no version of its pages stored before it was issued is left
        const v = versionsOf(sim);
        for (let p = first; p < end; p++, checked++) if ((v.at.get(p) ?? Infinity) < r.tIssueNs || (v.redirtied.get(p) ?? Infinity) < r.tIssueNs) broken++;
      },
    });
    sim.feed(rows);
    sim.end();
    expect(sim.run()).toBe('done');
    const res = sim.result();
    expect(res.durability).toMatchObject({ durable_pages: 3087, never_durable_pages: 577 });
    expect(res.txn).toMatchObject({ count: 7968, pending_at_end: 0 });
    expect(res.replay.stretched_tasks).toBe(0);
    expect(checked).toBe(3227);
    expect(broken).toBe(0);
    const v = versionsOf(sim);
    let left = 0;
    for (let p = 0; p < 1 << 14; p++) {
      const t = Math.max(v.at.get(p) ?? -1, v.redirtied.get(p) ?? -1);
      if (t < 0) continue;
      left++;
      const cover = msyncs.filter((m) => m.first <= p && p < m.end);
      // in simulated time, stored after every msync covering it had started; in the trace, before one of them
      expect(cover.every((m) => m.issueNs <= t), `page ${p}`).toBe(true);
      expect(cover.some((m) => m.line > lastStoreLine.get(p)!), `page ${p}`).toBe(true);
    }
    expect(left).toBe(577);
  });

  it('is printed by run under the durability line, which stays as it was, with the count of each cause; open replay keeps the trace\'s order and has none', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-never-'));
    expect((await syncsimHere(GEN, d)).code).toBe(0);
    const r = await syncsimHere(['run', 'wal.csv', ...LINUX, '--out', 'closed'], d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('stretched');
    const s = JSON.parse(readFileSync(join(d, 'closed', 'summary.json'), 'utf8'));
    // the test above finds every one of the 577 stored after the start of each msync covering its page
    expect(s.durability).toMatchObject({ durable_pages: 3087, never_durable_pages: 577 });
    // each stored after an msync that the trace has after it (the test above), which the replay ran first
    expect(s.durability.never_durable_by).toEqual({
      no_msync: 0, after_last_msync: 0, replay_order: 577, msync_wired: 0, msync_failed: 0, msync_async: 0, msync_unwritten: 0, no_flush: 0, dropped: 0, held_by_manager: 0,
    });
    expect(s.txn).toMatchObject({ count: 7968, pending_at_end: 0 });
    expect(r.stdout).toContain(`\ndurability            3087 page versions made durable, 577 never (by the run's end); lag (µs) p50 ${s.durability.lag_us.p50.toFixed(1)}  p99 ${s.durability.lag_us.p99.toFixed(1)}\n`
      + '  never durable       15.7% of the page versions (577): 577 stored after an msync the trace has after them, which the replay ran first (in closed replay a task runs late by the time its own msyncs took, '
      + 'so another task\'s msync can run before its store; --replay open keeps the trace\'s order); see README.md, "Result files"\nwire/unwire ');
    const open = await syncsimHere(['run', 'wal.csv', ...LINUX, '--replay', 'open', '--out', 'open'], d);
    expect(open.code, open.stderr).toBe(0);
    expect(open.stdout).toContain(' 0 never (by the run\'s end)');
    expect(open.stdout).not.toContain('never durable');
  });
});

/** The tracker's versions of the run's WAL file (kept on the object: sim/stats/durability.ts). */
function versionsOf(sim: Simulator): { at: { get(i: number): number | undefined }; redirtied: { get(i: number): number | undefined } } {
  return (sim.kernel.vm.objects.get('wal.log') as unknown as { durability: ReturnType<typeof versionsOf> }).durability;
}
