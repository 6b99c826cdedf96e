/**
 * The syncsim launcher (scripts/syncsim.cjs, the installed command, hands over to
 * scripts/syncsim.mjs; scripts/launch.mjs decides): the compiled dist/ runs only
 * while every source has the size and mtime the build stamp recorded; otherwise the TypeScript
 * sources run through tsx, so an edited source is never replaced by stale compiled code.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseEntry, NODE_FLAGS, sourceFiles, stampOf, STAMP } from '../scripts/launch.mjs';

const ROOT = resolve(import.meta.dirname, '..');

/** A file `rel` under `root` holding `text`, its directories made. */
function put(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

/**
 * A checkout in a temporary directory: one source (scripts/cli.ts) whose `main` prints
 * "sources", its compiled dist/scripts/cli.js printing "compiled", the real launcher, and a
 * build stamp of the sources as they are.
 */
function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'syncsim-launch-'));
  put(root, 'package.json', '{"type":"module"}\n');
  put(root, 'scripts/cli.ts', "export async function main(): Promise<number> { process.stdout.write('sources\\n'); return 0; }\n");
  put(root, 'dist/scripts/cli.js', "export async function main() { process.stdout.write('compiled\\n'); return 0; }\n");
  for (const f of ['syncsim.cjs', 'syncsim.mjs', 'launch.mjs']) copyFileSync(join(ROOT, 'scripts', f), join(root, 'scripts', f));
  stamp(root, ['package.json', 'scripts/cli.ts']);
  return root;
}

/** Writes dist/'s build stamp of `files` as they are now. */
function stamp(root: string, files: string[]): void {
  writeFileSync(join(root, 'dist', STAMP), JSON.stringify(stampOf(root, files)));
}

/** Moves the mtime of `rel` one second later, leaving its content as it is. */
function touch(root: string, rel: string): void {
  const later = new Date(Date.now() + 1000);
  utimesSync(join(root, rel), later, later);
}

describe('chooseEntry', () => {
  it('runs dist/ when every stamped source is as it was at the build', () => {
    const root = checkout();
    expect(chooseEntry(root, {})).toEqual({ compiled: true, entry: join(root, 'dist', 'scripts', 'cli.js') });
  });

  it('runs the bundle dist/bundle/cli.js when the build made one (scripts/bundle.mjs), and the command runs it', () => {
    const root = checkout();
    put(root, 'dist/bundle/cli.js', "export async function main() { process.stdout.write('bundled\\n'); return 0; }\n");
    expect(chooseEntry(root, {})).toEqual({ compiled: true, entry: join(root, 'dist', 'bundle', 'cli.js') });
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    expect(spawnSync(process.execPath, [join(root, 'scripts', 'syncsim.mjs')], { encoding: 'utf8' })).toMatchObject({ status: 0, stdout: 'bundled\n', stderr: '' });
    // SYNCSIM_BUNDLE=0: the compiled modules rather than their bundle
    expect(chooseEntry(root, { SYNCSIM_BUNDLE: '0' })).toEqual({ compiled: true, entry: join(root, 'dist', 'scripts', 'cli.js') });
    expect(spawnSync(process.execPath, [join(root, 'scripts', 'syncsim.mjs')], { encoding: 'utf8', env: { ...process.env, SYNCSIM_BUNDLE: '0' } })).toMatchObject({ status: 0, stdout: 'compiled\n', stderr: '' });
    // an edited source still runs the sources, bundle or not
    touch(root, 'scripts/cli.ts');
    expect(chooseEntry(root, {})).toMatchObject({ compiled: false, entry: join(root, 'scripts', 'cli.ts') });
  });

  it('runs the sources when a source was saved again after the build, naming it', () => {
    const root = checkout();
    touch(root, 'scripts/cli.ts');
    expect(chooseEntry(root, {})).toEqual({ compiled: false, entry: join(root, 'scripts', 'cli.ts'), why: 'scripts/cli.ts changed since the build' });
  });

  it('runs the sources when a source changed size, whatever its mtime', () => {
    const root = checkout();
    const file = join(root, 'scripts', 'cli.ts');
    const [, mtimeMs] = stampOf(root, ['scripts/cli.ts']).files[0]!;
    writeFileSync(file, "export async function main(): Promise<number> { return 1; }\n");
    utimesSync(file, new Date(mtimeMs), new Date(mtimeMs));
    expect(chooseEntry(root, {})).toMatchObject({ compiled: false, why: 'scripts/cli.ts changed since the build' });
  });

  it('runs the sources when dist/ has no finished build (no stamp: never built, or a build failed)', () => {
    const root = checkout();
    rmSync(join(root, 'dist', STAMP));
    expect(chooseEntry(root, {})).toMatchObject({ compiled: false, why: 'no finished build in dist/' });
  });

  it('runs the sources when package.json changed (the version dist/ carries)', () => {
    const root = checkout();
    touch(root, 'package.json');
    expect(chooseEntry(root, {})).toMatchObject({ compiled: false, why: 'package.json changed since the build' });
  });

  it('runs dist/ of an installed package, which ships no sources, even when its package.json changed', () => {
    const root = checkout();
    rmSync(join(root, 'scripts', 'cli.ts'));
    touch(root, 'package.json');
    expect(chooseEntry(root, {})).toMatchObject({ compiled: true });
    // and without a readable stamp at all (one from an older syncsim, or none): no sources, nothing else to run
    writeFileSync(join(root, 'dist', STAMP), '{not json');
    expect(chooseEntry(root, {})).toEqual({ compiled: true, entry: join(root, 'dist', 'scripts', 'cli.js') });
    rmSync(join(root, 'dist', STAMP));
    expect(chooseEntry(root, {})).toEqual({ compiled: true, entry: join(root, 'dist', 'scripts', 'cli.js') });
  });

  it('runs the sources under SYNCSIM_TSX=1', () => {
    expect(chooseEntry(checkout(), { SYNCSIM_TSX: '1' })).toMatchObject({ compiled: false, why: 'SYNCSIM_TSX=1' });
  });
});

