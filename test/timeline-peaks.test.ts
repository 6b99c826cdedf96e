/**
 * timeline.csv's `*_max` columns: each row's most of each count over its interval, from its
 * time to the next row's (both included); the last row is the run's end, the state after its
 * last event, its interval that instant alone (a new user's trial: the file used to end at the
 * last sample time, with pages still wired that the run had unwired). The samples
 * (`wired_pages` and the others) miss what happens between two rows: a new user's demo run
 * reported a peak of 17 wired pages while no sample showed more than 16, the 17th page having
 * been wired and unwired again within one failed mlock (FreeBSD's vm_map_wire wires an entry,
 * then meets the hole after it and undoes the wiring), at one instant.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../sim/config.ts';
import { Simulator } from '../sim/simulator.ts';
import type { TimelineRecord } from '../sim/stats/records.ts';
import { replay } from '../scripts/lib.ts';
import { TIMELINE_HEADER } from '../scripts/results.ts';
import { reduceTimeline } from '../reports/reduce.ts';
import { TraceBuilder, simulate } from './helpers.ts';
import { chartNamed, chartsOf } from './report-fixtures.ts';
import { syncsimHere } from './cli-here.ts';
import { build, cfgArb, opsArb, simConfig } from './property-traces.ts';

const P = 4096;
const A = 0x10000000;

/**
 * freebsd: a 16-page file mapped at A, a hole of 16 pages, another mapping after it; 8 pages
 * wired at 10 µs; at `failAt` µs an mlock of the mapping's last page and the first page of the
 * hole, which fails (ENOMEM) after wiring that last page for no time at all; everything unwired
 * at `endAt` µs (none when undefined).
 */
function failedWire(failAt: number, endAt?: number) {
  const b = new TraceBuilder('db')
    .map(0, A, 16 * P, 'data')
    .map(0, A + 32 * P, 16 * P, 'data', 32 * P)
    .op(10, 'wire', A, 8 * P, 'USER|NOHOLES')
    .op(failAt, 'wire', A + 15 * P, 2 * P, 'USER');
  if (endAt !== undefined) b.op(endAt, 'unwire', A, 8 * P, 'USER|NOHOLES');
  return simulate(b.rows, { personality: 'freebsd', stats: { sample_us: 1000, warmup_us: 0 } });
}

const col = (o: { timeline: TimelineRecord[] }, k: keyof TimelineRecord) => o.timeline.map((r) => r[k]);

