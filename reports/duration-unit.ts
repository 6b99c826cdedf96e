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
 * The unit durations `values` in `unit` (a time unit: ns, µs, ms or s) are drawn in, and what divides them into it:
 * the largest unit the smallest positive value holds once or more (`axisUnit`, as a grid key's axis: 55,000 to 59,000
 * µs are 55 to 59 ms; 908 to 1,032 µs stay µs), then a larger one while the largest value reaches LARGEST_IN_UNIT and
 * the smallest is still SMALLEST_IN_UNIT or more in it (500 to 1,200,000 µs: 0.5 to 1,200 ms). Another unit, or
 * values none of which is positive, stay as they are (div 1).
 */
export function durationUnit(unit: string | undefined, values: readonly number[]): { unit: string | undefined; div: number } {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (unit === undefined || !TIME_UNITS.includes(unit) || positive.length === 0) return { unit, div: 1 };
  const least = Math.min(...positive), most = Math.max(...positive);
  let { unit: at, div } = axisUnit(unit, positive);
  let i = TIME_UNITS.indexOf(at!);
  while (i < TIME_UNITS.length - 1 && most / div >= LARGEST_IN_UNIT && least / (div * 1000) >= SMALLEST_IN_UNIT) {
    div *= 1000;
    at = TIME_UNITS[++i];
  }
  return { unit: at, div };
}
