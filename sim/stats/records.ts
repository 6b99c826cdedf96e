/**
 * The records a run emits as it goes (one per msync, per wire or unwire call,
 * per writeback I/O, per page-in read, per timeline sample) and the sink that receives them. The simulator never
 * touches files: the caller's sink decides where records go.
 */
import type { DurabilityRecord } from './durability.ts';
import type { ReadRecord, WritebackRecord } from '../pager/pager.ts';
import type { TraceRow } from '../../traces/types.ts';

export type { ReadRecord, WritebackRecord };

/** One msync call (a row of syncs.csv). */
export interface SyncRecord {
  task: string;
  tIssueNs: number;
  tDoneNs: number;
  addr: number;
  len: number;
  flags: number;
  pagesWritten: number;
  bytesWritten: number;
  result: string;
}

/** One wire or unwire call (a row of wires.csv). */
export interface WireRecord {
  task: string;
  tIssueNs: number;
  tDoneNs: number;
  op: 'wire' | 'unwire';
  addr: number;
  len: number;
  flags: number;
  result: string;
  /**
   * Page wirings the call added (wire) or removed (unwire), net of any it undid itself: a page
   * whose wire count it raised (lowered) by one counts once, also when another mapping or wiring
   * level keeps it wired. 0 for a call rolled back whole; a Linux mlock that fails part-way counts
   * the pages it left wired (pages wired later, as they come in, are not counted here).
   */
  pages: number;
}

/**
 * One timeline sample (a row of timeline.csv): the counts at `tNs`, and the most of each at any
 * moment from `tNs` to the next row's time, both included. The last row is at the run's end, the
 * state after its last event (its interval that one instant), unless a sample time falls there.
 */
export interface TimelineRecord {
  tNs: number;
  dirtyPages: number;
  writebackPages: number;
  wiredPages: number;
  residentPages: number;
  queueDepth: number;
  dirtyPagesMax: number;
  writebackPagesMax: number;
  wiredPagesMax: number;
  residentPagesMax: number;
  queueDepthMax: number;
}

/** Any finished op (tests and tools use it to see every result code). */
export interface OpRecord {
  row: TraceRow;
  tIssueNs: number;
  tDoneNs: number;
  result: string;
}

/** Receives the records of a run, in simulated-time order per kind. */
export interface ResultSink {
  sync(r: SyncRecord): void;
  /** Optional: every wire and unwire call (wires.csv). */
  wire?(r: WireRecord): void;
  writeback(r: WritebackRecord): void;
  /** Optional: every completed page-in read (reads.csv). */
  read?(r: ReadRecord): void;
  timeline(r: TimelineRecord): void;
  /** Optional: every finished op. */
  op?(r: OpRecord): void;
  /** Optional: runs of page versions made durable (durability.csv). */
  durability?(r: DurabilityRecord): void;
  /**
   * Optional: true when the sink is done with each writeback, read and
   * timeline record when its call returns (it writes it out and keeps no
   * reference): the simulator may then pass one reused object per kind
   * instead of a new one per record. A sink that keeps records leaves it unset.
   */
  readonly transientRecords?: boolean;
}

/** A sink that drops everything (for benchmarks and tests that need only the summary); it keeps no record, so records are reused. */
export const NULL_SINK: ResultSink = { sync() {}, writeback() {}, timeline() {}, transientRecords: true };
