/**
 * summary.json's `config` (every key, resolved) fed back with --config gives
 * the same results: the keys of the other device model it lists, at their
 * defaults, are inert and accepted; set to anything else they are refused.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { syncsimHere } from './cli-here.ts';

const DEMO = resolve(import.meta.dirname, '..', 'traces', 'examples', 'demo.csv');

describe('a resolved configuration fed back', () => {
  it.each(['nvme', 'sata-ssd', 'hdd', 'ram', 'queue'])('profile %s: summary.json\'s config as --config gives byte-identical result files', async (profile) => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-roundtrip-'));
    const first = await syncsimHere(['run', DEMO, '--set', `device.profile=${profile}`, '--out', join(d, 'a'), '--no-cache']);
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(join(d, 'config.json'), JSON.stringify(JSON.parse(readFileSync(join(d, 'a', 'summary.json'), 'utf8')).config));
    const again = await syncsimHere(['run', DEMO, '--config', join(d, 'config.json'), '--out', join(d, 'b'), '--no-cache']);
    expect(again.code, again.stderr).toBe(0);
    for (const f of ['syncs.csv', 'writeback.csv', 'reads.csv', 'timeline.csv', 'durability.csv', 'tasks.csv']) {
      expect(readFileSync(join(d, 'b', f), 'utf8'), f).toBe(readFileSync(join(d, 'a', f), 'utf8'));
    }
  });

  it('a key of the other model set to anything but its default is still refused', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-roundtrip-'));
    const r = await syncsimHere(['run', DEMO, '--set', 'device.service.dist=constant', '--out', join(d, 'a')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/key 'device\.service\.dist': belongs to the queueing model/);
    const q = await syncsimHere(['run', DEMO, '--set', 'device.profile=queue', '--set', 'device.bandwidth_mbps=7', '--out', join(d, 'b')]);
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/key 'device\.bandwidth_mbps': applies to the device profiles/);
  });
});

describe('dotted keys in a --config file', () => {
  it('are read as --set and a sweep\'s base read them; a key given both ways, or unknown, is refused with the file (and line)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-dotted-'));
    const put = (name: string, text: string) => (writeFileSync(join(d, name), text), join(d, name));
    const ok = await syncsimHere(['run', DEMO, '--config', put('a.yaml', 'device.channels: 4\nseed: 3\ndevice:\n  write_cache: false\n'), '--out', join(d, 'a'), '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const c = (JSON.parse(ok.stdout) as { config: { seed: number; device: { channels: number; write_cache: boolean } } }).config;
    expect([c.device.channels, c.device.write_cache, c.seed]).toEqual([4, false, 3]);
    const twice = put('b.yaml', 'device.channels: 4\ndevice:\n  channels: 2\n');
    expect((await syncsimHere(['run', DEMO, '--config', twice, '--out', join(d, 'b')])).stderr)
      .toBe(`syncsim: config: ${twice}:3: key 'device.channels': is given twice in the file (as a dotted key and inside its group)\n`);
    // only top-level keys are split: below them dots are part of a key (a plugin's params); an empty group takes the dotted key
    const { readConfigFile } = await import('../scripts/config-file.ts');
    expect(readConfigFile(put('n.yaml', 'device.channels: 4\ndevice: {}\nwriteback:\n  params: {weights: {"db.log": 2}}\n')))
      .toEqual({ device: { channels: 4 }, writeback: { params: { weights: { 'db.log': 2 } } } });
    expect(readConfigFile(put('n2.yaml', 'writeback:\n  params: {"a.b": 1}\n'))).toEqual({ writeback: { params: { 'a.b': 1 } } });
    const typo = put('c.yaml', 'seed: 1\ndevice.chanels: 4\n');
    expect((await syncsimHere(['run', DEMO, '--config', typo, '--out', join(d, 'c')])).stderr).toBe(`syncsim: config: ${typo}:2: key 'device.chanels': unknown key; did you mean device.channels?\n`);
  });
});