describe('sourceFiles', () => {
  it("lists the build's inputs: the .ts sources, the assets beside them, package.json and the build script, not the launcher", () => {
    const files = sourceFiles(ROOT);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs', 'scripts/cli.ts', 'sim/config.ts', 'scripts/record/shim.c', 'scripts/sweep/worker-boot.mjs']));
    expect(files).not.toContain('scripts/syncsim.mjs');
    expect(files).not.toContain('scripts/launch.mjs');
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('dist/'))).toEqual([]);
  });
});

describe('scripts/syncsim.mjs', () => {
  it('runs the compiled main while the build is fresh and the TypeScript main through tsx after an edit', () => {
    const root = checkout();
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    const run = () => spawnSync(process.execPath, [join(root, 'scripts', 'syncsim.mjs')], { encoding: 'utf8' });
    expect(run()).toMatchObject({ status: 0, stdout: 'compiled\n', stderr: '' });
    touch(root, 'scripts/cli.ts');
    // not on a terminal: the fallback says nothing on stderr (tests compare it)
    expect(run()).toMatchObject({ status: 0, stdout: 'sources\n', stderr: '' });
  });

  it('is what scripts/syncsim.cjs, the installed command, runs for anything but --version, with the same arguments and exit status', () => {
    const root = checkout();
    put(root, 'dist/scripts/cli.js', "export async function main(args) { process.stdout.write(JSON.stringify(args) + '\\n'); return args.length; }\n");
    stamp(root, ['package.json', 'scripts/cli.ts']);
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'syncsim.cjs'), 'run', 'a b.csv', '--out', 'x'], { encoding: 'utf8' });
    expect([r.status, r.stdout, r.stderr]).toEqual([4, '["run","a b.csv","--out","x"]\n', '']);
    const bare = spawnSync(process.execPath, [join(root, 'scripts', 'syncsim.cjs')], { encoding: 'utf8' });
    expect([bare.status, bare.stdout]).toEqual([0, '[]\n']);
    rmSync(join(root, 'scripts', 'syncsim.mjs'));
    const broken = spawnSync(process.execPath, [join(root, 'scripts', 'syncsim.cjs'), 'run'], { encoding: 'utf8' });
    // a launcher that does not load is an internal error (exit 1, with the stack), not bad input
    expect([broken.status, broken.stdout]).toEqual([1, '']);
    expect(broken.stderr).toMatch(/^syncsim: internal error: Error.*syncsim\.mjs[\s\S]*\n    at /);
  });

  it("is package.json's bin, and both launchers are in the package's files", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] };
    expect(pkg.bin).toEqual({ syncsim: 'scripts/syncsim.cjs' });
    expect(pkg.files).toEqual(expect.arrayContaining(['scripts/syncsim.cjs', 'scripts/syncsim.mjs', 'scripts/launch.mjs']));
  });
});

