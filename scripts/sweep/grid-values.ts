/**
 * The check of a sweep's grid values in context: each value of a configuration grid key is
 * resolved with the base and the other grid keys' values of every grid point it is used in, not
 * with the base alone, so that `writeback.params.age_ms` beside a grid's `writeback.policy:
 * [./p.ts]`, or `device.service.mean_us` beside a grid's `device.profile: [queue]`, is taken. A
 * value invalid at every point it is used in is refused as such (`grid key 'K' value V: ...`, at
 * its line); a point whose values are each valid elsewhere but not together is refused naming
 * the points ({@link pointRefusal}).
 */
import { type Config, ConfigError } from '../../sim/config.ts';
import { unknownKeyRest } from '../../sim/config-error.ts';
import { ExperimentError, type Experiment, type GridAxis } from './experiment.ts';
import { canonicalJson, type Json } from './identity.ts';

/** A configuration grid key: its axis and its position among all the experiment's axes. */
export interface ConfigAxis {
  a: GridAxis;
  i: number;
}

/** What resolving one grid point's configuration gave: the configuration, or why it is invalid. */
export type PointConfig = Config | ConfigError;

/** The configurations of a sweep's grid points, as {@link checkGridValues} resolved them once each. */
export interface GridConfigs {
  /**
   * The resolved configuration (or its error) of the grid point with these value indexes (one per
   * axis of the experiment, trace.set axes included): one object per point; points that differ
   * only in trace.set values get copies.
   */
  at(idx: readonly number[]): PointConfig;
  /** Whether the configuration of the grid point with these value indexes is invalid (without handing it out). */
  invalid(idx: readonly number[]): boolean;
}

const stripConfig = (m: string) => m.replace(/^config: /, '');

/** Whether dotted keys `a` and `b` are one key, or one holds the other. */
export const keysMeet = (a: string, b: string): boolean => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

/**
 * Resolves every combination of the configuration axes' values once (`resolveAt` gets the values
 * of every axis, trace.set ones left undefined) and refuses, in grid order, the first value that
 * no grid point using it resolves with and that one of those points' errors blames: `grid key 'K'
 * value V: PROBLEM` at the value's line, the problem of the first such point (an unknown key:
 * `grid key 'K': unknown configuration key` at the key's line). An error blames a value when its
 * key is that grid key's (or holds it, or is held by it), or when it is no grid key's (a base
 * key) and the value is invalid over the base alone (`resolveAlone`). Points invalid otherwise
 * are left to {@link pointRefusal}. Errors other than ConfigError (a profile file that cannot be
 * read) are thrown as they are.
 */
