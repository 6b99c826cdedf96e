/**
 * The unit a chart of durations draws them in: µs, ms or s, picked from the
 * values drawn, so that an axis of lags reaching 1,200,000 µs reads 1,200 ms.
 */
import { axisUnit, TIME_UNITS } from './labels.ts';

/** The largest value an axis of durations writes before a larger unit is taken (when the smallest still reads in it). */
export const LARGEST_IN_UNIT = 10_000;
/** The smallest value (positive) an axis in a larger unit may have to write: below it, the unit is too large. */
export const SMALLEST_IN_UNIT = 0.1;
/**
 * {@link SMALLEST_IN_UNIT} of a log axis: its labels are a few 1-2-5 steps a decade, so 0.05 ms is one short label
 * among 1, 10 and 1,000 ms, where a linear axis would write every step of 0.05 (50 µs to 1.5 s: 0.05 to 1,500 ms,
 * not 50 to 1,500,000 µs).
 */
export const LOG_SMALLEST_IN_UNIT = 0.01;
/**
 * {@link LARGEST_IN_UNIT} of a log axis: a few labels a decade, so 10,000 and 50,000 µs read well beside 20 and 100
 * (a run's msyncs of 20 µs to 10.6 ms stay in µs); from 100,000 up (1,500,000 µs) a larger unit is taken.
 */
export const LOG_LARGEST_IN_UNIT = 100_000;
/** The thresholds of {@link durationUnit} for a log axis. */
export const LOG_AXIS = { smallest: LOG_SMALLEST_IN_UNIT, largest: LOG_LARGEST_IN_UNIT } as const;

/**
 * The unit durations `values` in `unit` (a time unit: ns, µs, ms or s) are drawn in, and what divides them into it:
 * the largest unit the smallest positive value holds once or more (`axisUnit`, as a grid key's axis: 55,000 to 59,000
 * µs are 55 to 59 ms; 908 to 1,032 µs stay µs), then a larger one while the largest value reaches LARGEST_IN_UNIT and
 * the smallest is still SMALLEST_IN_UNIT or more in it (500 to 1,200,000 µs: 0.5 to 1,200 ms); `limits` replace those
 * two thresholds (LOG_AXIS for a log axis). Another unit, or values none of which is positive, stay as they are (div 1).
 */
export function durationUnit(unit: string | undefined, values: readonly number[], limits: { smallest: number; largest: number } = { smallest: SMALLEST_IN_UNIT, largest: LARGEST_IN_UNIT }): { unit: string | undefined; div: number } {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (unit === undefined || !TIME_UNITS.includes(unit) || positive.length === 0) return { unit, div: 1 };
  const least = Math.min(...positive), most = Math.max(...positive);
  let { unit: at, div } = axisUnit(unit, positive);
  let i = TIME_UNITS.indexOf(at!);
  while (i < TIME_UNITS.length - 1 && most / div >= limits.largest && least / (div * 1000) >= limits.smallest) {
    div *= 1000;
    at = TIME_UNITS[++i];
  }
  return { unit: at, div };
}

/** The unit msync latencies (µs) are drawn in on a log axis, and what the figure's data and axis call them. */
export interface LatencyUnit {
  /** µs, ms or s. */
  unit: string;
  /** What divides a latency in µs into {@link unit}. */
  div: number;
  /** The data field of a latency `base` in the unit: `latency_us` as before in µs, `latency_ms` in ms. */
  field(base: string): string;
  /** The axis title: `msync latency (ms, log scale)`. */
  title: string;
}

/** The {@link LatencyUnit} of latencies `valuesUs` (µs) drawn on a log axis ({@link durationUnit} with LOG_AXIS). */
export function latencyUnit(valuesUs: readonly number[]): LatencyUnit {
  const { unit, div } = durationUnit('µs', valuesUs, LOG_AXIS);
  const name = unit!;
  return { unit: name, div, field: (base) => `${base}_${div === 1 ? 'us' : name}`, title: `msync latency (${name}, log scale)` };
}
