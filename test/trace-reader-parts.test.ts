/**
 * The pieces of the native trace reader, each alone: line framing, the field
 * parsers, the header, row validation and the error format. Expected values
 * are worked out by hand from the trace format.
 */
import { describe, expect, it } from 'vitest';
import { countBreakChars, countCr, hasBreak, isBlankRecord, LineFraming } from '../traces/line-framing.ts';
import { FlagsParser, isTaskToken, opByName, parseTimeNs, parseUint } from '../traces/fields.ts';
import { parseHeader } from '../traces/columns.ts';
import { checkBytes, RowChecker } from '../traces/row-check.ts';
import { columnLabel, FieldProblem, TraceError } from '../traces/trace-error.ts';
import { Flag } from '../traces/types.ts';

/** The FieldProblem `f` throws, as a plain object. */
function problemOf(f: () => unknown): { column: number | string; problem: string; text: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FieldProblem);
    const p = e as FieldProblem;
    return { column: p.column, problem: p.problem, text: p.text };
  }
  throw new Error('no FieldProblem thrown');
}

describe('line framing', () => {
  it('counts every CR and LF, and CR LF pairs once', () => {
    expect(countBreakChars('a\r\nb\nc\rd')).toBe(4);
    expect(countCr('a\r\nb\nc\r\n')).toBe(2);
    expect(countCr('a\rb\r\nc')).toBe(2);
    expect(hasBreak('')).toBe(false);
    expect(hasBreak('x\ry')).toBe(true);
  });

  it('takes a whitespace-only single field without a break as a blank line', () => {
    expect(isBlankRecord([' \t'])).toBe(true);
    expect(isBlankRecord([' \n'])).toBe(false);
    expect(isBlankRecord(['', ''])).toBe(false);
  });

  it('maps the parser counter back to file lines across a CR LF inside a quoted field', () => {
    const f = new LineFraming();
    // header on line 1 (counter 1)
    expect(f.takeHeader(['t_us', 'op'], 1)).toBe(1);
    // a row whose breakable field 1 holds one CR LF: file lines 2-3; the parser counts 4
    expect(f.rowLine(['0', 'a\r\nb'], 4, [1])).toBe(2);
    f.acceptRow();
    // the next one-line row ends at file line 4; the parser, one ahead, says 5
    expect(f.rowLine(['1', 'c'], 5, [1])).toBe(4);
    expect(f.fileLine(5)).toBe(4);
    // after a final line break the counter is one past the last line
    expect(f.endLine(6, 10)).toBe(4);
    expect(f.endLine(5, 99)).toBe(4);
  });

  it('locates an error at the start line whichever field holds the breaks', () => {
    const f = new LineFraming();
    // not a breakable field, still counted for the message: ends on counter 7 with 2 breaks
    expect(f.startLine(['x\n\ny', '1'], 7)).toBe(5);
  });

  it('does not count a row that was never accepted', () => {
    const f = new LineFraming();
    f.rowLine(['a\r\nb'], 3, [0]);
    expect(f.fileLine(10)).toBe(10);
  });
});

describe('field parsers', () => {
  it('reads decimal and 0x hex integers, NaN for anything else', () => {
    expect(parseUint('4096')).toBe(4096);
    expect(parseUint('0x1000')).toBe(4096);
    expect(parseUint('0XfF')).toBe(255);
    expect(parseUint('')).toBeNaN();
    expect(parseUint('0x')).toBeNaN();
    expect(parseUint('-1')).toBeNaN();
    expect(parseUint('1e3')).toBeNaN();
  });

  it('reads microseconds to exact nanoseconds, rounding the fourth decimal half up', () => {
    expect(parseTimeNs('12')).toBe(12000);
    expect(parseTimeNs('7.5')).toBe(7500);
    expect(parseTimeNs('0.001')).toBe(1);
    expect(parseTimeNs('0.0005')).toBe(1);
    expect(parseTimeNs('0.0004')).toBe(0);
    expect(parseTimeNs('1.')).toBeNaN();
    expect(parseTimeNs('.5')).toBeNaN();
    expect(parseTimeNs('1,5')).toBeNaN();
  });

  it('accepts task tokens of [A-Za-z0-9_.-] only', () => {
    expect(isTaskToken('db-1.w_2')).toBe(true);
    expect(isTaskToken('')).toBe(false);
    expect(isTaskToken('a b')).toBe(false);
    expect(isTaskToken('é')).toBe(false);
  });

  it('names ops exactly', () => {
    expect(opByName('msync')).toBe('msync');
    expect(opByName('MSYNC')).toBeUndefined();
  });

  it('parses flag lists with aliases and rejects flags the op does not take', () => {
    const p = new FlagsParser();
    expect(p.parse('MS_SYNC|INVALIDATE', 'msync', 5)).toBe(Flag.SYNC | Flag.INVALIDATE);
    expect(p.parse('MS_SYNC|INVALIDATE', 'msync', 5)).toBe(Flag.SYNC | Flag.INVALIDATE); // from the memo
    expect(problemOf(() => p.parse('SYNC||ASYNC', 'msync', 5))).toEqual({ column: 5, problem: 'empty flag name', text: 'SYNC||ASYNC' });
    expect(problemOf(() => p.parse('FAST', 'msync', 5))).toEqual({ column: 5, problem: "unknown flag; the flags of msync are SYNC, ASYNC, INVALIDATE, CONTIGUOUS, KILLPAGES and DEACTIVATE (or their aliases, such as MS_SYNC), joined by |", text: 'FAST' });
    expect(problemOf(() => p.parse('SYNC', 'map', 5))).toEqual({ column: 5, problem: "flag 'SYNC' is not valid for op 'map'", text: 'SYNC' });
  });
});

