/**
 * End-to-end: a misspelt option, configuration key, plugin parameter or gen preset parameter is
 * refused (exit 2, no results) with its message as before and, when a known name is close, `; did
 * you mean X?` at its end; an unknown flag in a trace's flags column is named once, with the flags
 * its op takes.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { syncsimHere } from './cli-here.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'scripts', 'syncsim.mjs');

/** A directory holding a small good trace, t.csv. */
function withTrace(): string {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-suggest-'));
  writeFileSync(join(d, 't.csv'), '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000000,8192,,f,0\n1,a,write,0x10000000,4096,,,\n2,a,msync,0x10000000,8192,SYNC,,\n');
  return d;
}

/** The hint after an unknown option's name, as the command line gives it for `command` when no option is close to it. */
const afterDash = (command: string, option: string) => `(an argument that starts with '-' goes after '--', as in: syncsim ${command} -- ${option}; try 'syncsim ${command} --help')`;
/** The hint after an unknown option's name close to one `command` takes (the closest ends the message). */
const helpOnly = (command: string) => `(try 'syncsim ${command} --help')`;

describe('an unknown option', () => {
  it('close to one the command takes: the message ends with it (a spawned syncsim, exit 2, no results)', () => {
    const d = withTrace();
    const r = spawnSync(process.execPath, [BIN, 'run', 't.csv', '--sed', '3', '--out', 'o'], { cwd: d, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    // (not how to give a file named '--sed': it said '... goes after '--', as in: syncsim run -- --sed; ...); did you mean --seed?')
    expect(r.stderr).toBe(`syncsim: unknown option '--sed' ${helpOnly('run')}; did you mean --seed?\n`);
    expect(readdirSync(d)).toEqual(['t.csv']);
  });

  it.each([
    ['run', ['run', 't.csv', '--Seed', '3'], '--Seed', '; did you mean --seed?'], // case aside
    ['run', ['run', 't.csv', '--confg', 'c.yaml'], '--confg', '; did you mean --config?'],
    ['run', ['run', 't.csv', '--cache'], '--cache', '; did you mean --cache-dir?'], // the start of one option's name
    ['gen', ['gen', 'seq-writer', '--outptu', 'x.csv'], '--outptu', '; did you mean --output?'],
    ['import', ['import', '--from', 'msr', 'x.msr', '--sync-every-write', '4'], '--sync-every-write', '; did you mean --sync-every-writes?'],
    ['run', ['run', 't.csv', '--bogus'], '--bogus', ''], // nothing close: the message as it was
    ['run', ['run', 't.csv', '-x'], '-x', ''], // a short option is not guessed at
  ])('%s %s', async (command, args, option, hint) => {
    const d = withTrace();
    const r = await syncsimHere(args, d);
    // how to give an argument that starts with '-' (a file '-x.csv'), only when no option is close
    expect(r).toEqual({ code: 2, stdout: '', stderr: `syncsim: unknown option '${option}' ${hint === '' ? afterDash(command, option) : helpOnly(command)}${hint}\n` });
    expect(readdirSync(d)).toEqual(['t.csv']);
  });
});

describe('an unknown configuration key', () => {
  it.each([
    ['--set in a group', ['--set', 'device.chanels=4'], "config: key 'device.chanels': unknown key; did you mean device.channels?"],
    ['--set of a group', ['--set', 'devise.channels=4'], "config: --set devise.channels=4: key 'devise': unknown key; did you mean device?"],
    ['--set, a letter dropped', ['--set', 'writeback.polcy=flusher'], "config: key 'writeback.polcy': unknown key; did you mean writeback.policy?"],
    ['--set inside a distribution', ['--set', 'device.profile=queue', '--set', 'device.service.mean_uss=5'], "config: key 'device.service.mean_uss': unknown key; did you mean device.service.mean_us?"],
    ['--set, nothing close', ['--set', 'colour=red'], "config: key 'colour': unknown key"],
  ])('%s', async (_, sets, message) => {
    const d = withTrace();
    const r = await syncsimHere(['run', 't.csv', ...sets, '--out', 'o'], d);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `syncsim: ${message}\n` });
    expect(readdirSync(d)).toEqual(['t.csv']);
  });

  it('in a config file: its file and line, then the key it is closest to', async () => {
    const d = withTrace();
    writeFileSync(join(d, 'c.yaml'), 'seed: 3\ndevice:\n  chanels: 4\n');
    writeFileSync(join(d, 'd.yaml'), 'pager.cluster_pagez: 8\n');
    const c = await syncsimHere(['run', 't.csv', '--config', 'c.yaml', '--out', 'o'], d);
    const dotted = await syncsimHere(['run', 't.csv', '--config', 'd.yaml', '--out', 'o'], d);
    expect(c).toEqual({ code: 2, stdout: '', stderr: "syncsim: config: c.yaml:3: key 'device.chanels': unknown key; did you mean device.channels?\n" });
    expect(dotted).toEqual({ code: 2, stdout: '', stderr: "syncsim: config: d.yaml:1: key 'pager.cluster_pagez': unknown key; did you mean pager.cluster_pages?\n" });
    expect(readdirSync(d).sort()).toEqual(['c.yaml', 'd.yaml', 't.csv']);
  });

  it("a plugin's parameters under the other group's name (device.params, writeback.discipline_params): the group's own key", async () => {
    const d = withTrace();
    const dev = await syncsimHere(['run', 't.csv', '--set', 'device.params.fifo_batch=8', '--out', 'o'], d);
    expect(dev).toEqual({ code: 2, stdout: '', stderr: "syncsim: config: --set device.params.fifo_batch=8: key 'device.params': unknown key; did you mean device.discipline_params?\n" });
    writeFileSync(join(d, 'w.yaml'), 'writeback:\n  policy: flusher\n  discipline_params: { idle_pages: 8 }\n');
    const wb = await syncsimHere(['run', 't.csv', '--config', 'w.yaml', '--out', 'o'], d);
    expect(wb).toEqual({ code: 2, stdout: '', stderr: "syncsim: config: w.yaml:3: key 'writeback.discipline_params': unknown key; did you mean writeback.params?\n" });
    expect(readdirSync(d).sort()).toEqual(['t.csv', 'w.yaml']);
  });

  it("a plugin's parameter: the one of its paramsSchema it is closest to", async () => {
    const d = withTrace();
    const plugin = join(ROOT, 'workloads', 'plugins', 'adaptive-flusher.ts');
    const r = await syncsimHere(['run', 't.csv', '--set', `writeback.policy=${plugin}`, '--set', 'writeback.params.backof_ms=5', '--out', 'o'], d);
    expect(r).toEqual({ code: 2, stdout: '', stderr: "syncsim: config: key 'writeback.params.backof_ms': unknown key; did you mean writeback.params.backoff_ms?\n" });
    expect(readdirSync(d)).toEqual(['t.csv']);
  });
});

