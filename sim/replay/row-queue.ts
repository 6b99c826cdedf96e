/**
 * The rows waiting in a task's buffer (closed replay), first in first out:
 * runs of consecutive rows of one block of columns, each held as the block
 * and an index range, or single row objects. A task whose rows come one
 * block after another (every task of a one-task trace) queues and takes a
 * row with a counter step, not an entry per row.
 */
import { RowBlock, type TraceRow } from '../../traces/types.ts';

/** A waiting row: a row object, or a block of columns (with the row's index beside it). */
export type Waiting = TraceRow | RowBlock;

/** A first-in first-out queue of rows in a growable ring of runs (capacity a power of two). */
export class RowQueue {
  /** Per run: its block or row object, and its rows [from, to) in the block (-1, 0 for a row object). */
  private src: (Waiting | undefined)[] = new Array(16);
  private from: number[] = new Array<number>(16).fill(0);
  private to: number[] = new Array<number>(16).fill(0);
  private mask = 15;
  private head = 0;
  private runs = 0;
  /** Rows queued. */
  length = 0;

  /** Appends row `i` of `block`, or the row object `block` (i = -1). */
  push(block: Waiting, i: number): void {
    this.length++;
    if (this.runs > 0 && i >= 0) {
      const t = (this.head + this.runs - 1) & this.mask;
      if (this.src[t] === block && this.to[t] === i) {
        this.to[t] = i + 1;
        return;
      }
    }
    if (this.runs === this.src.length) this.grow();
    const t = (this.head + this.runs) & this.mask;
    this.src[t] = block;
    this.from[t] = i;
    this.to[t] = i + 1;
    this.runs++;
  }

  /** The block or row object of the head row (undefined when empty). */
  peekSource(): Waiting | undefined {
    return this.runs > 0 ? this.src[this.head] : undefined;
  }

  /** The index in its block of the head row (-1 for a row object). */
  peekIndex(): number {
    return this.from[this.head];
  }

  /** Removes the head row (read it first with {@link peekSource} and {@link peekIndex}). */
  shift(): void {
    if (this.runs === 0) return;
    this.length--;
    const h = this.head;
    if (++this.from[h] < this.to[h]) return;
    this.src[h] = undefined; // let it be collected
    this.head = (h + 1) & this.mask;
    this.runs--;
  }

  private grow(): void {
    const cap = this.src.length * 2;
    const src: (Waiting | undefined)[] = new Array(cap), from: number[] = new Array<number>(cap).fill(0), to: number[] = new Array<number>(cap).fill(0);
    for (let k = 0; k < this.runs; k++) {
      const j = (this.head + k) & this.mask;
      src[k] = this.src[j];
      from[k] = this.from[j];
      to[k] = this.to[j];
    }
    this.src = src;
    this.from = from;
    this.to = to;
    this.mask = cap - 1;
    this.head = 0;
  }
}
