/**
 * The plan of a sweep: the grid points of an experiment (the cartesian product of its grid, first
 * key outermost), the runs (every point × every seed) with their resolved configurations, their
 * traces and their stable ids, and the experiment hash. Every configuration key and generator
 * parameter is checked here, before anything runs, and a problem names the file line.
 */
import { dirname, resolve } from 'node:path';
import { type Config, ConfigError, deepMerge, SECTION_NAMES, setDotted, withSection } from '../../sim/config.ts';
import { checkSampleSources, isProfileFile, readNamedProfile, resolveOverProfile } from '../config-file.ts';
import { readSamplesFile } from '../samples-file.ts';
import { addLeafKeys, idleInEvery } from '../idle-keys.ts';
import { legacyProfileWarning, topLevelLinuxKeys } from '../profile-sections.ts';
import { showPath } from './store.ts';
import { readHead } from '../../traces/files.ts';
import { declaredPageSize } from '../../traces/out-trace.ts';
import { hasPlugins, loadPlugins } from '../plugins.ts';
import { findPreset, PresetError, ParamError, idleParamWhy, idlePresetParams, mixedSyncPolicy, type IdleParam, type MixedSyncPolicy } from '../../workloads/presets/index.ts';
import { checkTraceSize } from '../../workloads/presets/preset.ts';
import { resolveParams } from '../../workloads/params.ts';
import { ExperimentError, type Experiment, type GridAxis } from './experiment.ts';
import { cartesian, checkGridValues, keysMeet, pointRefusal } from './grid-values.ts';
import { canonicalJson, hashFile, hashOf, identityConfig, type Json } from './identity.ts';

type JsonObject = { [k: string]: Json };

const isGroup = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Lays a grid value over the base at dotted `key`, as `run --set` lays over `--config`: a group
 * (`writeback: { policy: ./p.ts }`) merges into the base's group of that key, so that the base's
 * other keys there (`writeback.interval_ms`) still apply; any other value replaces. The value lies
 * over the base's personality sections too (`base: {linux: {fs: {kind: ...}}}`): a grid key wins.
 */
function layGridValue(user: JsonObject, key: string, value: Json): void {
  const parts = key.split('.');
  let under: Json | undefined = user;
  for (const p of parts) under = isGroup(under) && Object.hasOwn(under, p) ? under[p] : undefined;
  setDotted(user, key, isGroup(under) && isGroup(value) ? deepMerge(under, value, key) : structuredClone(value));
  // and over the base's personality sections, which lie under the grid as under --set (config-sections.ts layOver)
  if (key === 'personality') return;
  for (const s of SECTION_NAMES) if (isGroup(user[s])) layGridValue(user[s], key, value);
}

/** One grid point: a value for every grid key, in grid order. */
export interface Point {
  /** 1-based, in expansion order. */
  index: number;
  values: Json[];
}

/** The trace a run replays. */
export type TraceRef =
  | {
      kind: 'path';
      /** Absolute path of the trace file. */
      path: string;
      /** As written in the experiment (used in messages, so they do not depend on where the file is). */
      display: string;
      identity: { path_sha256: string };
    }
  | {
      kind: 'gen';
      gen: string;
      /** The parameters as given (generator input). */
      set: Record<string, Json>;
      seed: number;
      /** Name of the cached trace under the sweep's `traces/`. */
      file: string;
      identity: { gen: string; params: Record<string, number | string>; seed: number };
    };

/** One run: a grid point with one seed. */
export interface RunSpec {
  /** Hash of the resolved configuration (seed included) and the trace identity. */
  id: string;
  point: number;
  seed: number;
  config: Config;
  trace: TraceRef;
  /** When the configuration names plugin files: the directory they are relative to (the experiment file's). */
  pluginDir?: string;
}

