/**
 * The build's bundles (scripts/bundle.mjs): dist/bundle/cli.js and the worker threads' bundles
 * run the command on their own, and every module in them still finds the files beside its own
 * place in dist/ (the version, the config's compiled validator, the worker threads' boot file),
 * wherever dist/ lies. Checked on a copy of dist/ moved to a temporary directory, bundled there,
 * with every other compiled module of it deleted: what runs can only be the bundles.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleDist, placed } from '../scripts/bundle.mjs';
import { BUNDLED, bundleName, chooseEntry } from '../scripts/launch.mjs';
import { workerModule } from '../scripts/worker-module.ts';
import { SMALL_TRACE } from './out-fixtures.ts';
import { replay } from '../scripts/lib.ts';
import { reportError } from '../scripts/cli.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** Every file under `dir`, relative to it, with `/` separators. */
function filesUnder(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(dir, `${rel}${e.name}/`) : [`${rel}${e.name}`]);
}

describe('placed: a bundled module names its own place in dist/', () => {
  it('import.meta.url, dirname and filename name the module\'s file, from the bundle\'s folder', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-bundle-placed-'));
    mkdirSync(join(d, 'bundle'));
    const src = 'export const url = import.meta.url;\nexport const dir = import.meta.dirname;\nexport const file = import.meta.filename;\nexport const up = new URL("../package.json", import.meta.url).href;\n';
    writeFileSync(join(d, 'bundle', 'm.mjs'), placed(src, '../scripts/sweep/x.js'));
    const m = (await import(pathToFileURL(join(d, 'bundle', 'm.mjs')).href)) as Record<string, string>;
    expect({ ...m }).toEqual({
      url: pathToFileURL(join(d, 'scripts', 'sweep', 'x.js')).href,
      dir: join(d, 'scripts', 'sweep'),
      file: join(d, 'scripts', 'sweep', 'x.js'),
      up: pathToFileURL(join(d, 'scripts', 'package.json')).href,
    });
  });

  it('names the places also when dist/ is reached through a symbolic link (esbuild gives modules their real paths)', async () => {
    const real = mkdtempSync(join(tmpdir(), 'syncsim-bundle-real-'));
    mkdirSync(join(real, 'dist', 'scripts'), { recursive: true });
    cpSync(join(ROOT, 'dist', 'scripts', 'version.js'), join(real, 'dist', 'scripts', 'version.js'));
    writeFileSync(join(real, 'dist', 'scripts', 'cli.js'), "export { VERSION } from './version.js';\n");
    for (const r of BUNDLED.filter((r) => r !== 'cli')) {
      mkdirSync(join(real, 'dist', 'scripts', r, '..'), { recursive: true });
      writeFileSync(join(real, 'dist', 'scripts', `${r}.js`), "export const here = import.meta.url;\n");
    }
    writeFileSync(join(real, 'dist', 'package.json'), JSON.stringify({ type: 'module', version: '9.9.9' }));
    const link = `${real}-link`;
    symlinkSync(real, link);
    await bundleDist(join(link, 'dist'));
    expect(((await import(pathToFileURL(join(real, 'dist', 'bundle', 'cli.js')).href)) as { VERSION: string }).VERSION).toBe('9.9.9');
    expect(((await import(pathToFileURL(join(real, 'dist', 'bundle', 'result-worker.js')).href)) as { here: string }).here)
      .toBe(pathToFileURL(join(real, 'dist', 'scripts', 'result-worker.js')).href);
  });

  it('leaves a module without import.meta as it is', () => {
    const src = 'export const a = 1; // no place of its own\n';
    expect(placed(src, '../sim/a.js')).toBe(src);
  });

  it('refuses any other use of import.meta, which a bundle could not keep meaning the same', () => {
    expect(() => placed("export const r = import.meta.resolve('./b.js');\n", '../sim/a.js')).toThrow("../sim/a.js: 'import.meta.resolve('./b.js');': only import.meta.url, .dirname and .filename can be bundled");
    expect(() => placed('const { url } = import.meta;\n', '../sim/a.js')).toThrow(/only import\.meta\.url, \.dirname and \.filename can be bundled/);
    expect(() => placed('export const u = import.meta.urlish;\n', '../sim/a.js')).toThrow(/can be bundled/);
  });

  it('a dist/ it cannot bundle gets stand-ins that load dist/scripts/\'s modules, and the reason', async () => {
    const dist = join(mkdtempSync(join(tmpdir(), 'syncsim-bundle-stub-')), 'dist');
    mkdirSync(join(dist, 'scripts', 'sweep'), { recursive: true });
    writeFileSync(join(dist, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(dist, 'scripts', 'cli.js'), "export const where = import.meta.resolve('./x.js');\nexport async function main() { return 7; }\n");
    writeFileSync(join(dist, 'scripts', 'lib.js'), 'export const api = 1;\n');
    writeFileSync(join(dist, 'scripts', 'sweep', 'worker.js'), 'globalThis.__syncsimStubRan = (globalThis.__syncsimStubRan ?? 0) + 1;\n');
    writeFileSync(join(dist, 'scripts', 'result-worker.js'), '');
    const why = await bundleDist(dist);
    expect(why).toMatch(/scripts\/cli\.js: 'import\.meta\.resolve\('\.\/x\.js'\);': only import\.meta\.url, \.dirname and \.filename can be bundled/);
    expect(readdirSync(join(dist, 'bundle')).sort()).toEqual([...BUNDLED.map((r) => `${bundleName(r)}.js`), 'lib.d.ts'].sort());
    const cli = (await import(pathToFileURL(join(dist, 'bundle', 'cli.js')).href)) as { main: () => Promise<number> };
    expect(await cli.main()).toBe(7);
    expect(((await import(pathToFileURL(join(dist, 'bundle', 'lib.js')).href)) as { api: number }).api).toBe(1);
    await import(pathToFileURL(join(dist, 'bundle', 'sweep-worker.js')).href);
    expect((globalThis as { __syncsimStubRan?: number }).__syncsimStubRan).toBe(1);
    // without esbuild in node_modules: the same stand-ins, and Node's reason
    writeFileSync(join(dist, 'scripts', 'cli.js'), 'export async function main() { return 8; }\n');
    const missing = Object.assign(new Error("Cannot find package 'esbuild' imported from scripts/bundle.mjs"), { code: 'ERR_MODULE_NOT_FOUND' });
    expect(await bundleDist(dist, () => Promise.reject(missing))).toBe("Cannot find package 'esbuild' imported from scripts/bundle.mjs");
    expect(readFileSync(join(dist, 'bundle', 'cli.js'), 'utf8')).toBe('export * from "../scripts/cli.js";\n');
    expect(readdirSync(join(dist, 'bundle')).sort()).toEqual([...BUNDLED.map((r) => `${bundleName(r)}.js`), 'lib.d.ts'].sort());
  });
});

