/**
 * Page-in with read-ahead (`pagein: true`): faults on non-resident file pages
 * read them from the device, the task waits, and each kernel's fault read
 * policy decides the read-around / read-ahead window. Expected values are
 * worked out by hand from the kernel sources cited in sim/pager/readahead.ts;
 * the device serves every I/O in a constant 100 µs on one channel.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { doneAt, objOf, resultOf, simulate, TraceBuilder } from './helpers.ts';
import { syncsimHere } from './cli-here.ts';
import { resolveConfig } from '../sim/config.ts';
import { nextRaSize } from '../sim/pager/readahead-linux.ts';
import { Page, PageCounters, VmObject } from '../sim/vm/object.ts';
import { WaitQueue } from '../sim/vm/process.ts';
import { Engine } from '../sim/engine/queue.ts';

const A = 0x10000000;
const PS = 4096;
const on = (personality: string, extra: Record<string, unknown> = {}) => ({ personality, pagein: true, ...extra });
/** Reads as (first page, pages, cause). */
const reads = (o: ReturnType<typeof simulate>) => o.reads.map((r) => [r.offset / PS, r.pages, r.cause]);

describe('page-in configuration', () => {
  it('pagein defaults to true and readahead.pages to the personality figure', () => {
    expect(resolveConfig({}).pagein).toBe(true);
    expect(resolveConfig({ personality: 'linux' }).readahead.pages).toBe(32);
    expect(resolveConfig({ personality: 'freebsd' }).readahead.pages).toBe(16);
    expect(resolveConfig({ personality: 'xnu' }).readahead.pages).toBe(32);
    expect(resolveConfig({ personality: 'mach' }).readahead.pages).toBe(1);
    expect(resolveConfig({ personality: 'linux', readahead: { pages: 8 } }).readahead.pages).toBe(8);
    expect(() => resolveConfig({ pagein: 'yes' })).toThrow(/pagein/);
    expect(() => resolveConfig({ readahead: { pages: -1 } })).toThrow(/readahead.pages/);
  });

  it('get_next_ra_size: 4x below max/16, 2x up to max/2, max above', () => {
    expect(nextRaSize(1, 32)).toBe(4);
    expect(nextRaSize(4, 32)).toBe(8);
    expect(nextRaSize(16, 32)).toBe(32);
    expect(nextRaSize(32, 32)).toBe(32);
  });
});

describe('page state of a read', () => {
  const make = () => {
    const counters = new PageCounters();
    return { counters, obj: new VmObject(0, 'f', 'vnode', counters, new WaitQueue(new Engine())) };
  };

  it('a page being read is not resident; a completed read makes it resident and clean, a failed one absent again', () => {
    const { counters, obj } = make();
    obj.startRead(3, Page.PREFETCHED);
    expect(obj.state(3)).toBe(Page.READING | Page.PREFETCHED);
    expect([counters.resident, counters.reading, counters.pageins]).toEqual([0, 1, 0]);
    obj.endRead(3, true);
    expect(obj.state(3)).toBe(Page.RESIDENT | Page.PREFETCHED);
    expect([counters.resident, counters.reading, counters.pageins, counters.dirty]).toEqual([1, 0, 1, 0]);
    obj.startRead(4);
    obj.endRead(4, false);
    expect(obj.state(4)).toBe(0);
    expect([counters.resident, counters.reading]).toEqual([1, 0]);
  });

  it('a page wired in while its read is under way is counted resident once', () => {
    const { counters, obj } = make();
    obj.startRead(0);
    obj.wire(0, 1);
    obj.endRead(0, true);
    expect(obj.state(0)).toBe(Page.RESIDENT);
    expect([counters.resident, counters.reading, counters.pageins]).toEqual([1, 0, 1]);
  });
});

