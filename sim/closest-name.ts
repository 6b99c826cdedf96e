/**
 * "Did you mean": the known name closest to one a user misspelt (an option, a
 * configuration key). Pure text: the callers put it in their own messages. In
 * sim/ so that the configuration's messages (sim/config.ts) and the command
 * line (scripts/) share it.
 */

/** The largest edit distance at which a known name is still suggested. */
export const MAX_SUGGEST_DISTANCE = 2;

/**
 * The edit distance of `a` and `b`: the fewest insertions, deletions, substitutions of one
 * character or swaps of two neighbours (optimal string alignment) that turn one into the other.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/** The length of the longest common subsequence of `a` and `b`: how many of `a`'s characters `b` keeps, in order. */
export function commonSubsequence(a: string, b: string): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = [0];
    for (let j = 1; j <= b.length; j++) row.push(a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The names of `known` that `name` most likely stands for, compared without regard to case:
 * the one it is a prefix of, when it is a prefix of exactly one; else those at the smallest edit
 * distance, when that is at most {@link MAX_SUGGEST_DISTANCE} and less than `name`'s length
 * (two letters are not turned into any other two), and of those the ones that keep most of what
 * was typed in order (`sed`: `seed`, which only adds a letter, before `set`, which changes one).
 * Empty when none is close; `name` itself, when known, is never suggested.
 */
export function closestNames(name: string, known: Iterable<string>): string[] {
  const typed = name.toLowerCase();
  const others = [...new Set(known)].filter((k) => k !== name);
  if (typed === '' || others.length === 0) return [];
  const prefixed = others.filter((k) => k.toLowerCase().startsWith(typed));
  if (prefixed.length === 1) return prefixed;
  const scored = others.map((k) => ({ k, d: editDistance(typed, k.toLowerCase()), kept: commonSubsequence(typed, k.toLowerCase()) }));
  const close = scored.filter((x) => x.d <= MAX_SUGGEST_DISTANCE && x.d < typed.length);
  if (close.length === 0) return [];
  const d = Math.min(...close.map((x) => x.d));
  const kept = Math.max(...close.filter((x) => x.d === d).map((x) => x.kept));
  return close.filter((x) => x.d === d && x.kept === kept).map((x) => x.k);
}

/**
 * The suggestion that ends a message about the unknown `name`: `; did you mean X?` (`X or Y`
 * when two or more are as close), each shown by `show` (e.g. with its `--` or its group's
 * dotted path); the empty string when no known name is close ({@link closestNames}).
 */
export function didYouMean(name: string, known: Iterable<string>, show: (k: string) => string = (k) => k): string {
  const names = closestNames(name, known);
  return names.length === 0 ? '' : `; did you mean ${names.map(show).join(' or ')}?`;
}
