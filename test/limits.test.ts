/**
 * The simulator's own bounds on a run (sim/vm/limits.ts): how many pages one
 * op may cover and how many may be resident, each refused as an error of the
 * trace that names the line and the `len` field; a results directory that
 * existed before is left as it was.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_OP_PAGES, MAX_RESIDENT_PAGES, RunBounds } from '../sim/vm/limits.ts';
import { PageCounters } from '../sim/vm/object.ts';
import { syncsimHere } from './cli-here.ts';
import { simulate, TraceBuilder } from './helpers.ts';

const A = 0x10000000;
const PS = 4096;

const dir = mkdtempSync(join(tmpdir(), 'syncsim-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bounds at page_size 4096 with `memoryPages`, over counters with `resident` and `reading` pages. */
function bounds(memoryPages: number, resident = 0, reading = 0): RunBounds {
  const c = new PageCounters();
  c.resident = resident;
  c.reading = reading;
  return new RunBounds(4096, memoryPages, c);
}

/** `b.fits` of the pages [addr, addr+len) overlaps. */
const fitsAt = (b: RunBounds, addr: number, len: number) => b.fits(b.pagesOf(addr, len));
/** `b.refusal` of an op on [addr, addr+len). */
const refusalAt = (b: RunBounds, line: number, op: string, addr: number, len: number) => b.refusal(line, op, len, b.pagesOf(addr, len));

describe('RunBounds', () => {
  it('counts the pages a byte range overlaps, partial pages at both ends included', () => {
    const b = bounds(0);
    expect(b.pagesOf(0, 0)).toBe(0);
    expect(b.pagesOf(4095, 1)).toBe(1);
    expect(b.pagesOf(4095, 2)).toBe(2);
    expect(b.pagesOf(100, 4096)).toBe(2);
    expect(b.pagesOf(0, 2 ** 52)).toBe(2 ** 40);
  });

  it('an op may cover MAX_OP_PAGES pages, not one more, wherever it starts', () => {
    const b = bounds(0);
    expect(fitsAt(b, 0, MAX_OP_PAGES * 4096)).toBe(true);
    expect(fitsAt(b, 0, MAX_OP_PAGES * 4096 + 1)).toBe(false);
    expect(fitsAt(b, 4095, (MAX_OP_PAGES - 1) * 4096)).toBe(true);
    expect(fitsAt(b, 4095, (MAX_OP_PAGES - 1) * 4096 + 2)).toBe(false);
    expect(refusalAt(b, 7, 'write', 0, 2 ** 52).message).toBe(
      `a write may cover at most ${MAX_OP_PAGES} pages (16 GiB at page_size 4096); this one covers ${2 ** 40}: split it into several rows`);
  });

  it('with unlimited memory, resident + being read + the op\'s pages may reach MAX_RESIDENT_PAGES, not pass it', () => {
    expect(fitsAt(bounds(0, MAX_RESIDENT_PAGES - 10, 6), 0, 4 * 4096)).toBe(true);
    expect(fitsAt(bounds(0, MAX_RESIDENT_PAGES - 10, 6), 0, 5 * 4096)).toBe(false);
    const e = refusalAt(bounds(0, MAX_RESIDENT_PAGES - 10, 6), 3, 'read', 0, 5 * 4096);
    expect([e.line, e.column, e.text]).toEqual([3, 'len', '0x5000']);
    expect(e.message).toMatch(/^this read covers 5 pages and 67108860 are resident, being read or covered by ops under way: more than the 67108864 resident pages \(256 GiB at page_size 4096\) a run may hold; set memory\.pages \(at most 67108864\) to model/);
    expect(refusalAt(bounds(MAX_RESIDENT_PAGES + 1, MAX_RESIDENT_PAGES), 3, 'read', 0, 4096).message).toMatch(/a run may hold; memory\.pages 67108865 is above that: set it to at most 67108864$/);
    expect(refusalAt(bounds(1000, MAX_RESIDENT_PAGES), 3, 'wire', 0, 4096).message).toMatch(/a run may hold; memory\.pages 1000 is passed by pages the pageout daemon cannot free/);
  });

  it('a finite memory.pages within the bound is kept by the pageout daemon: no resident check while it holds', () => {
    expect(fitsAt(bounds(MAX_RESIDENT_PAGES, MAX_RESIDENT_PAGES), 0, 4096)).toBe(true);
    expect(fitsAt(bounds(MAX_RESIDENT_PAGES, MAX_RESIDENT_PAGES - 5, 5), 0, MAX_OP_PAGES * 4096)).toBe(true);
    // passed (nothing could be freed: wired or anonymous dirty pages): the bound applies again
    expect(fitsAt(bounds(1000, 1001), 0, 4096)).toBe(true);
    expect(fitsAt(bounds(1000, MAX_RESIDENT_PAGES), 0, 4096)).toBe(false);
    expect(fitsAt(bounds(MAX_RESIDENT_PAGES, MAX_RESIDENT_PAGES, 1), 0, 4096)).toBe(false);
    // a memory.pages above the bound is not kept within it
    expect(fitsAt(bounds(MAX_RESIDENT_PAGES + 1, MAX_RESIDENT_PAGES), 0, 4096)).toBe(false);
    expect(fitsAt(bounds(MAX_RESIDENT_PAGES + 1, MAX_RESIDENT_PAGES - 1), 0, 4096)).toBe(true);
  });
});

