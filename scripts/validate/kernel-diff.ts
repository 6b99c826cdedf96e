/**
 * Differential test of the `linux` personality against the running Linux
 * kernel: a seeded random sequence of mmap(MAP_FIXED_NOREPLACE) / munmap /
 * store / msync / mlock / munlock on one file runs in a small C probe
 * (kernel-probe.c, compiled with `cc`) and is replayed as a native trace;
 * every op's result and, for each msync, the set of pages it cleaned (dirty
 * before, clean after: KPF_DIRTY of /proc/kpageflags) are compared one for
 * one. Needs Linux, root (page frame numbers and kpageflags), `cc`, and a
 * temporary directory on a disk file system.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveConfig } from '../../sim/config.ts';
import { Simulator } from '../../sim/simulator.ts';
import { RandomStream } from '../../sim/engine/random.ts';
import { Page } from '../../sim/vm/object.ts';
import { FLAG_ALIASES, type OpName, type TraceRow } from '../../traces/types.ts';
import { filesystemName } from './filesystem.ts';

const PS = 4096;
/** Pages of the file every mapping maps. */
export const FILE_PAGES = 32;
/** Pages of the address range the ops work in. */
export const REGION_PAGES = 48;
/** Where the region starts in the replayed trace. */
const SIM_BASE = 0x10000000;
const PROBE_SOURCE = resolve(import.meta.dirname, 'kernel-probe.c');

/** msync flag sets drawn, as trace flag names, with their Linux MS_* values (MS_ASYNC 1, MS_INVALIDATE 2, MS_SYNC 4). */
const MSYNC_FLAGS: readonly (readonly [string, number])[] = [
  ['SYNC', 4], ['SYNC', 4], ['SYNC', 4], ['ASYNC', 1], ['INVALIDATE', 2], ['SYNC|INVALIDATE', 6], ['', 0], ['ASYNC|INVALIDATE', 3], ['SYNC|ASYNC', 5],
];

/** One op of a sequence: what the probe runs and the trace row replaying it. */
export interface DiffOp {
  /** The probe's line. */
  probe: string;
  op: OpName;
  /** Byte offset in the region, and length. */
  off: number;
  len: number;
  flags: string;
  /** File byte offset (map). */
  fileOff: number;
}

/** What one op gave: its result and, for msync, the region pages it cleaned. */
export interface Outcome {
  result: string;
  cleaned: number[];
}

/** Why the differential test cannot run here, or undefined when it can. */
export function kernelDiffUnavailable(dir = tmpdir()): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root: /proc/kpageflags and page frame numbers need CAP_SYS_ADMIN';
  if (!existsSync('/proc/kpageflags')) return 'no /proc/kpageflags';
  if (spawnSync('cc', ['--version']).status !== 0) return 'no C compiler (cc)';
  const fs = filesystemName(dir);
  if (fs === 'tmpfs' || fs === 'ramfs') return `${dir} is on ${fs}: msync writes nothing there`;
  return undefined;
}

/**
 * A seeded random sequence of `n` ops (the probe's op letters and the trace
 * ops: M map, U unmap, W write, R read, S msync, L wire, K unwire). Maps only go where nothing is mapped
 * (the simulator refuses overlapping maps) and within the file; stores only
 * touch mapped pages; before each msync every mapped page of its range is
 * loaded, so that the probe can see its state.
 */
