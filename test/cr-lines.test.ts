/**
 * A trace or importer input whose lines end with a CR alone (classic Mac OS) is refused saying so,
 * and an importer's input that is not text is named as what it seems to be, as `run` names a
 * trace's: a new user got `mac2.csv:0: column offset\r0: unknown column`, `mac.csv:5: no header
 * line (empty trace)` for a file of five lines, and `m.csv.xz:1: invalid UTF-8 (got '\xfd7zXZ...')`.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { crOnlyLines } from '../traces/cr-lines.ts';
import { syncsimHere } from './cli-here.ts';
import { DEMO } from './out-fixtures.ts';

const CR_WHY = "its lines end with a carriage return alone (classic Mac OS line endings), which syncsim does not take for line breaks (LF or CR LF): convert them first, e.g. tr '\\r' '\\n' < OLD > NEW";
const b = (s: string) => Buffer.from(s, 'latin1');

describe('lines that end with a CR alone', () => {
  it('crOnlyLines: at least one CR and no LF in the bytes looked at', () => {
    expect(crOnlyLines(b('t_us,task\r1,a\r'))).toBe(true);
    expect(crOnlyLines(b('t_us,task\r\n1,a\r\n'))).toBe(false);
    expect(crOnlyLines(b('t_us,task\n1,a\r'))).toBe(false);
    expect(crOnlyLines(b('no break at all'))).toBe(false);
    expect(crOnlyLines(b(''))).toBe(false);
  });

  it('run and inspect refuse such a trace at line 1, saying why, with or without its comment lines (exit 2)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-cr-'));
    const lines = readFileSync(DEMO, 'utf8').split('\n');
    writeFileSync(join(d, 'mac.csv'), lines.slice(0, 5).join('\r'));
    writeFileSync(join(d, 'mac2.csv'), lines.filter((l) => !l.startsWith('#')).slice(0, 5).join('\r'));
    for (const f of ['mac.csv', 'mac2.csv']) {
      for (const cmd of [['run', f, '--out', 'r'], ['inspect', f]]) {
        const r = await syncsimHere(cmd, d);
        expect(r.code).toBe(2);
        expect(r.stderr).toBe(`syncsim: ${f}:1: ${CR_WHY}\n`);
      }
    }
    // the same rows with LF line breaks run
    writeFileSync(join(d, 'unix.csv'), lines.filter((l) => !l.startsWith('#')).slice(0, 5).join('\n') + '\n');
    expect((await syncsimHere(['run', 'unix.csv', '--out', 'r', '-q'], d)).code).toBe(0);
  });

  it('import: a CR-only input, an xz file and an executable are refused as what they are (exit 2)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-cr-'));
    writeFileSync(join(d, 'm.csv'), '128166372003061629,hm,1,Write,3154152448,4096,1331\r128166372016382155,hm,1,Write,3154152448,4096,1331\r');
    const cr = await syncsimHere(['import', '--from', 'msr', 'm.csv', '-o', 'o.csv'], d);
    expect(cr.code).toBe(2);
    expect(cr.stderr).toBe(`syncsim: m.csv:1: ${CR_WHY}\n`);
    writeFileSync(join(d, 'm.csv.xz'), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46]));
    const xz = await syncsimHere(['import', '--from', 'msr', 'm.csv.xz', '-o', 'o.csv'], d);
    expect(xz.code).toBe(2);
    expect(xz.stderr).toBe('syncsim: m.csv.xz:1: not a text input: the file holds xz-compressed data (syncsim reads plain or gzip-compressed traces: decompress it first, e.g. xz -d)\n');
    const elf = await syncsimHere(['import', '--from', 'blkparse', process.execPath, '-o', 'o.csv'], d);
    expect(elf.code).toBe(2);
    expect(elf.stderr).toBe(`syncsim: ${process.execPath}:1: not a text input: the file holds an ELF executable or library\n`);
    // CR LF lines import as before
    writeFileSync(join(d, 'w.csv'), '128166372003061629,hm,1,Write,3154152448,4096,1331\r\n');
    expect((await syncsimHere(['import', '--from', 'msr', 'w.csv', '-o', 'o.csv', '-q'], d)).code).toBe(0);
    expect(readFileSync(join(d, 'o.csv'), 'utf8')).toContain('\n0,hm_1,write,0x1000bc008c00,4096,,,,133.1\n');
  });

  it('a gzip-compressed one too: run, inspect, convert and import refuse it at line 1 saying why (user trial h202: no header line (empty trace) at line 5)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-cr-'));
    const lines = readFileSync(DEMO, 'utf8').split('\n');
    writeFileSync(join(d, 'mac.csv.gz'), gzipSync(lines.slice(0, 5).join('\r')));
    for (const cmd of [['run', 'mac.csv.gz', '--out', 'r'], ['inspect', 'mac.csv.gz'], ['convert', 'mac.csv.gz', '-o', 'mac.sst']]) {
      const r = await syncsimHere(cmd, d);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`syncsim: mac.csv.gz:1: ${CR_WHY}\n`);
    }
    writeFileSync(join(d, 'm.csv.gz'), gzipSync('128166372003061629,hm,1,Write,3154152448,4096,1331\r128166372016382155,hm,1,Write,3154152448,4096,1331\r'));
    const imp = await syncsimHere(['import', '--from', 'msr', 'm.csv.gz', '-o', 'o.csv'], d);
    expect(imp.code).toBe(2);
    expect(imp.stderr).toBe(`syncsim: m.csv.gz:1: ${CR_WHY}\n`);
    // CR LF lines, gzip-compressed, read as before
    writeFileSync(join(d, 'dos.csv.gz'), gzipSync(lines.filter((l) => !l.startsWith('#')).slice(0, 5).join('\r\n') + '\r\n'));
    const dos = await syncsimHere(['inspect', 'dos.csv.gz', '-q', '--json'], d);
    expect(dos.code).toBe(0);
    expect(JSON.parse(dos.stdout).rows).toBe(4);
  });
});
