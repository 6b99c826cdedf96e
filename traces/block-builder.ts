/**
 * Fills {@link RowBlock}s row by row, the reader's output: columns in one
 * buffer per block, task and object names interned in the block's own
 * tables (so memory does not grow with the trace), no object per row.
 */
import { OP_NAMES, RowBlock, type OpName, type TraceRow } from './types.ts';

/** Each op's index in {@link OP_NAMES}. */
export const OP_INDEX = Object.fromEntries(OP_NAMES.map((o, i) => [o, i])) as Record<OpName, number>;

/** Builds blocks of up to `capacity` rows. */
export class BlockBuilder {
  /** Rows in the block being filled. */
  n = 0;
  tNs!: Float64Array;
  addr!: Float64Array;
  len!: Float64Array;
  offset!: Float64Array;
  line!: Uint32Array;
  task!: Uint32Array;
  object!: Uint32Array;
  flags!: Uint32Array;
  op!: Uint8Array;
  private tasks: string[] = [];
  private objects: string[] = [];
  private taskIdx = new Map<string, number>();
  private objectIdx = new Map<string, number>();
  private extras: string[][] | undefined;
  /** The last task name interned and its index, or undefined (a new block). */
  private lastTask: string | undefined;
  private lastTaskIdx = 0;

  constructor(readonly capacity: number, private readonly extraCols: readonly string[]) {
    this.fresh();
  }

  /** Buffers of released blocks, to fill again. */
  private readonly spare: ArrayBuffer[] = [];
  private buf!: ArrayBuffer;

  private fresh(): void {
    const n = this.capacity;
    const buf = this.spare.pop() ?? new ArrayBuffer(49 * n);
    this.buf = buf;
    let off = 0;
    const f64 = () => { const a = new Float64Array(buf, off, n); off += 8 * n; return a; };
    const u32 = () => { const a = new Uint32Array(buf, off, n); off += 4 * n; return a; };
    this.tNs = f64(); this.addr = f64(); this.len = f64(); this.offset = f64();
    this.line = u32(); this.task = u32(); this.object = u32(); this.flags = u32();
    this.op = new Uint8Array(buf, off, n);
    this.n = 0;
    this.tasks = [];
    this.objects = [''];
    this.taskIdx = new Map();
    this.objectIdx = new Map([['', 0]]);
    this.extras = this.extraCols.length > 0 ? new Array(n) : undefined;
    this.lastTask = undefined;
  }

  /** Whether the block is full (take it before adding more). */
  get full(): boolean {
    return this.n >= this.capacity;
  }

  /** The index of task `name` in this block's table (adding it). */
  taskIndex(name: string): number {
    if (name === this.lastTask) return this.lastTaskIdx;
    let k = this.taskIdx.get(name);
    if (k === undefined) this.taskIdx.set(name, (k = this.tasks.push(name) - 1));
    this.lastTask = name;
    this.lastTaskIdx = k;
    return k;
  }

  /** The index of object `name` in this block's table (adding it); 0 is the empty name. */
  objectIndex(name: string): number {
    if (name === '') return 0;
    let k = this.objectIdx.get(name);
    if (k === undefined) this.objectIdx.set(name, (k = this.objects.push(name) - 1));
    return k;
  }

  /** Sets the `x_*` values of the row being added (before {@link commit}), in `extraCols` order. */
  setExtras(values: string[]): void {
    this.extras![this.n] = values;
  }

  /** Counts the row whose columns were written at index {@link n}. */
  commit(): void {
    this.n++;
  }

  /** Adds a row given as an object (its `extra` laid out in `extraCols` order). */
  addRow(r: TraceRow): void {
    const i = this.n;
    this.tNs[i] = r.tNs; this.addr[i] = r.addr; this.len[i] = r.len; this.offset[i] = r.offset;
    this.line[i] = r.line; this.flags[i] = r.flags; this.op[i] = OP_INDEX[r.op];
    this.task[i] = this.taskIndex(r.task);
    this.object[i] = this.objectIndex(r.object);
    if (this.extras !== undefined) {
      const ex = r.extra ?? {};
      this.extras[i] = this.extraCols.map((c) => ex[c] ?? '');
    }
    this.n++;
  }

  /** The rows added since the last take as a block (undefined when none), and a new block to fill. */
  take(): RowBlock | undefined {
    const n = this.n;
    if (n === 0) return undefined;
    const cut = <A extends Float64Array | Uint32Array | Uint8Array>(a: A) => (n === this.capacity ? a : (a.subarray(0, n) as A));
    const block = new RowBlock(n, cut(this.tNs), cut(this.addr), cut(this.len), cut(this.offset), cut(this.line), cut(this.task), cut(this.object),
      cut(this.flags), cut(this.op), { tasks: this.tasks, objects: this.objects, extraCols: this.extraCols }, n === this.capacity ? this.extras : this.extras?.slice(0, n));
    // once the consumer is done with the block, its buffer is filled again (fewer large allocations for the collector)
    const buf = this.buf;
    const spare = this.spare;
    block.onRelease = () => {
      if (spare.length < 4) spare.push(buf);
    };
    this.fresh();
    return block;
  }
}
