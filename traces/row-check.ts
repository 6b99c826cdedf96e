/**
 * Validation of one data record of a native trace against its header: every
 * field parsed and checked (required values, ranges, time order, which
 * flags and fields an op accepts), in column order t_us, op, task, addr,
 * len, flags, object/offset; the first problem is thrown as a FieldProblem.
 */
import { ADDR_LIMIT, OP_NAMES, type TraceRow } from './types.ts';
import { fieldProblem } from './trace-error.ts';
import { FlagsParser, isTaskToken, opByName, parseTimeNs, parseUint } from './fields.ts';
import { hasMarker, markerProblem, showMarked } from './utf8.ts';
import type { TraceColumns } from './columns.ts';

/**
 * Throws a FieldProblem for the first field of `rec` holding a byte that is
 * not UTF-8 or a NUL byte (marked by the CSV layer); the column is `-` before
 * the header.
 */
export function checkBytes(rec: readonly string[], afterHeader: boolean): void {
  for (let j = 0; j < rec.length; j++) {
    const f = rec[j]!;
    if (hasMarker(f)) fieldProblem(afterHeader ? j : '-', markerProblem(f), showMarked(f));
  }
}

/** Turns the data records of one trace, in order, into rows (times must not go backwards). */
export class RowChecker {
  /** Time (ns) of the last row checked, here or by {@link passed}. */
  prevNs = 0;
  private prevTimeText = '';
  /** Where the last row's time is written when {@link passed} noted it (decoded only for a message), else null. */
  private prevBuf: Buffer | null = null;
  private prevStart = 0;
  private prevEnd = 0;
  private readonly flagsParser = new FlagsParser();

  constructor(private readonly cols: TraceColumns) {}

  /** The last row's time as written. */
  prevTime(): string {
    if (this.prevBuf !== null) {
      this.prevTimeText = this.prevBuf.toString('utf8', this.prevStart, this.prevEnd);
      this.prevBuf = null;
    }
    return this.prevTimeText;
  }

  /**
   * Notes a row checked by the reader's fast path: its time `ns`, written as
   * the bytes `buf[start..end)` (kept, decoded only for a message).
   */
  passed(ns: number, buf: Buffer, start: number, end: number): void {
    this.prevNs = ns;
    this.prevBuf = buf;
    this.prevStart = start;
    this.prevEnd = end;
  }

  /** The time-order state, to put back with {@link restore} when a row is given up. */
  save(): { ns: number; text: string } {
    return { ns: this.prevNs, text: this.prevTime() };
  }

  /** Puts back a state from {@link save}. */
  restore(s: { ns: number; text: string }): void {
    this.prevNs = s.ns;
    this.prevTimeText = s.text;
    this.prevBuf = null;
  }

  /** The row of `rec`, a record of the header's field count, at file line `line`. */
  row(rec: readonly string[], line: number): TraceRow {
    const c = this.cols;

    // t_us
    const tText = rec[c.t]!;
    const tNs = parseTimeNs(tText);
    if (!(tNs <= Number.MAX_SAFE_INTEGER)) {
      if (tText === '') fieldProblem(c.t, 'missing required value', tText);
      if (Number.isNaN(tNs)) fieldProblem(c.t, 'bad time: expected a non-negative decimal number of microseconds', tText);
      fieldProblem(c.t, 'time too large', tText);
    }
    if (tNs < this.prevNs) fieldProblem(c.t, `time goes backwards (previous ${this.prevTime()})`, tText);
    this.prevNs = tNs;
    this.prevTimeText = tText;
    this.prevBuf = null;

    // op
    const opText = rec[c.op]!;
    const op = opByName(opText);
    if (op === undefined) {
      if (opText === '') fieldProblem(c.op, 'missing required value', opText);
      fieldProblem(c.op, `unknown op (expected one of ${OP_NAMES.join(', ')})`, opText);
    }

    // task
    let task = '0';
    if (c.task >= 0) {
      const s = rec[c.task]!;
      if (s !== '') {
        if (!isTaskToken(s)) fieldProblem(c.task, 'bad task: expected a token of [A-Za-z0-9_.-]', s);
        task = s;
      }
    }

    // addr, len
    const addrText = rec[c.addr]!;
    const addr = parseUint(addrText);
    if (!(addr < ADDR_LIMIT)) {
      if (addrText === '') fieldProblem(c.addr, 'missing required value', addrText);
      if (Number.isNaN(addr)) fieldProblem(c.addr, 'bad address: expected a non-negative integer (decimal or 0x hex)', addrText);
      fieldProblem(c.addr, 'address out of range (must be < 2^53)', addrText);
    }
    const lenText = rec[c.len]!;
    const len = parseUint(lenText);
    if (!(len < ADDR_LIMIT)) {
      if (lenText === '') fieldProblem(c.len, 'missing required value', lenText);
      if (Number.isNaN(len)) fieldProblem(c.len, 'bad length: expected a non-negative integer (decimal or 0x hex)', lenText);
      fieldProblem(c.len, 'length out of range (must be < 2^53)', lenText);
    }
    if (!(addr + len < ADDR_LIMIT)) fieldProblem(c.len, `addr + len must be < 2^53 (addr ${addrText})`, lenText);

    // flags
    let flags = 0;
    if (c.flags >= 0) {
      const s = rec[c.flags]!;
      if (s !== '') flags = this.flagsParser.parse(s, op, c.flags);
    }

    // object, offset
    let object = '';
    let offset = 0;
    const objText = c.object >= 0 ? rec[c.object]! : '';
    const offText = c.offset >= 0 ? rec[c.offset]! : '';
    if (op === 'map') {
      if (objText === '') fieldProblem(c.object >= 0 ? c.object : 'object', "missing required value for op 'map'", objText);
      object = objText;
      if (offText === '') fieldProblem(c.offset >= 0 ? c.offset : 'offset', "missing required value for op 'map'", offText);
      offset = parseUint(offText);
      if (!(offset < ADDR_LIMIT)) {
        if (Number.isNaN(offset)) fieldProblem(c.offset, 'bad offset: expected a non-negative integer (decimal or 0x hex)', offText);
        fieldProblem(c.offset, 'offset out of range (must be < 2^53)', offText);
      }
    } else {
      if (objText !== '') fieldProblem(c.object, "object is only valid for op 'map'", objText);
      if (offText !== '' && parseUint(offText) !== 0) fieldProblem(c.offset, "offset is only valid for op 'map'", offText);
    }

    const nExtra = c.extraIdx.length;
    if (nExtra === 0) return { line, tNs, task, op, addr, len, flags, object, offset };
    const extra: Record<string, string> = {};
    for (let x = 0; x < nExtra; x++) extra[c.extraNames[x]!] = rec[c.extraIdx[x]!]!;
    return { line, tNs, task, op, addr, len, flags, object, offset, extra };
  }
}
