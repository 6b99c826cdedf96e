/**
 * The calibration's page-in probe (scripts/measure/pagein-read.c,
 * scripts/validate/pagein-probe.ts): its output read back, the rate of the
 * cold reads only, and the probe built and run on a real file. Expected
 * values are worked out by hand. Needs cc (npm test's pretest installs it).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measurePagein, PAGEIN_MAX_CACHED, pageinProbeRate, parsePageinSamples } from '../scripts/validate/pagein-probe.ts';

const dir = mkdtempSync(join(tmpdir(), 'syncsim-pagein-'));
/** statfs(2)'s f_type of tmpfs. */
const TMPFS_MAGIC = 0x01021994;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the page-in probe', () => {
  it('reads its lines back, and refuses any other line', () => {
    expect(parsePageinSamples('pagein,268435456,140000000,0\n\npagein,4096000,2048000,3\n')).toEqual([
      { bytes: 268435456, ns: 140000000, cached: 0 },
      { bytes: 4096000, ns: 2048000, cached: 3 },
    ]);
    expect(() => parsePageinSamples('pagein,1,2\n')).toThrow("page-in probe, line 1: 'pagein,1,2' is not pagein,BYTES,NS,CACHED");
    expect(() => parsePageinSamples('pagein,1,2,x\n')).toThrow('is not pagein,BYTES,NS,CACHED');
    expect(() => parsePageinSamples('open: No such file\n')).toThrow("line 1: 'open: No such file'");
  });

  it('the rate is the median of the cold reads, bytes per µs; a read that began with more than 1 % of its file cached does not count', () => {
    const MiB256 = 268435456; // 1 %: 2684354.56 bytes, so 655 pages of 4 KiB may be cached, 656 may not
    const fit = pageinProbeRate([
      { bytes: MiB256, ns: 268435456, cached: 0 }, // 1000 MB/s
      { bytes: MiB256, ns: 134217728, cached: 655 * 4096 }, // 2000
      { bytes: MiB256, ns: 89478485, cached: 0 }, // 3000.00
      { bytes: MiB256, ns: 1000, cached: 656 * 4096 }, // warm: left out
    ]);
    expect(PAGEIN_MAX_CACHED).toBe(0.01);
    expect(fit).toEqual({ mbps: 2000, reads: 3, rates_mbps: [1000, 2000, 3000] });
    expect(pageinProbeRate([])).toEqual({ reason: 'the probe timed no read' });
    expect(pageinProbeRate([{ bytes: MiB256, ns: 1000, cached: MiB256 }])).toEqual({ reason: 'no cold read: every one of the 1 read(s) began with more than 1 % of the file cached' });
  });

  it('built and run on a 16 MiB file: one line a read, each of the whole file, cold where the file system can drop pages', async () => {
    const file = join(dir, 'data');
    writeFileSync(file, Buffer.alloc(16 << 20, 0x5a)); // dirty: the probe writes it back before dropping its pages
    const r = await measurePagein(dir, file, 3);
    expect(r.note).toBe('probe pagein-read.c, 3 sequential reads of the data file through a mapping, each after dropping its cached pages');
    if (statfsSync(dir).type === TMPFS_MAGIC) {
      // tmpfs keeps its pages whatever the advice: every read is warm, and the reason says so
      expect(r.fit).toEqual({ reason: 'no cold read: every one of the 3 read(s) began with more than 1 % of the file cached' });
      return;
    }
    expect('mbps' in r.fit, JSON.stringify(r.fit)).toBe(true);
    const fit = r.fit as { mbps: number; reads: number; rates_mbps: number[] };
    expect(fit.reads).toBe(3);
    expect(fit.rates_mbps.length).toBe(3);
    expect(fit.mbps).toBeGreaterThan(0);
  });
});