describe('workerModule: the module a worker thread starts from', () => {
  it('is the worker\'s bundle when dist/ is current, dist/scripts/\'s module under SYNCSIM_BUNDLE=0, the source otherwise', async () => {
    const compiled = chooseEntry(ROOT).compiled;
    const was = process.env.SYNCSIM_BUNDLE;
    try {
      delete process.env.SYNCSIM_BUNDLE;
      expect((await workerModule('sweep/worker')).href).toBe(pathToFileURL(compiled ? join(ROOT, 'dist', 'bundle', 'sweep-worker.js') : join(ROOT, 'scripts', 'sweep', 'worker.ts')).href);
      expect((await workerModule('result-worker')).href).toBe(pathToFileURL(compiled ? join(ROOT, 'dist', 'bundle', 'result-worker.js') : join(ROOT, 'scripts', 'result-worker.ts')).href);
      process.env.SYNCSIM_BUNDLE = '0';
      expect((await workerModule('sweep/worker')).href).toBe(pathToFileURL(compiled ? join(ROOT, 'dist', 'scripts', 'sweep', 'worker.js') : join(ROOT, 'scripts', 'sweep', 'worker.ts')).href);
    } finally {
      if (was === undefined) delete process.env.SYNCSIM_BUNDLE;
      else process.env.SYNCSIM_BUNDLE = was;
    }
  });
});

