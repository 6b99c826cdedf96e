/**
 * The package as npm ships it (`npm run test:pack`, not part of `npm test`: installing the
 * dependencies takes half a minute): `npm pack` gives a tarball of the compiled JavaScript and
 * its declarations without the TypeScript sources; installed into a temporary directory, it is
 * used as a library from a plain .mjs script and from type-checked TypeScript, and its
 * `syncsim` command runs the compiled code.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseEntry } from '../scripts/launch.mjs';
import { generate, replay } from '../scripts/lib.ts';

const ROOT = resolve(import.meta.dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs `cmd args` in `cwd`; throws with its output unless it exits 0. */
function sh(cmd: string, args: string[], cwd: string, opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return String(r.stdout);
}

/** The README's library example: one generated trace under two writeback policies, the p99 of each as JSON. */
const P99_SCRIPT = `
import { generate, replay } from 'syncsim';
const trace = generate('db-checkpoint', { params: { duration_s: 2 }, seed: 1 });
const policies = { none: { policy: 'none' }, flusher: { policy: 'flusher', interval_ms: 100, expire_ms: 200 } };
const out = {};
for (const [name, writeback] of Object.entries(policies)) {
  const s = await replay(trace, { config: { personality: 'linux', writeback } });
  out[name] = s.sync.latency_us.p99;
}
console.log(JSON.stringify(out));
`;

/** TypeScript using the declarations: the one error expected is on the line marked. */
const TYPED = `
import { replay, type Summary } from 'syncsim';
const s: Summary = await replay([{ tNs: 0, op: 'map', addr: 0, len: 4096, object: 'f' }]);
const p99: number | null = s.sync.latency_us.p99;
const wrong: string = s.sync.count; // the expected error: a number is not a string
console.log(p99, wrong);
`;

let app: string;
let files: string[];

beforeAll(() => {
  if (!chooseEntry(ROOT).compiled) sh(process.execPath, ['scripts/build.mjs'], ROOT);
  const dir = mkdtempSync(join(tmpdir(), 'syncsim-pack-'));
  const [packed] = JSON.parse(sh(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT)) as { filename: string; files: { path: string }[] }[];
  files = packed!.files.map((f) => f.path);
  app = join(dir, 'app');
  sh('mkdir', ['-p', app], dir);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  sh(NPM, ['install', join(dir, packed!.filename), '--prefer-offline', '--no-audit', '--no-fund'], app);
});

describe('npm pack', () => {
  it('ships the compiled JavaScript, its declarations and the launcher, not the TypeScript sources', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'scripts/syncsim.cjs', 'scripts/syncsim.mjs', 'scripts/launch.mjs', 'dist/scripts/lib.js', 'dist/scripts/lib.d.ts',
      'dist/scripts/cli.js', 'dist/bundle/cli.js', 'dist/bundle/sweep-worker.js', 'dist/bundle/result-worker.js', 'dist/sim/config-validate.cjs', 'dist/scripts/record/shim.c', 'dist/build-stamp.json', 'dist/package.json']));
    // the manual: the README and the chapters it points to (the messages of run, calibrate and validate name docs/configuration.md and docs/validation.md)
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/configuration.md', 'docs/validation.md', 'docs/device.md', 'docs/semantics.md', 'docs/trace-format.md', 'docs/validation-grid.png']));
    expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('bench/'))).toEqual([]);
  });

  it("is a library a plain .mjs script imports: the README's two-policy p99s, as the sources compute them", async () => {
    writeFileSync(join(app, 'p99.mjs'), P99_SCRIPT);
    const got = JSON.parse(sh(process.execPath, ['p99.mjs'], app));
    const trace = generate('db-checkpoint', { params: { duration_s: 2 }, seed: 1 });
    const want = {
      none: (await replay(trace, { config: { personality: 'linux', writeback: { policy: 'none' } } })).sync.latency_us.p99,
      flusher: (await replay(trace, { config: { personality: 'linux', writeback: { policy: 'flusher', interval_ms: 100, expire_ms: 200 } } })).sync.latency_us.p99,
    };
    expect(got).toEqual(want);
  });

  it('has declarations TypeScript resolves: summary fields are typed, a wrong use is an error', () => {
    writeFileSync(join(app, 'typed.ts'), TYPED);
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck',
      '--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types'), 'typed.ts'], { cwd: app, encoding: 'utf8' });
    const errors = r.stdout.split('\n').filter((l) => /error TS/.test(l));
    expect(errors).toEqual([expect.stringMatching(/^typed\.ts\(5,7\): error TS2322: Type 'number' is not assignable to type 'string'\./)]);
  });

  it('installs the syncsim command, which runs the compiled code (the package has no sources)', () => {
    const bin = join(app, 'node_modules', '.bin', 'syncsim');
    expect(sh(bin, ['--version'], app)).toBe(`${JSON.parse(sh('cat', ['package.json'], ROOT)).version}\n`);
    writeFileSync(join(app, 't.csv'), '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x1000,8192,,f,0\n1,a,write,0x1000,4096,,,\n2,a,msync,0x1000,8192,SYNC,,\n');
    const s = JSON.parse(sh(bin, ['run', 't.csv', '--json', '--out', 'out'], app));
    expect(s.sync.count).toBe(1);
    expect(s.writeback.by_cause.msync).toBe(4096);
    expect(chooseEntry(join(app, 'node_modules', 'syncsim'))).toMatchObject({ compiled: true });
  });
});
