/**
 * The result tables of a sweep, tidy CSV that pandas (`read_csv`) and R (`read.csv`) read as is:
 *
 * - `results.csv`: one row per run, `run_id,point,<grid keys>,seed,status,<metrics>,error`;
 * - `aggregate.csv`: one row per grid point and metric,
 *   `point,<grid keys>,metric,n,mean,sd,ci95,median` over the point's successful runs
 *   (`ci95` is the half-width of the 95 % confidence interval of the mean, Student t).
 *
 * A missing value (a failed run, a latency with no msync, sd of one value) is an empty cell.
 * Both files depend only on the manifest and the run records, never on how or where the runs
 * were made (jobs, shards, resumes), so the same experiment and seeds give byte-identical files.
 * They are written under temporary names, letting the event loop turn now and then so that a
 * command's Ctrl-C is answered, and renamed into place together once both are whole.
 */
import { turn } from '../../traces/turn.ts';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isSystemError, tempBeside, TempFile } from '../../traces/files.ts';
import { OutDirError } from '../../traces/out-dir.ts';
import { canonicalJson, type Json } from './identity.ts';
import { metricValue } from './metrics.ts';
import { pointStats, type PointStats } from './stats.ts';
import { agedNote, countAged, noneAged, sweepNamesPolicy, type AgedUnderNone } from './background.ts';
import { addSyncs, FAILED_SYNCS_MEANING, noSyncs, okShareGap, syncsText, type SyncCounts } from '../failed-syncs.ts';
import { countUndurable, undurableWarning, type UndurablePoint } from './undurable.ts';
import type { Summary } from '../../sim/stats/summary.ts';
import { WARNINGS_FILE, writeWarningsFile } from './warnings-file.ts';
import { refuseEditedTables, stampTables } from './table-stamps.ts';
import { OWNER, showPath, type Manifest, type RunRecord, type SweepDir } from './store.ts';

