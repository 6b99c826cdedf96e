/**
 * The FLUSH-gap step of `syncsim calibrate`: how a FLUSH's fixed cost grows
 * with the time since the previous FLUSH (a `device.flush_gap` table), and
 * the per-write destage with that time taken out. Both go to the report
 * (`fits.flush_gap`), not the profile: replaying a validation with them did
 * not bring its jobs closer (README, "The FLUSH grows with the time since
 * the previous one").
 *
 * What it measures: on the development machine (a virtio-blk disk over the
 * host's page cache) an fdatasync after one 4 KiB O_DIRECT write took
 * 79–80 µs at the median back to back, 160–176 µs 4 ms after the previous
 * one and 246–252 µs 16 ms after, with the guest's CPU busy in between. The
 * flush-N steps write N blocks back to back before each fdatasync, so
 * their time between FLUSHes grows with N, and their slope per write holds
 * that growth too. The probe (scripts/measure/flush-gap.c) spins the CPU
 * between samples and interleaves its modes round by round, so that every
 * gap sees the same moments of the host.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { flushGapFactor, type FlushGap } from '../../sim/device/flush-gap.ts';
import { compileC, haveCc, runBinary } from '../measure/cpu-probe.ts';
import { median } from './fit.ts';

const PROBE_SOURCE = new URL('../measure/flush-gap.c', import.meta.url).pathname;

/** One fdatasync of the probe. */
export interface GapSample {
  /** 4 KiB writes before it. */
  writes: number;
  /** The busy gap before the writes (µs). */
  gap_us: number;
  /** From the end of the previous fdatasync to the start of this one (µs). */
  since_us: number;
  /** The fdatasync (µs). */
  sync_us: number;
}

/** The medians of one mode of the probe. */
export interface GapPoint {
  writes: number;
  gap_us: number;
  n: number;
  since_us: number;
  sync_us: number;
}

/** The fit: the factor table, the destage per write, and the points it came from. */
export interface FlushGapFit {
  /** device.flush_gap: medians of `since_us` of the 1-write modes, and the factor of each (its fixed cost over the back-to-back one's). */
  table: FlushGap;
  /** The destage of one 4 KiB write (µs): S(N) = c·factor(since) + N·destage over all modes. */
  destage_us: number;
  /** The fixed cost c of a back-to-back FLUSH in this probe (µs). */
  fixed_us: number;
  points: GapPoint[];
  samples: number;
}

/** Parses the probe's `writes,gap_us,since_ns,sync_ns` lines (pure); throws on a malformed line. */
export function parseGapSamples(text: string): GapSample[] {
  const out: GapSample[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const f = line.split(',').map(Number);
    if (f.length !== 4 || f.some((x) => !Number.isFinite(x) || x < 0)) throw new Error(`flush-gap probe: line ${i + 1} is not writes,gap_us,since_ns,sync_ns: '${line}'`);
    out.push({ writes: f[0]!, gap_us: f[1]!, since_us: f[2]! / 1000, sync_us: f[3]! / 1000 });
  }
  return out;
}

/** Medians of each (writes, gap_us) mode (pure), by writes then gap. */
export function gapPoints(samples: readonly GapSample[]): GapPoint[] {
  const modes = new Map<string, GapSample[]>();
  for (const s of samples) {
    const k = `${s.writes},${s.gap_us}`;
    const list = modes.get(k);
    if (list) list.push(s);
    else modes.set(k, [s]);
  }
  return [...modes.values()]
    .map((list) => ({ writes: list[0]!.writes, gap_us: list[0]!.gap_us, n: list.length, since_us: median(list.map((s) => s.since_us)), sync_us: median(list.map((s) => s.sync_us)) }))
    .sort((a, b) => a.writes - b.writes || a.gap_us - b.gap_us);
}

