/**
 * The msyncs of a run's syncs.csv, each named by its place in the trace (its
 * task's k-th msync), and the pairing of two runs' msyncs when both replayed
 * the same trace: the same msync in A and in B, so that `compare` can take
 * the per-msync differences B − A instead of two independent samples.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { readMarker } from '../../traces/out-dir.ts';
import { openCsv, numberField } from '../../reports/csv.ts';
import type { SideRun } from './sides.ts';
import { sameTrace } from './trace-ids.ts';

/** Result codes of a successful msync (`KERN_SUCCESS` for the mach personality). */
const SUCCESS: ReadonlySet<string> = new Set(['OK', 'KERN_SUCCESS']);

/** The columns of syncs.csv that name an msync of the trace: the task, and what it synced (range and flags). */
const IDENTITY_COLUMNS = ['task', 'addr', 'len', 'flags'] as const;

/** A run's msyncs as its syncs.csv lists them (in the order they completed). */
export interface RunMsyncs {
  /** Latencies (µs) of the successful msyncs after the warm-up, in the order they completed: what the statistics take. */
  latencies: Float64Array;
  /** Per row of syncs.csv: the task, when the file has the identity columns (else null: the msyncs cannot be named). */
  task: string[] | null;
  /** Per row: the msync's range and flags (`addr len flags`), as written. */
  what: string[];
  /** Per row: its issue time (µs), its latency (µs), and whether it is one of {@link latencies}. */
  issue: number[];
  latency: number[];
  kept: boolean[];
}

/**
 * Reads a run's syncs.csv: every msync, and the latencies (µs) of the successful ones after the
 * run's warm-up (summary config.stats.warmup_us). A missing file is an InputError saying why.
 */
export async function readMsyncs(run: SideRun): Promise<RunMsyncs> {
  const warmupUs = Number((run.summary.config as { stats?: { warmup_us?: number } }).stats?.warmup_us ?? 0);
  const file = join(run.dir, 'syncs.csv');
  if (!existsSync(file)) {
    const listed = readMarker(run.dir)?.files;
    const why = listed === undefined ? 'not found' : listed.includes('syncs.csv') ? 'removed after the run wrote it' : 'not written: the run\'s --results left it out';
    throw new InputError(`${file}: ${why}; compare reads the msync latencies of every run from its syncs.csv (run it again with --results all, report, or a list naming syncs)`);
  }
  const f = await openCsv(file, ['t_issue_us', 'latency_us', 'result']);
  const named = IDENTITY_COLUMNS.every((c) => f.col[c] !== undefined);
  const out: RunMsyncs = { latencies: new Float64Array(0), task: named ? [] : null, what: [], issue: [], latency: [], kept: [] };
  const kept: number[] = [];
  for await (const row of f.rows) {
    const issue = numberField(f, row, 't_issue_us', 0), latency = numberField(f, row, 'latency_us', 0);
    const ok = SUCCESS.has(row.fields[f.col.result!] ?? '') && issue >= warmupUs;
    if (ok) kept.push(latency);
    out.issue.push(issue);
    out.latency.push(latency);
    out.kept.push(ok);
    if (out.task) {
      out.task.push(row.fields[f.col.task!]!);
      out.what.push(`${row.fields[f.col.addr!]} +${row.fields[f.col.len!]} ${row.fields[f.col.flags!]}`);
    }
  }
  out.latencies = Float64Array.from(kept);
  return out;
}

/**
 * The rows of `m` in trace order, each with its key (k and the task) and its name (`task w0's
 * msync 3`): per task, its msyncs in issue order (ties in the file's order, the order they
 * completed); tasks interleaved by issue time. A task issues its msyncs in the order the trace
 * gives them, so the k-th msync of a task is the same trace row in every replay of the trace.
 */
function inTraceOrder(m: RunMsyncs): { row: number; id: string; name: string }[] {
  const rows = m.issue.map((_, i) => i).sort((x, y) => m.issue[x]! - m.issue[y]! || x - y);
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const task = m.task![row]!;
    const k = (seen.get(task) ?? 0) + 1;
    seen.set(task, k);
    return { row, id: `${k}\u0000${task}`, name: `task ${task}'s msync ${k}` };
  });
}

/** The msyncs of two runs paired, or why they are not. */
export type MsyncPairing =
  | {
    paired: true;
    /** The msyncs paired: those both runs keep (successful, after the warm-up). */
    msyncs: number;
    /** Their latencies (µs) in A and in B, pair by pair, in A's trace order (a series in time, as the msyncs ran). */
    a: Float64Array;
    b: Float64Array;
  }
  | { paired: false; why: string };

/** The trace hash a run's summary records (provenance.trace_sha256), if any. */
const traceHash = (r: SideRun) => (r.summary.provenance as { trace_sha256?: unknown } | undefined)?.trace_sha256;

/**
 * Pairs the msyncs of run `a` with those of run `b`: only when both replayed the same trace
 * (a SHA-256 in common: the file's, or the CSV a cache was made from: trace-ids.ts), list the same msyncs (as many, each task's k-th with the same range
 * and flags) and keep the same ones for the statistics (successful, after the warm-up). Otherwise
 * `why` says in a few words what stands in the way (the first thing found).
 */
export function pairMsyncs(a: { run: SideRun; msyncs: RunMsyncs }, b: { run: SideRun; msyncs: RunMsyncs }): MsyncPairing {
  const ha = traceHash(a.run), hb = traceHash(b.run);
  if (typeof ha !== 'string' || typeof hb !== 'string') return { paired: false, why: `${typeof ha !== 'string' ? 'A' : 'B'}'s summary.json records no trace hash (provenance.trace_sha256)` };
  if (!sameTrace(a.run, b.run)) return { paired: false, why: `A and B replayed different traces (sha256 ${ha.slice(0, 12)} and ${hb.slice(0, 12)})` };
  const ma = a.msyncs, mb = b.msyncs;
  if (!ma.task || !mb.task) return { paired: false, why: `${!ma.task ? 'A' : 'B'}'s syncs.csv lacks a column of ${IDENTITY_COLUMNS.join(', ')}` };
  if (ma.issue.length !== mb.issue.length) return { paired: false, why: `A's syncs.csv lists ${ma.issue.length} msyncs, B's ${mb.issue.length}` };
  const ia = inTraceOrder(ma), ib = new Map(inTraceOrder(mb).map((x) => [x.id, x.row]));
  const pairs: [number, number][] = [];
  for (const { row, id, name } of ia) {
    const rb = ib.get(id);
    if (rb === undefined) return { paired: false, why: `${name} is not in B` };
    if (ma.what[row] !== mb.what[rb]) return { paired: false, why: `${name} is ${ma.what[row]} in A, ${mb.what[rb]} in B` };
    if (ma.kept[row] || mb.kept[rb]) pairs.push([row, rb]);
  }
  const ka = ma.latencies.length, kb = mb.latencies.length;
  if (ka !== kb || pairs.length !== ka) {
    return { paired: false, why: `A keeps ${ka} msyncs (successful, after the warm-up), B ${kb}${ka === kb ? ', not the same ones' : ''}` };
  }
  return {
    paired: true, msyncs: pairs.length,
    a: Float64Array.from(pairs, ([x]) => ma.latency[x]!), b: Float64Array.from(pairs, ([, y]) => mb.latency[y]!),
  };
}
