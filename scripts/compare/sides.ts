/**
 * What `syncsim compare` compares: a side is one run directory (a summary.json
 * and its syncs.csv) or one grid point of a sweep, `SWEEP@N` (point N) or
 * `SWEEP@key=value,...` (the point with those grid values), whose runs are its
 * seeds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { didYouMean } from '../../sim/closest-name.ts';
import { parseJsonText } from '../../traces/json-strict.ts';
import { metricValue } from '../sweep/metrics.ts';
import { keyShortTitle, valueWithUnit } from '../../reports/labels.ts';
import { dotted } from '../../reports/data.ts';
import { resultsOf } from '../sweep/tables.ts';
import { addSyncs, FAILED_SYNCS_MEANING, noSyncs, okShareGap, syncsText } from '../failed-syncs.ts';
import { sameTrace } from './trace-ids.ts';

/** One run of a side. */
export interface SideRun {
  dir: string;
  /** The run's seed (summary.json config.seed). */
  seed: number;
  summary: Record<string, unknown>;
}

/** One side of a comparison. */
export interface Side {
  /** As written on the command line. */
  spec: string;
  /** A short name for tables (`key=value, ...` for a sweep's point). */
  label: string;
  /** The name in a figure's legend: the keys' titles, not the dotted keys (default {@link label}). */
  figureLabel?: string;
  /** The configuration keys that name already gives (a sweep point's grid keys): the figure does not repeat them. */
  stated?: string[];
  runs: SideRun[];
  /** A sweep point some of whose runs are not finished (an interrupted sweep): how many are, of how many. */
  unfinished?: { finished: number; planned: number };
}

/** `{ personality }` when every run of `side` has the same one (what colours the side as its kernel), else `{}`. */
export function sidePersonality(side: Side): { personality?: string } {
  const kernels = new Set(side.runs.map((r) => (r.summary.config as { personality?: unknown } | undefined)?.personality));
  const [only] = kernels;
  return kernels.size === 1 && typeof only === 'string' ? { personality: only } : {};
}

function readJson(file: string, what: string): Record<string, unknown> {
  try {
    return parseJsonText(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new InputError(`${what}: cannot read ${file}: ${(e as Error).message}`);
  }
}

function runOf(dir: string, what: string): SideRun {
  const summary = readJson(join(dir, 'summary.json'), what);
  const seed = (summary.config as { seed?: unknown } | undefined)?.seed;
  if (typeof seed !== 'number') throw new InputError(`${what}: ${join(dir, 'summary.json')} is not a syncsim summary (no config.seed)`);
  return { dir, seed, summary };
}

/** Loads side `spec` (a run directory, or SWEEP@POINT). */
export function loadSide(spec: string): Side {
  const at = spec.lastIndexOf('@');
  if (at < 0) {
    const dir = resolve(spec);
    // a name that is nothing: said as report and merge say it (user trial 195: "not a run directory" sent the user looking for a summary.json)
    if (!existsSync(dir)) throw new InputError(`${spec}: does not exist (a run directory, or SWEEP@N for a point of a sweep)`);
    if (!existsSync(join(dir, 'summary.json'))) {
      throw new InputError(`${spec}: not a run directory (no summary.json); for a point of a sweep write SWEEP@N or SWEEP@key=value,...`);
    }
    return { spec, label: basename(dir), runs: [runOf(dir, spec)] };
  }
  const sweep = resolve(spec.slice(0, at));
  const sel = spec.slice(at + 1);
  // a sweep directory that is not there, or not a sweep's: said so, not the system's error on experiment.json (review 196)
  if (!existsSync(sweep)) throw new InputError(`${spec}: ${spec.slice(0, at)} does not exist (SWEEP@N: a sweep's directory and a point of it)`);
  if (!existsSync(join(sweep, 'experiment.json'))) throw new InputError(`${spec}: ${spec.slice(0, at)} is not a sweep directory (no experiment.json)`);
  const manifest = readJson(join(sweep, 'experiment.json'), spec) as {
    keys?: string[]; points?: { point: number; values: unknown[] }[]; runs?: { id: string; point: number; seed: number }[]; labels?: Record<string, string>;
  };
  if (!Array.isArray(manifest.points) || !Array.isArray(manifest.runs) || !Array.isArray(manifest.keys)) {
    throw new InputError(`${spec}: ${join(sweep, 'experiment.json')} is not a sweep manifest`);
  }
  let point: { point: number; values: unknown[] } | undefined;
  if (/^\d+$/.test(sel)) point = manifest.points.find((p) => p.point === Number(sel));
  else {
    const want = new Map<string, string>();
    for (const kv of sel.split(',')) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new InputError(`${spec}: expected @N or @key=value,... after the sweep directory (got '${kv}')`);
      const key = kv.slice(0, eq);
      if (!manifest.keys.includes(key)) throw new InputError(`${spec}: '${key}' is not a grid key of this sweep (keys: ${manifest.keys.join(', ')})${didYouMean(key, manifest.keys)}`);
      want.set(key, kv.slice(eq + 1));
    }
    const matches = manifest.points.filter((p) => manifest.keys!.every((k, i) => !want.has(k) || String(p.values[i]) === want.get(k)));
    if (matches.length > 1) throw new InputError(`${spec}: ${matches.length} grid points match; give every grid key (${manifest.keys.join(', ')})`);
    point = matches[0];
    if (!point) throw new InputError(`${spec}: ${noPointProblem(manifest.keys, manifest.points, want)}`);
  }
  if (!point) throw new InputError(`${spec}: no such grid point (points ${manifest.points.map((p) => p.point).join(', ')})`);
  const planned = manifest.runs.filter((r) => r.point === point!.point).map((r) => join(sweep, 'runs', r.id));
  const runs = planned.filter((d) => existsSync(join(d, 'summary.json')));
  if (runs.length === 0) throw new InputError(`${spec}: no finished run of point ${point.point} in ${sweep}`);
  const unfinished = runs.length < planned.length ? { finished: runs.length, planned: planned.length } : undefined;
  const label = manifest.keys.map((k, i) => `${k}=${String(point!.values[i])}`).join(', ') || `point ${point.point}`;
  // in a figure, the keys' titles (the experiment's labels, else the tables'), never the dotted key
  const labels = manifest.labels && typeof manifest.labels === 'object' ? manifest.labels : {};
  // each value with its unit, in the unit the sweep's report gives the key (over all its grid values), a 0 that means
  // no limit by its word: `memory unlimited`, `memory 1500 pages`, not `memory 0`
  const gridOf = (i: number) => [...new Set(manifest.points!.map((p) => String(p.values[i])))];
  const figureLabel = manifest.keys.map((k, i) => `${keyShortTitle(k, labels)} ${valueWithUnit(k, String(point!.values[i]), gridOf(i), labels)}`).join(', ') || `point ${point.point}`;
  return { spec, label, figureLabel, stated: [...manifest.keys], runs: runs.map((d) => runOf(d, spec)), ...(unfinished ? { unfinished } : {}) };
}