describe('timeline.csv: the most of each count over a row\'s interval', () => {
  it('a page wired for no time inside a failed wire call is in the peak column of the row whose interval holds it, not in the samples', () => {
    const o = failedWire(1500, 3500);
    expect(o.ops.filter((r) => r.row.op === 'wire').map((r) => r.result)).toEqual(['OK', 'ENOMEM']);
    expect(o.result.wire.peak_wired_pages).toBe(9);
    // rows at 0, 1000, 2000, 3000 µs and the run's end, after the unwire at 3500 µs: the 8 pages wired at 10 µs
    // are wired at every sample but the first, and no longer at the end
    const end = o.sim.engine.now;
    expect(end).toBeGreaterThanOrEqual(3.5e6);
    expect(col(o, 'tNs')).toEqual([0, 1e6, 2e6, 3e6, end]);
    expect(col(o, 'wiredPages')).toEqual([0, 8, 8, 8, 0]);
    // [0, 1000]: the 8; [1000, 2000]: the failed call's 9th page at 1500 µs; [2000, 3000]: 8; [3000, end]: 8 until unwired at 3500;
    // the end row, its instant alone: 0
    expect(col(o, 'wiredPagesMax')).toEqual([8, 9, 8, 8, 0]);
  });

  it('the last sample\'s peaks reach the run\'s end, past the last sample time, where a row of its own ends the file', () => {
    const o = failedWire(2500);
    // the run ends with the failed call (the queue device charges no CPU time), past the last sample time
    expect(o.sim.engine.now).toBe(2.5e6);
    expect(col(o, 'tNs')).toEqual([0, 1e6, 2e6, 2.5e6]);
    // the failed call wired its 9th page and unwired it again at 2500 µs: in the interval [2000, 2500] of the
    // sample before, not in the end row, the state after that call
    expect(col(o, 'wiredPages')).toEqual([0, 8, 8, 8]);
    expect(col(o, 'wiredPagesMax')).toEqual([8, 8, 9, 8]);
  });

  it('I/Os, dirty pages and pages under writeback that come and go between two samples are in the peak columns', () => {
    // queue device, one I/O at a time of 100 µs: three pages stored 2 pages apart (three I/Os, none adjacent) and
    // synced at 200 µs, all written by 500 µs; the samples at 0 and 1000 µs see none of it
    const b = new TraceBuilder('w').map(0, A, 16 * P, 'f');
    for (const p of [0, 2, 4]) b.op(100, 'write', A + p * P, P);
    b.op(200, 'msync', A, 16 * P, 'SYNC').op(1500, 'write', A + 8 * P, 8);
    const o = simulate(b.rows, { personality: 'freebsd', device: { channels: 1, service: { dist: 'constant', mean_us: 100 } }, stats: { sample_us: 1000, warmup_us: 0 } });
    expect(o.writebacks.map((w) => [w.offset / P, w.pages])).toEqual([[0, 1], [2, 1], [4, 1]]);
    expect(o.writebacks.every((w) => w.tDoneNs < 1e6)).toBe(true);
    // the samples at 0 and 1000 µs, and the run's end, once the store at 1500 µs has faulted its page in
    const end = o.sim.engine.now;
    expect(end).toBeGreaterThan(1.5e6);
    expect(col(o, 'tNs')).toEqual([0, 1e6, end]);
    expect([col(o, 'dirtyPages'), col(o, 'writebackPages'), col(o, 'queueDepth'), col(o, 'residentPages')]).toEqual([[0, 0, 1], [0, 0, 0], [0, 0, 0], [0, 3, 4]]);
    // [0, 1000]: 3 dirty, then 3 under writeback, queued together; [1000, end]: the store at 1500 µs dirties a 4th page; the end: as it is
    expect(col(o, 'dirtyPagesMax')).toEqual([3, 1, 1]);
    expect(col(o, 'writebackPagesMax')).toEqual([3, 0, 0]);
    expect(col(o, 'queueDepthMax')).toEqual([3, 0, 0]);
    expect(col(o, 'residentPagesMax')).toEqual([3, 4, 4]);
    expect([o.result.device.max_queue_depth, o.result.memory.peak_resident_pages]).toEqual([3, 4]);
  });

  it('over random traces, every kernel: a row\'s peak is at least its own sample and the next row\'s, the last row is the run\'s end, the peaks over the rows are the summary\'s, and batching changes no row', () => {
    fc.assert(fc.property(opsArb, cfgArb, fc.integer({ min: 1, max: 200 }), (ops, cfg, sample) => {
      const rows = build(ops, cfg.tasks);
      const run = (batch: number) => {
        const timeline: TimelineRecord[] = [];
        const sim = new Simulator(resolveConfig({ ...simConfig(cfg), stats: { sample_us: sample, warmup_us: 0 } }), { sync() {}, writeback() {}, timeline: (r) => timeline.push(r) });
        for (let i = 0; i < rows.length; i += batch) {
          sim.feed(rows.slice(i, i + batch));
          sim.run();
        }
        sim.end();
        sim.run();
        return { timeline, result: sim.result(), endNs: sim.engine.now };
      };
      const { timeline, result, endNs } = run(rows.length || 1);
      const pairs = [['dirtyPages', 'dirtyPagesMax'], ['writebackPages', 'writebackPagesMax'], ['wiredPages', 'wiredPagesMax'], ['residentPages', 'residentPagesMax'], ['queueDepth', 'queueDepthMax']] as const;
      // the rows whose peak is below its own sample or the next row's: none (one assertion over the rows
      // instead of an expect per row and peak, the same comparisons at a fraction of the cost)
      const below = timeline.flatMap((r, i) => pairs
        .filter(([s, m]) => !(r[m] >= r[s] && (i + 1 === timeline.length || r[m] >= timeline[i + 1]![s])))
        .map(([s, m]) => `row ${i}: ${m} ${r[m]}, ${s} ${r[s]}${i + 1 < timeline.length ? ` and next ${timeline[i + 1]![s]}` : ''}`));
      expect(below).toEqual([]);
      // the last row is the run's end, the sample times before it; its interval is its instant: its peaks are its counts
      const last = timeline[timeline.length - 1]!;
      expect(last.tNs).toBe(endNs);
      expect(timeline.slice(0, -1).every((r, i) => r.tNs === i * sample * 1000 && r.tNs < endNs)).toBe(true);
      for (const [s, m] of pairs) expect(last[m]).toBe(last[s]);
      const most = (k: keyof TimelineRecord) => Math.max(...timeline.map((r) => r[k]));
      expect([most('wiredPagesMax'), most('residentPagesMax'), most('queueDepthMax')])
        .toEqual([result.wire.peak_wired_pages, result.memory.peak_resident_pages, result.device.max_queue_depth]);
      expect(run(1).timeline).toEqual(timeline);
    }), { numRuns: 100 });
  });

  it('the example trace under freebsd: timeline.csv shows the 17 wired pages of the summary in wired_pages_max, where its samples stop at 16', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'timeline-peaks-')), 'r');
    const s = await replay(join(import.meta.dirname, '..', 'traces', 'examples', 'demo.csv'), { out });
    const [head, ...lines] = readFileSync(join(out, 'timeline.csv'), 'utf8').trimEnd().split('\n');
    expect(head).toBe(TIMELINE_HEADER);
    const names = head!.split(',');
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, Number(v)])));
    const most = (k: string) => Math.max(...rows.map((r) => r[k]!));
    // the trace wires 64 KiB (16 pages) USER|NOHOLES; its mlock of 0x103ff000 + 8 KiB runs into the hole after data.db
    expect(most('wired_pages')).toBe(16);
    expect(s.wire.peak_wired_pages).toBe(17);
    expect(rows.filter((r) => r.wired_pages_max === 17)).toHaveLength(1);
    expect([most('wired_pages_max'), most('resident_pages_max'), most('queue_depth_max')])
      .toEqual([s.wire.peak_wired_pages, s.memory.peak_resident_pages, s.device.max_queue_depth]);
  });

  it('the new user\'s wired pool: timeline.csv ends at the run\'s end, after both unwires, with no page wired', async () => {
    const d = mkdtempSync(join(tmpdir(), 'timeline-end-'));
    expect((await syncsimHere(['gen', 'wired-pool', '--set', 'tasks=2', '--set', 'duration_s=2', '-o', 'wp.csv'], d)).code).toBe(0);
    expect((await syncsimHere(['run', 'wp.csv', '--set', 'personality=xnu', '--out', 'r'], d)).code).toBe(0);
    const s = JSON.parse(readFileSync(join(d, 'r', 'summary.json'), 'utf8'));
    const [head, ...lines] = readFileSync(join(d, 'r', 'timeline.csv'), 'utf8').trimEnd().split('\n');
    expect(head).toBe(TIMELINE_HEADER);
    // the unwires are the run's last ops (wires.csv), and the run ends when they do
    const wires = readFileSync(join(d, 'r', 'wires.csv'), 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split(','));
    const unwires = wires.filter((w) => w[4] === 'unwire').map((w) => Number(w[2]));
    expect(unwires).toHaveLength(2);
    expect(Math.max(...unwires)).toBe(s.sim_time_us);
    const last = lines.at(-1)!.split(',').map(Number);
    const before = lines.at(-2)!.split(',').map(Number);
    // a row every 1000 µs up to 2000 ms, then the end: its counts after the unwires, its maxima over its instant alone
    expect(before[0]).toBe(Math.floor(s.sim_time_us / 1000) * 1000);
    expect(last[0]).toBe(s.sim_time_us);
    expect(last[0]).toBeGreaterThan(before[0]!);
    expect([last[3], last[8]]).toEqual([0, 0]);
    expect(last.slice(6)).toEqual(last.slice(1, 6));
    // the row before still has the 2048 pages, wired until the unwires, which both ended after it
    expect(Math.min(...unwires)).toBeGreaterThan(before[0]!);
    expect([before[3], before[8]]).toEqual([2048, 2048]);
    expect(lines).toHaveLength(Math.floor(s.sim_time_us / 1000) + 2);
    // the report's timeline ends there too: 2003 rows in buckets of 5 put the end row in a bucket with the rows of
    // 2000 and 2001 ms, whose most, 2048 wired pages, was its last point, so the chart ended with the pool wired
    const drawn = await reduceTimeline(join(d, 'r', 'timeline.csv'), lines.length);
    expect(drawn.bucket).toBe(5);
    const [lastBucket, end] = drawn.points.slice(-2);
    expect([end!.t_ms, end!.wired_pages]).toEqual([s.sim_time_us / 1000, 0]);
    expect([lastBucket!.t_ms, lastBucket!.wired_pages]).toEqual([2000, 2048]);
    expect(drawn.points).toHaveLength(Math.ceil((lines.length - 1) / 5) + 1);
  });

  it('the report\'s timeline draws the peak columns when timeline.csv has them (the 17th wired page), the samples of an older file', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'timeline-peaks-')), 'r');
    await replay(join(import.meta.dirname, '..', 'traces', 'examples', 'demo.csv'), { out });
    const file = join(out, 'timeline.csv');
    const wired = (t: { points: { wired_pages: number }[] }) => Math.max(...t.points.map((p) => p.wired_pages));
    const now = await reduceTimeline(file, 1000);
    expect([now.peaks, now.bucket, wired(now)]).toEqual([true, 2, 17]);
    const chart = chartNamed(await chartsOf(out), 'timeline');
    // the peak is the shading's top (since 2026-12-07; it was the line, under the count's name), the line the samples
    expect(chart.caption).toMatch(/^In each panel the line is the (sample|mean of the samples) of timeline\.csv .*the most the count reached .*\(the \*_max columns\)/);
    const bands = (chart.spec(200, 60).datasets as { bands: Record<string, number>[] }).bands;
    expect([Math.max(...bands.map((b) => b.wired_pages_max)), Math.max(...bands.map((b) => b.wired_pages_mean))]).toEqual([17, 16]);
    // a timeline.csv written before the peak columns: its first six columns, drawn as samples
    writeFileSync(file, readFileSync(file, 'utf8').split('\n').map((l) => l.split(',').slice(0, 6).join(',')).join('\n'));
    const before = await reduceTimeline(file, 1000);
    expect([before.peaks, wired(before)]).toEqual([false, 16]);
    expect(chartNamed(await chartsOf(out), 'timeline').caption).toMatch(/this timeline\.csv has no \*_max columns, so a peak between two samples is in none of them/);
  });
});
