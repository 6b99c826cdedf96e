/**
 * A negative number given to a numeric option (`--seed -1`): the option's own message, naming
 * it, its rule and the value, exactly as for `--seed=-1`; not node's parseArgs text about an
 * ambiguous argument. Every command's numeric options, through the CLI's main in this process.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';

/** A directory with a small trace, an experiment of it and an empty log to import. */
function inputs(): string {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-negative-'));
  writeFileSync(join(d, 't.csv'), 't_us,op,addr,len,object,offset\n0,map,0x1000,4096,f,0\n');
  writeFileSync(join(d, 'e.yaml'), 'name: e\ntrace: t.csv\ngrid:\n  personality: [linux]\n');
  writeFileSync(join(d, 'x.log'), '');
  return d;
}

/** [command and its other arguments, the option, the message after `syncsim: `] */
const CASES: [string[], string, string][] = [
  [['run', 't.csv'], '--seed', "--seed expects an integer from 0 to 4294967295 (got '-1')"],
  [['gen', 'seq-writer', '-o', 'g.csv'], '--seed', "--seed expects an integer from 0 to 9007199254740991 (2^53 - 1; got '-1')"],
  [['import', '--from', 'strace', 'x.log', '-o', 'i.csv'], '--page-size', "--page-size expects a power of two from 512 to 1073741824 bytes, as page_size (got '-1')"],
  [['import', '--from', 'strace', 'x.log', '-o', 'i.csv'], '--seed', "--seed expects an integer from 0 to 4294967295 (got '-1')"],
  [['import', '--from', 'fio-iolog', 'x.log', '-o', 'i.csv'], '--sync-every-writes', "--sync-every-writes expects a positive integer (got '-1')"],
  [['import', '--from', 'fio-iolog', 'x.log', '-o', 'i.csv'], '--sync-every-us', "--sync-every-us expects a positive number of microseconds, from 0.001 to 9,007,199,254,740 (got '-1')"],
  [['import', '--from', 'fio-iolog', 'x.log', '-o', 'i.csv'], '--file-size', "--file-size expects a size from 1 byte to 1t, as fio writes it (4096, 16m, 1g; got '-1')"],
  [['inspect', 't.csv'], '--top', "--top expects a positive integer (got '-1')"],
  [['inspect', 't.csv'], '--buckets', "--buckets expects an even integer from 2 to 1,000,000 (got '-1')"],
  [['sweep', 'e.yaml'], '--jobs', "--jobs expects a positive integer (got '-1')"],
  [['sweep', 'e.yaml'], '-j', "--jobs expects a positive integer (got '-1')"],
  [['sweep', 'e.yaml'], '--max-runs', "--max-runs expects a positive integer (got '-1')"],
  [['sweep', 'e.yaml'], '--run-timeout', "--run-timeout expects a number of seconds > 0 and <= 1000000 (got '-1')"],
  [['sweep', 'e.yaml'], '--shard', "--shard expects I/N with 1 <= I <= N (got '-1')"],
  [['report', 'nodir'], '--width', "--width expects single, double or a number of px from 150 to 4000 (got '-1')"],
  [['calibrate', '-o', 'c.yaml'], '--max-depth', "--max-depth expects a power of two from 1 to 1024 (got '-1')"],
  [['calibrate', '-o', 'c.yaml'], '--settle', "--settle expects seconds from 0 to 3600 (got '-1')"],
  [['validate', '--trace', 't.csv'], '--sim-seeds', "--sim-seeds expects a whole number from 1 to 64 (got '-1')"],
  [['validate', '--trace', 't.csv'], '--warmup', "--warmup expects a non-negative integer (got '-1')"],
  [['validate', '--trace', 't.csv'], '--repeat', "--repeat expects a whole number from 1 to 20 (got '-1')"],
  [['record', '-o', 'r.csv'], '--page-size', "--page-size expects a power of two from 512 to 1 GiB (got '-1')"],
  [['compare', 'a', 'b'], '--reps', "--reps expects a whole number from 10 to 1000000 (got '-1')"],
  // every seed flag through one parser, with one message (test/seed-option.test.ts)
  [['compare', 'a', 'b'], '--seed', "--seed expects an integer from 0 to 4294967295 (got '-1')"],
  [['validate', '--trace', 't.csv'], '--seed', "--seed expects an integer from 0 to 4294967295 (got '-1')"],
];

describe('a negative number after a numeric option', () => {
  it.each(CASES)('%j %s -1: the option\'s own message, as for OPTION=-1; exit 2, nothing written', async (args, option, message) => {
    const d = inputs();
    const before = readdirSync(d).sort();
    // record's program goes after '--': the option before it
    const tail = args[0] === 'record' ? ['--', 'true'] : [];
    const joined = option.startsWith('--') ? [`${option}=-1`] : [`${option}-1`];
    for (const given of [[option, '-1'], joined]) {
      const r = await syncsimHere([...args, ...given, ...tail], d);
      expect(r).toEqual({ code: 2, stdout: '', stderr: `syncsim: ${message}\n` });
    }
    expect(readdirSync(d).sort()).toEqual(before);
  });

  it('other negative forms (-0.5, -.5, -1e3) reach the option\'s check too', async () => {
    const d = inputs();
    for (const v of ['-0.5', '-.5', '-1e3']) {
      const r = await syncsimHere(['sweep', 'e.yaml', '--run-timeout', v], d);
      expect(r.stderr).toBe(`syncsim: --run-timeout expects a number of seconds > 0 and <= 1000000 (got '${v}')\n`);
    }
  });

  it("'--' right after an option that takes a value: the option has none, '--' ends the options (not 'write --seed=--')", async () => {
    const d = inputs();
    for (const [args, option] of [[['run', 't.csv'], '--seed'], [['sweep', 'e.yaml'], '-j']] as const) {
      const r = await syncsimHere([...args, option, '--', '5'], d);
      expect(r).toEqual({ code: 2, stdout: '', stderr: `syncsim: ${option} needs a value, but the next argument is '--', which ends the options (try 'syncsim ${args[0]} --help')\n` });
    }
  });

  it("after '--' a negative number is a positional, as before", async () => {
    const r = await syncsimHere(['run', 't.csv', '--', '--seed', '-1'], inputs());
    expect(r).toEqual({ code: 2, stdout: '', stderr: "syncsim: run expects one TRACE argument (got 3; try 'syncsim run --help')\n" });
  });
});
