/**
 * Types of the native trace format (docs/trace-format.md, version 1):
 * the contract between readers, writers, importers, generators and the engine.
 */

/** The operations a trace row can name. */
export type OpName = 'map' | 'unmap' | 'write' | 'read' | 'msync' | 'wire' | 'unwire';

/** Every op name, in a fixed order (used for counting and validation). */
export const OP_NAMES: readonly OpName[] = ['map', 'unmap', 'write', 'read', 'msync', 'wire', 'unwire'];
/** Each op's index in {@link OP_NAMES}. */
const OP_INDEX = Object.fromEntries(OP_NAMES.map((o, i) => [o, i])) as Record<OpName, number>;

/** Flag bits. One bit namespace; which bits an op accepts is in {@link FLAGS_BY_OP}. */
export const Flag = {
  // msync
  SYNC: 1 << 0,
  ASYNC: 1 << 1,
  INVALIDATE: 1 << 2,
  CONTIGUOUS: 1 << 3,
  KILLPAGES: 1 << 4,
  DEACTIVATE: 1 << 5,
  // map
  SUBMAP: 1 << 6,
  PRECIOUS: 1 << 7,
  PRIVATE: 1 << 8,
  // wire / unwire
  USER: 1 << 9,
  SYSTEM: 1 << 10,
  HOLESOK: 1 << 11,
  NOHOLES: 1 << 12,
  // map: the mapping's access advice (madvise right after mmap)
  RANDOM: 1 << 13,
  SEQUENTIAL: 1 << 14,
} as const;

/** A flag's canonical name. */
export type FlagName = keyof typeof Flag;

/** Flag names as written in traces, with their POSIX / Mach / VM_MAP_WIRE aliases, to bits. */
export const FLAG_ALIASES: Readonly<Record<string, number>> = {
  SYNC: Flag.SYNC, MS_SYNC: Flag.SYNC, VM_SYNC_SYNCHRONOUS: Flag.SYNC,
  ASYNC: Flag.ASYNC, MS_ASYNC: Flag.ASYNC, VM_SYNC_ASYNCHRONOUS: Flag.ASYNC,
  INVALIDATE: Flag.INVALIDATE, MS_INVALIDATE: Flag.INVALIDATE, VM_SYNC_INVALIDATE: Flag.INVALIDATE,
  CONTIGUOUS: Flag.CONTIGUOUS, VM_SYNC_CONTIGUOUS: Flag.CONTIGUOUS,
  KILLPAGES: Flag.KILLPAGES, VM_SYNC_KILLPAGES: Flag.KILLPAGES,
  DEACTIVATE: Flag.DEACTIVATE, VM_SYNC_DEACTIVATE: Flag.DEACTIVATE,
  SUBMAP: Flag.SUBMAP, PRECIOUS: Flag.PRECIOUS, PRIVATE: Flag.PRIVATE,
  RANDOM: Flag.RANDOM, MADV_RANDOM: Flag.RANDOM, POSIX_MADV_RANDOM: Flag.RANDOM,
  SEQUENTIAL: Flag.SEQUENTIAL, MADV_SEQUENTIAL: Flag.SEQUENTIAL, POSIX_MADV_SEQUENTIAL: Flag.SEQUENTIAL,
  USER: Flag.USER, VM_MAP_WIRE_USER: Flag.USER,
  SYSTEM: Flag.SYSTEM, VM_MAP_WIRE_SYSTEM: Flag.SYSTEM,
  HOLESOK: Flag.HOLESOK, VM_MAP_WIRE_HOLESOK: Flag.HOLESOK,
  NOHOLES: Flag.NOHOLES, VM_MAP_WIRE_NOHOLES: Flag.NOHOLES,
};

const MSYNC_FLAGS = Flag.SYNC | Flag.ASYNC | Flag.INVALIDATE | Flag.CONTIGUOUS | Flag.KILLPAGES | Flag.DEACTIVATE;
const WIRE_FLAGS = Flag.USER | Flag.SYSTEM | Flag.HOLESOK | Flag.NOHOLES;

/** The flag bits each op accepts; any other flag on that op is an error of the trace. */
export const FLAGS_BY_OP: Readonly<Record<OpName, number>> = {
  map: Flag.SUBMAP | Flag.PRECIOUS | Flag.PRIVATE | Flag.RANDOM | Flag.SEQUENTIAL,
  unmap: 0,
  write: 0,
  read: 0,
  msync: MSYNC_FLAGS,
  wire: WIRE_FLAGS,
  unwire: WIRE_FLAGS,
};

