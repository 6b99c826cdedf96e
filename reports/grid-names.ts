/**
 * How a sweep's configurations are named: their grid values as the legends
 * write them (a group of values given as one grid key in words, times and
 * byte counts in each key's unit, a 0 that means no limit as its word), and
 * the title of those names (the grid keys with their units).
 */
import { basename } from 'node:path';
import { legendKey, type LabelOverrides } from './labels.ts';

/**
 * A grid value naming a plugin file, as the configuration reads one (`writeback.policy`, `device.discipline`:
 * ending in .ts, .mts, .js or .mjs; sim/plugin/config-keys.ts, which reports/ may not import: the model).
 */
const PLUGIN_FILE = /\.(m?ts|m?js)$/i;

/**
 * A grid value as a legend shows it: as it is, save a whole group given as
 * the grid key (`writeback: [{ policy: flusher }, { policy: ./p.ts, params:
 * { age_ms: 100 } }]`), whose cell is JSON: its text values bare, then its
 * other values as `name=value` by their last key (`./p.ts, age_ms=100`;
 * `flusher`). A value that does not parse as a JSON object stays as it is.
 */
export function valueLabel(v: string): string {
  if (!v.startsWith('{')) return v;
  let o: unknown;
  try {
    o = JSON.parse(v);
  } catch {
    return v;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return v;
  const texts: string[] = [], named: string[] = [];
  const walk = (x: unknown, key: string) => {
    if (typeof x === 'object' && x !== null && !Array.isArray(x)) {
      for (const [k, y] of Object.entries(x)) walk(y, k);
    } else if (typeof x === 'string') texts.push(x);
    else named.push(`${key}=${JSON.stringify(x)}`);
  };
  walk(o, '');
  const parts = [...texts, ...named];
  return parts.length > 0 ? parts.join(', ') : v;
}

/** How a sweep names its configurations: the legend title of their names and each grid point's name. */
export interface GridNames {
  /** The grid keys with their units, as the names give the values (`kernel, memlock limit (MiB)`). */
  title: string;
  /** A grid point's name from its grid values as written (`linux, 2`; `freebsd, unlimited`). */
  name(values: readonly string[]): string;
  /** Its name of before 2026-12-06, the grid values as written (`linux, 2097152`; `freebsd, 0`), which `--configs` still takes. */
  asWritten(values: readonly string[]): string;
}

/**
 * The names of the configurations of a sweep over grid keys `keys`, whose grid values (as written) are
 * `grid` (each point's, in key order): each key in the one unit it has in every figure of the report
 * (`legendKey` over all its values: 2097152 bytes `2` under `(MiB)`, as its sweep axis writes it), a 0
 * that means no limit as its word (`unlimited`).
 */
export function gridNames(keys: readonly string[], grid: readonly (readonly string[])[], overrides: LabelOverrides = {}): GridNames {
  const named = keys.map((k, i) => legendKey(k, [...new Set(grid.map((values) => values[i] ?? ''))], overrides));
  const plugins = keys.map((_, i) => pluginNames([...new Set(grid.map((values) => values[i] ?? ''))]));
  return {
    title: named.map((n) => n.title).join(', '),
    name: (values) => values.map((v, i) => plugins[i]!.get(v ?? '') ?? named[i]!.text(valueLabel(v ?? ''))).join(', '),
    asWritten: (values) => values.map((v) => valueLabel(v ?? '')).join(', '),
  };
}

/**
 * The names of the plugin files among one grid key's values (`../plugins/deadline.ts`): their file names
 * (`deadline.ts`), as a reader of a figure needs them, not the path from the experiment file; a path is kept as
 * written where its file name would be another value's name too (two `policy.ts` in different folders, or a
 * built-in of that name). Values that are not plugin files are not in the map.
 */
export function pluginNames(values: readonly string[]): Map<string, string> {
  const files = values.filter((v) => PLUGIN_FILE.test(v) && /[\\/]/.test(v));
  const short = new Map(files.map((v) => [v, basename(v.replace(/\\/g, '/'))]));
  const taken = (name: string, own: string) => values.some((o) => o !== own && (short.get(o) ?? o) === name);
  return new Map([...short].filter(([v, name]) => !taken(name, v)));
}
