import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, promises as fsp, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { readTrace } from '../traces/reader.ts';
import { TraceError } from '../traces/trace-error.ts';
import { formatHeader, formatRow, formatTimeUs, TraceWriter, type RowInput } from '../traces/writer.ts';
import { ADDR_LIMIT, Flag, FLAGS_BY_OP, OP_NAMES, type OpName, type TraceRow } from '../traces/types.ts';

let dir = '';
let seq = 0;

beforeAll(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'syncsim-trace-test-'));
});

afterAll(async () => {
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

async function put(content: string | Buffer, name = `t${++seq}.csv`): Promise<string> {
  const file = join(dir, name);
  await fsp.writeFile(file, content);
  return file;
}

async function readAll(file: string, batchSize?: number): Promise<TraceRow[]> {
  const rows: TraceRow[] = [];
  for await (const batch of readTrace(file, batchSize === undefined ? {} : { batchSize })) rows.push(...batch);
  return rows;
}

async function errorOf(file: string): Promise<TraceError> {
  try {
    await readAll(file);
  } catch (err) {
    expect(err).toBeInstanceOf(TraceError);
    return err as TraceError;
  }
  throw new Error(`reading ${file} did not fail`);
}

/** Read `content`, expect a TraceError with exactly this location, problem and text. */
async function expectError(content: string | Buffer, line: number, column: string, problem: string, text: string): Promise<TraceError> {
  const file = await put(content);
  const err = await errorOf(file);
  // control characters are escaped in the message (\r\n as the four characters `\r\n`), never in `text`
  // a problem of no one column (`-`) is written without one
  expect(err.message).toBe(`${file}:${line}: ${column === '-' ? '' : `column ${column}: `}${problem} (got '${text.replace(/\r/g, '\\r').replace(/\n/g, '\\n')}')`);
  expect({ file: err.file, line: err.line, column: err.column, text: err.text, problem: err.problem }).toEqual({ file, line, column, text, problem });
  return err;
}

const HEADER = '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n';

/** The expected row with defaults for the fields a test does not care about. */
function row(p: Partial<TraceRow> & Pick<TraceRow, 'line' | 'tNs' | 'op' | 'addr' | 'len'>): TraceRow {
  return { task: '0', flags: 0, object: '', offset: 0, ...p };
}

describe('readTrace: valid traces', () => {
  it('reads the spec example', async () => {
    const file = await put(
      HEADER +
        '0,db,map,0x10000000,0x400000,,data.db,0\n' +
        '5,db,write,0x10000000,8192,,,\n' +
        '7.5,db,write,0x10003000,100,,,\n' +
        '10,db,msync,0x10000000,0x400000,SYNC,,\n' +
        '12,db,wire,0x10200000,65536,USER|NOHOLES,,\n' +
        '20,db,msync,0x10000000,0x400000,ASYNC|SYNC,,\n',
    );
    expect(await readAll(file)).toEqual([
      row({ line: 3, tNs: 0, task: 'db', op: 'map', addr: 0x10000000, len: 0x400000, object: 'data.db', offset: 0 }),
      row({ line: 4, tNs: 5000, task: 'db', op: 'write', addr: 0x10000000, len: 8192 }),
      row({ line: 5, tNs: 7500, task: 'db', op: 'write', addr: 0x10003000, len: 100 }),
      row({ line: 6, tNs: 10000, task: 'db', op: 'msync', addr: 0x10000000, len: 0x400000, flags: Flag.SYNC }),
      row({ line: 7, tNs: 12000, task: 'db', op: 'wire', addr: 0x10200000, len: 65536, flags: Flag.USER | Flag.NOHOLES }),
      row({ line: 8, tNs: 20000, task: 'db', op: 'msync', addr: 0x10000000, len: 0x400000, flags: Flag.ASYNC | Flag.SYNC }),
    ]);
  });

  it('skips comments and blank lines anywhere but counts them in line numbers', async () => {
    const file = await put(
      '\n# leading comment\n\n# syncsim-trace v1\n' + // lines 1-4
        't_us,task,op,addr,len,flags,object,offset\n' + // 5
        '# between\n' + // 6
        '\n' + // 7
        '1,a,read,4096,4096,,,\n' + // 8
        '   \n' + // 9 (whitespace only: blank)
        '#,comment,with,commas,and,"quotes\n' + // 10
        '2,a,read,8192,1,,,\n' + // 11
        '3,a,write,0,1,,,\n' + // 12
        '# trailing comment without newline', // 13
    );
    const rows = await readAll(file);
    expect(rows.map((r) => [r.line, r.tNs, r.op])).toEqual([
      [8, 1000, 'read'],
      [11, 2000, 'read'],
      [12, 3000, 'write'],
    ]);
  });

  it('skips a UTF-8 byte order mark', async () => {
    const file = await put(`\uFEFF${HEADER}0,a,read,0,1,,,\n`);
    expect(await readAll(file)).toEqual([row({ line: 3, tNs: 0, task: 'a', op: 'read', addr: 0, len: 1 })]);
  });

  it('reads CRLF files with the right line numbers', async () => {
    const file = await put(HEADER.replace(/\n/g, '\r\n') + '# c\r\n\r\n1,a,read,0,1,,,\r\n2,a,read,0,1,,,\r\n');
    expect((await readAll(file)).map((r) => r.line)).toEqual([5, 6]);
  });

  it('keeps a # inside a field and a quoted object with line breaks, numbering lines from where a row starts', async () => {
    const file = await put(
      HEADER +
        '0,a,map,0,4096,,"multi\nline\r\nname, with ""quotes""",0\n' + // lines 3-5
        '1,a,map,4096,4096,,#hash#,0x1000\n' + // 6
        '2,a,read,0,1,,,\n', // 7
    );
    const rows = await readAll(file);
    expect(rows.map((r) => [r.line, r.object, r.offset])).toEqual([
      [3, 'multi\nline\r\nname, with "quotes"', 0],
      [6, '#hash#', 0x1000],
      [7, '', 0],
    ]);
  });

  it('accepts any column order, optional columns absent, default task', async () => {
    const file = await put('len,op,addr,t_us\n4096,write,0x2000,1.25\n8,read,16,3\n');
    expect(await readAll(file)).toEqual([
      row({ line: 2, tNs: 1250, op: 'write', addr: 0x2000, len: 4096 }),
      row({ line: 3, tNs: 3000, op: 'read', addr: 16, len: 8 }),
    ]);
    const file2 = await put('op,task,offset,object,t_us,addr,len\nmap,,0x2000,obj,0,0,4096\nread,t.1-x_Y,,,0,0,1\n');
    expect(await readAll(file2)).toEqual([
      row({ line: 2, tNs: 0, op: 'map', addr: 0, len: 4096, object: 'obj', offset: 0x2000 }),
      row({ line: 3, tNs: 0, task: 't.1-x_Y', op: 'read', addr: 0, len: 1 }),
    ]);
  });

  it('carries x_ columns in row.extra, and creates no extra without them', async () => {
    const file = await put('t_us,op,addr,len,x_src,x_note\n0,read,0,1,strace,"a, ""b"""\n1,read,0,1,,\n');
    const rows = await readAll(file);
    expect(rows.map((r) => r.extra)).toEqual([
      { x_src: 'strace', x_note: 'a, "b"' },
      { x_src: '', x_note: '' },
    ]);
    const plain = await readAll(await put('t_us,op,addr,len\n0,read,0,1\n'));
    expect(plain).toHaveLength(1);
    expect('extra' in plain[0]!).toBe(false);
  });

  it('parses decimal and 0x hex numbers up to the 2^53 limit', async () => {
    const file = await put(
      HEADER +
        '0,a,read,0xDeadBeef,0x0,,,\n' +
        '0,a,read,0,0x1fffffffffffff,,,\n' +
        `0,a,read,${ADDR_LIMIT - 2},1,,,\n` +
        '0,a,map,0x0010,0010,,o,0X1000\n',
    );
    expect((await readAll(file)).map((r) => [r.addr, r.len, r.offset])).toEqual([
      [0xdeadbeef, 0, 0],
      [0, ADDR_LIMIT - 1, 0],
      [ADDR_LIMIT - 2, 1, 0],
      [16, 10, 0x1000],
    ]);
  });

  it('converts microseconds to integer nanoseconds exactly', async () => {
    const times = ['0', '0.0004999', '0.0005', '0.001', '1.0005', '7.5', '7.50', '12', '9007199254740.991'];
    const file = await put(HEADER + times.map((t) => `${t},a,read,0,1,,,\n`).join(''));
    expect((await readAll(file)).map((r) => r.tNs)).toEqual([0, 0, 1, 1, 1001, 7500, 7500, 12000, Number.MAX_SAFE_INTEGER]);
  });

  it('resolves flag aliases (POSIX, Mach, VM_MAP_WIRE) to the canonical bits', async () => {
    const file = await put(
      HEADER +
        '0,a,msync,0,1,MS_SYNC|MS_INVALIDATE,,\n' +
        '0,a,msync,0,1,VM_SYNC_ASYNCHRONOUS|VM_SYNC_CONTIGUOUS|VM_SYNC_KILLPAGES|VM_SYNC_DEACTIVATE,,\n' +
        '0,a,msync,0,1,VM_SYNC_SYNCHRONOUS|VM_SYNC_INVALIDATE|MS_ASYNC,,\n' +
        '0,a,wire,0,1,VM_MAP_WIRE_USER|VM_MAP_WIRE_NOHOLES,,\n' +
        '0,a,unwire,0,1,VM_MAP_WIRE_SYSTEM|HOLESOK,,\n' +
        '0,a,map,0,1,SUBMAP|PRECIOUS|PRIVATE,o,0\n',
    );
    expect((await readAll(file)).map((r) => r.flags)).toEqual([
      Flag.SYNC | Flag.INVALIDATE,
      Flag.ASYNC | Flag.CONTIGUOUS | Flag.KILLPAGES | Flag.DEACTIVATE,
      Flag.SYNC | Flag.INVALIDATE | Flag.ASYNC,
      Flag.USER | Flag.NOHOLES,
      Flag.SYSTEM | Flag.HOLESOK,
      Flag.SUBMAP | Flag.PRECIOUS | Flag.PRIVATE,
    ]);
  });

  it('yields batches of batchSize rows, never an empty batch', async () => {
    const file = await put(HEADER + Array.from({ length: 10 }, (_, i) => `${i},a,read,0,1,,,\n`).join(''));
    const sizes: number[] = [];
    for await (const b of readTrace(file, { batchSize: 4 })) sizes.push(b.length);
    expect(sizes).toEqual([4, 4, 2]);
    const empty: number[] = [];
    for await (const b of readTrace(await put(HEADER))) empty.push(b.length);
    expect(empty).toEqual([]);
  });

  it('detects gzip by its magic bytes, whatever the file name', async () => {
    const text = HEADER + '0,a,map,0,4096,,o,0\n1,a,write,0,4096,,,\n';
    const expected = await readAll(await put(text));
    expect(expected).toHaveLength(2);
    expect(await readAll(await put(gzipSync(text), 'gz-without-suffix.csv'))).toEqual(expected);
    expect(await readAll(await put(gzipSync(text), 'gz.csv.gz'))).toEqual(expected);
    // A plain file named .gz is read as plain text.
    expect(await readAll(await put(text, 'plain-named.csv.gz'))).toEqual(expected);
  });

  it('closes the file when the consumer stops early', async () => {
    const file = await put(HEADER + Array.from({ length: 50_000 }, (_, i) => `${i},a,read,0,1,,,\n`).join(''));
    const fds = () => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : 0);
    const before = fds();
    let seen = 0;
    for await (const b of readTrace(file, { batchSize: 100 })) {
      seen += b.length;
      break;
    }
    expect(seen).toBe(100);
    // the stream closes its descriptor asynchronously: wait for it (up to 5 s) rather than a fixed time
    for (let i = 0; i < 250 && fds() > before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(fds()).toBeLessThanOrEqual(before);
  });
});

describe('readTrace: malformed traces', () => {
  it('bad numbers', async () => {
    await expectError(HEADER + '0,a,read,zz,1,,,\n', 3, 'addr', 'bad address: expected a non-negative integer (decimal or 0x hex)', 'zz');
    await expectError(HEADER + '0,a,read,0,-1,,,\n', 3, 'len', 'bad length: expected a non-negative integer (decimal or 0x hex)', '-1');
    await expectError(HEADER + '0,a,read,0,0x,,,\n', 3, 'len', 'bad length: expected a non-negative integer (decimal or 0x hex)', '0x');
    await expectError(HEADER + '0,a,read, 1,1,,,\n', 3, 'addr', 'bad address: expected a non-negative integer (decimal or 0x hex)', ' 1');
    await expectError(HEADER + '1e3,a,read,0,1,,,\n', 3, 't_us', 'bad time: expected a non-negative decimal number of microseconds', '1e3');
    await expectError(HEADER + '-1,a,read,0,1,,,\n', 3, 't_us', 'bad time: expected a non-negative decimal number of microseconds', '-1');
    await expectError(HEADER + '5.,a,read,0,1,,,\n', 3, 't_us', 'bad time: expected a non-negative decimal number of microseconds', '5.');
    await expectError(HEADER + '0,a,map,0,1,,o,4k\n', 3, 'offset', 'bad offset: expected a non-negative integer (decimal or 0x hex)', '4k');
    await expectError(HEADER + '99999999999999,a,read,0,1,,,\n', 3, 't_us', 'time too large', '99999999999999');
  });

  it('reports the real line after comments and blank lines', async () => {
    await expectError(
      '# syncsim-trace v1\n\n# c\nt_us,task,op,addr,len,flags,object,offset\n\n0,a,read,0,1,,,\n# x\n\n\n1,a,read,0,1,,,\n#y\n2,a,read,0xg,1,,,\n',
      12,
      'addr',
      'bad address: expected a non-negative integer (decimal or 0x hex)',
      '0xg',
    );
    // ... and after a quoted object spanning lines (with LF and CR LF inside).
    await expectError(HEADER + '0,a,map,0,1,,"x\ny\r\nz",0\n\n0,a,reed,0,1,,,\n', 7, 'op', 'unknown op (expected one of map, unmap, write, read, msync, wire, unwire)', 'reed');
    // ... and on a row that itself spans lines: the line where the row starts.
    await expectError(HEADER + '0,a,read,0,1,,,\n0,a,read,0,"1\r\n",,"o\n",\n', 4, 'len', 'bad length: expected a non-negative integer (decimal or 0x hex)', '1\r\n');
  });

  it('unknown op', async () => {
    await expectError(HEADER + '0,a,read,0,1,,,\n0,a,MSYNC,0,1,,,\n', 4, 'op', 'unknown op (expected one of map, unmap, write, read, msync, wire, unwire)', 'MSYNC');
  });

  it('unknown flag', async () => {
    await expectError(HEADER + '0,a,msync,0,1,MS_SYNC|MS_FOO,,\n', 3, 'flags', "unknown flag 'MS_FOO'; the flags of msync are SYNC, ASYNC, INVALIDATE, CONTIGUOUS, KILLPAGES and DEACTIVATE (or their aliases, such as MS_SYNC), joined by |", 'MS_SYNC|MS_FOO');
    await expectError(HEADER + '0,a,msync,0,1,sync,,\n', 3, 'flags', "unknown flag; the flags of msync are SYNC, ASYNC, INVALIDATE, CONTIGUOUS, KILLPAGES and DEACTIVATE (or their aliases, such as MS_SYNC), joined by |", 'sync');
    await expectError(HEADER + '0,a,msync,0,1,SYNC||ASYNC,,\n', 3, 'flags', 'empty flag name', 'SYNC||ASYNC');
  });

  it('flag not valid for the op', async () => {
    await expectError(HEADER + '0,a,write,0,1,SYNC,,\n', 3, 'flags', "flag 'SYNC' is not valid for op 'write'", 'SYNC');
    await expectError(HEADER + '0,a,wire,0,1,USER|MS_SYNC,,\n', 3, 'flags', "flag 'MS_SYNC' is not valid for op 'wire'", 'USER|MS_SYNC');
    // The same flags string valid for one op, then (cached) invalid for another.
    await expectError(HEADER + '0,a,msync,0,1,SYNC,,\n1,a,wire,0,1,SYNC,,\n', 4, 'flags', "flag 'SYNC' is not valid for op 'wire'", 'SYNC');
  });

  it('a map carries one access advice: RANDOM and SEQUENTIAL (or their MADV_ aliases) together are refused', async () => {
    await expectError(HEADER + '0,a,map,0,4096,RANDOM|SEQUENTIAL,f,0\n', 3, 'flags', 'RANDOM and SEQUENTIAL exclude each other: a mapping has one access advice', 'RANDOM|SEQUENTIAL');
    await expectError(HEADER + '0,a,map,0,4096,MADV_SEQUENTIAL|POSIX_MADV_RANDOM,f,0\n', 3, 'flags', 'RANDOM and SEQUENTIAL exclude each other: a mapping has one access advice', 'MADV_SEQUENTIAL|POSIX_MADV_RANDOM');
    await expectError(HEADER + '0,a,write,0,1,RANDOM,,\n', 3, 'flags', "flag 'RANDOM' is not valid for op 'write'", 'RANDOM');
    const file = await put(HEADER + '0,a,map,0,4096,MADV_RANDOM,f,0\n0,a,map,4096,4096,PRIVATE|POSIX_MADV_SEQUENTIAL,g,0\n');
    const rows: TraceRow[] = [];
    for await (const b of readTrace(file)) rows.push(...b);
    expect(rows.map((r) => r.flags)).toEqual([Flag.RANDOM, Flag.PRIVATE | Flag.SEQUENTIAL]);
    expect(() => formatRow({ tNs: 0, op: 'map', addr: 0, len: 4096, object: 'f', flags: Flag.RANDOM | Flag.SEQUENTIAL }, [])).toThrow(/not valid for op 'map'/);
  });

  it('missing required field', async () => {
    await expectError(HEADER + '0,a,,0,1,,,\n', 3, 'op', 'missing required value', '');
    await expectError(HEADER + ',a,read,0,1,,,\n', 3, 't_us', 'missing required value', '');
    await expectError(HEADER + '0,a,read,,1,,,\n', 3, 'addr', 'missing required value', '');
    await expectError(HEADER + '0,a,read,0,,,,\n', 3, 'len', 'missing required value', '');
    await expectError(HEADER + '0,a,map,0,1,,,0\n', 3, 'object', "missing required value for op 'map'", '');
    await expectError(HEADER + '0,a,map,0,1,,o,\n', 3, 'offset', "missing required value for op 'map'", '');
    await expectError('t_us,op,addr,len\n0,map,0,1\n', 2, 'object', "missing required value for op 'map'", '');
  });

  it('object or offset on a non-map op', async () => {
    await expectError(HEADER + '0,a,write,0,1,,o,\n', 3, 'object', "object is only valid for op 'map'", 'o');
    await expectError(HEADER + '0,a,write,0,1,,,4096\n', 3, 'offset', "offset is only valid for op 'map'", '4096');
    expect((await readAll(await put(HEADER + '0,a,write,0,1,,,0\n')))[0]!.offset).toBe(0);
  });

  it('time going backwards', async () => {
    await expectError(HEADER + '10,a,read,0,1,,,\n10,b,read,0,1,,,\n# c\n9.999,a,read,0,1,,,\n', 6, 't_us', 'time goes backwards (previous 10)', '9.999');
  });

  it('unknown, upper-case, duplicate and missing columns (on the header line)', async () => {
    await expectError('# syncsim-trace v1\n\nt_us,op,addr,len,color\n0,read,0,1,red\n', 3, 'color', 'unknown column (the columns of a trace are t_us, task, op, addr, len, flags, object, offset, and x_-prefixed ones of your own)', 'color');
    // what the name most likely is ends the problem (user trial h202)
    await expectError('T_US,op,addr,len\n', 1, 'T_US', 'unknown column (the columns of a trace are t_us, task, op, addr, len, flags, object, offset, and x_-prefixed ones of your own); did you mean t_us? (names are lower case)', 'T_US');
    await expectError('t_us,op,addr,len,\n', 1, '#5', 'unknown column (the columns of a trace are t_us, task, op, addr, len, flags, object, offset, and x_-prefixed ones of your own); an empty name: is there a comma at the end of the header, or two in a row?', '');
    await expectError('t_us, op,addr,len\n', 1, ' op', 'unknown column (the columns of a trace are t_us, task, op, addr, len, flags, object, offset, and x_-prefixed ones of your own); did you mean op? (a name has no spaces around it)', ' op');
    await expectError('t_us,op,addr,len,X_note\n', 1, 'X_note', 'unknown column (the columns of a trace are t_us, task, op, addr, len, flags, object, offset, and x_-prefixed ones of your own); did you mean x_note? (the prefix is x_, in lower case)', 'X_note');
    await expectError('t_us;op;addr;len\n0;read;0;1\n', 1, 't_us;op;addr;len', "unknown column (the columns of a trace are t_us, task, op, addr, len, flags, object, offset, and x_-prefixed ones of your own); the header reads as one name: its names seem separated by ';', and a trace's by commas", 't_us;op;addr;len');
    await expectError('t_us,op,addr,len,op\n', 1, 'op', 'duplicate column', 'op');
    await expectError('# h\nt_us,op,len\n', 2, 'addr', 'missing required column', 't_us,op,len');
  });

  it('bad task token', async () => {
    await expectError(HEADER + '0,db 1,read,0,1,,,\n', 3, 'task', 'bad task: expected a token of [A-Za-z0-9_.-]', 'db 1');
    await expectError(HEADER + '0,db/1,read,0,1,,,\n', 3, 'task', 'bad task: expected a token of [A-Za-z0-9_.-]', 'db/1');
    await expectError(HEADER + '0,tâche,read,0,1,,,\n', 3, 'task', 'bad task: expected a token of [A-Za-z0-9_.-]', 'tâche');
  });

  it('addresses and lengths beyond 2^53', async () => {
    await expectError(HEADER + '0,a,read,0x1ffffffffffff0,0x10,,,\n', 3, 'len', 'addr + len must be < 2^53 (addr 0x1ffffffffffff0)', '0x10');
    await expectError(HEADER + `0,a,read,${ADDR_LIMIT},0,,,\n`, 3, 'addr', 'address out of range (must be < 2^53)', String(ADDR_LIMIT));
    await expectError(HEADER + '0,a,read,0,0xffffffffffffffffffff,,,\n', 3, 'len', 'length out of range (must be < 2^53)', '0xffffffffffffffffffff');
    await expectError(HEADER + '0,a,map,0,1,,o,0x20000000000000\n', 3, 'offset', 'offset out of range (must be < 2^53)', '0x20000000000000');
  });

  it('wrong number of fields', async () => {
    await expectError(HEADER + '0,a,read,0,1,,,\n\n0,a,read,0,1,,\n', 5, '-', 'wrong number of fields: expected 8, found 7', '0,a,read,0,1,,');
    await expectError(HEADER + '0,a,read,0,1,,,,\n', 3, '-', 'wrong number of fields: expected 8, found 9', '0,a,read,0,1,,,,');
  });

  it('empty file or no header', async () => {
    await expectError('', 1, '-', 'no header line (empty trace)', '');
    await expectError('# syncsim-trace v1\n\n# nothing else\n', 3, '-', 'no header line (empty trace)', '');
    await expectError('# syncsim-trace v1\n\n# nothing else', 3, '-', 'no header line (empty trace)', '');
    await expectError('\n', 1, '-', 'no header line (empty trace)', '');
  });

  it('malformed CSV: a quote never closed is named at the line it opened on, not the end of the file', async () => {
    const err = await errorOf(await put(HEADER + '0,a,map,0,1,,"unclosed,0\n1,a,read,0,1,,,\n'));
    expect(err.message).toMatch(/^.*:3: column object: malformed CSV: a quote opened on this line is never closed: the file ends inside its field \(a field is quoted whole or not at all, and a quote inside a quoted field is written ""\) \(got ''\)$/);
    expect(err.line).toBe(3);
    // after 20,000 rows the fast pass took, and a comment and a blank line, with 20,000 rows after it
    const good = Array.from({ length: 20_000 }, (_, i) => `${i},a,read,0,1,,,\n`).join('');
    const far = await errorOf(await put(HEADER + good + '# a comment\n\n20000,a,map,0,1,,"obj,0\n' + good.replace(/^/gm, '3')));
    expect([far.line, far.column]).toEqual([20_005, 'object']);
  });

  it('malformed CSV: a quote inside an unquoted field, and text after a closing quote, say how a field is quoted and quote the text at fault', async () => {
    const open = await errorOf(await put(HEADER + '0,a,re"ad,0,1,,,\n'));
    expect([open.line, open.column, open.text]).toEqual([3, 'op', 're']);
    expect(open.problem).toBe('malformed CSV: a quote inside an unquoted field (a field is quoted whole or not at all, and a quote inside a quoted field is written "")');
    const close = await errorOf(await put(HEADER + '0,a,"read"x,0,1,,,\n'));
    expect([close.line, close.column, close.text]).toEqual([3, 'op', 'x']);
    expect(close.problem).toBe('malformed CSV: a quoted field goes on after its closing quote (a field is quoted whole or not at all, and a quote inside a quoted field is written "")');
  });

  it('a lone CR inside a field is not a line break: later rows and errors keep their file lines', async () => {
    const head = HEADER.replace('offset\n', 'offset,x_note\n');
    const rows = '0,a,map,0,4096,,f,0,"a\rb"\n1,a,read,0,1,,,,c\rd\n'; // lines 3 and 4
    expect((await readAll(await put(head + rows + '2,a,read,0,1,,,,\n'))).map((r) => r.line)).toEqual([3, 4, 5]);
    const bad = await errorOf(await put(head + rows + '2,a,wrte,0,1,,,,\n'));
    expect([bad.line, bad.column]).toEqual([5, 'op']);
    // a CSV syntax error: the line is the file's, and csv-parse's own count (which counts the CRs) is not quoted
    const csv = await errorOf(await put(head + rows + '2,a,read,0,1,,,,x"y\n'));
    expect(csv.line).toBe(5);
    expect(csv.message).toMatch(/^.*:5: column x_note: malformed CSV: a quote inside an unquoted field \(.*\) \(got 'x'\)$/);
  });

  it('malformed CSV in the middle of a large file, after the rows before it', async () => {
    const good = Array.from({ length: 20_000 }, (_, i) => `${i},a,read,0,1,,,\n`).join('');
    const file = await put(HEADER + good + '20000,a,map,0,1,,"obj"x,0\n' + good.replace(/^/gm, '3').slice(0, -1));
    let n = 0;
    let caught: unknown;
    try {
      for await (const b of readTrace(file, { batchSize: 1000 })) n += b.length;
    } catch (err) {
      caught = err;
    }
    expect(n).toBe(20_000);
    expect(caught).toBeInstanceOf(TraceError);
    const err = caught as TraceError;
    expect([err.line, err.column]).toEqual([20_003, 'object']);
    expect(err.message).toMatch(/^.*:20003: column object: malformed CSV: a quoted field goes on after its closing quote \(.*\) \(got 'x'\)$/);
  });

  it('rejects a bad batchSize', async () => {
    const file = await put(HEADER);
    await expect(readTrace(file, { batchSize: 0 }).next()).rejects.toThrow(RangeError);
  });

  it('reports the first error in file order, after yielding the rows before it', async () => {
    const file = await put(HEADER + '0,a,read,0,1,,,\n1,a,read,0,1,,,\n0,a,read,0,1,,,\n1,a,map,0,1,,"x,0\n');
    const got: number[] = [];
    let caught: unknown;
    try {
      for await (const b of readTrace(file, { batchSize: 1 })) got.push(...b.map((r) => r.line));
    } catch (err) {
      caught = err;
    }
    expect(got).toEqual([3, 4]);
    expect(caught).toBeInstanceOf(TraceError);
    expect((caught as TraceError).message).toBe(`${file}:5: column t_us: time goes backwards (previous 1) (got '0')`);
  });

  it('missing file and corrupt gzip are TraceErrors too', async () => {
    const missing = join(dir, 'does-not-exist.csv');
    const e1 = await errorOf(missing);
    expect(e1.message).toMatch(new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:0: cannot open the trace: .*ENOENT.* \\(got 'ENOENT'\\)$`));
    const gz = gzipSync(HEADER + Array.from({ length: 1000 }, (_, i) => `${i},a,read,0,1,,,\n`).join(''));
    const e2 = await errorOf(await put(gz.subarray(0, gz.length - 20)));
    expect(e2.problem).toMatch(/^corrupt gzip data: /);
    expect(e2.column).toBe('-');
  });
});

describe('writer', () => {
  it('formats the header and rows', () => {
    expect(formatHeader()).toBe('# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n');
    expect(formatHeader(['x_a', 'x_b'])).toBe('# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset,x_a,x_b\n');
    expect(() => formatHeader(['color'])).toThrow(/x_/);
    expect(formatRow({ tNs: 7500, task: 'db', op: 'write', addr: 0x10003000, len: 100 })).toBe('7.5,db,write,0x10003000,100,,,\n');
    expect(formatRow({ tNs: 0, op: 'map', addr: 4096, len: 8192, flags: Flag.PRIVATE, object: 'a,"b"', offset: 4096 })).toBe(
      '0,0,map,0x1000,8192,PRIVATE,"a,""b""",4096\n',
    );
    expect(formatRow({ tNs: 1, op: 'msync', addr: 0, len: 1, flags: Flag.SYNC | Flag.INVALIDATE, extra: { x_b: 'q' } }, ['x_a', 'x_b'])).toBe(
      '0.001,0,msync,0x0,1,SYNC|INVALIDATE,,,,q\n',
    );
    expect([1, 10, 100, 1000, 1234567, 20_000_000].map(formatTimeUs)).toEqual(['0.001', '0.01', '0.1', '1', '1234.567', '20000']);
  });

  it('refuses rows the reader would reject', () => {
    expect(() => formatRow({ tNs: 0, op: 'write', addr: 0, len: 1, flags: Flag.SYNC })).toThrow(/not valid/);
    expect(() => formatRow({ tNs: 0, op: 'map', addr: 0, len: 1 })).toThrow(/object/);
    expect(() => formatRow({ tNs: 0, op: 'read', addr: 0, len: 1, object: 'o' })).toThrow(/only valid/);
    expect(() => formatRow({ tNs: 0.5, op: 'read', addr: 0, len: 1 })).toThrow(/ns/);
    expect(() => formatRow({ tNs: 0, task: 'a b', op: 'read', addr: 0, len: 1 })).toThrow(/task/);
    expect(() => formatRow({ tNs: 0, op: 'read', addr: ADDR_LIMIT - 1, len: 1 })).toThrow(/length/);
    expect(() => formatRow({ tNs: 0, op: 'mmap' as OpName, addr: 0, len: 1 })).toThrow(/op/);
  });

  it('TraceWriter writes through a temporary file renamed on close, gzip for .gz', async () => {
    for (const name of ['w.csv', 'w.csv.gz']) {
      const path = join(dir, name);
      const w = await TraceWriter.open(path, { extraCols: ['x_n'] });
      const rows: RowInput[] = Array.from({ length: 30_000 }, (_, i) => ({
        tNs: i * 500,
        task: `t${i % 3}`,
        op: i === 0 ? 'map' : 'write',
        addr: 0x1000 * (i % 100),
        len: 4096,
        object: i === 0 ? 'obj' : undefined,
        extra: { x_n: String(i) },
      }));
      for (const r of rows) await w.write(r);
      expect(w.rows).toBe(rows.length);
      expect(existsSync(path)).toBe(false);
      expect(existsSync(w.tmpPath)).toBe(true);
      await w.close();
      expect(existsSync(w.tmpPath)).toBe(false);
      const head = (await fsp.readFile(path)).subarray(0, 2);
      expect(head[0] === 0x1f && head[1] === 0x8b).toBe(name.endsWith('.gz'));
      const back = await readAll(path);
      expect(back).toHaveLength(rows.length);
      // rows from line 4: the magic line, the `# stamped:` line, the column header
      expect(back[29_999]).toEqual(row({ line: 30_003, tNs: 29_999 * 500, task: 't2', op: 'write', addr: 0x1000 * 99, len: 4096, extra: { x_n: '29999' } }));
      expect(back[0]).toEqual(row({ line: 4, tNs: 0, task: 't0', op: 'map', addr: 0, len: 4096, object: 'obj', extra: { x_n: '0' } }));
    }
  });

  it('TraceWriter refuses time going backwards, and abort leaves no file', async () => {
    const path = join(dir, 'aborted.csv');
    const w = await TraceWriter.open(path);
    await w.write({ tNs: 10, op: 'read', addr: 0, len: 1 });
    await expect(w.write({ tNs: 9, op: 'read', addr: 0, len: 1 })).rejects.toThrow(/backwards/);
    await w.abort();
    expect(existsSync(path)).toBe(false);
    expect(existsSync(w.tmpPath)).toBe(false);
    await expect(TraceWriter.open(join(dir, 'no-such-dir', 'x.csv'))).rejects.toThrow(/ENOENT/);
  });

  it('TraceWriter writes PATH.tmp-PID@HOST and clears what writers of its path that died on this host left (a gen killed mid-way), nothing else', async () => {
    const path = join(dir, 'killed.csv');
    const host = hostname();
    const live = await TraceWriter.open(path);
    expect(live.tmpPath).toBe(`${path}.tmp-${process.pid}@${host}`);
    await live.abort();
    // a process that has ended: its pid no longer runs
    const deadOne = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const deadPid = deadOne(), deadToo = deadOne();
    const at = (suffix: string) => `${path}${suffix}`;
    await fsp.writeFile(at(`.tmp-${deadPid}@${host}`), formatHeader() + '0,0,read,0x0,1,,,\n');
    await fsp.writeFile(at(`.tmp-${deadToo}@${host}`), '');
    // kept: gzip data beside a plain path, not a trace, another host's, a live writer's (this process's parent), an older name
    await fsp.writeFile(at(`.tmp-${deadPid + 2}@${host}`), gzipSync('x'));
    await fsp.writeFile(at(`.tmp-${deadPid + 3}@${host}`), 'my notes\n');
    await fsp.writeFile(at(`.tmp-${deadPid}@other-host`), formatHeader());
    await fsp.writeFile(at(`.tmp-${process.ppid}@${host}`), formatHeader());
    await fsp.writeFile(at(`.tmp-${deadPid}`), formatHeader());
    const w = await TraceWriter.open(path);
    await w.close();
    const left = readdirSync(dir).filter((n) => n.startsWith('killed.csv')).sort();
    expect(left).toEqual(['killed.csv', `killed.csv.tmp-${deadPid}`, `killed.csv.tmp-${deadPid + 2}@${host}`, `killed.csv.tmp-${deadPid + 3}@${host}`, `killed.csv.tmp-${deadPid}@other-host`, `killed.csv.tmp-${process.ppid}@${host}`].sort());
    // gzip data is a .gz writer's own
    const gz = join(dir, 'killed.csv.gz');
    await fsp.writeFile(`${gz}.tmp-${deadPid}@${host}`, gzipSync(formatHeader()));
    const wz = await TraceWriter.open(gz);
    await wz.close();
    expect(existsSync(`${gz}.tmp-${deadPid}@${host}`)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: random valid rows -> write -> read gives the same rows.

const taskArb = fc.oneof(fc.constant(undefined), fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/));
const textUnit = fc.oneof(
  fc.constantFrom(',', '"', '\n', '\r', '\r\n', '#', ' ', '|', '0x', ''),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);
const textArb = fc.string({ unit: textUnit, maxLength: 10 });
const uintArb = fc.oneof(fc.nat(1 << 20), fc.maxSafeNat());

const rowInputArb: fc.Arbitrary<{ dt: number; row: Omit<RowInput, 'tNs'> }> = fc
  .record({
    dt: fc.oneof(fc.constant(0), fc.nat(10_000), fc.nat(10_000).map((n) => n * 1000)),
    op: fc.constantFrom(...OP_NAMES),
    task: taskArb,
    addr: uintArb,
    len: uintArb,
    flagBits: fc.nat(),
    object: textArb.filter((s) => s !== ''),
    offset: uintArb,
    xa: textArb,
    xb: textArb,
  })
  .map(({ dt, op, task, addr, len, flagBits, object, offset, xa, xb }) => {
    const row: Omit<RowInput, 'tNs'> = {
      op,
      addr,
      len: addr + len < ADDR_LIMIT ? len : ADDR_LIMIT - 1 - addr,
      // a mapping has one access advice: SEQUENTIAL dropped when RANDOM is drawn too
      flags: flagBits & FLAGS_BY_OP[op] & ((flagBits & Flag.RANDOM) !== 0 ? ~Flag.SEQUENTIAL : ~0),
      extra: { x_a: xa, x_b: xb },
    };
    if (task !== undefined) row.task = task;
    if (op === 'map') {
      row.object = object;
      row.offset = offset;
    }
    return { dt, row };
  });

/** File lines a string adds when written (quoted) in a row: LF, CR LF and lone CR each end a line. */
/** Line breaks in a field: LF and CR LF (a lone CR is not one, docs/trace-format.md). */
function breaks(s: string): number {
  return s.replace(/[^\n]/g, '').length;
}

describe('property: write then read', () => {
  it('gives back the same rows (plain and gzip, with and without x_ columns)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(rowInputArb, { maxLength: 40 }), fc.boolean(), fc.boolean(), async (items, withExtra, gzip) => {
        const extraCols = withExtra ? ['x_a', 'x_b'] : [];
        let t = 0;
        let line = 3; // after the magic line and the column header (TraceWriter's `# stamped:` line: one more, below)
        const inputs: RowInput[] = [];
        const expected: TraceRow[] = [];
        for (const { dt, row: r } of items) {
          t += dt;
          const input: RowInput = { ...r, tNs: t };
          inputs.push(input);
          const e: TraceRow = {
            line,
            tNs: t,
            task: input.task ?? '0',
            op: input.op,
            addr: input.addr,
            len: input.len,
            flags: input.flags ?? 0,
            object: input.op === 'map' ? input.object! : '',
            offset: input.op === 'map' ? input.offset! : 0,
          };
          if (withExtra) e.extra = { x_a: input.extra!.x_a!, x_b: input.extra!.x_b! };
          expected.push(e);
          line += 1 + breaks(e.object) + (withExtra ? breaks(e.extra!.x_a!) + breaks(e.extra!.x_b!) : 0);
        }
        let file: string;
        if (gzip) {
          // Through TraceWriter (gzip by name), then renamed so only the magic bytes tell.
          const gzPath = join(dir, `prop${++n}.csv.gz`);
          const w = await TraceWriter.open(gzPath, { extraCols });
          for (const r of inputs) await w.write(r);
          await w.close();
          file = join(dir, `prop${n}.trace`);
          await fsp.rename(gzPath, file);
        } else {
          file = await put(formatHeader(extraCols) + inputs.map((r) => formatRow(r, extraCols)).join(''));
        }
        const back = await readAll(file, 7);
        // TraceWriter's header has its `# stamped:` line too (traces/trace-stamp.ts): each row one line further down
        expect(back).toEqual(gzip ? expected.map((e) => ({ ...e, line: e.line + 1 })) : expected);
        await fsp.rm(file);
      }),
      { numRuns: 150 },
    );
  });
});

describe('line breaks mixed within one file', () => {
  it('CR LF and LF in any order: the same rows, and errors on the line that holds them', async () => {
    const lf = 't_us,op,addr,len\n1,write,0,4096\n2,write,0,4096\n';
    const want = await readAll(await put(lf));
    expect(want.map((r) => r.tNs)).toEqual([1000, 2000]);
    // header CR LF, rows LF; rows CR LF, header LF; a comment CR LF before an LF header; alternating
    for (const text of ['t_us,op,addr,len\r\n1,write,0,4096\n2,write,0,4096\n', 't_us,op,addr,len\n1,write,0,4096\r\n2,write,0,4096\r\n',
      '# c\r\nt_us,op,addr,len\n1,write,0,4096\n2,write,0,4096\n', 't_us,op,addr,len\r\n1,write,0,4096\n2,write,0,4096\r\n']) {
      const rows = await readAll(await put(text));
      expect(rows.map((r) => [r.tNs, r.op, r.len])).toEqual(want.map((r) => [r.tNs, r.op, r.len]));
      expect(rows.map((r) => r.line)).toEqual([text.startsWith('#') ? 3 : 2, text.startsWith('#') ? 4 : 3]);
    }
    await expectError('t_us,op,addr,len\n1,write,0,4096\r\n2,write,0,4096\r\n3,wrte,0,4096\n', 4, 'op', 'unknown op (expected one of map, unmap, write, read, msync, wire, unwire)', 'wrte');
    await expectError('t_us,op,addr,len\r\n1,write,0,4096\r\n"2",write,0,4096\n3,wrte,0,4096\r\n', 4, 'op', 'unknown op (expected one of map, unmap, write, read, msync, wire, unwire)', 'wrte');
  });
});
