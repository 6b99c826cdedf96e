/**
 * How the strace importer reads its input: with the line reader of the other importers
 * (traces/import/lines.ts), so that bytes that are not UTF-8 and NUL bytes are refused with their
 * line (two file names never merge into one), a line over 1 MiB is refused without reading on,
 * a truncated gzip capture is said as for the other formats, and a time too large for a trace
 * is refused with its line; and file names whose strace escapes hold a NUL byte, which no trace
 * object may hold, refused at import.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { straceImporter } from '../traces/import/strace.ts';
import type { ImportStats } from '../traces/import/importer.ts';
import { Flag } from '../traces/types.ts';
import type { RowInput } from '../traces/writer.ts';
import { syncsimHere } from './cli-here.ts';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'strace', 'two-processes.strace');
const dir = mkdtempSync(join(tmpdir(), 'syncsim-strace-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes `content` to a new file; returns its path. */
function put(content: string | Buffer, name = `f${n++}.strace`): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}
const latin = (s: string) => Buffer.from(s, 'latin1');

/** Imports `path` as strace (the rows and the counters), or rejects with the importer's error. */
async function importFile(path: string): Promise<{ rows: RowInput[]; stats: ImportStats }> {
  const stats: ImportStats = {};
  const rows: RowInput[] = [];
  for await (const b of straceImporter!.rows(path, { pageSize: 4096, syncFlags: Flag.SYNC, assumeDirty: 'whole-range-before-msync' }, stats)) rows.push(...b);
  return { rows, stats };
}

/** `syncsim import --from strace FILE -o OUT` (plus `args`): expects exit 2, the one line `syncsim: LINE`, and no OUT. */
async function expectRefused(file: string, line: string, args: string[] = []): Promise<void> {
  const out = join(dir, `out${n++}.csv`);
  const r = await syncsimHere(['import', '--from', 'strace', file, '-o', out, ...args]);
  expect([r.code, r.stderr]).toEqual([2, `syncsim: ${line}\n`]);
  expect(existsSync(out)).toBe(false);
}

const OPEN_A = '1000  1700000000.000100 openat(AT_FDCWD, "/tmp/a\xff", O_RDWR) = 3 <0.000020>';
const OPEN_B = '1000  1700000000.000200 openat(AT_FDCWD, "/tmp/a\xfe", O_RDWR) = 4 <0.000020>';
const MAPS = [
  '1000  1700000000.000300 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f0000000000 <0.000010>',
  '1000  1700000000.000400 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, 4, 0) = 0x7f0000100000 <0.000010>',
  '1000  1700000000.000500 msync(0x7f0000000000, 8192, MS_SYNC) = 0 <0.000500>',
];

