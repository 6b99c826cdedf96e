/**
 * The page-in probe of `syncsim calibrate` (scripts/measure/pagein-read.c): a
 * cold sequential read of the data file through a mapping, one load a 4 KiB
 * page and nothing else, the kernel's own read-ahead bringing the pages in.
 * Its rate is the page cache's read rate that a faulting program waits on
 * (`device.read_bandwidth_mbps`, before the segments come off it), without the
 * per-access work of fio's mmap engine, which the `pagein` step's rate holds.
 */
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { runCProbe } from '../measure/cpu-probe.ts';
import { median } from './fit.ts';
import { rateLessSegments, round2, SEGMENT_MAX_SHARE } from './calibration-fit.ts';

const PROBE_SOURCE = resolve(import.meta.dirname, '..', 'measure', 'pagein-read.c');

/** Cold reads of the whole file the probe times (`--quick`: fewer). */
export const PAGEIN_PROBE_REPS = { full: 5, quick: 3 } as const;

/** The share of a file's bytes that may still be cached when a timed read begins for the read to count as cold. */
export const PAGEIN_MAX_CACHED = 0.01;

/** One timed cold read: the file's `bytes`, the loads' time (ns), and the bytes still cached when they began. */
export interface PageinSample {
  bytes: number;
  ns: number;
  /** Bytes of the pages still in the page cache as the loads began. */
  cached: number;
  /** The first read-ahead window: its pages and the time (ns) the loads took to pass it; absent when the probe was not asked. */
  window?: { pages: number; ns: number };
}

/** The probe's output (`pagein,BYTES,NS,CACHED` lines, with `,WINDOW,WINDOW_NS` when asked) as samples; throws on a line it does not know. */
export function parsePageinSamples(out: string): PageinSample[] {
  const samples: PageinSample[] = [];
  for (const [i, line] of out.split('\n').entries()) {
    if (line.trim() === '') continue;
    const f = line.split(',');
    if ((f.length !== 4 && f.length !== 6) || f[0] !== 'pagein' || !f.slice(1).every((v) => /^\d+$/.test(v))) throw new Error(`page-in probe, line ${i + 1}: '${line}' is not pagein,BYTES,NS,CACHED[,WINDOW,WINDOW_NS]`);
    samples.push({ bytes: Number(f[1]), ns: Number(f[2]), cached: Number(f[3]), ...(f.length === 6 ? { window: { pages: Number(f[4]), ns: Number(f[5]) } } : {}) });
  }
  return samples;
}

/**
 * What the probe's reads give: the median rate (MB/s) of the cold ones, and, when their first
 * window was timed, its median time (µs) and the median rate of the bytes after it
 * (`later_mbps`, {@link laterWindowsRate}); or why none.
 */
export type PageinProbeFit = { mbps: number; reads: number; rates_mbps: number[]; window?: { pages: number; p50_us: number; us: number[] }; later_mbps?: number; later_rates_mbps?: number[] } | { reason: string };

/**
 * The rate (MB/s, two decimals) of a cold read's bytes after its first window: what the later
 * windows took. The kernel reads the first window around the first fault in 4 KiB folios, one
 * request of 254 segments at a time on a virtio ring of 256, and the later ones in folios two
 * orders larger each window, up to 2 MiB, several requests at once: their rate is the page
 * cache's read rate of the bytes, with a few segments left in it (about 800 for 256 MiB, against
 * 65,536 pages). Undefined when the window was not timed, or covers the whole read.
 */
export function laterWindowsRate(s: PageinSample): number | undefined {
  if (!s.window || !(s.window.ns > 0)) return undefined;
  const bytes = s.bytes - s.window.pages * 4096, ns = s.ns - s.window.ns;
  return bytes > 0 && ns > 0 ? round2(bytes / (ns / 1000)) : undefined;
}

