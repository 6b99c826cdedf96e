/**
 * The simulated side of a validation: importing the fio I/O log into a trace
 * that carries each msync's measured latency, reading the replay's msyncs
 * back, pairs.csv, samples.csv, and the figure (validation-cdf).
 */
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { release, type } from 'node:os';
import { basename, resolve } from 'node:path';
import { fioIologImporter } from '../../traces/import/fio-iolog.ts';
import { iologLatencies } from './fio.ts';

/** The I/O log actions of a store or load through the mapping (fio's mmap engine: a memcpy). */
const ACCESS_ACTIONS: ReadonlySet<string> = new Set(['write', 'read']);
import { DEFAULT_SYNC_FLAGS } from '../../traces/import/sync-injector.ts';
import { TraceWriter, type RowInput } from '../../traces/writer.ts';
import type { ImportStats } from '../../traces/import/importer.ts';
import { openCsv, numberField } from '../../reports/csv.ts';
import { validationCdfChart, type ValidationCdfData } from '../../reports/charts/validation-cdf.ts';
import { writeChartFiles } from '../../reports/report.ts';
import { THEMES, type Theme } from '../../reports/theme.ts';

/**
 * The size (bytes) of a file named as an I/O log names it, read from the file itself (it exists
 * while the validation runs; a relative name from `cwd`, where fio ran); undefined when it
 * cannot be read (its mapping: the whole region). The import maps each file at its size instead
 * of a whole region, so that the replay's read-ahead stops at the end of the file, as the
 * kernel's does: on 2026-12-05 a validation's replay of `seq-small-syncs` (a 16 MiB file) read
 * ahead a second, phantom 16 MiB past its end 137 ms in, and one of its msyncs waited 6.2 ms for
 * it (the validation of 03:06 UTC).
 */
export function fileSizeFrom(cwd: string): (name: string) => number | undefined {
  return (name) => {
    try {
      const st = statSync(resolve(cwd, name));
      return st.isFile() && st.size > 0 ? st.size : undefined;
    } catch {
      return undefined; // a file gone (or never made): the whole region, as without a size
    }
  };
}

/**
 * The header comment of a validation's trace: the I/O logs it was imported from and the system fio ran on, this one
 * (`imported by syncsim validate from fio.iolog, the I/O log of a fio job run on Linux 6.8.0-49-generic`), which
 * `syncsim run` reads to say that the trace is a capture on Linux (scripts/commands/run.ts linuxCapture).
 */
export function validationTraceComment(iologs: readonly string[], system = `${type()} ${release()}`): string {
  return `imported by syncsim validate from ${iologs.map((f) => basename(f)).join(', ')}, the I/O log${iologs.length === 1 ? '' : 's'} of a fio job run on ${system}`;
}

/** One fio job's I/O log to import as one task, with its measured sync latencies. */
export interface CloneLog {
  iolog: string;
  task: string;
  measured: Float64Array;
}

/**
 * Imports the fio I/O logs of `clones` (jobs that ran at the same time) into
 * native trace `out`, one task each, their rows merged by time (stable: a
 * tie keeps log order, earlier clones first); the k-th msync of a task gets
 * its k-th measured latency in `x_measured_us`, and each store and load the
 * time from its entry to the next (the page fault it took included, which
 * the closed replay then simulates instead of adding to it); map rows get
 * `mapFlags` (the access advice) and each file's size (fileSizeFrom, names
 * relative to `cwd`, where fio ran); its header comment names the logs and
 * the system fio ran on ({@link validationTraceComment}). Returns each clone's msyncs.
 */
