/**
 * The session's destage fitted through the model to the buffered probe.
 *
 * Each session probe times fdatasync after one and after 32 random 4 KiB
 * buffered writes (buffered-probe.ts): the page cache writes the pages back
 * in file order under one plug, and the device FLUSHes them, as a job's
 * msync does. The session's `media_write_us` (the per-write cost a FLUSH
 * pays to destage) is the one at which the model's replay of that probe —
 * the session profile, the probe's data file, 32 scattered stores and an
 * msync of the whole file against one store — adds what the probes measured
 * (their mean increment). Every other per-page cost of the model (the CPU's
 * cleaning, the submission stage, the writes' latency) stays as fitted, so
 * the destage takes up what those leave of the measured writeback.
 *
 * Why not the O_DIRECT part's scale (destage-session.ts): its 32 writes are
 * done before the fdatasync, so its increment times the destage alone, and
 * on the development machine it did not cost the host what a page cache's
 * writeback of as many pages does (docs/validation-notes.md, "A buffered
 * probe follows the jobs better than the O_DIRECT one"). It stays the
 * fallback when no probe timed the buffered part.
 */
import { resolveConfig } from '../../sim/config.ts';
import { RandomStream } from '../../sim/engine/random.ts';
import { Simulator } from '../../sim/simulator.ts';
import { Flag, type TraceRow } from '../../traces/types.ts';
import { BUFFERED_WRITES, type SessionBuffered } from './buffered-probe.ts';
import { median } from './fit.ts';

/** Mapped address of the probe's file in the replay. */
const BASE = 0x10000000;
/** msyncs the replay times for each of the probe's two steps. */
export const BUFFERED_REPLAY_ROUNDS = 200;

/** The replay's trace of one buffered step: map the `bytes` file, then `rounds` × (`writes` stores to random pages, an msync SYNC of the whole file), back to back. */
export function bufferedProbeTrace(bytes: number, writes: number, rounds: number, pageSize = 4096, seed = 1): TraceRow[] {
  const pages = Math.max(1, Math.floor(bytes / pageSize));
  const random = new RandomStream(seed, 'buffered-probe');
  const rows: TraceRow[] = [{ line: 3, tNs: 0, task: 'probe', op: 'map', addr: BASE, len: pages * pageSize, flags: 0, object: 'probe.0', offset: 0 }];
  for (let r = 0; r < rounds; r++) {
    for (let w = 0; w < writes; w++) rows.push({ line: rows.length + 3, tNs: 0, task: 'probe', op: 'write', addr: BASE + Math.floor(random.uniform() * pages) * pageSize, len: pageSize, flags: 0, object: '', offset: 0 });
    rows.push({ line: rows.length + 3, tNs: 0, task: 'probe', op: 'msync', addr: BASE, len: pages * pageSize, flags: Flag.SYNC, object: '', offset: 0 });
  }
  return rows;
}

/** The replay's median msync (µs) of one buffered step under `config` (a user config), personality linux, no page-in (a whole-page write() reads nothing). */
function stepMedian(config: Record<string, unknown>, bytes: number, writes: number, rounds: number): number {
  const c = resolveConfig({ ...config, personality: 'linux', pagein: false, replay: 'closed' });
  const us: number[] = [];
  const sim = new Simulator(c, { sync: (r) => us.push((r.tDoneNs - r.tIssueNs) / 1000), writeback: () => {}, timeline: () => {} });
  sim.feed(bufferedProbeTrace(bytes, writes, rounds, c.page_size));
  sim.run();
  sim.end();
  sim.run();
  return median(us);
}

/** The model's buffered probe under `config` on a `bytes` data file: the median msync after one store and after {@link BUFFERED_WRITES}, and what the writes added (µs). */
export function predictBufferedProbe(config: Record<string, unknown>, bytes: number, rounds = BUFFERED_REPLAY_ROUNDS): { one_us: number; n_us: number; increment_us: number } {
  const one = stepMedian(config, bytes, 1, rounds), n = stepMedian(config, bytes, BUFFERED_WRITES, rounds);
  return { one_us: one, n_us: n, increment_us: n - one };
}

