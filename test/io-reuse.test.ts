/**
 * Reused device commands (sim/pager/pager.ts `release`, `reuseIos`; sim/device/device.ts `Io.reuse`):
 * a completed I/O its issuer released is made new for a later one, which must look exactly like a
 * new Io, and the built-in schedulers' queues must not mistake it for the command it was (io-fifo.ts).
 * Runs with reuse on and off write byte-identical result files.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../sim/config.ts';
import { Io, type BlockDevice } from '../sim/device/device.ts';
import { IoFifo } from '../sim/device/io-fifo.ts';
import { Pager } from '../sim/pager/pager.ts';
import { Simulator } from '../sim/simulator.ts';
import type { VmObject } from '../sim/vm/object.ts';
import { ResultsDir } from '../scripts/results.ts';
import { randomWriter } from '../workloads/random-writer.ts';

const obj = (name: string) => ({ id: 1, name, startWriteback() {}, startRead() {} }) as unknown as VmObject;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Io.reuse', () => {
  it('makes a used command exactly what the constructor makes (every field, in the same order)', () => {
    const a = obj('a'), b = obj('b');
    const used = new Io(3, a, 10, 4, 'syncer', false);
    Object.assign(used, { kind: 'flush', fua: true, preflush: true, tSubmit: 2 ** 40, tStart: 2 ** 40 + 1, tDone: 2 ** 41, done: true, ok: false, copy: true, folioPages: 4, qslot: 7, mstage: 3, mready: 2 ** 40, busyPeer: true });
    const fresh = new Io(9, b, 2, 1, 'msync', true);
    expect(used.reuse(9, b, 2, 1, 'msync', true)).toBe(used);
    expect(Object.entries(used)).toEqual(Object.entries(fresh));
  });
});

describe('IoFifo', () => {
  it('returns commands in order, skips started ones and the old entry of a command since reused (its id changed)', () => {
    const q = new IoFifo<Io>();
    const x = new Io(0, obj('f'), 0, 1, 'msync', false), y = new Io(1, obj('f'), 1, 1, 'msync', false);
    q.push(x);
    q.push(y);
    x.reuse(2, obj('f'), 5, 1, 'msync', false); // x completed elsewhere (sync_first's other queue) and was reused
    q.push(x);
    expect(q.shift()).toBe(y);
    y.tStart = 1;
    expect(q.shift()).toBe(x);
    expect(q.shift()).toBeUndefined();
  });

  it('keeps its order across growth of the ring', () => {
    const q = new IoFifo<Io>();
    const ios = Array.from({ length: 100 }, (_, i) => new Io(i, obj('f'), i, 1, 'msync', false));
    const out: number[] = [];
    // three in, two out: the ring wraps and grows while it holds entries
    for (let i = 0; i < ios.length; i++) {
      q.push(ios[i]);
      if (i % 3 === 2) out.push(q.shift()!.id, q.shift()!.id);
    }
    for (let io = q.shift(); io; io = q.shift()) out.push(io.id);
    expect(out).toEqual(ios.map((io) => io.id));
  });
});

describe('Pager.release', () => {
  /** A pager on a device that completes nothing by itself. */
  function pager(reuse: boolean) {
    const p = new Pager(4096, { writeback() {} });
    p.device = { submit() {}, submitAll() {}, expedite() {} } as unknown as BlockDevice;
    p.reuseIos = reuse;
    return p;
  }

  it('reuses a released completed I/O for the next one, with the next id; never one not completed, nor with reuse off', () => {
    const f = obj('f');
    for (const reuse of [true, false]) {
      const p = pager(reuse);
      const a = p.writeCopy(f, 0, 1, 'msync', true);
      p.release(a); // not completed: left alone
      const b = p.writeCopy(f, 1, 1, 'msync', true);
      expect(b).not.toBe(a);
      a.done = true;
      p.release(a);
      const c = p.read(f, 4, 2, 'pagein');
      expect(c === a).toBe(reuse);
      expect([c.id, c.kind, c.first, c.pages, c.done, c.copy, c.urgent]).toEqual([2, 'read', 4, 2, false, false, true]);
    }
  });

  it('releaseList releases the completed I/Os of a list and keeps the list, emptied, for the next', () => {
    const p = pager(true), f = obj('f');
    const list = p.ioList();
    const ios = [0, 1, 2].map((i) => p.writeCopy(f, i, 1, 'msync', true));
    for (const io of ios) list.push(io);
    ios[0].done = ios[2].done = true;
    p.releaseList(list);
    expect([list.length, list.items.every((x) => x === undefined)]).toEqual([0, true]);
    expect(p.ioList()).toBe(list);
    const next = [p.writeCopy(f, 5, 1, 'msync', true), p.writeCopy(f, 6, 1, 'msync', true), p.writeCopy(f, 7, 1, 'msync', true)];
    expect(next.map((io) => ios.indexOf(io))).toEqual([2, 0, -1]);
  });
});

describe('runs with reuse on and off', () => {
  /** Replays `rows` under `config` into a results directory `out`, reuse on or off; the number of reuses. */
  function replay(out: string, config: Record<string, unknown>, rows: ReturnType<typeof sample>, reuse: boolean): number {
    const spy = vi.spyOn(Io.prototype, 'reuse');
    const rd = new ResultsDir(out);
    const sim = new Simulator(resolveConfig(config), rd);
    sim.kernel.pager.reuseIos = reuse;
    for (let i = 0; i < rows.length; i += 4096) {
      sim.feed(rows.slice(i, i + 4096));
      sim.run();
    }
    sim.end();
    sim.run();
    rd.writeTasks(sim.taskStats.records());
    rd.commit(JSON.stringify(sim.result(), null, 2) + '\n');
    const n = spy.mock.calls.length;
    spy.mockRestore();
    return n;
  }
  const sample = () => [...randomWriter({ seed: 1, rows: 20_000, pages: 4096, syncEvery: 100, writeRateUs: 200 })];

  it('write byte-identical result files (FreeBSD, Linux, XNU; fifo and sync_first; queue, NVMe and SATA SSD devices)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncsim-io-reuse-'));
    try {
      const rows = sample();
      for (const [name, config] of [
        ['freebsd-queue', { device: { profile: 'queue' } }],
        ['freebsd-sata-sync-first', { device: { profile: 'sata-ssd', discipline: 'sync_first' } }],
        ['linux', { personality: 'linux', device: { discipline: 'sync_first' } }],
        ['xnu-queue-errors', { personality: 'xnu', device: { profile: 'queue', error_rate: 0.01 } }],
      ] as const) {
        const on = join(dir, `${name}-on`), off = join(dir, `${name}-off`);
        expect(replay(on, config, rows, true), name).toBeGreaterThan(1000);
        expect(replay(off, config, rows, false), name).toBe(0);
        const files = readdirSync(on).sort();
        expect(files).toEqual(readdirSync(off).sort());
        const summary = (d: string) => readFileSync(join(d, 'summary.json'), 'utf8');
        expect(files.filter((f) => f !== 'summary.json' && !readFileSync(join(on, f)).equals(readFileSync(join(off, f)))), name).toEqual([]);
        expect(summary(on), name).toBe(summary(off));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
