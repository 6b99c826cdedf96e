/**
 * The simulated side of a validation over several seeds (scripts/validate/sim-seeds.ts):
 * the seeds replayed, the `--sim-seeds` argument, a replay without files giving
 * back what syncs.csv gives, and `validate --trace` pooling its seeds' msyncs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SIM_SEEDS, MAX_SIM_SEEDS, replaySyncs, seedsText, simSeeds, simSeedsArg, simulatedLabel } from '../scripts/validate/sim-seeds.ts';
import { simulatedSyncs } from '../scripts/validate/sim-side.ts';
import { runTrace } from '../scripts/run.ts';
import { loadConfig } from '../scripts/config-file.ts';
import { InputError } from '../scripts/errors.ts';
import { syncsimHere } from './cli-here.ts';

let dir: string;
let trace: string;
/** msyncs a task of the trace makes. */
const SYNCS = 12;

/**
 * Two tasks, each storing to scattered pages of its own file and syncing them, every msync with a
 * measured latency: enough random draws (service times, the host's factor) that seeds differ.
 */
function writeTrace(path: string): void {
  const lines = ['# syncsim-trace v1', 't_us,task,op,addr,len,flags,object,offset,x_measured_us'];
  const tasks = [['a', '0x10000000', 'fa'], ['b', '0x20000000', 'fb']] as const;
  for (const [task, base, obj] of tasks) lines.push(`0,${task},map,${base},4194304,,${obj},0,`);
  let t = 0;
  for (let s = 0; s < SYNCS; s++) {
    for (const [task, base] of tasks) {
      for (let p = 0; p < 4; p++) lines.push(`${t},${task},write,0x${(Number(base) + 4096 * ((s * 37 + p * 101) % 1024)).toString(16)},4096,,,,5`);
      lines.push(`${t},${task},msync,${base},4194304,MS_SYNC,,,${150 + 10 * (s % 5)}`);
    }
    t += 400;
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

/** A configuration with random service times and a host factor, so that every seed draws its own times. */
const SETS = ['personality=linux', 'device.profile=sata-ssd', 'device.host_cv=0.3'];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syncsim-simseeds-'));
  trace = join(dir, 'two.csv');
  writeTrace(trace);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the seeds a validation replays', () => {
  it('counts up from the first seed and wraps past 2^32 - 1', () => {
    expect(simSeeds(1, 3)).toEqual([1, 2, 3]);
    expect(simSeeds(7, 1)).toEqual([7]);
    expect(simSeeds(4294967295, 3)).toEqual([4294967295, 0, 1]);
  });

  it('are said as a range, and where they wrap', () => {
    expect(seedsText([5, 6, 7])).toBe('5..7');
    expect(seedsText([7])).toBe('7');
    expect(seedsText(simSeeds(4294967295, 3))).toBe('4294967295, then 0..1');
    expect(seedsText(simSeeds(4294967294, 3))).toBe('4294967294..4294967295, then 0');
  });

  it('the charts name the seeds pooled, when more than one', () => {
    expect(simulatedLabel('linux', 8)).toBe('simulated (syncsim linux, 8 seeds)');
    expect(simulatedLabel('freebsd', 1)).toBe('simulated (syncsim freebsd)');
  });

  it('--sim-seeds takes a whole number from 1 to the maximum, the default when not given', () => {
    expect(simSeedsArg(undefined)).toBe(DEFAULT_SIM_SEEDS);
    expect(DEFAULT_SIM_SEEDS).toBe(8);
    expect(simSeedsArg('1')).toBe(1);
    expect(simSeedsArg(String(MAX_SIM_SEEDS))).toBe(MAX_SIM_SEEDS);
    for (const bad of ['0', String(MAX_SIM_SEEDS + 1), 'x', '1.5', '-2', '']) {
      expect(() => simSeedsArg(bad), bad).toThrow(InputError);
      expect(() => simSeedsArg(bad), bad).toThrow(/--sim-seeds expects a whole number from 1 to 64/);
    }
  });
});

