/**
 * The binary units charts write byte counts in (bytes, KiB, MiB, GiB, TiB),
 * and the one a chart's values read best in.
 */

/** A unit's name and the bytes it holds. */
export type ByteUnit = readonly [name: string, bytes: number];

/** Binary units of byte counts, smallest first. */
export const BYTE_UNITS: readonly ByteUnit[] = [['bytes', 1], ['KiB', 2 ** 10], ['MiB', 2 ** 20], ['GiB', 2 ** 30], ['TiB', 2 ** 40]];

/**
 * The largest unit, `largest` at most, that `bytes` holds `times` times or more (2 for an axis whose
 * largest value is `bytes`: 1.5 MiB is drawn as 1,536 KiB), or bytes when none does.
 */
export function byteUnit(bytes: number, times: number, largest: string = BYTE_UNITS[BYTE_UNITS.length - 1][0]): ByteUnit {
  const top = BYTE_UNITS.findIndex(([name]) => name === largest);
  for (let i = top; i > 0; i--) if (bytes >= BYTE_UNITS[i][1] * times) return BYTE_UNITS[i];
  return BYTE_UNITS[0];
}

/**
 * The largest unit a y axis of byte counts (a sweep's metric, writeback by cause) is drawn in: GiB, so 4 TiB is
 * drawn as 4,096 GiB, as those charts did before they shared this table; a grid key's axis (labels.ts axisUnit)
 * takes TiB.
 */
export const METRIC_BYTE_UNIT_MAX = 'GiB';
