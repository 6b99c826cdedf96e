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
import { pageinProbeCheck, predictPageinProbe, replayWindowRequestRate } from '../scripts/validate/model-check.ts';
import { laterWindowsRate, measurePagein, pageCacheReadRate, PAGEIN_MAX_CACHED, pageinProbeRate, parsePageinSamples } from '../scripts/validate/pagein-probe.ts';

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

  it('the later windows: the rate of the bytes after the first window, read by read, and their median (the profile\'s read rate)', () => {
    const MiB256 = 268435456, window = (ns: number) => ({ pages: 2048, ns }); // 2048 pages: 8388608 bytes, 260046848 after them
    // 260046848 bytes in 126000 µs: 2063.8638… MB/s; in 125000 µs: 2080.3747…; in 132000 µs: 1970.0518…
    expect(laterWindowsRate({ bytes: MiB256, ns: 132_000_000, cached: 0, window: window(6_000_000) })).toBe(2063.86);
    expect(laterWindowsRate({ bytes: MiB256, ns: 130_000_000, cached: 0, window: window(5_000_000) })).toBe(2080.37);
    expect(laterWindowsRate({ bytes: MiB256, ns: 132_000_000, cached: 0 })).toBeUndefined(); // the window not timed
    expect(laterWindowsRate({ bytes: MiB256, ns: 132_000_000, cached: 0, window: window(0) })).toBeUndefined();
    expect(laterWindowsRate({ bytes: 2048 * 4096, ns: 6_000_000, cached: 0, window: window(6_000_000) })).toBeUndefined(); // nothing after it
    const fit = pageinProbeRate([
      { bytes: MiB256, ns: 132_000_000, cached: 0, window: window(6_000_000) },
      { bytes: MiB256, ns: 130_000_000, cached: 0, window: window(5_000_000) },
      { bytes: MiB256, ns: 140_000_000, cached: 0, window: window(8_000_000) },
      { bytes: MiB256, ns: 1000, cached: MiB256, window: window(500) }, // warm: left out
    ]);
    // whole reads: 268435456 / 132000 = 2033.6019…, / 130000 = 2064.8881…, / 140000 = 1917.3961…
    expect(fit).toEqual({
      mbps: 2033.6, reads: 3, rates_mbps: [2033.6, 2064.89, 1917.4],
      window: { pages: 2048, p50_us: 6000, us: [6000, 5000, 8000] },
      later_mbps: 2063.86, later_rates_mbps: [2063.86, 2080.37, 1970.05],
    });
  });

  it('the read rate: the probe\'s later windows as they are, else its whole reads, else fio\'s step or the O_DIRECT reads less a segment a page', () => {
    const whole = { mbps: 2000, reads: 5, rates_mbps: [2000] };
    const later = { ...whole, window: { pages: 2048, p50_us: 6000, us: [6000] }, later_mbps: 2100, later_rates_mbps: [2100] };
    // the probe's rates stand as they are, whether or not a segment was fitted
    expect(pageCacheReadRate(later, 500, 3000, 0.5)).toEqual({ mbps: 2100, segmentKept: true, source: 'probe-later-windows' });
    expect(pageCacheReadRate(later, 500, 3000, null)).toEqual({ mbps: 2100, segmentKept: false, source: 'probe-later-windows' });
    expect(pageCacheReadRate(whole, 500, 3000, 0.5)).toEqual({ mbps: 2000, segmentKept: true, source: 'probe-whole-reads' });
    // fio's step: 4096 / 512 = 8 µs a page, less 0.5: 4096 / 7.5 = 546.13 MB/s
    expect(pageCacheReadRate(null, 512, 3000, 0.5)).toEqual({ mbps: 546.13, segmentKept: true, source: 'pagein-step' });
    expect(pageCacheReadRate(null, 512, 3000, null)).toEqual({ mbps: 512, segmentKept: false, source: 'pagein-step' });
    // O_DIRECT: 4096 / 4096 = 1 µs a page, less 0.5: 8192 MB/s
    expect(pageCacheReadRate(null, null, 4096, 0.5)).toEqual({ mbps: 8192, segmentKept: true, source: 'o-direct' });
    // a segment above 90 % of a page's time at the rate is dropped, the rate as measured: 0.95 of 1 µs
    expect(pageCacheReadRate(null, null, 4096, 0.95)).toEqual({ mbps: 4096, segmentKept: false, source: 'o-direct' });
    // for the probe the same test decides whether the segment is kept: 4096 / 2100 = 1.95 µs a page
    expect(pageCacheReadRate(later, null, 4096, 1.8)).toEqual({ mbps: 2100, segmentKept: false, source: 'probe-later-windows' });
    expect(pageCacheReadRate(later, null, 4096, 1.7)).toEqual({ mbps: 2100, segmentKept: true, source: 'probe-later-windows' });
  });

  // a device of one slot, a constant 50 µs latency and 1024 MB/s (4 µs a page), no CPU costs, windows of 64 pages
  const CPU0 = { syscall_us: 0, fault_page_us: 0, clean_page_us: 0, clean_page_busy_us: 0, clean_pmd_page_us: 0, clean_io_us: 0, writeback_call_us: 0, wire_page_us: 0, cv: 0 };
  const ONE = { device: { profile: 'sata-ssd', channels: 1, read_latency: { dist: 'constant', mean_us: 50 }, read_bandwidth_mbps: 1024 }, cpu: CPU0, readahead: { pages: 64 } };

  it('the model replays the probe: one load a page, back to back; each window is read when the loads reach its mark in the one before, so here one after the other', () => {
    // the first fault reads the first window: 50 + 64 × 4 = 306 µs; its pages arrive together, the loads pass its mark at once and wait for the next
    expect(predictPageinProbe(ONE, 64 * 4096, 16)).toEqual({ read_us: 306, window_us: 306 });
    expect(predictPageinProbe(ONE, 256 * 4096, 64)).toEqual({ read_us: 4 * 306, window_us: 306 });
    expect(predictPageinProbe(ONE, 256 * 4096)).toEqual({ read_us: 4 * 306, window_us: null });
    expect(predictPageinProbe(ONE, 64 * 4096, 64).window_us).toBeNull(); // the window is the whole file
    // twice the rate: 50 + 128 µs a window
    expect(predictPageinProbe({ ...ONE, device: { ...ONE.device, read_bandwidth_mbps: 2048 } }, 256 * 4096).read_us).toBe(4 * 178);
  });

  it('one read\'s rate fitted through the model: the rate at which the replay\'s first window takes the measured time', () => {
    // one read alone at R MB/s: the first window of 64 pages takes 50 + 262144 / R µs while R is below the pipe's 1024
    const slow = { ...ONE, device: { ...ONE.device, read_request_mbps: 700 } };
    expect(predictPageinProbe(slow, 128 * 4096, 64).window_us).toBeCloseTo(50 + 262144 / 700, 3); // times in whole ns
    expect(replayWindowRequestRate(slow, { pages: 64, p50_us: 562 }, 700)).toEqual({ mbps: 512, at_start_us: 424.5 }); // 50 + 262144 / 512
    expect(replayWindowRequestRate(slow, { pages: 64, p50_us: 50 + 262144 / 900 }, 700)!.mbps).toBe(900);
    // out of reach: faster than the pipe allows (50 + 256 µs at 1024 MB/s), slower than a sixteenth of the start
    expect(replayWindowRequestRate(slow, { pages: 64, p50_us: 300 }, 700)).toBeNull();
    expect(replayWindowRequestRate(slow, { pages: 64, p50_us: 50 + 262144 / (700 / 16) + 1 }, 700)).toBeNull();
  });

  it('the calibration\'s check: the probe\'s read and first window beside the model\'s replay of them', () => {
    // measured: 1 MiB at 800 MB/s, 1310.72 µs; its first 64 pages 400 µs
    const check = pageinProbeCheck(ONE, 256 * 4096, { mbps: 800, reads: 3, rates_mbps: [800, 800, 800], window: { pages: 64, p50_us: 400, us: [400, 400, 400] } });
    expect(check).toEqual({
      measured_read_us: 1310.7, simulated_read_us: 1224, measured_window_us: 400, simulated_window_us: 306, window_pages: 64,
      note: expect.stringMatching(/^the page-in probe's cold read of the data file/),
    });
    expect(pageinProbeCheck(ONE, 256 * 4096, { mbps: 800, reads: 1, rates_mbps: [800] })).toMatchObject({ measured_window_us: null, simulated_window_us: null, window_pages: null, simulated_read_us: 1224 });
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