describe('the precompiled config validator (scripts/validator-code.mjs)', () => {
  it('judges configurations exactly as the validator Ajv compiles at run time', async () => {
    const { createRequire } = await import('node:module');
    const { CONFIG_SCHEMA, CONFIG_VALIDATOR_OPTIONS } = await import('../sim/config.ts');
    const { validatorCode } = await import('../scripts/validator-code.mjs');
    const { Ajv } = await import('ajv');
    type V = ((x: unknown) => boolean) & { errors?: unknown[] | null };
    // the module's code run as CommonJS, its require()s (Ajv's runtime helpers) resolved from here
    const mod = { exports: {} as unknown };
    new Function('module', 'exports', 'require', validatorCode(CONFIG_SCHEMA, CONFIG_VALIDATOR_OPTIONS))(mod, mod.exports, createRequire(import.meta.url));
    const pre = mod.exports as V;
    const live = new Ajv(CONFIG_VALIDATOR_OPTIONS).compile(CONFIG_SCHEMA) as V;
    const cases: unknown[] = [{}, { personality: 'solaris' }, { page_size: 3 }, { device: { channels: 0, nope: 1 } }, { writeback: { policy: 'flusher', expire_ms: -1 } }, [], 'x'];
    for (const c of cases) {
      expect(pre(c)).toBe(live(c));
      expect(pre.errors ?? null).toEqual(live.errors ?? null);
    }
    expect(live({ personality: 'solaris' })).toBe(false); // the cases do exercise refusals
  });
});

describe('syncsim --version', () => {
  it('answers package.json\'s version before choosing the code, the same the CLI prints; with other arguments the CLI answers, refusing them', async () => {
    const { VERSION } = await import('../scripts/version.ts');
    for (const launcher of ['syncsim.cjs', 'syncsim.mjs']) {
      const bin = join(ROOT, 'scripts', launcher);
      for (const flag of ['--version', '-V']) {
        const r = spawnSync(process.execPath, [bin, flag], { encoding: 'utf8', env: { ...process.env, SYNCSIM_TSX: '1' } });
        expect([launcher, r.status, r.stdout, r.stderr]).toEqual([launcher, 0, `${VERSION}\n`, '']);
      }
      const both = spawnSync(process.execPath, [bin, '--version', 'x'], { encoding: 'utf8' });
      expect([launcher, both.status, both.stdout, both.stderr]).toEqual([launcher, 2, '', "syncsim: --version takes no arguments (got 'x'; try 'syncsim --version' alone)\n"]);
    }
  });
});

describe('the V8 flags of the syncsim command', () => {
  it('its first line runs node with NODE_FLAGS, which the process then has (executed as a program, as npm\'s bin link runs it)', () => {
    for (const launcher of ['syncsim.cjs', 'syncsim.mjs']) {
      const first = readFileSync(join(ROOT, 'scripts', launcher), 'utf8').split('\n')[0];
      expect([launcher, first]).toEqual([launcher, `#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`]);
    }
    // a checkout whose main prints the process's own flags, executed through its first line
    const root = checkout();
    put(root, 'dist/scripts/cli.js', "export async function main() { process.stdout.write(JSON.stringify(process.execArgv) + '\\n'); return 0; }\n");
    stamp(root, ['package.json', 'scripts/cli.ts']);
    for (const launcher of ['syncsim.cjs', 'syncsim.mjs']) {
      chmodSync(join(root, 'scripts', launcher), 0o755);
      const r = spawnSync(join(root, 'scripts', launcher), ['run'], { encoding: 'utf8' });
      expect([launcher, r.status, JSON.parse(r.stdout)]).toEqual([launcher, 0, NODE_FLAGS]);
    }
  });
});
