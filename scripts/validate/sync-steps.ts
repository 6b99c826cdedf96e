/**
 * The syncs `syncsim calibrate` makes itself: the drain after each step,
 * and the empty-FLUSH step — fdatasync of a file with nothing dirty, timed
 * here (fio cannot sync without writing). On ext4 each such fdatasync still
 * sends one FLUSH (ext4_sync_file issues it whenever the file system has
 * barriers on), so its time is that of a FLUSH that finds nothing new to
 * destage: `device.flush_empty_us`.
 */
import { closeSync, existsSync, fdatasyncSync, fsyncSync, openSync, writeSync } from 'node:fs';
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
 * Times fdatasync of a fresh 4 KiB file in `dir` (written and synced once
 * first) for about `budgetMs`; its latency figures in fio's shape.
 */
export function emptyFlushStep(dir: string, budgetMs: number): FioLatency {
  const fd = openSync(join(dir, 'empty-flush'), 'w');
  try {
    writeSync(fd, Buffer.alloc(4096, 1));
    fdatasyncSync(fd);
    const times: number[] = [];
    const end = process.hrtime.bigint() + BigInt(Math.round(budgetMs * 1e6));
    while (times.length < MAX_SYNCS && (times.length < 10 || process.hrtime.bigint() < end)) {
      const t0 = process.hrtime.bigint();
      fdatasyncSync(fd);
      times.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    return latencyFigures(times);
  } finally {
    closeSync(fd);
  }
}

/** Count, mean, standard deviation and percentiles of `us` (pure). */
export function latencyFigures(us: readonly number[]): FioLatency {
  const n = us.length;
  const mean = us.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(us.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { count: n, mean_us: mean, stddev_us: sd, p50_us: quantile(us, 0.5), p90_us: quantile(us, 0.9), p99_us: quantile(us, 0.99) };
}
