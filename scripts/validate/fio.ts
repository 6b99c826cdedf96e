/**
 * Running fio and reading what it writes: its JSON report, its I/O logs
 * (`write_iolog`, version 3, with µs timestamps) and its latency logs
 * (`write_lat_log`).
 *
 * Per-operation latencies come from the I/O log: fio logs each I/O with a
 * timestamp when it issues it, and issues the next one when it has
 * completed, so the time from one entry to the next is the operation's
 * latency plus fio's own bookkeeping between two I/Os (about a µs for the
 * mmap and psync engines; the JSON report's own mean is kept beside it as a
 * check). fio 3.33's latency logs hold reads and writes only (data direction
 * 0 and 1), never syncs, so they cannot give msync latencies.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { TraceError } from '../../traces/trace-error.ts';
import { InputError, lastLines } from '../errors.ts';
import { cleanupOnInterrupt } from '../interrupt.ts';

/** fio's version line (`fio-3.33`); an InputError when fio is not installed. */
export function fioVersion(): string {
  const r = spawnSync('fio', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new InputError('fio not found: install it (Debian: apt-get install fio; npm test installs it)');
  return r.stdout.trim();
}

/** Most bytes of fio's standard error kept for an error message. */
const STDERR_KEEP = 4096;

/**
 * Runs `fio ARGS` in `cwd`; resolves when it exits 0, else throws an
 * InputError quoting the end of its standard error.
 */
export function runFio(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('fio', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    // an interrupted syncsim stops its fio too
    const release = cleanupOnInterrupt(() => void child.kill('SIGTERM'));
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      err = (err + s).slice(-STDERR_KEEP);
    });
    child.on('error', (e) => {
      release();
      reject(new InputError(`cannot run fio: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      release();
      if (code === 0) resolve();
      else {
        const why = lastLines(err);
        reject(new InputError(`fio ${signal ? `was killed by ${signal}` : `failed (exit ${code})`}${why ? `: ${why}` : ''}`));
      }
    });
  });
}

/** A growable array of doubles. */
export class Samples {
  private v = new Float64Array(256);
  private n = 0;
  push(x: number): void {
    if (this.n === this.v.length) {
      const w = new Float64Array(this.n * 2);
      w.set(this.v);
      this.v = w;
    }
    this.v[this.n++] = x;
  }
  get length(): number {
    return this.n;
  }
  /** The values so far (a view, not a copy). */
  values(): Float64Array {
    return this.v.subarray(0, this.n);
  }
}

/** Latencies of the selected actions of one I/O log. */
export interface IologLatencies {
  /** Latency of each selected entry, in log order (µs): the next entry's time minus its own. */
  latencies_us: Float64Array;
  /** Time of each selected entry (µs since the job started), same order. */
  issued_us: Float64Array;
  /** Selected entries with no entry after them (their latency is unknown). */
  unmatched: number;
  /** Entries per action. */
  actions: Record<string, number>;
}

/** The I/O log actions of a sync (fsync and fdatasync), the ones validation and calibration time. */
export const SYNC_ACTIONS: ReadonlySet<string> = new Set(['sync', 'datasync']);

/**
 * Reads a version-3 I/O log line by line and measures each entry whose
 * action is in `actions` (e.g. `sync`, `datasync`) as the time to the next
 * timestamped entry of the log.
 */
export async function iologLatencies(path: string, actions: ReadonlySet<string>): Promise<IologLatencies> {
  const lat = new Samples(), issued = new Samples();
  const counts: Record<string, number> = {};
  let pending: number | null = null;
  let unmatched = 0;
  let line = 0;
  const input = createReadStream(path, { encoding: 'utf8' });
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const raw of rl) {
      line++;
      const text = raw.trim();
      if (line === 1) {
        if (text === 'fio version 2 iolog') throw new TraceError(path, 1, '-', 'a version-2 I/O log has no timestamps: validation needs fio 3.31 or later (version 3 logs)', text);
        if (text !== 'fio version 3 iolog') throw new TraceError(path, 1, '-', "expected the header line 'fio version 3 iolog'", text);
        continue;
      }
      if (text === '') continue;
      const f = text.split(/\s+/);
      if (f.length < 3 || !/^\d+$/.test(f[0]!)) throw new TraceError(path, line, 'timestamp', "expected 'TIMESTAMP FILE ACTION [OFFSET LENGTH]'", text);
      const t = Number(f[0]);
      if (pending !== null) {
        lat.push(t - pending);
        pending = null;
      }
      const action = f[2]!;
      counts[action] = (counts[action] ?? 0) + 1;
      if (f.length === 5 && actions.has(action)) {
        pending = t;
        issued.push(t);
      }
    }
  } finally {
    rl.close();
    input.destroy();
  }
  if (line === 0) throw new TraceError(path, 1, '-', "empty I/O log: expected the header line 'fio version 3 iolog'", '');
  if (pending !== null) {
    unmatched = 1;
    // the last selected entry has no latency: keep the two arrays aligned
    const n = lat.length;
    return { latencies_us: lat.values().slice(0, n), issued_us: issued.values().slice(0, n), unmatched, actions: counts };
  }
  return { latencies_us: lat.values().slice(), issued_us: issued.values().slice(), unmatched, actions: counts };
}

/** Entries of a latency log per data direction (0 read, 1 write, 2 sync, ...), with the mean latency (µs) of each. */
export interface LatLogSummary {
  entries: Record<string, { count: number; mean_us: number }>;
}

/**
 * The entries of a fio latency log (`TIME, LATENCY_NS, DDIR, BS, OFFSET[, PRIO]`
 * lines; latency in ns since fio 3.0), in log order: each one's direction and
 * latency (µs). A line of another shape stops with the file and line.
 */
async function* latLogEntries(path: string): AsyncGenerator<{ ddir: string; us: number }> {
  let line = 0;
  const input = createReadStream(path, { encoding: 'utf8' });
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const raw of rl) {
      line++;
      if (raw.trim() === '') continue;
      const f = raw.split(',').map((s) => s.trim());
      const ns = Number(f[1]);
      if (f.length < 4 || !Number.isFinite(ns)) throw new TraceError(path, line, 'latency', 'expected a latency log line TIME, LATENCY_NS, DDIR, BS, OFFSET', raw);
      yield { ddir: f[2]!, us: ns / 1000 };
    }
  } finally {
    rl.close();
    input.destroy();
  }
}

/** Counts a fio latency log's entries per direction, with their mean latency. */
export async function latLogSummary(path: string): Promise<LatLogSummary> {
  const acc = new Map<string, { count: number; sum: number }>();
  for await (const e of latLogEntries(path)) {
    const a = acc.get(e.ddir) ?? { count: 0, sum: 0 };
    a.count++;
    a.sum += e.us;
    acc.set(e.ddir, a);
  }
  const entries: LatLogSummary['entries'] = {};
  for (const [k, a] of [...acc].sort()) entries[k] = { count: a.count, mean_us: a.sum / a.count };
  return { entries };
}

/**
 * Latencies (µs) of one data direction of a fio latency log (`ddir` 0
 * reads, 1 writes), in log order.
 */
export async function latLogSamples(path: string, ddir: string): Promise<Float64Array> {
  const out = new Samples();
  for await (const e of latLogEntries(path)) if (e.ddir === ddir) out.push(e.us);
  return out.values().slice();
}

/** One latency section of fio's JSON report, in µs. */
export interface FioLatency {
  count: number;
  mean_us: number;
  /** Standard deviation (µs). */
  stddev_us: number;
  /** fio's percentiles (from its log-linear histogram, about 1.6 % wide bins); null when absent. */
  p50_us: number | null;
  p90_us: number | null;
  p99_us: number | null;
}

/** What the JSON report says about one job. */
export interface FioJobReport {
  name: string;
  /** Completion latency of syncs (fsync/fdatasync; msync on the mmap engine). */
  sync: FioLatency | null;
  /** Total latency of writes. */
  write: FioLatency | null;
  /** Mean completion latency of writes (µs): from their submission to their completion, without the time to submit them; null when absent. */
  write_clat_mean_us: number | null;
  write_iops: number;
  write_bytes: number;
  /** Total latency of reads. */
  read: FioLatency | null;
  read_iops: number;
  /**
   * fio's `iodepth_complete`: the percentage of reaps that found 1–4, 5–8,
   * 9–16, … completions, keyed by the bucket's upper bound ('4', '8', '16',
   * '32', '64', '>=64'; '0' for none); null when absent.
   */
  iodepth_complete: Record<string, number> | null;
}

type Json = Record<string, unknown>;

function latency(section: unknown): FioLatency | null {
  const s = section as Json | undefined;
  const l = (s?.lat_ns ?? undefined) as Json | undefined;
  if (!l || typeof l.N !== 'number' || l.N === 0) return null;
  const pct = (l.percentile ?? (s?.clat_ns as Json | undefined)?.percentile) as Record<string, number> | undefined;
  const p = (k: string) => (pct && typeof pct[k] === 'number' ? pct[k]! / 1000 : null);
  return { count: l.N, mean_us: (l.mean as number) / 1000, stddev_us: Number(l.stddev ?? 0) / 1000, p50_us: p('50.000000'), p90_us: p('90.000000'), p99_us: p('99.000000') };
}

/** The mean of a section's completion latency (µs), or null. */
function clatMean(section: Json | undefined): number | null {
  const c = section?.clat_ns as Json | undefined;
  return c && typeof c.N === 'number' && c.N > 0 && typeof c.mean === 'number' ? c.mean / 1000 : null;
}

/** A histogram of fio's JSON report (bucket → percent), or null when absent or not numbers. */
function buckets(h: unknown): Record<string, number> | null {
  if (!h || typeof h !== 'object') return null;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(h as Json)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    out[k] = v;
  }
  return out;
}

/** Reads fio's `--output-format=json` report: one entry per job, in job order. */
export function readFioJson(path: string): { version: string; jobs: FioJobReport[] } {
  let doc: Json;
  try {
    const text = readFileSync(path, 'utf8');
    // fio may print notes before the JSON object
    doc = JSON.parse(text.slice(text.indexOf('{'))) as Json;
  } catch (e) {
    throw new InputError(`cannot read fio's JSON report ${path}: ${(e as Error).message}`);
  }
  const jobs = (doc.jobs as Json[] | undefined) ?? [];
  return {
    version: String(doc['fio version'] ?? ''),
    jobs: jobs.map((j) => {
      const w = j.write as Json | undefined;
      const r = j.read as Json | undefined;
      return {
        name: String(j.jobname),
        sync: latency(j.sync),
        write: latency(w),
        write_clat_mean_us: clatMean(w),
        write_iops: Number(w?.iops ?? 0),
        write_bytes: Number(w?.io_bytes ?? 0),
        read: latency(r),
        read_iops: Number(r?.iops ?? 0),
        iodepth_complete: buckets(j.iodepth_complete),
      };
    }),
  };
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** Parses a size like fio does: a number with an optional binary k, m, g or t suffix (`256m` = 256 MiB); null when malformed. */
export function parseSize(text: string): number | null {
  const m = /^(\d+)([kmgt]?)(i?b)?$/i.exec(text.trim());
  if (!m) return null;
  const v = Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!;
  return Number.isSafeInteger(v) ? v : null;
}
