/**
 * The figures of `npm run measure:cpu` from the samples the probe
 * (cpu-costs.c) prints: per-call costs of batched system calls and per-page
 * costs as least-squares slopes over the page count, each as the median and
 * interquartile range over the repetitions. Pure: no I/O.
 */
import { leastSquares } from '../validate/fit.ts';

/** One probe sample: `metric,n,wall_ns,cpu_ns`. */
export interface Sample {
  metric: string;
  n: number;
  wallNs: number;
  cpuNs: number;
}

/** A figure's distribution over repetitions, µs. */
export interface Spread {
  median_us: number;
  q1_us: number;
  q3_us: number;
  /** Repetitions it was computed from. */
  reps: number;
}

/** The measured figures, each in µs of the calling thread's CPU time, with wall-clock ones beside. */
export interface CpuFigures {
  page_size: number;
  syscall_us: Spread;
  mlock_munlock_us: Spread;
  msync_async_range_us: Spread;
  fault_page_us: Spread;
  wire_page_us: Spread;
  clean_page_us: Spread;
  /**
   * The clean slope while another CPU runs a busy loop (`clean_busy`
   * samples); null when the probe took none (a machine with one CPU).
   */
  clean_page_busy_us: Spread | null;
  /** The same per-page slopes over wall-clock time (they include preemption and, for clean, waiting). */
  wall: { fault_page_us: Spread; wire_page_us: Spread; clean_page_us: Spread };
  /**
   * The clean slope over scattered pages (`clean_scattered`: no two
   * adjacent, so one write each), up to {@link PLUG_WRITES} pages; null
   * from a probe before it.
   */
  clean_scattered_page_us: Spread | null;
  /** Scattered pages written back by sync_file_range (`writeback` samples); null from a probe before it. */
  writeback: WritebackFigures | null;
  /** The device's write and FLUSH alone and beside a busy CPU (`device_*` samples); null from a probe before them or with one CPU. */
  device_busy: DeviceBusyFigures | null;
  /**
   * The CPU time of one msync(MS_SYNC) call of {@link SPREAD_PAGES} scattered dirty pages
   * (`clean_scattered` samples at that count): its median, 90th percentile and sample count, µs;
   * null without such samples.
   */
  clean_call: { pages: number; p50_us: number; p90_us: number; count: number } | null;
}

/** The msync size whose per-call CPU spread gives `cpu.cv`: 8 scattered pages, a typical small msync of the validation's random jobs' size range (1 .. 64). */
export const SPREAD_PAGES = 8;

/** {@link CpuFigures.clean_call} of the samples: null without `clean_scattered` samples of {@link SPREAD_PAGES} pages. */
export function cleanCall(samples: readonly Sample[]): CpuFigures['clean_call'] {
  const us = samples.filter((s) => s.metric === 'clean_scattered' && s.n === SPREAD_PAGES).map((s) => s.cpuNs / 1000);
  if (us.length === 0) return null;
  return { pages: SPREAD_PAGES, p50_us: quantile(us, 0.5), p90_us: quantile(us, 0.9), count: us.length };
}

/**
 * Writeback of n scattered pages (pwrite, then sync_file_range(WAIT_BEFORE |
 * WRITE | WAIT_AFTER)): msync's data path without the mapping and the FLUSH.
 * Slopes over n ≤ {@link PLUG_WRITES} (one block plug: the writes reach the
 * device together after the CPU work).
 */
export interface WritebackFigures {
  /** CPU time of the call per page (slope). */
  cpu_page_us: Spread;
  /** Wall minus CPU time per page (slope): what each more write costs the device, the CPU work excluded. */
  off_cpu_page_us: Spread;
  /** Wall minus CPU time of one page (the median of the n = 1 samples). */
  off_cpu_one_us: number;
  /** CPU time of the call with one page (the median of the n = 1 samples). */
  cpu_one_us: number;
  /** Median wall minus CPU time at each n (µs), every n the probe took. */
  off_cpu_by_n: { n: number; median_us: number }[];
}

/** A block plug holds up to 32 requests before it sends them (blk_plug_max_rq_count, BLK_MAX_REQUEST_COUNT). */
export const PLUG_WRITES = 32;

/** Parses the probe's output lines (`metric,n,wall_ns,cpu_ns`). */
export function parseSamples(text: string): Sample[] {
  return text.split('\n').filter((l) => l !== '').map((l, i) => {
    const f = l.split(',');
    const [n, wallNs, cpuNs] = f.slice(1).map(Number);
    if (f.length !== 4 || ![n, wallNs, cpuNs].every(Number.isFinite)) throw new Error(`probe output line ${i + 1}: expected metric,n,wall_ns,cpu_ns (got '${l}')`);
    return { metric: f[0]!, n: n!, wallNs: wallNs!, cpuNs: cpuNs! };
  });
}

/** Quantile `q` of `values` by linear interpolation between order statistics (R type 7). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile of no values');
  return quantileOfSorted([...values].sort((a, b) => a - b), q);
}

/** {@link quantile} of values already sorted ascending (not empty). */
export function quantileOfSorted(s: ArrayLike<number>, q: number): number {
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)]! - s[lo]!));
}

/** Median and quartiles of `values` (µs). */
export function spread(values: readonly number[]): Spread {
  return { median_us: quantile(values, 0.5), q1_us: quantile(values, 0.25), q3_us: quantile(values, 0.75), reps: values.length };
}

type Clock = 'cpuNs' | 'wallNs' | 'offNs';

const time = (s: Sample, clock: Clock) => (clock === 'offNs' ? s.wallNs - s.cpuNs : s[clock]);