describe('the strace importer reads its input as the other importers do', () => {
  it('two file names that differ only in bytes that are not UTF-8 are refused with the line, not merged into one', async () => {
    // before, both read as '/tmp/a\ufffd': one object mapped twice, exit 0
    const f = put(latin([OPEN_A, OPEN_B, ...MAPS].join('\n') + '\n'));
    await expectRefused(f, `${f}:1: invalid UTF-8 (got '1000  1700000000.000100 openat(AT_FDCWD, "/tmp/a\\xff", O_RDWR) = 3 <0.000020>')`, ['--assume-dirty', 'whole-range-before-msync']);
    // the first bad byte names its line, wherever it is
    const g = put(latin(['1000  1700000000.000100 openat(AT_FDCWD, "/tmp/a", O_RDWR) = 3 <0.000020>', OPEN_B, ...MAPS].join('\n') + '\n'));
    await expectRefused(g, `${g}:2: invalid UTF-8 (got '1000  1700000000.000200 openat(AT_FDCWD, "/tmp/a\\xfe", O_RDWR) = 4 <0.000020>')`);
  });

  it('a raw NUL byte is refused with its line', async () => {
    const f = put(latin(`${MAPS[0]}\n1000  1700000000.000600 openat(AT_FDCWD, "/tmp/d\0b", O_RDWR) = 5\n`));
    await expectRefused(f, `${f}:2: NUL byte (got '1000  1700000000.000600 openat(AT_FDCWD, "/tmp/d\\0b", O_RDWR) = 5')`);
  });

  it('a line longer than 1 MiB is refused once 1 MiB of it is read, with the words of the msr importer', async () => {
    const long = `1000  1700000000.000200 openat(AT_FDCWD, "/tmp/${'a'.repeat(3 << 20)}", O_RDWR) = 3 <0.000020>\n`;
    const f = put(`${MAPS[0]}\n${long}`);
    await expectRefused(f, `${f}:2: line longer than 1048576 characters (is this a text trace?) (got '1000  1700000000.000200 openat(AT_FDCWD,')`);
    const m = put(`128166372003061629,usr,0,Write,0,4096,1\n${'9'.repeat(3 << 20)}\n`, 'long.msr');
    const r = await syncsimHere(['import', '--from', 'msr', m, '-o', join(dir, 'long-msr.csv')]);
    expect([r.code, r.stderr]).toEqual([2, `syncsim: ${m}:2: line longer than 1048576 characters (is this a text trace?) (got '${'9'.repeat(40)}')\n`]);
  });

  it('so is a line that strace\'s own messages cut into pieces longer than 1 MiB together', async () => {
    // "exit(0strace: Process 12 attached" + ")   = ?": the importer joins the pieces of the cut line
    const piece = `${'b'.repeat(400_000)}strace: Process 12 attached\n`;
    const f = put(`${MAPS[0]}\n${piece}${piece}${piece}`);
    await expectRefused(f, `${f}:4: line longer than 1048576 characters (is this a text trace?) (got '${'b'.repeat(40)}')`);
  });

  it('a truncated gzip capture: corrupt gzip data, the byte where it ends and the line reached, as the other formats say it', async () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const whole = gzipSync(text);
    const cut = whole.subarray(0, 300);
    // the text the cut file still holds (zlib's own partial decompression): the line the file ends in
    const partial = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    const line = partial.split('\n').length;
    expect(line).toBeGreaterThan(1);
    expect(line).toBeLessThan(text.split('\n').length);
    const f = put(cut, 't.strace.gz');
    await expectRefused(f, `${f}:${line}: corrupt gzip data: the file ends inside its gzip data at byte 300 (truncated)`);
  });

  it('reads gzip, CR LF line ends and a byte-order mark to the rows of the plain file', async () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const plain = await importFile(FIXTURE);
    expect(plain.rows.filter((r) => r.op === 'msync')).toHaveLength(4);
    expect(plain.rows.find((r) => r.op === 'map')!.object).toBe('/var/db/café.db');
    for (const variant of [gzipSync(text), Buffer.from(text.replaceAll('\n', '\r\n')), Buffer.from(`\ufeff${text}`), gzipSync(`\ufeff${text.replaceAll('\n', '\r\n')}`)]) {
      expect(await importFile(put(variant))).toEqual(plain);
    }
  });

  it('a timestamp or a duration too large for a trace time is refused with its line, not an internal error', async () => {
    // a flipped digit made the second line 2e9 s after the first: 2e18 ns, more than a trace time holds exactly
    const f = put(`${MAPS[0]}\n1000  3700000000.000400 msync(0x7f0000000000, 8192, MS_SYNC) = 0 <0.000500>\n`);
    await expectRefused(f, `${f}:2: column timestamp: timestamp too far from the first line's (got '3700000000.000400')`);
    const g = put(`${MAPS[0]}\n1000  1700000000.000400 msync(0x7f0000000000, 8192, MS_SYNC) = 0 <99999999999.000500>\n`);
    await expectRefused(g, `${g}:2: column msync.duration: duration too long (got '<99999999999.000500>')`);
  });

  it('an empty input is refused as before', async () => {
    const f = put('');
    await expectRefused(f, `${f}:1: empty input: expected strace -f -ttt -T output (got '')`);
    const g = put(gzipSync(''));
    await expectRefused(g, `${g}:1: empty input: expected strace -f -ttt -T output (got '')`);
  });
});

describe('a file name whose strace escapes hold a NUL byte', () => {
  const HEAD = '1000  1700000000.000100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000200000 <0.000010>\n';
  const MMAP3 = '1000  1700000000.000300 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f0000000000 <0.000010>\n';
  const PROBLEM = 'NUL byte in the file name (a path ends at its first NUL; a trace object cannot hold one)';

  it('is refused at import (FILE:LINE: column CALL.ARG, exit 2, nothing written), whichever escape strace wrote', async () => {
    // before, `\0` was imported (exit 0) and `syncsim run` then refused the trace: column object: NUL byte
    for (const path of ['"/tmp/d\\0b"', '"/tmp/d\\x00b"', '"/tmp/d\\000b"', '"\\0"']) {
      const f = put(`${HEAD}1000  1700000000.000200 openat(AT_FDCWD, ${path}, O_RDWR|O_CREAT, 0644) = 3 <0.000020>\n${MMAP3}`);
      await expectRefused(f, `${f}:2: column openat.pathname: ${PROBLEM} (got '${path}')`, ['--assume-dirty', 'whole-range-before-msync']);
    }
  });

  it('in a -y path, of the fd a call takes or of the one it returns', async () => {
    const f = put(`${HEAD}1000  1700000000.000300 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, 3</tmp/d\\0b>, 0) = 0x7f0000000000 <0.000010>\n`);
    await expectRefused(f, `${f}:2: column mmap.fd: ${PROBLEM} (got '3</tmp/d\\0b>')`);
    const g = put(`${HEAD}1000  1700000000.000200 openat(AT_FDCWD, "b", O_RDWR) = 3</tmp/d\\0b> <0.000020>\n${MMAP3}`);
    await expectRefused(g, `${g}:2: column openat.result: ${PROBLEM} (got '3</tmp/d\\0b>')`);
  });

  it('other escaped bytes still name their objects: UTF-8 decoded, other bytes as strace printed them', async () => {
    const f = put(`${HEAD}1000  1700000000.000200 openat(AT_FDCWD, "/tmp/caf\\303\\251\\n", O_RDWR) = 3 <0.000020>\n${MMAP3}` +
      `1000  1700000000.000400 openat(AT_FDCWD, "/tmp/d\\377b", O_RDWR) = 4 <0.000020>\n` +
      '1000  1700000000.000500 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, 4, 0) = 0x7f0000100000 <0.000010>\n');
    const { rows } = await importFile(f);
    expect(rows.filter((r) => r.op === 'map').map((r) => r.object)).toEqual(['anon.1', '/tmp/café\n', '/tmp/d\\377b']);
  });
});