export function randomSequence(seed: number, n: number): DiffOp[] {
  const rng = new RandomStream(seed, 'kernel-diff');
  const int = (lo: number, hi: number) => lo + (rng.nextU32() % (hi - lo + 1));
  /** File page mapped at each region page, or -1. */
  const mapped = new Array<number>(REGION_PAGES).fill(-1);
  const ops: DiffOp[] = [];
  const add = (probe: string, op: OpName, off: number, len: number, flags = '', fileOff = 0) =>
    ops.push({ probe, op, off, len, flags, fileOff });
  const range = () => {
    const p = int(0, REGION_PAGES - 1);
    return { p, n: int(1, Math.min(8, REGION_PAGES - p)) };
  };
  /** Loads of each run of mapped pages in [p, p+n). */
  const loads = (p: number, n: number) => {
    for (let i = p; i < p + n; ) {
      if (mapped[i] < 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < p + n && mapped[j] >= 0) j++;
      add(`R ${i} ${j - i}`, 'read', i * PS, (j - i) * PS);
      i = j;
    }
  };
  while (ops.length < n) {
    const k = int(0, 99);
    if (k < 15) {
      const len = int(1, 8);
      const free: number[] = [];
      for (let p = 0; p + len <= REGION_PAGES; p++) if (mapped.slice(p, p + len).every((x) => x < 0)) free.push(p);
      if (free.length === 0) continue;
      const p = free[int(0, free.length - 1)];
      const fp = int(0, FILE_PAGES - len);
      for (let i = 0; i < len; i++) mapped[p + i] = fp + i;
      add(`M ${p} ${len} ${fp}`, 'map', p * PS, len * PS, '', fp * PS);
    } else if (k < 25) {
      const { p, n: len } = range();
      for (let i = p; i < p + len; i++) mapped[i] = -1;
      add(`U ${p} ${len}`, 'unmap', p * PS, len * PS);
    } else if (k < 55) {
      const at = mapped.map((x, i) => (x >= 0 ? i : -1)).filter((i) => i >= 0);
      if (at.length === 0) continue;
      const p = at[int(0, at.length - 1)];
      let len = 1;
      const want = int(1, 4);
      while (len < want && p + len < REGION_PAGES && mapped[p + len] >= 0) len++;
      add(`W ${p} ${len}`, 'write', p * PS, len * PS);
    } else if (k < 80) {
      const p = int(0, REGION_PAGES - 1);
      const shape = int(0, 9);
      const off = p * PS + (shape === 0 ? 100 : 0); // sometimes unaligned: EINVAL
      const len = shape === 1 ? 0 : Math.min(int(1, 12), REGION_PAGES - p) * PS;
      const [names, bits] = MSYNC_FLAGS[int(0, MSYNC_FLAGS.length - 1)];
      loads(p, Math.max(1, Math.ceil(len / PS)));
      add(`S ${off} ${len} ${bits}`, 'msync', off, len, names);
    } else {
      const { p, n: len } = range();
      const lock = k < 90;
      add(`${lock ? 'L' : 'K'} ${p} ${len}`, lock ? 'wire' : 'unwire', p * PS, len * PS, 'USER');
    }
  }
  return ops.slice(0, n);
}

