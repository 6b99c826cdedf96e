/**
 * How a figure writes a p-value: as a paper does, `p = 0.0123` from 10⁻³
 * up, `p = 1.2 × 10⁻¹²` below it (two significant digits either way, the power of ten
 * in superscript digits, which the report's font has), and `p < 10⁻³⁰⁰`
 * for a p too small for a double (computed as 0). Never `1.2e-12`.
 */

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/** `k` in superscript characters: -12 → `⁻¹²`. */
export function superscript(k: number): string {
  return [...String(k)].map((c) => SUPERSCRIPT[c] ?? c).join('');
}

/** The smallest p written as such: a p of 0 (below a double) is `p < 10⁻³⁰⁰`. */
const P_FLOOR_EXPONENT = -300;

/** Where scientific notation starts: p below 10⁻³, which four decimals would write with one digit or none (0.00015 as 0.0001). */
const P_FIXED_FROM = 1e-3;

/**
 * `p = …` or `p < …` for a two-sided test's p-value `p` (0 ≤ p ≤ 1), as
 * figures write it: `p = 0.5000`, `p = 0.0012`, `p = 1.5 × 10⁻⁴`, `p = 1.2 × 10⁻¹²`,
 * `p < 10⁻³⁰⁰` (p computed as 0).
 */
export function pValueText(p: number): string {
  if (p === 0) return `p < 10${superscript(P_FLOOR_EXPONENT)}`;
  if (p >= P_FIXED_FROM) return `p = ${p.toFixed(4)}`;
  // toExponential rounds the mantissa first: 9.96e-5 is 1.0e-4
  const [mantissa, exponent] = p.toExponential(1).split('e');
  return `p = ${mantissa} × 10${superscript(Number(exponent))}`;
}
