/**
 * Configuration: defaults, validation naming the key, files and --set overrides.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, resolveConfig } from '../sim/config.ts';
import { loadConfig } from '../scripts/config-file.ts';
import { syncsimHere } from './cli-here.ts';

const DEMO = join(resolve(import.meta.dirname, '..'), 'traces', 'examples', 'demo.csv');

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(resolveConfig({})).toEqual({
      personality: 'freebsd',
      page_size: 4096,
      replay: 'closed',
      seed: 1,
      // device.profile nvme: the Intel D7-P5500-class table of sim/device/profiles.ts
      device: {
        profile: 'nvme', channels: 85, discipline: 'fifo', service: { dist: 'constant', mean_us: 100 }, per_page_us: 0, error_rate: 0,
        read_latency: { dist: 'constant', mean_us: 85 }, write_latency: { dist: 'constant', mean_us: 20 },
        bandwidth_mbps: 4300, read_bandwidth_mbps: 7000, segment_us: 0, read_request_mbps: 0, max_segments: 0, ring_descriptors: 0, write_cache: false, cache_mb: 0, media_mbps: 4300, flush_us: 0, flush_empty_us: 0, flush_cv: 0, flush_floor: 0, flush_quantiles: [], flush_cv_scope: 'flush', host_cv: 0, host_floor: 0, host_drift_share: 0, host_drift_us: 100, host_spell_rate_hz: 0, host_spell_ms: 0, host_spell_factor: 1, busy_latency_us: 0, busy_flush_us: 0, flush_gap: { gap_us: [], factor: [] }, destage: 'continuous', media_write_us: 0, submit_us: 0, submit_command_us: 0, submit_overlap: false, submit_completion: 'each',
        rpm: 0, seek_track_ms: 0, seek_avg_ms: 0, seek_full_ms: 0, capacity_gb: 1000, region_gb: 16,
      },
      pager: { cluster_pages: 32, ipc_us: 0 },
      cpu: { syscall_us: 1.44, fault_page_us: 13.16, clean_page_us: 9.28, clean_page_busy_us: 23.09, clean_pmd_page_us: 0.31, clean_io_us: 0, writeback_call_us: 0, wire_page_us: 0.21, cv: 0, floor: 0 },
      writeback: { policy: 'none', interval_ms: 1000, delay_ms: 30000, expire_ms: 30000, background_ratio: 10, dirty_ratio: 20, max_pause_ms: 200 },
      memory: { pages: 0, max_user_wired_pages: 0, memlock_limit_bytes: 8388608 },
      stats: { sample_us: 1000, warmup_us: 0 },
      pagein: true,
      readahead: { pages: 16, request_pages: 256, max_folio_order: 9 },
      fs: { kind: 'ufs', commit_interval_ms: 5000, soft_updates: false, stable_pages: false, preallocated: true, extent_leaf: false, timestamp_tick_us: 4000 },
    });
  });

  it('names an unknown key with its full dotted path', () => {
    expect(errorOf(() => resolveConfig({ device: { chanels: 2 } }))).toBe("config: key 'device.chanels': unknown key; did you mean device.channels?");
    expect(errorOf(() => resolveConfig({ colour: 'red' }))).toBe("config: key 'colour': unknown key");
    expect(errorOf(() => resolveConfig({ device: { profile: 'queue', service: { dist: 'constant', mean_us: 5, cv: 1 } } }))).toBe("config: key 'device.service.cv': unknown key for dist 'constant' (a key of dist lognormal: set device.service.dist too)");
  });

  it('names the key of a bad value', () => {
    expect(errorOf(() => resolveConfig({ device: { channels: 0 } }))).toBe("config: key 'device.channels': must be an integer >= 1 and <= 4096 (got 0)");
    expect(errorOf(() => resolveConfig({ device: { channels: 'two' } }))).toMatch(/^config: key 'device.channels': must be an integer >= 1 and <= 4096 \(got 'two'\)$/);
    expect(errorOf(() => resolveConfig({ replay: 'sideways' }))).toBe("config: key 'replay': must be one of closed, open (got 'sideways')");
    expect(errorOf(() => resolveConfig({ page_size: 5000 }))).toBe("config: key 'page_size': must be a power of two (got 5000)");
    expect(errorOf(() => resolveConfig({ device: { busy_latency_us: -1 } }))).toMatch(/^config: key 'device\.busy_latency_us': must be .*\(got -1\)$/);
    expect(errorOf(() => resolveConfig({ device: { busy_flush_us: 'lots' } }))).toMatch(/^config: key 'device\.busy_flush_us': /);
    expect(resolveConfig({ device: { profile: 'sata-ssd', busy_latency_us: 15.5, busy_flush_us: 20 } }).device).toMatchObject({ busy_latency_us: 15.5, busy_flush_us: 20 });
    expect(errorOf(() => resolveConfig({ device: { profile: 'queue', service: { dist: 'lognormal', mean_us: 10 } } }))).toBe("config: key 'device.service.cv': is required");
    // a key of another distribution than the one in force says whose it is; a key of none stays unknown
    expect(errorOf(() => resolveConfig({ device: { profile: 'queue', service: { dist: 'lognormal', mean_us: 10, cv: 0.5, samples_us: [80, 120] } } })))
      .toBe("config: key 'device.service.samples_us': unknown key for dist 'lognormal' (a key of dist empirical: set device.service.dist too)");
    expect(errorOf(() => resolveConfig({ device: { profile: 'queue', service: { dist: 'uniform', min_us: 1, max_us: 2, mean_us: 3 } } })))
      .toBe("config: key 'device.service.mean_us': unknown key for dist 'uniform' (a key of dist constant or exponential or lognormal: set device.service.dist too)");
    expect(errorOf(() => resolveConfig({ device: { profile: 'queue', service: { dist: 'uniform', min_us: 1, max_us: 2, median_us: 3 } } })))
      .toBe("config: key 'device.service.median_us': unknown key");
    expect(errorOf(() => resolveConfig({ device: { profile: 'queue', service: { dist: 'uniform', min_us: 10, max_us: 5 } } }))).toBe("config: key 'device.service.min_us': must be <= max_us");
    expect(errorOf(() => resolveConfig({ device: { profile: 'queue', service: { dist: 'weibull' } } }))).toMatch(/^config: key 'device.service.dist': must be one of constant, exponential, uniform, lognormal, empirical/);
  });

  it('writeback.interval_ms defaults per policy', () => {
    expect(resolveConfig({ writeback: { policy: 'syncer' } }).writeback.interval_ms).toBe(1000);
    expect(resolveConfig({ writeback: { policy: 'flusher' } }).writeback.interval_ms).toBe(5000);
    expect(resolveConfig({ writeback: { policy: 'flusher', interval_ms: 250 } }).writeback.interval_ms).toBe(250);
  });

  it('a value that looks like an allowed one (case, a typo, a stray space) ends with the one it looks like', () => {
    expect(errorOf(() => resolveConfig({ personality: 'Linux' }))).toBe("config: key 'personality': must be one of freebsd, xnu, linux, mach (got 'Linux'); did you mean linux?");
    expect(errorOf(() => resolveConfig({ writeback: { policy: 'flushr' } }))).toBe("config: key 'writeback.policy': must be one of none, syncer, flusher, or a plugin file (.ts, .mts, .js, .mjs) (got 'flushr'); did you mean flusher?");
    expect(errorOf(() => resolveConfig({ device: { profile: 'sata_ssd' } }))).toMatch(/\(got 'sata_ssd'\); did you mean sata-ssd\?$/);
    expect(errorOf(() => resolveConfig({ replay: 'closed ' }))).toBe("config: key 'replay': must be one of closed, open (got 'closed '); did you mean closed?");
    // nothing close: no suggestion, as before
    expect(errorOf(() => resolveConfig({ personality: 'solaris' }))).toBe("config: key 'personality': must be one of freebsd, xnu, linux, mach (got 'solaris')");
  });

  it('refuses unknown personalities and policies, naming the key', () => {
    expect(errorOf(() => resolveConfig({ personality: 'solaris' }))).toBe("config: key 'personality': must be one of freebsd, xnu, linux, mach (got 'solaris')");
    expect(errorOf(() => resolveConfig({ writeback: { policy: 'pdflush' } }))).toBe("config: key 'writeback.policy': must be one of none, syncer, flusher, or a plugin file (.ts, .mts, .js, .mjs) (got 'pdflush')");
    expect(errorOf(() => resolveConfig({ device: { profile: 'nosuch' } }))).toBe("config: key 'device.profile': must be one of nvme, sata-ssd, hdd, ram, queue, or a profile file (a path with a slash, or ending .yaml, .yml or .json: syncsim calibrate writes one) (got 'nosuch')");
    expect(errorOf(() => resolveConfig({ writeback: { policy: 'flusher', background_ratio: 30, dirty_ratio: 20 } }))).toBe("config: key 'writeback.background_ratio': must be <= writeback.dirty_ratio (20)");
  });

  it('a distribution given with its own dist replaces the default one whole', () => {
    const c = loadConfig(undefined, ['device.profile=queue', 'device.service.dist=uniform', 'device.service.min_us=50', 'device.service.max_us=150']);
    expect(c.device.service).toEqual({ dist: 'uniform', min_us: 50, max_us: 150 });
    // without dist, keys merge into the default distribution
    expect(loadConfig(undefined, ['device.profile=queue', 'device.service.mean_us=42']).device.service).toEqual({ dist: 'constant', mean_us: 42 });
  });

  it('reads YAML and JSON files; --set wins; values parse as YAML', () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-cfg-'));
    writeFileSync(join(d, 'a.yaml'), 'replay: open\ndevice:\n  channels: 3\n  discipline: sync_first\n');
    writeFileSync(join(d, 'b.json'), '{"seed": 5, "pager": {"cluster_pages": 8}}');
    const a = loadConfig(join(d, 'a.yaml'), ['device.profile=queue', 'device.channels=2', 'device.service.samples_us=[1,2]', 'device.service.dist=empirical']);
    expect(a.replay).toBe('open');
    expect(a.device.channels).toBe(2);
    expect(a.device.discipline).toBe('sync_first');
    expect(a.device.service).toEqual({ dist: 'empirical', samples_us: [1, 2] });
    const b = loadConfig(join(d, 'b.json'), []);
    expect(b.seed).toBe(5);
    expect(b.pager.cluster_pages).toBe(8);
  });

  it('loads empirical samples from a CSV file relative to the config file', () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-cfg-'));
    writeFileSync(join(d, 'lat.csv'), 'latency_us,other\n80,x\n120,y\n400,z\n');
    writeFileSync(join(d, 'c.yaml'), 'device:\n  profile: queue\n  service: { dist: empirical, file: lat.csv }\n');
    const c = loadConfig(join(d, 'c.yaml'), []);
    expect(c.device.service).toEqual({ dist: 'empirical', file: 'lat.csv', samples_us: [80, 120, 400] });
    writeFileSync(join(d, 'bad.csv'), 'latency_us\n80\nfast\n');
    writeFileSync(join(d, 'd.yaml'), 'device:\n  profile: queue\n  service: { dist: empirical, file: bad.csv }\n');
    expect(errorOf(() => loadConfig(join(d, 'd.yaml'), []))).toContain("bad.csv:3: latency_us is not a non-negative number (got 'fast')");
  });

  it('reports unreadable or malformed files and bad --set syntax', () => {
    expect(errorOf(() => loadConfig('/nonexistent.yaml', []))).toContain('cannot read config file /nonexistent.yaml');
    const d = mkdtempSync(join(tmpdir(), 'syncsim-cfg-'));
    writeFileSync(join(d, 'x.yaml'), '- a\n- b\n');
    expect(errorOf(() => loadConfig(join(d, 'x.yaml'), []))).toContain('must be a mapping of keys');
    expect(errorOf(() => loadConfig(undefined, ['channels']))).toContain("--set expects key=value (got 'channels')");
    expect(errorOf(() => loadConfig(undefined, ['seed=3', 'seed.x=4']))).toContain("key 'seed.x': 'seed' is not a group of keys");
  });
});

describe('a bad key in a config file', () => {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-cfg-line-'));
  const f = (name: string, text: string) => {
    writeFileSync(join(d, name), text);
    return join(d, name);
  };
  /** The message of the ConfigError loading `file` with `sets` throws. */
  const message = (file: string | undefined, sets: string[] = []) => {
    try {
      loadConfig(file, sets);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    return 'no error';
  };

  it('is reported with the file and the line of the key; a --set value without them', () => {
    const c1 = f('c1.yaml', 'seed: 3\ndevice:\n  profile: queue\n  chanels: 4\n');
    expect(message(c1)).toBe(`config: ${c1}:4: key 'device.chanels': unknown key; did you mean device.channels?`);
    const c2 = f('c2.yaml', 'device:\n  profile: queue\n  channels: four\n');
    expect(message(c2)).toMatch(new RegExp(`^config: ${c2.replace(/[.]/g, '\\.')}:3: key 'device\\.channels': must be an integer`));
    const c3 = f('c3.yaml', '# a comment\ndevice: 3\n');
    expect(message(c3)).toBe(`config: ${c3}:2: key 'device': must be a mapping of keys (an object) (got 3)`);
    // JSON is YAML: the line of the key there too
    const c4 = f('c4.json', '{\n  "seed": 1,\n  "pager": { "cluster_pagez": 8 }\n}\n');
    expect(message(c4)).toBe(`config: ${c4}:3: key 'pager.cluster_pagez': unknown key; did you mean pager.cluster_pages?`);
    // the bad key came from --set, not from the file: no file line
    expect(message(c1.replace('c1', 'c0'), [])).toMatch(/cannot read config file/);
    // a profile file that cannot be read: named by the key that names it, at its line
    const c5 = f('c5.yaml', 'seed: 2\ndevice:\n  profile: ./nope.yaml\n');
    expect(message(c5)).toBe(`config: ${c5}:3: key 'device.profile': cannot read profile file ${join(d, 'nope.yaml')}: not found`);
    const ok = f('ok.yaml', 'seed: 3\n');
    expect(message(ok, ['device.chanels=4'])).toBe("config: key 'device.chanels': unknown key; did you mean device.channels?");
  });

  it('a profile file that cannot be read is named relative to the working directory when inside it, as the CLI names paths', async () => {
    mkdirSync(join(d, 'sub'), { recursive: true });
    f(join('sub', 'c6.yaml'), 'seed: 2\ndevice:\n  profile: ./nope.yaml\n');
    const r = await syncsimHere(['run', DEMO, '--config', join('sub', 'c6.yaml'), '--out', 'o'], d);
    // until 2026-12-06 the absolute path; the config file keeps the path as given
    expect([r.code, r.stderr]).toEqual([2, `syncsim: config: ${join('sub', 'c6.yaml')}:3: key 'device.profile': cannot read profile file ${join('sub', 'nope.yaml')}: not found\n`]);
    const set = await syncsimHere(['run', DEMO, '--set', 'device.profile=./nosuch.yaml', '--out', 'o'], d);
    expect(set.stderr).toBe("syncsim: config: key 'device.profile': cannot read profile file nosuch.yaml: not found\n");
    expect(existsSync(join(d, 'o'))).toBe(false);
  });

  it('a key missing below a group the file writes is placed at the group\'s line; one a --set left out names that --set', () => {
    const c = f('c.yaml', 'seed: 1\ndevice:\n  profile: nvme\n  write_latency: { dist: lognormal, mean_us: 20 }\n');
    expect(message(c)).toBe(`config: ${c}:4: key 'device.write_latency.cv': is required`);
    // the --set gives the distribution: the --set is named, not the file
    expect(message(c, ['device.write_latency={dist: lognormal, mean_us: 5}'])).toBe("config: --set device.write_latency={dist: lognormal, mean_us: 5}: key 'device.write_latency.cv': is required");
    expect(message(undefined, ['seed=2', 'device.channels=0'])).toMatch(/^config: key 'device\.channels': must be an integer/);
    expect(message(undefined, ['device.profile=queue', 'device.service={dist: exponential}'])).toBe("config: --set device.service={dist: exponential}: key 'device.service.mean_us': is required");
    // a --set of a sibling key: the file when it writes as much of the key, else that --set
    expect(message(c, ['device.write_latency.mean_us=7'])).toBe(`config: ${c}:4: key 'device.write_latency.cv': is required`);
    expect(message(undefined, ['device.profile=queue', 'device.service.dist=exponential'])).toBe("config: --set device.service.dist=exponential: key 'device.service.mean_us': is required");
    const q = f('q.yaml', 'device:\n  profile: queue\n');
    expect(message(q, ['device.service.dist=exponential'])).toBe("config: --set device.service.dist=exponential: key 'device.service.mean_us': is required");
    // a profile file's own bad key: that file and its line
    const p = f('dev.yaml', 'device:\n  profile: nvme\n  read_latency: { dist: lognormal, mean_us: 9 }\n');
    const u = f('u.yaml', 'device:\n  profile: ./dev.yaml\n');
    expect(message(u)).toBe(`config: ${p}:3: key 'device.read_latency.cv': is required`);
    expect(message(undefined, [`device.profile=${p}`])).toBe(`config: ${p}:3: key 'device.read_latency.cv': is required`);
  });
});