/**
 * The note for a side that is a sweep point with runs not finished (`B is 2 of the 3 runs of its
 * sweep point: ...`), else undefined: the comparison uses the finished ones, which a resumed sweep
 * would add to.
 */
export function unfinishedNote(side: Side, name: string): string | undefined {
  const u = side.unfinished;
  if (!u) return undefined;
  return `${name} (${side.spec}) is ${u.finished} of the ${u.planned} runs of its sweep point: the sweep is not finished (interrupted, or running); compared on those ${u.finished}, resume the sweep for all ${u.planned}`;
}

/**
 * Why no grid point of `points` (values in the order of `keys`) has the values `want` gives
 * (key → value as written): the first key whose value is none of its grid values, with those
 * values and the closest (`personality=bsd is not a value of grid key 'personality' (its values:
 * linux, freebsd); did you mean ...?`); else that no point has them together.
 */
export function noPointProblem(keys: readonly string[], points: readonly { point: number; values: unknown[] }[], want: ReadonlyMap<string, string>): string {
  for (const [key, value] of want) {
    const i = keys.indexOf(key);
    const values = [...new Set(points.map((p) => String(p.values[i])))];
    if (!values.includes(value)) return `${key}=${value} is not a value of grid key '${key}' (its values: ${values.join(', ')})${didYouMean(value, values, (v) => `${key}=${v}`)}`;
  }
  return `no grid point has ${[...want].map(([k, v]) => `${k}=${v}`).join(' and ')} (points ${points.map((p) => p.point).join(', ')})`;
}

/**
 * A dotted key of a summary (`sync.latency_us.p99`), or undefined when absent or not a number;
 * a result code a run never returned (`sync.errors.EIO`) counts 0, as in a sweep's tables.
 */
export function metricOf(summary: Record<string, unknown>, key: string): number | undefined {
  return metricValue(summary, key) ?? undefined;
}

/**
 * Why a run has no value of `metric` (undefined from {@link metricOf}): what it did not do, when
 * the summary holds null there (a statistic of nothing: `the run made no page durable
 * (durability.durable_pages 0)`), else undefined (the key is absent or not a number).
 */