describe("an unknown flag in a trace's flags column", () => {
  const MSYNC = 'the flags of msync are SYNC, ASYNC, INVALIDATE, CONTIGUOUS, KILLPAGES and DEACTIVATE (or their aliases, such as MS_SYNC), joined by |';
  it.each([
    ['the whole field: said once, with the flags of its op', '2,a,msync,0x10000000,8192,SYNK,,', `column flags: unknown flag; ${MSYNC} (got 'SYNK')`],
    ['one of several: that one named', '2,a,msync,0x10000000,8192,SYNC|INVALIDAT,,', `column flags: unknown flag 'INVALIDAT'; ${MSYNC} (got 'SYNC|INVALIDAT')`],
    ['of a map row', '0,a,map,0x20000000,8192,RANDUM,g,0', "column flags: unknown flag; the flags of map are SUBMAP, PRECIOUS, PRIVATE, RANDOM and SEQUENTIAL (or their aliases, such as MADV_RANDOM), joined by | (got 'RANDUM')"],
    ['of an op that takes none', '1,a,write,0x10000000,4096,SYNK,,', "column flags: unknown flag; write takes no flags (got 'SYNK')"],
  ])('%s', async (_, row, message) => {
    const d = withTrace();
    writeFileSync(join(d, 'bad.csv'), `# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000000,8192,,f,0\n${row}\n`);
    const r = await syncsimHere(['run', 'bad.csv', '--out', 'o', '--no-cache'], d);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `syncsim: bad.csv:4: ${message}\n` });
    expect(readdirSync(d).sort()).toEqual(['bad.csv', 't.csv']);
  });
});