/** Everything a sweep of an experiment consists of. */
export interface Plan {
  experiment: Experiment;
  /** Grid keys, the grid columns of the result files. */
  keys: string[];
  points: Point[];
  /** Runs in order: points in expansion order, then seeds in the experiment's order. */
  runs: RunSpec[];
  /**
   * Identifies the experiment: its name, grid, metrics and what each grid point runs
   * (configuration and trace without the seed), so that adding seeds keeps the identity
   * and reruns nothing that is done.
   */
  hash: string;
  /**
   * Warnings: the base or grid keys that have no effect in any grid point ({@link idleInEvery}),
   * and the grid points whose page_size is not the one their trace was made for.
   */
  warnings: string[];
  /** The identity syncsim 0.1 gave the same experiment (it counted the seeds in): a sweep directory it wrote is this experiment too. */
  legacyHash: string;
  /** The SHA-256 of the trace file (`trace.path`) as the plan read it, which its runs must replay; undefined for generated traces. */
  traceSha256?: string;
}

const isGenAxis = (a: GridAxis) => a.key.startsWith('trace.set.');
const stripConfig = (m: string) => m.replace(/^config: /, '');

/** Whether the experiment's `base` or `grid` gives the configuration key `key` (dotted), itself or as part of a group. */
export function givesKey(exp: Experiment, key: string): boolean {
  const meets = (k: string) => k === key || k.startsWith(`${key}.`) || key.startsWith(`${k}.`);
  return exp.base.some((b) => meets(b.key)) || exp.axes.some((a) => meets(a.key));
}

/** How many runs an experiment may have unless `--max-runs` says more. */
export const DEFAULT_MAX_RUNS = 100_000;

/** The number of runs of `exp` (grid sizes × seeds), multiplied out without expanding anything. */
export function runCount(exp: Experiment): number {
  return exp.axes.reduce((n, a) => n * a.values.length, 1) * exp.seeds.length;
}

/** Refuses `exp` when it has more than `maxRuns` runs, before anything is expanded. Throws ExperimentError. */
export function checkRunCount(exp: Experiment, maxRuns: number = DEFAULT_MAX_RUNS): void {
  const n = runCount(exp);
  if (n <= maxRuns) return;
  const sizes = [...exp.axes.map((a) => a.values.length), exp.seeds.length].join(' x ');
  throw new ExperimentError(
    exp.file, exp.axes.length > 0 ? exp.gridLine : exp.seedsLine,
    `the experiment has ${n} runs (${sizes}), more than the limit of ${maxRuns}; raise it with --max-runs ${n} if that many is intended`,
  );
}

export { cartesian } from './grid-values.ts';

/** The resolved parameters of generator `gen` (defaults filled in, every value checked). Throws PresetError. */
export function resolveGenParams(gen: string, set: Readonly<Record<string, Json>>): Record<string, number | string> {
  const p = findPreset(gen);
  const values = resolveParams(p.name, p.schema, set);
  p.check?.(values);
  checkTraceSize(p.name, values as Record<string, number | string>);
  return { ...values } as Record<string, number | string>;
}

/** How many of a trace file's first bytes a plan reads for the page size its header says it was made for. */
export const TRACE_HEAD_BYTES = 4096;

/** What a plan needs of its trace file (`trace.path`). */
export interface TraceFileFacts {
  /** The SHA-256 (hex) of its bytes: its runs' ids hash it. */
  sha256: string;
  /** Its first {@link TRACE_HEAD_BYTES} bytes (fewer when it is shorter; undefined when unreadable): the page size its header names. */
  head: Buffer | undefined;
}

/** {@link TraceFileFacts} of the file at `path`: one read of it whole for its hash, and one of its first bytes. */
export async function readTraceFacts(path: string): Promise<TraceFileFacts> {
  return { sha256: await hashFile(path), head: readHead(path, TRACE_HEAD_BYTES) };
}

/** Options of {@link makePlan}. */
export interface PlanOptions {
  /**
   * Reads what the plan needs of its trace file; default {@link readTraceFacts}. `sweep
   * --dry-run` gives one that finds them in the read that checks the file's rows.
   */
  traceFacts?: (path: string) => Promise<TraceFileFacts>;
}

