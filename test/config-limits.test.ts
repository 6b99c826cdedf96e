/**
 * Input that must not hang a run, fill the disk or reach Object.prototype: the range of every
 * numeric configuration key, the timeline's row cap, prototype keys through every entry point,
 * YAML aliases (and alias bombs) in configuration and experiment files, and generator limits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, deepMerge, resolveConfig, setDotted } from '../sim/config.ts';
import { MAX_TIMELINE_ROWS, TimelineClock } from '../sim/stats/timeline.ts';
import { loadConfig } from '../scripts/config-file.ts';
import { parseExperiment } from '../scripts/sweep/experiment.ts';
import { makePlan } from '../scripts/sweep/plan.ts';
import { syncsimHere } from './cli-here.ts';
import { generate, ParamError } from '../workloads/presets/index.ts';
import { MAX_GEN_ROWS } from '../workloads/presets/preset.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
const DEMO = join(ROOT, 'traces', 'examples', 'demo.csv');
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-limits-'));

const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

/** Nothing leaked onto Object.prototype. */
function expectCleanPrototype(): void {
  const o = {} as Record<string, unknown>;
  for (const k of ['channels', 'x', 'a', 'polluted', 'sample_us']) expect(o[k]).toBeUndefined();
}

afterEach(expectCleanPrototype);

/** A user layer with dotted `key` set to `value`. */
function layer(key: string, value: unknown): Record<string, unknown> {
  const u: Record<string, unknown> = {};
  setDotted(u as never, key, value as never);
  return u;
}

