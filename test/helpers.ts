/**
 * Test helpers: build trace rows in code and run them through the simulator,
 * collecting every record it emits.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolveConfig } from '../sim/config.ts';
import { Simulator } from '../sim/simulator.ts';
import type { OpRecord, SyncRecord, TimelineRecord, WritebackRecord } from '../sim/stats/records.ts';
import type { VmObject } from '../sim/vm/object.ts';
import type { RunResult } from '../sim/stats/summary.ts';
import { FLAG_ALIASES, type OpName, type TraceRow } from '../traces/types.ts';

/** Parses `A|B` flag names. */
export function flags(names: string): number {
  if (!names) return 0;
  return names.split('|').reduce((acc, n) => {
    const bit = FLAG_ALIASES[n];
    if (bit === undefined) throw new Error(`unknown flag ${n}`);
    return acc | bit;
  }, 0);
}

/** Builds rows; line numbers follow the order given (line 3 = first row, after the magic and header lines). */
export class TraceBuilder {
  readonly rows: TraceRow[] = [];
  constructor(private task = 'a') {}

  /** Appends a row at time `tUs`. */
  op(tUs: number, op: OpName, addr: number, len: number, flagNames = '', extra: { object?: string; offset?: number; task?: string } = {}): this {
    this.rows.push({
      line: this.rows.length + 3, tNs: Math.round(tUs * 1000), task: extra.task ?? this.task, op, addr, len,
      flags: flags(flagNames), object: extra.object ?? '', offset: extra.offset ?? 0,
    });
    return this;
  }

  map(tUs: number, addr: number, len: number, object: string, offset = 0, flagNames = '', task?: string): this {
    return this.op(tUs, 'map', addr, len, flagNames, { object, offset, task });
  }
}

/** Start address of the mapping in the trace-format example. */
export const EXAMPLE_BASE = 0x10000000;

/**
 * The example trace of trace-format.md (lines 3–8): map a 4 MiB data file,
 * two writes, msync SYNC, wire USER|NOHOLES, msync ASYNC|SYNC. Every
 * personality replays it; what it returns differs by kernel.
 */
export function traceFormatExample(): TraceRow[] {
  const A = EXAMPLE_BASE;
  return new TraceBuilder('db').map(0, A, 0x400000, 'data.db')
    .op(5, 'write', A, 8192).op(7.5, 'write', A + 0x3000, 100)
    .op(10, 'msync', A, 0x400000, 'SYNC').op(12, 'wire', A + 0x200000, 65536, 'USER|NOHOLES')
    .op(20, 'msync', A, 0x400000, 'ASYNC|SYNC').rows;
}

/** Everything a run produced. */
export interface SimOutput {
  result: RunResult;
  syncs: SyncRecord[];
  writebacks: WritebackRecord[];
  timeline: TimelineRecord[];
  /** Every finished op, in completion order. */
  ops: OpRecord[];
  sim: Simulator;
}

/**
 * `config` with `fs.kind: none` unless it names a filesystem: the kernel
 * tests written before the filesystem layer see exactly the old model
 * (what `device.profile: queue` implies once that key exists).
 */
export function withoutFs(config: Record<string, unknown>): Record<string, unknown> {
  const fs = typeof config.fs === 'object' && config.fs !== null ? (config.fs as Record<string, unknown>) : {};
  return fs.kind !== undefined ? config : { ...config, fs: { ...fs, kind: 'none' } };
}

/** Runs `rows` with config overrides (a partial config object), feeding in batches of `batch` rows; `fs.kind` defaults to `none` ({@link withoutFs}). */
export function simulate(rows: TraceRow[], config: Record<string, unknown> = {}, batch = 1000): SimOutput {
  const syncs: SyncRecord[] = [], writebacks: WritebackRecord[] = [], timeline: TimelineRecord[] = [], ops: OpRecord[] = [];
  const sim = new Simulator(resolveConfig(withoutFs(config)), {
    sync: (r) => syncs.push(r), writeback: (r) => writebacks.push(r), timeline: (r) => timeline.push(r), op: (r) => ops.push(r),
  });
  for (let i = 0; i < rows.length; i += batch) {
    sim.feed(rows.slice(i, i + batch));
    sim.run();
  }
  sim.end();
  sim.run();
  return { result: sim.result(), syncs, writebacks, timeline, ops, sim };
}

/** The result code of the op on trace line `line`. */
export function resultOf(o: SimOutput, line: number): string {
  return opOf(o, line).result;
}

/** The object named `name` after a run. */
export function objOf(o: SimOutput, name: string): VmObject {
  const x = o.sim.kernel.vm.objects.get(name);
  if (!x) throw new Error(`no object ${name}`);
  return x;
}

/** The finished op of trace line `line`. */
export function opOf(o: SimOutput, line: number): OpRecord {
  const r = o.ops.find((x) => x.row.line === line);
  if (!r) throw new Error(`no op finished for line ${line}`);
  return r;
}

/** Completion time (µs) of the op on `line`. */
export const doneAt = (o: SimOutput, line: number): number => opOf(o, line).tDoneNs / 1000;

/** Writeback I/Os in completion order: object, first page, pages, submit and done times in µs. */
export function ios(o: SimOutput, pageSize = 4096): { obj: string; first: number; pages: number; submit: number; done: number }[] {
  return o.writebacks.map((w) => ({ obj: w.object, first: w.offset / pageSize, pages: w.pages, submit: w.tSubmitNs / 1000, done: w.tDoneNs / 1000 }));
}

/** Data rows of a plain native trace file, counted from its text (not by the reader under test): lines other than `#` comments, the header and blanks. */
export function dataRowsOf(path: string): number {
  const lines = readFileSync(path, 'utf8').split('\n');
  return lines.filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('t_us,')).length;
}

/** Runs the `syncsim` command in a child process in `cwd`: its exit code and output (as test/cli.test.ts does). */
export function syncsimCli(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const bin = new URL('../scripts/syncsim.mjs', import.meta.url).pathname;
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