/** Compiles the probe into `dir`; returns the binary's path. */
export function compileProbe(dir: string): string {
  const bin = join(dir, 'kernel-probe');
  const r = spawnSync('cc', ['-O1', '-o', bin, PROBE_SOURCE], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cc failed: ${r.stderr}`);
  return bin;
}

/** Runs `ops` on this kernel through the probe, on a new file in `dir`. */
export function runOnKernel(bin: string, dir: string, ops: readonly DiffOp[], name = 'file'): Outcome[] {
  const r = spawnSync(bin, [join(dir, name), String(FILE_PAGES), String(REGION_PAGES)], {
    input: ops.map((o) => o.probe).join('\n') + '\n', encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`kernel-probe exited with ${r.status} (${r.signal ?? ''}): ${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  if (lines.length !== ops.length) throw new Error(`kernel-probe answered ${lines.length} of ${ops.length} ops`);
  return lines.map((l) => {
    const [result, ...pages] = l.split(' ');
    return { result, cleaned: pages.map(Number) };
  });
}

/** The trace row of `op` (line numbers and times follow the sequence). */
function rowOf(op: DiffOp, i: number): TraceRow {
  const flags = op.flags === '' ? 0 : op.flags.split('|').reduce((acc, f) => acc | (FLAG_ALIASES[f] as number), 0);
  return {
    line: i + 3, tNs: i * 1000, task: 'p', op: op.op, addr: SIM_BASE + op.off, len: op.len, flags,
    object: op.op === 'map' ? 'file' : '', offset: op.fileOff,
  };
}

/** Whether region page `p` is mapped and dirty in the simulator (undefined when unmapped). */
function simDirty(sim: Simulator, p: number): boolean | undefined {
  const map = sim.kernel.vm.maps.get('p');
  const r = map && sim.kernel.vm.resolve(map, SIM_BASE + p * PS, false);
  return r ? (r.obj.state(r.idx) & Page.DIRTY) !== 0 : undefined;
}

/** The region pages the probe inspects for msync `op`: its page-rounded range (its first page when len is 0). */
function msyncPages(op: DiffOp): number[] {
  const first = Math.floor(op.off / PS);
  const last = Math.min(REGION_PAGES, op.len === 0 ? first + 1 : Math.ceil((op.off + op.len) / PS));
  return Array.from({ length: Math.max(0, last - first) }, (_, j) => first + j);
}

/**
 * Replays `ops` through the linux personality (closed replay, one task),
 * measuring as the probe does: an msync's "before" is the state when the op
 * before it finished (nothing runs in between: Linux MS_ASYNC starts no I/O
 * and MS_SYNC waits for its own), its "after" the state when it finishes.
 */
export function replayOnModel(ops: readonly DiffOp[], personality = 'linux'): Outcome[] {
  const out: Outcome[] = [];
  let before: (boolean | undefined)[] = [];
  let sim: Simulator | undefined;
  const snapshot = (i: number) => {
    if (ops[i]?.op === 'msync') before = msyncPages(ops[i]).map((p) => (sim ? simDirty(sim, p) : undefined));
  };
  // the semantic comparison runs on the queueing device, as it always has
  sim = new Simulator(resolveConfig({ personality, device: { profile: 'queue' } }), {
    sync: () => {}, writeback: () => {}, timeline: () => {},
    op: (r) => {
      const i = r.row.line - 3;
      const o: Outcome = { result: r.result, cleaned: [] };
      if (ops[i].op === 'msync') o.cleaned = msyncPages(ops[i]).filter((p, j) => before[j] === true && simDirty(sim as Simulator, p) === false);
      out[i] = o;
      snapshot(i + 1);
    },
  });
  snapshot(0);
  sim.feed(ops.map(rowOf));
  sim.end();
  sim.run();
  return out;
}

/** One disagreement between the kernel and the model. */
export interface Mismatch {
  seed: number;
  index: number;
  probe: string;
  kernel: Outcome;
  model: Outcome;
}

/** Summary of a batch of sequences. */
export interface DiffSummary {
  sequences: number;
  ops: number;
  msyncs: number;
  cleanedPages: number;
  mismatches: Mismatch[];
}

/**
 * Runs `count` sequences of `n` ops (seeds `firstSeed`…) in a new temporary
 * directory under `parent`, removed afterwards.
 */
export function runKernelDiff(count: number, n: number, firstSeed = 1, parent = tmpdir()): DiffSummary {
  const dir = mkdtempSync(join(parent, 'syncsim-kdiff-'));
  try {
    const bin = compileProbe(dir);
    const s: DiffSummary = { sequences: count, ops: 0, msyncs: 0, cleanedPages: 0, mismatches: [] };
    for (let seed = firstSeed; seed < firstSeed + count; seed++) {
      const ops = randomSequence(seed, n);
      const kernel = runOnKernel(bin, dir, ops, `file-${seed}`);
      const model = replayOnModel(ops);
      ops.forEach((op, i) => {
        s.ops++;
        if (op.op === 'msync') {
          s.msyncs++;
          s.cleanedPages += kernel[i].cleaned.length;
        }
        const k = kernel[i], m = model[i];
        if (k.result !== m.result || k.cleaned.join(',') !== m.cleaned.join(',')) s.mismatches.push({ seed, index: i, probe: op.probe, kernel: k, model: m });
      });
      rmSync(join(dir, `file-${seed}`), { force: true });
    }
    return s;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
