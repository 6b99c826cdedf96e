/**
 * Plugins through the command line: `syncsim run` with plugin files named in
 * a config file or by --set (relative paths, parameters, errors: exit 2 with
 * the plugin and call named, with the plugin file's line where it threw; nothing written), and `syncsim sweep` over a
 * plugin's parameter (a failing run recorded while the others go on, a stuck
 * run ended by --run-timeout, run ids hashing the plugin's source). The CLI
 * runs in this process (`syncsimHere`; a sweep's workers are threads either
 * way), but for the cases about how the real loader reads a plugin file
 * (a TypeScript plugin through Node and tsx, a JavaScript plugin's syntax
 * error): in this process vitest's module runner would import and transform
 * the file instead (a syntax error says 'Failed to parse source for import
 * analysis'), so those run in a child process (test/workers/cli-cases.mjs:
 * the CLI's main, as the syncsim command runs it), one for a test's cases.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { syncsimHere } from './cli-here.ts';
import { makePlan } from '../scripts/sweep/plan.ts';
import { readExperiment } from '../scripts/sweep/experiment.ts';
import { hashOf, identityConfig } from '../scripts/sweep/identity.ts';
import { cliCases } from './cli-cases.ts';

const ROOT = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'syncsim-plugin-cli-'));
/** A small trace: two pages of f.dat stored, then read back after the first wake-ups (at 100 ms intervals). */
const DEMO = join(work, 'small.csv');
writeFileSync(DEMO, [
  '# syncsim-trace v1',
  't_us,task,op,addr,len,flags,object,offset',
  '0,a,map,0x10000000,65536,,f.dat,0',
  '100,a,write,0x10000000,8192,,,',
  '250000,a,read,0x10000000,8,,,',
  '',
].join('\n'));

/**
 * `syncsim ARGS` of each case, in its directory `cwd`, one after the other in one child process
 * (test/workers/cli-cases.mjs: the CLI's main, run as the syncsim command runs it), where the real
 * loader imports the plugins (see the file's comment): each one's exit code and output.
 */
function syncsimCases(cases: { args: string[]; cwd: string }[]): { code: number; stdout: string; stderr: string }[] {
  const ended = cliCases(cases);
  expect(ended).toHaveLength(cases.length);
  return ended;
}

/** A writeback policy plugin (plain JavaScript) whose wake-up does what its `mode` parameter says. */
const MODE_PLUGIN = `
export default {
  name: 'mode',
  paramsSchema: { type: 'object', additionalProperties: false, properties: { mode: { enum: ['ok', 'throw', 'spin', 'outside'], default: 'ok' } } },
  create(p) {
    return {
      wake(ctx) {
        if (p.mode === 'throw') throw new Error('boom');
        if (p.mode === 'spin') for (;;);
        if (p.mode === 'outside') { const o = ctx.objects()[0]; if (o) ctx.write(o, o.sizePages, 1); }
        for (const o of ctx.objects()) if (o.dirtyPages > 0) ctx.write(o, 0, Math.max(o.sizePages, 1));
      },
    };
  },
};
`;
mkdirSync(join(work, 'conf'));
writeFileSync(join(work, 'conf', 'mode.mjs'), MODE_PLUGIN);
const config = (mode: string) => {
  const f = join(work, 'conf', `${mode}.yaml`);
  writeFileSync(f, `writeback: { policy: ./mode.mjs, interval_ms: 100, params: { mode: ${mode} } }\n`);
  return f;
};