/**
 * The bits of msync flag names joined by `|` as options and preset parameters take them
 * (`import --sync-flags`, gen's `sync_flags`): canonical names or aliases (`SYNC`, `MS_SYNC`), in
 * any case (`sync`, `ms_sync`), blanks around a name ignored; undefined when a name is no msync
 * flag. A trace file's `flags` field takes them in capitals only (traces/fields.ts).
 */
export function msyncFlagOption(text: string): number | undefined {
  let bits = 0;
  for (const name of text.split('|')) {
    const key = name.trim().toUpperCase();
    const bit = Object.hasOwn(FLAG_ALIASES, key) ? FLAG_ALIASES[key]! : 0;
    if ((bit & FLAGS_BY_OP.msync) === 0) return undefined;
    bits |= bit;
  }
  return bits;
}

/** A map entry's access advice: its RANDOM or SEQUENTIAL bit (0: the kernel's default read-ahead). */
export const ADVICE_FLAGS = Flag.RANDOM | Flag.SEQUENTIAL;

const FLAG_ENTRIES = Object.entries(Flag);
const flagStrings = new Map<number, string>();

/** Canonical names of the bits set in `flags`, joined by `|` in bit order (empty string for none). */
export function flagsToString(flags: number): string {
  let s = flagStrings.get(flags);
  if (s === undefined) {
    const names: string[] = [];
    for (const [name, bit] of FLAG_ENTRIES) if (flags & bit) names.push(name);
    s = names.join('|');
    if (flagStrings.size < 1 << 14) flagStrings.set(flags, s);
  }
  return s;
}

/** One row of a trace, parsed and validated. Times are integer nanoseconds inside the simulator. */
export interface TraceRow {
  /** 1-based line number in the source file (for error messages). */
  line: number;
  /** Issue time in integer nanoseconds since trace start. */
  tNs: number;
  /** Issuing task (one address space, one thread of control). */
  task: string;
  op: OpName;
  /** Start virtual address in bytes. */
  addr: number;
  /** Length in bytes. */
  len: number;
  /** Bit set of {@link Flag}. */
  flags: number;
  /** Backing object name (`map` only, else empty). */
  object: string;
  /** Byte offset into the object (`map` only, else 0). */
  offset: number;
  /** `x_*` pass-through columns, when the trace has any. */
  extra?: Record<string, string>;
}

/** The largest address + length a trace may name (2^53). */
export const ADDR_LIMIT = 2 ** 53;

/**
 * The most pages one `write`, `read` or `wire` row may cover in a run: 2^22 (16 GiB of 4 KiB
 * pages). A bound of the simulator's, not of the format (README, "Limits of a run"); here so
 * that importers can keep within it.
 */
export const MAX_OP_PAGES = 2 ** 22;

/** Pages of `pageSize` bytes that [addr, addr+len) overlaps, as a run counts an op's pages against {@link MAX_OP_PAGES}. */
export function pagesOf(addr: number, len: number, pageSize: number): number {
  return len === 0 ? 0 : Math.floor((addr + len - 1) / pageSize) - Math.floor(addr / pageSize) + 1;
}

/**
 * The most pages that may be resident at once in a run without a finite `memory.pages`: 2^26
 * (256 GiB of 4 KiB pages). A bound of the simulator's (README, "Limits of a run"); here so that
 * importers can keep within it.
 */
export const MAX_RESIDENT_PAGES = 2 ** 26;

// ---- a block of rows as columns
// (the binary cache's form, typed-array views over one buffer: the simulator
// takes rows from it one at a time, as each reaches its trace time, so a
// row's object lives only while its op runs)

/** The string tables a block's index columns refer to. */
export interface RowStrings {
  /** Task names by index. */
  readonly tasks: readonly string[];
  /** Object names by index. */
  readonly objects: readonly string[];
  /** Names of the `x_*` columns. */
  readonly extraCols: readonly string[];
}

/** The columns of a block of rows, in trace order. */
export class RowBlock {
  constructor(
    /** Rows in the block. */
    readonly length: number,
    readonly tNs: Float64Array,
    readonly addr: Float64Array,
    readonly len: Float64Array,
    readonly offset: Float64Array,
    readonly line: Uint32Array,
    /** Index into `strings.tasks`. */
    readonly task: Uint32Array,
    /** Index into `strings.objects`. */
    readonly object: Uint32Array,
    readonly flags: Uint32Array,
    /** Index into {@link OP_NAMES}. */
    readonly op: Uint8Array,
    readonly strings: RowStrings,
    /** The `x_*` values of each row (in `strings.extraCols` order), when the trace has any. */
    readonly extras: readonly (readonly string[])[] | undefined,
  ) {}

