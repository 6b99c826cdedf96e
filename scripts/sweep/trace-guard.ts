/**
 * One version of each trace in a sweep's result set. A sweep records the SHA-256 of its trace
 * file when it begins (experiment.json, `trace.sha256`), and of each trace it generates when it
 * makes it (`DIR/traces/F.sha256`, as `sha256sum` writes it); every run then checks that the
 * trace it replayed is that version (the hash its provenance records, and the file unchanged
 * while it ran), a resume that the trace file changed since is refused before any run, and
 * `syncsim merge` refuses directories whose runs replayed different versions of the trace. Any of
 * these is an input error (exit 2): the runs already there replayed one version, and they are
 * kept as they are.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../errors.ts';
import { showPath, type Manifest, type SweepDir } from './store.ts';
import type { RunSpec } from './plan.ts';

/** What a run found of its trace, when not the version its sweep replays (a worker's answer). */
export interface TraceChange {
  /** The SHA-256 the run hashed (its provenance), when the file stayed one version while the run read it. */
  found?: string;
  /** The file changed while the run replayed it. */
  during: boolean;
}

/**
 * How a run's trace changed, or undefined when it replayed the version `expected`: `found` is the
 * SHA-256 its provenance records, `before` and `after` the trace's fileStamp (provenance.ts) taken
 * before the run began and after it ended (the hash and the rows were read between them).
 */
export function traceChange(expected: string, found: string | undefined, before: string | undefined, after: string | undefined): TraceChange | undefined {
  if (before === undefined || before !== after) return { during: true };
  return found === expected ? undefined : { found, during: false };
}

/** Thrown by a sweep worker's run whose trace is not the sweep's version ({@link traceChange}): the run is not kept. */
export class TraceChanged extends Error {
  constructor(readonly change: TraceChange) {
    super(change.during ? 'the trace changed while the run replayed it' : `the run replayed a trace of SHA-256 ${change.found}, not the sweep's`);
    this.name = 'TraceChanged';
  }
}

/** A trace of a sweep, for the messages: a trace file or a generated trace, as messages show it (`x.csv`, `DIR/traces/F`). */
export interface TraceOrigin {
  kind: 'path' | 'gen';
  shown: string;
}

/**
 * The error that stops a sweep whose run `id` found its trace changed (`expected`: the version
 * the sweep began with; `out`: its directory as messages show it): exit 2, the runs finished kept.
 */
export function traceChangedStop(trace: TraceOrigin, expected: string, change: TraceChange, id: string, out: string): InputError {
  const found = change.during ? `it changed while run ${id} replayed it` : `run ${id} replayed a version of SHA-256 ${change.found}`;
  const kept = `the sweep stopped, so as not to mix two versions of it in ${out}; the runs finished are kept (they replayed the version the sweep ${trace.kind === 'gen' ? 'made' : 'began with'})`;
  if (trace.kind === 'gen') {
    return new InputError(
      `generated trace ${trace.shown} changed since the sweep made it (SHA-256 ${expected}, recorded in ${basename(trace.shown)}.sha256 beside it): ${found}; ${kept}. ` +
        `Delete ${trace.shown} (the same command generates it again from its preset, parameters and seed) and run the same command again`,
    );
  }
  return new InputError(
    `trace file ${trace.shown} changed since the sweep began (SHA-256 ${expected} then): ${found}; ${kept}. ` +
      'Put that version back and run the same command again to resume, or sweep the new version into another --out',
  );
}

/** The SHA-256 of the trace file recorded in experiment manifest `m`; undefined for a generated trace, or a directory written before syncsim recorded it. */
export function recordedTraceSha(m: Manifest): string | undefined {
  const t = m.trace;
  if (t === null || typeof t !== 'object' || Array.isArray(t) || typeof t.path !== 'string') return undefined;
  return typeof t.sha256 === 'string' ? t.sha256 : undefined;
}

/** The trace file of manifest `m` as its experiment gives it (`trace.path`), of one that {@link isPathTrace}. */
const pathOf = (m: Manifest) => (m.trace as { path: string }).path;