describe('read-ahead', () => {
  it('read-ahead widens on sequential faults', () => {
    // FreeBSD: the entry starts with read_ahead 15 and next_read at its start; each
    // sequential hard fault reads ahead nera = 7 + era + 1: 23, 31, 39, 47, 55, then the
    // entry end clips the last (200 + 1 + 55 = 256).
    const rows = new TraceBuilder().map(0, A, 256 * PS, 'f').op(10, 'read', A, 256 * PS).rows;
    const o = simulate(rows, on('freebsd'));
    expect(o.reads.map((r) => r.pages)).toEqual([24, 32, 40, 48, 56, 56]);
    expect(o.reads.map((r) => r.offset / PS)).toEqual([0, 24, 56, 96, 144, 200]);
    expect(o.reads.every((r) => r.cause === 'pagein')).toBe(true);
    expect(doneAt(o, 4)).toBe(10 + 6 * 100);
    expect(o.result.pagein).toEqual({ ios: 6, pages: 256, bytes: 256 * PS, wait_us: 600 });
  });

  it('xnu: a sequential run of 3 or more pages streams, the cluster growing with the run up to readahead.pages', () => {
    // first fault primes the pump (min_ph 16 KiB = 4 pages, centred at page 0: [0,4));
    // then sequential_run + 1: 4, 8, 16, 32, capped at 32.
    const rows = new TraceBuilder().map(0, A, 128 * PS, 'f').op(10, 'read', A, 128 * PS).rows;
    const o = simulate(rows, on('xnu'));
    expect(o.reads.map((r) => [r.offset / PS, r.pages])).toEqual([[0, 4], [4, 4], [8, 8], [16, 16], [32, 32], [64, 32], [96, 32]]);
  });

  it('linux: read-around then asynchronous windows triggered by PG_readahead', () => {
    // fault at 0: [0,32) with the mark on 32 - 8 = 24; the fault on 24 reads [32,64)
    // asynchronously with the mark on 32; and so on. The task waits only when it reaches a
    // page still being read.
    const rows = new TraceBuilder().map(0, A, 128 * PS, 'f').op(0, 'read', A, 128 * PS).rows;
    const o = simulate(rows, on('linux'));
    expect(reads(o)).toEqual([[0, 32, 'pagein'], [32, 32, 'readahead'], [64, 32, 'readahead'], [96, 32, 'readahead']]);
    // read 1: 0-100; read 2 submitted at 100 (fault on 24) runs 100-200; read 3 submitted at
    // 100 (fault on 32, still being read) runs 200-300; read 4 at 200 runs 300-400.
    expect(o.reads.map((r) => [r.tSubmitNs / 1000, r.tDoneNs / 1000])).toEqual([[0, 100], [100, 200], [100, 300], [200, 400]]);
    expect(doneAt(o, 4)).toBe(400);
    expect(o.result.pagein.wait_us).toBe(400);
  });
});

describe('read requests (readahead.request_pages)', () => {
  it('a read-around larger than request_pages goes out as requests of that size, in order; the fault waits only for the one holding its page', () => {
    // linux, window 32 around page 0 = [0,32), requests of 8: [0,8) is the fault's, the rest read-ahead.
    // One channel, 100 µs each: the fault's read 0-100, the others queue behind it.
    const rows = new TraceBuilder().map(0, A, 32 * PS, 'f').op(0, 'read', A, 1).rows;
    const o = simulate(rows, on('linux', { readahead: { pages: 32, request_pages: 8 } }));
    expect(reads(o)).toEqual([[0, 8, 'pagein'], [8, 8, 'readahead'], [16, 8, 'readahead'], [24, 8, 'readahead']]);
    expect(o.reads.map((r) => [r.tSubmitNs / 1000, r.tDoneNs / 1000])).toEqual([[0, 100], [0, 200], [0, 300], [0, 400]]);
    expect(doneAt(o, 4)).toBe(100);
    expect(o.result.pagein.wait_us).toBe(100);
  });

  it('a fault in the middle of the window waits for the requests before its own (ascending submission, one channel)', () => {
    // a read of page 20 of a 32-page file: read-around [4,36) clipped to [4,32), requests [4,12) [12,20) [20,28) [28,32)
    const rows = new TraceBuilder().map(0, A, 32 * PS, 'f').op(0, 'read', A + 20 * PS, 1).rows;
    const o = simulate(rows, on('linux', { readahead: { pages: 32, request_pages: 8 } }));
    expect(reads(o)).toEqual([[4, 8, 'readahead'], [12, 8, 'readahead'], [20, 8, 'pagein'], [28, 4, 'readahead']]);
    expect(doneAt(o, 4)).toBe(300);
  });

  it('request_pages 0: the whole window in one request (the behaviour before requests were split)', () => {
    const rows = new TraceBuilder().map(0, A, 32 * PS, 'f').op(0, 'read', A, 1).rows;
    const o = simulate(rows, on('linux', { readahead: { pages: 32, request_pages: 0 } }));
    expect(reads(o)).toEqual([[0, 32, 'pagein']]);
    expect(resolveConfig({}).readahead.request_pages).toBe(256);
  });
});

