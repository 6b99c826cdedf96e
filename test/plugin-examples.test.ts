/**
 * The example plugins of workloads/plugins/: the deadline scheduler
 * (mq-deadline's rules and defaults) and the adaptive flusher (more writeback
 * on an idle device, less while msyncs wait), loaded as the CLI loads them.
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { resolveConfig } from '../sim/config.ts';
import { Simulator } from '../sim/simulator.ts';
import type { WritebackRecord } from '../sim/stats/records.ts';
import type { IoScheduler, IoSchedulerPlugin, QueuedIo } from '../sim/device/scheduler.ts';
import deadline from '../workloads/plugins/deadline.ts';
import { loadPlugins } from '../scripts/plugins.ts';
import { TraceBuilder, withQueueDevice } from './helpers.ts';
import type { TraceRow } from '../traces/types.ts';

const PS = 4096;
const A = 0x10000000;
const MS = 1_000_000;
const PLUGINS = resolve(import.meta.dirname, '../workloads/plugins');

/** A queued command of object 1. */
const cmd = (id: number, kind: 'read' | 'write', first: number, o: { urgent?: boolean; pages?: number } = {}): QueuedIo =>
  ({ id, kind, object: { id: 1, name: 'f' }, first, pages: o.pages ?? 1, cause: kind === 'read' ? 'pagein' : 'syncer', urgent: o.urgent ?? false, fua: false, preflush: false, tSubmit: 0, tStart: -1 });

const VIEW = { channels: 1, busy: 0, queued: 1 };
/** Ids picked at `now` until nothing is left. */
function picks(s: IoScheduler, now = 0): (number | number[])[] {
  const out: (number | number[])[] = [];
  for (let d = s.pick(now, VIEW); d; d = s.pick(now, VIEW)) out.push(Array.isArray(d) ? d.map((x: QueuedIo) => x.id) : (d as QueuedIo).id);
  return out;
}

/** The deadline scheduler with mq-deadline's defaults, overridden by `p`. */
async function scheduler(p: Record<string, unknown> = {}): Promise<IoScheduler> {
  const cfg = resolveConfig({ device: { discipline: './deadline.ts', discipline_params: p } });
  const { plugins } = await loadPlugins(cfg, PLUGINS);
  const s = plugins.scheduler!;
  return (s.plugin as IoSchedulerPlugin).create(s.params, { channels: 1, profile: 'nvme' });
}

describe('deadline scheduler (workloads/plugins/deadline.ts)', () => {
  it("defaults are mq-deadline's: read_expire HZ/2 = 500 ms, write_expire 5*HZ = 5 s, writes_starved 2, fifo_batch 16", async () => {
    const cfg = resolveConfig({ device: { discipline: './deadline.ts' } });
    const { plugins } = await loadPlugins(cfg, PLUGINS);
    expect(plugins.scheduler!.params).toEqual({ read_expire_ms: 500, write_expire_ms: 5000, writes_starved: 2, fifo_batch: 16, max_merge_pages: 256 });
    expect(plugins.scheduler!.plugin).toBe(deadline);
  });

  it('reads and synchronous writes before background writes', async () => {
    const s = await scheduler();
    s.add(cmd(0, 'write', 100), 0);
    s.add(cmd(1, 'read', 5), 0);
    s.add(cmd(2, 'write', 200, { urgent: true }), 0);
    expect(picks(s)).toEqual([1, 2, 0]);
  });

  it('serves a class in increasing page order (the one-way elevator)', async () => {
    const s = await scheduler();
    for (const [id, page] of [[0, 30], [1, 10], [2, 20]]) s.add(cmd(id, 'write', page), 0);
    expect(picks(s)).toEqual([1, 2, 0]);
  });

  it('background writes start after writes_starved batches of reads', async () => {
    // fifo_batch 1: each pick is a batch; reads pass the write twice, then the write goes
    const s = await scheduler({ fifo_batch: 1 });
    s.add(cmd(0, 'write', 0), 0);
    for (const id of [1, 2, 3]) s.add(cmd(id, 'read', 10 * id), 0); // not adjacent: no merges
    expect(picks(s)).toEqual([1, 2, 0, 3]);
  });

  it('a command past its deadline starts the next batch, ahead of the elevator order', async () => {
    // a read at page 50 queued at 0 (deadline 500 ms), one at page 10 queued at 400 ms
    const at = async (now: number) => {
      const s = await scheduler({ fifo_batch: 1 });
      s.add(cmd(0, 'read', 50), 0);
      s.add(cmd(1, 'read', 10), 400 * MS);
      return picks(s, now);
    };
    expect(await at(450 * MS)).toEqual([1, 0]); // nothing expired: page order
    expect(await at(600 * MS)).toEqual([0, 1]); // the first read expired at 500 ms
  });

  it('merges adjacent commands of a class up to max_merge_pages', async () => {
    const add = (s: IoScheduler) => [cmd(0, 'write', 0, { pages: 4 }), cmd(1, 'write', 4, { pages: 4 }), cmd(2, 'write', 9)].forEach((c) => s.add(c, 0));
    const s = await scheduler();
    add(s);
    expect(picks(s)).toEqual([[0, 1], 2]);
    const small = await scheduler({ max_merge_pages: 4 });
    add(small);
    expect(picks(small)).toEqual([0, 1, 2]);
  });
});

