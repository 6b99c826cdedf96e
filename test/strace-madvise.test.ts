/**
 * madvise in strace output: MADV_NORMAL, MADV_RANDOM and MADV_SEQUENTIAL give
 * the mapped parts of their range that access advice as a map flag (an unmap
 * and a map of each part whose advice changes, wired again when it was
 * locked), which the fault read policies follow; other advice makes no row.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { straceImporter } from '../traces/import/strace.ts';
import type { ImportStats } from '../traces/import/importer.ts';
import { TraceWriter, type RowInput } from '../traces/writer.ts';
import { readTrace } from '../traces/reader.ts';
import { Flag, flagsToString, type TraceRow } from '../traces/types.ts';
import { simulate } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
async function importText(lines: string[]): Promise<{ rows: RowInput[]; stats: ImportStats; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'syncsim-madvise-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'trace.txt'), lines.join('\n') + '\n');
  const stats: ImportStats = {};
  const rows: RowInput[] = [];
  for await (const b of straceImporter!.rows(join(dir, 'trace.txt'), { pageSize: 4096, syncFlags: Flag.SYNC }, stats)) rows.push(...b);
  return { rows, stats, dir };
}
const BASE = 0x7f0000000000;
/** t_us, op, offset from BASE in pages, pages, flags. */
const brief = (r: RowInput) => [r.tNs / 1000, r.op, (r.addr - BASE) / 4096, r.len / 4096, flagsToString(r.flags ?? 0)];
const t = (us: number) => `1700000000.${String(us).padStart(6, '0')}`;
const MAP = `${t(0)} mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, 3</data/db>, 0) = 0x7f0000000000 <0.000003>`;

