/**
 * The empty-FLUSH step of `syncsim calibrate`: fdatasync of a file with
 * nothing dirty, timed here (fio cannot sync without writing). On ext4 each
 * such fdatasync still sends one FLUSH (ext4_sync_file issues it whenever
 * the file system has barriers on), so its time is that of a FLUSH that
 * finds nothing new to destage: `device.flush_empty_us`.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FioLatency } from './fio.ts';
import { quantile } from '../measure/cpu-fit.ts';

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