describe('syncsim run with plugins', () => {
  it('a plugin file named in a config file is relative to it; the summary keeps the name as written', async () => {
    const r = await syncsimHere(['run', DEMO, '--config', config('ok'), '--out', 'ok', '--json'], work);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.config.writeback).toMatchObject({ policy: './mode.mjs', params: { mode: 'ok' } });
    expect(s.writeback.by_cause.syncer).toBeGreaterThan(0);
    const sha = createHash('sha256').update(readFileSync(join(work, 'conf', 'mode.mjs'))).digest('hex');
    expect(s.provenance.plugin_sha256).toEqual({ 'writeback.policy': sha });
  });

  it('a plugin that throws: exit 2, one line naming the plugin, the call and the line of the plugin file, no stack, no results', async () => {
    const r = await syncsimHere(['run', DEMO, '--config', config('throw'), '--out', 'thrown'], work);
    expect([r.code, r.stderr]).toEqual([2, `syncsim: plugin './mode.mjs': wake(): threw Error: boom (at ${join(work, 'conf', 'mode.mjs')}:8)\n`]);
    expect(existsSync(join(work, 'thrown'))).toBe(false);
  });

  it("the line is the first frame in the plugin's file (a helper module it calls threw); a TypeScript plugin's, its source line; tsx's CommonJS compile under Node 20, the file alone", async () => {
    const d = mkdtempSync(join(work, 'place-'));
    const policy = (helper: string) => `import { fail } from './${helper}';\nexport default {\n  name: 'p',\n  create() {\n    return {\n      wake() {\n        fail('boom');\n      },\n    };\n  },\n};\n`;
    writeFileSync(join(d, 'helper.mjs'), 'export function fail(why) {\n  throw new Error(why);\n}\n');
    writeFileSync(join(d, 'p.mjs'), policy('helper.mjs'));
    const set = (p: string) => ['run', DEMO, '--set', `writeback.policy=${p}`, '--set', 'writeback.interval_ms=100', '--out', join(d, 'o')];
    const js = await syncsimHere(set(join(d, 'p.mjs')), work);
    expect([js.code, js.stderr]).toEqual([2, `syncsim: plugin '${join(d, 'p.mjs')}': wake(): threw Error: boom (at ${join(d, 'p.mjs')}:7)\n`]);
    // TypeScript, with a type annotation that shifts nothing: the source's line (an ES module: .mts, or a "type": "module" package);
    // a .ts file of a CommonJS package (no package.json here): Node 20 cannot load it, tsx compiles it into a data: URL without
    // the source's lines; Node 22 may load it itself, with them. Both in one child process, where Node and tsx load them
    const ts = policy('helper.mjs').replace('create() {', 'create(): { wake(): void } {');
    writeFileSync(join(d, 'p.mts'), ts);
    writeFileSync(join(d, 'p.ts'), ts);
    const [mts, cts] = syncsimCases([{ args: set(join(d, 'p.mts')), cwd: work }, { args: set(join(d, 'p.ts')), cwd: work }]);
    expect([mts!.code, mts!.stderr]).toEqual([2, `syncsim: plugin '${join(d, 'p.mts')}': wake(): threw Error: boom (at ${join(d, 'p.mts')}:7)\n`]);
    expect(cts!.code).toBe(2);
    expect([`syncsim: plugin '${join(d, 'p.ts')}': wake(): threw Error: boom (in ${join(d, 'p.ts')})\n`, `syncsim: plugin '${join(d, 'p.ts')}': wake(): threw Error: boom (at ${join(d, 'p.ts')}:7)\n`]).toContain(cts!.stderr);
    // a plugin that throws no Error (no stack): as before
    writeFileSync(join(d, 's.mjs'), "export default { name: 's', create: () => ({ wake() { throw 'boom'; } }) };\n");
    expect((await syncsimHere(set(join(d, 's.mjs')), work)).stderr).toBe(`syncsim: plugin '${join(d, 's.mjs')}': wake(): threw boom\n`);
  });

  it("a plugin writing outside an object: exit 2 naming ctx.write() and the plugin file's line that called it", async () => {
    const r = await syncsimHere(['run', DEMO, '--config', config('outside'), '--out', 'outside'], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`syncsim: plugin './mode.mjs': wake() ctx.write(): pages [16, 16 + 1) are not a range inside object 'f.dat' (pages 0 to 15) (at ${join(work, 'conf', 'mode.mjs')}:10)\n`);
  });

  it("a plugin that throws while its module loads: exit 2 naming the plugin file's line, as a syntax error does", async () => {
    const d = mkdtempSync(join(work, 'top-'));
    writeFileSync(join(d, 'top.mjs'), "const limit = 3;\nif (limit > 2) throw new Error('limit too high');\nexport default { name: 'top', create: () => ({ wake() {} }) };\n");
    const r = await syncsimHere(['run', DEMO, '--set', 'writeback.policy=./top.mjs', '--out', 'o'], d);
    // named relative to the working directory, as the CLI names paths (until 2026-12-06, latest, absolute)
    expect([r.code, r.stderr]).toEqual([2, "syncsim: config: key 'writeback.policy': cannot load plugin top.mjs:2: Error: limit too high\n"]);
    expect(existsSync(join(d, 'o'))).toBe(false);
  });

  it('a bad parameter, a missing file, parameters beside a built-in: exit 2 naming the key', async () => {
    const bad = await syncsimHere(['run', DEMO, '--config', config('ok'), '--set', 'writeback.params.mode=fast', '--out', 'x'], work);
    expect([bad.code, bad.stderr]).toEqual([2, "syncsim: config: key 'writeback.params.mode': must be one of ok, throw, spin, outside (got 'fast')\n"]);
    const missing = await syncsimHere(['run', DEMO, '--set', 'device.discipline=./nope.ts', '--out', 'x'], work);
    expect([missing.code, missing.stderr]).toEqual([2, `syncsim: config: key 'device.discipline': cannot read plugin file nope.ts: not found\n`]);
    // a --set of the group holding the key (writeback={...}) is relative to the working directory too, as one of the key,
    // and named as the --set that gave it (over the config file's line)
    const group = await syncsimHere(['run', DEMO, '--config', config('ok'), '--set', 'writeback={policy: ./nope.mjs}', '--out', 'x'], work);
    expect([group.code, group.stderr]).toEqual([2, `syncsim: config: --set writeback={policy: ./nope.mjs}: key 'writeback.policy': cannot read plugin file nope.mjs: not found\n`]);
    const builtin = await syncsimHere(['run', DEMO, '--set', 'device.discipline_params.x=1', '--out', 'x'], work);
    expect(builtin.code).toBe(2);
    expect(builtin.stderr).toContain("key 'device.discipline_params': parameters are for a plugin file; the built-in device.discipline 'fifo' takes none");
  });
  it("a plugin's key in a config file is named with the file's line, as a built-in key is; nothing written", async () => {
    const f = join(work, 'conf', 'lines.yaml');
    writeFileSync(f, 'personality: linux\nwriteback:\n  policy: ./mode.mjs\n  interval_ms: 100\n  params:\n    mode: fast\n');
    const bad = await syncsimHere(['run', DEMO, '--config', f, '--out', 'lines'], work);
    expect([bad.code, bad.stderr]).toEqual([2, `syncsim: config: ${f}:6: key 'writeback.params.mode': must be one of ok, throw, spin, outside (got 'fast')\n`]);
    writeFileSync(f, 'personality: linux\ndevice:\n  profile: hdd\n  discipline: ./nope.mjs\n');
    const missing = await syncsimHere(['run', DEMO, '--config', f, '--out', 'lines'], work);
    expect([missing.code, missing.stderr]).toEqual([2, `syncsim: config: ${f}:4: key 'device.discipline': cannot read plugin file ${join('conf', 'nope.mjs')}: not found\n`]);
    expect(existsSync(join(work, 'lines'))).toBe(false);
  });
});