export function noValueReason(summary: Record<string, unknown>, metric: string): string | undefined {
  if (metricValue(summary, metric) !== null) return undefined;
  if (dotted(summary, metric) !== null) return undefined;
  const at = (key: string) => metricValue(summary, key);
  if (metric.startsWith('sync.latency_us.')) {
    const warmUs = at('config.stats.warmup_us') ?? 0;
    return `the run made no successful msync${warmUs > 0 ? ` after its warm-up (config.stats.warmup_us ${warmUs})` : ''} (sync.ok ${at('sync.ok') ?? '?'})`;
  }
  if (metric.startsWith('wire.latency_us.') || metric.startsWith('wire.unwire_latency_us.')) {
    const op = metric.startsWith('wire.latency_us.') ? 'wire' : 'unwire';
    const warmUs = at('config.stats.warmup_us') ?? 0;
    return `the run made no successful ${op} call${warmUs > 0 ? ` after its warm-up (config.stats.warmup_us ${warmUs})` : ''} (wire.by_op.${op}.count ${at(`wire.by_op.${op}.count`) ?? '?'}, failed ${at(`wire.by_op.${op}.failed`) ?? '?'})`;
  }
  if (metric.startsWith('durability.lag_us.')) return `the run made no page durable (durability.durable_pages ${at('durability.durable_pages') ?? '?'})`;
  if (metric.startsWith('txn.latency_us.')) return `the run committed no transaction (txn.count ${at('txn.count') ?? '?'})`;
  if (metric === 'writeback.amplification') return `the run stored nothing (writeback.dirtied_bytes ${at('writeback.dirtied_bytes') ?? '?'})`;
  return 'the run has none (null)';
}

/**
 * `side` with its runs kept to one when they all gave the same results (seeds that are copies:
 * a trace file replayed by a model that draws nothing random), and the note that says so;
 * else `side` as it is. Copies pooled would count each msync as many times as there are seeds.
 */
export function withoutCopies(side: Side, name: string): { side: Side; note?: string } {
  if (side.runs.length < 2) return { side };
  const first = resultsOf(side.runs[0]!.summary);
  if (!side.runs.every((r) => resultsOf(r.summary) === first)) return { side };
  return {
    side: { ...side, runs: [side.runs[0]!] },
    note: `${name}'s ${side.runs.length} seeds (${side.runs.map((r) => r.seed).join(', ')}) gave the same results: copies, not replications; counted as one run (seed ${side.runs[0]!.seed})`,
  };
}

/**
 * The note for sides that replayed different traces (no SHA-256 in common: trace-ids.ts), else undefined: a side's
 * one trace by its name and hash, a side of several (a sweep point of generated traces, one per seed) by their
 * number. Sides with a trace in common (two points of one sweep, seed by seed) get none.
 */
export function tracesNote(a: Side, b: Side): string | undefined {
  const hashes = (s: Side) => new Set(s.runs.map((r) => (r.summary.provenance as { trace_sha256?: unknown } | undefined)?.trace_sha256));
  const ha = hashes(a), hb = hashes(b);
  if (![...ha, ...hb].every((h) => typeof h === 'string')) return undefined;
  // a trace in common (a file, or the CSV a cache was made from): one side's seeds may be counted as one run (copies)
  if (a.runs.some((ra) => b.runs.some((rb) => sameTrace(ra, rb)))) return undefined;
  const name = (s: Side) => {
    const t = s.runs[0]!.summary.trace as { path?: unknown; name?: unknown } | undefined;
    return String(t?.path ?? t?.name ?? 'rows');
  };
  const which = (s: Side, h: Set<unknown>) => (h.size === 1 ? `${name(s)}, sha256 ${String([...h][0]).slice(0, 12)}` : `${h.size} traces`);
  return `A and B replayed different traces (A ${which(a, ha)}; B ${which(b, hb)}): their differences mix the traces' and the configurations'`;
}

/**
 * The note for sides of which one had a far smaller share of its msyncs return OK than the other
 * ({@link okShareGap}: a personality that rejects calls the other accepts), else undefined.
 */
export function failedSyncsNote(a: Side, b: Side): string | undefined {
  const count = (s: Side, name: string) => {
    const c = noSyncs(name);
    for (const r of s.runs) addSyncs(c, r.summary);
    return c;
  };
  const gap = okShareGap([count(a, 'A'), count(b, 'B')]);
  if (!gap) return undefined;
  const low = gap.low[0]!;
  return `${low.label}'s msyncs: ${syncsText(low)}, ${gap.best.label}'s ${syncsText(gap.best)}; ${FAILED_SYNCS_MEANING}`;
}
