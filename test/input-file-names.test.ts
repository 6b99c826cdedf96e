/**
 * The files a configuration names — a device profile file, an empirical samples file, a plugin
 * module — are named in errors as the CLI names its paths (showPath: relative to the working
 * directory when inside it), with what is wrong in plain words: exit 2, one line, no stack.
 * Until 2026-12-06 (latest) a problem inside a profile file, a malformed samples file and a
 * plugin that failed to load were named by their absolute paths, and a samples file that could
 * not be read was `cannot read FILE`, not saying what FILE was.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';

/** A working directory with a trace and, under sub/, the files the cases name. */
function workDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-named-files-'));
  writeFileSync(join(d, 't.csv'), 't_us,op,addr,len,object,offset\n0,map,0x1000,4096,f,0\n');
  mkdirSync(join(d, 'sub'));
  const files: Record<string, string> = {
    'typo.yaml': 'device:\n  profile: queue\n  chanels: 3\n',
    'nobase.yaml': 'device:\n  channels: 3\n',
    'bad.csv': 'latency_us\n80\nabc\n',
    'far.yaml': 'device:\n  profile: queue\n  service: { dist: empirical, file: ./missing.csv }\n',
    'throws.mjs': "const limit = 3;\nif (limit > 2) throw new Error('limit too high');\n",
    'none.mjs': 'export const x = 1;\n',
    't.csv': 't_us,op,addr,len,object,offset\n0,map,0x1000,4096,f,0\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, 'sub', name), text);
  return d;
}

/** [what a config file in sub/ gives, the message after `syncsim: config: `] */
const RUN_CASES: [string, string][] = [
  ['device:\n  profile: ./nowhere.yaml\n', "sub/c.yaml:2: key 'device.profile': cannot read profile file sub/nowhere.yaml: not found"],
  ['device:\n  profile: ./typo.yaml\n', "sub/typo.yaml:3: key 'device.chanels': unknown key; did you mean device.channels?"],
  ['device:\n  profile: ./nobase.yaml\n', "sub/nobase.yaml: key 'device.profile': a profile file must name its base profile, one of nvme, sata-ssd, hdd, ram, queue (got none)"],
  ['device:\n  profile: queue\n  read_latency: { dist: empirical, file: ./nowhere.csv }\n', "sub/c.yaml:3: key 'device.read_latency.file': cannot read samples file sub/nowhere.csv: not found"],
  ['device:\n  profile: ./far.yaml\n', "sub/far.yaml:3: key 'device.service.file': cannot read samples file sub/missing.csv: not found"],
  ['writeback:\n  policy: ./nowhere.mjs\n', "sub/c.yaml:2: key 'writeback.policy': cannot read plugin file sub/nowhere.mjs: not found"],
  ['writeback:\n  policy: ./throws.mjs\n', "sub/c.yaml:2: key 'writeback.policy': cannot load plugin sub/throws.mjs:2: Error: limit too high"],
  ['writeback:\n  policy: ./none.mjs\n', "sub/c.yaml:2: key 'writeback.policy': sub/none.mjs must export a writeback policy as its default export (or as 'policy'): definePolicy({ name, paramsSchema?, create(params, setup) returning { wake?, balance? } })"],
];

describe('a file a configuration names, from inside the working directory', () => {
  it.each(RUN_CASES)('run --config sub/c.yaml giving %j: named relative, exit 2, one line', async (config, message) => {
    const d = workDir();
    writeFileSync(join(d, 'sub', 'c.yaml'), config);
    const r = await syncsimHere(['run', 't.csv', '--config', 'sub/c.yaml', '--out', 'o', '--no-cache'], d);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `syncsim: config: ${message}\n` });
    expect(readdirSync(d).sort()).toEqual(['sub', 't.csv']);
  });

  it('a malformed samples file: FILE:LINE, relative', async () => {
    const d = workDir();
    writeFileSync(join(d, 'sub', 'c.yaml'), 'device:\n  profile: queue\n  service: { dist: empirical, file: ./bad.csv }\n');
    const r = await syncsimHere(['run', 't.csv', '--config', 'sub/c.yaml', '--out', 'o', '--no-cache'], d);
    expect(r).toEqual({ code: 2, stdout: '', stderr: "syncsim: sub/bad.csv:3: latency_us is not a non-negative number (got 'abc')\n" });
  });

  it('a sweep names them so too, and the key of a read_latency samples file (it said device.service.file)', async () => {
    const d = workDir();
    const sweep = async (base: string) => {
      writeFileSync(join(d, 'sub', 'x.yaml'), `name: x\ntrace: { path: t.csv }\nbase:\n  ${base}\ngrid:\n  personality: [linux]\n`);
      return syncsimHere(['sweep', 'sub/x.yaml', '--dry-run', '--out', 'sub/ox'], d);
    };
    expect(await sweep('device: { profile: queue, read_latency: { dist: empirical, file: ./nowhere.csv } }')).toEqual({ code: 2, stdout: '', stderr: "syncsim: sub/x.yaml:4: key 'device.read_latency.file': cannot read samples file sub/nowhere.csv: not found\n" });
    expect(await sweep('device.profile: ./typo.yaml')).toEqual({ code: 2, stdout: '', stderr: "syncsim: sub/x.yaml:3: sub/typo.yaml:3: key 'device.chanels': unknown key; did you mean device.channels?\n" });
    expect(await sweep('writeback.policy: ./throws.mjs')).toEqual({ code: 2, stdout: '', stderr: "syncsim: sub/x.yaml:4: grid point 1 (personality=\"linux\"): key 'writeback.policy': cannot load plugin sub/throws.mjs:2: Error: limit too high\n" });
    expect(readdirSync(join(d, 'sub'))).not.toContain('ox');
  });
});