describe('random faults', () => {
  it('linux reads around a random fault, never re-reading pages in memory', () => {
    const rows = new TraceBuilder().map(0, A, 256 * PS, 'f')
      .op(0, 'read', A + 100 * PS, 1).op(1000, 'read', A + 70 * PS, 1).op(2000, 'read', A + 90 * PS, 1).rows;
    const o = simulate(rows, on('linux'));
    // 100 - 16 = 84: [84,116); then 70 - 16 = 54: [54,86) less the resident 84, 85; page 90 is resident
    expect(reads(o)).toEqual([[84, 32, 'pagein'], [54, 30, 'pagein']]);
  });

  it('linux stops reading around after MMAP_LOTSAMISS misses without hits', () => {
    const b = new TraceBuilder().map(0, A, 64 * 102 * PS, 'f');
    for (let k = 0; k < 102; k++) b.op(k * 1000, 'read', A + (64 * k + 32) * PS, 1);
    const o = simulate(b.rows, on('linux'));
    // misses 1..100 read 32 pages around the fault; the 101st and 102nd find mmap_miss > 100
    expect(o.reads.slice(0, 100).every((r) => r.pages === 32)).toBe(true);
    expect(o.reads.slice(100).map((r) => [r.offset / PS, r.pages])).toEqual([[64 * 100 + 32, 1], [64 * 101 + 32, 1]]);
  });

  it('freebsd reads the aligned 16-page cluster of a random fault, then a fault at next_read is sequential', () => {
    const rows = new TraceBuilder().map(0, A, 256 * PS, 'f')
      .op(0, 'read', A + 21 * PS, 1).op(1000, 'read', A + 32 * PS, 1).rows;
    const o = simulate(rows, on('freebsd'));
    // 21 % 16 = 5 behind, 10 ahead: [16,32); next_read = page 32; era was set to 0, so nera = 7
    expect(reads(o)).toEqual([[16, 16, 'pagein'], [32, 8, 'pagein']]);
  });
});

describe('faulting tasks and reads', () => {
  it('a second fault on a page being read waits for the same read (one I/O)', () => {
    const rows = new TraceBuilder().map(0, A, 64 * PS, 'f', 0, '', 'a').map(0, A, 64 * PS, 'f', 0, '', 'b')
      .op(0, 'read', A, 1, '', { task: 'a' }).op(10, 'read', A + 4 * PS, 1, '', { task: 'b' }).rows;
    const o = simulate(rows, on('linux'));
    expect(o.reads.length).toBe(1);
    expect(doneAt(o, 5)).toBe(100);
    expect(doneAt(o, 6)).toBe(100);
    expect(o.result.pagein.wait_us).toBe(100 + 90);
  });

  it('the faulting task waits for the read: closed replay time advances by the device time', () => {
    const rows = new TraceBuilder().map(0, A, 16 * PS, 'f').op(0, 'write', A, 1).op(1, 'write', A + PS, 1).op(2, 'msync', A, 16 * PS, 'SYNC').rows;
    const o = simulate(rows, on('mach', { device: { service: { dist: 'constant', mean_us: 250 } } }));
    // closed replay: a task's next row is issued at its trace time plus the task's lag
    expect(doneAt(o, 4)).toBe(250); // read of page 0; lag 250
    expect(doneAt(o, 5)).toBe(1 + 250 + 250); // issued at 251, reads page 1; lag 500
    expect(doneAt(o, 6)).toBe(2 + 500 + 250); // msync issued at 502 writes pages 0-1 in one cluster
    expect(o.result.writeback.ios).toBe(1);
    expect(o.result.pagein.ios).toBe(2);
  });

  it('a failed read leaves the pages absent and stops the load at that page (SIGBUS)', () => {
    const rows = new TraceBuilder().map(0, A, 64 * PS, 'f').op(0, 'read', A, 2 * PS).rows;
    const o = simulate(rows, on('linux', { device: { error_rate: 1 } }));
    expect(resultOf(o, 4)).toBe('SIGBUS');
    expect(o.reads.map((r) => [r.offset / PS, r.pages, r.ok])).toEqual([[0, 32, false]]);
    expect(objOf(o, 'f').state(0)).toBe(0);
    expect(o.result.memory.pageins).toBe(0);
  });

  it('anonymous (private copy-on-write) pages are zero-filled, never read', () => {
    const rows = new TraceBuilder().map(0, A, 16 * PS, 'f', 0, 'PRIVATE').op(0, 'write', A, 8 * PS).rows;
    const o = simulate(rows, on('linux'));
    expect(o.reads).toEqual([]);
    expect(o.result.pagein).toEqual({ ios: 0, pages: 0, bytes: 0, wait_us: 0 });
    expect(o.result.memory.pageins).toBe(8);
  });

  it('pagein false keeps the model without reads: no I/O, no wait, readahead.pages ignored', () => {
    const rows = new TraceBuilder().map(0, A, 64 * PS, 'f').op(0, 'read', A, 64 * PS).op(5, 'write', A, 8 * PS).op(6, 'msync', A, 64 * PS, 'SYNC').rows;
    const a = simulate(rows, { personality: 'linux', pagein: false });
    const b = simulate(rows, { personality: 'linux', pagein: false, readahead: { pages: 4 } });
    expect(a.reads).toEqual([]);
    expect(doneAt(a, 4)).toBe(0);
    expect(doneAt(a, 6)).toBe(6 + 100);
    expect(a.result.pagein).toEqual({ ios: 0, pages: 0, bytes: 0, wait_us: 0 });
    expect(a.result.memory.pageins).toBe(64);
    expect({ ...b.result }).toEqual({ ...a.result });
    expect(b.writebacks).toEqual(a.writebacks);
  });
});

