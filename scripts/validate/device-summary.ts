/**
 * The device of a resolved configuration in one line, as validation.json's
 * `calibration` reports it (latencies, bandwidths, write cache, FLUSH,
 * host speed, fs kind, page-in, read-ahead, CPU).
 */
import { serviceMean } from '../../sim/device/service.ts';
import { spellsOn } from '../../sim/device/host-spells.ts';
import type { Config, ServiceDist } from '../../sim/config.ts';
import type { ValidationReport } from './validation.ts';

/** The device of a resolved configuration as validation.json reports it. */
export function deviceSummary(config: Config): Pick<ValidationReport['calibration'], 'device' | 'channels' | 'per_page_us' | 'service'> {
  const d = config.device as Config['device'] & { profile?: string };
  const svc = d.service as ServiceDist | undefined;
  const profile = d.profile ?? 'queue';
  if (profile === 'queue' && svc) {
    const service = { dist: svc.dist, samples: svc.dist === 'empirical' ? (svc.samples_us?.length ?? 0) : null, mean_us: serviceMean(svc) };
    return {
      device: `queue: channels ${d.channels}, per_page_us ${d.per_page_us}, service ${svc.dist} mean ${service.mean_us.toFixed(1)} µs`,
      channels: d.channels, per_page_us: d.per_page_us, service,
    };
  }
  const lat = (x: ServiceDist) => `${serviceMean(x).toFixed(1)} µs ${x.dist}`;
  return {
    device: `profile ${profile}: channels ${d.channels}${d.submit_us > 0 || d.submit_command_us > 0 ? `, submission ${d.submit_us} µs + ${d.submit_command_us} µs a command${d.submit_overlap ? ', latency beside it' : ''}${d.submit_completion === 'drained' ? ', completing when it drains' : ''}` : ''}, read ${lat(d.read_latency)} + bytes / ${d.read_bandwidth_mbps} MB/s${d.segment_us > 0 ? ` + ${d.segment_us} µs a folio` : ''}${d.read_request_mbps > 0 ? ` (one alone at most ${d.read_request_mbps} MB/s)` : ''}${d.ring_descriptors > 0 ? `, a ring of ${d.ring_descriptors} descriptors` : ''}${d.max_segments > 0 ? `, ${d.max_segments} segments a request` : ''}, write ${lat(d.write_latency)} + bytes / ${d.bandwidth_mbps} MB/s (media ${d.media_mbps} MB/s), `
      + `write_cache ${d.write_cache}${d.write_cache ? ` (flush ${d.flush_us} µs${d.flush_quantiles.length > 0 && d.flush_cv_scope === 'flush' ? ` × a factor of ${d.flush_quantiles.length} quantiles as measured` : ''}${d.flush_cv_scope === 'host' && d.flush_cv > 0 ? `, host speed per msync cv ${d.flush_cv}` : d.host_cv > 0 ? `, host speed per msync cv ${d.host_cv}${d.host_floor > 0 ? ` above a floor of ${d.host_floor}` : ''}` : ''}, destage ${d.destage}${d.media_write_us > 0 ? ` + ${d.media_write_us} µs per write` : ''}${d.flush_gap.factor.length > 0 ? `, FLUSH × ${Math.min(...d.flush_gap.factor)}–${Math.max(...d.flush_gap.factor)} with the time since the previous one` : ''})` : ''}${spellsOn(d) ? ` (slow spells ${d.host_spell_rate_hz}/s of ${d.host_spell_ms} ms × ${d.host_spell_factor})` : ''}; fs ${config.fs.kind}, pagein ${config.pagein}, readahead ${config.readahead.pages} pages; `
      + `cpu clean_page_us ${config.cpu.clean_page_us} (busy ${config.cpu.clean_page_busy_us}), fault_page_us ${config.cpu.fault_page_us}`,
    channels: d.channels, per_page_us: null, service: null,
  };
}