describe('a .json config file', () => {
  it('must be strict JSON: a trailing comma or a comment is refused with the file, line and column; YAML takes them', () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-cfg-json-'));
    const put = (name: string, text: string) => {
      writeFileSync(join(d, name), text);
      return join(d, name);
    };
    const tail = '; a .json file must be strict JSON, or name it .yaml';
    const comma = put('comma.json', '{\n  "seed": 3,\n}\n');
    expect(errorOf(() => loadConfig(comma, []))).toBe(`config: ${comma}:2:12: not valid JSON: a comma before '}' (JSON allows none after the last item)${tail}`);
    const comment = put('comment.json', '{\n  "seed": 3, // three\n  "device": {}\n}\n');
    expect(errorOf(() => loadConfig(comment, []))).toBe(`config: ${comment}:2:14: not valid JSON: expected a key in double quotes, found a comment (JSON has none)${tail}`);
    // JSON.parse gives no position for a trailing comma in a list: the scanner does
    const list = put('list.json', '{\n  "device": { "profile": "nvme",\n    "flush_quantiles": [1, 2,],\n    "channels": 4 },\n  "seed": 1,\n  "pagein": true\n}\n');
    expect(errorOf(() => loadConfig(list, []))).toBe(`config: ${list}:3:29: not valid JSON: a comma before ']' (JSON allows none after the last item)${tail}`);
    const cut = put('cut.json', '{\n  "seed": 3\n');
    expect(errorOf(() => loadConfig(cut, []))).toBe(`config: ${cut}:3:1: not valid JSON: the JSON ends early${tail}`);
    // a byte-order mark: the same line and column as without it
    const bom = put('bom.json', '\ufeff{\n  "seed": 3,\n}\n');
    expect(errorOf(() => loadConfig(bom, []))).toBe(`config: ${bom}:2:12: not valid JSON: a comma before '}' (JSON allows none after the last item)${tail}`);
    // strict JSON, with a byte-order mark: read as before
    expect(loadConfig(put('ok.json', '\ufeff{\n  "seed": 3\n}\n'), []).seed).toBe(3);
    // the same text as YAML is taken
    expect(loadConfig(put('comma.yaml', '{\n  "seed": 3,\n}\n'), []).seed).toBe(3);
  });
});

