/**
 * The session probe's buffered part: 4 KiB random buffered writes over the
 * probe's data file, an fdatasync after each one and after every
 * {@link BUFFERED_WRITES}, so that the page cache writes the pages back and
 * the device FLUSHes them, as a job's msync does. Reported beside the
 * O_DIRECT destage part (destage-session.ts); the session's media_write_us
 * is fitted to it through the model (buffered-destage.ts).
 *
 * Why: the O_DIRECT probe's writes before a FLUSH do not always cost the
 * host what a page cache's writeback of as many pages does. Beside fio's
 * `rand-fsync32` on the development machine (2026-12-07, 150 rounds in turns
 * over 21 minutes), the job's msync median followed this buffered increment
 * with a rank correlation of 0.85, and the O_DIRECT one with 0.75
 * (docs/validation-notes.md, "A buffered probe follows the jobs better than
 * the O_DIRECT one").
 */
import { join } from 'node:path';
import type { Microbench } from './microbench.ts';
import type { DestageProbe } from './destage-session.ts';
import { readFioJson } from './fio.ts';

/** Writes before each fdatasync of the buffered part's second step (as the O_DIRECT destage part's). */
export const BUFFERED_WRITES = 32;

/** One probe's buffered part: the median fdatasync after one buffered write and after {@link BUFFERED_WRITES} (µs). */
export interface BufferedProbe {
  one_us: number;
  n_us: number;
  writes: number;
}

/** The session's buffered part, the means over its probes (µs), beside the O_DIRECT destage part's increment. */
export interface SessionBuffered {
  probes: number;
  writes: number;
  /** Mean median fdatasync after one buffered write. */
  one_us: number;
  /** Mean median fdatasync after {@link BUFFERED_WRITES} buffered writes. */
  n_us: number;
  /** n_us − one_us: what the writes added through the page cache. */
  increment_us: number;
  /** The same increment of the O_DIRECT destage part over the same probes (null when none timed it). */
  direct_increment_us: number | null;
}

/** The two fio steps of the buffered part, each run for `ms`: fdatasync after every write, and after every {@link BUFFERED_WRITES}. */
export function bufferedSteps(ms: number): [Microbench, Microbench] {
  const step = (writes: number): Microbench => ({
    name: writes === 1 ? 'flush-buffered' : `flush-buffered-${writes}`,
    label: `${writes === 1 ? 'a 4k buffered write' : `${writes} 4k buffered writes`} + fdatasync (page-cache writeback and FLUSH)`,
    kind: 'flush', direction: 'write', bytes: 4096, depth: 1, writes,
    options: ['rw=randwrite', 'bs=4k', 'ioengine=psync', `fdatasync=${writes}`, 'time_based', `runtime=${ms}ms`],
  });
  return [step(1), step(BUFFERED_WRITES)];
}

/** A probe's buffered part from its two steps' fdatasync medians (µs); undefined when fio timed either none. */
export function bufferedProbe(oneP50: number | null | undefined, nP50: number | null | undefined): BufferedProbe | undefined {
  if (!(typeof oneP50 === 'number' && oneP50 > 0 && typeof nP50 === 'number' && nP50 > 0)) return undefined;
  return { one_us: oneP50, n_us: nP50, writes: BUFFERED_WRITES };
}

/** The means over `probes` of their buffered parts, with their O_DIRECT destage increments (pure); null when no probe timed a buffered part. */
export function sessionBuffered(probes: readonly { buffered?: BufferedProbe; destage?: DestageProbe }[]): SessionBuffered | null {
  const kept = probes.filter((p) => p.buffered !== undefined);
  if (kept.length === 0) return null;
  const mean = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const one = mean(kept.map((p) => p.buffered!.one_us)), n = mean(kept.map((p) => p.buffered!.n_us));
  const direct = kept.flatMap((p) => (p.destage ? [p.destage.n_us - p.destage.one_us] : []));
  return { probes: kept.length, writes: BUFFERED_WRITES, one_us: r2(one), n_us: r2(n), increment_us: r2(n - one), direct_increment_us: direct.length ? r2(mean(direct)) : null };
}

/** What a probe's log line says of its buffered part: `; buffered: after a write X µs, after 32 Y µs`. */
export function bufferedProbeText(b: BufferedProbe): string {
  return `; buffered: after a write ${b.one_us.toFixed(1)} µs, after ${b.writes} ${b.n_us.toFixed(1)} µs`;
}

/**
 * What the session's refit line says of the probes' buffered parts, beside the O_DIRECT increment,
 * and of media_write_us fitted to them through the model (`fit`; null: not fitted, reported only).
 */
export function sessionBufferedText(s: SessionBuffered, fit: { media_write_us: number; simulated_increment_us: number; reached: boolean } | null): string {
  const used = fit
    ? `media_write_us ${fit.media_write_us} fitted to it through the model, whose replay of the probe adds ${fit.simulated_increment_us.toFixed(1)} µs${fit.reached ? '' : ', the nearest it comes'}`
    : 'reported, not replayed';
  return `; ${s.writes} buffered writes before an fdatasync added ${s.increment_us.toFixed(1)} µs (${s.direct_increment_us?.toFixed(1) ?? '-'} µs O_DIRECT; ${used})`;
}

/**
 * Runs a probe's buffered part in `work` through `run` (a step's fio job and
 * its JSON report, then a drain), each step for `ms`; undefined when fio
 * fails or times none: the rest of the probe stands.
 */
export async function bufferedPart(work: string, ms: number, run: (step: Microbench, json: string) => Promise<void>): Promise<BufferedProbe | undefined> {
  try {
    const p50: (number | null)[] = [];
    for (const step of bufferedSteps(ms)) {
      const json = join(work, `${step.name}.json`);
      await run(step, json);
      p50.push(readFioJson(json).jobs.find((j) => j.name === step.name)?.sync?.p50_us ?? null);
    }
    return bufferedProbe(p50[0], p50[1]);
  } catch {
    return undefined;
  }
}