describe('a replay kept in memory', () => {
  it('gives each task the msyncs its syncs.csv gives, in issue order', async () => {
    const config = loadConfig(undefined, [...SETS, 'seed=3']);
    const out = join(dir, 'run-3');
    await runTrace({ trace, config, out });
    const kept = await replaySyncs(trace, config, [{ task: 'a', n: SYNCS }, { task: 'b', n: SYNCS }]);
    for (const [i, task] of ['a', 'b'].entries()) {
      const fromFile = await simulatedSyncs(join(out, 'syncs.csv'), SYNCS, task);
      expect(Array.from(kept[i]!.latencies_us), task).toEqual(Array.from(fromFile.latencies_us));
      expect(kept[i]!.results, task).toEqual(fromFile.results);
      expect(Array.from(kept[i]!.pages), task).toEqual(Array.from(fromFile.pages));
    }
  });

  it('keeps only the first n msyncs of a task, in issue order', async () => {
    const config = loadConfig(undefined, [...SETS, 'seed=3']);
    const all = await replaySyncs(trace, config, [{ task: 'a', n: SYNCS }]);
    const first = await replaySyncs(trace, config, [{ task: 'b', n: SYNCS }, { task: 'a', n: 5 }]);
    expect(first[0]!.latencies_us).toHaveLength(SYNCS);
    expect(Array.from(first[1]!.latencies_us)).toEqual(Array.from(all[0]!.latencies_us).slice(0, 5));
  });

  it('differs from one seed to the next, and says when a task made too few msyncs', async () => {
    const one = await replaySyncs(trace, loadConfig(undefined, [...SETS, 'seed=3']), [{ task: 'a', n: SYNCS }]);
    const two = await replaySyncs(trace, loadConfig(undefined, [...SETS, 'seed=4']), [{ task: 'a', n: SYNCS }]);
    expect(Array.from(one[0]!.latencies_us)).not.toEqual(Array.from(two[0]!.latencies_us));
    await expect(replaySyncs(trace, loadConfig(undefined, SETS), [{ task: 'a', n: SYNCS + 1 }])).rejects.toThrow(`the replay with seed 1 recorded ${SYNCS} msyncs of task a, expected at least ${SYNCS + 1}`);
  });
});