  /** Rows the consumer is done with (the simulator counts the rows it has issued, and releases the block at the last). */
  taken = 0;
  /** Set by a reader that reuses the block's buffer once the block is released. */
  onRelease: (() => void) | undefined = undefined;

  /** The consumer needs none of the block's rows any more: a reader may reuse its buffer (its columns must not be read after this). */
  release(): void {
    const f = this.onRelease;
    this.onRelease = undefined;
    f?.();
  }

  /** Row `i` as an object (a new one at every call). */
  row(i: number): TraceRow {
    const s = this.strings;
    const row: TraceRow = {
      line: this.line[i], tNs: this.tNs[i], task: s.tasks[this.task[i]], op: OP_NAMES[this.op[i]] as OpName,
      addr: this.addr[i], len: this.len[i], flags: this.flags[i], object: s.objects[this.object[i]], offset: this.offset[i],
    };
    const ex = this.extras;
    if (ex !== undefined && ex[i] !== undefined) {
      const extra: Record<string, string> = {};
      const vals = ex[i], cols = s.extraCols;
      for (let j = 0; j < cols.length; j++) extra[cols[j]] = vals[j];
      row.extra = extra;
    }
    return row;
  }

  /**
   * The columns of `rows` (one buffer; task and object names interned in the
   * block's own tables): rows that wait long, as in a lagging task's buffer,
   * cost the collector far less held this way than as objects.
   */
  static fromRows(rows: readonly TraceRow[]): RowBlock {
    const n = rows.length;
    const buf = new ArrayBuffer(49 * n);
    let off = 0;
    const f64 = () => { const a = new Float64Array(buf, off, n); off += 8 * n; return a; };
    const u32 = () => { const a = new Uint32Array(buf, off, n); off += 4 * n; return a; };
    const tNs = f64(), addr = f64(), len = f64(), offset = f64(), line = u32(), task = u32(), object = u32(), flags = u32();
    const op = new Uint8Array(buf, off, n);
    const tasks: string[] = [], objects: string[] = [];
    const taskIdx = new Map<string, number>(), objectIdx = new Map<string, number>();
    let lastTask: string | undefined, lastTaskIdx = 0, lastObject: string | undefined, lastObjectIdx = 0;
    let extras: string[][] | undefined;
    let extraCols: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      tNs[i] = r.tNs; addr[i] = r.addr; len[i] = r.len; offset[i] = r.offset; line[i] = r.line; flags[i] = r.flags;
      op[i] = OP_INDEX[r.op];
      if (r.task !== lastTask) {
        let k = taskIdx.get(r.task);
        if (k === undefined) taskIdx.set(r.task, (k = tasks.push(r.task) - 1));
        lastTask = r.task;
        lastTaskIdx = k;
      }
      task[i] = lastTaskIdx;
      if (r.object !== lastObject) {
        let k = objectIdx.get(r.object);
        if (k === undefined) objectIdx.set(r.object, (k = objects.push(r.object) - 1));
        lastObject = r.object;
        lastObjectIdx = k;
      }
      object[i] = lastObjectIdx;
      if (r.extra !== undefined) {
        if (extras === undefined) {
          extraCols = Object.keys(r.extra);
          extras = new Array(n);
        }
        const ex = r.extra;
        extras[i] = extraCols.map((c) => ex[c]);
      }
    }
    return new RowBlock(n, tNs, addr, len, offset, line, task, object, flags, op, { tasks, objects, extraCols }, extras);
  }

  /** Rows [start, end) as a block of views over the same columns. */
  slice(start: number, end: number): RowBlock {
    const sub = <A extends Float64Array | Uint32Array | Uint8Array>(a: A) => a.subarray(start, end) as A;
    return new RowBlock(Math.max(0, Math.min(end, this.length) - start), sub(this.tNs), sub(this.addr), sub(this.len), sub(this.offset), sub(this.line),
      sub(this.task), sub(this.object), sub(this.flags), sub(this.op), this.strings, this.extras?.slice(start, end));
  }

  /** Every row as an object. */
  rows(): TraceRow[] {
    const out: TraceRow[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.row(i);
    return out;
  }

  /** The first row whose task, object or op index names no entry of its table, or -1. */
  firstBadRow(): number {
    const nt = this.strings.tasks.length, no = this.strings.objects.length, nop = OP_NAMES.length;
    const task = this.task, object = this.object, op = this.op;
    for (let i = 0; i < this.length; i++) if (task[i] >= nt || object[i] >= no || op[i] >= nop) return i;
    return -1;
  }
}

/** A batch of rows as the simulator takes them: objects, or a block of columns. */
export type RowBatch = readonly TraceRow[] | RowBlock;
