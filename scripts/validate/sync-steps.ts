/**
 * The syncs `syncsim calibrate` makes itself: the drain after each step,
 * and the empty-FLUSH step — fdatasync of a file with nothing dirty, timed
 * here (fio cannot sync without writing). On ext4 each such fdatasync still
 * sends one FLUSH (ext4_sync_file issues it whenever the file system has
 * barriers on), so its time is that of a FLUSH that finds nothing new to
 * destage: `device.flush_empty_us`.
 */
import { closeSync, existsSync, fdatasyncSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FioLatency } from './fio.ts';
import { quantile } from '../measure/cpu-fit.ts';

/**
 * fsyncs the data file after each step, so that no step starts with the
 * previous one's writes still pending below the guest: on a virtual disk
 * over a host page cache, O_DIRECT and sync_file_range writes stay dirty
 * on the host (gigabytes after a 1 MiB write step) until a FLUSH, and the
 * next steps' FLUSHes waited for them (on the development machine the
 * bare FLUSH after 8 writes measured 379 µs at the median inside a
 * calibration and 115 µs on its own).
 */
export function drainDevice(file: string): void {
  if (!existsSync(file)) return;
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** At most this many fdatasyncs (the step also stops at its time budget). */
const MAX_SYNCS = 20_000;

/**
 * Makes a 4 KiB file `name` in `dir`, written and synced once, and gives
 * `body` a function that times one fdatasync of it (µs); removes the file
 * after.
 */
function withSyncedFile<T>(dir: string, name: string, body: (fdatasyncUs: () => number) => T): T {
  const file = join(dir, name);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, Buffer.alloc(4096, 1));
    fdatasyncSync(fd);
    return body(() => {
      const t0 = process.hrtime.bigint();
      fdatasyncSync(fd);
      return Number(process.hrtime.bigint() - t0) / 1000;
    });
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}

/**
 * Times fdatasync of a fresh 4 KiB file in `dir` (written and synced once
 * first, removed after) for about `budgetMs`; its latency figures in fio's shape.
 */
export function emptyFlushStep(dir: string, budgetMs: number): FioLatency {
  return withSyncedFile(dir, 'empty-flush', (fdatasyncUs) => {
    const times: number[] = [];
    const end = process.hrtime.bigint() + BigInt(Math.round(budgetMs * 1e6));
    while (times.length < MAX_SYNCS && (times.length < 10 || process.hrtime.bigint() < end)) times.push(fdatasyncUs());
    return latencyFigures(times);
  });
}

/** Count, mean, standard deviation and percentiles of `us` (pure). */
export function latencyFigures(us: readonly number[]): FioLatency {
  const n = us.length;
  const mean = us.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(us.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { count: n, mean_us: mean, stddev_us: sd, p50_us: quantile(us, 0.5), p90_us: quantile(us, 0.9), p99_us: quantile(us, 0.99) };
}

/** How a wait for the device to settle went. */
export interface Settle {
  /** Whether the last windows agreed before the time ran out. */
  settled: boolean;
  /** Time waited (ms). */
  waited_ms: number;
  /** Median empty fdatasync of each window (µs), in order. */
  window_medians_us: number[];
}

/** Windows that must agree, how far apart they may be, and the longest wait (ms; `--quick`: quickMaxMs). */
export const SETTLE = { windowMs: 1000, windows: 3, tolerance: 0.1, maxMs: 90_000, quickMaxMs: 20_000 } as const;

/** The longest wait for the device to settle (ms): `given` (`--settle`), else SETTLE.quickMaxMs under `quick` (validate always), else SETTLE.maxMs. */
export function settleLimitMs(given: number | undefined, quick: boolean): number {
  return given ?? (quick ? SETTLE.quickMaxMs : SETTLE.maxMs);
}

/**
 * Whether the last `SETTLE.windows` window medians agree within
 * `SETTLE.tolerance` of their smallest (pure).
 */
export function settledWindows(medians: readonly number[]): boolean {
  if (medians.length < SETTLE.windows) return false;
  const last = medians.slice(-SETTLE.windows);
  const lo = Math.min(...last), hi = Math.max(...last);
  return hi <= lo * (1 + SETTLE.tolerance);
}

/**
 * Waits until a bare FLUSH (fdatasync of an unchanged file made in `dir`,
 * removed after) costs
 * the same from one second to the next: writes pending below the guest (a
 * host page cache destaging other programs' gigabytes) make every FLUSH
 * slower until they are gone; at most `maxMs`. `onWindow` sees each
 * window's median (µs). `maxMs` 0 skips the wait (not settled, no windows).
 */
export function settleDevice(dir: string, maxMs: number, onWindow?: (medianUs: number) => void): Settle {
  const start = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - start) / 1e6;
  const medians: number[] = [];
  if (maxMs <= 0) return { settled: false, waited_ms: 0, window_medians_us: medians };
  return withSyncedFile(dir, 'syncsim-settle', (fdatasyncUs) => {
    while (!settledWindows(medians) && elapsedMs() < maxMs) {
      const times: number[] = [];
      const end = elapsedMs() + SETTLE.windowMs;
      while (times.length < 3 || elapsedMs() < end) times.push(fdatasyncUs());
      medians.push(Math.round(quantile(times, 0.5) * 10) / 10);
      onWindow?.(medians[medians.length - 1]!);
    }
    return { settled: settledWindows(medians), waited_ms: Math.round(elapsedMs()), window_medians_us: medians };
  });
}