describe('validate --trace --sim-seeds', () => {
  const sets = SETS.slice(1).flatMap((s) => ['--set', s]);
  /** The simulated latencies of samples.csv, ascending. */
  const simulated = (out: string) => readFileSync(join(out, 'samples.csv'), 'utf8').trim().split('\n').slice(1)
    .filter((l) => l.startsWith('simulated,')).map((l) => Number(l.split(',')[1])).sort((x, y) => x - y);

  it('pools the msyncs of its seeds: those of one replay per seed', async () => {
    const out = join(dir, 'v3');
    const r = await syncsimHere(['validate', '--trace', trace, '--out', out, '--seed', '5', '--sim-seeds', '3', ...sets]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`3 replays pooled (seeds 5..7; sim/ and pairs.csv: seed 5), ${3 * 2 * SYNCS} msyncs compared`);
    const v = JSON.parse(readFileSync(join(out, 'validation.json'), 'utf8'));
    expect(v.simulated.seeds).toEqual([5, 6, 7]);
    expect(v.simulated.count).toBe(3 * 2 * SYNCS);
    expect(v.measured.count).toBe(2 * SYNCS);
    const alone: number[] = [];
    for (const seed of [5, 6, 7]) {
      const o = join(dir, `v1-${seed}`);
      const a = await syncsimHere(['validate', '--trace', trace, '--out', o, '--seed', String(seed), '--sim-seeds', '1', ...sets]);
      expect(a.code, a.stderr).toBe(0);
      const w = JSON.parse(readFileSync(join(o, 'validation.json'), 'utf8'));
      expect(w.simulated.seeds).toEqual([seed]);
      expect(a.stdout).not.toContain('replays pooled');
      expect(a.stdout).toMatch(new RegExp(`^simulated\\s+1 replay \\(seed ${seed}\\), ${2 * SYNCS} msyncs compared$`, 'm'));
      // a trace with no recorded-command header: no hint that --repeat would help
      expect(a.stdout).toMatch(/^noise floor\s+- \(one run: this trace names no program to record again \(no recorded-command header\)\)$/m);
      alone.push(...simulated(o));
    }
    expect(simulated(out)).toEqual(alone.sort((x, y) => x - y));
    expect(readFileSync(join(out, 'validation-cdf.vl.json'), 'utf8')).toContain('simulated (syncsim linux, 3 seeds)');
    // pairs.csv and sim/ are the first seed's replay
    expect(readFileSync(join(out, 'pairs.csv'), 'utf8')).toBe(readFileSync(join(dir, 'v1-5', 'pairs.csv'), 'utf8'));
  });

  it('is the same for the same seeds, run again', async () => {
    const a = join(dir, 'again-a'), b = join(dir, 'again-b');
    for (const o of [a, b]) expect((await syncsimHere(['validate', '--trace', trace, '--out', o, '--sim-seeds', '4', ...sets])).code).toBe(0);
    expect(readFileSync(join(a, 'samples.csv'), 'utf8')).toBe(readFileSync(join(b, 'samples.csv'), 'utf8'));
    const v = JSON.parse(readFileSync(join(a, 'validation.json'), 'utf8'));
    expect(v.simulated.seeds).toEqual([1, 2, 3, 4]);
  });

  it('leaves each seed\'s first --warmup msyncs of every task out, and counts every seed\'s failed msyncs', async () => {
    // task a's third msync is of a range never mapped: it fails (ENOMEM) in every replay
    const bad = join(dir, 'bad-range.csv');
    const lines = readFileSync(trace, 'utf8').trimEnd().split('\n');
    const msyncsOfA = lines.slice(2).filter((l) => l.includes(',a,msync,'));
    const third = lines.indexOf(msyncsOfA[2]!);
    lines[third] = lines[third]!.replace('0x10000000,4194304', '0x70000000,4096');
    expect(lines[third]).toContain(',a,msync,0x70000000,4096,');
    writeFileSync(bad, lines.join('\n') + '\n');
    const out = join(dir, 'v-warm');
    const r = await syncsimHere(['validate', '--trace', bad, '--out', out, '--sim-seeds', '3', '--warmup', '2', ...sets]);
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(readFileSync(join(out, 'validation.json'), 'utf8'));
    expect(v.warmup_syncs).toBe(2);
    expect(v.simulated.errors).toEqual({ ENOMEM: 3 });
    // per seed: both tasks' msyncs after the first 2, less task a's failed one
    expect(v.simulated.count).toBe(3 * (2 * (SYNCS - 2) - 1));
    expect(simulated(out)).toHaveLength(v.simulated.count);
    expect(r.stdout).toContain('simulated failures {"ENOMEM":3}');
  });

  it('refuses the options of a fio job, and a seed past 32 bits, with exit 2 before anything is written', async () => {
    const out = join(dir, 'refused');
    for (const [args, said] of [
      [['--dir', dir], /^syncsim: --dir applies to --fio-job only: a trace is replayed with --calibration FILE as it is/m],
      [['--calibrate-quick'], /^syncsim: --calibrate-quick applies to --fio-job only/m],
      [['--seed', '4294967296'], /^syncsim: --seed expects an integer from 0 to 4294967295 \(got '4294967296'\)$/m],
    ] as const) {
      const r = await syncsimHere(['validate', '--trace', trace, '--out', out, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(said);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('refuses a bad count with exit 2 before anything is written', async () => {
    const out = join(dir, 'bad');
    const r = await syncsimHere(['validate', '--trace', trace, '--out', out, '--sim-seeds', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--sim-seeds expects a whole number from 1 to 64 \(got '0'\)/);
    expect(existsSync(out)).toBe(false);
  });
});