describe('ranges of the numeric configuration keys', () => {
  // key, extra keys its value needs, [lowest accepted, highest accepted], [refused below, refused above], range text
  const H = 3.6e9;
  const TABLE: [string, Record<string, unknown>, number[], number[], string][] = [
    ['page_size', {}, [512, 2 ** 30], [256, 2 ** 31], 'an integer >= 512 and <= 1073741824'],
    ['seed', {}, [0, 4294967295], [-1, 4294967296], 'an integer >= 0 and <= 4294967295'],
    ['device.channels', {}, [1, 4096], [0, 4097], 'an integer >= 1 and <= 4096'],
    ['device.service.mean_us', { 'device.profile': 'queue' }, [0, H], [-1e-9, H + 1], 'a number >= 0 and <= 3600000000'],
    ['device.service.mean_us', { 'device.profile': 'queue', 'device.service.dist': 'exponential' }, [1e-9, H], [0, H + 1], 'a number > 0 and <= 3600000000'],
    ['device.service.max_us', { 'device.profile': 'queue', 'device.service.dist': 'uniform', 'device.service.min_us': 0 }, [0, H], [-1, H + 1], 'a number >= 0 and <= 3600000000'],
    ['device.service.cv', { 'device.profile': 'queue', 'device.service.dist': 'lognormal', 'device.service.mean_us': 10 }, [1e-9, 100], [0, 100.001], 'a number > 0 and <= 100'],
    ['device.per_page_us', { 'device.profile': 'queue' }, [0, H], [-1, H + 1], 'a number >= 0 and <= 3600000000'],
    ['device.error_rate', {}, [0, 1], [-0.001, 1.001], 'a number >= 0 and <= 1'],
    ['device.bandwidth_mbps', { 'device.read_bandwidth_mbps': 1 }, [0, 1e6], [-1, 1e6 + 1], 'a number >= 0 and <= 1000000'],
    ['device.read_bandwidth_mbps', {}, [0, 1e6], [-1, 1e6 + 1], 'a number >= 0 and <= 1000000'],
    ['device.media_mbps', {}, [0, 1e6], [-1, 1e6 + 1], 'a number >= 0 and <= 1000000'],
    ['device.cache_mb', {}, [0, 2 ** 20], [-1, 2 ** 20 + 1], 'a number >= 0 and <= 1048576'],
    ['device.flush_us', { 'device.flush_empty_us': 1 }, [0, H], [-1, H + 1], 'a number >= 0 and <= 3600000000'],
    ['device.flush_empty_us', {}, [0, H], [-1, H + 1], 'a number >= 0 and <= 3600000000'],
    ['device.flush_cv', {}, [0, 100], [-0.001, 100.001], 'a number >= 0 and <= 100'],
    ['device.write_latency.mean_us', {}, [0, H], [-1e-9, H + 1], 'a number >= 0 and <= 3600000000'],
    ['device.seek_full_ms', { 'device.profile': 'hdd' }, [20, 6e4], [-1, 6e4 + 1], 'a number >= 0 and <= 60000'],
    ['device.capacity_gb', {}, [1e-9, 1e9], [0, 1e9 + 1], 'a number > 0 and <= 1000000000'],
    ['pager.cluster_pages', {}, [1, 65536], [0, 65537], 'an integer >= 1 and <= 65536'],
    ['pager.ipc_us', {}, [0, H], [-1, H + 1], 'a number >= 0 and <= 3600000000'],
    ['cpu.syscall_us', {}, [0, H], [-1, H + 1], 'a number >= 0 and <= 3600000000'],
    ['cpu.per_page_us', {}, [0, H], [-1, H + 1], 'a number >= 0 and <= 3600000000'],
    ['cpu.fault_page_us', {}, [0, H], [-1, H + 1], 'a number >= 0 and <= 3600000000'],
    ['cpu.clean_page_us', {}, [0, H], [-1, H + 1], 'a number >= 0 and <= 3600000000'],
    ['cpu.wire_page_us', {}, [0, H], [-1, H + 1], 'a number >= 0 and <= 3600000000'],
    ['writeback.interval_ms', { 'writeback.policy': 'syncer' }, [1, 8.64e7], [0.999, 8.64e7 + 1], 'a number >= 1 and <= 86400000'],
    ['writeback.delay_ms', {}, [0, 8.64e7], [-1, 8.64e7 + 1], 'a number >= 0 and <= 86400000'],
    ['writeback.expire_ms', {}, [0, 8.64e7], [-1, 8.64e7 + 1], 'a number >= 0 and <= 86400000'],
    ['writeback.background_ratio', { 'writeback.dirty_ratio': 100 }, [0, 100], [-0.1, 100.1], 'a number >= 0 and <= 100'],
    ['writeback.dirty_ratio', { 'writeback.background_ratio': 0 }, [0.001, 100], [0, 100.1], 'a number > 0 and <= 100'],
    ['writeback.max_pause_ms', {}, [0, 3.6e6], [-1, 3.6e6 + 1], 'a number >= 0 and <= 3600000'],
    ['memory.pages', {}, [0, 2 ** 40], [-1, 2 ** 40 + 1], 'an integer >= 0 and <= 1099511627776'],
    ['memory.max_user_wired_pages', {}, [0, 2 ** 40], [-1, 2 ** 40 + 1], 'an integer >= 0 and <= 1099511627776'],
    ['memory.memlock_limit_bytes', {}, [0, Number.MAX_SAFE_INTEGER], [-1, 2 ** 53], 'an integer >= 0 and <= 9007199254740991'],
    ['stats.sample_us', {}, [1, 8.64e10], [0.999999, 8.64e10 + 1], 'a number >= 1 and <= 86400000000'],
    ['stats.warmup_us', {}, [0, 9e12], [-1, 9e12 + 1], 'a number >= 0 and <= 9000000000000'],
  ];

  it.each(TABLE)('%s (%j): accepts its bounds and refuses just past them, naming key, range and value', (key, extra, ok, bad, text) => {
    const with_ = (v: unknown) => {
      const u = layer(key, v);
      for (const [k, x] of Object.entries(extra)) setDotted(u as never, k, x as never);
      return u;
    };
    for (const v of ok) expect(errorOf(() => resolveConfig(with_(v)))).toBe('no error');
    for (const v of bad) expect(errorOf(() => resolveConfig(with_(v)))).toBe(`config: key '${key}': must be ${text} (got ${v})`);
    expect(errorOf(() => resolveConfig(with_('many')))).toBe(`config: key '${key}': must be ${text} (got 'many')`);
  });

  it('every empirical sample is a service time of at most an hour', () => {
    expect(errorOf(() => resolveConfig({ device: { profile: 'queue', service: { dist: 'empirical', samples_us: [1, 3.6e9] } } }))).toBe('no error');
    expect(errorOf(() => resolveConfig({ device: { profile: 'queue', service: { dist: 'empirical', samples_us: [1, 3.6e9 + 1] } } })))
      .toBe("config: key 'device.service.samples_us.1': must be a number >= 0 and <= 3600000000 (got 3600000001)");
  });

  it('the issue reproducers are refused before anything runs', () => {
    expect(errorOf(() => loadConfig(undefined, ['stats.sample_us=0.000001']))).toBe("config: key 'stats.sample_us': must be a number >= 1 and <= 86400000000 (got 0.000001)");
    expect(errorOf(() => loadConfig(undefined, ['device.profile=queue', 'device.service.mean_us=1e300']))).toBe("config: key 'device.service.mean_us': must be a number >= 0 and <= 3600000000 (got 1e+300)");
    expect(errorOf(() => loadConfig(undefined, ['writeback.interval_ms=1e-9']))).toBe("config: key 'writeback.interval_ms': must be a number >= 1 and <= 86400000 (got 1e-9)");
  });
});

