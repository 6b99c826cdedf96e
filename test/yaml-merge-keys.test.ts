/**
 * YAML 1.1 merge keys (`<<: *anchor`) in configuration and experiment files: the mapping a merge
 * key names is laid under the keys the mapping gives itself. Until 2026-12-06 `<<` was read as
 * a key of its own and refused as an unknown configuration key (`key 'device.<<': unknown key`).
 * A key given twice in one mapping is still refused; one merged in and given too is not.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyLine, parseYamlValue, YamlError } from '../scripts/yaml-file.ts';
import { parseExperiment } from '../scripts/sweep/experiment.ts';
import { syncsimHere } from './cli-here.ts';

/** Expects YAML `text` refused with the YamlError `message` (`LINE: PROBLEM`). */
const refused = (text: string, message: string): void => {
  expect(() => parseYamlValue(text)).toThrow(YamlError);
  expect(() => parseYamlValue(text)).toThrow(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
};

describe('a merge key', () => {
  it('merges the mapping it names under the keys given beside it, in either order', () => {
    const dev = 'base: &d { channels: 4, profile: queue }\n';
    expect(parseYamlValue(`${dev}after:\n  <<: *d\n  channels: 2\n`)).toEqual({ base: { channels: 4, profile: 'queue' }, after: { channels: 2, profile: 'queue' } });
    expect(parseYamlValue(`${dev}before:\n  channels: 2\n  <<: *d\n`)).toEqual({ base: { channels: 4, profile: 'queue' }, before: { channels: 2, profile: 'queue' } });
    // a list of mappings: the first that gives a key wins; a merged mapping's own merges count
    expect(parseYamlValue('x: { <<: [{ a: 1 }, { a: 2, b: 3 }] }\n')).toEqual({ x: { a: 1, b: 3 } });
    expect(parseYamlValue('a: &a { p: 1 }\nb: &b { <<: *a, q: 2 }\nc: { <<: *b, r: 3 }\n')).toEqual({ a: { p: 1 }, b: { p: 1, q: 2 }, c: { p: 1, q: 2, r: 3 } });
    // a quoted '<<' is a key like any other, as in YAML 1.1
    expect(parseYamlValue('x: { "<<": { a: 1 } }\n')).toEqual({ x: { '<<': { a: 1 } } });
  });

  it('a key given twice in one mapping is still refused, merged in or not', () => {
    refused('d: &d { a: 1 }\nx:\n  <<: *d\n  a: 2\n  a: 3\n', "5: key 'x.a' is given twice (a mapping may give each key once)");
    refused('x:\n  <<: { a: 1, a: 2 }\n', "2: key 'x.<<.a' is given twice (a mapping may give each key once)");
  });

  it('naming anything but a mapping or a list of them: the line of the merge key', () => {
    refused('x:\n  a: 1\n  <<: 5\n', "3: a merge key '<<' takes a mapping, an alias of one (*a) or a list of them ([*a, *b])");
    refused('x:\n  <<: [{ a: 1 }, 2]\n', "2: a merge key '<<' takes a mapping, an alias of one (*a) or a list of them ([*a, *b])");
    refused('x:\n  <<: *nowhere\n', '2: not valid YAML: Unresolved alias (the anchor must be set before the alias): nowhere');
  });

  it("a key merged in is found at its line where it is written (for an error's FILE:LINE)", () => {
    const text = 'a:\n  b: &s\n    c: 1\nd:\n  <<: *s\n  e: 2\n';
    expect(keyLine(text, ['d', 'c'])).toBe(3);
    expect(keyLine(text, ['d', 'e'])).toBe(6);
  });
});

describe('syncsim run --config with a merge key', () => {
  it('runs with the merged keys; a misspelt merged key is named at its line', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-merge-run-'));
    writeFileSync(join(d, 't.csv'), 't_us,op,addr,len,object,offset\n0,map,0x1000,4096,f,0\n');
    writeFileSync(join(d, 'c.yaml'), 'device:\n  <<: { profile: queue, channels: 4 }\n  channels: 2\n');
    const r = await syncsimHere(['run', 't.csv', '--config', 'c.yaml', '--out', 'o', '--no-cache', '--json', '-q'], d);
    expect(r.code).toBe(0);
    const device = JSON.parse(r.stdout).config.device;
    expect([device.profile, device.channels]).toEqual(['queue', 2]);
    writeFileSync(join(d, 'bad.yaml'), 'device:\n  <<:\n    profile: queue\n    chanels: 4\n');
    const bad = await syncsimHere(['run', 't.csv', '--config', 'bad.yaml', '--out', 'o2', '--no-cache'], d);
    expect(bad).toEqual({ code: 2, stdout: '', stderr: "syncsim: config: bad.yaml:4: key 'device.chanels': unknown key; did you mean device.channels?\n" });
    expect(readdirSync(d).sort()).toEqual(['bad.yaml', 'c.yaml', 'o', 't.csv']);
  });
});

