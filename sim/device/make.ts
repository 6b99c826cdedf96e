/**
 * Builds the device a configuration names: the queueing model under
 * `device.profile: queue`, the storage model of the profiles otherwise.
 */
import type { Config } from '../config-types.ts';
import type { Engine } from '../engine/queue.ts';
import type { RandomStreams } from '../engine/random.ts';
import { Device, type BlockDevice, type IoCompletion } from './device.ts';
import { MediaDevice } from './media.ts';
import { HostSpeed } from './host-speed.ts';
import { DriftingHostDraw } from './host-drift.ts';
import { HostSpells, spellsOn } from './host-spells.ts';
import { makeSampler, quantileSampler, type ServiceSampler } from './service.ts';
import { builtinScheduler } from './schedulers.ts';
import type { IoSchedulerPlugin } from './scheduler.ts';
import type { LoadedPlugin } from '../plugin/plugin.ts';

/**
 * The device of `config`, completing I/Os into `completion`; its random streams are named `device.*`.
 * Its I/O scheduler is `scheduler` when given (a plugin loaded by the caller), else the built-in `device.discipline`;
 * `host` is the host's speed its times follow (a constant 1 when not given).
 */
export function makeDevice(
  engine: Engine, config: Config, rng: RandomStreams, completion: IoCompletion,
  scheduler: LoadedPlugin<IoSchedulerPlugin> = builtinScheduler(config.device.discipline),
  host: HostSpeed = new HostSpeed(),
): BlockDevice {
  const d = config.device;
  if (d.profile === 'queue') {
    return new Device(engine, d, makeSampler(d.service, rng.get('device.service')), rng.get('device.errors'), completion, scheduler);
  }
  return new MediaDevice(engine, d, config.page_size, {
    readLatency: makeSampler(d.read_latency, rng.get('device.read_latency')),
    writeLatency: makeSampler(d.write_latency, rng.get('device.write_latency')),
    // a stream of its own, drawn from only when FLUSH times vary (other draws stay as they were)
    // under flush_cv_scope host the spread is the host's (hostSpeed), drawn per sync from that stream instead
    flushJitter: flushJitter(d, rng),
    rotation: rng.get('device.rotation'),
    errors: rng.get('device.errors'),
    host,
  }, completion, scheduler);
}

/**
 * The factor each FLUSH's fixed cost is multiplied by (stream `device.flush`): drawn from
 * `device.flush_quantiles` when given, else from a lognormal of mean 1, cv `flush_cv` and floor
 * `flush_floor` when flush_cv > 0; a constant 1 that draws nothing otherwise, and under
 * `flush_cv_scope: host` (the spread is then the host's).
 */
function flushJitter(d: Config['device'], rng: RandomStreams): ServiceSampler {
  if (d.flush_cv_scope !== 'flush') return () => 1;
  if (d.flush_quantiles.length > 0) return quantileSampler(d.flush_quantiles, rng.get('device.flush'));
  if (d.flush_cv > 0) return makeSampler({ dist: 'lognormal', mean_us: 1, cv: d.flush_cv, floor: d.flush_floor }, rng.get('device.flush'));
  return () => 1;
}

/**
 * The host's speed of `config` (host-speed.ts): drawn per msync from a
 * lognormal of mean 1 and cv `device.host_cv` above the floor
 * `device.host_floor` (stream `device.host`), with the share
 * `device.host_drift_share` of it drifting with `engine`'s clock
 * (host-drift.ts, stream `device.host_drift`; without `engine`, or with
 * `host_cv` 0 as under `flush_cv_scope: host`, there is no drift: the
 * whole factor is held through each msync), or
 * of cv `device.flush_cv` (stream `device.flush`) under
 * `device.flush_cv_scope: host`; else a constant 1 that draws nothing.
 * With `device.host_spell_*` (host-spells.ts), times the slow spells'
 * factor at `engine`'s clock (stream `device.spells`); without `engine`
 * (a device tested alone, with no clock to read) there are no spells.
 */
export function makeHostSpeed(config: Config, rng: RandomStreams, engine?: Engine): HostSpeed {
  const d = config.device;
  if (d.profile === 'queue') return new HostSpeed();
  const spells = engine && spellsOn(d) ? { timeline: new HostSpells(d, rng.get('device.spells')), nowNs: () => engine.now } : undefined;
  if (d.host_cv > 0 && d.host_drift_share > 0 && engine) {
    const drift = new DriftingHostDraw(d.host_cv, d.host_floor, d.host_drift_share, d.host_drift_us * 1000, rng.get('device.host'), rng.get('device.host_drift'));
    return new HostSpeed(undefined, spells, { draw: drift, nowNs: () => engine.now });
  }
  if (d.host_cv > 0) return new HostSpeed(makeSampler({ dist: 'lognormal', mean_us: 1, cv: d.host_cv, floor: d.host_floor }, rng.get('device.host')), spells);
  if (d.flush_cv_scope !== 'host' || !(d.flush_cv > 0)) return new HostSpeed(undefined, spells);
  return new HostSpeed(makeSampler({ dist: 'lognormal', mean_us: 1, cv: d.flush_cv, floor: d.flush_floor }, rng.get('device.flush')), spells);
}
