/**
 * Experiment files (YAML): what a sweep runs. Parsing keeps every node's source position, so a
 * problem found now or later (an unknown configuration key, a bad generator parameter, a
 * duplicated grid value) is reported with the file and line that hold it.
 *
 * ```yaml
 * name: ckpt-vs-wal
 * trace: { gen: db-checkpoint, set: { duration_s: 60 } }   # or { path: traces/x.csv.gz }
 * base: { personality: linux, device: { channels: 4 } }    # any run configuration keys
 * grid:                                                    # cartesian product, first key outermost
 *   personality: [freebsd, linux]
 *   pager.cluster_pages: [8, 32]
 *   trace.set.duration_s: [10, 60]                         # generator parameters too
 * seeds: 10                                                # replications 1..10, or a list
 * metrics: [sync.latency_us.p99, writeback.bytes]
 * labels: { trace.set.duration_s: "trace length (s)" }     # chart titles of keys and metrics
 * ```
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { findPrototypeKey, isPrototypeKey } from '../../sim/keys.ts';
import { didYouMean } from '../../sim/closest-name.ts';
import { isSectionName } from '../../sim/config-sections.ts';
import { unreadableReason } from '../../traces/files.ts';
import { InputError, requireReadable } from '../errors.ts';
import { parseYamlDoc, YamlError } from '../yaml-file.ts';
import { DEFAULT_METRICS, metricProblem } from './metrics.ts';
import { canonicalJson, type Json } from './identity.ts';
import { MAX_SEED } from '../commands/seed-option.ts';

/**
 * A problem in an experiment file. `message` is `FILE:LINE: PROBLEM` or
 * `FILE:LINE: PROBLEM (got 'TEXT')`; an {@link InputError}, so the CLI exits with 2.
 */
export class ExperimentError extends InputError {
  readonly file: string;
  readonly line: number;
  readonly problem: string;

  constructor(file: string, line: number, problem: string, got?: string) {
    super(`${file}:${line}: ${problem}${got === undefined ? '' : ` (got '${got}')`}`);
    this.name = 'ExperimentError';
    this.file = file;
    this.line = line;
    this.problem = problem;
  }
}

/** Where the trace of every run comes from. */
export type TraceSpec =
  | { kind: 'path'; /** Absolute path. */ path: string; /** As written in the file. */ display: string; line: number }
  | { kind: 'gen'; gen: string; /** Generator parameters given under `trace.set`. */ set: Record<string, Json>; line: number };

/** One `base` key, flattened to its dotted name. */
export interface BaseEntry {
  key: string;
  value: Json;
  line: number;
}

/** One grid key and its values, in file order. */
export interface GridAxis {
  /** The dotted key as written: a configuration key, or `trace.set.PARAM`. */
  key: string;
  values: Json[];
  line: number;
  valueLines: number[];
}

/** A parsed, shape-checked experiment (configuration keys and generator parameters are checked by the plan). */
export interface Experiment {
  /** The file as named on the command line. */
  file: string;
  /** Its text. */
  text: string;
  name: string;
  nameLine: number;
  trace: TraceSpec;
  base: BaseEntry[];
  baseLine: number;
  axes: GridAxis[];
  gridLine: number;
  seeds: number[];
  seedsLine: number;
  metrics: string[];
  /** Chart titles of grid keys, configuration keys or metrics (`labels:`), overriding reports/labels.ts. */
  labels: Record<string, string>;
  /** Line of a `trace.set` parameter (or of `trace` when it is not written there). */
  setLine(param: string): number;
}

const TOP_KEYS = ['name', 'description', 'trace', 'base', 'grid', 'seeds', 'metrics', 'labels'] as const;
/** Longest chart title a `labels:` entry may give. */
const MAX_LABEL = 200;
const NAME_RE = /^[A-Za-z0-9_.-]+$/;
const GRID_KEY_RE = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? String(v));

/** Every pair of the maps under `node`, through aliases (each node once). */
function* walkPairs(node: unknown, deref: (n: unknown) => unknown, seen = new Set<unknown>()): Generator<Pair> {
  const n = deref(node);
  if (seen.has(n)) return;
  seen.add(n);
  if (isMap(n)) {
    for (const p of n.items) {
      yield p;
      yield* walkPairs(p.value, deref, seen);
    }
  } else if (isSeq(n)) for (const it of n.items) yield* walkPairs(it, deref, seen);
}