describe('the bundles of a dist/ moved elsewhere, its other modules deleted', () => {
  let root: string;
  let deleted: string[];
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'scripts', 'cli.js'))) throw new Error('no dist/ to copy: npm run build (npm ci runs it)');
    root = mkdtempSync(join(tmpdir(), 'syncsim-bundle-'));
    cpSync(join(ROOT, 'dist'), join(root, 'dist'), { recursive: true, filter: (p) => !p.startsWith(join(ROOT, 'dist', 'bundle')) });
    cpSync(join(ROOT, 'package.json'), join(root, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    expect(await bundleDist(join(root, 'dist'))).toBeUndefined();
    deleted = filesUnder(join(root, 'dist')).filter((f) => f.endsWith('.js') && !f.startsWith('bundle/'));
    for (const f of deleted) rmSync(join(root, 'dist', f));
    writeFileSync(join(root, 'run.mjs'), "const { main } = await import('./dist/bundle/cli.js');\nprocess.exitCode = await main(process.argv.slice(2));\n");
    writeFileSync(join(root, 't.csv'), SMALL_TRACE);
    writeFileSync(join(root, 'e.yaml'), 'name: e\ntrace: { path: t.csv }\ngrid:\n  device.channels: [1, 2]\n');
  });
  const syncsim = (args: string[]) => spawnSync(process.execPath, ['run.mjs', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('has one bundle per bundled module, and no other compiled module is left', () => {
    expect(BUNDLED.map((r) => existsSync(join(root, 'dist', 'bundle', `${bundleName(r)}.js`)))).toEqual(BUNDLED.map(() => true));
    // the API's declarations beside its bundle, for a TypeScript plugin importing it by its path
    expect(readFileSync(join(root, 'dist', 'bundle', 'lib.d.ts'), 'utf8')).toBe('export * from "../scripts/lib.js";\n');
    expect(existsSync(join(root, 'dist', 'scripts', 'lib.d.ts'))).toBe(true);
    expect(deleted).toEqual(expect.arrayContaining(['scripts/cli.js', 'scripts/sweep/worker.js', 'scripts/result-worker.js', 'scripts/lib.js', 'scripts/version.js', 'sim/config.js']));
  });

  it('--version: the package\'s version', () => {
    const r = syncsim(['--version']);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toBe(`${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  });

  it('run: the default configuration checked by the compiled validator, results written by the result thread\'s bundle', () => {
    const r = syncsim(['run', 't.csv', '--out', 'out']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('results: out');
    expect(filesUnder(join(root, 'out'))).toEqual(expect.arrayContaining(['summary.json', 'syncs.csv', 'writeback.csv']));
    // a configuration the validator refuses: its message, exit 2
    writeFileSync(join(root, 'bad.yaml'), 'device: { channels: -1 }\n');
    const bad = syncsim(['run', 't.csv', '--config', 'bad.yaml', '--out', 'out-bad']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^syncsim: .*bad\.yaml.*channels/);
  });

  it('the package\'s API (dist/bundle/lib.js, package.json\'s export) replays on its own, as the sources do', async () => {
    writeFileSync(join(root, 'api.mjs'), "const { replay } = await import('./dist/bundle/lib.js');\nconst s = await replay('t.csv');\nprocess.stdout.write(`${s.sync.count} ${s.writeback.bytes}\\n`);\n");
    const r = spawnSync(process.execPath, ['api.mjs'], { cwd: root, encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const s = await replay(join(root, 't.csv'));
    expect(r.stdout).toBe(`${s.sync.count} ${s.writeback.bytes}\n`);
    expect((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { default: string }> }).exports['.'].default).toBe('./dist/bundle/lib.js');
  });

  it('sweep --jobs 2: its runs replayed by the sweep worker\'s bundle', () => {
    const r = syncsim(['sweep', 'e.yaml', '--out', 'sw', '--jobs', '2']);
    expect(r.status, r.stderr).toBe(0);
    const rows = readFileSync(join(root, 'sw', 'results.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.map((c) => [c[2], c[4]])).toEqual([['1', 'ok'], ['2', 'ok']]);
    expect(readdirSync(join(root, 'sw', 'runs')).sort()).toEqual(rows.map((c) => c[0]).sort());
  });
});

describe('an internal error\'s hint at SYNCSIM_BUNDLE=0', () => {
  /** What reportError writes for an internal error with stack `stack`. */
  async function reported(stack: string): Promise<string> {
    const e = new TypeError('x');
    e.stack = stack;
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (writes.push(String(s)), true));
    try {
      expect(await reportError(e)).toBe(1);
    } finally {
      spy.mockRestore();
    }
    return writes.join('');
  }
  const HINT = 'SYNCSIM_BUNDLE=0 runs the same code';

  it('is given when a frame lies in a bundle\'s chunk, not when only the message names a path under a dist/bundle/', async () => {
    expect(await reported('TypeError: x\n    at f (file:///opt/syncsim/dist/bundle/chunk-AB12CD34.js:1:2)')).toContain(HINT);
    expect(await reported('TypeError: x\n    at /opt/syncsim/dist/bundle/cli.js:3:4')).toContain(HINT);
    expect(await reported("TypeError: cannot read '/home/me/dist/bundle/out.csv'\n    at f (file:///opt/syncsim/dist/scripts/run.js:1:2)")).not.toContain(HINT);
    expect(await reported('TypeError: x\n    at f (file:///opt/syncsim/dist/scripts/run.js:1:2)')).not.toContain(HINT);
  });
});
