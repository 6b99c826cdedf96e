/**
 * A binary file given as a trace (traces/binary-sniff.ts): named as what it seems to be — an
 * archive compressed in a format syncsim does not read, an executable, an image — instead of by
 * its first invalid byte; a text trace with one stray bad byte keeps the message naming its line.
 * A fio job file (validate --fio-job) and a configuration file are told the same way.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { binaryKind, SNIFF_BYTES } from '../traces/binary-sniff.ts';
import { readTrace } from '../traces/reader.ts';
import { formatHeader } from '../traces/writer.ts';
import { syncsimHere } from './cli-here.ts';
import { parseJobFile } from '../scripts/validate/jobfile.ts';
import { readConfigFile } from '../scripts/config-file.ts';

const bytes = (s: string, pad = 0) => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(pad, 0x41)]);

describe('what a file that is not text seems to be', () => {
  it('names compressed formats syncsim does not read, with how to decompress, and other common binaries', () => {
    expect(binaryKind(bytes('\xfd7zXZ\x00\x00\x04'))).toMatch(/^xz-compressed data .* xz -d\)$/);
    expect(binaryKind(bytes('\x28\xb5\x2f\xfd\x24'))).toMatch(/^zstd-compressed data .* zstd -d\)$/);
    expect(binaryKind(bytes('BZh91AY&SY'))).toMatch(/^bzip2-compressed data/);
    expect(binaryKind(bytes('\x04\x22\x4d\x18'))).toMatch(/^lz4-compressed data/);
    expect(binaryKind(bytes('PK\x03\x04'))).toBe('a zip archive (unzip it and give the trace inside)');
    expect(binaryKind(bytes('\x7fELF\x02\x01'))).toBe('an ELF executable or library');
    expect(binaryKind(bytes('%PDF-1.7\n'))).toBe('a PDF document');
    expect(binaryKind(bytes('\x89PNG\r\n\x1a\n'))).toBe('a PNG image');
    expect(binaryKind(bytes('\xff\xd8\xff\xe0'))).toBe('a JPEG image');
    expect(binaryKind(bytes('SQLite format 3\x00'))).toBe('an SQLite database');
  });

  it('calls a file of many NUL bytes binary data, and leaves text alone: a trace, one stray NUL, a line that only begins like a magic', () => {
    const nuls = Buffer.alloc(1000, 0x41);
    for (let i = 0; i < 1000; i += 50) nuls[i] = 0;
    expect(binaryKind(nuls)).toBe('binary data (20 NUL bytes in its first 1000; a trace is text)');
    expect(binaryKind(Buffer.from(formatHeader([]) + '0,t,map,0x10000000,4096,,f,0\n'))).toBeUndefined();
    const stray = Buffer.from(formatHeader([]) + '0,t,map,0x10000000,4096,,f,0\n'.repeat(100));
    stray[200] = 0;
    expect(binaryKind(stray)).toBeUndefined();
    expect(binaryKind(bytes('BZh is not bzip2 without its block size digit'))).toBeUndefined();
    expect(binaryKind(Buffer.alloc(0))).toBeUndefined();
    // the reader looks at its first 64 bytes, in the read that also tells gzip
    expect(SNIFF_BYTES).toBe(64);
    expect(binaryKind(Buffer.from('t_us,\0task,\0'))).toBe('binary data (2 NUL bytes in its first 12; a trace is text)');
  });
});

describe('reading such a file as a trace', () => {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-binary-'));
  const read = async (path: string) => {
    try {
      for await (const _ of readTrace(path)) { /* read it all */ }
      return 'read';
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('refuses it at line 1 with what it seems to be; a damaged text trace still gets its line and field', async () => {
    writeFileSync(join(d, 't.csv.xz'), bytes('\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4F\x02\x00!'));
    expect(await read(join(d, 't.csv.xz'))).toBe(`${join(d, 't.csv.xz')}:1: not a trace: the file holds xz-compressed data (syncsim reads plain or gzip-compressed traces: decompress it first, e.g. xz -d)`);
    writeFileSync(join(d, 'bad.csv'), Buffer.concat([Buffer.from(formatHeader([]) + '0,t,map,0x10000000,4096,,f,0\n1,t,write,0x10000000,8,,'), Buffer.from([0xff]), Buffer.from(',\n')]));
    expect(await read(join(d, 'bad.csv'))).toMatch(/bad\.csv:4: .*invalid UTF-8/);
    // gzip stays readable: its magic is not refused
    writeFileSync(join(d, 'ok.csv.gz'), gzipSync(formatHeader([]) + '0,t,map,0x10000000,4096,,f,0\n'));
    expect(await read(join(d, 'ok.csv.gz'))).toBe('read');
  });

  it('syncsim run exits 2 with the message and writes no results', async () => {
    writeFileSync(join(d, 'prog.csv'), bytes('\x7fELF\x02\x01\x01\x00', 200));
    const r = await syncsimHere(['run', 'prog.csv', '--out', 'r'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('syncsim: prog.csv:1: not a trace: the file holds an ELF executable or library\n');
    expect(existsSync(join(d, 'r'))).toBe(false);
  });
});

