/**
 * The segment probe of `syncsim calibrate` (scripts/measure/segment-read.c):
 * O_DIRECT reads of the same size into separate 4 KiB pages (a
 * scatter-gather segment each) and into one transparent huge page (one
 * segment), interleaved, so that the difference of their medians over the
 * segments between them is what a segment costs (`device.segment_us`,
 * calibration-fit.ts segmentFit).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileC, haveCc, runBinary } from '../measure/cpu-probe.ts';
import type { SegmentFit, SegmentSamples } from './calibration-fit.ts';
import type { FittedValue } from './calibration-report.ts';

const PROBE_SOURCE = resolve(import.meta.dirname, '..', 'measure', 'segment-read.c');

/** Pages a read of the probe takes when the queue's max_segments is unknown. */
export const DEFAULT_SEGMENT_PAGES = 64;

/** Reads of each kind the probe times (`--quick`: half). */
export const SEGMENT_SAMPLES = { full: 400, quick: 200 } as const;

/**
 * Pages a probe read takes: the queue's `max_segments` (so that a read of
 * separate pages is still one request), at most BIO_MAX_VECS (256), at
 * least 2; {@link DEFAULT_SEGMENT_PAGES} when sysfs does not say.
 */
export function segmentPages(maxSegments: number | null): number {
  if (maxSegments === null || !Number.isInteger(maxSegments) || maxSegments < 2) return DEFAULT_SEGMENT_PAGES;
  return Math.min(256, maxSegments);
}

/** `queue/max_segments` of the block device whose sysfs directory is `sysfs`; null when unreadable. */
export function maxSegmentsOf(sysfs: string | null): number | null {
  if (!sysfs) return null;
  try {
    const t = readFileSync(join(sysfs, 'queue', 'max_segments'), 'utf8').trim();
    return /^\d+$/.test(t) ? Number(t) : null;
  } catch {
    return null;
  }
}

/** The probe's output (`thp,KB` then `pages,NS` / `huge,NS` lines) as samples in µs; throws on a line it does not know. */
export function parseSegmentSamples(out: string, pages: number): SegmentSamples {
  let thpKb: number | null = null;
  const pagesUs: number[] = [], hugeUs: number[] = [];
  for (const [i, line] of out.split('\n').entries()) {
    if (line.trim() === '') continue;
    const [kind, v, extra] = line.split(',');
    const n = Number(v);
    if (extra !== undefined || v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`segment probe, line ${i + 1}: '${line}' is not KIND,NUMBER`);
    if (kind === 'thp') thpKb = n;
    else if (kind === 'pages') pagesUs.push(n / 1000);
    else if (kind === 'huge') hugeUs.push(n / 1000);
    else throw new Error(`segment probe, line ${i + 1}: unknown kind '${kind}'`);
  }
  if (thpKb === null) throw new Error('segment probe: no thp line');
  return { pages, thp_kb: thpKb, pages_us: pagesUs, huge_us: hugeUs };
}

/**
 * Builds and runs the probe on `dataFile` (reads of `pages` pages, `samples`
 * of each kind): its samples, or null with the reason (no C compiler, or
 * the probe failed).
 */
export async function measureSegments(work: string, dataFile: string, pages: number, samples: number, onChild?: (c: ChildProcess) => void): Promise<{ samples: SegmentSamples | null; note: string }> {
  if (!haveCc()) return { samples: null, note: 'no C compiler (cc) to build the probe segment-read.c (apt-get install gcc libc6-dev)' };
  try {
    const bin = compileC(PROBE_SOURCE, join(work, 'segment-read'));
    const out = await runBinary('the segment probe', bin, [dataFile, String(pages), String(samples)], onChild);
    return { samples: parseSegmentSamples(out, pages), note: `probe segment-read.c, ${samples} reads of ${pages} pages of each kind, on ${dataFile}` };
  } catch (e) {
    return { samples: null, note: `the probe failed (${(e as Error).message})` };
  }
}

/** `read` with the segments taken off its rate when `segmentUs` > 0: its value `mbps`, and its provenance saying so. */
export function withSegments(read: FittedValue, mbps: number, segmentUs: number): FittedValue {
  if (!(segmentUs > 0)) return read;
  return { ...read, value: mbps, from: `${read.from}; less segment_us a 4 KiB page (a segment each): 4096 / (4096 / ${read.value} − ${segmentUs}) MB/s, the rate of the bytes alone` };
}

/** The provenance of `device.segment_us`. */
export function segmentProvenance(s: SegmentFit): FittedValue {
  return { value: s.segment_us, r2: null, n: s.count, from: `segment: probe segment-read.c, O_DIRECT reads of ${s.pages} pages: (median into separate 4 KiB pages ${s.pages_p50_us} µs − into one huge page ${s.huge_p50_us} µs) / the ${s.segments} segments more` };
}