describe('the timeline row cap', () => {
  it('samples every period, inclusive or not, like the simulator always did', () => {
    const got: number[] = [];
    const c = new TimelineClock(10, { sample: (t) => got.push(t) });
    c.until(0, false);
    c.until(25, false);
    c.until(30, false);
    c.until(30, true);
    expect(got).toEqual([0, 10, 20, 30]);
  });

  it('stops with an error on stats.sample_us, writing nothing past the cap', () => {
    const got: number[] = [];
    const c = new TimelineClock(1000, { sample: (t) => got.push(t) }, 5);
    c.until(3000, false);
    expect(got).toEqual([0, 1000, 2000]);
    let err: unknown;
    try {
      c.until(1e15, false);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).key).toBe('stats.sample_us');
    expect((err as Error).message).toMatch(/^config: key 'stats.sample_us': the timeline would pass its limit of 5 rows at 1000000\.000000 s of simulated time \(a row every 1 µs\); raise stats.sample_us, e\.g\. to 2000000 \(500,002 rows up to here, room for a run 10 times as long\)$/);
    expect(got).toHaveLength(3);
    expect(MAX_TIMELINE_ROWS).toBe(10_000_000);
  });

  it('takes a row at the run\'s end past the last sample time, none when the end is a sample time, and counts it against the cap', () => {
    const got: number[] = [];
    const c = new TimelineClock(10, { sample: (t) => got.push(t) }, 4);
    c.until(25, true);
    c.end(25);
    expect(got).toEqual([0, 10, 20, 25]);
    const on: number[] = [];
    const d = new TimelineClock(10, { sample: (t) => on.push(t) });
    d.until(20, true);
    d.end(20);
    expect(on).toEqual([0, 10, 20]);
    // a run of no time: its one row is at its end
    const zero: number[] = [];
    const z = new TimelineClock(10, { sample: (t) => zero.push(t) });
    z.until(0, true);
    z.end(0);
    expect(zero).toEqual([0]);
    // three rows of a cap of 3, and the end past the last: refused, nothing more sampled
    const full: number[] = [];
    const f = new TimelineClock(10, { sample: (t) => full.push(t) }, 3);
    f.until(25, true);
    expect(() => f.end(25)).toThrow(/^config: key 'stats.sample_us': the timeline would pass its limit of 3 rows with its row of the run's end, at 0\.000000 s of simulated time \(a row every 0\.01 µs\); raise stats.sample_us, e\.g\. to 1000 \(2 rows up to here, room for a run 10 times as long\)$/);
    expect(full).toEqual([0, 10, 20]);
  });
});

