/**
 * A storage device (sim/device/media.ts) on its own engine for tests: known
 * constant latencies, no jitter, fixed rotation draws; I/Os made and
 * submitted at chosen times.
 */
import { resolveConfig, type Config } from '../sim/config.ts';
import { Io } from '../sim/device/device.ts';
import { MediaDevice } from '../sim/device/media.ts';
import { HostSpeed } from '../sim/device/host-speed.ts';
import { Engine } from '../sim/engine/queue.ts';
import { RandomStream } from '../sim/engine/random.ts';
import type { VmObject } from '../sim/vm/object.ts';

/** Page size of the rigs (bytes). */
export const PS = 4096;

/** A device of `profile` with `over` laid on its keys; latencies constant; rotation draws always `rot`; the host's factor `hostFactor` from each msync's start (host.syncBegins()). */
export function rig(profile: string, over: Record<string, unknown>, rot = 0, hostFactor = 1) {
  const c = resolveConfig({ device: { profile, ...over } });
  const eng = new Engine();
  const done: Io[] = [];
  const host = new HostSpeed(hostFactor === 1 ? undefined : () => hostFactor);
  const mean = (d: Config['device']['read_latency']) => (d.dist === 'constant' ? d.mean_us : NaN);
  const dev = new MediaDevice(eng, c.device, PS, {
    readLatency: () => mean(c.device.read_latency),
    writeLatency: () => mean(c.device.write_latency),
    flushJitter: () => 1,
    rotation: { uniform: () => rot } as RandomStream,
    errors: new RandomStream(1, 'errors'),
    host,
  }, { complete: (io) => done.push(io) });
  let id = 0;
  const io = (kind: 'read' | 'write' | 'flush', objectId: number, first: number, pages: number, opts: { fua?: boolean; preflush?: boolean } = {}) => {
    const x = new Io(id++, { id: objectId } as VmObject, first, kind === 'flush' ? 0 : pages, 'msync', false);
    x.kind = kind;
    x.fua = opts.fua ?? false;
    x.preflush = opts.preflush ?? false;
    return x;
  };
  /** Submits `x` at absolute time `t` ns. */
  const at = (t: number, x: Io) => eng.at(t, { fire: () => dev.submit(x) });
  /** Submits `xs` at absolute time `t` ns as one submission (a plug's list). */
  const atAll = (t: number, xs: Io[]) => eng.at(t, { fire: () => dev.submitAll(xs) });
  return { eng, dev, done, io, at, atAll, host };
}