describe('header', () => {
  it('finds every column, the x_ ones and the fields that may hold breaks', () => {
    const c = parseHeader(['op', 't_us', 'x_note', 'addr', 'len', 'object']);
    expect([c.t, c.task, c.op, c.addr, c.len, c.flags, c.object, c.offset, c.count]).toEqual([1, -1, 0, 3, 4, -1, 5, -1, 6]);
    expect(c.extraNames).toEqual(['x_note']);
    expect(c.breakable).toEqual([5, 2]);
  });

  it('rejects duplicate, unknown and missing columns', () => {
    expect(problemOf(() => parseHeader(['t_us', 'op', 'op']))).toEqual({ column: 2, problem: 'duplicate column', text: 'op' });
    expect(problemOf(() => parseHeader(['t_us', 'size']))).toEqual({ column: 1, problem: 'unknown column (the columns of a trace are t_us, task, op, addr, len, flags, object, offset, and x_-prefixed ones of your own)', text: 'size' });
    expect(problemOf(() => parseHeader(['t_us', 'op', 'addr']))).toEqual({ column: 'len', problem: 'missing required column', text: 't_us,op,addr' });
  });
});

describe('row validation', () => {
  const cols = parseHeader(['t_us', 'task', 'op', 'addr', 'len', 'flags', 'object', 'offset']);

  it('builds rows with defaults for empty optional fields', () => {
    const r = new RowChecker(cols);
    expect(r.row(['1.5', '', 'map', '0x1000', '8192', 'PRIVATE', 'f', '4096'], 3)).toEqual({
      line: 3, tNs: 1500, task: '0', op: 'map', addr: 4096, len: 8192, flags: Flag.PRIVATE, object: 'f', offset: 4096,
    });
    expect(r.row(['2', 'w', 'msync', '0', '0', '', '', '0'], 4)).toEqual({
      line: 4, tNs: 2000, task: 'w', op: 'msync', addr: 0, len: 0, flags: 0, object: '', offset: 0,
    });
  });

  it('checks the fields in column order and time order across rows', () => {
    const r = new RowChecker(cols);
    r.row(['5', '', 'write', '0', '1', '', '', ''], 2);
    expect(problemOf(() => r.row(['4', '', 'write', '0', '1', '', '', ''], 3))).toEqual({ column: 0, problem: 'time goes backwards (previous 5)', text: '4' });
    // the op is looked at before the address
    expect(problemOf(() => r.row(['6', '', 'poke', 'x', '1', '', '', ''], 4))).toEqual({ column: 2, problem: 'unknown op (expected one of map, unmap, write, read, msync, wire, unwire)', text: 'poke' });
    expect(problemOf(() => r.row(['6', '', 'write', String(2 ** 53 - 1), '1', '', '', ''], 5))).toEqual({ column: 4, problem: `addr + len must be < 2^53 (addr ${2 ** 53 - 1})`, text: '1' });
    expect(problemOf(() => r.row(['6', '', 'write', '0', '1', '', 'f', ''], 6))).toEqual({ column: 6, problem: "object is only valid for op 'map'", text: 'f' });
    expect(problemOf(() => r.row(['6', '', 'map', '0', '1', '', 'f', ''], 7))).toEqual({ column: 7, problem: "missing required value for op 'map'", text: '' });
  });

  it('names a missing object column by name', () => {
    const r = new RowChecker(parseHeader(['t_us', 'op', 'addr', 'len']));
    expect(problemOf(() => r.row(['0', 'map', '0', '1'], 2))).toEqual({ column: 'object', problem: "missing required value for op 'map'", text: '' });
  });

  it('reports the first field holding a marked byte, in no column before the header', () => {
    expect(() => checkBytes(['a', 'b'], true)).not.toThrow();
    // a 0xff byte comes out of the CSV layer as the marker NUL 'x' 'f' 'f'
    expect(problemOf(() => checkBytes(['a', 'b\0xffc'], true))).toEqual({ column: 1, problem: 'invalid UTF-8', text: 'b\\xffc' });
    expect(problemOf(() => checkBytes(['\x000'], false))).toEqual({ column: '-', problem: 'NUL byte', text: '\\0' });
  });
});

describe('error format', () => {
  it('labels columns by header name, #N for an empty one, - out of range', () => {
    expect(columnLabel(['t_us', ''], 0)).toBe('t_us');
    expect(columnLabel(['t_us', ''], 1)).toBe('#2');
    expect(columnLabel(['t_us'], 3)).toBe('-');
    expect(columnLabel(null, 0)).toBe('-');
    expect(columnLabel(null, 'object')).toBe('object');
  });

  it('formats FILE:LINE: column COL: PROBLEM (got TEXT), escaping control characters and cutting long text', () => {
    const e = new TraceError('t.csv', 7, 'op', 'unknown op', 'a\tb');
    expect(e.message).toBe("t.csv:7: column op: unknown op (got 'a\\tb')");
    const long = new TraceError('t.csv', 1, '-', 'p', 'x'.repeat(201));
    expect(long.message).toBe(`t.csv:1: p (got '${'x'.repeat(200)}...')`);
    expect(long.text).toHaveLength(201);
  });
});