describe('memory pressure', () => {
  it('evicted clean pages fault back in with a read', () => {
    // 4 pages of memory, one page a read: pages 4..7 evict 0..3, then page 0 comes back
    const rows = new TraceBuilder().map(0, A, 8 * PS, 'f').op(0, 'read', A, 8 * PS).op(2000, 'read', A, 1).rows;
    const o = simulate(rows, on('linux', { memory: { pages: 4 }, readahead: { pages: 1 } }));
    expect(o.reads.map((r) => r.offset / PS)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 0]);
    expect(o.result.memory.evictions).toBe(5);
    expect(o.result.memory.pageins).toBe(9);
    expect(o.result.memory.peak_resident_pages).toBe(4);
  });

  it('dirty pages laundered by pageout are read again when touched after eviction', () => {
    const rows = new TraceBuilder().map(0, A, 8 * PS, 'f').op(0, 'write', A, 8 * PS).op(5000, 'read', A, 1).rows;
    const o = simulate(rows, on('linux', { memory: { pages: 4 }, readahead: { pages: 1 } }));
    // page 0 was dirtied, cleaned by pageout and freed; the last read faults it in again
    expect(o.writebacks.some((w) => w.cause === 'pageout' && w.offset === 0)).toBe(true);
    expect(o.reads[o.reads.length - 1].offset).toBe(0);
    expect(o.reads.length).toBe(9);
  });
});

describe('reads.csv', () => {
  it('the CLI writes every read to reads.csv and totals them in summary.json', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-pagein-'));
    const trace = join(d, 't.csv');
    writeFileSync(trace, '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n'
      + `0,a,map,0x10000000,${64 * PS},,f,0\n1,a,read,0x10000000,${64 * PS},,,0\n2,a,write,0x10000000,100,,,0\n3,a,msync,0x10000000,${64 * PS},SYNC,,0\n`);
    const out = join(d, 'out');
    // the queueing device (100 µs per I/O, no CPU costs) with page-in turned on
    const r = await syncsimHere(['run', trace, '--out', out, '--set', 'personality=linux', '--set', 'device.profile=queue', '--set', 'pagein=true']);
    expect(r.code).toBe(0);
    const lines = readFileSync(join(out, 'reads.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('t_submit_us,t_start_us,t_done_us,object,offset,pages,bytes,cause,ok');
    // [0,32) read around page 0, [32,64) read ahead from the mark on page 24
    expect(lines.slice(1)).toEqual(['1,1,101,f,0,32,131072,pagein,true', '101,101,201,f,131072,32,131072,readahead,true']);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.pagein).toEqual({ ios: 2, pages: 64, bytes: 64 * PS, wait_us: 200 });
    // writeback.csv and writeback.ios count the msync's write only
    expect(s.writeback.ios).toBe(1);
    expect(readFileSync(join(out, 'writeback.csv'), 'utf8').trim().split('\n').length).toBe(2);
  });
});

describe('a fault waiting for its page read stays on its CPU (WaitQueue.onCpu)', () => {
  it('is one view per queue, and a sleeper added through it is woken with the queue', () => {
    const engine = new Engine();
    const q = new WaitQueue(engine);
    expect(q.onCpu).toBe(q.onCpu);
    expect(q.onCpu.queue).toBe(q);
    const woken: string[] = [];
    q.onCpu.add({ fire: () => woken.push('on cpu') });
    q.add({ fire: () => woken.push('asleep') });
    expect(q.size).toBe(2);
    q.wakeAll();
    engine.run();
    expect(woken).toEqual(['on cpu', 'asleep']);
  });
});
