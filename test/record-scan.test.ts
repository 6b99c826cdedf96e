/**
 * The time `syncsim record`'s scan of an msync's range for dirty pages holds the program: the
 * shim stamps the dirty-page lines at the msync's call and the msync's own line after the scan,
 * so the import measures the gap (`dirty_scan_us` over `dirty_scan_msyncs`, the msyncs with dirty
 * pages), and record's closing line says what it put into the trace's timing.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { straceImporter } from '../traces/import/strace.ts';
import type { ImportStats } from '../traces/import/importer.ts';
import { Flag } from '../traces/types.ts';
import { scanText } from '../scripts/commands/record.ts';

async function statsOf(lines: string[]): Promise<ImportStats> {
  const p = join(mkdtempSync(join(tmpdir(), 'syncsim-scan-')), 't.strace');
  writeFileSync(p, lines.join('\n') + '\n');
  const stats: ImportStats = {};
  for await (const _ of straceImporter!.rows(p, { pageSize: 4096, syncFlags: Flag.SYNC, assumeDirty: 'none' }, stats, {})) { /* rows unused */ }
  return stats;
}

const MMAP = (pid: number) => `${pid}  1700000000.000000 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000 <0.000010>`;

describe('the scan for dirty pages, measured by the import', () => {
  it('is the time from an msync\'s first dirty-page line to its own line, per process, summed over the msyncs that had dirty pages', async () => {
    const s = await statsOf([
      MMAP(1),
      // msync 1: two runs of dirty pages stamped at its call, its line 250 µs later
      '1  1700000000.001000 syncsim_dirty(0x7f0000000000, 4096) = 0',
      '1  1700000000.001000 syncsim_dirty(0x7f0000002000, 4096) = 0',
      '1  1700000000.001250 msync(0x7f0000000000, 65536, MS_SYNC) = 0 <0.000100>',
      // msync 2: no dirty page, so no line to measure from: not counted
      '1  1700000000.002000 msync(0x7f0000000000, 65536, MS_SYNC) = 0 <0.000010>',
      // msync 3: 50 µs
      '1  1700000000.003000 syncsim_dirty(0x7f0000004000, 8192) = 0',
      '1  1700000000.003050 msync(0x7f0000000000, 65536, MS_SYNC) = 0 <0.000100>',
    ]);
    expect([s.dirty_scan_msyncs, s.dirty_scan_us]).toEqual([2, 300]);
  });

  it('keeps processes apart: one\'s dirty lines do not start another\'s scan', async () => {
    const s = await statsOf([
      MMAP(1), MMAP(2),
      '1  1700000000.001000 syncsim_dirty(0x7f0000000000, 4096) = 0',
      '2  1700000000.001100 msync(0x7f0000000000, 65536, MS_SYNC) = 0 <0.000010>',
      '1  1700000000.001400 msync(0x7f0000000000, 65536, MS_SYNC) = 0 <0.000010>',
    ]);
    expect([s.dirty_scan_msyncs, s.dirty_scan_us]).toEqual([1, 400]);
  });

  it('is absent from a log strace wrote (no syncsim_dirty lines)', async () => {
    const s = await statsOf([MMAP(1), '1  1700000000.001000 msync(0x7f0000000000, 65536, MS_SYNC) = 0 <0.000010>']);
    expect(s.dirty_scan_msyncs).toBeUndefined();
  });
});

describe("record's closing line on the scans", () => {
  it('gives their total, their mean and what the gap does to a closed replay; nothing without msyncs with dirty pages', () => {
    expect(scanText({ dirty_scan_msyncs: 200, dirty_scan_us: 78880 })).toBe('; the scans for dirty pages held the program 0.079 s in all, a mean of 394.4 µs before each of the 200 msyncs with dirty pages (the msync row comes that long after its stores: a closed replay keeps it as think time)');
    // a short recording: its time in µs, not '0.000 s in all' beside a mean of 25.4 µs (a new user's); one msync is one
    expect(scanText({ dirty_scan_msyncs: 10, dirty_scan_us: 254 })).toBe('; the scans for dirty pages held the program 254.0 µs in all, a mean of 25.4 µs before each of the 10 msyncs with dirty pages (the msync row comes that long after its stores: a closed replay keeps it as think time)');
    expect(scanText({ dirty_scan_msyncs: 1, dirty_scan_us: 31.5 })).toMatch(/^; the scans for dirty pages held the program 31\.5 µs in all, 31\.5 µs before the msync with dirty pages/);
    expect(scanText({})).toBe('');
    expect(scanText({ dirty_scan_msyncs: 0, dirty_scan_us: 0 })).toBe('');
  });
});