describe('prototype keys', () => {
  it('are refused in --set, naming the --set and the key', () => {
    expect(errorOf(() => loadConfig(undefined, ['__proto__.channels=4']))).toBe("config: --set __proto__.channels=4: key '__proto__': not allowed as a key name");
    expect(errorOf(() => loadConfig(undefined, ['device.__proto__.channels=4']))).toBe("config: --set device.__proto__.channels=4: key 'device.__proto__': not allowed as a key name");
    expect(errorOf(() => loadConfig(undefined, ['constructor.prototype.polluted=1']))).toBe("config: --set constructor.prototype.polluted=1: key 'constructor': not allowed as a key name");
    expect(errorOf(() => loadConfig(undefined, ['device.prototype=1']))).toBe("config: --set device.prototype=1: key 'device.prototype': not allowed as a key name");
    expect(errorOf(() => loadConfig(undefined, ['device={__proto__: {channels: 4}}']))).toBe("config: --set device={__proto__: {channels: 4}}: key 'device.__proto__': not allowed as a key name");
  });

  it('are refused in YAML and JSON config files, naming the file and the key', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.yaml'), 'device:\n  __proto__:\n    channels: 4\n');
    writeFileSync(join(d, 'b.json'), '{"__proto__": {"channels": 4}}');
    writeFileSync(join(d, 'c.yaml'), 'device: {service: {dist: empirical, samples_us: [{constructor: 1}]}}\n');
    expect(errorOf(() => loadConfig(join(d, 'a.yaml'), []))).toBe(`config: ${join(d, 'a.yaml')}: key 'device.__proto__': not allowed as a key name`);
    expect(errorOf(() => loadConfig(join(d, 'b.json'), []))).toBe(`config: ${join(d, 'b.json')}: key '__proto__': not allowed as a key name`);
    expect(errorOf(() => loadConfig(join(d, 'c.yaml'), []))).toBe(`config: ${join(d, 'c.yaml')}: key 'device.service.samples_us.constructor': not allowed as a key name`);
  });

  it('cannot act through the merge functions, which build objects without a prototype', () => {
    const parsed = JSON.parse('{"device": {"__proto__": {"channels": 4}}}');
    expect(errorOf(() => resolveConfig(parsed))).toBe("config: key 'device.__proto__': not allowed as a key name");
    expect(errorOf(() => deepMerge({}, parsed))).toBe("config: key 'device.__proto__': not allowed as a key name");
    expect(errorOf(() => setDotted({}, 'a.__proto__.b', 1))).toBe("config: key 'a.__proto__': not allowed as a key name");
    const merged = deepMerge({ a: { b: 1 } }, { a: { c: 2 } });
    expect(Object.getPrototypeOf(merged)).toBeNull();
    expect(Object.getPrototypeOf(merged.a)).toBeNull();
    expect({ ...merged.a as object }).toEqual({ b: 1, c: 2 });
    // the resolved configuration is plain data again
    expect(Object.getPrototypeOf(resolveConfig({ device: { channels: 2 } }).device)).toBe(Object.prototype);
  });

  it('are refused in experiment files: base, grid values and trace.set', () => {
    const exp = (body: string) => errorOf(() => parseExperiment(`name: x\ntrace: { gen: seq-writer }\n${body}`, 'e.yaml'));
    expect(exp('base: { __proto__: { channels: 4 } }\n')).toBe("e.yaml:3: key '__proto__' is not allowed (a prototype name)");
    expect(exp('base:\n  device:\n    constructor: 1\n')).toBe("e.yaml:5: key 'constructor' is not allowed (a prototype name)");
    expect(exp('grid:\n  device.service: [{dist: constant, prototype: 1}]\n')).toBe("e.yaml:4: key 'prototype' is not allowed (a prototype name)");
    expect(errorOf(() => parseExperiment('name: x\ntrace: { gen: seq-writer, set: { __proto__: 5 } }\n', 'e.yaml'))).toBe("e.yaml:2: key '__proto__' is not allowed (a prototype name)");
    expect(exp('grid:\n  __proto__.channels: [1, 2]\n')).toBe("e.yaml:4: key '__proto__.channels' is not allowed ('__proto__' is a prototype name)");
    expect(exp('base:\n  device.constructor: 1\n')).toBe("e.yaml:4: key 'device.constructor' is not allowed ('constructor' is a prototype name)");
  });

  it('are refused as generator parameters', () => {
    for (const k of ['__proto__', 'constructor', 'prototype']) {
      const given = JSON.parse(`{"${k}": {"rate": 1}}`);
      expect(errorOf(() => generate('seq-writer', given))).toBe(`parameter name '${k}' is not allowed (a prototype name)`);
    }
  });
});