describe('syncsim sweep over a plugin parameter', () => {
  /** An experiment sweeping the mode plugin's parameter over `modes`. */
  const experiment = (name: string, modes: string[]) => {
    const f = join(work, 'conf', `${name}.yaml`);
    writeFileSync(f, [
      `name: ${name}`,
      `trace: { path: ${DEMO} }`,
      'base: { writeback: { policy: ./mode.mjs, interval_ms: 100 } }',
      'grid:',
      `  writeback.params.mode: [${modes.join(', ')}]`,
      'seeds: 1',
      'metrics: [writeback.bytes]',
      '',
    ].join('\n'));
    return f;
  };
  const exp = experiment('modes', ['ok', 'throw']);
  const results = (dir: string) => (parseCsv(readFileSync(join(work, dir, 'results.csv'), 'utf8'), { columns: true }) as Record<string, string>[])
    .map((x) => [x['writeback.params.mode'], x.status, x.error]);

  it('a run whose plugin throws is recorded failed, naming the plugin and the call; the other runs', async () => {
    const r = await syncsimHere(['sweep', exp, '--out', 'modes', '--jobs', '2', '--no-cache'], work);
    expect(r.code).toBe(1);
    expect(results('modes')).toEqual([['ok', 'ok', ''], ['throw', 'failed', `plugin './mode.mjs': wake(): threw Error: boom (at ${join(work, 'conf', 'mode.mjs')}:8)`]]);
  });

  it('--run-timeout S ends a stuck run (a plugin looping for ever) and records it failed', async () => {
    const r = await syncsimHere(['sweep', experiment('stuck', ['spin']), '--out', 'stuck', '--no-cache', '--run-timeout', '1'], work);
    expect(r.code).toBe(1);
    expect(results('stuck')).toEqual([['spin', 'failed', 'the run took longer than --run-timeout 1 s (wall clock): its worker was stopped']]);
  });

  it("run ids hash the plugin's source; ids of experiments without plugins are as before", async () => {
    const before = (await makePlan(readExperiment(exp))).runs.map((x) => x.id);
    appendFileSync(join(work, 'conf', 'mode.mjs'), '// edited\n');
    const after = (await makePlan(readExperiment(exp))).runs.map((x) => x.id);
    expect(after.every((id, i) => id !== before[i])).toBe(true);
    const plain = await makePlan(readExperiment(join(ROOT, 'workloads', 'experiments', 'demo-personalities.yaml')));
    // (the configuration as a run's identity takes it: without the keys added since at their neutral value, identity.ts)
    for (const run of plain.runs) expect(run.id).toBe(hashOf({ config: identityConfig(run.config), trace: run.trace.identity }));
  });

  it('--run-timeout must be a positive number of seconds', async () => {
    const r = await syncsimHere(['sweep', exp, '--run-timeout', '0'], work);
    expect([r.code, r.stderr]).toEqual([2, "syncsim: --run-timeout expects a number of seconds > 0 and <= 1000000 (got '0')\n"]);
  });
});

