/**
 * Which options each format of `syncsim import` takes (scripts/commands/import-formats.ts):
 * the table walked — every option a format does not take is refused with exit 2 and a
 * message naming the option and the format — and checked against the refusals written here
 * by hand, word for word. The refusals come before the option's value is read and before
 * the input is, so the input here is an empty file.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { FORMAT_OPTIONS } from '../scripts/commands/import-formats.ts';
import { IMPORTERS } from '../traces/import/index.ts';

/** A valid value of each option of the table: the refusal is the format's, not the value's. */
const VALID: Readonly<Record<string, string>> = {
  'sync-every-writes': '1',
  'sync-every-us': '100',
  'sync-flags': 'ASYNC',
  advice: 'random',
  'file-size': '16m',
  'assume-dirty': 'pages=2',
};

const INJECTS = "is for formats whose msyncs syncsim injects (fio-iolog, blkparse, msr): an strace trace's msyncs are the program's own";
const FILE_SIZE = '--file-size is for fio-iolog, whose log names files but not their sizes (got --from';
const ASSUME_DIRTY = '--assume-dirty is for strace, which cannot see stores to mapped memory (got --from';

/** Every refusal, by format and option: what `syncsim import` said before the table. */
const REFUSED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'fio-iolog': {
    'assume-dirty': `${ASSUME_DIRTY} fio-iolog, whose traces have their writes)`,
  },
  blkparse: {
    'file-size': `${FILE_SIZE} blkparse)`,
    'assume-dirty': `${ASSUME_DIRTY} blkparse, whose traces have their writes)`,
  },
  msr: {
    'file-size': `${FILE_SIZE} msr)`,
    'assume-dirty': `${ASSUME_DIRTY} msr, whose traces have their writes)`,
  },
  strace: {
    'sync-every-writes': `--sync-every-writes ${INJECTS}`,
    'sync-every-us': `--sync-every-us ${INJECTS}`,
    'sync-flags': `--sync-flags ${INJECTS}`,
    advice: "--advice is for formats whose mappings syncsim lays out (fio-iolog, blkparse, msr): an strace trace's mappings are the program's own",
    'file-size': `${FILE_SIZE} strace)`,
  },
};

/** An empty input file in a fresh directory (and the directory, to see that nothing was written). */
function emptyInput(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'syncsim-import-formats-'));
  writeFileSync(join(dir, 'in.txt'), '');
  return { dir, file: join(dir, 'in.txt') };
}