describe('YAML aliases', () => {
  const ALIASED = [
    'name: aliased',
    'trace: { gen: seq-writer, set: { duration_s: &d 0.01, rate: &r 100 } }',
    'base:',
    '  device: &dev { channels: 2, discipline: sync_first }',
    '  pager: { cluster_pages: &c 8 }',
    'grid:',
    '  pager.ipc_us: [*c, 16]',
    '  trace.set.rate: [*r, 200]',
    'seeds: *c',
    'metrics: &m [writeback.bytes]',
    '',
  ].join('\n');

  it('resolve in experiment files as in config files', async () => {
    const e = parseExperiment(ALIASED, join(tmp(), 'a.yaml'));
    expect(e.base).toEqual([
      { key: 'device.channels', value: 2, line: 4 },
      { key: 'device.discipline', value: 'sync_first', line: 4 },
      { key: 'pager.cluster_pages', value: 8, line: 5 },
    ]);
    expect(e.axes.map((a) => [a.key, a.values])).toEqual([['pager.ipc_us', [8, 16]], ['trace.set.rate', [100, 200]]]);
    expect(e.seeds).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(e.metrics).toEqual(['writeback.bytes']);
    const plan = await makePlan(e);
    expect(plan.runs).toHaveLength(2 * 2 * 8);
    expect(plan.runs[0].config.device.channels).toBe(2);
    expect(plan.runs[0].config.pager.ipc_us).toBe(8);

    const d = tmp();
    writeFileSync(join(d, 'c.yaml'), 'device: &dev { channels: 3 }\npager: { cluster_pages: 4, ipc_us: 4 }\n');
    writeFileSync(join(d, 'r.yaml'), 'shared: &s { channels: 3 }\n');
    expect(loadConfig(join(d, 'c.yaml'), []).device.channels).toBe(3);
    // an alias that names nothing is refused like any other YAML error
    expect(errorOf(() => parseExperiment('name: x\ntrace: { gen: seq-writer }\nseeds: *none\n', 'u.yaml'))).toMatch(/^u\.yaml:\d+: not valid YAML: Unresolved alias/);
  });

  it('an alias bomb is refused with exit 2 errors, in both kinds of file', () => {
    const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 6; i++) bomb.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const d = tmp();
    writeFileSync(join(d, 'bomb.yaml'), bomb.join('\n') + '\n');
    expect(errorOf(() => loadConfig(join(d, 'bomb.yaml'), []))).toBe(`config: ${join(d, 'bomb.yaml')}:1: too many alias expansions (more than 100: aliases of aliases multiply)`);
    const e = errorOf(() => parseExperiment(`name: x\ntrace: { gen: seq-writer }\nbase:\n  ${bomb.join('\n  ')}\n`, 'b.yaml'));
    expect(e).toBe('b.yaml:1: too many alias expansions (more than 100: aliases of aliases multiply)');
  });
});

describe('an alias inside the node it names', () => {
  it('is refused at the alias\'s line with exit 2 errors, in both kinds of file and in --set (it made a value that contains itself: a stack overflow)', async () => {
    const d = tmp();
    writeFileSync(join(d, 'c9.yaml'), 'device: { channels: 2 }\na: &a {b: *a}\n');
    expect(errorOf(() => loadConfig(join(d, 'c9.yaml'), []))).toBe(`config: ${join(d, 'c9.yaml')}:2: the alias here names a node that holds it, so its value would contain itself; write the value out instead`);
    const e = errorOf(() => parseExperiment('name: r1\ntrace: { gen: seq-writer }\nbase: &b { personality: linux, extra: [1, *b] }\ngrid: { personality: [linux] }\n', 'r1.yaml'));
    expect(e).toBe('r1.yaml:3: the alias here names a node that holds it, so its value would contain itself; write the value out instead');
    const r = await syncsimHere(['run', join(ROOT, 'traces', 'examples', 'demo.csv'), '--out', join(d, 'o'), '--set', 'device.channels=&a [*a]']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/internal error|Maximum call stack/);
  });
});

