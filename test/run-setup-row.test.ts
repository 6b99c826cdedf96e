/**
 * The run table's `device / cpu` row (scripts/run.ts, setupRow): the device
 * profile with its write cache, and where the CPU costs come from, which a
 * reader of the table alone would not know (a new user's trial, 2026-12-06:
 * the default CPU costs, measured on a Linux VM, made most of freebsd's
 * msync time, and the default nvme has no write cache, so no FLUSH).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveConfig } from '../sim/config.ts';
import { fsFlushesText, setupRow, summaryTable } from '../scripts/run.ts';
import { syncsimHere } from './cli-here.ts';
import { simulate } from './helpers.ts';
import { readTrace } from '../traces/reader.ts';
import type { TraceRow } from '../traces/types.ts';
import type { FsKind } from '../sim/config-types.ts';
import { FS_SENDS_FLUSH } from '../sim/fs/filesystem.ts';

const ROOT = resolve(import.meta.dirname, '..');

describe("the run table's device / cpu row", () => {
  it('the defaults: nvme without a write cache, the CPU costs measured on a Linux VM', () => {
    expect(setupRow(resolveConfig({}))).toEqual(['device / cpu', 'nvme, no write cache (no FLUSH) / defaults measured on a Linux VM (msync cleans a page in 9.28 µs of CPU; docs/configuration.md, "CPU costs")']);
  });

  it('a device with a write cache, CPU costs given, none (queue)', () => {
    // whether a sync empties the cache is the filesystem's: freebsd's ufs (the default personality's) sends no FLUSH, linux's ext4 does
    expect(setupRow(resolveConfig({ device: { profile: 'sata-ssd' }, cpu: { clean_page_us: 1 } }))[1])
      .toBe('sata-ssd, volatile write cache (fs ufs sends no FLUSH: synced data stays in it) / as configured (msync cleans a page in 1.00 µs of CPU)');
    expect(setupRow(resolveConfig({ personality: 'linux', device: { profile: 'sata-ssd' }, cpu: { clean_page_us: 1 } }))[1])
      .toBe('sata-ssd, volatile write cache (a sync sends a FLUSH) / as configured (msync cleans a page in 1.00 µs of CPU)');
    expect(setupRow(resolveConfig({ personality: 'xnu', device: { profile: 'sata-ssd' } }))[1]).toMatch(/^sata-ssd, volatile write cache \(fs apfs sends no FLUSH: synced data stays in it\) \//);
    expect(setupRow(resolveConfig({ personality: 'linux', fs: { kind: 'ext4-nojournal' }, device: { profile: 'hdd' } }))[1]).toMatch(/^hdd, volatile write cache \(a sync sends a FLUSH\) \//);
    expect(setupRow(resolveConfig({ device: { profile: 'queue' } }))[1]).toBe('queue, no write cache (no FLUSH) / no CPU costs');
  });

  it("says how many of its profile's figures the configuration changed (a profile file or the user's keys), naming the first: the name alone passed for the stock profile", () => {
    expect(setupRow(resolveConfig({ device: { profile: 'hdd', channels: 2 } }))[1]).toMatch(/^hdd with 1 figure of its own \(channels\), volatile write cache/);
    const many = resolveConfig({ device: { profile: 'sata-ssd', channels: 2, flush_us: 500, cache_mb: 8, media_mbps: 300 } });
    expect(setupRow(many)[1]).toMatch(/^sata-ssd with 5 figures of its own \(channels, cache_mb, media_mbps, \.\.\.\), volatile write cache/);
    // the same value written otherwise (a distribution's keys in another order) is no change
    expect(setupRow(resolveConfig({ device: { profile: 'hdd', write_latency: { mean_us: 100, dist: 'constant' } } }))[1]).toMatch(/^hdd, volatile/);
  });

  it('a profile file: its base profile with the figures the file changed', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-setup-row-'));
    writeFileSync(join(d, 'dev.yaml'), 'device:\n  profile: sata-ssd\n  channels: 2\n  flush_us: 500\n');
    const r = await syncsimHere(['run', join(ROOT, 'traces/examples/demo.csv'), '--set', 'device.profile=./dev.yaml', '--out', 'r'], d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[2]).toMatch(/^device \/ cpu +sata-ssd with 3 figures of its own \(channels, flush_us, flush_empty_us\), volatile write cache/);
  });

  it('is the third row of the table syncsim run prints', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'syncsim-setup-row-')), 'r');
    const r = await syncsimHere(['run', 'traces/examples/demo.csv', '--json', '--out', out]);
    expect(r.code).toBe(0);
    const table = summaryTable(JSON.parse(r.stdout)).split('\n');
    expect(table[2]).toMatch(/^device \/ cpu +nvme, no write cache \(no FLUSH\) \/ defaults measured on a Linux VM/);
  });
});

describe("the run table's filesystem row: its FLUSH count beside the device's", () => {
  const s = (flushes: number, write_cache: boolean) => ({ fs: { flushes }, device: {}, config: { device: { write_cache } } }) as unknown as Parameters<typeof fsFlushesText>[0];

  it('says the flushes asked went nowhere when the device has no write cache (the device line then counts 0)', () => {
    expect(fsFlushesText(s(35, false))).toBe('35 flushes asked, none sent (no write cache)');
    expect(fsFlushesText(s(1, false))).toBe('1 flush asked, none sent (no write cache)');
  });

  it('gives the count alone with a write cache, or when there were none', () => {
    expect(fsFlushesText(s(35, true))).toBe('35 flushes');
    expect(fsFlushesText(s(0, false))).toBe('0 flushes');
  });

  it('as a linux run of the demo prints it, under the default nvme (no write cache) and sata-ssd', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-fs-flushes-'));
    const demo = join(ROOT, 'traces', 'examples', 'demo.csv');
    const nvme = await syncsimHere(['run', demo, '--set', 'personality=linux', '--out', 'a', '-q'], d);
    expect(nvme.code, nvme.stderr).toBe(0);
    expect(nvme.stdout).toMatch(/\ndevice +utilization .*, 0 flushes\nfilesystem +ext4-ordered: 0 commits, \d+ flushes asked, none sent \(no write cache\), journal/);
    const ssd = await syncsimHere(['run', demo, '--set', 'personality=linux', '--set', 'device.profile=sata-ssd', '--out', 'b', '-q'], d);
    expect(ssd.stdout).toMatch(/\nfilesystem +ext4-ordered: 0 commits, \d+ flushes, journal/);
  });
});

describe('which filesystems send a FLUSH (FS_SENDS_FLUSH), as the model does', () => {
  it('ext4 with or without a journal flushes a write-cache drive on msync; ufs, apfs and none never do', async () => {
    const rows: TraceRow[] = [];
    for await (const b of readTrace(join(ROOT, 'traces/examples/demo.csv'))) rows.push(...b);
    const cases: [string, FsKind][] = [['linux', 'ext4-ordered'], ['linux', 'ext4-nojournal'], ['freebsd', 'ufs'], ['xnu', 'apfs'], ['mach', 'none']];
    for (const [personality, kind] of cases) {
      const { result } = simulate(rows, { personality, fs: { kind }, device: { profile: 'sata-ssd' } });
      expect(result.fs.flushes > 0, `${personality}/${kind}`).toBe(FS_SENDS_FLUSH[kind]);
    }
    expect(Object.keys(FS_SENDS_FLUSH).sort()).toEqual(cases.map(([, k]) => k).sort());
  });
});
