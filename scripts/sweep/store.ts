/**
 * The results directory of a sweep and how it is written so that a sweep killed at any moment
 * leaves only whole files behind:
 *
 * ```
 * DIR/experiment.json   what the sweep is (name, hash, grid, points, runs): written first
 * DIR/experiment.yaml   a copy of the experiment file
 * DIR/.syncsim          the marker of an output directory syncsim made (traces/out-dir.ts)
 * DIR/runs/<id>/        one finished run: run.json (+ summary.json and the CSVs when it succeeded)
 * DIR/traces/           generated traces, one per distinct parameter set and seed, each with its
 *                       SHA-256 beside it (F.sha256, as sha256sum writes it; trace-guard.ts)
 * DIR/results.csv       one row per run        (written when every run is there)
 * DIR/aggregate.csv     one row per point × metric
 * DIR/.staging/H-P/     work in progress of process P on host H (removed when P is gone)
 * ```
 *
 * Every file and run directory is made under a temporary name and renamed into place, so a
 * run directory that exists is complete.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { isSystemError, processAlive, tempBeside, writeFileAtomic, makeDirs } from '../../traces/files.ts';
import { InputError } from '../errors.ts';
import { parseJsonText } from '../../traces/json-strict.ts';
import { foreignPaths, MARKER, OutDirError, readMarker, writeMarker } from '../../traces/out-dir.ts';
import { addStamps, changedSince } from '../../traces/out-marker.ts';
import { canonicalJson, type Json } from './identity.ts';
import type { Plan } from './plan.ts';
import { experimentChanges } from './changes.ts';

/** Format version of experiment.json. */
export const SWEEP_FORMAT = 1;

/** experiment.json: what a sweep directory holds. */
export interface Manifest {
  syncsim_sweep: number;
  name: string;
  hash: string;
  keys: string[];
  metrics: string[];
  seeds: number[];
  /**
   * The trace: `{ gen, set }`, or `{ path, sha256 }`: the trace file as the experiment names it and
   * the SHA-256 of its contents when the sweep began, which every run must replay (trace-guard.ts;
   * absent from directories written before 2026-12-06).
   */
  trace: Json;
  points: { point: number; values: Json[] }[];
  runs: { id: string; point: number; seed: number }[];
  /** Chart titles of grid keys and metrics (the experiment's `labels:`); absent when it has none. */
  labels?: Record<string, string>;
  /**
   * `I/N` when the directory is shard I of N (`sweep --shard I/N`, N > 1): it holds only that
   * share of the runs and no result tables (`syncsim merge` combines the shards, and leaves this
   * out of the merged directory's manifest); absent for a whole sweep.
   */
  shard?: string;
}

/** run.json: the record of one finished run. */
export interface RunRecord {
  id: string;
  point: number;
  seed: number;
  status: 'ok' | 'failed';
  /** Why it failed (failed runs only). */
  error?: string;
  /** Wall-clock seconds the run took (informational; never in the result files). */
  elapsed_s?: number;
}

/** The manifest of `plan`, run as shard `shard` (`{ index, count }`; none or a count of 1: the whole sweep). */
export function manifestOf(plan: Plan, shard?: { index: number; count: number }): Manifest {
  const t = plan.experiment.trace;
  return {
    syncsim_sweep: SWEEP_FORMAT,
    name: plan.experiment.name,
    hash: plan.hash,
    keys: plan.keys,
    metrics: plan.experiment.metrics,
    seeds: plan.experiment.seeds,
    trace: t.kind === 'gen' ? { gen: t.gen, set: t.set } : { path: t.display, ...(plan.traceSha256 !== undefined ? { sha256: plan.traceSha256 } : {}) },
    points: plan.points.map((p) => ({ point: p.index, values: p.values })),
    runs: plan.runs.map((r) => ({ id: r.id, point: r.point, seed: r.seed })),
    ...(Object.keys(plan.experiment.labels).length ? { labels: plan.experiment.labels } : {}),
    ...(shard && shard.count > 1 ? { shard: `${shard.index}/${shard.count}` } : {}),
  };
}

/** `<host>-<pid>` of this process: names its temporary files and staging directory. */
export const OWNER = `${hostname().replace(/[^A-Za-z0-9_.-]/g, '_')}-${process.pid}`;

