/**
 * The segment probe of `syncsim calibrate` (scripts/measure/segment-read.c):
 * O_DIRECT reads of the same size into separate 4 KiB pages (a
 * scatter-gather segment each) and into one transparent huge page (one
 * segment), interleaved, so that the difference of their medians over the
 * segments between them is what a segment costs (`device.segment_us`,
 * calibration-fit.ts segmentFit).
 */
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { runCProbe } from '../measure/cpu-probe.ts';
import { queueNumber } from './blockdev.ts';
import type { SegmentFit, SegmentSamples } from './calibration-fit.ts';
import type { FittedValue } from './calibration-report.ts';

const PROBE_SOURCE = resolve(import.meta.dirname, '..', 'measure', 'segment-read.c');

/** Pages a read of the probe takes when the queue's limits are unknown. */
export const DEFAULT_SEGMENT_PAGES = 64;

/** Reads of each kind the probe times (`--quick`: half). */
export const SEGMENT_SAMPLES = { full: 400, quick: 200 } as const;

/** The limits of a block queue that decide how a read is cut (sysfs `queue/`; null: unreadable). */
export interface QueueLimits {
  max_segments: number | null;
  max_sectors_kb: number | null;
  max_segment_size: number | null;
}

/**
 * The probe's reads: `pages` 4 KiB pages each, as many as one request may
 * take in separate pages (the queue's `max_segments`, and its
 * `max_sectors_kb`), at most BIO_MAX_VECS (256), at least 2
 * ({@link DEFAULT_SEGMENT_PAGES} when sysfs does not say); and
 * `hugeSegments`, the segments the same bytes make in one huge page (the
 * queue cuts a segment at `max_segment_size`).
 */
export function segmentGeometry(q: QueueLimits | null): { pages: number; hugeSegments: number } {
  const ok = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
  let pages = ok(q?.max_segments) ? Math.min(256, q!.max_segments!) : DEFAULT_SEGMENT_PAGES;
  if (ok(q?.max_sectors_kb)) pages = Math.min(pages, Math.floor(q!.max_sectors_kb! / 4));
  if (pages < 2) pages = DEFAULT_SEGMENT_PAGES;
  const hugeSegments = ok(q?.max_segment_size) ? Math.ceil((pages * 4096) / q!.max_segment_size!) : 1;
  return { pages, hugeSegments };
}

/** The {@link QueueLimits} of the block device whose sysfs directory is `sysfs`. */
export function queueLimitsOf(sysfs: string | null): QueueLimits | null {
  if (!sysfs) return null;
  return { max_segments: queueNumber(sysfs, 'max_segments'), max_sectors_kb: queueNumber(sysfs, 'max_sectors_kb'), max_segment_size: queueNumber(sysfs, 'max_segment_size') };
}

/** The probe's output (`thp,KB` then `pages,NS` / `huge,NS` lines) as samples in µs; throws on a line it does not know. */
export function parseSegmentSamples(out: string, pages: number, hugeSegments = 1): SegmentSamples {
  let thpKb: number | null = null;
  const pagesUs: number[] = [], hugeUs: number[] = [];
  for (const [i, line] of out.split('\n').entries()) {
    if (line.trim() === '') continue;
    const [kind, v, extra] = line.split(',');
    if (extra !== undefined || v === undefined || !/^\d+$/.test(v)) throw new Error(`segment probe, line ${i + 1}: '${line}' is not KIND,NUMBER`);
    const n = Number(v);
    if (kind === 'thp') thpKb = n;
    else if (kind === 'pages') pagesUs.push(n / 1000);
    else if (kind === 'huge') hugeUs.push(n / 1000);
    else throw new Error(`segment probe, line ${i + 1}: unknown kind '${kind}'`);
  }
  if (thpKb === null) throw new Error('segment probe: no thp line');
  return { pages, huge_segments: hugeSegments, thp_kb: thpKb, pages_us: pagesUs, huge_us: hugeUs };
}

/**
 * Builds and runs the probe on `dataFile` (reads of `pages` pages, `samples`
 * of each kind): its samples, or null with the reason (no C compiler, or
 * the probe failed).
 */
export async function measureSegments(work: string, dataFile: string, geometry: { pages: number; hugeSegments: number }, samples: number, onChild?: (c: ChildProcess) => void): Promise<{ samples: SegmentSamples | null; note: string }> {
  const { pages, hugeSegments } = geometry;
  const r = await runCProbe(PROBE_SOURCE, work, 'the segment probe', [dataFile, String(pages), String(samples)], (out) => parseSegmentSamples(out, pages, hugeSegments), onChild);
  return 'value' in r
    ? { samples: r.value, note: `probe segment-read.c, ${samples} reads of ${pages} pages of each kind, on ${dataFile}` }
    : { samples: null, note: r.reason };
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