/** The warning of `command` (calibrate, validate) when `s` did not settle, or null when it did. */
export function unsettledWarning(command: string, s: Settle): string | null {
  if (s.settled) return null;
  if (s.window_medians_us.length === 0) return `${command}: warning: --settle 0: measuring at once, without waiting for the device to settle`;
  return `${command}: warning: the device did not settle in ${(s.waited_ms / 1000).toFixed(0)} s (bare FLUSH medians ${s.window_medians_us.slice(-3).join(', ')} µs): another program's writes are still being destaged, so the figures will be slower than this device on its own`;
}

/**
 * The FLUSH level of a calibration from the 1-write fdatasyncs (µs) of the
 * steps that sampled it, spread over its minutes: the figures of the
 * quietest step (the lowest median), and of all of them pooled; null when
 * no step timed a sync. The host under a virtual disk has slow spells of
 * tens of seconds that only add time (one calibration's five steps had
 * medians 165, 169, 247, 276 and 268 µs, while the validation jobs run just
 * after it measured one-page msyncs as fast as in runs whose calibrations
 * met no slow spell), so the quietest step is the device's own level.
 */
export function quietestLevel(samples: readonly ArrayLike<number>[]): { quiet: FioLatency; quietSamples: number[]; pooled: FioLatency; medians: number[] } | null {
  const kept = samples.filter((x) => x.length > 0).map((x) => Array.from(x));
  const levels = kept.map((x) => latencyFigures(x));
  if (levels.length === 0) return null;
  const q = levels.reduce((a, l, i) => (l.p50_us! < levels[a]!.p50_us! ? i : a), 0);
  return { quiet: levels[q]!, quietSamples: kept[q]!, pooled: latencyFigures(kept.flat()), medians: levels.map((l) => l.p50_us!) };
}

/** How far apart the FLUSH probes' medians may be before a calibration warns: a host's ordinary slow spells put them up to about 1.7× apart (above). */
export const FLUSH_PROBE_SPREAD_MAX = 3;

/**
 * The warning for a calibration whose FLUSH probes' `medians` (µs, {@link quietestLevel}) lie more than
 * {@link FLUSH_PROBE_SPREAD_MAX}× apart, else undefined: the host's FLUSH changed level while it ran (a new
 * user's `--quick` run had 227.5, 1930, 3857 and 81 µs), so the FLUSH figures fitted from the quietest
 * probe, and the spread around them, say little of what a job will meet.
 */
export function flushSpreadWarning(medians: readonly number[]): string | undefined {
  if (medians.length < 2) return undefined;
  const lo = Math.min(...medians), hi = Math.max(...medians);
  if (!(lo > 0) || hi / lo <= FLUSH_PROBE_SPREAD_MAX) return undefined;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return `the FLUSH probes spread over the calibration disagree: their medians ${medians.map(r2).join(', ')} µs are ${(hi / lo).toFixed(1)}× apart (more than ${FLUSH_PROBE_SPREAD_MAX}×), `
    + 'so the host\'s FLUSH changed while it ran and the flush figures of this profile (from the quietest probe) say little of what a job will meet; '
    + 'calibrate again when the machine is quiet, and validate against this profile with its own FLUSH probes around the runs (syncsim validate refits the level)';
}
