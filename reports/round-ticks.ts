/** Round tick values near a panel's largest value: a timeline strip's top tick, and a bound on vega's nice top tick. */

/**
 * The largest round value at or below `v` (> 0): 1 to 9, or 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8 × 10^k
 * from 10 up, so that a strip's top tick stands near its largest value (45 → 40, not 25); 0 for 0.
 */
export function roundBelow(v: number): number {
  if (!(v > 0)) return 0;
  const p = 10 ** Math.floor(Math.log10(v));
  // whole numbers below 10: pages and I/Os
  const step = (p < 10 ? [9, 8, 7, 6, 5, 4, 3, 2, 1] : [8, 7, 6, 5, 4, 3, 2.5, 2, 1.5, 1]).find((s) => s * p <= v * (1 + 1e-9)) ?? 1;
  return +(step * p).toPrecision(12);
}

/** The smallest 1, 2 or 5 × 10^k at or above `v` (> 0): at least the top tick vega's nice scale puts over a panel whose largest value is `v`; 0 for 0. */
export function roundAbove(v: number): number {
  if (!(v > 0)) return 0;
  const p = 10 ** Math.floor(Math.log10(v));
  return +(([1, 2, 5, 10].find((s) => s * p >= v * (1 - 1e-9)) ?? 10) * p).toPrecision(12);
}