/** Whether manifest `m` replays a trace file (`trace.path`), not generated ones. */
const isPathTrace = (m: Manifest) => m.trace !== null && typeof m.trace === 'object' && !Array.isArray(m.trace) && typeof m.trace.path === 'string';

/**
 * The SHA-256 of the trace that run `id` of `store` replayed (its summary's provenance); undefined
 * for a failed run, one without provenance, or one whose summary.json cannot be read (the result
 * tables say so when they read it).
 */
export function replayedSha(store: SweepDir, id: string): string | undefined {
  let s: { provenance?: { trace_sha256?: unknown } } | undefined;
  try {
    s = store.summary(id) as typeof s;
  } catch {
    return undefined;
  }
  const sha = s?.provenance?.trace_sha256;
  return typeof sha === 'string' ? sha : undefined;
}

/**
 * The version of the trace file the sweep in `store` (manifest `have`) began with and the one
 * `want` (this sweep's manifest) replays, when they differ; undefined when they are the same, or
 * when nothing says (generated traces, or an older directory with no run finished). A directory
 * written before syncsim recorded the version: what its first finished run replayed, looked at
 * only when `same` (the two are the same experiment, whose run ids hash the trace's contents)
 * is false.
 */
function traceChangedSince(store: SweepDir, have: Manifest, want: Manifest, same: boolean): { then: string; now: string } | undefined {
  const now = recordedTraceSha(want);
  if (now === undefined || !isPathTrace(have)) return undefined;
  let then = recordedTraceSha(have);
  if (then === undefined && !same) {
    for (const id of store.runIds()) if ((then = replayedSha(store, id)) !== undefined) break;
  }
  return then === undefined || then === now ? undefined : { then, now };
}

/**
 * Refuses (InputError, exit 2) to resume the sweep in `store` (manifest `have`; `out` as messages
 * show it) when its trace file changed since it began ({@link traceChangedSince}): before
 * anything is run or written. `shown`: this sweep's trace file as messages show it.
 */
export function refuseChangedTrace(store: SweepDir, have: Manifest, want: Manifest, same: boolean, shown: string, out: string): void {
  const changed = traceChangedSince(store, have, want, same);
  if (!changed) return;
  const runs = store.runIds().filter((id) => store.record(id)?.status === 'ok').length;
  const held = runs > 0
    ? `its ${runs} finished run${runs === 1 ? '' : 's'} replayed the version it began with, and runs of another version cannot join them`
    : 'its directory is of the version it began with (no run finished yet), and runs of another version cannot join it';
  const other = pathOf(have) !== pathOf(want) ? ` (it began with trace.path ${pathOf(have)})` : '';
  throw new InputError(
    `--out ${out}: trace file ${shown} changed since the sweep there began${other} (SHA-256 ${changed.then} then, ${changed.now} now): ` +
      `${held}; nothing was run or written. ` +
      'Put that version back and run the same command again to resume, or sweep the new version into another --out',
  );
}

/** The name of the record of generated trace `file`'s SHA-256, beside it in `DIR/traces/`. */
export const shaRecordName = (file: string) => `${file}.sha256`;

/** The record of a generated trace's SHA-256, as `sha256sum` writes it (`sha256sum -c F.sha256` in `DIR/traces/` checks it). */
export const shaRecordText = (sha256: string, file: string) => `${sha256}  ${file}\n`;

/**
 * The SHA-256 recorded at `path` ({@link shaRecordText}); undefined when there is none (a trace
 * generated before syncsim recorded them). `shown`: the record as messages show it. Throws
 * InputError when it is not such a record.
 */
export function readShaRecord(path: string, shown: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`${shown}: cannot be read (${(e as Error).message})`);
  }
  const m = /^([0-9a-f]{64}) /.exec(text);
  if (!m) throw new InputError(`${shown}: not the SHA-256 record the sweep wrote of the trace beside it; delete both (the same command generates the trace again)`);
  return m[1];
}

