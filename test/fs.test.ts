/**
 * The filesystem layer (sim/fs, `fs.*` keys): ext4's jbd2 commits and
 * fdatasync FLUSH, UFS's synchronous inode update, APFS without FLUSH, and
 * the differences they make between the kernels. Every expected time is
 * worked out by hand from the default device (one channel, FIFO, 100 µs per
 * I/O; a FLUSH costs nothing on this queue model).
 */
import { describe, expect, it } from 'vitest';
import { FS_DEFAULT_KIND, resolveConfig, type Personality } from '../sim/config.ts';
import { generate } from '../workloads/presets/index.ts';
import type { TraceRow } from '../traces/types.ts';
import { doneAt, opOf, simulate, TraceBuilder, type SimOutput } from './helpers.ts';

const PS = 4096;
const A = 0x10000000;
const B = 0x20000000;

/** Writeback records of cause `cause`: [submit µs, done µs, pages]. */
function ofCause(o: SimOutput, cause: string): [number, number, number][] {
  return o.writebacks.filter((w) => w.cause === cause).map((w) => [w.tSubmitNs / 1000, w.tDoneNs / 1000, w.pages]);
}

/** Issue-to-completion time of the op on trace line `line`, µs. */
function latencyUs(o: SimOutput, line: number): number {
  const r = opOf(o, line);
  return (r.tDoneNs - r.tIssueNs) / 1000;
}

/** Rows of a workload preset as the simulator takes them. */
function preset(name: string, params: Record<string, unknown>): TraceRow[] {
  return [...generate(name, params, 1)].map((r, i) => ({
    line: i + 3, tNs: r.tNs, task: r.task ?? '0', op: r.op, addr: r.addr, len: r.len,
    flags: r.flags ?? 0, object: r.object ?? '', offset: r.offset ?? 0,
  }));
}

describe('fs.kind defaults', () => {
  it('each personality gets its own filesystem: linux ext4-ordered, freebsd ufs, xnu apfs, mach none', () => {
    const kinds = ['linux', 'freebsd', 'xnu', 'mach'].map((p) => resolveConfig({ personality: p }).fs.kind);
    expect(kinds).toEqual(['ext4-ordered', 'ufs', 'apfs', 'none']);
  });

  it('a user fs.kind wins over the personality default; the other fs keys have the issue defaults', () => {
    const c = resolveConfig({ personality: 'linux', fs: { kind: 'none' } });
    expect(c.fs).toEqual({ kind: 'none', commit_interval_ms: 5000, soft_updates: false, stable_pages: false, preallocated: true, extent_leaf: false, timestamp_tick_us: 4000 });
  });

  it('fs.kind none leaves by_cause with its three causes and summary fs all zero', () => {
    const rows = new TraceBuilder().map(0, A, PS, 'f').op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC').rows;
    const o = simulate(rows, { personality: 'linux' });
    expect(Object.keys(o.result.writeback.by_cause)).toEqual(['msync', 'syncer', 'pageout']);
    expect(o.result.fs).toEqual({ kind: 'none', commits: 0, flushes: 0, journal_bytes: 0, metadata_bytes: 0 });
  });
});