/** Whether `owner` (a `<host>-<pid>` like {@link OWNER}) names another process of this host that is gone. */
export function deadOwner(owner: string): boolean {
  const dash = owner.lastIndexOf('-'), here = OWNER.lastIndexOf('-');
  const pid = Number(owner.slice(dash + 1));
  if (dash <= 0 || owner.slice(0, dash) !== OWNER.slice(0, here) || !/^\d+$/.test(owner.slice(dash + 1))) return false;
  return pid !== process.pid && !processAlive(pid);
}

/** The files a sweep writes at the top of its directory, each under `.NAME.tmp-OWNER` first. */
export const SWEEP_FILES = ['experiment.json', 'experiment.yaml', 'results.csv', 'aggregate.csv', 'warnings.txt'] as const;

/** Writes `text` to `path` atomically, under this process's temporary name `.NAME.tmp-OWNER`. */
export function writeSweepFile(path: string, text: string): void {
  writeFileAtomic(path, text, tempBeside(path, OWNER));
}

/** Moves directory `from` to `to`, replacing a directory already at `to` (via `aside`, then removed). */
export function placeDir(from: string, to: string, aside: string): void {
  try {
    renameSync(from, to);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
  }
  rmSync(aside, { recursive: true, force: true });
  renameSync(to, aside);
  renameSync(from, to);
  rmSync(aside, { recursive: true, force: true });
}

/** `path` relative to the working directory when it is inside it, else absolute (for messages). */
export function showPath(path: string): string {
  const r = relative(process.cwd(), path);
  return r === '' ? '.' : r.startsWith('..') || isAbsolute(r) ? resolve(path) : r;
}

/** Reads a JSON file, or undefined when it does not exist. */
function readJson<T>(path: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return parseJsonText(text) as T;
}

/** The text of `path`, or undefined when it cannot be read. */
function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** One sweep results directory. */
export class SweepDir {
  readonly runsDir: string;
  readonly tracesDir: string;
  readonly staging: string;

  constructor(readonly dir: string) {
    this.runsDir = join(dir, 'runs');
    this.tracesDir = join(dir, 'traces');
    this.staging = join(dir, '.staging', OWNER);
  }

  /** experiment.json, or undefined when the directory holds no sweep. */
  manifest(): Manifest | undefined {
    const file = join(this.dir, 'experiment.json');
    if (existsSync(this.dir) && !statSync(this.dir).isDirectory()) throw new InputError(`${showPath(this.dir)} is not a directory`);
    let m: Manifest | undefined;
    try {
      m = readJson<Manifest>(file);
    } catch (e) {
      throw new InputError(`${showPath(file)}: cannot be read (${(e as Error).message})`);
    }
    if (m !== undefined && (m.syncsim_sweep !== SWEEP_FORMAT || typeof m.hash !== 'string' || !Array.isArray(m.runs))) {
      throw new InputError(`${showPath(file)}: not a syncsim sweep manifest (format ${SWEEP_FORMAT})`);
    }
    return m;
  }

  /**
   * Makes the directory ready for `manifest`: creates it, or checks that it holds the same
   * experiment (anything else is an InputError; `legacyHashes`: the identities older syncsim
   * versions gave the same experiment). With `mustExist` (--resume), a directory with
   * no sweep in it is an error too. Writes the `.syncsim` marker of `command`, experiment.json
   * and experiment.yaml.
   */
  prepare(manifest: Manifest, experimentText: string, mustExist: boolean, command: 'sweep' | 'merge', legacyHashes: readonly string[] = []): 'new' | 'resumed' {
    const have = existsSync(this.dir) ? this.manifest() : undefined;
    if (have) this.refuseAnother(have, manifest, experimentText, legacyHashes);
    else {
      if (mustExist) throw new InputError(`--resume: ${showPath(this.dir)} holds no sweep to resume`);
      if (existsSync(this.dir) && readdirSync(this.dir).some((n) => n !== MARKER)) {
        throw new InputError(`${showPath(this.dir)} exists and is not a sweep directory (no experiment.json): choose another --out`);
      }
    }
    try {
      // the marker and the manifest first: a sweep killed in between leaves a directory it recognises
      makeDirs(this.dir);
      if (!readMarker(this.dir)) writeMarker(this.dir, command);
      writeSweepFile(join(this.dir, 'experiment.json'), JSON.stringify(manifest, null, 2) + '\n');
      writeSweepFile(join(this.dir, 'experiment.yaml'), experimentText);
      // recorded as written at once, so that a copy edited by hand since is told (table-stamps.ts)
      addStamps(this.dir, ['experiment.yaml']);
      makeDirs(this.runsDir);
    } catch (e) {
      throw new InputError(`cannot write the sweep directory ${showPath(this.dir)}: ${(e as Error).message}`);
    }
    return have ? 'resumed' : 'new';
  }