describe('a TypeScript plugin in any folder', () => {
  it('loads with or without a package.json around it (commonjs, module); a syntax error names file, line and column', () => {
    const POLICY = "interface P { age_ms: number }\nexport default { name: 'all-dirty', create: (_p: P) => ({ wake(ctx: any) { for (const o of ctx.objects()) if (o.dirtyPages > 0) ctx.write(o, 0, Math.max(o.sizePages, 1)); } }) };\n";
    // (every case below in one child process, where Node and tsx load the plugins: syncsimCases)
    const dirs = [undefined, 'commonjs', 'module'].map((type) => {
      const d = mkdtempSync(join(work, 'ts-plugin-'));
      if (type) writeFileSync(join(d, 'package.json'), JSON.stringify({ type }));
      writeFileSync(join(d, 'my.ts'), POLICY);
      return d;
    });
    const d = mkdtempSync(join(work, 'ts-plugin-bad-'));
    writeFileSync(join(d, 'bad.ts'), "interface P { a: number }\nexport default { name: 'x', create: (p: P) => ({ wake( }) };\n");
    writeFileSync(join(d, 'bad.mjs'), "export default {\n  name: 'x',\n  create() {\n    return ;;; {\n  }\n};\n");
    const ended = syncsimCases([
      ...dirs.map((cwd) => ({ args: ['run', DEMO, '--set', 'writeback.policy=./my.ts', '--set', 'writeback.interval_ms=100', '--out', 'o', '--json'], cwd })),
      { args: ['run', DEMO, '--set', 'writeback.policy=./bad.ts', '--out', 'o'], cwd: d },
      { args: ['run', DEMO, '--set', 'writeback.policy=./bad.mjs', '--out', 'o'], cwd: d },
    ]);
    const outs: string[] = [];
    for (const [k, dir] of dirs.entries()) {
      expect(ended[k]!.code, ended[k]!.stderr).toBe(0);
      outs.push(readFileSync(join(dir, 'o', 'writeback.csv'), 'utf8'));
    }
    // the same policy wrote the same pages each time, and it did write them (by the plugin's cause)
    expect(new Set(outs).size).toBe(1);
    expect(outs[0]!.split('\n').length).toBeGreaterThan(2);
    const r = ended[3]!;
    expect(r.code).toBe(2);
    // syncsim's own words name it relative to the working directory; the loader's after them may name it absolute
    expect(r.stderr).toMatch(/^syncsim: config: key 'writeback.policy': cannot load plugin bad\.ts: TransformError: .*bad\.ts:2:\d+: ERROR: /);
    // a JavaScript plugin's syntax error names its line too (node's import of an ES module does not)
    const j = ended[4]!;
    expect(j.code).toBe(2);
    expect(j.stderr).toBe("syncsim: config: key 'writeback.policy': cannot load plugin bad.mjs:6: SyntaxError: Unexpected token ';'\n");
  });
});