describe('madvise in strace output', () => {
  it('MADV_RANDOM on part of a mapping re-maps that part with RANDOM; the same advice again, nothing; MADV_NORMAL takes it back', async () => {
    const { rows } = await importText([
      MAP,
      `${t(200)} madvise(0x7f0000004000, 8192, MADV_RANDOM) = 0 <0.000002>`,
      `${t(300)} madvise(0x7f0000000000, 65536, MADV_RANDOM) = 0 <0.000002>`,
      `${t(400)} madvise(0x7f0000000000, 65536, MADV_RANDOM) = 0 <0.000002>`,
      `${t(500)} madvise(0x7f0000000000, 4096, MADV_NORMAL) = 0 <0.000002>`,
      `${t(600)} madvise(0x7f0000008000, 4096, 2) = 0 <0.000002>`,
      `${t(700)} madvise(0x7f0000009000, 4096, 0x0) = 0 <0.000002>`,
    ]);
    expect(rows.map(brief)).toEqual([
      [0, 'map', 0, 16, ''],
      [200, 'unmap', 4, 2, ''], [200, 'map', 4, 2, 'RANDOM'],
      // the parts not yet RANDOM: [0,4) and [6,16)
      [300, 'unmap', 0, 4, ''], [300, 'map', 0, 4, 'RANDOM'], [300, 'unmap', 6, 10, ''], [300, 'map', 6, 10, 'RANDOM'],
      [500, 'unmap', 0, 1, ''], [500, 'map', 0, 1, ''],
      [600, 'unmap', 8, 1, ''], [600, 'map', 8, 1, 'SEQUENTIAL'], // advice given as a number
      [700, 'unmap', 9, 1, ''], [700, 'map', 9, 1, ''], // MADV_NORMAL in hex, as strace -X raw writes it
    ]);
    // the object and its offset follow the part; the first row carries the call
    const m = rows.find((r) => r.op === 'map' && r.tNs === 600_000)!;
    expect([m.object, m.offset]).toEqual(['/data/db', 8 * 4096]);
    expect(rows.filter((r) => r.tNs === 200_000).map((r) => r.extra?.x_measured_us)).toEqual(['2', '']);
  });

  it('other advice, a failed call and an unmapped range make no rows; ENOMEM (a hole) still advises the mapped parts', async () => {
    const { rows, stats } = await importText([
      MAP,
      `${t(200)} madvise(0x7f0000000000, 65536, MADV_DONTNEED) = 0 <0.000002>`,
      `${t(300)} madvise(0x7f0000000000, 65536, MADV_RANDOM) = -1 EINVAL (Invalid argument) <0.000002>`,
      `${t(400)} madvise(0x7f1000000000, 4096, MADV_RANDOM) = -1 ENOMEM (Cannot allocate memory) <0.000002>`,
      `${t(500)} madvise(0x7f000000e000, 16384, MADV_SEQUENTIAL) = -1 ENOMEM (Cannot allocate memory) <0.000002>`,
    ]);
    expect(rows.map(brief)).toEqual([[0, 'map', 0, 16, ''], [500, 'unmap', 14, 2, ''], [500, 'map', 14, 2, 'SEQUENTIAL']]);
    expect(stats.madvise_other).toBe(1);
  });

  it('a locked part is wired again after its re-map; an unlocked one, or a forked child\'s copy, is not', async () => {
    const { rows } = await importText([
      MAP,
      `${t(200)} mlock(0x7f0000000000, 8192) = 0 <0.000010>`,
      `${t(300)} madvise(0x7f0000000000, 16384, MADV_RANDOM) = 0 <0.000002>`,
      `${t(400)} munlock(0x7f0000000000, 4096) = 0 <0.000010>`,
      `${t(500)} madvise(0x7f0000000000, 16384, MADV_SEQUENTIAL) = 0 <0.000002>`,
      `${t(600)} clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD, child_tidptr=0x7f1) = 201 <0.000100>`,
      'strace: Process 201 attached',
      `[pid   201] ${t(700)} madvise(0x7f0000000000, 16384, MADV_NORMAL) = 0 <0.000002>`,
    ]);
    const ops = rows.filter((r) => r.tNs >= 300_000 && r.tNs !== 600_000).map((r) => [r.task, ...brief(r)]);
    expect(ops).toEqual([
      ['main', 300, 'unmap', 0, 2, ''], ['main', 300, 'map', 0, 2, 'RANDOM'], ['main', 300, 'wire', 0, 2, 'USER|NOHOLES'],
      ['main', 300, 'unmap', 2, 2, ''], ['main', 300, 'map', 2, 2, 'RANDOM'],
      ['main', 400, 'unwire', 0, 1, 'USER|NOHOLES'],
      ['main', 500, 'unmap', 0, 1, ''], ['main', 500, 'map', 0, 1, 'SEQUENTIAL'],
      ['main', 500, 'unmap', 1, 1, ''], ['main', 500, 'map', 1, 1, 'SEQUENTIAL'], ['main', 500, 'wire', 1, 1, 'USER|NOHOLES'],
      ['main', 500, 'unmap', 2, 2, ''], ['main', 500, 'map', 2, 2, 'SEQUENTIAL'],
      // the child's copy, unlocked (locks are not inherited), is one part again
      ['pid201', 700, 'unmap', 0, 4, ''], ['pid201', 700, 'map', 0, 4, ''],
    ]);
    // the advice is inherited across fork, as the VMA's flags are
    expect(rows.filter((r) => r.tNs === 600_000 && r.op === 'map').map(brief)).toEqual([[600, 'map', 0, 4, 'SEQUENTIAL'], [600, 'map', 4, 12, '']]);
  });

  it('the imported trace replays with the advice: after MADV_RANDOM each load reads its own page (linux)', async () => {
    const { rows, dir } = await importText([MAP, `${t(200)} madvise(0x7f0000000000, 65536, MADV_RANDOM) = 0 <0.000002>`]);
    const out = join(dir, 'trace.csv');
    const w = await TraceWriter.open(out, { extraCols: straceImporter!.extraCols });
    for (const r of rows) await w.write(r);
    await w.close();
    const back: TraceRow[] = [];
    for await (const b of readTrace(out)) back.push(...b);
    const loads = [3, 9, 4].map((p, k) => ({ ...back[0]!, line: 100 + k, tNs: 1000_000 + k * 1000_000, op: 'read' as const, addr: BASE + p * 4096, len: 1, flags: 0, extra: undefined }));
    const o = simulate([...back, ...loads], { personality: 'linux', pagein: true });
    expect(o.reads.map((r) => [r.offset / 4096, r.pages])).toEqual([[3, 1], [9, 1], [4, 1]]);
  });
});
