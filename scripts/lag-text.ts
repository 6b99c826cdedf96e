/** A span of time as messages give it. */

/** A lag or a span in the unit that shows it (a short trace lags by µs): `12.3 µs`, `4.56 ms`, `0.030 s`. */
export function lagText(ns: number): string {
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (ns < 1e7) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}