/** Runs `rows` under the adaptive flusher with `params`; writeback I/Os as [submit ms, object, first page, pages]. */
async function flusher(rows: TraceRow[], params: Record<string, unknown>, config: Record<string, unknown> = {}) {
  const cfg = resolveConfig(withQueueDevice({ ...config, writeback: { policy: './adaptive-flusher.ts', interval_ms: 1, params } }));
  const { plugins } = await loadPlugins(cfg, PLUGINS);
  const wb: WritebackRecord[] = [];
  const sim = new Simulator(cfg, { sync: () => {}, writeback: (r) => wb.push(r), timeline: () => {} }, { plugins });
  sim.feed(rows);
  sim.end();
  sim.run();
  return wb.map((w) => [w.tSubmitNs / MS, w.object, w.offset / PS, w.pages]);
}

describe('adaptive flusher (workloads/plugins/adaptive-flusher.ts)', () => {
  it('on an idle device it writes young dirty pages, up to idle_pages per wake-up', async () => {
    // 10 pages stored at 0.1 ms; clusters of 4; a wake-up every ms writes 4 pages (the device is idle again by then)
    const rows = new TraceBuilder('a').map(0, A, 64 * PS, 'f').op(100, 'write', A, 10 * PS).op(10_000, 'read', A, 8).rows;
    expect(await flusher(rows, { idle_pages: 4 }, { pager: { cluster_pages: 4 } })).toEqual([
      [1, 'f', 0, 4], [2, 'f', 4, 4], [3, 'f', 8, 2],
    ]);
  });

  it('while msyncs wait on queued I/O it backs off, and writes when the device is idle again', async () => {
    // 10 ms per I/O, one-page clusters. g stored at 0.1 ms; f's 2 pages msync'ed SYNC at 0.5 ms: f0 in service 0.5..10.5,
    // f1 queued for the msync until 10.5, in service until 20.5. Wake-ups: 1 ms (msync waits: back off 5 ms), 6 (same),
    // 11 (device busy, nothing expired), 12 .. 20 (busy), 21: idle, g is written.
    const rows = new TraceBuilder('a').map(0, A, 64 * PS, 'f').map(0, A + 64 * PS, 4 * PS, 'g')
      .op(100, 'write', A + 64 * PS, PS).op(200, 'write', A, 2 * PS).op(500, 'msync', A, 2 * PS, 'SYNC').op(40_000, 'read', A, 8).rows;
    const ios = await flusher(rows, { backoff_ms: 5 }, { pager: { cluster_pages: 1 }, device: { service: { dist: 'constant', mean_us: 10_000 } } });
    expect(ios.filter((w) => w[1] === 'g')).toEqual([[21, 'g', 0, 1]]);
  });

  it('rejects a bad parameter, naming the key', async () => {
    const cfg = resolveConfig({ writeback: { policy: './adaptive-flusher.ts', params: { idle_pages: -1 } } });
    await expect(loadPlugins(cfg, PLUGINS)).rejects.toThrow("config: key 'writeback.params.idle_pages': must be >= 0 (got -1)");
    // the value given is quoted whatever the rule, as the built-in keys' messages quote it
    const typed = resolveConfig({ writeback: { policy: './adaptive-flusher.ts', params: { idle_pages: 'many' } } });
    await expect(loadPlugins(typed, PLUGINS)).rejects.toThrow(/^config: key 'writeback\.params\.idle_pages': must be \w+ \(got 'many'\)$/);
  });
});
