/**
 * Linux's flush sequencing (block/blk-flush.c): at most one FLUSH is in
 * flight per queue ("C1: at most one flush may be in flight", blk_kick_flush);
 * FLUSHes that arrive meanwhile wait on the pending list and are served
 * together by the next FLUSH issued when it completes — one device command
 * for all of them, which completes them all.
 */
import type { Io } from './device.ts';

/** The FLUSH in flight and those waiting for the next one. */
export class FlushSequence {
  private running: Io | null = null;
  private waiting: Io[] = [];
  /** FLUSHes completed by another one's command. */
  private readonly riders = new Map<Io, Io[]>();

  /** A FLUSH is submitted: true when it goes to the device now, false when it waits. */
  admit(io: Io): boolean {
    if (this.running) {
      this.waiting.push(io);
      return false;
    }
    this.running = io;
    return true;
  }

  /** The device completed FLUSH `io`: the FLUSHes it also completes, and the next one to send (the first waiting; the rest ride on it). */
  done(io: Io): { riders: Io[]; next: Io | null } {
    const riders = this.riders.get(io) ?? [];
    this.riders.delete(io);
    if (io === this.running) this.running = null;
    let next: Io | null = null;
    if (!this.running && this.waiting.length > 0) {
      const [first, ...rest] = this.waiting;
      this.waiting = [];
      next = first!;
      this.running = next;
      if (rest.length > 0) this.riders.set(next, rest);
    }
    return { riders, next };
  }
}
