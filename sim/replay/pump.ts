/**
 * The replay's row feed: rows fed by the caller (row objects or blocks of
 * columns) are delivered to their tasks at their trace times, pausing while
 * tasks hold too many rows and stopping the engine when it needs more.
 */
import { NextEvent, type Engine, type EventTarget } from '../engine/queue.ts';
import { RowBlock, type RowBatch, type TraceRow } from '../../traces/types.ts';

/** Rows buffered in tasks (closed replay) above which the reader pauses. */
export const BUFFER_CAP = 1 << 16;

/** What the pump needs of the simulator it feeds. */
export interface PumpHost {
  readonly engine: Engine;
  /** Rows delivered to tasks but not yet issued. */
  readonly buffered: number;
  /** A row object reached its trace time. */
  deliver(row: TraceRow): void;
  /** Row `i` of `block` reached its trace time. */
  deliverFrom(block: RowBlock, i: number): void;
  /** Every row fed has been delivered and no more will come (may be called more than once). */
  traceDelivered(): void;
  /** Whether the pump may deliver its next row at once when nothing would fire before it (see {@link Pump.fire}); results never depend on it. */
  readonly inlineEvents: boolean;
}

const EMPTY: TraceRow[] = [];

/** Feeds rows to tasks at their trace times. */
export class Pump implements EventTarget {
  private batches: RowBatch[] = [];
  private bi = 0;
  private ri = 0;
  eof = false;
  /** Waiting for the caller to feed rows. */
  starved = true;
  /** Holding back because tasks have too many rows buffered. */
  paused = false;
  private armed = false;

  constructor(private readonly host: PumpHost) {
    this.next = new NextEvent(host.engine, this);
  }

  /** The next delivery event: reserved inside {@link fire}, and delivered there at once when nothing precedes it. */
  private readonly next: NextEvent;

  /** Appends a batch of rows (in trace order). */
  feed(rows: RowBatch): void {
    if (rows.length > 0) this.batches.push(rows);
    if (this.starved) {
      this.starved = false;
      this.arm();
    }
  }

  /** The batch holding the next row (at `ri`), or undefined when every row fed was delivered. */
  private current(): RowBatch | undefined {
    while (this.bi < this.batches.length) {
      const b = this.batches[this.bi];
      if (this.ri < b.length) return b;
      this.batches[this.bi] = EMPTY; // release delivered rows at once
      this.bi++;
      this.ri = 0;
      if (this.bi > 64) {
        this.batches = this.batches.slice(this.bi);
        this.bi = 0;
      }
    }
    return undefined;
  }

  /** Schedules delivery of the next row, or notes why it cannot. */
  arm(): void {
    if (this.armed || this.paused) return;
    const b = this.current();
    if (!b) {
      if (!this.eof) {
        this.starved = true;
        this.host.engine.stop();
      } else this.host.traceDelivered();
      return;
    }
    if (this.host.buffered >= BUFFER_CAP) {
      this.paused = true;
      return;
    }
    this.armed = true;
    const tNs = b instanceof RowBlock ? b.tNs[this.ri] : (b as readonly TraceRow[])[this.ri].tNs;
    // during the pump's own event only reserved: see fire()
    this.next.at(Math.max(this.host.engine.now, tNs), this.host.inlineEvents);
  }

  /** Tasks took rows from their buffers: delivery may go on. */
  resume(): void {
    if (this.paused) {
      this.paused = false;
      this.arm();
    }
  }

  /**
   * Delivers the next row. When nothing else would fire before the next
   * delivery, that row is delivered here too, with no event in the queue:
   * the same work in the same order as an event each.
   */
  fire(): void {
    const next = this.next;
    do {
      this.armed = false;
      const b = this.current() as RowBatch;
      const i = this.ri++;
      next.inside = true;
      if (b instanceof RowBlock) this.host.deliverFrom(b, i);
      else this.host.deliver((b as readonly TraceRow[])[i]);
      this.arm();
      next.inside = false;
    } while (next.claimed());
  }
}
