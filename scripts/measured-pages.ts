/**
 * `import --assume-dirty measured`: how many pages an msync of a measured
 * duration wrote, by inverting the calibrated device's cost of one synchronous
 * msync of n contiguous pages:
 *   duration ≈ fixed + n × per_page
 * - queue model: fixed = mean of device.service, per_page = device.per_page_us;
 * - storage model: fixed = write latency + a FLUSH (flush_us, when the device
 *   has a write cache) + the syscall, per_page = page_size / bandwidth + the
 *   per-page clean cost.
 * A rough inverse (one I/O, an idle device, no journal commit): it turns a
 * measured msync into a plausible page count, not an exact one.
 */
import type { Config } from '../sim/config.ts';
import { serviceMean } from '../sim/device/service.ts';

/** The fixed and per-page µs of one synchronous msync on `c`'s device. */
export function msyncCostModel(c: Config): { fixedUs: number; perPageUs: number } {
  const d = c.device;
  if (d.profile === 'queue') return { fixedUs: serviceMean(d.service), perPageUs: d.per_page_us + c.cpu.clean_page_us };
  const bw = d.bandwidth_mbps > 0 ? d.bandwidth_mbps : 0;
  const transfer = bw > 0 ? c.page_size / bw : 0; // bytes / (MB/s) = µs
  return {
    fixedUs: serviceMean(d.write_latency) + (d.write_cache ? d.flush_us : 0) + c.cpu.syscall_us,
    perPageUs: transfer + c.cpu.clean_page_us,
  };
}

/** Pages an msync of `us` µs wrote on `c`'s device (at least 1: the msync was worth measuring). */
export function pagesForMeasured(c: Config): (us: number) => number {
  const { fixedUs, perPageUs } = msyncCostModel(c);
  return (us) => (perPageUs > 0 ? Math.max(1, Math.round((us - fixedUs) / perPageUs)) : 1);
}