/** Parses and checks the shape of experiment file `file`. Throws {@link ExperimentError} or InputError. */
export function readExperiment(file: string): Experiment {
  requireReadable(file, 'experiment file');
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw new Error('is a directory');
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read experiment file ${file}: ${(e as Error).message}`);
  }
  return parseExperiment(text, file);
}

/** Parses experiment text; `file` names it in messages and anchors relative trace paths. */
export function parseExperiment(text: string, file: string): Experiment {
  let y: ReturnType<typeof parseYamlDoc>;
  try {
    y = parseYamlDoc(text);
  } catch (e) {
    if (e instanceof YamlError) throw new ExperimentError(file, e.line, e.problem);
    throw e;
  }
  const { doc, lineAt } = y;
  const lineOf = (n: Node | Pair | null | undefined): number => {
    if (!n) return 1;
    const r = (n as Node).range ?? ((n as Pair).key as Node | null)?.range;
    return lineAt(r?.[0]);
  };
  const fail = (n: Node | Pair | null | undefined | number, problem: string, got?: unknown): never => {
    throw new ExperimentError(file, typeof n === 'number' ? n : lineOf(n), problem, got === undefined ? undefined : show(got));
  };
  // An alias (`*a`) stands for the node it names wherever it is used; its line is the use's.
  for (const pair of walkPairs(doc.contents, y.deref)) {
    const k = y.deref(pair.key);
    const name = isScalar(k) ? String(k.value) : '';
    const seg = name.split('.').find(isPrototypeKey);
    if (seg !== undefined) fail(pair.key as Node, `key '${name}' is not allowed (${seg === name ? 'a prototype name' : `'${seg}' is a prototype name`})`);
  }
  const toJs = (n: unknown): Json => {
    const v = y.toJs(y.deref(n)) as Json;
    const hit = findPrototypeKey(v);
    if (hit !== undefined) fail(n as Node, `key '${hit}' is not allowed (a prototype name)`);
    return v;
  };
  /** What a pair's value stands for (an alias: the node it names). */
  const valueOf = (p: Pair): unknown => y.deref(p.value);
  /** A pair's key as text ('' when it is not a scalar). */
  const keyText = (p: Pair): string => {
    const k = y.deref(p.key);
    return isScalar(k) ? String(k.value) : '';
  };
  const root = doc.contents;
  if (!isMap(root)) fail(root, 'an experiment must be a mapping of keys (name, trace, base, grid, seeds, metrics)');
  const top = new Map<string, Pair>();
  for (const p of y.pairs(root as YAMLMap)) {
    const k = isScalar(y.deref(p.key)) ? keyText(p) : undefined;
    if (typeof k !== 'string' || !(TOP_KEYS as readonly string[]).includes(k)) {
      fail(p.key as Node, `unknown key (an experiment has ${TOP_KEYS.join(', ')})${typeof k === 'string' ? didYouMean(k, TOP_KEYS) : ''}`, isScalar(p.key) ? p.key.value : p.key);
    }
    top.set(k as string, p);
  }
  const require = (k: string): Pair => top.get(k) ?? fail(1, `missing key '${k}'`);

  // name
  const nameP = require('name');
  const name = toJs(nameP.value);
  if (typeof name !== 'string' || !NAME_RE.test(name)) fail(nameP.value as Node, "'name' must be a word of letters, digits, '_', '.' or '-'", name);

  // trace
  const traceP = require('trace');
  const tnode = valueOf(traceP) as Node;
  if (!isMap(tnode)) fail(tnode ?? traceP, "'trace' must be a mapping: { gen: PRESET, set: {...} } or { path: FILE }");
  const tmap = tnode as YAMLMap;
  const tkeys = new Map<string, Pair>();
  for (const p of y.pairs(tmap)) {
    const k = keyText(p);
    if (!['gen', 'set', 'path'].includes(k)) fail(p.key as Node, "unknown key in 'trace' (gen, set or path)", k);
    tkeys.set(k, p);
  }
  let trace: TraceSpec;
  const setPairs = new Map<string, Pair>();
  if (tkeys.has('path')) {
    if (tkeys.has('gen') || tkeys.has('set')) fail(tnode, "'trace' has either 'path' or 'gen' (with 'set'), not both");
    const pp = tkeys.get('path')!;
    const display = toJs(pp.value);
    if (typeof display !== 'string' || display === '') fail((pp.value as Node) ?? pp, "'trace.path' must be a file name", display);
    const abs = resolve(dirname(file), display as string);
    if (!existsSync(abs)) fail((pp.value as Node) ?? pp, `trace file not found: ${abs} (a relative trace.path is relative to the experiment file)`, display);
    const why = unreadableReason(abs) ?? (statSync(abs).isFile() ? undefined : 'is not a regular file (a pipe or a device): a trace is read more than once; save it to a file first');
    if (why !== undefined) fail((pp.value as Node) ?? pp, `trace file ${abs}: ${why}`, display);
    trace = { kind: 'path', path: abs, display: display as string, line: lineOf(pp.value as Node) };
  } else if (tkeys.has('gen')) {
    const gp = tkeys.get('gen')!;
    const gen = toJs(gp.value);
    if (typeof gen !== 'string' || gen === '') fail((gp.value as Node) ?? gp, "'trace.gen' must name a workload preset", gen);
    const set: Record<string, Json> = {};
    const sp = tkeys.get('set');
    const spv = sp ? valueOf(sp) : null;
    if (sp && spv !== null) {
      if (!isMap(spv)) fail(sp.value as Node, "'trace.set' must be a mapping of generator parameters");
      for (const p of y.pairs(spv as YAMLMap)) {
        const k = keyText(p);
        const v = toJs(p.value);
        if (v === null || typeof v === 'object') fail((p.value as Node) ?? p, `generator parameter '${k}' must be a number or a word`, v);
        set[k] = v;
        setPairs.set(k, p);
      }
    }
    trace = { kind: 'gen', gen: gen as string, set, line: lineOf(gp.value as Node) };
  } else {
    return fail(tnode, "'trace' needs 'gen' (a workload preset) or 'path' (a trace file)");
  }

  // base: nested mappings and dotted keys, flattened
  const base: BaseEntry[] = [];
  const baseP = top.get('base');
  const baseV = baseP ? valueOf(baseP) : null;
  if (baseP && baseV !== null) {
    if (!isMap(baseV)) fail(baseP.value as Node, "'base' must be a mapping of configuration keys");
    const walk = (m: YAMLMap, prefix: string): void => {
      for (const p of y.pairs(m)) {
        const k = keyText(p);
        if (!GRID_KEY_RE.test(k)) fail(p.key as Node, 'not a configuration key', k);
        const key = prefix ? `${prefix}.${k}` : k;
        if (key === 'seed') fail(p.key as Node, "the seed of each run comes from 'seeds', not from 'base'");
        const pv = valueOf(p);
        if (isMap(pv) && y.pairs(pv).length > 0) walk(pv, key);
        else {
          if (base.some((b) => b.key === key || b.key.startsWith(`${key}.`) || key.startsWith(`${b.key}.`))) fail(p.key as Node, `key '${key}' is given twice in 'base'`);
          base.push({ key, value: toJs(p.value), line: lineOf(p) });
        }
      }
    };
    walk(baseV as YAMLMap, '');
  }

  // grid
  const axes: GridAxis[] = [];
  const gridP = top.get('grid');
  const gridV = gridP ? valueOf(gridP) : null;
  if (gridP && gridV !== null) {
    if (!isMap(gridV)) fail(gridP.value as Node, "'grid' must be a mapping of keys to lists of values");
    for (const p of y.pairs(gridV as YAMLMap)) {
      const key = keyText(p);
      if (!GRID_KEY_RE.test(key)) fail(p.key as Node, 'not a grid key (a dotted configuration key or trace.set.PARAM)', key);
      if (key === 'seed') fail(p.key as Node, "grid key 'seed': replications are given by 'seeds'");
      // a personality section's key (base: {linux: {...}} takes them): a grid varies the key itself, with personality a grid key too
      const head = key.split('.')[0]!;
      if (isSectionName(head)) fail(p.key as Node, `grid key '${key}': a grid cannot vary a key of a personality section (only 'base' holds sections); vary ${key.slice(head.length + 1) || 'its keys'} itself, with personality a grid key too`);
      if (key.startsWith('trace.') || key === 'trace') {
        if (!/^trace\.set\.[A-Za-z0-9_]+$/.test(key)) fail(p.key as Node, `grid key '${key}': the only trace keys a grid may vary are trace.set.PARAM`);
        if (trace.kind !== 'gen') fail(p.key as Node, `grid key '${key}': trace.set.PARAM needs a generated trace (trace.gen)`);
      }
      for (const a of axes) {
        if (a.key.startsWith(`${key}.`) || key.startsWith(`${a.key}.`)) fail(p.key as Node, `grid key '${key}' overlaps grid key '${a.key}'`);
      }
      const pv = valueOf(p);
      if (!isSeq(pv) || pv.items.length === 0) fail((p.value as Node) ?? p, `grid key '${key}' must have a non-empty list of values`, toJs(p.value));
      const items = (pv as { items: unknown[] }).items;
      const values: Json[] = [];
      const valueLines: number[] = [];
      const seen = new Set<string>();
      for (const it of items) {
        const v = toJs(it);
        const c = canonicalJson(v);
        if (seen.has(c)) fail(it as Node, `grid key '${key}' lists the same value twice`, v);
        seen.add(c);
        values.push(v);
        valueLines.push(lineOf(it as Node));
      }
      axes.push({ key, values, line: lineOf(p), valueLines });
    }
  }

  // seeds
  let seeds: number[] = [1];
  const seedsP = top.get('seeds');
  if (seedsP) {
    const v = toJs(seedsP.value);
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v < 1 || v > 100000) fail(seedsP.value as Node, "'seeds' must be a number of replications from 1 to 100000, or a list of seeds", v);
      seeds = Array.from({ length: v }, (_, i) => i + 1);
    } else if (Array.isArray(v) && v.length > 0) {
      const items = (valueOf(seedsP) as { items: Node[] }).items;
      seeds = [];
      v.forEach((s, i) => {
        if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s > MAX_SEED) fail(items[i], `a seed must be an integer from 0 to ${MAX_SEED}`, s);
        if (seeds.includes(s as number)) fail(items[i], "'seeds' lists the same seed twice", s);
        seeds.push(s as number);
      });
    } else fail((seedsP.value as Node) ?? seedsP, "'seeds' must be a number of replications (seeds 1..N) or a non-empty list of seeds", v);
  }

  // metrics
  let metrics = [...DEFAULT_METRICS];
  const metricsP = top.get('metrics');
  if (metricsP) {
    const v = toJs(metricsP.value);
    if (!Array.isArray(v) || v.length === 0) fail((metricsP.value as Node) ?? metricsP, "'metrics' must be a non-empty list of summary.json fields", v);
    const items = (valueOf(metricsP) as { items: Node[] }).items;
    metrics = [];
    (v as Json[]).forEach((m, i) => {
      if (typeof m !== 'string') return fail(items[i], 'a metric must be a dotted summary.json field', m);
      const problem = metricProblem(m);
      if (problem) fail(items[i], `metric '${m}': ${problem}`);
      if (metrics.includes(m)) fail(items[i], `metric '${m}' is listed twice`);
      metrics.push(m);
    });
  }

  // labels: key or metric -> chart title
  const labels: Record<string, string> = {};
  const labelsP = top.get('labels');
  const labelsV = labelsP ? valueOf(labelsP) : null;
  if (labelsP && labelsV !== null) {
    if (!isMap(labelsV)) fail(labelsP.value as Node, "'labels' must be a mapping of keys or metrics to chart titles", toJs(labelsP.value));
    for (const p of y.pairs(labelsV as YAMLMap)) {
      const k = keyText(p);
      if (!GRID_KEY_RE.test(k)) fail(p.key as Node, 'a label is for a dotted configuration key, trace.set.PARAM or metric', k);
      const v = toJs(p.value);
      if (typeof v !== 'string' || v.trim() === '') fail((p.value as Node) ?? p, `label of '${k}' must be a non-empty text`, v);
      if ((v as string).length > MAX_LABEL || /[\x00-\x1f\x7f]/.test(v as string)) fail((p.value as Node) ?? p, `label of '${k}' must be one line of at most ${MAX_LABEL} characters`, v);
      if (Object.hasOwn(labels, k)) fail(p.key as Node, `label of '${k}' is given twice`);
      if (!axes.some((a) => a.key === k) && !metrics.includes(k)) {
        const keys = axes.map((a) => a.key);
        fail(p.key as Node, `label of '${k}': not a grid key or metric of this experiment (grid keys: ${keys.join(', ') || 'none'}; metrics: ${metrics.join(', ')})${didYouMean(k, [...keys, ...metrics])}`);
      }
      labels[k] = v as string;
    }
  }

  const traceLine = lineOf(traceP);
  return {
    file, text, name: name as string, nameLine: lineOf(nameP), trace,
    base, baseLine: baseP ? lineOf(baseP) : 1,
    axes, gridLine: gridP ? lineOf(gridP) : 1,
    seeds, seedsLine: seedsP ? lineOf(seedsP) : 1,
    metrics,
    labels,
    setLine: (param) => {
      const p = setPairs.get(param);
      return p ? lineOf(p) : traceLine;
    },
  };
}
