/**
 * The FLUSH-gap step of `syncsim calibrate`: how a FLUSH's fixed cost grows
 * with the time since the previous FLUSH (a `device.flush_gap` table), and
 * the per-write destage with that time taken out. Both go to the report
 * (`fits.flush_gap`); the table goes in the profile too, while
 * `media_write_us` stays the flush-N steps' slope (calibration.ts; docs/validation.md,
 * the table of the calibration's steps, `flush-gap`; docs/validation-notes.md, "What is still
 * off", "The FLUSH grows with the time since the previous one").
 *
 * What it measures: the probe (scripts/measure/flush-gap.c) spins the CPU
 * for a gap, makes 4 KiB O_DIRECT writes to the data file, then times an
 * fdatasync of a side file that nothing writes: a FLUSH alone. Its modes
 * are interleaved round by round, so that every gap sees the same moments
 * of the host. Until 2026-12-05 it timed an fdatasync of the data file
 * itself, and found it growing from about 60 µs back to back to about 120
 * µs 4 ms after the previous one; block traces showed that growth to be
 * ext4 writing the inode, whose mtime the write had changed once the
 * kernel's coarse clock had ticked, while the FLUSH stayed at 43–47 µs.
 * The model writes that inode itself (sim/fs/ext4-nojournal.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { flushGapFactor, type FlushGap } from '../../sim/device/flush-gap.ts';
import { runCProbe } from '../measure/cpu-probe.ts';
import { mannWhitney, normalTail } from '../compare/stats.ts';
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
  /** A device.flush_gap table: medians of `since_us` of the 1-write modes, and the factor of each (its fixed cost over the back-to-back one's). */
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

/**
 * Fits S(since, N) = c·factor(since) + N·destage to the probe's medians
 * (pure); a string says why not. The 1-write medians, made non-decreasing
 * with the time (the host's noise can put one gap's median a little under
 * the previous one's; the effect itself only grows), are the curve S₁(since)
 * = c·factor(since) + destage. A mode of N writes then costs S₁ at its own
 * `since` (interpolated as the device model reads the table) plus (N − 1)
 * writes: destage = Σ (N−1)·(S_N − S₁(since_N)) / Σ (N−1)² (least squares,
 * at least 0; 0 without such modes). c = S₁ of the back-to-back mode less
 * destage, and factor = (S₁ − destage) / c, so the first factor is 1.
 * Rounded: since to 1 µs, factors to 0.001, destage to 0.01 µs.
 */
