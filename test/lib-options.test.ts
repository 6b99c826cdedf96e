/**
 * The library's options checked before any work, named as the library names them (not as the
 * command's flags): the type of every option, `set`'s typed values and prototype keys, `out`'s
 * refusals, and the keys of rows given in code in their errors.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, importTrace, replay, report, sweep, type Row } from '../scripts/lib.ts';
import { TaskTimeout } from '../scripts/sweep/pool.ts';
import { nonJsonValue } from '../scripts/lib-options.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DEMO_CSV = join(ROOT, 'traces', 'examples', 'demo.csv');
const MSR = join(ROOT, 'test', 'fixtures', 'msr', 'two-volumes.csv');
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-lib-opts-'));
const A = 0x10000000;

/** Map 64 KiB, store 2 pages, msync SYNC the mapping. */
const ROWS: Row[] = [
  { tNs: 0, task: 'db', op: 'map', addr: A, len: 65536, object: 'data' },
  { tNs: 10_000, task: 'db', op: 'write', addr: A, len: 8192 },
  { tNs: 1_000_000, task: 'db', op: 'msync', addr: A, len: 65536, flags: 'SYNC' },
];

/** A task that falls far behind its trace in closed replay: a 1 GiB msync, then writes 1 µs apart. */
function stretching(): Row[] {
  const rows: Row[] = [{ tNs: 0, task: 't', op: 'map', addr: A, len: 1 << 30, object: 'f' }, { tNs: 1, task: 't', op: 'write', addr: A, len: 1 << 30 }, { tNs: 2, task: 't', op: 'msync', addr: A, len: 1 << 30, flags: 'SYNC' }];
  for (let i = 0; i < 20; i++) rows.push({ tNs: 3 + i, task: 't', op: 'write', addr: A, len: 4096 });
  return rows;
}