/** A CSV cell, quoted when it holds a comma, a quote, a line break or outer spaces. */
export function csvCell(s: string): string {
  return /[",\n\r]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A grid value as a cell: words and numbers as they are, lists and mappings as JSON. */
export function valueCell(v: Json): string {
  if (v === null) return '';
  if (typeof v === 'string') return csvCell(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return csvCell(canonicalJson(v));
}

/** A measured number as a cell (exact), empty for null. */
export function numberCell(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '' : String(v);
}

/** A computed statistic as a cell: 12 significant digits (no float noise), empty for null. */
export function statCell(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '' : String(Number(v.toPrecision(12)));
}

/** The header of results.csv for these grid keys and metrics. */
export function resultsHeader(keys: readonly string[], metrics: readonly string[]): string {
  return ['run_id', 'point', ...keys, 'seed', 'status', ...metrics, 'error'].map(csvCell).join(',') + '\n';
}

/** The header of aggregate.csv for these grid keys. */
export function aggregateHeader(keys: readonly string[]): string {
  return ['point', ...keys, 'metric', 'n', 'mean', 'sd', 'ci95', 'median'].map(csvCell).join(',') + '\n';
}

/** One aggregate.csv row. */
export function aggregateRow(point: number, values: readonly Json[], metric: string, s: PointStats): string {
  return [String(point), ...values.map(valueCell), csvCell(metric), String(s.n), statCell(s.mean), statCell(s.sd), statCell(s.ci95), statCell(s.median)].join(',') + '\n';
}

/** A file written in chunks under this process's temporary name, renamed into place (flushed to disk) by `commit`. */
class AtomicFile {
  private readonly file: TempFile;
  private buf = '';
  /** Bytes written so far. */
  private pos = 0;

  constructor(readonly path: string) {
    this.file = new TempFile(path, tempBeside(path, OWNER));
  }

  write(s: string): void {
    this.buf += s;
    if (this.buf.length >= 1 << 16) this.flush();
  }

  private flush(): void {
    if (this.buf) {
      const bytes = Buffer.from(this.buf);
      this.file.writeAt(bytes, this.pos);
      this.pos += bytes.length;
    }
    this.buf = '';
  }

  commit(): void {
    this.flush();
    this.file.commit(true);
  }

  abort(): void {
    this.file.abort();
  }
}

/** The two tables, as named in `outDir`. */
const TABLES = ['results.csv', 'aggregate.csv'] as const;

/**
 * Removes the temporary files of the tables this process is writing into `outDir`, if any: the
 * cleanup of a command interrupted while it writes them (it then exits), which leaves the tables
 * there before as they were.
 */
export function removeTableTemps(outDir: string): void {
  for (const f of TABLES) rmSync(tempBeside(join(outDir, f), OWNER), { force: true });
}

/** Thrown by {@link writeTables} when its `interrupted` says so: the tables were not written. */
export class TablesInterrupted extends Error {
  constructor() {
    super('interrupted while writing results.csv and aggregate.csv');
    this.name = 'TablesInterrupted';
  }
}

/** Options of {@link writeTables}. */
export interface TablesOptions {
  /**
   * Asked each time the writing lets the event loop turn (a signal's handler runs then), and last
   * before the tables are renamed into place: once true, the temporary files are removed and
   * {@link TablesInterrupted} is thrown.
   */
  interrupted?: () => boolean;
}

/** How long the tables are written before the event loop turns (ms): a Ctrl-C is answered within about this. */
const TURN_MS = 20;


/** What writing the tables found. */
export interface TablesOutcome {
  runs: number;
  ok: number;
  /** Records of the failed runs, in plan order. */
  failed: RunRecord[];
  /** Grid points with two or more successful runs, and those among them whose runs' results are all the same (the seeds are copies). */
  seeded: number;
  copies: number;
  /** The metrics that no successful run has a value of (`txn.*` of a trace without transactions): empty columns. */
  empty: string[];
  /** Metrics with a value at some grid points and none at others (of those with a successful run): the points without, labelled `key=value, ...`. */
  missingAt: { metric: string; points: string[] }[];
  /** Groups of two or more grid points (labelled) whose runs gave the same value of every metric, seed by seed. */
  alike: string[][];
  /**
   * Successful runs whose closed replay stretched a task, the largest share of its trace any task of them ended behind,
   * and how many of those runs wrote tasks.csv (which names the tasks; `--results` may leave it out; absent: all).
   */
  stretched: { runs: number; maxShare: number; withTasks?: number };
  /** The msyncs of each grid point with a successful run (summed over its successful runs): how many, how many returned OK, and the codes of the others. */
  syncs: SyncCounts[];
  /** The grid points with a successful run, and how many of their runs made nothing durable ({@link undurableWarning}). */
  durability: UndurablePoint[];
  /** Successful runs under the default writeback.policy none in which a page waited past its kernel daemon's age for its write (none counted when the experiment names the policy). */
  aged: AgedUnderNone;
}

/**
 * A run's summary without what differs between seeds of one configuration that replay alike:
 * its seed, its provenance and its trace's file name (a sweep generates a trace file per seed,
 * and a preset without randomness generates the same rows into each).
 */
export function resultsOf(summary: unknown): string {
  const { provenance: _p, config, trace, ...rest } = summary as { provenance?: unknown; config?: Record<string, unknown>; trace?: Record<string, unknown> };
  const { seed: _s, ...cfg } = config ?? {};
  const { path: _path, name: _name, ...tr } = trace ?? {};
  return JSON.stringify({ ...rest, trace: tr, config: cfg });
}

/** What a sweep's tables warn of ({@link copiesWarning}, {@link emptyMetricsWarning}, ...), one line each. */
export function tablesWarnings(t: Pick<TablesOutcome, 'seeded' | 'copies' | 'empty' | 'missingAt' | 'alike' | 'stretched'> & Partial<Pick<TablesOutcome, 'syncs' | 'durability'>>): string[] {
  return [copiesWarning(t), emptyMetricsWarning(t), ...missingWarnings(t), alikeWarning(t), failedSyncsWarning(t), undurableWarning(t.durability ?? []), stretchWarning(t)].filter((w): w is string => w !== undefined);
}

/** The notes to print after the tables (`syncsim: note: ...`, as `syncsim run` prints its note on the default writeback policy). */
export function tablesNotes(t: Partial<Pick<TablesOutcome, 'aged'>>): string[] {
  return [t.aged && agedNote(t.aged)].filter((n): n is string => typeof n === 'string');
}

/** At most `n` items joined by '; ', with how many more. */
const some = (items: readonly string[], n = 3) => items.slice(0, n).join('; ') + (items.length > n ? `; and ${items.length - n} more` : '');

/** The warnings for metrics with no value at some grid points: those points are missing from the metric's figures. */
export function missingWarnings(t: Pick<TablesOutcome, 'missingAt'>): string[] {
  return t.missingAt.map(({ metric, points }) =>
    `no run of ${points.length === 1 ? 'grid point' : `${points.length} grid points`} ${some(points.map((p) => `(${p})`))} has a value of ${metric}, so ${points.length === 1 ? 'it is' : 'they are'} missing from its columns and figures (a durability lag needs a page version made durable; a latency, successful msyncs after the warm-up)`);
}

/** The warning for grid points that gave the same value of every metric in every seed, else undefined. */
export function alikeWarning(t: Pick<TablesOutcome, 'alike'>): string | undefined {
  if (t.alike.length === 0) return undefined;
  return `grid points gave the same value of every metric, seed by seed: ${some(t.alike.map((g) => g.map((p) => `(${p})`).join(' = ')))}; the keys that set them apart changed nothing this sweep measures (e.g. a key the personality or trace does not exercise)`;
}

/**
 * The warning for grid points at which a far smaller share of the msyncs returned OK than at
 * another ({@link okShareGap}: a personality that rejects calls another accepts), else undefined.
 */
export function failedSyncsWarning(t: Partial<Pick<TablesOutcome, 'syncs'>>): string | undefined {
  const gap = okShareGap(t.syncs ?? []);
  if (!gap) return undefined;
  return `grid points differ in how many of their msyncs succeeded: ${some(gap.low.map((p) => `(${p.label}) ${syncsText(p)}`))}, against (${gap.best.label}) ${syncsText(gap.best)}; ${FAILED_SYNCS_MEANING}`;
}

/** The warning for runs whose closed replay stretched a task (as `syncsim run` warns of each), else undefined. */
export function stretchWarning(t: Pick<TablesOutcome, 'stretched'>): string | undefined {
  const { runs, maxShare, withTasks = runs } = t.stretched;
  if (runs === 0) return undefined;
  // tasks.csv named only where the runs wrote it (review 196: --results report left it out, and the warning sent readers to it)
  const see = withTasks === runs ? "see a run's tasks.csv" : withTasks === 0 ? 'tasks.csv, which --results left out of these runs, would name the tasks' : `see the tasks.csv of the ${withTasks} of them that wrote one`;
  return `closed replay stretched a task in ${runs} run${runs === 1 ? '' : 's'} (a task ended up to ${(100 * maxShare).toFixed(1)} % of its trace behind): their ops took longer than the trace's gaps, so what later ops met differs from the trace's timing; ${see}, or replay: open`;
}

/** The warning for metrics no successful run of a sweep has a value of, else undefined. */
export function emptyMetricsWarning(t: Pick<TablesOutcome, 'empty'>): string | undefined {
  if (t.empty.length === 0) return undefined;
  return `no run has a value of ${t.empty.join(', ')}: ${t.empty.length > 1 ? 'their columns are' : 'its column is'} empty (a txn.* metric needs a trace with x_txn; a latency, successful msyncs after the warm-up)`;
}

/**
 * The warning for a sweep whose seeds gave the same results at `copies` of its `seeded` grid
 * points (those with two or more successful runs), or undefined when none did.
 */
export function copiesWarning(t: Pick<TablesOutcome, 'seeded' | 'copies'>): string | undefined {
  if (t.copies === 0) return undefined;
  const where = t.copies === t.seeded ? (t.seeded === 1 ? 'the grid point' : 'every grid point') : `${t.copies} of ${t.seeded} grid points`;
  return `the seeds of ${where} gave the same results: they are copies, not replications (the same rows, from a trace file or a preset that draws nothing at random, replayed by a model that draws no random number, e.g. constant service times), so their sd and CI of 0 say nothing of uncertainty; a preset with random arrivals or addresses, or a random service-time distribution, makes each seed differ`;
}

/** A failure message on one line. */
export function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * Writes `results.csv` and `aggregate.csv` into `outDir` from the run records of `store` (every
 * run of `manifest` must have one: a missing run throws). Reads one grid point at a time, and lets
 * the event loop turn every {@link TURN_MS} ms; stops there when `opts.interrupted` says so
 * ({@link TablesInterrupted}). Both tables are renamed into place together, once both are whole.
 * A write the system refuses (a full disk, a file size limit) is an OutDirError naming them
 * (exit 2). On any failure the tables there before are left as they were.
 */
export async function writeTables(manifest: Manifest, store: SweepDir, outDir: string, opts: TablesOptions = {}): Promise<TablesOutcome> {
  // tables edited since they were written are the user's: refused, not written over (table-stamps.ts)
  refuseEditedTables(outDir);
  let outcome: TablesOutcome;
  try {
    outcome = await tablesInto(manifest, store, outDir, opts);
  } catch (e) {
    if (!isSystemError(e)) throw e;
    throw new OutDirError(`--out ${showPath(outDir)}: cannot write results.csv and aggregate.csv (${(e as Error).message}); the runs are kept, and the same command again writes the tables`);
  }
  // what the command says of the tables, kept beside them (warnings-file.ts)
  try {
    writeWarningsFile(outDir, tablesWarnings(outcome), tablesNotes(outcome));
  } catch (e) {
    if (!isSystemError(e)) throw e;
    throw new OutDirError(`--out ${showPath(outDir)}: results.csv and aggregate.csv were written, but not ${WARNINGS_FILE} (${(e as Error).message}): the same command again writes it`);
  }
  try {
    stampTables(outDir);
  } catch (e) {
    if (!isSystemError(e)) throw e;
    throw new OutDirError(`--out ${showPath(outDir)}: the tables were written, but not their stamps in its .syncsim (${(e as Error).message}): the same command again writes them`);
  }
  return outcome;
}

/** {@link writeTables}, its errors as they come. */
async function tablesInto(manifest: Manifest, store: SweepDir, outDir: string, opts: TablesOptions): Promise<TablesOutcome> {
  const { keys, metrics } = manifest;
  const results = new AtomicFile(join(outDir, 'results.csv'));
  const aggregate = new AtomicFile(join(outDir, 'aggregate.csv'));
  let turned = performance.now();
  /** Lets the event loop turn (a signal is handled then); throws TablesInterrupted when that was one. */
  const answer = async () => {
    await turn();
    turned = performance.now();
    if (opts.interrupted?.()) throw new TablesInterrupted();
  };
  const outcome: TablesOutcome = { runs: 0, ok: 0, failed: [], seeded: 0, copies: 0, empty: [], missingAt: [], alike: [], stretched: { runs: 0, maxShare: 0, withTasks: 0 }, syncs: [], durability: [], aged: noneAged() };
  // the default writeback.policy is said of only when the experiment does not name one
  const policyNamed = sweepNamesPolicy(join(outDir, 'experiment.yaml'));
  // points with a successful run: their labels, which metrics they have no value of, and their values seed by seed
  const unvalued = metrics.map((): string[] => []);
  const bySignature = new Map<string, string[]>();
  let pointsOk = 0;
  try {
    results.write(resultsHeader(keys, metrics));
    aggregate.write(aggregateHeader(keys));
    const byPoint = new Map<number, Manifest['runs']>();
    for (const r of manifest.runs) {
      let list = byPoint.get(r.point);
      if (!list) byPoint.set(r.point, (list = []));
      list.push(r);
    }
    for (const p of manifest.points) {
      const cols: (number | null)[][] = metrics.map(() => []);
      const valueCells = p.values.map(valueCell);
      const seen = new Set<string>();
      let ok = 0;
      const label = keys.map((k, i) => `${k}=${valueCell(p.values[i]!)}`).join(', ');
      const syncs = noSyncs(label);
      const durability: UndurablePoint = { label, runs: 0, undurable: 0 };
      for (const r of byPoint.get(p.point) ?? []) {
        if (performance.now() - turned >= TURN_MS) await answer();
        const done = store.finished(r.id);
        const rec = done?.record;
        if (!rec) throw new Error(`run ${r.id} (point ${r.point}, seed ${r.seed}) has no record in ${store.runsDir}`);
        outcome.runs++;
        let vals: (number | null)[];
        if (rec.status === 'ok') {
          outcome.ok++;
          const summary = done!.summary;
          vals = metrics.map((m) => metricValue(summary, m));
          ok++;
          seen.add(resultsOf(summary));
          addSyncs(syncs, summary);
          countUndurable(durability, summary as unknown as Summary);
          if (!policyNamed) countAged(outcome.aged, summary);
          const replay = (summary as { replay?: { stretched_tasks?: number; max_lag_end_us?: number; trace_end_us?: number } }).replay;
          if ((replay?.stretched_tasks ?? 0) > 0) {
            outcome.stretched.runs++;
            if (existsSync(join(store.runsDir, r.id, 'tasks.csv'))) outcome.stretched.withTasks!++;
            if (replay!.trace_end_us! > 0) outcome.stretched.maxShare = Math.max(outcome.stretched.maxShare, replay!.max_lag_end_us! / replay!.trace_end_us!);
          }
        } else {
          outcome.failed.push(rec);
          vals = metrics.map(() => null);
        }
        vals.forEach((v, i) => cols[i].push(v));
        results.write(
          [r.id, String(r.point), ...valueCells, String(r.seed), rec.status, ...vals.map(numberCell), csvCell(oneLine(rec.error ?? ''))].join(',') + '\n',
        );
      }
      if (ok >= 2) {
        outcome.seeded++;
        if (seen.size === 1) outcome.copies++;
      }
      if (ok > 0) {
        pointsOk++;
        outcome.syncs.push(syncs);
        outcome.durability.push(durability);
        cols.forEach((c, i) => c.every((v) => v === null) && unvalued[i]!.push(label));
        if (cols.some((c) => c.some((v) => v !== null))) {
          const sig = JSON.stringify([(byPoint.get(p.point) ?? []).map((r) => r.seed), cols]);
          const group = bySignature.get(sig);
          if (group) group.push(label);
          else bySignature.set(sig, [label]);
        }
      }
      metrics.forEach((m, i) => aggregate.write(aggregateRow(p.point, p.values, m, pointStats(cols[i]))));
    }
    // a signal that came while the last rows were written is answered before anything is renamed
    await answer();
    results.commit();
    aggregate.commit();
    // a metric without a value at any point with a successful run is empty (said once, as such); at some, missing there
    if (pointsOk > 0) outcome.empty = metrics.filter((_, i) => unvalued[i]!.length === pointsOk);
    outcome.missingAt = metrics.map((metric, i) => ({ metric, points: unvalued[i]! })).filter((m) => m.points.length > 0 && m.points.length < pointsOk);
    outcome.alike = [...bySignature.values()].filter((g) => g.length > 1);
  } catch (e) {
    results.abort();
    aggregate.abort();
    throw e;
  }
  return outcome;
}