export function fitFlushGap(samples: readonly GapSample[]): FlushGapFit | string {
  const points = gapPoints(samples);
  const single = points.filter((p) => p.writes === 1).sort((a, b) => a.since_us - b.since_us);
  if (single.length < 2) return `the probe timed ${single.length} gap${single.length === 1 ? '' : 's'} of one write (at least two are needed)`;
  const s1 = isotonic(single.map((p) => p.sync_us));
  const curve: FlushGap = { gap_us: single.map((p) => p.since_us), factor: s1 };
  let num = 0, den = 0;
  for (const p of points) {
    if (p.writes <= 1) continue;
    const k = p.writes - 1;
    num += k * (p.sync_us - flushGapFactor(curve, p.since_us));
    den += k * k;
  }
  const destage = den > 0 ? Math.max(0, num / den) : 0;
  const c = s1[0]! - destage;
  if (!(c > 0)) return `the writes' destage (${destage.toFixed(2)} µs each) came out at or above the back-to-back FLUSH (${s1[0]!.toFixed(2)} µs): the host changed its FLUSH level during the probe`;
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return {
    table: { gap_us: dedupe(single.map((p) => Math.round(p.since_us))), factor: s1.map((v) => r3((v - destage) / c)) },
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

/** The side file in `work` whose fdatasync is the probe's FLUSH alone (4 KiB, written and synced once, never again). */
export function makeSideFile(work: string): string {
  const path = join(work, 'flush-gap-side.bin');
  const fd = openSync(path, 'wx');
  try {
    writeSync(fd, Buffer.alloc(4096));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * Compiles and runs the probe on `dataFile` (calibrate's laid-out file) for
 * `rounds` rounds in `work` (a directory of calibrate's own, where it makes
 * the side file); its samples, or null with the reason (no C compiler, or
 * the probe failed).
 */
export async function measureFlushGap(work: string, dataFile: string, rounds: number, onChild?: (c: ChildProcess) => void): Promise<{ samples: GapSample[] | null; note: string }> {
  let side: string;
  try {
    side = makeSideFile(work);
  } catch (e) {
    return { samples: null, note: `no side file for the probe (${(e as Error).message})` };
  }
  const r = await runCProbe(PROBE_SOURCE, work, 'the FLUSH-gap probe', [dataFile, String(rounds), side], parseGapSamples, onChild);
  return 'value' in r ? { samples: r.value, note: `probe flush-gap.c, ${rounds} rounds, writes to ${dataFile}, a FLUSH alone by fdatasync of an untouched side file` } : { samples: null, note: r.reason };
}


/** Whether the probe shows the FLUSH growing with the gap clearly enough to put its table in the profile, and why. */
export interface GapGrowth {
  /** The table goes in the profile. */
  clear: boolean;
  /** One-sided rank-sum p-value of the long gaps' FLUSHes (at least {@link LONG_GAP_US}) above the back-to-back ones. */
  p: number;
  /** Rounds in which the long gaps' median was above the back-to-back one, of `rounds`. */
  rounds_up: number;
  rounds: number;
  /** Medians of the back-to-back and of the long gaps' 1-write FLUSHes (µs). */
  back_to_back_us: number;
  long_us: number;
  why: string;
}

/** The gaps (µs of busy time before the write) that count as long for {@link gapGrowth}: 4 ms and more. */
export const LONG_GAP_US = 4000;
/** The p-value under which {@link gapGrowth} takes the growth as the device's, not the host's moment. */
export const GROWTH_P = 0.001;

/**
 * Whether the 1-write FLUSHes after the long gaps are above the back-to-back
 * ones (pure): a one-sided Mann–Whitney rank-sum test (`syncsim compare`'s,
 * its upper tail) at p < {@link GROWTH_P}, and the long
 * gaps' median above the back-to-back one in every round (the probe's
 * rounds follow one another, each with every mode; a rule on all the
 * samples pooled would take one slow moment of the host, met by one mode
 * in one round, for growth: a `--quick` calibration once put × 1.36 in a
 * profile so, where the same probe a minute later was flat).
 */
export function gapGrowth(samples: readonly GapSample[]): GapGrowth {
  const rounds: { b2b: number[]; long: number[] }[] = [];
  let prev = '';
  for (const s of samples) {
    const mode = `${s.writes},${s.gap_us}`;
    if (s.writes === 1 && s.gap_us === 0 && mode !== prev) rounds.push({ b2b: [], long: [] });
    prev = mode;
    const r = rounds[rounds.length - 1];
    if (!r || s.writes !== 1) continue;
    if (s.gap_us === 0) r.b2b.push(s.sync_us);
    else if (s.gap_us >= LONG_GAP_US) r.long.push(s.sync_us);
  }
  const b2b = rounds.flatMap((r) => r.b2b), long = rounds.flatMap((r) => r.long);
  const full = rounds.filter((r) => r.b2b.length > 0 && r.long.length > 0);
  const up = full.filter((r) => median(r.long) > median(r.b2b)).length;
  // one-sided: the upper tail of the long gaps' z, by compare's normal approximation of Mann–Whitney (ties at mid-rank,
  // tie-corrected, continuity-corrected; not its exact small-sample p: the probe's rounds hold hundreds of FLUSHes, and
  // its threshold, p < 0.001, lies past what an exact p of a few samples can reach anyway)
  const p = b2b.length > 0 && long.length > 0 ? normalTail(mannWhitney(long, b2b).z) : 1;
  const m0 = b2b.length > 0 ? median(b2b) : NaN, m1 = long.length > 0 ? median(long) : NaN;
  const clear = p < GROWTH_P && full.length > 0 && up === full.length;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const pText = p < 1e-12 ? '< 1e-12' : p < 1e-3 ? p.toExponential(1) : p.toFixed(3);
  const why = clear
    ? `the FLUSH after ${LONG_GAP_US / 1000} ms and more (median ${r2(m1)} µs) above the back-to-back one (${r2(m0)} µs) in every round (${up} of ${full.length}), rank-sum p ${pText} < ${GROWTH_P}`
    : `not clearly growing: after ${LONG_GAP_US / 1000} ms and more a median of ${r2(m1)} µs against ${r2(m0)} back to back, above it in ${up} of ${full.length} rounds, rank-sum p ${pText} (the table goes in the profile when p < ${GROWTH_P} and every round is above)`;
  return { clear, p, rounds_up: up, rounds: full.length, back_to_back_us: r2(m0), long_us: r2(m1), why };
}