describe('ext4-ordered (linux)', () => {
  const ext4 = (extra: Record<string, unknown> = {}) => ({ personality: 'linux', fs: { kind: 'ext4-ordered', ...extra } });

  it('msync SYNC of overwritten allocated blocks: the data write, then one FLUSH and no journal commit (datasync tid already committed)', () => {
    const rows = new TraceBuilder().map(0, A, PS, 'f').op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC').rows;
    const o = simulate(rows, ext4());
    expect(ofCause(o, 'msync')).toEqual([[10, 110, 1]]);
    expect(ofCause(o, 'journal')).toEqual([]);
    expect(o.result.fs).toMatchObject({ kind: 'ext4-ordered', commits: 0, flushes: 1, journal_bytes: 0 });
    expect(o.sim.kernel.pager.totals.flushes).toBe(1);
    expect(doneAt(o, 5)).toBe(110);
  });

  it('msync SYNC that allocated blocks commits the transaction: descriptor + inode + bitmap + group descriptor, then the commit block with PREFLUSH|FUA; no extra FLUSH', () => {
    const rows = new TraceBuilder().map(0, A, PS, 'f').op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC').rows;
    const o = simulate(rows, ext4({ preallocated: false }));
    // data 10→110; journal write of 1 + 3 blocks 110→210; commit block 210→310
    expect(ofCause(o, 'journal')).toEqual([[110, 210, 4], [210, 310, 1]]);
    expect(o.result.fs).toMatchObject({ commits: 1, flushes: 1, journal_bytes: 5 * PS, metadata_bytes: 0 });
    expect(doneAt(o, 5)).toBe(310);
  });

  it('the second msync of a rewritten, now allocated page needs no commit: only a FLUSH (mtime is in i_sync_tid, not i_datasync_tid)', () => {
    const rows = new TraceBuilder().map(0, A, PS, 'f').op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC')
      .op(1000, 'write', A, 1).op(1010, 'msync', A, PS, 'SYNC').rows;
    const o = simulate(rows, ext4({ preallocated: false }));
    expect(o.result.fs).toMatchObject({ commits: 1, flushes: 2 });
    expect(latencyUs(o, 7)).toBe(100); // its data write only (closed replay: it is issued 300 µs late, after the first msync's lag)
  });

  it('a commit batches two concurrent fsyncs: two tasks msync their newly allocated files at once and share one jbd2 commit', () => {
    const rows = new TraceBuilder('a').map(0, A, PS, 'fa').map(0, B, PS, 'fb', 0, '', 'b')
      .op(0, 'write', A, 1).op(0, 'write', B, 1, '', { task: 'b' })
      .op(10, 'msync', A, PS, 'SYNC').op(10, 'msync', B, PS, 'SYNC', { task: 'b' }).rows;
    const o = simulate(rows, ext4({ preallocated: false }));
    // data a 10→110, data b 110→210; the commit (started by a at 110) waits for b's ordered data, then
    // writes 1 descriptor + 2 inode blocks + 2×(bitmap + group descriptor) 210→310 and the commit block 310→410
    expect(ofCause(o, 'journal')).toEqual([[210, 310, 7], [310, 410, 1]]);
    expect(o.result.fs).toMatchObject({ commits: 1, flushes: 1 });
    expect([doneAt(o, 7), doneAt(o, 8)]).toEqual([410, 410]);
  });

  it('an fsync arriving after the commit record was sent needs the next transaction: two commits, one after the other', () => {
    const rows = new TraceBuilder('a').map(0, A, PS, 'fa').map(0, B, PS, 'fb', 0, '', 'b')
      .op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC')
      .op(250, 'write', B, 1, '', { task: 'b' }).op(260, 'msync', B, PS, 'SYNC', { task: 'b' }).rows;
    const o = simulate(rows, ext4({ preallocated: false }));
    // T1: data a 10→110, journal 110→210 (4 blocks), commit 210→310. b writes at 250 (T2), data 310→410
    // (behind the commit block), T2 journal 410→510, commit 510→610
    expect(ofCause(o, 'journal')).toEqual([[110, 210, 4], [210, 310, 1], [410, 510, 4], [510, 610, 1]]);
    expect(o.result.fs.commits).toBe(2);
    expect(doneAt(o, 8)).toBe(610);
  });

  it('an fdatasync whose transaction is committing waits for it, and adds its own FLUSH only when the commit block was already sent (jbd2_trans_will_send_data_barrier)', () => {
    // a's msync allocates in T1: data 10→110, journal 110→210, commit block (PREFLUSH|FUA) sent at 210, done 310.
    // b syncs the same, now clean file while T1 commits: its i_datasync_tid is T1.
    const at = (tB: number) => simulate(new TraceBuilder('a').map(0, A, PS, 'f').map(0, B, PS, 'f', 0, '', 'b')
      .op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC').op(tB, 'msync', B, PS, 'SYNC', { task: 'b' }).rows, ext4({ preallocated: false }));
    const before = at(150), after = at(250);
    expect([before.result.fs.flushes, doneAt(before, 7)]).toEqual([1, 310]);
    expect([after.result.fs.flushes, doneAt(after, 7)]).toEqual([2, 310]);
    expect(after.result.fs.commits).toBe(1);
  });

  it('committed metadata reaches its home location by background writeback after writeback.expire_ms: inode table block, block bitmap, group descriptor', () => {
    const rows = new TraceBuilder().map(0, A, PS, 'f').op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC').op(31e6, 'read', A, 1).rows;
    const o = simulate(rows, { ...ext4({ preallocated: false }), writeback: { policy: 'flusher' } });
    // the commit ends at 310 µs; 30 s later the three dirty buffers are written, one after the other
    const t = 30e6 + 310;
    expect(ofCause(o, 'metadata')).toEqual([[t, t + 100, 1], [t, t + 200, 1], [t, t + 300, 1]]);
    expect(o.result.fs.metadata_bytes).toBe(3 * PS);
    // without background writeback they stay in the journal only
    expect(simulate(rows, ext4({ preallocated: false })).result.fs.metadata_bytes).toBe(0);
  });

  it('kjournald2 commits a running transaction fs.commit_interval_ms after its first change (an mtime update here)', () => {
    const rows = new TraceBuilder().map(0, A, PS, 'f').op(0, 'write', A, 1).op(1_500_000, 'read', A, 1).rows;
    const o = simulate(rows, ext4({ commit_interval_ms: 1000 }));
    // descriptor + inode block at 1 s, then the commit block
    expect(ofCause(o, 'journal')).toEqual([[1e6, 1e6 + 100, 2], [1e6 + 100, 1e6 + 200, 1]]);
    expect(o.result.fs.commits).toBe(1);
  });

  it('journal writes are REQ_SYNC: under sync_first a timer-started commit passes queued background writes', () => {
    // g1, g2 stored at 0 (mtime: T1, its timer at 1 ms); MS_ASYNC queues g1 at 950 (950→1050) and g2 at 960;
    // the commit's journal write (descriptor + 2 inode blocks), queued at 1000, goes before g2 under sync_first
    const rows = new TraceBuilder().map(0, A, PS, 'g1').map(0, B, PS, 'g2').op(0, 'write', A, 1).op(0, 'write', B, 1)
      .op(950, 'msync', A, PS, 'ASYNC').op(960, 'msync', B, PS, 'ASYNC').op(5000, 'read', A, 1).rows;
    const cfg = (discipline: string) => ({ personality: 'freebsd', fs: { kind: 'ext4-ordered', commit_interval_ms: 1 }, device: { discipline } });
    const first = (o: SimOutput) => ofCause(o, 'journal')[0];
    expect(first(simulate(rows, cfg('sync_first')))).toEqual([1000, 1150, 3]);
    expect(first(simulate(rows, cfg('fifo')))).toEqual([1000, 1250, 3]);
  });

  it('fs.stable_pages: a store to a page under writeback waits for the write (it re-dirties the page at once without)', () => {
    const rows = new TraceBuilder('a').map(0, A, PS, 'f').map(0, B, PS, 'f', 0, '', 'b')
      .op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC').op(50, 'write', B, 1, '', { task: 'b' }).rows;
    expect(doneAt(simulate(rows, ext4({ stable_pages: true })), 7)).toBe(110);
    expect(doneAt(simulate(rows, ext4()), 7)).toBe(50);
  });
});

describe('ext4-nojournal (linux, ext4 made without a journal)', () => {
  // open replay: each op at its trace time, so the arithmetic below needs no closed-replay lag
  const nojournal = (extra: Record<string, unknown> = {}) => ({ personality: 'linux', replay: 'open', fs: { kind: 'ext4-nojournal', ...extra } });

  it('msync SYNC after an mtime change: the data, then the inode table block written and waited for, then a FLUSH', () => {
    const rows = new TraceBuilder().map(0, A, PS, 'f').op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC').rows;
    const o = simulate(rows, nojournal());
    expect(ofCause(o, 'msync')).toEqual([[10, 110, 1]]);
    expect(ofCause(o, 'metadata')).toEqual([[110, 210, 1]]);
    expect(ofCause(o, 'journal')).toEqual([]);
    expect(o.result.fs).toMatchObject({ kind: 'ext4-nojournal', commits: 0, flushes: 1, journal_bytes: 0, metadata_bytes: PS });
    expect(doneAt(o, 5)).toBe(210);
  });

  it('a store within the same timestamp tick leaves mtime as it was: the next msync writes only the data and sends a FLUSH', () => {
    // both stores fall in tick 0 of 4000 µs; the third (5000 µs) is in tick 1 and dirties the inode again
    const rows = new TraceBuilder().map(0, A, PS, 'f').op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC')
      .op(1000, 'write', A, 1).op(1010, 'msync', A, PS, 'SYNC')
      .op(5000, 'write', A, 1).op(5010, 'msync', A, PS, 'SYNC').rows;
    const o = simulate(rows, nojournal());
    expect(ofCause(o, 'metadata')).toEqual([[110, 210, 1], [5110, 5210, 1]]);
    expect(doneAt(o, 7)).toBe(1110);
    expect(doneAt(o, 9)).toBe(5210);
    expect(o.result.fs).toMatchObject({ flushes: 3 });
  });

  it('fs.timestamp_tick_us 1: every store to a clean page changes mtime, so every msync writes the inode block', () => {
    const rows = new TraceBuilder().map(0, A, PS, 'f').op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC')
      .op(1000, 'write', A, 1).op(1010, 'msync', A, PS, 'SYNC').rows;
    const o = simulate(rows, nojournal({ timestamp_tick_us: 1 }));
    expect(ofCause(o, 'metadata')).toEqual([[110, 210, 1], [1110, 1210, 1]]);
  });

  it('an msync that allocated blocks (fs.preallocated false) writes the inode block even within the tick (size and extents changed), and no bitmap or group descriptor', () => {
    // the second store (1000 µs) is in the first's tick, but its page's block is new: allocation dirties the inode
    const rows = new TraceBuilder().map(0, A, 2 * PS, 'f').op(0, 'write', A, 1).op(10, 'msync', A, 2 * PS, 'SYNC')
      .op(1000, 'write', A + PS, 1).op(1010, 'msync', A, 2 * PS, 'SYNC').rows;
    const o = simulate(rows, nojournal({ preallocated: false }));
    expect(ofCause(o, 'metadata')).toEqual([[110, 210, 1], [1110, 1210, 1]]);
    expect(doneAt(o, 7)).toBe(1210);
  });

  it('an msync with nothing dirty still sends its FLUSH (needs_barrier is set unconditionally with the barrier option)', () => {
    const rows = new TraceBuilder().map(0, A, PS, 'f').op(10, 'msync', A, PS, 'SYNC').rows;
    const o = simulate(rows, nojournal());
    expect(o.writebacks).toEqual([]);
    expect(o.result.fs).toMatchObject({ flushes: 1 });
  });
});

describe('ufs (freebsd)', () => {
  const ufs = (extra: Record<string, unknown> = {}) => ({ personality: 'freebsd', fs: { kind: 'ufs', ...extra } });
  const twoPages = () => new TraceBuilder().map(0, A, 2 * PS, 'f').op(0, 'write', A, 2 * PS);

  it('msync SYNC of the whole file: VOP_FSYNC after the data, ending with a synchronous inode block write (ffs_update(vp, 1)); no BIO_FLUSH', () => {
    const o = simulate(twoPages().op(10, 'msync', A, 2 * PS, 'SYNC').rows, ufs());
    expect(ofCause(o, 'msync')).toEqual([[10, 110, 2]]);
    expect(ofCause(o, 'metadata')).toEqual([[110, 210, 1]]);
    expect(o.result.fs).toMatchObject({ kind: 'ufs', commits: 0, flushes: 0, metadata_bytes: PS });
    expect(doneAt(o, 5)).toBe(210);
  });

  it('msync SYNC of part of the file: each IO_SYNC putpages write is followed by its own inode update', () => {
    const rows = twoPages().op(10, 'msync', A, PS, 'SYNC').rows;
    const o = simulate(rows, { ...ufs(), pager: { cluster_pages: 1 } });
    expect(ofCause(o, 'msync')).toEqual([[10, 110, 1]]);
    expect(ofCause(o, 'metadata')).toEqual([[110, 210, 1]]);
  });

  it('fs.soft_updates defers the inode update: the msync returns after its data, no metadata write within the run', () => {
    const o = simulate(twoPages().op(10, 'msync', A, 2 * PS, 'SYNC').rows, ufs({ soft_updates: true }));
    expect(ofCause(o, 'metadata')).toEqual([]);
    expect(doneAt(o, 5)).toBe(110);
  });
});

describe('apfs (xnu)', () => {
  it('apfs SYNC issues no FLUSH: the data, then one metadata block, and the drive cache is never flushed (F_FULLFSYNC is not used)', () => {
    const rows = new TraceBuilder().map(0, A, PS, 'f').op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC').rows;
    const o = simulate(rows, { personality: 'xnu', fs: { kind: 'apfs' } });
    expect(ofCause(o, 'msync')).toEqual([[10, 110, 1]]);
    expect(ofCause(o, 'metadata')).toEqual([[110, 210, 1]]);
    expect(o.result.fs).toMatchObject({ kind: 'apfs', commits: 0, flushes: 0, journal_bytes: 0, metadata_bytes: PS });
    expect(o.sim.kernel.pager.totals.flushes).toBe(0);
  });

  it('an apfs msync that wrote nothing since the last one writes no metadata', () => {
    const rows = new TraceBuilder().map(0, A, PS, 'f').op(0, 'write', A, 1).op(10, 'msync', A, PS, 'SYNC')
      .op(1000, 'msync', A, PS, 'SYNC').rows;
    const o = simulate(rows, { personality: 'xnu', fs: { kind: 'apfs' } });
    expect(o.result.fs.metadata_bytes).toBe(PS);
    expect(latencyUs(o, 6)).toBe(0);
  });
});

describe('the four personalities on their own filesystems differ where the kernels differ', () => {
  const run = (rows: TraceRow[], p: Personality, fs: Record<string, unknown> = {}) =>
    simulate(rows, { personality: p, fs: { kind: FS_DEFAULT_KIND[p], ...fs } });
  const csv = (o: SimOutput) => JSON.stringify([o.syncs, o.writebacks]);
  const randomWriter = preset('random-writer', { duration_s: 1, footprint: '1M' });
  const checkpoint = preset('db-checkpoint', { duration_s: 3, footprint: '1M', tasks: 2 });

  it('random writer, freebsd vs linux: every whole-file msync ends with a synchronous UFS inode write (+100 µs each), while ext4 fdatasync of allocated blocks writes no metadata and sends one FLUSH', () => {
    const f = run(randomWriter, 'freebsd'), l = run(randomWriter, 'linux');
    const n = l.result.sync.count;
    expect(f.result.sync.count).toBe(n);
    expect(f.result.fs).toMatchObject({ flushes: 0, metadata_bytes: n * PS });
    expect(l.result.fs).toMatchObject({ flushes: n, metadata_bytes: 0, journal_bytes: 0 });
    expect(f.result.writeback.by_cause.msync).toBe(l.result.writeback.by_cause.msync);
    expect((f.result.sync.latency_us.mean ?? 0) - (l.result.sync.latency_us.mean ?? 0)).toBeCloseTo(100, 6);
    expect(csv(f)).not.toBe(csv(l));
  });

  it('random writer, xnu vs mach: APFS writes a metadata block after each synchronous msync that wrote data (and never a FLUSH); the Mach memory manager writes only the pages', () => {
    const x = run(randomWriter, 'xnu'), m = run(randomWriter, 'mach');
    expect(x.result.fs).toMatchObject({ kind: 'apfs', flushes: 0, metadata_bytes: x.result.sync.count * PS });
    expect(m.result.fs).toEqual({ kind: 'none', commits: 0, flushes: 0, journal_bytes: 0, metadata_bytes: 0 });
    expect(m.writebacks.every((w) => w.cause === 'msync')).toBe(true);
  });

  it('checkpoint, linux vs mach: each ext4 checkpoint msync sends a FLUSH the Mach manager never sends', () => {
    const l = run(checkpoint, 'linux'), m = run(checkpoint, 'mach');
    expect(l.result.fs.flushes).toBe(l.result.sync.count);
    expect(m.result.fs.flushes).toBe(0);
  });

  it('checkpoint into a fresh file (fs.preallocated false), linux vs mach: the first checkpoint allocates the blocks it writes, so ext4 commits a jbd2 transaction before returning', () => {
    const l = run(checkpoint, 'linux', { preallocated: false }), m = run(checkpoint, 'mach', { preallocated: false });
    expect(l.result.fs.commits).toBeGreaterThanOrEqual(1);
    expect(l.writebacks.some((w) => w.cause === 'journal')).toBe(true);
    expect(m.writebacks.some((w) => w.cause === 'journal')).toBe(false);
    expect(csv(l)).not.toBe(csv(m));
  });
});