describe('a binary file given as a fio job or a configuration', () => {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-binary-input-'));
  const PNG = bytes('\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR', 40);

  it('is named for what it is given as: gzip is named (only a trace may be gzip-compressed), the zip and NUL messages name the input', () => {
    expect(binaryKind(PNG, 'fio job file')).toBe('a PNG image');
    expect(binaryKind(bytes('\xfd7zXZ\x00\x00\x04'), 'fio job file')).toBe('xz-compressed data (decompress it first, e.g. xz -d)');
    expect(binaryKind(gzipSync('[j]\n'), 'configuration file')).toBe('gzip-compressed data (decompress it first, e.g. gzip -d)');
    expect(binaryKind(bytes('PK\x03\x04'), 'configuration file')).toBe('a zip archive (unzip it and give the configuration file inside)');
    expect(binaryKind(Buffer.from('[j]\0\0\nx'), 'fio job file')).toBe('binary data (2 NUL bytes in its first 7; a fio job file is text)');
    expect(binaryKind(Buffer.from('[j]\nioengine=mmap\n'), 'fio job file')).toBeUndefined();
  });

  it('parseJobFile and readConfigFile refuse it at line 1 with what it seems to be', () => {
    expect(() => parseJobFile(PNG, 'img.fio')).toThrow(/^img\.fio:1: not a fio job file: the file holds a PNG image$/);
    expect(parseJobFile(Buffer.from('[j]\nioengine=mmap\n'), 'job.fio').sections[0]!.options).toEqual([{ key: 'ioengine', value: 'mmap', line: 2 }]);
    writeFileSync(join(d, 'img.yaml'), PNG);
    expect(() => readConfigFile(join(d, 'img.yaml'))).toThrow(`config: ${join(d, 'img.yaml')}:1: not a configuration file: the file holds a PNG image`);
  });

  it('validate --fio-job and run --config exit 2 with the message, writing nothing', async () => {
    writeFileSync(join(d, 'img.png'), PNG);
    writeFileSync(join(d, 'hand.yaml'), 'device:\n  profile: queue\n');
    const v = await syncsimHere(['validate', '--fio-job', 'img.png', '--calibration', 'hand.yaml', '--out', 'v'], d);
    expect(v.code).toBe(2);
    expect(v.stderr).toBe('syncsim: img.png:1: not a fio job file: the file holds a PNG image\n');
    writeFileSync(join(d, 'demo.csv'), formatHeader([]) + '0,t,map,0x10000000,4096,,f,0\n');
    const r = await syncsimHere(['run', 'demo.csv', '--config', 'img.png', '--out', 'r'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('syncsim: config: img.png:1: not a configuration file: the file holds a PNG image\n');
    expect(existsSync(join(d, 'v')) || existsSync(join(d, 'r'))).toBe(false);
  });
});