/** Per-call cost of a batched metric: each sample's time over its `n` calls, times `callsPerN`. */
export function perCall(samples: readonly Sample[], metric: string, clock: Clock = 'cpuNs', callsPerN = 1): Spread {
  const v = samples.filter((s) => s.metric === metric).map((s) => time(s, clock) / 1000 / (s.n * callsPerN));
  if (v.length === 0) throw new Error(`no samples of ${metric}`);
  return spread(v);
}

/**
 * Per-page cost of a metric sampled at several page counts: the samples are
 * taken in repetitions of one sample per count, in order; each repetition's
 * least-squares slope of time over pages is one value. Counts above `maxN`
 * are left out.
 */
export function perPage(samples: readonly Sample[], metric: string, clock: Clock = 'cpuNs', maxN = Infinity): Spread {
  const m = samples.filter((s) => s.metric === metric && s.n <= maxN);
  const counts = new Set(m.map((s) => s.n)).size;
  if (counts < 2) throw new Error(`${metric}: a slope needs samples at two page counts at least`);
  const slopes: number[] = [];
  for (let i = 0; i + counts <= m.length; i += counts) {
    slopes.push(leastSquares(m.slice(i, i + counts).map((s) => ({ x: s.n, y: time(s, clock) / 1000 }))).slope);
  }
  return spread(slopes);
}

/** The {@link WritebackFigures} of the `writeback` samples; null when there are none. */
export function writebackFigures(samples: readonly Sample[]): WritebackFigures | null {
  const w = samples.filter((s) => s.metric === 'writeback');
  if (w.length === 0) return null;
  const ns = [...new Set(w.map((s) => s.n))].sort((a, b) => a - b);
  /** The median time (µs) of the samples at `n` pages, by `clock`; NaN when there are none. */
  const median = (n: number, clock: Clock) => (ns.includes(n) ? quantile(w.filter((s) => s.n === n).map((s) => time(s, clock) / 1000), 0.5) : NaN);
  return {
    cpu_page_us: perPage(w, 'writeback', 'cpuNs', PLUG_WRITES),
    off_cpu_page_us: perPage(w, 'writeback', 'offNs', PLUG_WRITES),
    off_cpu_one_us: median(1, 'offNs'),
    cpu_one_us: median(1, 'cpuNs'),
    off_cpu_by_n: ns.map((n) => ({ n, median_us: median(n, 'offNs') })),
  };
}

/**
 * One scattered page's writeback (sync_file_range, wall less CPU time: the
 * device's round trip and the wake-up) and the fdatasync after it (wall
 * less CPU: the FLUSH), µs: the medians alone, and while another CPU runs
 * a busy loop the mean over the placements (the probe and the loop pinned
 * each way round on two CPUs, `n` of the samples) of each placement's
 * median, with each placement's medians and the fewest samples of any.
 */
export interface DeviceBusyFigures {
  write_us: number;
  write_busy_us: number;
  flush_us: number;
  flush_busy_us: number;
  /** Each placement's medians beside the busy loop, by placement (`n`). */
  placements: { n: number; write_us: number; flush_us: number }[];
  /** The fewest samples of any of the figures (per placement beside the loop). */
  count: number;
}

/** The {@link DeviceBusyFigures} of the `device_*` samples; null without samples alone and beside the loop. */
export function deviceBusyFigures(samples: readonly Sample[]): DeviceBusyFigures | null {
  const of = (metric: string, n?: number) => samples.filter((s) => s.metric === metric && (n === undefined || s.n === n)).map((s) => time(s, 'offNs') / 1000);
  const w = of('device_write'), f = of('device_flush');
  const ns = [...new Set(samples.filter((s) => s.metric === 'device_write_busy').map((s) => s.n))].sort((a, b) => a - b);
  const placements = ns.map((n) => ({ n, w: of('device_write_busy', n), f: of('device_flush_busy', n) }));
  const count = Math.min(w.length, f.length, ...placements.map((p) => Math.min(p.w.length, p.f.length)));
  if (placements.length === 0 || count === 0) return null;
  const per = placements.map((p) => ({ n: p.n, write_us: quantile(p.w, 0.5), flush_us: quantile(p.f, 0.5) }));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { write_us: quantile(w, 0.5), write_busy_us: mean(per.map((p) => p.write_us)), flush_us: quantile(f, 0.5), flush_busy_us: mean(per.map((p) => p.flush_us)), placements: per, count };
}

/** Every figure of a probe run. */
export function cpuFigures(samples: readonly Sample[]): CpuFigures {
  const ps = samples.find((s) => s.metric === 'page_size');
  if (!ps) throw new Error('probe output has no page_size line');
  return {
    page_size: ps.n,
    syscall_us: perCall(samples, 'msync_async'),
    mlock_munlock_us: perCall(samples, 'mlock_munlock', 'cpuNs', 2),
    msync_async_range_us: perCall(samples, 'msync_async_range'),
    fault_page_us: perPage(samples, 'fault'),
    wire_page_us: perPage(samples, 'wire'),
    clean_page_us: perPage(samples, 'clean'),
    clean_page_busy_us: samples.some((s) => s.metric === 'clean_busy') ? perPage(samples, 'clean_busy') : null,
    wall: { fault_page_us: perPage(samples, 'fault', 'wallNs'), wire_page_us: perPage(samples, 'wire', 'wallNs'), clean_page_us: perPage(samples, 'clean', 'wallNs') },
    clean_scattered_page_us: samples.some((s) => s.metric === 'clean_scattered') ? perPage(samples, 'clean_scattered', 'cpuNs', PLUG_WRITES) : null,
    writeback: writebackFigures(samples),
    device_busy: deviceBusyFigures(samples),
    clean_call: cleanCall(samples),
  };
}
