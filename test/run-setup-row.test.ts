/**
 * The run table's `device / cpu` row (scripts/run.ts, setupRow): the device
 * profile with its write cache, and where the CPU costs come from, which a
 * reader of the table alone would not know (a new user's trial, 2026-12-06:
 * the default CPU costs, measured on a Linux VM, made most of freebsd's
 * msync time, and the default nvme has no write cache, so no FLUSH).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../sim/config.ts';
import { setupRow, summaryTable } from '../scripts/run.ts';
import { syncsimHere } from './cli-here.ts';

describe("the run table's device / cpu row", () => {
  it('the defaults: nvme without a write cache, the CPU costs measured on a Linux VM', () => {
    expect(setupRow(resolveConfig({}))).toEqual(['device / cpu', 'nvme, no write cache (no FLUSH) / defaults measured on a Linux VM (msync cleans a page in 9.28 µs of CPU; README, "CPU costs")']);
  });

  it('a device with a write cache, CPU costs given, none (queue)', () => {
    expect(setupRow(resolveConfig({ device: { profile: 'sata-ssd' }, cpu: { clean_page_us: 1 } }))[1])
      .toBe('sata-ssd, volatile write cache (a sync sends a FLUSH) / as configured (msync cleans a page in 1.00 µs of CPU)');
    expect(setupRow(resolveConfig({ device: { profile: 'queue' } }))[1]).toBe('queue, no write cache (no FLUSH) / no CPU costs');
  });

  it('is the third row of the table syncsim run prints', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'syncsim-setup-row-')), 'r');
    const r = await syncsimHere(['run', 'traces/examples/demo.csv', '--json', '--out', out]);
    expect(r.code).toBe(0);
    const table = summaryTable(JSON.parse(r.stdout)).split('\n');
    expect(table[2]).toMatch(/^device \/ cpu +nvme, no write cache \(no FLUSH\) \/ defaults measured on a Linux VM/);
  });
});
