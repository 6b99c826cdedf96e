/**
 * Seeded fuzzing of the importers (msr, blkparse, strace): their fixtures and inputs
 * like the ones a new-user trial tried (an MSR header; blkparse passthrough requests, FUA
 * writes, process names with blanks), mutated as test/fuzz.test.ts mutates traces (the
 * mutator and the judging are test/fuzz-kit.ts). Every case must end in success, with a valid
 * trace written, or in a clean input error (exit 2) whose message starts with `FILE:LINE: `.
 *
 * And every cut of each seed, at every byte (a file cut short by a full disk or a copy
 * stopped half-way): the import fails at the line cut (or, with no event left, as an empty
 * input at line 1), or gives exactly the rows of that line whole — a cut line never makes
 * other numbers (MSR's ResponseTime, the last field, is only kept in `x_response_us`, which
 * a cut may shorten). SYNCSIM_FUZZ_SEED and SYNCSIM_FUZZ_CASES (a third of it here) as there.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { importCommand } from '../scripts/commands/import.ts';
import { blkparseImporter } from '../traces/import/blkparse.ts';
import { msrImporter } from '../traces/import/msr.ts';
import type { Importer } from '../traces/import/importer.ts';
import { TraceError } from '../traces/trace-error.ts';
import { check, cpuSeconds, Mutator, outcome, readAll, report, rng, SEED, STRACE_TOKENS, TOKENS, TRACE_CASES } from './fuzz-kit.ts';
import { importRows } from './import-rows.ts';

const ROOT = resolve(import.meta.dirname, '..');
const IMPORT_CASES = Math.ceil(TRACE_CASES / 3);

const dir = mkdtempSync(join(tmpdir(), 'syncsim-import-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MSR = readFileSync(join(ROOT, 'test', 'fixtures', 'msr', 'two-volumes.csv'));
const BLKPARSE = readFileSync(join(ROOT, 'test', 'fixtures', 'blkparse', 'two-disks.txt'));
/** blkparse lines of the kinds the fixture lacks: passthrough requests (with and without a CDB), FUA writes, a process name with blanks, a summary. */
const BLKPARSE_MORE = Buffer.from([
  '  8,0    3        1     0.000000000  1234  Q   W 2048 + 8 [dd with space]',
  '  8,0    3        2     0.000050000   777  Q   R 36 (12 00 00 00 24 00) [sg_inq]',
  '  8,0    3        3     0.000060000   777  Q   N 0 [sg_turs]',
  '  8,0    3        4     0.000100000  1234  Q  WS 4096 + 16 [dd]',
  '  8,0    3        5     0.000200000  1234  Q FWFS 8192 + 8 [jbd2/sda1-8]',
  '  8,0    3        6     0.000300000  1234  Q   R 2048 + 8 [cat]',
  '  8,0    3        7     0.000400000  1234  Q   D 0 + 2048 [fstrim]',
  '  8,16   1        1     0.000500000  1235  Q  WFS 0 + 8 [dd]',
  '  8,0    3        8     0.000600000  1234  C   W 2048 + 8 [0]',
  '',
  'CPU3 (8,0):',
  ' Reads Queued:           1,        4KiB\t Writes Queued:           3,       16KiB',
  '',
].join('\n'));

/** Options of one import of a block trace: now and then an injected msync every few writes. */
const blockOptions = (m: Mutator) => (m.r() < 0.5 ? ['--sync-every-writes', String(1 + m.int(3))] : []);

/** The block importers' seeds: mutated, and cut at every byte. */
const SEEDS: { name: string; from: string; imp: Importer; bytes: Buffer }[] = [
  { name: 'msr', from: 'msr', imp: msrImporter, bytes: MSR },
  { name: 'msr with a header', from: 'msr', imp: msrImporter, bytes: Buffer.concat([Buffer.from('Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime\n'), MSR]) },
  { name: 'blkparse', from: 'blkparse', imp: blkparseImporter, bytes: BLKPARSE },
  { name: 'blkparse more', from: 'blkparse', imp: blkparseImporter, bytes: BLKPARSE_MORE },
];

/** Every seed mutated, each with the tokens its mutations use and the options of one import of it (the strace capture too: unfinished/resumed halves, results, -y paths, escaped NUL and bytes that are not UTF-8). */
const MUTATED: { name: string; from: string; bytes: Buffer; tokens: readonly Buffer[]; options: (m: Mutator) => string[] }[] = [
  ...SEEDS.map((s) => ({ ...s, tokens: TOKENS, options: blockOptions })),
  {
    name: 'strace', from: 'strace', bytes: readFileSync(join(ROOT, 'test', 'fixtures', 'strace', 'two-processes.strace')), tokens: STRACE_TOKENS,
    options: (m: Mutator) => ['--assume-dirty', m.pick(['none', 'whole-range-before-msync', 'mapped-before-msync', 'pages=2'])],
  },
];