/** The non-decreasing sequence nearest `ys` in least squares (pool-adjacent-violators, equal weights; pure). */
export function isotonic(ys: readonly number[]): number[] {
  const blocks: { sum: number; n: number }[] = [];
  for (const y of ys) {
    blocks.push({ sum: y, n: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.sum / blocks[blocks.length - 2]!.n > blocks[blocks.length - 1]!.sum / blocks[blocks.length - 1]!.n) {
      const b = blocks.pop()!;
      blocks[blocks.length - 1]!.sum += b.sum;
      blocks[blocks.length - 1]!.n += b.n;
    }
  }
  return blocks.flatMap((b) => Array<number>(b.n).fill(b.sum / b.n));
}

/** Least-squares rounds of the alternating fit (it settles in a few). */
const ROUNDS = 50;

/**
 * Fits S(since, N) = c·factor(since) + N·destage to the probe's medians
 * (pure; null without a 1-write mode at two gaps). The 1-write modes give
 * the table: factor = (S − destage) / c, c = the back-to-back mode's S −
 * destage, made non-decreasing with the gap (the host's noise can put one
 * gap's median a little under the previous one's; the effect itself only
 * grows). The modes of several writes give destage by least squares, the
 * factor of their own `since` interpolated from the table; the two are
 * refitted in turn until they settle. Rounded: since to 1 µs, factors to
 * 0.001, destage to 0.01 µs.
 */
export function fitFlushGap(samples: readonly GapSample[]): FlushGapFit | null {
  const points = gapPoints(samples);
  const single = points.filter((p) => p.writes === 1).sort((a, b) => a.since_us - b.since_us);
  if (single.length < 2) return null;
  const multi = points.filter((p) => p.writes > 1);
  let destage = 0;
  let table: FlushGap = { gap_us: [], factor: [] };
  let c = single[0]!.sync_us;
  for (let r = 0; r < ROUNDS; r++) {
    c = Math.max(1e-6, single[0]!.sync_us - destage);
    table = { gap_us: single.map((p) => p.since_us), factor: isotonic(single.map((p) => Math.max(0, p.sync_us - destage) / c)) };
    if (multi.length === 0) break;
    let num = 0, den = 0;
    for (const p of multi) {
      num += p.writes * (p.sync_us - c * flushGapFactor(table, p.since_us));
      den += p.writes * p.writes;
    }
    // with the 1-write back-to-back mode: S = c + destage holds by the choice of c
    destage = Math.max(0, num / den);
  }
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return {
    table: { gap_us: dedupe(table.gap_us.map((g) => Math.round(g))), factor: table.factor.map(r3) },
    destage_us: Math.round(destage * 100) / 100,
    fixed_us: Math.round(c * 100) / 100,
    points,
    samples: samples.length,
  };
}

/** Gaps made strictly ascending after rounding (the table's rule): a tie moves up by 1 µs. */
function dedupe(gaps: number[]): number[] {
  for (let i = 1; i < gaps.length; i++) if (gaps[i]! <= gaps[i - 1]!) gaps[i] = gaps[i - 1]! + 1;
  return gaps;
}

/** Rounds of the probe (each ~0.3–0.5 s on the development machine): full and --quick. */
export const GAP_ROUNDS = { full: 8, quick: 3 } as const;

/**
 * Compiles and runs the probe on `dataFile` (calibrate's laid-out file) for
 * `rounds` rounds in `work`; its samples, or null with the reason (no C
 * compiler, or the probe failed).
 */
export async function measureFlushGap(work: string, dataFile: string, rounds: number, onChild?: (c: ChildProcess) => void): Promise<{ samples: GapSample[] | null; note: string }> {
  if (!haveCc()) return { samples: null, note: 'no C compiler (cc) to build the probe flush-gap.c (apt-get install gcc libc6-dev)' };
  try {
    const bin = compileC(PROBE_SOURCE, join(work, 'flush-gap'));
    const out = await runBinary('the FLUSH-gap probe', bin, [dataFile, String(rounds)], onChild);
    return { samples: parseGapSamples(out), note: `probe flush-gap.c, ${rounds} rounds, on ${dataFile}` };
  } catch (e) {
    return { samples: null, note: `the probe failed (${(e as Error).message})` };
  }
}