/** Builds the plan of `exp`: checks every key, expands the grid, computes run ids. Throws ExperimentError. */
export async function makePlan(exp: Experiment, opts: PlanOptions = {}): Promise<Plan> {
  const err = (line: number, problem: string) => new ExperimentError(exp.file, line, problem);
  const expDir = dirname(resolve(exp.file));
  const samples = new Map<string, number[]>();

  /** Device profile files read, by absolute path. */
  const profiles = new Map<string, JsonObject>();
  /**
   * A user configuration layer resolved onto the defaults: a device profile file laid under it
   * and empirical sample files read, each relative to the experiment (as to a --config file).
   */
  const resolveLayer = (layer: JsonObject): Config => resolveOverProfile(layer, (flat) => {
    const profile = (flat.device as JsonObject | undefined)?.profile;
    if (!isProfileFile(profile)) return undefined;
    const abs = resolve(expDir, profile);
    if (!profiles.has(abs)) profiles.set(abs, readNamedProfile(abs) as JsonObject);
    return structuredClone(profiles.get(abs)!);
  }, (user) => {
    checkSampleSources(user);
    const dev = user.device as JsonObject | undefined;
    for (const key of ['service', 'read_latency', 'write_latency']) {
      const svc = dev && typeof dev === 'object' ? (dev[key] as JsonObject | undefined) : undefined;
      if (svc && typeof svc === 'object' && svc.dist === 'empirical' && typeof svc.file === 'string' && svc.samples_us === undefined) {
        const abs = resolve(expDir, svc.file);
        if (!samples.has(abs)) samples.set(abs, readSamplesFile(abs, `device.${key}.file`));
        svc.samples_us = samples.get(abs)!;
      }
    }
  });

  /** Plugin files are loaded once per file and parameters: their parameters checked, their source hashed. */
  const pluginChecks = new Map<string, Promise<Record<string, string>>>();
  const pluginIdentity = (config: Config, dir: string): Promise<Record<string, string>> => {
    const key = canonicalJson({ w: [config.writeback.policy, config.writeback.params ?? null], d: [config.device.discipline, config.device.discipline_params ?? null] } as Json);
    let p = pluginChecks.get(key);
    if (!p) pluginChecks.set(key, (p = loadPlugins(config, dir).then((l) => l.sources)));
    return p;
  };
  /** The line of the base or grid key a plugin problem (key `writeback.params.x`, ...) comes from. */
  const pluginLine = (key: string): number | undefined => {
    const axis = exp.axes.find((a) => keysMeet(key, a.key));
    if (axis) return axis.line;
    const b = exp.base.find((x) => keysMeet(key, x.key));
    return b?.line;
  };

  const configAxes = exp.axes.map((a, i) => ({ a, i })).filter(({ a }) => !isGenAxis(a));
  const genAxes = exp.axes.map((a, i) => ({ a, i })).filter(({ a }) => isGenAxis(a));

  // base alone
  const base: JsonObject = {};
  const baseLine = (key: string) =>
    exp.base.find((b) => keysMeet(key, b.key))?.line ?? exp.baseLine;
  try {
    for (const b of exp.base) setDotted(base, b.key, b.value);
    resolveLayer(structuredClone(base));
  } catch (e) {
    if (e instanceof ConfigError) throw err(baseLine(e.key), stripConfig(e.message));
    throw e;
  }
  const layerFor = (values: readonly Json[]): JsonObject => {
    const user = structuredClone(base);
    for (const { a, i } of configAxes) layGridValue(user, a.key, values[i]);
    return user;
  };

  // each grid value in the grid points it is used in (base + that point's other grid values), each point resolved once
  const grid = checkGridValues(exp, configAxes, (values) => resolveLayer(layerFor(values)), (a, v) => {
    const user = structuredClone(base);
    layGridValue(user, a.key, v);
    resolveLayer(user);
  });

  // generator parameters
  const trace = exp.trace;
  let pathIdentity: { path_sha256: string } | undefined;
  let pathHead: Buffer | undefined;
  if (trace.kind === 'gen') {
    try {
      resolveGenParams(trace.gen, trace.set);
    } catch (e) {
      if (e instanceof ParamError) throw err(exp.setLine(e.key), e.message);
      if (e instanceof PresetError) throw err(trace.line, e.message);
      throw e;
    }
    for (const { a } of genAxes) {
      const param = a.key.slice('trace.set.'.length);
      a.values.forEach((v, j) => {
        if (v === null || typeof v === 'object') throw err(a.valueLines[j], `grid key '${a.key}': a generator parameter must be a number or a word (got '${canonicalJson(v)}')`);
        try {
          resolveGenParams(trace.gen, { ...trace.set, [param]: v });
        } catch (e) {
          if (e instanceof PresetError) throw err(a.valueLines[j], `grid key '${a.key}': ${e.message}`);
          throw e;
        }
      });
    }
  } else {
    const facts = await (opts.traceFacts ?? readTraceFacts)(trace.path);
    pathIdentity = { path_sha256: facts.sha256 };
    pathHead = facts.head;
  }

  // the points and their runs
  const points: Point[] = [];
  const runs: RunSpec[] = [];
  const byId = new Map<string, RunSpec>();
  const traces = new Map<string, TraceRef>();
  /** Per grid point: its configuration and trace without the seed (the experiment's identity). */
  const pointIds: string[] = [];
  const pointConfigs: Config[] = [];
  /** Profile files (absolute) laid under grid points of a personality other than linux, and those personalities. */
  const legacy = new Map<string, Set<string>>();
  /** Grid points whose page_size is not their trace's (the generator's page_size, or a trace file's header). */
  const pageSizeMisfits: string[] = [];
  /** Grid points whose trace.set gives one msync policy of the preset while the other keeps its default (mixedSyncPolicy). */
  const mixedPoints: { index: number; mixed: MixedSyncPolicy }[] = [];
  /** trace.set keys given that the preset reads at no grid point so far (idlePresetParams), with why at the first. */
  let idleGen: Map<string, IdleParam> | undefined;
  const pathPageSize = pathHead && declaredPageSize(pathHead);
  const describePoint = (values: readonly Json[]) => exp.axes.map((a, i) => `${a.key}=${canonicalJson(values[i])}`).join(', ');
  for (const idx of cartesian(exp.axes.map((a) => a.values.length))) {
    const values = idx.map((j, i) => exp.axes[i].values[j]);
    const point: Point = { index: points.length + 1, values };
    points.push(point);
    const describe = () => describePoint(values);
    /** The SHA-256 of each plugin file the point names (its runs' ids hash them); undefined without plugins. */
    let plugins: Record<string, string> | undefined;
    const config = grid.at(idx);
    if (config instanceof ConfigError) {
      const refused: { index: number; describe: string }[] = [];
      let n = 0;
      for (const other of cartesian(exp.axes.map((a) => a.values.length))) {
        n++;
        if (grid.invalid(other)) refused.push({ index: n, describe: describePoint(other.map((j, i) => exp.axes[i].values[j])) });
      }
      throw err(pluginLine(config.key) ?? exp.gridLine, pointRefusal(config, refused, n));
    }
    try {
      if (hasPlugins(config)) plugins = await pluginIdentity(config, expDir);
    } catch (e) {
      if (e instanceof ConfigError) throw err(pluginLine(e.key) ?? exp.gridLine, `grid point ${point.index} (${describe()}): ${stripConfig(e.message)}`);
      throw e;
    }
    pointConfigs.push(config);
    // a profile of an earlier calibrate, its Linux keys at the top level, under another personality (profile-sections.ts)
    if (config.personality !== 'linux') {
      const profile = (withSection(layerFor(values), config.personality).device as JsonObject | undefined)?.profile;
      if (isProfileFile(profile)) {
        const abs = resolve(expDir, profile);
        legacy.set(abs, (legacy.get(abs) ?? new Set()).add(config.personality));
      }
    }
    const made = trace.kind === 'gen' ? undefined : pathPageSize;
    if (made !== undefined && made !== config.page_size) pageSizeMisfits.push(`${point.index} (${describe()})`);
    let set: Record<string, Json> = {};
    let params: Record<string, number | string> = {};
    if (trace.kind === 'gen') {
      set = { ...trace.set };
      for (const { a, i } of genAxes) set[a.key.slice('trace.set.'.length)] = values[i];
      try {
        params = resolveGenParams(trace.gen, set);
      } catch (e) {
        if (e instanceof PresetError) throw err(exp.gridLine, `grid point ${point.index} (${describe()}): ${e.message}`);
        throw e;
      }
      if (typeof params.page_size === 'number' && params.page_size !== config.page_size) pageSizeMisfits.push(`${point.index} (${describe()}: trace.set.page_size ${params.page_size}, page_size ${config.page_size})`);
      const mixed = mixedSyncPolicy(trace.gen, set);
      if (mixed !== undefined) mixedPoints.push({ index: point.index, mixed });
      // trace.set keys the preset does not read at this point: those idle at every point are said after
      const idle = new Map(idlePresetParams(trace.gen, set).map((i) => [i.key, i]));
      if (idleGen === undefined) idleGen = idle;
      else for (const k of [...idleGen.keys()]) if (!idle.has(k)) idleGen.delete(k);
    }
    {
      const { seed: _seed, ...noSeed } = config;
      const traceId = trace.kind === 'gen' ? { gen: trace.gen, params } : pathIdentity!;
      const idConfig = identityConfig(noSeed);
      pointIds.push(hashOf(plugins ? { config: idConfig, trace: traceId, plugins } : { config: idConfig, trace: traceId }));
    }
    for (const seed of exp.seeds) {
      let ref: TraceRef;
      if (trace.kind === 'gen') {
        const identity = { gen: trace.gen, params, seed };
        const key = canonicalJson(identity);
        ref = traces.get(key) ?? { kind: 'gen', gen: trace.gen, set, seed, file: `${trace.gen}-${hashOf(identity, 16)}.csv.gz`, identity };
        traces.set(key, ref);
      } else {
        ref = { kind: 'path', path: trace.path, display: trace.display, identity: pathIdentity! };
      }
      const runConfig: Config = { ...config, seed };
      const idConfig = identityConfig(runConfig);
      const id = hashOf(plugins ? { config: idConfig, trace: ref.identity, plugins } : { config: idConfig, trace: ref.identity });
      const run: RunSpec = { id, point: point.index, seed, config: runConfig, trace: ref, ...(plugins ? { pluginDir: expDir } : {}) };
      const dup = byId.get(id);
      if (dup) {
        throw err(exp.gridLine, `grid points ${dup.point} and ${point.index} (${describe()}) give the same runs: the same configuration and trace`);
      }
      byId.set(id, run);
      runs.push(run);
    }
  }
  const keys = exp.axes.map((a) => a.key);
  const hash = hashOf({ name: exp.name, keys, metrics: exp.metrics, points: points.map((p) => p.values), point_ids: pointIds });
  const legacyHash = hashOf({
    name: exp.name,
    keys,
    metrics: exp.metrics,
    points: points.map((p) => p.values),
    runs: runs.map((r) => [r.id, r.point, r.seed]),
  });
  const given = new Set<string>();
  for (const b of exp.base) addLeafKeys(given, b.key, b.value);
  for (const { a } of configAxes) for (const v of a.values) addLeafKeys(given, a.key, v);
  const warnings = idleInEvery(given, pointConfigs);
  for (const [abs, personalities] of legacy) {
    const w = legacyProfileWarning(showPath(abs), topLevelLinuxKeys(abs), [...personalities]);
    if (w !== undefined) warnings.push(w);
  }
  if (mixedPoints.length > 0) {
    const { given, other, otherValue } = mixedPoints[0]!.mixed;
    warnings.push(`${mixedPoints.length} of ${points.length} grid points give trace.set.${given} and leave ${other} at its default ${otherValue}, so their traces msync both ways at once (every N writes and every T µs): set trace.set.${other}: 0 for ${given} alone; points ${mixedPoints.slice(0, 4).map((p) => p.index).join(', ')}${mixedPoints.length > 4 ? ', ...' : ''}`);
  }
  for (const i of idleGen?.values() ?? []) warnings.push(`trace.set.${i.key} (${i.what}) has no effect in any run of the sweep: ${idleParamWhy(i, 'trace.set.')}, so its values give the same traces`);
  if (pageSizeMisfits.length > 0) {
    const made = trace.kind === 'path' ? `its trace was made for page_size ${pathPageSize} (the file's header)` : 'the generator lays its trace out for another page_size (set trace.set.page_size with it)';
    warnings.push(`${pageSizeMisfits.length} of ${points.length} grid points replay at a page_size their trace was not made for (at a larger one, msyncs and wires of ranges not aligned to it fail with EINVAL; at a smaller one, the pages are not the traced program's): ${made}; points ${pageSizeMisfits.slice(0, 4).join(', ')}${pageSizeMisfits.length > 4 ? ', ...' : ''}`);
  }
  return { experiment: exp, keys, points, runs, hash, warnings, legacyHash, ...(pathIdentity ? { traceSha256: pathIdentity.path_sha256 } : {}) };
}
