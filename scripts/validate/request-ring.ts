/**
 * The keys of one read request alone and of the request queue's ring
 * (`device.read_request_mbps`, `device.max_segments`,
 * `device.ring_descriptors`; sim/device/ring.ts), with where each came from:
 * - read_request_mbps: where the ring sends a read-ahead window's requests
 *   one at a time, from the page-in probe's first window (read-around in
 *   4 KiB folios, pagein-read.c): the time the loads took to pass it, less
 *   each request's latency (and turn in the submission stage) and the
 *   window's segments, over its bytes ({@link windowRequestRate}); else the
 *   rate of fio's O_DIRECT reads one at a time (the lat-read-* steps: 1 /
 *   slope of mean latency vs size), less `segment_us` a 4 KiB page when the
 *   segment probe fitted it (fio's buffer is of 4 KiB pages, a segment
 *   each), as `read_bandwidth_mbps` is;
 * - max_segments: sysfs `queue/max_segments`;
 * - ring_descriptors: the virtio ring (blockdev.ts virtioRing), 0 on any
 *   other disk.
 */
import type { BlockDevice } from './blockdev.ts';
import { rateLessSegments } from './calibration-fit.ts';
import type { FittedValue } from './calibration-report.ts';
import type { QueueLimits } from './segment-probe.ts';
import { RING_OVERHEAD } from '../../sim/device/ring.ts';

/** The page-in probe's first window: its pages and the median time (µs) the loads took to pass it. */
export interface FirstWindow {
  pages: number;
  p50_us: number;
}

/** What one request costs beside its data in the model: the read latency's mean and the submission stage's turn (µs). */
export interface RequestCosts {
  latency_us: number;
  submit_us: number;
  submit_command_us: number;
}

/**
 * The rate of one read alone (MB/s) that makes the model read the first
 * window of `w.pages` 4 KiB folios, in requests of `requestPages` split at
 * `maxSegments` (0: no split) and sent one at a time, in `w.p50_us`:
 * pages × 4096 / (time − requests × (latency + submit_us + submit_command_us) − pages × segment_us).
 * Null with the reason when the ring does not send them one at a time
 * (none, or a request under half of it) or nothing is left for the bytes.
 */
export function windowRequestRate(w: FirstWindow, costs: RequestCosts, segmentUs: number, requestPages: number, maxSegments: number, ring: number): { mbps: number; requests: number } | { reason: string } {
  const piece = maxSegments > 0 ? Math.min(requestPages, maxSegments) : requestPages;
  if (!(ring > 0) || piece + RING_OVERHEAD <= ring / 2) return { reason: `the first window's requests (${piece} segments) do not go one at a time (${ring > 0 ? `a ring of ${ring} descriptors` : 'no descriptor ring'})` };
  let requests = 0;
  for (let at = 0; at < w.pages; at += requestPages) requests += Math.ceil(Math.min(requestPages, w.pages - at) / piece);
  const bytesUs = w.p50_us - requests * (costs.latency_us + costs.submit_us + costs.submit_command_us) - w.pages * segmentUs;
  if (!(bytesUs > 0)) return { reason: `nothing left for the bytes: ${w.p50_us} µs for the window, ${requests} requests' costs and ${w.pages} segments take it all` };
  return { mbps: Math.round(((w.pages * 4096) / bytesUs) * 100) / 100, requests };
}

/** The keys, and their provenance under `device.*` names. */
export interface RequestRingFit {
  device: { read_request_mbps?: number; max_segments?: number; ring_descriptors?: number };
  fitted: Record<string, FittedValue>;
}

/**
 * The request keys from the O_DIRECT read fit `read` (of the steps of
 * `sizes`), the fitted `segmentUs` (0: none), the queue's limits, the disk
 * (null: sysfs gave nothing; the key is left out) and, when the page-in
 * probe timed it, the `first` read-ahead window (preferred for the rate).
 */
export function requestRingFit(
  read: { bandwidth_mbps: number; r2: number; n: number },
  sizes: string,
  segmentUs: number,
  limits: QueueLimits | null,
  disk: BlockDevice | null,
  first: { window: FirstWindow; reads: number; costs: RequestCosts; requestPages: number } | null = null,
): RequestRingFit {
  const device: RequestRingFit['device'] = {};
  const fitted: Record<string, FittedValue> = {};
  const less = segmentUs > 0 ? rateLessSegments(read.bandwidth_mbps, segmentUs) : null;
  const fromWindow = first ? windowRequestRate(first.window, first.costs, segmentUs, first.requestPages, limits?.max_segments ?? 0, disk?.ring_descriptors ?? 0) : null;
  if (first && fromWindow && 'mbps' in fromWindow) {
    const c = first.costs;
    device.read_request_mbps = fromWindow.mbps;
    fitted['device.read_request_mbps'] = {
      value: fromWindow.mbps, r2: null, n: first.reads,
      from: `pagein-probe: the first read-ahead window (${first.window.pages} pages in 4 KiB folios, ${fromWindow.requests} requests sent one at a time by the ring) passed in ${first.window.p50_us} µs (median of ${first.reads} cold reads): ${first.window.pages} × 4096 bytes / (${first.window.p50_us} − ${fromWindow.requests} × (${c.latency_us} + ${c.submit_us} + ${c.submit_command_us}) − ${first.window.pages} × ${segmentUs}) µs; fio's O_DIRECT reads one at a time: ${read.bandwidth_mbps} MB/s`,
    };
  } else if (read.bandwidth_mbps > 0 && Number.isFinite(read.bandwidth_mbps)) {
    device.read_request_mbps = less ?? read.bandwidth_mbps;
    fitted['device.read_request_mbps'] = {
      value: device.read_request_mbps, r2: read.r2, n: read.n,
      from: `lat-read-*: 1 / slope of mean latency vs size of O_DIRECT QD1 random reads (${sizes}): ${read.bandwidth_mbps} MB/s, one request at a time${less === null ? '' : `; less segment_us a 4 KiB page of fio's buffer (a segment each): 4096 / (4096 / ${read.bandwidth_mbps} − ${segmentUs}) MB/s, the rate of the bytes alone`}${fromWindow && 'reason' in fromWindow ? ` (not the page-in probe's first window: ${fromWindow.reason})` : ''}`,
    };
  }
  if (limits?.max_segments != null && limits.max_segments > 0) {
    device.max_segments = limits.max_segments;
    fitted['device.max_segments'] = { value: limits.max_segments, r2: null, n: 1, from: `sysfs ${disk?.sysfs ?? '?'}/queue/max_segments` };
  }
  if (disk?.ring_descriptors != null) {
    device.ring_descriptors = disk.ring_descriptors;
    fitted['device.ring_descriptors'] = {
      value: disk.ring_descriptors, r2: null, n: 1,
      from: disk.ring_descriptors > 0
        ? `sysfs ${disk.sysfs}: virtio_blk without indirect descriptors (device/features bit 28 is 0), so a request takes its segments plus two of the ring's descriptors; the ring is 2 × mq/0/nr_tags (the driver's queue depth is half the ring)`
        : `sysfs ${disk.sysfs}: no virtio ring without indirect descriptors (another driver, or VIRTIO_RING_F_INDIRECT_DESC): no limit`,
    };
  }
  return { device, fitted };
}