describe("an unknown op in a trace's op column", () => {
  const OPS = 'unknown op (expected one of map, unmap, write, read, msync, wire, unwire)';
  it.each([
    ['writ', '; did you mean write?'],
    ['msnyc', '; did you mean msync?'],
    ['WRITE', '; did you mean write?'],
    ['scribble', ''],
  ])("'%s': the reader's message, then the op it is closest to (run, inspect, convert, a sweep's trace)", async (op, hint) => {
    const d = withTrace();
    writeFileSync(join(d, 'bad.csv'), `# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000000,8192,,f,0\n1,a,${op},0x10000000,4096,,,\n`);
    writeFileSync(join(d, 'e.yaml'), 'name: e\ntrace: { path: bad.csv }\ngrid:\n  device.channels: [1, 2]\n');
    const line = `syncsim: bad.csv:4: column op: ${OPS} (got '${op}')${hint}\n`;
    for (const args of [['run', 'bad.csv', '--out', 'o', '--no-cache'], ['inspect', 'bad.csv', '-q'], ['convert', 'bad.csv', '-o', 'bad.sst', '-q'], ['sweep', 'e.yaml', '--out', 'sw', '-q']]) {
      expect(await syncsimHere(args, d), args[0]).toEqual({ code: 2, stdout: '', stderr: line });
    }
    expect(readdirSync(d).sort()).toEqual(['bad.csv', 'e.yaml', 't.csv']);
  });
});

describe('an unknown parameter of a gen preset', () => {
  const SEQ = 'duration_s, tasks, footprint, rate, arrival, write_size, sync_every, sync_interval_us, sync_flags, sync_range, page_size';
  it.each([
    ['a letter dropped', ['gen', 'seq-writer', '--set', 'rat=500'], `preset 'seq-writer' has no parameter 'rat' (its parameters: ${SEQ}); did you mean rate?`],
    ['two letters swapped, to a file', ['gen', 'seq-writer', '--set', 'sync_evrey=4', '-o', 'x.csv'], `preset 'seq-writer' has no parameter 'sync_evrey' (its parameters: ${SEQ}); did you mean sync_every?`],
    ['case aside', ['gen', 'seq-writer', '--set', 'Footprint=1M'], `preset 'seq-writer' has no parameter 'Footprint' (its parameters: ${SEQ}); did you mean footprint?`],
    ['the start of one name', ['gen', 'seq-writer', '--set', 'write=4K'], `preset 'seq-writer' has no parameter 'write' (its parameters: ${SEQ}); did you mean write_size?`],
    ['the start of several names: no guess', ['gen', 'seq-writer', '--set', 'sync_=1'], `preset 'seq-writer' has no parameter 'sync_' (its parameters: ${SEQ})`],
    ['nothing close: the message as it was', ['gen', 'seq-writer', '--set', 'colour=red'], `preset 'seq-writer' has no parameter 'colour' (its parameters: ${SEQ})`],
  ])('%s (exit 2, nothing written)', async (_, args, message) => {
    const d = withTrace();
    const r = await syncsimHere(args, d);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `syncsim: ${message}\n` });
    expect(readdirSync(d)).toEqual(['t.csv']);
  });

  it('a bad value of a known parameter keeps its message, with no suggestion', async () => {
    const r = await syncsimHere(['gen', 'seq-writer', '--set', 'rate=fast']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: "syncsim: parameter 'rate' of preset 'seq-writer': must be a positive number (got 'fast')\n" });
  });
});
