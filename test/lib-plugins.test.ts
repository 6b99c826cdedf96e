/**
 * The library's replay loads the plugin files a configuration names as `syncsim run` does (a
 * config file's relative to it, a config object's and `set`'s relative to the working
 * directory), and records their hashes as run does: the README's example policy, in a project
 * that has installed syncsim, gives the same figures either way. Its `from 'syncsim'` loads in a
 * file inside a clone's directory too, and where Node finds no package the message says how.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate, replay, type Summary } from '../scripts/lib.ts';
import { syncsimHere } from './cli-here.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** The README's example writeback policy (the TypeScript block of "Plugins"). */
function readmePolicy(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('## Plugins: your own writeback policy');
  const code = /```ts\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
  expect(code).toContain("import { definePolicy } from 'syncsim';");
  return code;
}

/** What a replay's figures are, without what names the trace, the run and the plugin's path. */
const figures = (s: Summary) => ({ sync: s.sync, writeback: s.writeback, device: s.device, ops: s.ops, rows: s.trace.rows });

describe('replay with plugin files', () => {
  // a user's project: syncsim installed, the README's policy in sw/, a config file naming it
  const d = mkdtempSync(join(tmpdir(), 'syncsim-lib-plugin-'));
  const trace = join(d, 'db2.csv');
  const cfg = join(d, 'cfg.yaml');
  const policy = join(d, 'sw', 'write-old.ts');
  let cli: Summary;

  beforeAll(async () => {
    mkdirSync(join(d, 'node_modules'));
    symlinkSync(ROOT, join(d, 'node_modules', 'syncsim'));
    mkdirSync(join(d, 'sw'));
    writeFileSync(policy, readmePolicy());
    writeFileSync(cfg, 'personality: linux\nwriteback:\n  policy: ./sw/write-old.ts\n  params: { age_ms: 100 }\n');
    expect((await syncsimHere(['gen', 'db-checkpoint', '--set', 'duration_s=2', '--seed', '1', '-o', trace])).code).toBe(0);
    const run = await syncsimHere(['run', trace, '--config', cfg, '--seed', '1', '--json', '--no-cache', '--out', join(d, 'o-cli')]);
    expect(run.code, run.stderr).toBe(0);
    cli = JSON.parse(run.stdout) as Summary;
    // the policy ran: it wrote pages of its own before the msyncs did
    expect(cli.writeback.by_cause.syncer).toBeGreaterThan(0);
    expect(cli.provenance?.plugin_sha256?.['writeback.policy']).toMatch(/^[0-9a-f]{64}$/);
  }, 120_000);

  it('gives the figures and the plugin hash of syncsim run, from the config file (paths relative to it), a config object or set', async () => {
    const { provenance: _p, ...cliRest } = cli;
    const fromFile = await replay(trace, { config: cfg, seed: 1, out: join(d, 'o-lib') });
    const { provenance, ...libRest } = fromFile;
    expect(libRest).toEqual(cliRest);
    // replay's summary always has its provenance, and is typed so (read without a check: tsc refused it while typed optional)
    expect(provenance.plugin_sha256).toEqual(cli.provenance?.plugin_sha256);
    const traceSha: string = provenance.trace_sha256;
    expect(traceSha).toMatch(/^[0-9a-f]{64}$/);
    // the result files too: summary.json records the hash as run's does
    expect(JSON.parse(readFileSync(join(d, 'o-lib', 'summary.json'), 'utf8')).provenance.plugin_sha256).toEqual(cli.provenance?.plugin_sha256);
    // a config object and set: paths relative to the working directory (absolute here)
    const fromObject = await replay(trace, { config: { personality: 'linux', writeback: { policy, params: { age_ms: 100 } } }, seed: 1 });
    const fromSet = await replay(trace, { config: cfg, set: { 'writeback.policy': policy }, seed: 1 });
    for (const s of [fromObject, fromSet]) {
      expect(figures(s)).toEqual(figures(cli));
      expect(s.provenance?.plugin_sha256).toEqual(cli.provenance?.plugin_sha256);
    }
    // rows given in code (the same preset's, generated in code) load it too
    const rows = await replay(generate('db-checkpoint', { params: { duration_s: 2 }, seed: 1 }), { config: cfg, seed: 1 });
    expect(figures(rows)).toEqual(figures(cli));
  }, 120_000);

  it("resolves a set's or a config object's relative path against the working directory, as run's --set", async () => {
    // named relative to the working directory, as the CLI names paths inside it (until 2026-12-06, absolute)
    const missing = `config: key 'writeback.policy': cannot read plugin file ${join('sw', 'write-old.ts')}: not found`;
    await expect(replay(trace, { config: cfg, set: { 'writeback.policy': './sw/write-old.ts' } })).rejects.toThrow(missing);
    await expect(replay(trace, { config: cfg, set: { writeback: { policy: './sw/write-old.ts' } } })).rejects.toThrow(missing);
    await expect(replay(trace, { config: { writeback: { policy: './sw/write-old.ts' } } })).rejects.toThrow(missing);
    // the plugin's parameters are checked against its schema, as run checks them
    await expect(replay(trace, { config: cfg, set: { 'writeback.params.agems': 5 } })).rejects.toThrow("config: key 'writeback.params.agems': unknown key");
  });

  it('names the line of a config file that writes a bad key, as run does (a plugin parameter, a plugin file, a built-in key)', async () => {
    const f = join(d, 'bad.yaml');
    writeFileSync(f, 'personality: linux\nwriteback:\n  policy: ./sw/write-old.ts\n  params:\n    age_ms: -1\n');
    await expect(replay(trace, { config: f })).rejects.toThrow(`config: ${f}:5: key 'writeback.params.age_ms': must be >= 0 (got -1)`);
    writeFileSync(f, 'personality: linux\nwriteback:\n  policy: ./sw/nope.ts\n');
    await expect(replay(trace, { config: f })).rejects.toThrow(`config: ${f}:3: key 'writeback.policy': cannot read plugin file ${join(d, 'sw', 'nope.ts')}: not found`);
    writeFileSync(f, 'personality: linux\nwriteback:\n  polcy: flusher\n');
    await expect(replay(trace, { config: f })).rejects.toThrow(`config: ${f}:3: key 'writeback.polcy': unknown key; did you mean writeback.policy?`);
    // a key that set gives is not the file's: named by the message alone, as a --set of the key
    await expect(replay(trace, { config: cfg, set: { 'writeback.params.age_ms': -1 } })).rejects.toThrow(/^config: key 'writeback\.params\.age_ms': must be >= 0 \(got -1\)$/);
  });
});

describe("a plugin's import of 'syncsim' itself", () => {
  it("loads in a file inside the package's directory (Node's self-reference through package.json's exports), as from a clone", async () => {
    // a clone: syncsim's package.json, its dist/ (the build), and the README's policy in a folder of it
    const clone = mkdtempSync(join(tmpdir(), 'syncsim-clone-'));
    writeFileSync(join(clone, 'package.json'), readFileSync(join(ROOT, 'package.json')));
    symlinkSync(join(ROOT, 'dist'), join(clone, 'dist'));
    mkdirSync(join(clone, 'exp'));
    writeFileSync(join(clone, 'exp', 'write-old.ts'), readmePolicy());
    writeFileSync(join(clone, 'exp', 'write-old.mjs'), "import { definePolicy } from 'syncsim';\nexport default definePolicy({ name: 'm', create: () => ({ wake() {} }) });\n");
    const trace = join(clone, 'exp', 't.csv');
    expect((await syncsimHere(['gen', 'db-checkpoint', '--set', 'duration_s=0.2', '-o', trace])).code).toBe(0);
    for (const policy of ['./write-old.ts', './write-old.mjs']) {
      const r = await syncsimHere(['run', 't.csv', '--set', `writeback.policy=${policy}`, '--json', '--no-cache', '--out', `o${policy.slice(-3)}`], join(clone, 'exp'));
      expect(r.code, r.stderr).toBe(0);
    }
  }, 60_000);

  it("outside a project that installed it, fails to load with where Node finds it", async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-no-package-'));
    writeFileSync(join(d, 'write-old.ts'), readmePolicy());
    writeFileSync(join(d, 'write-old.mjs'), "import { definePolicy } from 'syncsim';\nexport default definePolicy({ name: 'm', create: () => ({ wake() {} }) });\n");
    const trace = join(d, 't.csv');
    expect((await syncsimHere(['gen', 'db-checkpoint', '--set', 'duration_s=0.2', '-o', trace])).code).toBe(0);
    for (const policy of ['./write-old.ts', './write-old.mjs']) {
      const r = await syncsimHere(['run', 't.csv', '--set', `writeback.policy=${policy}`, '--out', 'o'], d);
      expect(r.code).toBe(2);
      // the plugin named as the CLI names paths, relative to the working directory (until 2026-12-06, latest, absolute)
      expect(r.stderr).toMatch(/^syncsim: config: key 'writeback\.policy': cannot load plugin write-old\.(ts|mjs): Error: Cannot find (module|package) 'syncsim'/);
      expect(r.stderr).toContain(`(a plugin finds 'syncsim' installed in its project (npm install ${ROOT}; or 'npm link' in ${ROOT}, then 'npm link syncsim' in the plugin's project), or when it lies inside ${ROOT}, whose package.json names the package; or import ${join(ROOT, 'dist', 'bundle', 'lib.js')} by its path; README, "Plugins")\n`);
    }
    // the path the message gives loads it
    writeFileSync(join(d, 'by-path.ts'), readmePolicy().replace("from 'syncsim'", `from '${join(ROOT, 'dist', 'bundle', 'lib.js')}'`));
    const ok = await syncsimHere(['run', 't.csv', '--set', 'writeback.policy=./by-path.ts', '--out', 'p'], d);
    expect(ok.code, ok.stderr).toBe(0);
  }, 60_000);
});