/**
 * The version of its trace that each run of a sweep must replay: the trace file's as the plan
 * read it, each generated trace's as it was made (by this sweep, or recorded beside it by an
 * earlier one).
 */
export class TraceVersions {
  private readonly gen = new Map<string, string | undefined>();

  /** `tracesDir`: the sweep's `DIR/traces`; `out`: its directory as messages show it. */
  constructor(private readonly tracesDir: string, private readonly out: string) {}

  /** Generated trace `file` was made now, its SHA-256 `sha256`. */
  made(file: string, sha256: string | undefined): void {
    this.gen.set(file, sha256);
  }

  /**
   * The SHA-256 run `r` must replay; undefined for a generated trace that has no record (made
   * before syncsim recorded them: not checked). Throws InputError for a record that is not one.
   */
  expected(r: RunSpec): string | undefined {
    if (r.trace.kind === 'path') return r.trace.identity.path_sha256;
    const file = r.trace.file;
    if (!this.gen.has(file)) this.gen.set(file, readShaRecord(join(this.tracesDir, shaRecordName(file)), `${this.out}/traces/${shaRecordName(file)}`));
    return this.gen.get(file);
  }

  /** The error that stops the sweep when run `r` found `change` ({@link traceChangedStop}). */
  stop(r: RunSpec, change: TraceChange): InputError {
    const trace: TraceOrigin = r.trace.kind === 'gen' ? { kind: 'gen', shown: `${this.out}/traces/${r.trace.file}` } : { kind: 'path', shown: showPath(r.trace.path) };
    return traceChangedStop(trace, this.expected(r)!, change, r.id, this.out);
  }
}

/** A directory merged: where it is, its store and its manifest. */
export interface MergedDir {
  dir: string;
  store: SweepDir;
  manifest: Manifest;
}

/**
 * Refuses (InputError, exit 2) to merge directories `dirs` whose runs replayed different
 * versions of the experiment's trace file: the versions their sweeps began with (their
 * manifests) and, with `runs`, those their successful runs replayed (their provenance, read from
 * every summary.json) must all be one. Generated traces are not compared: a run's id already
 * names its preset, parameters and seed, and each sweep checked its runs against the traces it made.
 */
export function refuseMixedTraces(dirs: readonly MergedDir[], runs = true): void {
  if (!dirs.every((d) => isPathTrace(d.manifest))) return;
  /** Where each version was found: the directories whose sweeps began with it, the runs that replayed it. */
  const versions = new Map<string, { began: string[]; runs: string[] }>();
  const at = (sha: string) => versions.get(sha) ?? versions.set(sha, { began: [], runs: [] }).get(sha)!;
  for (const d of dirs) {
    const sha = recordedTraceSha(d.manifest);
    if (sha !== undefined) at(sha).began.push(d.dir);
  }
  for (const d of runs ? dirs : []) {
    for (const id of d.store.runIds()) {
      const sha = replayedSha(d.store, id);
      if (sha !== undefined) at(sha).runs.push(`${d.dir}/runs/${id}`);
    }
  }
  if (versions.size <= 1) return;
  const list = (xs: string[]) => xs.slice(0, 3).join(', ') + (xs.length > 3 ? ` and ${xs.length - 3} more` : '');
  const where = [...versions].map(([sha, v]) => {
    const began = v.began.length ? `the sweep${v.began.length === 1 ? '' : 's'} of ${list(v.began)} began with it` : '';
    const replayed = v.runs.length ? `${v.runs.length} run${v.runs.length === 1 ? '' : 's'} replayed it: ${list(v.runs)}` : '';
    return `SHA-256 ${sha} (${[began, replayed].filter(Boolean).join('; ')})`;
  });
  throw new InputError(
    `merge: the directories replayed ${versions.size} versions of trace file ${pathOf(dirs[0].manifest)}, which one result set cannot mix (it changed between or during their sweeps): ${where.join(', ')}; nothing was written. ` +
      'Sweep again, into new directories, the shards that replayed the version not wanted (with the trace file as the others had it), and merge those',
  );
}
