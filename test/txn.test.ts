/**
 * Transaction commit latency (x_txn): the rules of TxnStats by hand, the
 * presets that mark transactions, and a replay worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { TxnStats } from '../sim/stats/txn.ts';
import { generate } from '../workloads/presets/index.ts';
import { simulate, TraceBuilder } from './helpers.ts';

describe('TxnStats', () => {
  it('<=N commits the pending transactions up to N stored before the msync was issued; * commits all of them', () => {
    const t = new TxnStats();
    t.store('0', 100);
    t.store('1', 200);
    t.store('2', 900); // stored after the commit below was issued: not part of it
    t.store('0', 300); // a later store of a pending transaction keeps its first store time
    t.commit('<=2', 500, 1500);
    let s = t.summary(2e9);
    expect(s.count).toBe(2);
    expect(s.latency_us).toMatchObject({ max: 1.4, mean: 1.35 }); // (1500-100) and (1500-200) ns
    expect(s.pending_at_end).toBe(1);
    t.store('a.0', 1000);
    t.commit('*', 2000, 2600);
    s = t.summary(2e9);
    expect(s.count).toBe(4);
    expect(s.latency_us.max).toBe(1.7); // '2': 2600 - 900
    expect(s.per_s).toBe(2);
    expect(s.pending_at_end).toBe(0);
    // malformed specs commit nothing
    t.store('9', 1);
    t.commit('<=x', 5, 6);
    t.commit('all', 5, 6);
    expect(t.summary(1e9).pending_at_end).toBe(1);
  });
});

describe('presets that mark transactions', () => {
  it('wal-append: every record is a transaction; the group\'s last msync commits every one up to its own', () => {
    const rows = [...generate('wal-append', { duration_s: 0.05, group_commit: 3, tasks: 1 }, 1)];
    const writes = rows.filter((r) => r.op === 'write');
    expect(writes.map((r) => r.extra?.x_txn)).toEqual(writes.map((_, i) => String(i)));
    const msyncs = rows.filter((r) => r.op === 'msync');
    expect(msyncs.length).toBe(Math.floor(writes.length / 3));
    msyncs.forEach((m, k) => expect(m.extra?.x_txn === '' || m.extra?.x_txn === `<=${3 * k + 2}`).toBe(true));
  });

  it('db-checkpoint: every update is a transaction of its task; a checkpoint commits all (*)', () => {
    const rows = [...generate('db-checkpoint', { duration_s: 2, checkpoint_interval_us: 1e6, tasks: 2, rate: 10 }, 1)];
    expect(rows.filter((r) => r.op === 'write').every((r) => /^db[01]\.\d+$/.test(r.extra?.x_txn ?? ''))).toBe(true);
    expect(rows.filter((r) => r.op === 'msync').map((r) => r.extra?.x_txn)).toEqual(['*', '*']);
  });
});

describe('commit latency through the simulator', () => {
  it('from a transaction\'s first store to the end of the msync that commits it', () => {
    const A = 0x10000000, PS = 4096;
    const b = new TraceBuilder('t').map(0, A, 16 * PS, 'log');
    const store = (t: number, page: number, txn: string) => {
      b.op(t, 'write', A + page * PS, 100);
      b.rows[b.rows.length - 1].extra = { x_txn: txn };
    };
    store(0, 0, '0');
    store(50, 1, '1');
    b.op(100, 'msync', A, 2 * PS, 'SYNC');
    b.rows[b.rows.length - 1].extra = { x_txn: '<=1' };
    // queue device, 100 µs per I/O: the msync writes pages 0-1 in one I/O and ends at 200 µs
    const o = simulate(b.rows, { personality: 'linux' });
    expect(o.syncs[0].tDoneNs).toBe(200_000);
    expect(o.result.txn).toMatchObject({ count: 2, pending_at_end: 0, latency_us: { max: 200, mean: 175 } });
  });
});

describe('x_txn of an msync row', () => {
  it("is '<=N', '*' or empty; anything else stops the run naming the line and column", async () => {
    const { TxnStats } = await import('../sim/stats/txn.ts');
    for (const ok of ['', '*', '<=0', '<=17', '<=2.5', '<=-1']) expect(TxnStats.isCommitSpec(ok)).toBe(true);
    for (const bad of ['<=x', '<=', '<= 3', '3', 'all', '**', '<=1e3', '>=3']) expect(TxnStats.isCommitSpec(bad)).toBe(false);
    const { Simulator } = await import('../sim/simulator.ts');
    const { resolveConfig } = await import('../sim/config.ts');
    const { TraceSemanticError } = await import('../sim/vm/vm.ts');
    const row = (line: number, tNs: number, op: string, extra: string, flags = 0) =>
      ({ line, tNs, task: 'a', op, addr: 0x10000, len: op === 'map' ? 65536 : 4096, flags, object: op === 'map' ? 'f' : '', offset: 0, extra: { x_txn: extra } }) as never;
    const sim = new Simulator(resolveConfig({ device: { profile: 'queue' } }), { sync: () => {}, writeback: () => {}, timeline: () => {} });
    sim.feed([row(3, 0, 'map', ''), row(4, 1000, 'write', '1'), row(5, 2000, 'msync', '<=x', 1)]);
    sim.end();
    let err: unknown;
    try {
      sim.run();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TraceSemanticError);
    expect(err).toMatchObject({ line: 5, column: 'x_txn', text: '<=x' });
  });
});