/** The median rate of the cold reads (at most {@link PAGEIN_MAX_CACHED} of the file cached as each began), MB/s with two decimals. */
export function pageinProbeRate(samples: readonly PageinSample[]): PageinProbeFit {
  const cold = samples.filter((s) => s.ns > 0 && s.bytes > 0 && s.cached <= PAGEIN_MAX_CACHED * s.bytes);
  if (cold.length === 0) return { reason: samples.length === 0 ? 'the probe timed no read' : `no cold read: every one of the ${samples.length} read(s) began with more than ${PAGEIN_MAX_CACHED * 100} % of the file cached` };
  const rates = cold.map((s) => Math.round((s.bytes / (s.ns / 1000)) * 100) / 100);
  const windows = cold.filter((s) => s.window && s.window.ns > 0);
  const later = cold.map(laterWindowsRate).filter((r): r is number => r !== undefined);
  const window = windows.length === 0 ? {} : {
    window: { pages: windows[0].window!.pages, p50_us: Math.round(median(windows.map((s) => s.window!.ns / 1000)) * 100) / 100, us: windows.map((s) => Math.round(s.window!.ns / 10) / 100) },
    ...(later.length === 0 ? {} : { later_mbps: round2(median(later)), later_rates_mbps: later }),
  };
  return { mbps: Math.round(median(rates) * 100) / 100, reads: cold.length, rates_mbps: rates, ...window };
}

/** Builds and runs the probe on `dataFile`, `reps` reads (timing the first `windowPages` too, when given): its fit, and a note saying where it came from or why there is none. */
export async function measurePagein(work: string, dataFile: string, reps: number, onChild?: (c: ChildProcess) => void, windowPages?: number): Promise<{ fit: PageinProbeFit; note: string }> {
  const args = [dataFile, String(reps), ...(windowPages ? [String(windowPages)] : [])];
  const r = await runCProbe(PROBE_SOURCE, work, 'the page-in probe', args, parsePageinSamples, onChild);
  if (!('value' in r)) return { fit: r, note: r.reason }; // as the segment and FLUSH-gap probes note it
  return { fit: pageinProbeRate(r.value), note: `probe pagein-read.c, ${reps} sequential reads of the data file through a mapping, each after dropping its cached pages` };
}

/** Where {@link pageCacheReadRate} took `device.read_bandwidth_mbps` from. */
export type ReadRateSource = 'probe-later-windows' | 'probe-whole-reads' | 'pagein-step' | 'o-direct';

/**
 * `device.read_bandwidth_mbps` and whether `segment_us` is kept, from what the calibration
 * measured: the page-in probe's later windows (read in large folios, a few segments: their rate
 * is the bytes' as it is), else its whole reads (mostly such windows: as they are too); else fio's
 * `pagein` step, else the O_DIRECT reads, both taken for reads of a segment a 4 KiB page and so
 * raised to the bytes' rate, 4096 / (4096 / rate − `segmentUs`). A fitted segment is kept when it
 * is at most {@link SEGMENT_MAX_SHARE} of a page's read time at the rate it is tested against;
 * otherwise it is dropped and the rate stands as measured.
 */
export function pageCacheReadRate(probe: Extract<PageinProbeFit, { mbps: number }> | null, stepMbps: number | null, oDirectMbps: number, segmentUs: number | null): { mbps: number; segmentKept: boolean; source: ReadRateSource } {
  const probeMbps = probe ? (probe.later_mbps ?? probe.mbps) : null;
  const source: ReadRateSource = probe ? (probe.later_mbps !== undefined ? 'probe-later-windows' : 'probe-whole-reads') : stepMbps !== null ? 'pagein-step' : 'o-direct';
  const measured = probeMbps ?? stepMbps ?? oDirectMbps;
  const bytes = segmentUs === null ? null : rateLessSegments(measured, segmentUs);
  return { mbps: probeMbps ?? bytes ?? measured, segmentKept: bytes !== null, source };
}