describe('which problem a config error names', () => {
  it('a key the user gave before one derived from it, and a misspelt key before the key it stands for', () => {
    // flush_empty_us is copied from flush_us: the error is about the key given
    expect(errorOf(() => loadConfig(undefined, ['device.flush_us=-5']))).toBe("config: key 'device.flush_us': must be a number >= 0 and <= 3600000000 (got -5)");
    // cvv for cv: the unknown key, not a missing cv
    expect(errorOf(() => loadConfig(undefined, ['device.write_latency={dist: lognormal, mean_us: 30, cvv: 0.3}']))).toBe("config: --set device.write_latency={dist: lognormal, mean_us: 30, cvv: 0.3}: key 'device.write_latency.cvv': unknown key; did you mean device.write_latency.cv?");
  });

  it('an empirical distribution with both samples_us and a file of samples is refused', () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-cfg-both-'));
    writeFileSync(join(d, 's.csv'), 'latency_us\n7\n9\n');
    writeFileSync(join(d, 'c.yaml'), 'device:\n  profile: nvme\n  write_latency: {dist: empirical, file: s.csv, samples_us: [5]}\n');
    expect(errorOf(() => loadConfig(join(d, 'c.yaml'), []))).toBe(`config: ${join(d, 'c.yaml')}:3: key 'device.write_latency.file': give the samples (samples_us) or a file of them (file), not both`);
    // one from the file, the other from a --set: refused as well
    writeFileSync(join(d, 'f.yaml'), 'device:\n  profile: nvme\n  write_latency: {dist: empirical, file: s.csv}\n');
    expect(errorOf(() => loadConfig(join(d, 'f.yaml'), ['device.write_latency.samples_us=[5]']))).toMatch(/give the samples \(samples_us\) or a file of them \(file\), not both/);
    // either alone is read
    expect(loadConfig(join(d, 'f.yaml'), []).device.write_latency).toMatchObject({ dist: 'empirical', samples_us: [7, 9] });
  });
});