  /**
   * Refuses (InputError) `manifest` (of experiment file text `experimentText`) when the sweep
   * this directory holds (`have`, its experiment.json) is another experiment, naming what
   * changed; `legacyHashes`: the identities older syncsim versions gave the same experiment.
   * Nothing is written: `sweep --dry-run` says what the sweep would.
   */
  refuseAnother(have: Manifest, manifest: Manifest, experimentText: string, legacyHashes: readonly string[] = []): void {
    if (have.hash !== manifest.hash && !legacyHashes.includes(have.hash)) {
      // the same name, keys, metrics and grid values, yet another hash: what a point runs changed (its runs' ids differ)
      const grid = (m: Manifest) => canonicalJson([m.name, m.keys, m.metrics, m.points]);
      const sameGrid = grid(have) === grid(manifest);
      const changes = experimentChanges(have, readText(join(this.dir, 'experiment.yaml')), manifest, experimentText);
      const why = changes.length > 0
        ? `: ${changes.join('; ')} changed, and its finished runs cannot be mixed with runs of this one`
        : sameGrid ? ': the same grid, but what its points run changed (a plugin file, a device profile file or a trace file edited since, whose contents the run ids hash; or a syncsim version that resolves its keys otherwise: docs/configuration.md, the migration notes), and finished runs of the old contents cannot be mixed with new ones' : '';
      throw new InputError(
        `${showPath(this.dir)} holds another experiment ('${have.name}', hash ${have.hash}; this one is '${manifest.name}', hash ${manifest.hash})${why}: choose another --out`,
      );
    }
  }

  /**
   * Removes what dead processes of this host (killed sweeps) left: their staging directories and
   * the temporary files of the sweep's own files ({@link SWEEP_FILES}, `.NAME.tmp-OWNER`).
   */
  cleanStale(): void {
    const root = join(this.dir, '.staging');
    if (existsSync(root)) {
      for (const name of readdirSync(root)) if (deadOwner(name)) rmSync(join(root, name), { recursive: true, force: true });
    }
    if (!existsSync(this.dir)) return;
    for (const name of readdirSync(this.dir)) {
      const file = SWEEP_FILES.find((f) => name.startsWith(`.${f}.tmp-`));
      if (file && deadOwner(name.slice(file.length + 6))) rmSync(join(this.dir, name), { force: true });
    }
  }

  /** Creates this process's staging directory. */
  makeStaging(): string {
    makeDirs(this.staging);
    return this.staging;
  }

  /** Removes this process's staging directory (and `.staging` when it is empty). */
  removeStaging(): void {
    rmSync(this.staging, { recursive: true, force: true });
    try {
      rmdirSync(join(this.dir, '.staging'));
    } catch {
      /* other processes still stage here, or it is already gone */
    }
  }

  /**
   * What the directory of run `id` holds that the sweep did not write there (its `run.json`, and a
   * run's own files), at most a few paths: [] when nothing else, or when it does not exist.
   */
  foreignInRun(id: string): string[] {
    const dir = this.runDir(id);
    if (!existsSync(dir)) return [];
    const marker = readMarker(dir);
    return foreignPaths(dir, ['run.json', ...(marker?.files ?? [])], undefined, marker?.stamps);
  }

  /**
   * Whether finished run `id`'s summary.json, which the tables read, is not as syncsim wrote it (its
   * marker's stamp; a marker without stamps, of before 2026-12-07, takes it as written).
   */
  summaryChanged(id: string): boolean {
    const dir = this.runDir(id);
    const stamp = readMarker(dir)?.stamps?.['summary.json'];
    return stamp !== undefined && existsSync(join(dir, 'summary.json')) && changedSince(join(dir, 'summary.json'), stamp);
  }

