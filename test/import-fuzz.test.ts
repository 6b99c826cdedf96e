/**
 * Seeded fuzzing of the block-trace importers (msr, blkparse): their fixtures, mutated as
 * test/fuzz.test.ts mutates traces (the mutator and the judging are test/fuzz-kit.ts). Every
 * case must end in success, with a valid trace written, or in a clean input error (exit 2)
 * whose message starts with `FILE:LINE: `. SYNCSIM_FUZZ_SEED and SYNCSIM_FUZZ_CASES (a third
 * of it here) as there.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importCommand } from '../scripts/commands/import.ts';
import { check, cpuSeconds, Mutator, outcome, readAll, report, rng, SEED, TRACE_CASES } from './fuzz-kit.ts';

const ROOT = resolve(import.meta.dirname, '..');
const IMPORT_CASES = Math.ceil(TRACE_CASES / 3);

const dir = mkdtempSync(join(tmpdir(), 'syncsim-import-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SEEDS = [
  { name: 'msr', from: 'msr', bytes: readFileSync(join(ROOT, 'test', 'fixtures', 'msr', 'two-volumes.csv')) },
  { name: 'blkparse', from: 'blkparse', bytes: readFileSync(join(ROOT, 'test', 'fixtures', 'blkparse', 'two-disks.txt')) },
];

describe(`importer fuzz (seed ${SEED})`, () => {
  it(`${IMPORT_CASES} mutated importer inputs: success (and a valid trace) or FILE:LINE errors`, async () => {
    const cpu0 = process.cpuUsage();
    const m = new Mutator(rng(SEED + 1));
    const failures: string[] = [];
    let passing = 0;
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (let i = 0; i < IMPORT_CASES; i++) {
        const seed = m.pick(SEEDS);
        const [bytes, how] = m.mutate(seed.bytes, false);
        const file = join(dir, `in${i}.txt`);
        const out = join(dir, `in${i}.csv`);
        writeFileSync(file, bytes);
        const args = ['--from', seed.from, file, '-o', out, ...(m.r() < 0.5 ? ['--sync-every-writes', '3'] : [])];
        const imp = await outcome(() => importCommand.run(args));
        const problems = check('import', file, imp);
        // what an importer writes is a valid trace
        if (imp.code === 0) problems.push(...check('read of the import', out, await outcome(() => readAll(out))));
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

});
