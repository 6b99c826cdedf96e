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
 * ```
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { unreadableReason } from '../../traces/files.ts';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { InputError } from '../errors.ts';
import { DEFAULT_METRICS, metricProblem } from './metrics.ts';
import { canonicalJson, type Json } from './identity.ts';

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
  /** Line of a `trace.set` parameter (or of `trace` when it is not written there). */
  setLine(param: string): number;
}

const TOP_KEYS = ['name', 'description', 'trace', 'base', 'grid', 'seeds', 'metrics'] as const;
const NAME_RE = /^[A-Za-z0-9_.-]+$/;
const GRID_KEY_RE = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;
const MAX_SEED = 4294967295;

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? String(v));

/** Parses and checks the shape of experiment file `file`. Throws {@link ExperimentError} or InputError. */
export function readExperiment(file: string): Experiment {
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
  const lc = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 1 : lc.linePos(offset).line);
  const lineOf = (n: Node | Pair | null | undefined): number => {
    if (!n) return 1;
    const r = (n as Node).range ?? ((n as Pair).key as Node | null)?.range;
    return lineAt(r?.[0]);
  };
  const fail = (n: Node | Pair | null | undefined | number, problem: string, got?: unknown): never => {
    throw new ExperimentError(file, typeof n === 'number' ? n : lineOf(n), problem, got === undefined ? undefined : show(got));
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new ExperimentError(file, e.linePos?.[0].line ?? 1, `not valid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const root = doc.contents;
  if (!isMap(root)) fail(root, 'an experiment must be a mapping of keys (name, trace, base, grid, seeds, metrics)');
  const top = new Map<string, Pair>();
  for (const p of (root as YAMLMap).items) {
    const k = isScalar(p.key) ? p.key.value : undefined;
    if (typeof k !== 'string' || !(TOP_KEYS as readonly string[]).includes(k)) {
      fail(p.key as Node, `unknown key (an experiment has ${TOP_KEYS.join(', ')})`, isScalar(p.key) ? p.key.value : p.key);
    }
    top.set(k as string, p);
  }
  const toJs = (n: unknown): Json => (n && typeof n === 'object' && 'toJSON' in n ? ((n as Node).toJSON(doc) as Json) : (n as Json));
  const require = (k: string): Pair => top.get(k) ?? fail(1, `missing key '${k}'`);

  // name
  const nameP = require('name');
  const name = toJs(nameP.value);
  if (typeof name !== 'string' || !NAME_RE.test(name)) fail(nameP.value as Node, "'name' must be a word of letters, digits, '_', '.' or '-'", name);

  // trace
  const traceP = require('trace');
  const tnode = traceP.value as Node;
  if (!isMap(tnode)) fail(tnode ?? traceP, "'trace' must be a mapping: { gen: PRESET, set: {...} } or { path: FILE }");
  const tmap = tnode as YAMLMap;
  const tkeys = new Map<string, Pair>();
  for (const p of tmap.items) {
    const k = isScalar(p.key) ? String(p.key.value) : '';
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
    const why = unreadableReason(abs);
    if (why !== undefined) fail((pp.value as Node) ?? pp, `trace file ${abs}: ${why}`, display);
    trace = { kind: 'path', path: abs, display: display as string, line: lineOf(pp.value as Node) };
  } else if (tkeys.has('gen')) {
    const gp = tkeys.get('gen')!;
    const gen = toJs(gp.value);
    if (typeof gen !== 'string' || gen === '') fail((gp.value as Node) ?? gp, "'trace.gen' must name a workload preset", gen);
    const set: Record<string, Json> = {};
    const sp = tkeys.get('set');
    if (sp && sp.value !== null) {
      if (!isMap(sp.value)) fail(sp.value as Node, "'trace.set' must be a mapping of generator parameters");
      for (const p of (sp.value as YAMLMap).items) {
        const k = isScalar(p.key) ? String(p.key.value) : '';
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
  if (baseP && baseP.value !== null) {
    if (!isMap(baseP.value)) fail(baseP.value as Node, "'base' must be a mapping of configuration keys");
    const walk = (m: YAMLMap, prefix: string): void => {
      for (const p of m.items) {
        const k = isScalar(p.key) ? String(p.key.value) : '';
        if (!GRID_KEY_RE.test(k)) fail(p.key as Node, 'not a configuration key', k);
        const key = prefix ? `${prefix}.${k}` : k;
        if (key === 'seed') fail(p.key as Node, "the seed of each run comes from 'seeds', not from 'base'");
        if (isMap(p.value) && (p.value as YAMLMap).items.length > 0) walk(p.value as YAMLMap, key);
        else {
          if (base.some((b) => b.key === key || b.key.startsWith(`${key}.`) || key.startsWith(`${b.key}.`))) fail(p.key as Node, `key '${key}' is given twice in 'base'`);
          base.push({ key, value: toJs(p.value), line: lineOf(p) });
        }
      }
    };
    walk(baseP.value as YAMLMap, '');
  }

  // grid
  const axes: GridAxis[] = [];
  const gridP = top.get('grid');
  if (gridP && gridP.value !== null) {
    if (!isMap(gridP.value)) fail(gridP.value as Node, "'grid' must be a mapping of keys to lists of values");
    for (const p of (gridP.value as YAMLMap).items) {
      const key = isScalar(p.key) ? String(p.key.value) : '';
      if (!GRID_KEY_RE.test(key)) fail(p.key as Node, 'not a grid key (a dotted configuration key or trace.set.PARAM)', key);
      if (key === 'seed') fail(p.key as Node, "grid key 'seed': replications are given by 'seeds'");
      if (key.startsWith('trace.') || key === 'trace') {
        if (!/^trace\.set\.[A-Za-z0-9_]+$/.test(key)) fail(p.key as Node, `grid key '${key}': the only trace keys a grid may vary are trace.set.PARAM`);
        if (trace.kind !== 'gen') fail(p.key as Node, `grid key '${key}': trace.set.PARAM needs a generated trace (trace.gen)`);
      }
      for (const a of axes) {
        if (a.key.startsWith(`${key}.`) || key.startsWith(`${a.key}.`)) fail(p.key as Node, `grid key '${key}' overlaps grid key '${a.key}'`);
      }
      if (!isSeq(p.value) || p.value.items.length === 0) fail((p.value as Node) ?? p, `grid key '${key}' must have a non-empty list of values`, toJs(p.value));
      const items = (p.value as { items: unknown[] }).items;
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
      const items = (seedsP.value as { items: Node[] }).items;
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
    const items = (metricsP.value as { items: Node[] }).items;
    metrics = [];
    (v as Json[]).forEach((m, i) => {
      if (typeof m !== 'string') return fail(items[i], 'a metric must be a dotted summary.json field', m);
      const problem = metricProblem(m);
      if (problem) fail(items[i], `metric '${m}': ${problem}`);
      if (metrics.includes(m)) fail(items[i], `metric '${m}' is listed twice`);
      metrics.push(m);
    });
  }

  const traceLine = lineOf(traceP);
  return {
    file, text, name: name as string, nameLine: lineOf(nameP), trace,
    base, baseLine: baseP ? lineOf(baseP) : 1,
    axes, gridLine: gridP ? lineOf(gridP) : 1,
    seeds, seedsLine: seedsP ? lineOf(seedsP) : 1,
    metrics,
    setLine: (param) => {
      const p = setPairs.get(param);
      return p ? lineOf(p) : traceLine;
    },
  };
}
