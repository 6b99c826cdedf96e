/**
 * The shape of a workload preset (`syncsim gen NAME`) and the parameters several presets share:
 * trace length, page size, arrival process, msync policy.
 */
import { ParamError, type Params, type Schema } from '../params.ts';
import type { RowInput } from '../../traces/writer.ts';
import { mergeByTime } from './merge.ts';

/** One parametric workload generator. */
export interface Preset<S extends Schema = Schema> {
  /** The name given to `syncsim gen`. */
  readonly name: string;
  /** One line: what the workload models. */
  readonly summary: string;
  /** Its parameters, every one with a default. */
  readonly schema: S;
  /** Checks between parameters (e.g. a write larger than the mapping); throws a ParamError naming the key. */
  check?(p: Params<S>): void;
  /** The trace's rows in non-decreasing time, streamed; the same params and seed give the same rows. */
  rows(p: Params<S>, seed: number): Generator<RowInput>;
  /** `x_` columns its rows carry (e.g. `x_txn`: the transaction a store belongs to, and what a commit msync makes durable). */
  readonly extraCols?: readonly string[];
}

/** Start address of every mapping the presets create (each task is its own address space). */
export const MAP_BASE = 0x10000000;

/** Trace length, on every preset. */
export const DURATION_S = {
  kind: 'number', default: 10, min: 0, exclusiveMin: true, max: 1e6,
  doc: 'trace length in simulated seconds',
} as const;

/** Page size addresses and msync ranges are aligned to; should match the run's page_size. */
export const PAGE_SIZE = {
  kind: 'size', default: 4096, min: 512, max: 2 ** 20, pow2: true,
  doc: "page size the layout is aligned to (use the run's page_size)",
} as const;

/** How write (or transaction) times are drawn. */
export const ARRIVAL = {
  kind: 'choice', default: 'poisson', choices: ['poisson', 'fixed'],
  doc: 'poisson: exponential gaps of mean 1/rate; fixed: exactly 1/rate apart',
} as const;

/** Operations per second per task (bounded by the row limit of {@link checkTraceSize}). */
export function rateSpec(def: number, what = 'writes') {
  return { kind: 'number', default: def, min: 0, exclusiveMin: true, max: Infinity, doc: `${what} per second per task (mean)` } as const;
}

/** The most rows a generated trace may have (README, "Generating traces"). */
export const MAX_GEN_ROWS = 1e9;

/** Parameters that schedule an msync every T µs of trace time (0 = never), and whether every task has its own. */
const INTERVAL_KEYS: Readonly<Record<string, 'per-task' | 'one'>> = { sync_interval_us: 'per-task', checkpoint_interval_us: 'one' };

/**
 * Throws a ParamError when the trace of resolved parameters `p` could pass {@link MAX_GEN_ROWS}
 * rows (an upper estimate: every write, the msyncs of `sync_every` or `group_commit`, and those
 * of an interval), naming the parameter that contributes most.
 */
export function checkTraceSize(preset: string, p: Readonly<Record<string, number | string>>): void {
  const num = (k: string): number => (typeof p[k] === 'number' ? (p[k] as number) : 0);
  const tasks = Math.max(1, num('tasks'));
  const perWrite = 1 + (num('sync_every') > 0 ? 1 / num('sync_every') : 0) + (num('group_commit') > 0 ? 2 / num('group_commit') : 0);
  const writes = tasks * num('duration_s') * num('rate') * perWrite;
  let syncs = 0, syncKey = '';
  for (const [k, who] of Object.entries(INTERVAL_KEYS)) {
    if (num(k) <= 0) continue;
    const n = (who === 'per-task' ? tasks : 1) * (num('duration_s') * 1e6) / num(k);
    if (n > syncs) [syncs, syncKey] = [n, k];
  }
  const rows = writes + syncs + tasks;
  if (rows <= MAX_GEN_ROWS) return;
  const key = syncs > writes ? syncKey : 'rate';
  throw new ParamError(preset, key,
    `gives a trace of about ${rows.toPrecision(3)} rows, more than the limit of ${MAX_GEN_ROWS.toLocaleString('en-US')}; ` +
    `lower duration_s, tasks, rate or the msync frequency`, String(p[key]));
}

/** Bytes mapped, per task or shared (the doc says which). */
export function footprintSpec(def: string, doc: string) {
  return { kind: 'size', default: def, min: 512, max: 2 ** 40, doc } as const;
}

/** Bytes stored by one write. */
export function writeSizeSpec(def: number | string) {
  return { kind: 'size', default: def, min: 1, max: 2 ** 30, doc: 'bytes stored by each write' } as const;
}

/** Number of tasks (address spaces), with what each one is. */
export function tasksSpec(def: number, doc: string, min = 1) {
  return { kind: 'integer', default: def, min, max: 4096, doc } as const;
}

/** The msync policy of a writer: every N writes and/or every T µs, with flags, over a range. */
export function syncPolicySpecs(d: { every: number; intervalUs: number; flags: string; range: 'map' | 'written' }) {
  return {
    sync_every: { kind: 'integer', default: d.every, min: 0, max: Number.MAX_SAFE_INTEGER, doc: 'msync after every N writes of a task (0 = never)' },
    sync_interval_us: { kind: 'number', default: d.intervalUs, min: 0, max: 1e12, doc: 'msync every T µs of trace time, at T, 2T, ... (0 = never)' },
    sync_flags: { kind: 'msync-flags', default: d.flags, doc: "msync flags, joined by '|'" },
    sync_range: { kind: 'choice', default: d.range, choices: ['map', 'written'], doc: 'map: the whole mapping; written: the pages written since the last msync' },
  } as const;
}

/** Trace length in integer ns. */
export function durationNs(durationS: number): number {
  return Math.round(durationS * 1e9);
}

/** Throws unless the mapping size `key` holds whole pages. */
export function checkPageMultiple(preset: string, key: string, bytes: number, pageSize: number): void {
  if (bytes % pageSize !== 0) throw new ParamError(preset, key, `must be a multiple of page_size ${pageSize}`, String(bytes));
}

/** Throws unless a write of `writeSize` bytes fits in `bytes` (the mapping `key`). */
export function checkWriteFits(preset: string, writeSize: number, bytes: number, key: string): void {
  if (writeSize > bytes) throw new ParamError(preset, 'write_size', `must not exceed ${key} (${bytes} bytes)`, String(writeSize));
}

/** The checks of a preset whose tasks write `write_size`-byte pieces into a `footprint`-byte mapping: whole pages, and a write that fits. */
export function checkFootprintWrites(preset: string, p: { footprint: number; page_size: number; write_size: number }): void {
  checkPageMultiple(preset, 'footprint', p.footprint, p.page_size);
  checkWriteFits(preset, p.write_size, p.footprint, 'footprint');
}

/** The rows of `tasks` tasks, task i's from `taskRows(i)`, merged in time order. */
export function tasksByTime(tasks: number, taskRows: (i: number) => Generator<RowInput>): Generator<RowInput> {
  return mergeByTime(Array.from({ length: tasks }, (_, i) => taskRows(i)));
}