  /** The directory of run `id`. */
  runDir(id: string): string {
    return join(this.runsDir, id);
  }

  /** The record of run `id`, or undefined when it has not finished, or its run.json cannot be read ({@link runProblem} says why). */
  record(id: string): RunRecord | undefined {
    return this.readRun(id).record;
  }

  /**
   * Why run `id`'s directory cannot be read back as a finished run — its run.json, or a
   * successful run's summary.json, missing (removed by hand), not JSON (damaged) or no JSON
   * object — as `runs/ID/FILE is missing`; undefined when it can, or when it has no run.json.
   */
  runProblem(id: string): string | undefined {
    return this.readRun(id).problem;
  }

  /**
   * The record of run `id` with, for a successful run, its parsed summary.json, each read once (the
   * tables need both); undefined as {@link record} says.
   */
  finished(id: string): { record: RunRecord; summary?: Record<string, unknown> } | undefined {
    const { record, summary } = this.readRun(id);
    return record && { record, summary };
  }

  /** Run `id`'s run.json read once: its record when it can be read back as a finished run (with a successful run's summary.json), else the {@link runProblem} (neither without a run.json). */
  private readRun(id: string): { record?: RunRecord; summary?: Record<string, unknown>; problem?: string } {
    const dir = this.runDir(id);
    if (!existsSync(join(dir, 'run.json'))) return {};
    const problem = (name: string): { why?: string; value?: Record<string, unknown> } => {
      let value: unknown;
      try {
        value = readJson(join(dir, name));
      } catch (e) {
        return { why: `cannot be read (${e instanceof Error ? e.message : String(e)})` };
      }
      if (value === undefined) return { why: 'is missing' };
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return { why: 'is not a JSON object' };
      return { value: value as Record<string, unknown> };
    };
    const rec = problem('run.json');
    if (rec.why !== undefined) return { problem: `runs/${id}/run.json ${rec.why}` };
    const record = rec.value as unknown as RunRecord;
    if (record.status !== 'ok') return { record };
    const summary = problem('summary.json');
    return summary.why === undefined ? { record, summary: summary.value } : { problem: `runs/${id}/summary.json ${summary.why}` };
  }

  /** The parsed summary.json of successful run `id`. */
  summary(id: string): unknown {
    return readJson(join(this.runDir(id), 'summary.json'));
  }

  /** Ids of the finished runs present. */
  runIds(): string[] {
    if (!existsSync(this.runsDir)) return [];
    return readdirSync(this.runsDir).filter((n) => !n.startsWith('.') && existsSync(join(this.runsDir, n, 'run.json'))).sort();
  }

  /**
   * Whether a finished run is present: one whose run.json (and a successful run's summary.json) can be read
   * back ({@link record}), not any entry of runs/ (a run directory whose run.json was removed, a .DS_Store);
   * false when runs/ cannot be read. What an interrupted sweep says it keeps.
   */
  hasFinishedRun(): boolean {
    try {
      return this.runIds().some((id) => this.record(id) !== undefined);
    } catch {
      return false;
    }
  }

  /**
   * Records run `id` as failed with `error` (atomically, replacing an earlier record); a write the
   * system refuses (a full disk) is an OutDirError naming the run (exit 2).
   */
  recordFailure(rec: RunRecord): void {
    const stage = join(this.staging, `fail-${rec.id}`);
    try {
      rmSync(stage, { recursive: true, force: true });
      makeDirs(stage);
      writeSweepFile(join(stage, 'run.json'), JSON.stringify(rec, null, 2) + '\n');
      placeDir(stage, this.runDir(rec.id), join(this.staging, `old-${rec.id}`));
    } catch (e) {
      if (!isSystemError(e)) throw e;
      rmSync(stage, { recursive: true, force: true });
      throw new OutDirError(`--out ${showPath(this.dir)}: cannot record the failure of run ${rec.id} (${(e as Error).message}); the runs finished before it are kept, and the same command again goes on from them`);
    }
  }
}
