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
 * The replay stores through a mapping (the model has no write() path), but
 * charges each page the CPU of the probe's own path, write() (the CPU
 * probe's write()-path writeback, write included, at the session's CPU
 * speed: 1.5–2.0 µs a page on the development machine; {@link probePathCpu}),
 * not the mapping's cleaning
 * (`cpu.clean_page_us`, 5.4–7.3 µs there), which the probe does not do;
 * so the fitted value is the destage the probe's writes leave, which the
 * jobs' pages then pay beside their own cleaning. (Until 2026-12-07, late,
 * the replay charged the mapping's cleaning, and the fit came out 4–6 µs
 * a write lower: 9.98 against 14.93 µs on the session profile of 17:10 UTC
 * that day, 0.14 against 5.45 at 19:34; over seven sessions' replays the
 * change did no better on the jobs: docs/validation-notes.md.)
 * Whether the jobs' pages cost what the probe's do varies:
 * one page more of `rand-fsync32` over `sweep-fsync1` (medians, over 31
 * pages) cost 17.5 and 21.9 µs at 16:46 and 17:10 against 19.9 and 23.2 for
 * the probe's, but 23.2, 22.7 and 24.3 µs at 18:09, 18:32 and 19:34 against
 * 16.2, 16.7 and 15.8.
 *
 * Why not the O_DIRECT part's scale (destage-session.ts): its 32 writes are
 * done before the fdatasync, so its increment times the destage alone, and
 * within a session it followed the jobs less closely than the buffered part
 * (docs/validation-notes.md, "A buffered probe follows the jobs better than
 * the O_DIRECT one"). Across seven sessions' replays the two rules came out
 * even on the repository's jobs ("The session's destage fitted to the
 * buffered probe through the model"). It stays the fallback when no probe
 * timed the buffered part.
 */
import { resolveConfig } from '../../sim/config.ts';
import { RandomStream } from '../../sim/engine/random.ts';
import { Simulator } from '../../sim/simulator.ts';
import { Flag, type TraceRow } from '../../traces/types.ts';
import { BUFFERED_WRITES, type SessionBuffered } from './buffered-probe.ts';
import { median } from './fit.ts';
import { replayWhole } from './model-check.ts';

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
  replayWhole(sim, bufferedProbeTrace(bytes, writes, rounds, c.page_size));
  return median(us);
}

/** The model's buffered probe under `config` on a `bytes` data file: the median msync after one store and after {@link BUFFERED_WRITES}, and what the writes added (µs). */
export function predictBufferedProbe(config: Record<string, unknown>, bytes: number, rounds = BUFFERED_REPLAY_ROUNDS): { one_us: number; n_us: number; increment_us: number } {
  const one = stepMedian(config, bytes, 1, rounds), n = stepMedian(config, bytes, BUFFERED_WRITES, rounds);
  return { one_us: one, n_us: n, increment_us: n - one };
}

/** Where the value the fit replaces came from: the O_DIRECT part's scale of the calibration's destage, or the calibration's own. */
export type BufferedDestageBefore = 'o_direct' | 'calibration';

/**
 * `config` with the CPU a page costs on the buffered probe's own path: fio's
 * probe writes with write(), and the writeback of a page written so cleans
 * no page table, so each page costs the CPU probe's write()-path figure
 * (`writebackPageUs`: `fits.cpu.writeback.cpu_page_us` of the calibration,
 * the CPU time of sync_file_range over scattered dirty pages, a page more,
 * times the session's CPU scale; 1.5–2.0 µs on the development machine)
 * where the jobs' pages, written through a mapping, cost `cpu.clean_page_us`
 * (5.4–7.3 µs there: the page table's write-protect and its flush) and
 * `cpu.clean_io_us` a write. That figure's pages were each a write of its
 * own, as the probe's scattered pages are, so it holds the cost of issuing
 * the write too: `clean_io_us` is 0 in the replay. The replay stores through
 * a mapping (the model has no write() path), so this is how it charges the
 * probe what the probe spends. `config` as it is when there is no figure.
 */
export function probePathCpu(config: Record<string, unknown>, writebackPageUs: number | undefined): Record<string, unknown> {
  if (!(typeof writebackPageUs === 'number' && writebackPageUs >= 0)) return config;
  const cpu = (config.cpu ?? {}) as Record<string, unknown>;
  return { ...config, cpu: { ...cpu, clean_page_us: writebackPageUs, clean_page_busy_us: writebackPageUs, clean_io_us: 0 } };
}

/** The fit of the session's media_write_us to the buffered probes, with what the replay gave (µs). */
export interface BufferedDestageFit {
  /** The fitted media_write_us (to 0.01 µs). */
  media_write_us: number;
  /** The value it replaces, where that came from, and the replay's increment with it. */
  before_media_write_us: number;
  before_from: BufferedDestageBefore;
  before_increment_us: number;
  /** The probes' mean increment (the target), and the replay's with the fitted value as stored. */
  measured_increment_us: number;
  simulated_increment_us: number;
  /** False when the target lies outside what the replay can give (below its increment with no destage, or above it at the largest value tried): the nearest is kept. */
  reached: boolean;
}

/** What {@link solveIncreasing} found: the best point tried, the function there, whether the target was bracketed, and how many evaluations it took. */
export interface Solution {
  x: number;
  value: number;
  bracketed: boolean;
  evaluations: number;
}

/**
 * The x ≥ `lo` at which the non-decreasing `f` comes nearest `target`
 * (pure search; `f` may be a step function, as a median of a replay is):
 * above the target already at `lo`, `lo` (bracketed only within `tol`);
 * else `hi` doubled until `f(hi)` reaches the target (at most `maxHi`;
 * beyond it, the largest tried, bracketed only within `tol`); then Illinois regula falsi
 * until within `tol`, or the bracket narrower than `xtol` (a jump across
 * the target: its nearer side). Returns the best point evaluated, not the last.
 */