export async function importWithMeasured(clones: readonly CloneLog[], out: string, pageSize: number, mapFlags = 0, cwd = process.cwd()): Promise<number[]> {
  const rows: RowInput[] = [];
  const msyncs: number[] = [];
  for (const c of clones) {
    let k = 0, a = 0;
    const timed = await iologLatencies(c.iolog, ACCESS_ACTIONS);
    const access = timed.latencies_us;
    const stats: ImportStats = {};
    for await (const batch of fioIologImporter.rows(c.iolog, { pageSize, syncFlags: DEFAULT_SYNC_FLAGS, mapFlags, fileBytes: fileSizeFrom(cwd) }, stats)) {
      for (const row of batch) {
        row.task = c.task;
        if (row.op === 'msync') {
          if (k < c.measured.length) row.extra = { x_measured_us: String(c.measured[k]) };
          k++;
        } else if (row.op === 'write' || row.op === 'read') {
          // its time to the next entry, fault included: closed replay puts the simulated store or load in its place
          if (a < access.length) row.extra = { x_measured_us: String(access[a]) };
          a++;
        }
        rows.push(row);
      }
    }
    // one store or load row per write or read entry, or the times would land on the wrong rows
    if (a !== access.length + timed.unmatched) throw new Error(`${c.iolog}: ${a} stores and loads imported, ${access.length + timed.unmatched} write and read entries timed`);
    msyncs.push(k);
  }
  if (clones.length > 1) rows.sort((a, b) => a.tNs - b.tNs); // stable
  const w = await TraceWriter.open(out, { extraCols: ['x_measured_us'], comments: [validationTraceComment(clones.map((c) => c.iolog))] });
  try {
    for (const row of rows) await w.write(row);
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
  return msyncs;
}

/** The first `n` simulated msyncs of a task in issue order: latency, result and pages written. */
export interface SimSyncs {
  latencies_us: Float64Array;
  results: string[];
  pages: Float64Array;
}

/** One simulated msync of a task: issue time and latency in µs, pages written, result; `seq` its place in the run's order. */
export interface SimSync {
  t: number;
  seq: number;
  lat: number;
  pages: number;
  result: string;
}

/**
 * The first `n` of a task's simulated msyncs in issue order (ties in the run's order); `replay`
 * names the replay in the error when it made fewer.
 */
export function firstSyncs(rows: SimSync[], n: number, task: string, replay = 'the replay'): SimSyncs {
  rows.sort((a, b) => a.t - b.t || a.seq - b.seq);
  if (rows.length < n) throw new Error(`${replay} recorded ${rows.length} msyncs of task ${task}, expected at least ${n}`);
  const first = rows.slice(0, n);
  return { latencies_us: Float64Array.from(first, (r) => r.lat), results: first.map((r) => r.result), pages: Float64Array.from(first, (r) => r.pages) };
}

/** Reads syncs.csv of a replay: the first `n` msyncs of `task` in issue order. */
export async function simulatedSyncs(file: string, n: number, task: string): Promise<SimSyncs> {
  const f = await openCsv(file, ['task', 't_issue_us', 'latency_us', 'pages_written', 'result']);
  const rows: SimSync[] = [];
  let seq = 0;
  for await (const row of f.rows) {
    if (row.fields[f.col.task!] !== task) continue;
    rows.push({
      t: numberField(f, row, 't_issue_us', 0), seq: seq++, lat: numberField(f, row, 'latency_us', 0),
      pages: numberField(f, row, 'pages_written', 0), result: row.fields[f.col.result!]!,
    });
  }
  return firstSyncs(rows, n, task);
}

/** One task's matched syncs for pairs.csv. */
export interface TaskPairs {
  task: string;
  issued: Float64Array;
  measured: Float64Array;
  sim: SimSyncs;
}

/**
 * pairs.csv: one row per matched sync, measured beside simulated, task by
 * task; `sync` counts within the task, `compared` is 0 for the warm-up ones.
 */
export function writePairs(file: string, tasks: readonly TaskPairs[], warmup: number): void {
  const fd = openSync(file, 'w');
  try {
    let buf = 'sync,t_fio_us,pages_written,measured_us,simulated_us,result,compared,task\n';
    for (const { task, issued, measured, sim } of tasks) {
      for (let i = 0; i < measured.length; i++) {
        buf += `${i},${issued[i]},${sim.pages[i]},${measured[i]},${sim.latencies_us[i]},${sim.results[i]},${i < warmup ? 0 : 1},${task}\n`;
        if (buf.length > 1 << 16) {
          writeSync(fd, buf);
          buf = '';
        }
      }
    }
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
}

/**
 * The paper theme with PNGs of 300 dpi at the PDF's size (1 px of a spec is 1 pt, 1/72 in), where the
 * reports' are 144: a validation figure's PNG is what a reader puts in a paper or a review.
 */
export const PRINT_THEME: Theme = { ...THEMES.paper, pngScale: 300 / 72 };

/** Draws validation-cdf.{vl.json,svg,png,pdf} of `data` into `dir`, a single column wide; returns the file names. */
export async function writeChart(dir: string, data: ValidationCdfData): Promise<string[]> {
  const chart = validationCdfChart(data, PRINT_THEME);
  return writeChartFiles(dir, chart, PRINT_THEME, PRINT_THEME.widths.single);
}

/**
 * samples.csv: every compared latency, `measured` (the runs pooled, ascending; `run` says which run
 * each came from, 1, 2, …) then `simulated` (the seeds pooled, ascending; `run` empty).
 */
export function writeSamples(file: string, runs: readonly Float64Array[], sim: Float64Array): void {
  const tagged: [number, number][] = runs.flatMap((r, k) => Array.from(r, (v): [number, number] => [v, k + 1]));
  tagged.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const fd = openSync(file, 'w');
  try {
    let buf = 'series,latency_us,run\n';
    const flush = () => {
      if (buf.length > 1 << 16) {
        writeSync(fd, buf);
        buf = '';
      }
    };
    for (const [v, run] of tagged) {
      buf += `measured,${v},${run}\n`;
      flush();
    }
    for (let i = 0; i < sim.length; i++) {
      buf += `simulated,${sim[i]},\n`;
      flush();
    }
    writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads back a samples.csv: the measured latencies (pooled), each run's (by its `run` column; one run of
 * them all in files written before it had one) and the simulated ones, each ascending.
 */
export async function readSamples(file: string): Promise<{ measured: Float64Array; runs: Float64Array[]; simulated: Float64Array }> {
  const f = await openCsv(file, ['series', 'latency_us']);
  const out: Record<string, number[]> = { measured: [], simulated: [] };
  const byRun = new Map<number, number[]>();
  for await (const row of f.rows) {
    const s = row.fields[f.col.series!]!;
    if (s !== 'measured' && s !== 'simulated') throw new Error(`${file}: line ${row.line}: series must be measured or simulated (got '${s}')`);
    const v = numberField(f, row, 'latency_us', 0);
    out[s]!.push(v);
    if (s === 'measured' && f.col.run !== undefined) {
      const run = Number(row.fields[f.col.run]);
      if (!Number.isInteger(run) || run < 1) throw new Error(`${file}: line ${row.line}: run must be a whole number from 1 (got '${row.fields[f.col.run]}')`);
      if (!byRun.has(run)) byRun.set(run, []);
      byRun.get(run)!.push(v);
    }
  }
  const sorted = (a: number[]) => Float64Array.from(a).sort();
  const runs = byRun.size ? [...byRun.keys()].sort((a, b) => a - b).map((k) => sorted(byRun.get(k)!)) : [sorted(out.measured!)];
  return { measured: sorted(out.measured!), runs, simulated: sorted(out.simulated!) };
}
