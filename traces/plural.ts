/**
 * A count and what it counts, in the number it takes: `1 seed`, `4 seeds`.
 */

/** `n thing` for one, `n things` for any other count. */
export function plural(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? '' : 's'}`;
}