describe('an experiment with merge keys', () => {
  const HEAD = 'name: m\ntrace: { gen: seq-writer, set: { duration_s: 1 } }\n';
  const merged = `${HEAD}grid:
  device.service:
    - &s { dist: exponential, mean_us: 100 }
    - { <<: *s, mean_us: 50 }
  trace.set.rate: [1000]
base:
  device:
    <<: { profile: queue, channels: 4 }
    channels: 2
  writeback: { <<: { policy: flusher, interval_ms: 100 } }
`;
  const written = `${HEAD}grid:
  device.service:
    - { dist: exponential, mean_us: 100 }
    - { dist: exponential, mean_us: 50 }
  trace.set.rate: [1000]
base:
  device: { profile: queue, channels: 2 }
  writeback: { policy: flusher, interval_ms: 100 }
`;

  it('is the experiment written out: the same base, grid and run ids', async () => {
    const a = parseExperiment(merged, 'm.yaml');
    const b = parseExperiment(written, 'w.yaml');
    expect(a.base.map((e) => [e.key, e.value])).toEqual([['device.profile', 'queue'], ['device.channels', 2], ['writeback.policy', 'flusher'], ['writeback.interval_ms', 100]]);
    expect(a.base.map((e) => [e.key, e.value])).toEqual(b.base.map((e) => [e.key, e.value]));
    expect(a.axes.map((x) => [x.key, x.values])).toEqual(b.axes.map((x) => [x.key, x.values]));
    const d = mkdtempSync(join(tmpdir(), 'syncsim-merge-sweep-'));
    writeFileSync(join(d, 'm.yaml'), merged);
    writeFileSync(join(d, 'w.yaml'), written);
    const ids = async (f: string) => {
      const r = await syncsimHere(['sweep', f, '--dry-run', '--out', 'o'], d);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.split('\n').filter((l) => /^[0-9a-f]{16} /.test(l));
    };
    const runs = await ids('m.yaml');
    expect(runs).toHaveLength(2);
    expect(runs).toEqual(await ids('w.yaml'));
  });

  it('a misspelt key merged into base is named at its line; a grid key given twice is still refused', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-merge-typo-'));
    writeFileSync(join(d, 'e.yaml'), `${HEAD}grid:\n  personality: [linux]\nbase:\n  <<:\n    pager.cluster_pagez: 8\n`);
    const r = await syncsimHere(['sweep', 'e.yaml', '--dry-run', '--out', 'o'], d);
    expect(r).toEqual({ code: 2, stdout: '', stderr: "syncsim: e.yaml:7: key 'pager.cluster_pagez': unknown key; did you mean pager.cluster_pages?\n" });
    expect(readdirSync(d)).toEqual(['e.yaml']);
    expect(() => parseExperiment(`${HEAD}grid:\n  personality: [linux]\n  personality: [xnu]\n`, 'e.yaml')).toThrow("e.yaml:5: key 'grid.personality' is given twice (a mapping may give each key once)");
  });
});