describe('replay: every option checked before any work', () => {
  it('refuses an onStretched that is no function at once, and writes nothing', async () => {
    const d = tmp();
    const out = join(d, 'o');
    await expect(replay(stretching(), { onStretched: 42 as never, out })).rejects.toThrow(new TypeError('replay: onStretched must be a function (got 42)'));
    await expect(replay(ROWS, { onStretched: null as never })).rejects.toThrow(new TypeError('replay: onStretched must be a function (got null)'));
    expect(readdirSync(d)).toEqual([]);
  });

  it('tells onStretched once the results are written: a callback that throws loses none of them', async () => {
    const out = join(tmp(), 'o');
    const told: number[] = [];
    const s = await replay(stretching(), { onStretched: (tasks) => told.push(tasks.length) });
    expect(told).toEqual([1]);
    await expect(replay(stretching(), { out, onStretched: () => { throw new Error('mine'); } })).rejects.toThrow('mine');
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
    expect(s.trace.rows).toBe(23);
  });

  it('refuses a name that is no non-empty string, and a name for a trace file (named by its path)', async () => {
    for (const name of [5, '', null, ['x']]) await expect(replay(ROWS, { name: name as never }), String(name)).rejects.toThrow(/^replay: name must be a non-empty string \(got /);
    await expect(replay(ROWS, { name: 5 as never })).rejects.toThrow(new TypeError('replay: name must be a non-empty string (got 5)'));
    await expect(replay(DEMO_CSV, { name: 'demo' })).rejects.toThrow(new TypeError(`replay: name names rows given in code; a trace file is named by its path (${DEMO_CSV})`));
    expect((await replay(ROWS, { name: 'mine' })).trace.path).toBe('mine');
  });

  it('refuses an out, config, set or seed of the wrong type, naming it', async () => {
    await expect(replay(ROWS, { out: 5 as never })).rejects.toThrow(new TypeError('replay: out must be a non-empty string (got 5)'));
    await expect(replay(ROWS, { config: null as never })).rejects.toThrow(/^replay: config must be a config file's name or an object of configuration keys .* \(got null\)$/);
    await expect(replay(ROWS, { config: new Map() as never })).rejects.toThrow(/\(got a Map\)$/);
    await expect(replay(ROWS, { config: { device: { channels: () => 4 } } })).rejects.toThrow(new TypeError("replay: config key 'device.channels' must hold what a config file can (strings, numbers, booleans, null, lists and plain objects of them) (got a function)"));
    await expect(replay(ROWS, { set: { seed: () => 1 } })).rejects.toThrow(/^replay: set 'seed' must hold what a config file can .* \(got a function\)$/);
    // a nested object with a prototype of its own (a literal __proto__ key) would be dropped unread
    await expect(replay(ROWS, { config: { device: { __proto__: { channels: 3 } } } as never })).rejects.toThrow(/^replay: config key 'device' must hold .* \(got an object with a prototype of its own/);
  });
});

describe('replay: nothing it is given is ignored without a word', () => {
  it('refuses results without out (a RangeError: nothing would be written), before any work', async () => {
    await expect(replay(ROWS, { results: 'summary' })).rejects.toThrow(new RangeError("replay: results chooses the CSVs out receives, and without out nothing is written (got results 'summary' and no out): give out, or leave results out"));
    const d = tmp();
    const s = await replay(ROWS, { results: 'summary', out: join(d, 'o') });
    expect(s.sync.count).toBe(1);
    expect(readdirSync(join(d, 'o')).filter((f) => f.endsWith('.csv'))).toEqual([]);
  });

  it('refuses an iterator an earlier replay read, naming it; a new one replays, sync or async; one read to its end elsewhere, or with no rows, is an empty trace', async () => {
    function* gen(): Generator<Row> {
      yield* ROWS;
    }
    const g = gen();
    expect((await replay(g, { name: 'gen' })).sync.count).toBe(1);
    // before: 0 rows replayed, no sync, no word
    await expect(replay(g, { name: 'gen' })).rejects.toThrow(new TypeError('replay: gen is an iterator an earlier replay already read (its rows can be read once): pass a new one (call the generator again), or an array'));
    const h = gen();
    for (const _ of h) void _;
    // it cannot be told from a generator that yields nothing: both replay as an empty trace
    expect((await replay(h)).trace.rows).toBe(0);
    function* none(): Generator<Row> {}
    expect((await replay(none())).trace.rows).toBe(0);
    async function* agen(): AsyncGenerator<Row> {
      yield* ROWS;
    }
    const a = agen();
    expect((await replay(a)).sync.count).toBe(1);
    await expect(replay(a)).rejects.toThrow(TypeError);
    // an array, or an iterable that makes a new iterator each time, replays as often as given
    expect((await replay(ROWS)).sync.count).toBe(1);
    expect((await replay(ROWS)).sync.count).toBe(1);
  });
});

describe('replay: set takes typed values; prototype keys are refused as --set refuses them', () => {
  it("refuses '4' for an integer key, saying to give 4 (set, seed and a config object alike)", async () => {
    await expect(replay(ROWS, { set: { 'device.channels': '4' } })).rejects.toThrow(
      "config: key 'device.channels': must be an integer >= 1 and <= 4096 (got '4'); set takes typed values, not --set's text: give 4, not '4'");
    await expect(replay(ROWS, { set: { device: { channels: '4' } } })).rejects.toThrow(/; set takes typed values, not --set's text: give 4, not '4'$/);
    await expect(replay(ROWS, { seed: '3' as never })).rejects.toThrow(/^config: key 'seed': .*; seed takes typed values, not --set's text: give 3, not '3'$/);
    await expect(replay(ROWS, { config: { pagein: 'false' } })).rejects.toThrow(/^config: key 'pagein': must be a boolean \(got 'false'\); config takes typed values, not --set's text: give false, not 'false'$/);
    // text that is no number says nothing more; typed values replay
    await expect(replay(ROWS, { set: { 'device.channels': 'four' } })).rejects.toThrow(/\(got 'four'\)$/);
    expect((await replay(ROWS, { set: { 'device.channels': 4 } })).config.device.channels).toBe(4);
  });

  it("refuses __proto__ by name however it is given (a dotted key, a computed key, JSON.parse), as 'constructor'", async () => {
    const refused = /^config: set: key '(__proto__|constructor)[^']*': not allowed as a key name$/;
    await expect(replay(ROWS, { set: { '__proto__.x': 1 } })).rejects.toThrow("config: set: key '__proto__': not allowed as a key name");
    await expect(replay(ROWS, { set: { 'constructor.prototype.x': 1 } })).rejects.toThrow(refused);
    await expect(replay(ROWS, { set: { ['__proto__']: { seed: 3 } } })).rejects.toThrow(refused);
    await expect(replay(ROWS, { set: JSON.parse('{"__proto__": {"seed": 3}}') })).rejects.toThrow(refused);
    await expect(replay(ROWS, { set: { device: JSON.parse('{"__proto__": {"channels": 3}}') } })).rejects.toThrow("config: set: key 'device.__proto__': not allowed as a key name");
    await expect(replay(ROWS, { config: { '__proto__.x': 1 } })).rejects.toThrow(/^config: key '__proto__.*': not allowed as a key name$/);
    await expect(replay(ROWS, { config: JSON.parse('{"__proto__": {"seed": 3}}') })).rejects.toThrow(/^config: key '__proto__': not allowed as a key name$/);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('replay: out named as the option, not as --out', () => {
  it('refuses a file, and a directory another replay is writing', async () => {
    await expect(replay(ROWS, { out: DEMO_CSV })).rejects.toThrow(`out ${DEMO_CSV}: is a file, not a directory syncsim made; choose a new directory`);
    const out = join(tmp(), 'o-par');
    const first = replay(stretching(), { out });
    await expect(replay(ROWS, { out })).rejects.toThrow(new RegExp(`^out ${out}: locked by pid ${process.pid} on host .*; wait for it or choose another directory$`));
    expect((await first).trace.rows).toBe(23);
  });

  it('in report and sweep too; a sweep run over its time limit is recorded naming runTimeoutS', async () => {
    const d = tmp();
    writeFileSync(join(d, 'f'), 'x');
    await expect(report(join(ROOT, 'test'), { out: join(d, 'f') })).rejects.toThrow(`out ${join(d, 'f')}: is a file, not a directory syncsim made; choose a new directory`);
    await expect(sweep(join(ROOT, 'workloads', 'experiments', 'demo-personalities.yaml'), { out: join(d, 'f'), dryRun: true })).rejects.toThrow(/^out .*\/f: is a file/);
    expect(new TaskTimeout(3).message).toBe('the run took longer than --run-timeout 3 s (wall clock): its worker was stopped');
    // a run stopped by its limit: recorded failed, naming the option it was given by
    writeFileSync(join(d, 'e.yaml'), 'name: e\ntrace: { gen: seq-writer, set: { duration_s: 2 } }\n');
    const o = await sweep(join(d, 'e.yaml'), { out: join(d, 'sw'), jobs: 1, runTimeoutS: 0.001, cacheDir: null });
    expect(o.failed.map((r) => r.error)).toEqual(['the run took longer than runTimeoutS 0.001 s (wall clock): its worker was stopped']);
  }, 60_000);
});

describe('rows given in code', () => {
  it('name the row key in errors (tNs, not the column t_us; extra.x_txn)', async () => {
    await expect(replay([ROWS[0]!, { ...ROWS[1]!, tNs: 0.5 }])).rejects.toThrow(/^rows:4: key tNs: trace time must be a non-negative integer of ns, got 0\.5 /);
    await expect(replay([ROWS[0]!, ROWS[1]!, { ...ROWS[1]!, tNs: 5 }])).rejects.toThrow("rows:5: key tNs: time goes backwards (previous 10000 ns) (got '5')");
    // an x_txn the replay refuses, found while replaying
    const txn = [{ ...ROWS[0]!, extra: { x_txn: '' } }, { ...ROWS[1]!, extra: { x_txn: '' } }, { ...ROWS[2]!, extra: { x_txn: '<=x' } }];
    await expect(replay(txn)).rejects.toThrow(/^rows:5: key extra\.x_txn: x_txn of an msync must be/);
  });

  it("take flags as bits or names, as a trace file's flags column (which takes no numbers): a numeric string is told to be a number", async () => {
    const at = (flags: Row['flags']) => replay([ROWS[0]!, { ...ROWS[2]!, flags }]);
    await expect(at('1')).rejects.toThrow("rows:4: key flags: unknown flag '1': a bit set is a number (flags: 1), a string holds flag names, as a trace file's flags column does (got '1')");
    await expect(at('0x1')).rejects.toThrow(/^rows:4: key flags: unknown flag '0x1': a bit set is a number \(flags: 0x1\)/);
    expect((await at(1)).sync.ok).toBe(1);
    expect((await at('MS_SYNC')).sync.ok).toBe(1);
  });
});

describe('a user trial of the library (stop 87)', () => {
  it('generate: a preset that is not a name is a TypeError saying so, not a crash inside', () => {
    for (const preset of [5, undefined, null]) {
      expect(() => generate(preset as never), String(preset)).toThrow(new TypeError(`generate: preset must be the name of a preset, as syncsim gen --list lists them (got ${preset === undefined ? 'undefined' : JSON.stringify(preset)})`));
    }
  });

  it('a config that holds itself is a TypeError naming the key, not a stack overflow', async () => {
    const config: Record<string, unknown> = { device: {} };
    (config.device as Record<string, unknown>).self = config;
    await expect(replay(join(ROOT, 'traces', 'examples', 'demo.csv'), { config: config as never })).rejects.toThrow(/^replay: config key 'device\.self' must hold what a config file can .*\(got an object that holds itself/);
    // the same object twice, side by side, is no loop; inside itself, at any depth, it is
    const shared = { k: [1, 2] };
    expect(nonJsonValue({ a: shared, b: [shared, shared] }, '')).toBeUndefined();
    const deep: Record<string, unknown> = { a: { b: [{}] } };
    ((deep.a as { b: Record<string, unknown>[] }).b[0]!).back = deep.a;
    expect(nonJsonValue(deep, '')).toEqual({ path: 'a.b[0].back', got: 'an object that holds itself (a reference back to one of the objects it is in)' });
  });

  it("report's and sweep's refusals name the library's options, not the command's flags", async () => {
    const d = tmp();
    const exp = join(ROOT, 'workloads', 'experiments', 'demo-personalities.yaml');
    await expect(sweep(exp, { out: join(d, 'sw'), maxRuns: 1, dryRun: true })).rejects.toThrow(/raise it with maxRuns: \d+ if that many is intended$/);
    const run = join(d, 'run');
    await replay(join(ROOT, 'traces', 'examples', 'demo.csv'), { out: run });
    await expect(report(run, { out: join(d, 'rep'), configs: ['nope'], formats: [] })).rejects.toThrow(/^configs: /);
  });
});

describe('generate, importTrace, sweep and report: options of the wrong type', () => {
  it('generate: params must be an object of parameter values', () => {
    for (const params of [5, null, 'x', [1]]) {
      expect(() => generate('db-checkpoint', { params: params as never }), JSON.stringify(params)).toThrow(new TypeError(`generate: params must be an object of parameter values ({ duration_s: 5 }) (got ${JSON.stringify(params)})`));
    }
    expect(() => generate('db-checkpoint', { params: { duration_s: true as never } })).toThrow(/^generate: params: 'duration_s' must be a number, or a string as --set takes it/);
    expect(() => generate('db-checkpoint', { seed: '2' as never })).toThrow(new TypeError('generate: seed must be a number (got "2")'));
    expect([...generate('db-checkpoint', { params: { duration_s: '0.01' } })].length).toBeGreaterThan(0);
  });

  it('importTrace, sweep, report: each option of its type, before any work', async () => {
    expect(() => importTrace('msr', 5 as never)).toThrow(new TypeError('importTrace: file must be the name of the file to import (got 5)'));
    expect(() => importTrace('msr', MSR, { pageSize: '4096' as never })).toThrow(new TypeError('importTrace: pageSize must be a number (got "4096")'));
    expect(() => importTrace('fio-iolog', MSR, { fileBytes: 'x' as never })).toThrow(/^importTrace: fileBytes must be a number of bytes, or a function/);
    const d = tmp();
    const exp = join(ROOT, 'workloads', 'experiments', 'demo-personalities.yaml');
    const out = join(d, 'sw');
    await expect(sweep(exp, { out, dryRun: 'yes' as never })).rejects.toThrow(new TypeError('sweep: dryRun must be true or false (got "yes")'));
    await expect(sweep(exp, { out, onWarning: 5 as never })).rejects.toThrow(new TypeError('sweep: onWarning must be a function (got 5)'));
    await expect(sweep(exp, { out, stdout: 5 as never })).rejects.toThrow(/^sweep: stdout must be a writable stream/);
    await expect(sweep(exp, { out, command: 'x' as never })).rejects.toThrow(new TypeError('sweep: command must be a list of strings (got "x")'));
    await expect(sweep(exp, { out, maxRuns: 0 })).rejects.toThrow(new RangeError('maxRuns must be a positive integer (got 0)'));
    await expect(sweep(exp, { out, cacheDir: 5 as never })).rejects.toThrow(/^sweep: cacheDir must be a directory's name, or null/);
    await expect(report(5 as never)).rejects.toThrow(new TypeError('report: dir must be the name of a results directory (got 5)'));
    await expect(report(d, { theme: 'toString' as never })).rejects.toThrow("unknown theme 'toString'");
    await expect(report(d, { width: {} as never })).rejects.toThrow(/^report: width must be 'single', 'double' or a number of px \(a number, not text\) \(got \{\}\)$/);
    // a width of px given as text is refused as the other numbers are (a user trial: '500' drew a report)
    await expect(report(d, { width: '500' as never })).rejects.toThrow(new TypeError("report: width must be 'single', 'double' or a number of px (a number, not text) (got \"500\")"));
    // a number given as text is of the wrong type (a TypeError showing the text), not a value out of range shown as a number
    await expect(sweep(exp, { out, jobs: '2' as never })).rejects.toThrow(new TypeError('sweep: jobs must be a number (got "2")'));
    await expect(sweep(exp, { out, maxRuns: '3' as never })).rejects.toThrow(new TypeError('sweep: maxRuns must be a number (got "3")'));
    await expect(sweep(exp, { out, runTimeoutS: '3' as never })).rejects.toThrow(new TypeError('sweep: runTimeoutS must be a number (got "3")'));
    await expect(sweep(exp, { out, jobs: 0 })).rejects.toThrow(new RangeError('jobs must be a positive integer (got 0)'));
    await expect(replay(join(ROOT, 'traces', 'examples', 'demo.csv'), { ci: { reps: '100' as never } })).rejects.toThrow(new TypeError('replay: ci.reps must be a number (got "100")'));
    // a width out of range says the range, as --width does
    await expect(report(d, { width: 5 })).rejects.toThrow(new RangeError("bad width 5 (expected 'single', 'double' or a number of px from 150 to 4000, as --width)"));
    expect(readdirSync(d)).toEqual([]);
  });
});