/** The fit of the session's media_write_us to the buffered probes, with what the replay gave (µs). */
export interface BufferedDestageFit {
  /** The fitted media_write_us. */
  media_write_us: number;
  /** The value it replaces (scaled by the O_DIRECT part, or the calibration's), and the replay's increment with it. */
  direct_media_write_us: number;
  direct_increment_us: number;
  /** The probes' mean increment (the target), and the replay's with the fitted value. */
  measured_increment_us: number;
  simulated_increment_us: number;
  /** False when no value in [0, hi] reaches the target: the bound nearest to it is kept. */
  reached: boolean;
}

/**
 * The media_write_us at which the model's replay of the buffered probe
 * ({@link predictBufferedProbe}, every other key as in `config`) adds
 * `measuredUs` (the probes' mean increment), by regula falsi on [0, a
 * bound well above `start`] to within 0.5 µs of increment; the replay's
 * increment grows with it. `start`: the value `config` holds.
 */
export function fitBufferedDestage(config: Record<string, unknown>, bytes: number, measuredUs: number, rounds = BUFFERED_REPLAY_ROUNDS): BufferedDestageFit {
  const device = (config.device ?? {}) as Record<string, unknown>;
  const start = typeof device.media_write_us === 'number' ? device.media_write_us : 0;
  const inc = (mwu: number) => predictBufferedProbe({ ...config, device: { ...device, media_write_us: mwu } }, bytes, rounds).increment_us;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const atStart = inc(start);
  const result = (mwu: number, at: number, reached: boolean): BufferedDestageFit => ({
    media_write_us: r2(mwu), direct_media_write_us: start, direct_increment_us: r2(atStart), measured_increment_us: r2(measuredUs), simulated_increment_us: r2(at), reached,
  });
  let lo = 0, hi = Math.max(4 * start, start + 50);
  let fLo = inc(lo) - measuredUs, fHi = inc(hi) - measuredUs;
  if (fLo >= 0) return result(lo, fLo + measuredUs, Math.abs(fLo) <= 0.5);
  if (fHi <= 0) return result(hi, fHi + measuredUs, Math.abs(fHi) <= 0.5);
  // Illinois regula falsi: the increment is close to linear in media_write_us (one destage a write)
  let side = 0, x = lo, fx = fLo;
  for (let i = 0; i < 30 && Math.abs(fx) > 0.5; i++) {
    x = (lo * fHi - hi * fLo) / (fHi - fLo);
    fx = inc(x) - measuredUs;
    if (fx > 0) {
      hi = x;
      fHi = fx;
      if (side === 1) fLo /= 2;
      side = 1;
    } else {
      lo = x;
      fLo = fx;
      if (side === -1) fHi /= 2;
      side = -1;
    }
  }
  return result(x, fx + measuredUs, Math.abs(fx) <= 0.5);
}

/** The provenance of the fitted media_write_us (`bytes`: the size of the probe's data file). */
export function bufferedDestageFrom(fit: BufferedDestageFit, s: SessionBuffered, bytes: number): string {
  const size = `${Math.round((bytes / 2 ** 20) * 100) / 100} MiB`;
  return `session FLUSH probes: fitted through the model to fdatasync after ${s.writes} random 4 KiB buffered writes over the ${size} data file less after one (${fit.measured_increment_us} µs, the mean over ${s.probes} probes): `
    + `the replay of that probe with this profile (${s.writes} stores and an msync of the whole file against one, ${BUFFERED_REPLAY_ROUNDS} msyncs each, medians) adds ${fit.simulated_increment_us} µs${fit.reached ? '' : ' (the nearest it comes)'}; `
    + `with ${fit.direct_media_write_us} µs a write (the value before this fit: the O_DIRECT part's scale, or the calibration's) it added ${fit.direct_increment_us} µs`;
}