/** Whether `bytes` (gunzipped when gzip) are UTF-8 without a NUL byte; `unknown` when broken gzip. */
function textOf(bytes: Buffer): 'clean' | 'unclean' | 'unknown' {
  let text = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      text = gunzipSync(bytes);
    } catch {
      return 'unknown';
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(text).includes('\0') ? 'unclean' : 'clean';
  } catch {
    return 'unclean';
  }
}

/** Rows to compare: as imported, without MSR's response time (a cut may shorten it). */
const comparable = (rows: { extra?: Record<string, string> }[]) => JSON.stringify(rows.map(({ extra: _, ...r }) => r));

describe(`importer fuzz (seed ${SEED})`, () => {
  it(`${IMPORT_CASES} mutated importer inputs: success (and a valid trace) or FILE:LINE errors`, async () => {
    const cpu0 = process.cpuUsage();
    const m = new Mutator(rng(SEED + 1));
    const failures: string[] = [];
    let passing = 0;
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (let i = 0; i < IMPORT_CASES; i++) {
        const seed = m.pick(MUTATED);
        m.tokens = seed.tokens;
        const [bytes, how] = m.mutate(seed.bytes, false);
        const file = join(dir, `in${i}.txt`);
        const out = join(dir, `in${i}.csv`);
        writeFileSync(file, bytes);
        const args = ['--from', seed.from, file, '-o', out, ...seed.options(m)];
        const imp = await outcome(() => importCommand.run(args));
        const problems = check('import', file, imp);
        // what an importer writes is a valid trace: read back whole, not refused
        if (imp.code === 0) {
          const back = await outcome(() => readAll(out));
          if (back.code !== 0) problems.push(`the import wrote a trace that is refused (exit ${back.code}): ${back.message}`);
        }
        // an input whose text is not UTF-8 or holds a NUL byte is refused, never imported with names merged or altered
        if (imp.code === 0 && textOf(bytes) === 'unclean') problems.push('imported an input whose text is not UTF-8 or holds a NUL byte');
        if (problems.length === 0) passing++;
        else failures.push(`case ${i} (${seed.name}: ${how}), input ${JSON.stringify(bytes.subarray(0, 600).toString('latin1'))}:\n  ${problems.join('\n  ')}`);
        rmSync(file, { force: true });
        rmSync(out, { force: true });
      }
    } finally {
      quiet.mockRestore();
    }
    console.log(`fuzz seed ${SEED}: importer inputs ${passing}/${IMPORT_CASES} passing (${cpuSeconds(cpu0)} s of CPU)`);
    report(failures, IMPORT_CASES);
    expect(failures).toEqual([]);
  }, 120_000);

  it.each(SEEDS.map((s) => [s.name, s] as const))('%s cut at every byte: an error at the line cut, or the rows of that line whole', async (_name, seed) => {
    const { bytes, imp } = seed;
    const file = join(dir, 'cut.txt');
    /** Rows (comparable) or the error of the whole lines up to the one ending at `end` (exclusive of its line break), by `end`. */
    const whole = new Map<number, string>();
    const failures: string[] = [];
    for (let k = 0; k <= bytes.length; k++) {
      const opts = k % 2 === 0 ? {} : { syncEveryWrites: 1 };
      const line = bytes.subarray(0, k).filter((b) => b === 10).length + 1;
      // the end of the line cut; a cut that leaves only blanks of a line (a blank line, skipped) cuts none of it
      const nl = bytes.indexOf(10, k);
      const start = bytes.lastIndexOf(10, k - 1) + 1;
      const end = bytes.subarray(start, k).toString('latin1').trim() === '' ? k : nl === -1 ? bytes.length : nl;
      const key = end * 2 + (k % 2);
      if (!whole.has(key)) {
        writeFileSync(file, bytes.subarray(0, end));
        whole.set(key, await importRows(imp, file, opts).then(({ rows }) => comparable(rows), (e: TraceError) => `error ${e.line}`));
      }
      writeFileSync(file, bytes.subarray(0, k));
      const got = await importRows(imp, file, opts).then(({ rows }) => comparable(rows), (e: unknown) => e);
      const where = `cut at byte ${k} (line ${line}: ${JSON.stringify(bytes.subarray(start, k).toString('latin1'))})`;
      if (typeof got === 'string') {
        if (got !== whole.get(key)) failures.push(`${where}: other rows than the line whole`);
      } else if (!(got instanceof TraceError)) failures.push(`${where}: not a TraceError: ${String(got)}`);
      // empty input: at line 1, or (msr, since 2026-12-08) at the line after a header that is all there is
      else if (got.line !== line && !((got.line === 1 || got.line === line + 1) && got.problem.startsWith('empty input'))) failures.push(`${where}: error at line ${got.line}: ${got.message}`);
    }
    rmSync(file, { force: true });
    report(failures, bytes.length + 1);
    expect(failures).toEqual([]);
  }, 120_000);
});