export function solveIncreasing(f: (x: number) => number, target: number, lo: number, hi: number, o: { tol: number; xtol: number; maxHi: number; iterations: number } = { tol: 0.5, xtol: 0.005, maxHi: 1e4, iterations: 60 }): Solution {
  if (!(hi > lo) || !(hi <= o.maxHi) || !Number.isFinite(target)) throw new Error(`solveIncreasing: needs lo < hi <= maxHi and a finite target (lo ${lo}, hi ${hi}, maxHi ${o.maxHi}, target ${target})`);
  let evaluations = 0;
  let best = { x: lo, err: Infinity };
  const g = (x: number) => {
    evaluations++;
    const err = f(x) - target;
    if (!Number.isFinite(err)) throw new Error(`solveIncreasing: f(${x}) is not a finite number`);
    if (Math.abs(err) < Math.abs(best.err)) best = { x, err };
    return err;
  };
  let fLo = g(lo);
  if (fLo >= 0) return { x: lo, value: fLo + target, bracketed: fLo <= o.tol, evaluations };
  let fHi = g(hi);
  while (fHi < 0 && hi < o.maxHi) {
    lo = hi;
    fLo = fHi;
    hi = Math.min(o.maxHi, 2 * hi);
    fHi = g(hi);
  }
  if (fHi < 0) return { x: hi, value: fHi + target, bracketed: fHi >= -o.tol, evaluations };
  // Illinois: halve the kept end's value when the same end moves twice, so that a curved f does not stall the bracket
  let side = 0;
  for (let i = 0; i < o.iterations && Math.abs(best.err) > o.tol && hi - lo > o.xtol; i++) {
    const x = fHi === fLo ? (lo + hi) / 2 : Math.min(hi, Math.max(lo, (lo * fHi - hi * fLo) / (fHi - fLo)));
    const fx = g(x);
    if (fx >= 0) {
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
  return { x: best.x, value: best.err + target, bracketed: true, evaluations };
}

/**
 * The media_write_us at which the model's replay of the buffered probe
 * ({@link predictBufferedProbe}, every other key as in `config`) adds
 * `measuredUs` (the probes' mean increment): {@link solveIncreasing} from 0
 * and a bound well above the value `config` holds (`before`, which says
 * where that came from), to within 0.5 µs of increment; then the nearer of
 * its two neighbours at 0.01 µs, replayed again, as stored. The replay
 * moves by a few % with its seed (9.4–10.0 µs over seeds 1–4 on a profile
 * of 2026-12-07), less than the probes' own spread; the seed is fixed.
 */
export function fitBufferedDestage(config: Record<string, unknown>, bytes: number, measuredUs: number, before: BufferedDestageBefore, rounds = BUFFERED_REPLAY_ROUNDS): BufferedDestageFit {
  const device = (config.device ?? {}) as Record<string, unknown>;
  const start = typeof device.media_write_us === 'number' ? device.media_write_us : 0;
  const inc = (mwu: number) => predictBufferedProbe({ ...config, device: { ...device, media_write_us: mwu } }, bytes, rounds).increment_us;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const found = solveIncreasing(inc, measuredUs, 0, Math.min(1e4, Math.max(4 * start, start + 50)));
  // the value as stored: the nearer of the two steps of 0.01 around it
  const steps = [Math.floor(found.x * 100) / 100, Math.ceil(found.x * 100) / 100].filter((x, i, all) => x >= 0 && all.indexOf(x) === i).map((x) => ({ x: r2(x), at: inc(r2(x)) }));
  const kept = steps.reduce((a, b) => (Math.abs(b.at - measuredUs) < Math.abs(a.at - measuredUs) ? b : a));
  return {
    media_write_us: kept.x, before_media_write_us: start, before_from: before, before_increment_us: r2(inc(start)),
    measured_increment_us: r2(measuredUs), simulated_increment_us: r2(kept.at), reached: found.bracketed,
  };
}

/** The provenance of the fitted media_write_us (`bytes`: the size of the probe's data file). */
export function bufferedDestageFrom(fit: BufferedDestageFit, s: SessionBuffered, bytes: number, writebackPageUs?: number): string {
  const size = `${Math.round((bytes / 2 ** 20) * 100) / 100} MiB`;
  const cpu = typeof writebackPageUs === 'number' ? `, each page charged the CPU of the probe's write() path, ${Math.round(writebackPageUs * 100) / 100} µs with its write, not the mapping's cleaning` : '';
  return `session FLUSH probes: fitted through the model to fdatasync after ${s.writes} random 4 KiB buffered writes over the ${size} data file less after one (${fit.measured_increment_us} µs, the mean over ${s.probes} probes): `
    + `the replay of that probe with this profile (${s.writes} stores and an msync of the whole file against one, through a mapping as the jobs store${cpu}, ${BUFFERED_REPLAY_ROUNDS} msyncs each, medians) adds ${fit.simulated_increment_us} µs${fit.reached ? '' : ' (the nearest it comes)'}; `
    + `with ${fit.before_media_write_us} µs a write (${BEFORE_TEXT[fit.before_from]}) it added ${fit.before_increment_us} µs`;
}

/** What the value before the fit was, in the provenance and the log. */
export const BEFORE_TEXT: Record<BufferedDestageBefore, string> = {
  o_direct: "the calibration's destage scaled by the O_DIRECT part",
  calibration: "the calibration's destage",
};