describe('ops under way hold their pages until they end', () => {
  it('a reserved op counts in full, as if none of its pages were resident, until it is released', () => {
    const b = bounds(0, MAX_RESIDENT_PAGES - 3 * MAX_OP_PAGES);
    expect(fitsAt(b, 0, MAX_OP_PAGES * 4096)).toBe(true);
    b.reserve(MAX_OP_PAGES);
    b.reserve(MAX_OP_PAGES);
    expect(b.underWay).toBe(2 * MAX_OP_PAGES);
    // a third task's op of the same size still fits, a fourth's would not: concurrent ops cannot pass the bound together
    expect(fitsAt(b, 0, MAX_OP_PAGES * 4096)).toBe(true);
    b.reserve(MAX_OP_PAGES);
    expect(fitsAt(b, 0, 4096)).toBe(false);
    expect(refusalAt(b, 9, 'read', 0, 4096).message).toMatch(/^this read covers 1 pages and 67108864 are resident, being read or covered by ops under way: more than/);
    b.release(MAX_OP_PAGES);
    expect(fitsAt(b, 0, 4096)).toBe(true);
  });

  it('a replay releases every op it reserved: sleeping reads, stores and wires of two tasks', () => {
    const t = new TraceBuilder('a').map(0, A, 64 * PS, 'f').map(0, A, 64 * PS, 'f', 0, '', 'b');
    for (let i = 0; i < 8; i++) {
      t.op(1 + i, 'read', A + i * 8 * PS, 8 * PS).op(1 + i, 'write', A + i * 8 * PS, 100, '', { task: 'b' });
      t.op(1.5 + i, 'wire', A + i * 8 * PS, PS, 'USER|NOHOLES');
    }
    const o = simulate(t.rows, { personality: 'freebsd', pagein: true });
    expect(o.result.ops).toMatchObject({ read: 8, write: 8, wire: 8 });
    expect((o.sim as unknown as { bounds: RunBounds }).bounds.underWay).toBe(0);
  });
});

describe('syncsim run refuses an op beyond the bounds: exit 2, file, line and field, results left as they were', () => {
  const header = '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x0,0x10000000000000,,f,0\n';
  const cases: [string, string, string][] = [
    ['write', '', 'a write may cover at most 4194304 pages (16 GiB at page_size 4096); this one covers 1099511627776: split it into several rows'],
    ['read', '', 'a read may cover at most 4194304 pages (16 GiB at page_size 4096); this one covers 1099511627776: split it into several rows'],
    ['wire', 'USER|NOHOLES', 'a wire may cover at most 4194304 pages (16 GiB at page_size 4096); this one covers 1099511627776: split it into several rows'],
  ];
  it.each(cases)('a %s of 4 PiB', async (op, flags, message) => {
    const trace = join(dir, `${op}.csv`);
    writeFileSync(trace, `${header}1,a,write,0x0,1,,,\n2,a,${op},0x0,0x10000000000000,${flags},,\n`);
    const out = join(dir, `out-${op}`);
    const small = join(dir, `${op}-small.csv`);
    writeFileSync(small, `${header}1,a,write,0x0,1,,,\n2,a,${op},0x0,0x4000,${flags},,\n`);
    expect((await syncsimHere(['run', small, '--out', out, '--set', 'personality=freebsd', '--no-cache'])).code).toBe(0);
    const before = readdirSync(out).sort().map((f) => [f, readFileSync(join(out, f), 'utf8')]);
    const r = await syncsimHere(['run', trace, '--out', out, '--set', 'personality=freebsd', '--no-cache']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`syncsim: ${trace}:5: column len: ${message} (got '0x10000000000000')\n`);
    expect(readdirSync(out).sort().map((f) => [f, readFileSync(join(out, f), 'utf8')])).toEqual(before);
  });

  it('msync, unwire and unmap of 4 PiB are not bounded: they visit only the pages the objects hold', async () => {
    const trace = join(dir, 'wide.csv');
    writeFileSync(trace, `${header}1,a,write,0x0,1,,,\n2,a,write,0xffffffffff000,1,,,\n3,a,msync,0x0,0x10000000000000,SYNC,,\n` +
      '4,a,unwire,0x0,0x10000000000000,USER|HOLESOK,,\n5,a,unmap,0x0,0x10000000000000,,,\n');
    const out = join(dir, 'out-wide');
    const r = await syncsimHere(['run', trace, '--out', out, '--set', 'personality=linux', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.writeback.by_cause.msync).toBe(2 * 4096);
    expect(s.ops).toMatchObject({ write: 2, msync: 1, unwire: 1, unmap: 1 });
  });
});