describe('generator limits', () => {
  it('refuses traces that could pass the row limit, naming the parameter', () => {
    const err = (params: Record<string, unknown>): ParamError => {
      try {
        generate('seq-writer', params);
      } catch (e) {
        return e as ParamError;
      }
      throw new Error('no error');
    };
    expect(err({ rate: '1e300' }).message).toBe("parameter 'rate' of preset 'seq-writer': gives a trace of about 1.00e+301 rows, more than the limit of 1,000,000,000; lower duration_s, tasks, rate or the msync frequency (got '1e+300')");
    expect(err({ rate: 1e9, duration_s: 2 }).key).toBe('rate');
    expect(err({ sync_interval_us: '1e-9' }).message)
      .toMatch(/^parameter 'sync_interval_us' of preset 'seq-writer': gives a trace of about 1\.00e\+16 rows, more than the limit of 1,000,000,000; .* \(got '1e-9'\)$/);
    expect(err({ checkpoint_interval_us: 1e-6 }).message).toContain("has no parameter 'checkpoint_interval_us'");
    expect(errorOf(() => generate('db-checkpoint', { checkpoint_interval_us: 1e-3, duration_s: 1e3 }))).toContain("parameter 'checkpoint_interval_us' of preset 'db-checkpoint': gives a trace of about 1.00e+12 rows");
    // just under the limit is accepted (rows are streamed, nothing is generated here)
    expect(errorOf(() => generate('seq-writer', { rate: MAX_GEN_ROWS / 20 / 2, duration_s: 10, sync_interval_us: 0 }))).toBe('no error');
  });
});

describe('the CLI', () => {
  function run(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
    return new Promise((res) => {
      const c = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      c.stderr.on('data', (d) => (stderr += d));
      c.on('exit', (code) => res({ code, stderr }));
    });
  }

  it('ends the issue reproducers, a prototype --set and a timeline past its cap with exit 2, writing nothing', async () => {
    const d = tmp();
    const cases: [string[], string][] = [
      [['--set', 'stats.sample_us=0.000001'], "syncsim: config: key 'stats.sample_us': must be a number >= 1 and <= 86400000000 (got 0.000001)\n"],
      [['--set', 'device.profile=queue', '--set', 'device.service.mean_us=1e300'], "syncsim: config: key 'device.service.mean_us': must be a number >= 0 and <= 3600000000 (got 1e+300)\n"],
      [['--set', 'writeback.interval_ms=1e-9', '--set', 'writeback.policy=syncer'], "syncsim: config: key 'writeback.interval_ms': must be a number >= 1 and <= 86400000 (got 1e-9)\n"],
      [['--set', '__proto__.channels=4'], "syncsim: config: --set __proto__.channels=4: key '__proto__': not allowed as a key name\n"],
      [['--set', 'stats.sample_us=1', '--set', 'device.profile=queue', '--set', 'device.service.mean_us=3.6e9'], ''],
    ];
    // one --out per case: the runs go in parallel, and two runs into one --out contend for its lock
    const results = await Promise.all(cases.map(([args], i) => run(['run', DEMO, '--out', join(d, `out${i}`), '--no-cache', ...args], d)));
    results.forEach((r, i) => {
      expect(r.code).toBe(2);
      if (cases[i][1]) expect(r.stderr).toBe(cases[i][1]);
      else expect(r.stderr).toMatch(/^syncsim: config: key 'stats\.sample_us': the timeline would pass its limit of 10,000,000 rows at [\d.]+ s of simulated time \(a row every 1 µs\); raise stats\.sample_us, e\.g\. to \d+ \([\d,]+ rows up to here, room for a run 10 times as long\)\n$/);
    });
    expect(readdirSync(d)).toEqual([]);
  });
});
