/**
 * Generator parameters swept as sizes with a binary suffix (`trace.set.footprint: [1M, 4M, 16M]`), read as
 * the byte counts the generator made of them (`syncsim gen`: `K`, `M`, `G`, `T` are 2^10 .. 2^40), so that a
 * report draws their sweep lines and names them in one unit (`footprint (MiB)`: 1, 4, 16) as it does a grid of
 * byte counts. Until 2026-12-06 such a grid got no line chart, and its configurations were named `freebsd, 1M`
 * under `footprint (bytes)`.
 */

/** A size as a preset parameter takes it: digits and an optional binary suffix. */
const SIZE_RE = /^(\d+)([KMGT])?$/i;
const SIZE_UNIT: Readonly<Record<string, number>> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** The byte count of size `v` (`4M`: 4194304), or undefined when it is no size or passes 2^53. */
function sizeBytes(v: string): number | undefined {
  const m = SIZE_RE.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * (m[2] ? SIZE_UNIT[m[2].toUpperCase()]! : 1);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The grid values of key `key` (as written in results.csv) as the report reads them: a generator parameter
 * (`trace.set.*`) whose every value is a size and one at least has a suffix (only a size parameter takes one:
 * the generator refused it elsewhere) becomes byte counts (`['1M', '4194304']`: `['1048576', '4194304']`);
 * any other key's values are returned as they are.
 */
export function gridSizes(key: string, values: readonly string[]): string[] {
  if (!key.startsWith('trace.set.') || !values.some((v) => /[KMGT]\s*$/i.test(v))) return [...values];
  const bytes = values.map(sizeBytes);
  return bytes.every((b) => b !== undefined) ? bytes.map(String) : [...values];
}