export function checkGridValues(
  exp: Experiment,
  axes: readonly ConfigAxis[],
  resolveAt: (values: readonly Json[]) => Config,
  resolveAlone: (axis: GridAxis, value: Json) => void,
): GridConfigs {
  const sizes = axes.map(({ a }) => a.values.length);
  const results: PointConfig[] = [];
  const handed = new Set<number>();
  for (const idx of cartesian(sizes)) {
    const values: Json[] = new Array(exp.axes.length);
    axes.forEach(({ a, i }, k) => (values[i] = a.values[idx[k]!]!));
    try {
      results.push(resolveAt(values));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      results.push(e);
    }
  }
  /** Whether value j of axis k is invalid over the base alone (memoised). */
  const aloneMemo = new Map<string, boolean>();
  const invalidAlone = (k: number, j: number): boolean => {
    const key = `${k},${j}`;
    let bad = aloneMemo.get(key);
    if (bad === undefined) {
      try {
        resolveAlone(axes[k]!.a, axes[k]!.a.values[j]!);
        bad = false;
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        bad = true;
      }
      aloneMemo.set(key, bad);
    }
    return bad;
  };
  const blames = (e: ConfigError, k: number, j: number): boolean =>
    keysMeet(e.key, axes[k]!.a.key) || (!axes.some(({ a }) => keysMeet(e.key, a.key)) && invalidAlone(k, j));
  // per value: null once a point using it resolved, else the first error that blames it (undefined: none yet)
  const blamed: (ConfigError | null | undefined)[][] = sizes.map((n) => new Array<ConfigError | null | undefined>(n).fill(undefined));
  let p = 0;
  for (const idx of cartesian(sizes)) {
    const r = results[p++]!;
    idx.forEach((j, k) => {
      const was = blamed[k]![j];
      if (was === null) return;
      if (!(r instanceof ConfigError)) blamed[k]![j] = null;
      else if (was === undefined && blames(r, k, j)) blamed[k]![j] = r;
    });
  }
  axes.forEach(({ a }, k) => {
    a.values.forEach((v, j) => {
      const e = blamed[k]![j];
      if (!e) return;
      const unknown = unknownKeyRest(e.problem);
      if (unknown !== undefined) {
        throw new ExperimentError(exp.file, a.line, e.key === a.key ? `grid key '${a.key}': unknown configuration key${unknown}` : `grid key '${a.key}': ${stripConfig(e.message)}`);
      }
      throw new ExperimentError(exp.file, a.valueLines[j]!, `grid key '${a.key}' value ${canonicalJson(v)}: ${stripConfig(e.message)}`);
    });
  });
  const offset = (idx: readonly number[]) => axes.reduce((o, { i }, k) => o * sizes[k]! + idx[i]!, 0);
  return {
    at(idx) {
      const o = offset(idx);
      const r = results[o]!;
      if (r instanceof ConfigError) return r;
      if (handed.has(o)) return structuredClone(r);
      handed.add(o);
      return r;
    },
    invalid: (idx) => results[offset(idx)] instanceof ConfigError,
  };
}

/** How many refused points a {@link pointRefusal} lists before `...`. */
const LISTED_POINTS = 6;

/**
 * The problem of a grid point whose configuration is invalid though none of its values is invalid
 * at every point ({@link checkGridValues}): `grid point N (K=V, ...): PROBLEM`, then, when the grid
 * has other points, how many of them are refused, which, and how to give a key at some points
 * only. `points` are the refused points' numbers and descriptions, first one first.
 */
export function pointRefusal(e: ConfigError, points: readonly { index: number; describe: string }[], total: number): string {
  const [first] = points;
  const head = `grid point ${first!.index} (${first!.describe}): ${stripConfig(e.message)}`;
  if (total <= 1) return head;
  const listed = points.slice(0, LISTED_POINTS).map((p) => p.index).join(', ');
  return `${head}; ${points.length} of ${total} grid points are invalid (${points.length === 1 ? 'point' : 'points'} ${listed}${points.length > LISTED_POINTS ? ', ...' : ''}): `
    + 'the values of a point must be valid together, and a sweep runs every combination of its grid\'s values; to give a key at some points only, '
    + `make the group holding it one grid key, a value for each combination${GROUP_EXAMPLES[e.key.split('.')[0]!] ?? ''}`;
}

/** An example of a group as one grid key, by the group of the key a point's error names. */
const GROUP_EXAMPLES: Record<string, string> = {
  writeback: ' (writeback: [{ policy: flusher }, { policy: ./p.ts, params: { idle_pages: 64 } }])',
  device: ' (device: [{ profile: nvme }, { profile: queue, service: { dist: constant, mean_us: 50 } }])',
};

/** The cartesian product of the axes' value indexes, first axis outermost. */
export function* cartesian(sizes: readonly number[]): Generator<number[]> {
  const n = sizes.length;
  if (sizes.some((s) => s === 0)) return;
  const idx = new Array<number>(n).fill(0);
  for (;;) {
    yield [...idx];
    let k = n - 1;
    while (k >= 0 && ++idx[k] === sizes[k]) idx[k--] = 0;
    if (k < 0) return;
  }
}