describe('syncsim import: the options each format takes', () => {
  it('the table refuses exactly the options written here by hand, for the four formats', () => {
    expect(IMPORTERS.map((i) => i.format).sort()).toEqual(['blkparse', 'fio-iolog', 'msr', 'strace']);
    const refused = IMPORTERS.map((i) => i.format).flatMap((f) => Object.keys(FORMAT_OPTIONS).filter((o) => !FORMAT_OPTIONS[o]!.formats.includes(f)).map((o) => `${f} --${o}`));
    expect(refused.sort()).toEqual([
      'blkparse --assume-dirty', 'blkparse --file-size',
      'fio-iolog --assume-dirty',
      'msr --assume-dirty', 'msr --file-size',
      'strace --advice', 'strace --file-size', 'strace --sync-every-us', 'strace --sync-every-writes', 'strace --sync-flags',
    ]);
  });

  it('walking the table: each option a format does not take is refused, exit 2, naming the option and the format, nothing written', async () => {
    const { dir, file } = emptyInput();
    const out = join(dir, 'out.csv');
    let walked = 0;
    for (const { format } of IMPORTERS) {
      for (const [option, rule] of Object.entries(FORMAT_OPTIONS)) {
        if (rule.formats.includes(format)) continue;
        expect(VALID[option], `a valid value of --${option}`).toBeDefined();
        const r = await syncsimHere(['import', '--from', format, file, '-o', out, `--${option}`, VALID[option]!]);
        expect([r.code, r.stdout], `--from ${format} --${option}`).toEqual([2, '']);
        expect(r.stderr).toMatch(new RegExp(`^syncsim: --${option} is for `));
        expect(r.stderr).toContain(format);
        expect(r.stderr).toBe(`syncsim: ${REFUSED[format]?.[option]}\n`);
        walked++;
      }
    }
    expect(walked).toBe(10);
    expect(readdirSync(dir)).toEqual(['in.txt']);
  });

  it('each option a format takes passes the table: what is refused next is not the format', async () => {
    const { dir, file } = emptyInput();
    for (const { format } of IMPORTERS) {
      for (const [option, rule] of Object.entries(FORMAT_OPTIONS)) {
        if (!rule.formats.includes(format)) continue;
        const r = await syncsimHere(['import', '--from', format, file, '-o', join(dir, `${format}-${option}.csv`), `--${option}`, VALID[option]!]);
        expect(r.stderr, `--from ${format} --${option}`).not.toMatch(/ is for /);
      }
    }
  });

  it("the format is refused before the option's value is read: no advice that leads to another refusal", async () => {
    const { file } = emptyInput();
    // before, msr with --assume-dirty measured asked for --calibration FILE, and with it refused --assume-dirty
    const m = await syncsimHere(['import', '--from', 'msr', file, '--assume-dirty', 'measured']);
    expect([m.code, m.stderr]).toEqual([2, 'syncsim: --assume-dirty is for strace, which cannot see stores to mapped memory (got --from msr, whose traces have their writes)\n']);
    // and strace with an --advice of no known value said the value was wrong, then refused --advice
    const s = await syncsimHere(['import', '--from', 'strace', file, '--advice', 'normal']);
    expect([s.code, s.stderr]).toEqual([2, "syncsim: --advice is for formats whose mappings syncsim lays out (fio-iolog, blkparse, msr): an strace trace's mappings are the program's own\n"]);
  });

  it('--calibration, read only by --assume-dirty measured, is refused with every other format, saying so', async () => {
    const { dir, file } = emptyInput();
    const cal = join(dir, 'cal.yaml');
    writeFileSync(cal, 'device:\n  profile: queue\n  per_page_us: 100\n  service: {dist: constant, mean_us: 100}\n');
    for (const format of ['fio-iolog', 'blkparse', 'msr']) {
      const r = await syncsimHere(['import', '--from', format, file, '--calibration', cal]);
      expect([r.code, r.stderr], format).toEqual([2, 'syncsim: --calibration is read only by --assume-dirty measured, of strace (got no --assume-dirty)\n']);
    }
    // refused before the file is read: a missing file, or one that is no configuration, is not what the user is told of (user trial 195)
    writeFileSync(join(dir, 'notes.txt'), 'just some notes\n');
    for (const given of [join(dir, 'missing.yaml'), join(dir, 'notes.txt')]) {
      const r = await syncsimHere(['import', '--from', 'msr', file, '--calibration', given]);
      expect([r.code, r.stderr], given).toEqual([2, 'syncsim: --calibration is read only by --assume-dirty measured, of strace (got no --assume-dirty)\n']);
    }
  });

  it('--seed, taken by every format, is said to change nothing where the import draws nothing (exit 0, the same trace); pages=N and measured draw, and get no note', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncsim-import-seed-'));
    const inputs: Readonly<Record<string, string>> = {
      msr: '128166372003061629,usr,0,Write,0,4096,100\n128166372003071629,usr,0,Write,4096,4096,100\n',
      blkparse: '  8,0    1        1     0.000000000  1234  Q  WS 2048 + 8 [prog]\n  8,0    1        2     0.000100000  1234  Q  FWS 4096 + 8 [prog]\n',
      'fio-iolog': 'fio version 2 iolog\n/tmp/f add\n/tmp/f open\n/tmp/f write 0 4096\n/tmp/f sync 0 0\n/tmp/f close\n',
      strace: [
        '100 1700000000.000000 openat(AT_FDCWD, "/tmp/d", O_RDWR) = 3 <0.000010>',
        '100 1700000000.000100 mmap(NULL, 16384, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = 0x7f0000000000 <0.000010>',
        '100 1700000000.000200 msync(0x7f0000000000, 16384, MS_SYNC) = 0 <0.000100>',
        '',
      ].join('\n'),
    };
    const cases: [string, string[], string][] = [
      ['msr', [], '--from msr'],
      ['blkparse', [], '--from blkparse'],
      ['fio-iolog', [], '--from fio-iolog'],
      ['strace', [], '--assume-dirty none'],
      ['strace', ['--assume-dirty', 'whole-range-before-msync'], '--assume-dirty whole-range-before-msync'],
      ['strace', ['--assume-dirty', 'mapped-before-msync'], '--assume-dirty mapped-before-msync'],
    ];
    for (const [format, extra, what] of cases) {
      const file = join(dir, `in.${format}`);
      writeFileSync(file, inputs[format]!);
      const plain = await syncsimHere(['import', '--from', format, file, ...extra, '-o', join(dir, 'plain.csv')]);
      const seeded = await syncsimHere(['import', '--from', format, file, ...extra, '--seed', '7', '-o', join(dir, 'seeded.csv')]);
      expect([plain.code, seeded.code], what).toEqual([0, 0]);
      expect(plain.stderr).not.toContain('note:');
      expect(seeded.stderr.split('\n')[0], what).toBe(`syncsim import: note: --seed 7 changes nothing: only strace's --assume-dirty pages=N and measured draw at random, and ${what} draws nothing (its trace is the same for every seed)`);
      expect(readFileSync(join(dir, 'seeded.csv'), 'utf8'), what).toBe(readFileSync(join(dir, 'plain.csv'), 'utf8'));
    }
    // pages=1 draws one of the 4 pages: the seed is used, no note
    const drawn = await syncsimHere(['import', '--from', 'strace', join(dir, 'in.strace'), '--assume-dirty', 'pages=1', '--seed', '7', '-o', join(dir, 'drawn.csv')]);
    expect(drawn.code).toBe(0);
    expect(drawn.stderr).not.toContain('note:');
  });
});
