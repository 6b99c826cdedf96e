/**
 * The unit a chart of durations draws them in: µs, ms or s, picked from the
 * values drawn, so that an axis of lags reaching 1,200,000 µs reads 1.2 s.
 */
import { TIME_UNITS } from './labels.ts';

/** The smallest value (positive) an axis in a larger unit may have to write: below it, the unit is too large. */
export const SMALLEST_IN_UNIT = 0.1;

/**
 * The unit durations `values` in `unit` (a time unit: ns, µs, ms or s) are drawn in, and what divides them into it:
 * the largest unit up to s in which the largest value is 1 or more and the smallest positive one SMALLEST_IN_UNIT or
 * more (55,000 to 59,000 µs: 55 to 59 ms; 500 to 1,200,000 µs: still ms, 0.5 to 1,200, not 0.0005 to 1.2 s).
 * Another unit, or values none of which is positive, stay as they are (div 1).
 */
export function durationUnit(unit: string | undefined, values: readonly number[]): { unit: string | undefined; div: number } {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  let at = unit === undefined ? -1 : TIME_UNITS.indexOf(unit);
  if (at < 0 || positive.length === 0) return { unit, div: 1 };
  const least = Math.min(...positive), most = Math.max(...positive);
  let div = 1;
  while (at < TIME_UNITS.length - 1 && most / (div * 1000) >= 1 && least / (div * 1000) >= SMALLEST_IN_UNIT) {
    div *= 1000;
    at++;
  }
  return { unit: TIME_UNITS[at], div };
}
