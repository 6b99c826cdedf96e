// How the syncsim command finds its code: the compiled JavaScript in dist/ when it was built from
// the sources as they are now, else the TypeScript sources through tsx. Plain JavaScript, so that
// deciding costs no TypeScript loading (scripts/syncsim.mjs, scripts/build.mjs and the tests use it).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The folders compiled to dist/ (tsconfig.build.json's `include`). */
export const SOURCE_DIRS = ['sim', 'traces', 'workloads', 'reports', 'scripts'];
/** Extensions of the files under SOURCE_DIRS the build compiles (.ts) or copies beside the output (the others). */
export const ASSET_EXTENSIONS = ['.c', '.mjs'];
/** Files under SOURCE_DIRS that are neither compiled nor copied: the launcher and the build's own scripts. */
export const NOT_BUILT = new Set(['scripts/syncsim.cjs', 'scripts/syncsim.mjs', 'scripts/launch.mjs', 'scripts/build.mjs', 'scripts/bundle.mjs', 'scripts/validator-code.mjs']);
/** Other files whose change changes the build: its configuration and its own scripts. */
const BUILD_INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs', 'scripts/bundle.mjs', 'scripts/validator-code.mjs'];
/**
 * The modules under scripts/ (no extension) that the build also bundles with what they import
 * (scripts/bundle.mjs): the command's entry, the worker threads' modules and the package's API
 * (package.json's export: a plugin's `import 'syncsim'` then shares the command's code). Each
 * one's bundle is dist/bundle/{@link bundleName}.js.
 */
export const BUNDLED = ['cli', 'sweep/worker', 'result-worker', 'lib'];
/** The file name (no extension) of module `rel`'s bundle in dist/bundle/: 'sweep/worker' -> 'sweep-worker'. */
export const bundleName = (rel) => rel.replaceAll('/', '-');
/**
 * The V8 flags of the `syncsim` command (its first line, `#!/usr/bin/env -S node ...`, carries
 * them; `npm run bench` gives its measured passes the same): a young generation of at most
 * 3 × 8 MiB instead of V8's 3 × 16, so that a long replay's peak RSS stops growing with its
 * length (README, "Benchmarks").
 */
export const NODE_FLAGS = ['--max-semi-space-size=8'];
/** The build stamp's name in dist/. */
export const STAMP = 'build-stamp.json';

/** The files a build reads, relative to `root` with `/` separators: BUILD_INPUTS, the .ts sources and the copied assets. */
export function sourceFiles(root) {
  const out = [...BUILD_INPUTS];
  const walk = (rel) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if ((p.endsWith('.ts') || ASSET_EXTENSIONS.some((x) => p.endsWith(x))) && !NOT_BUILT.has(p)) out.push(p);
    }
  };
  for (const d of SOURCE_DIRS) walk(d);
  return out;
}

/** The stamp of `files` under `root`: each one's path, mtime (ms) and size. */
export function stampOf(root, files) {
  return {
    files: files.map((f) => {
      const s = statSync(join(root, f));
      return [f, s.mtimeMs, s.size];
    }),
  };
}

/**
 * Which code the syncsim command under `root` runs: `{ compiled: true, entry }` (dist/bundle/cli.js,
 * or dist/scripts/cli.js from a build that made no bundle) when dist/ holds a finished build whose every source still has the size and mtime it had at the build
 * (a source that no longer exists is not a change: an installed package ships dist/ without the sources),
 * or when there are no sources to run; else `{ compiled: false, entry, why }` (scripts/cli.ts through tsx).
 * `SYNCSIM_TSX=1` in `env` always chooses the sources; `SYNCSIM_BUNDLE=0`, the compiled modules
 * rather than their bundle (an internal error's stack then names a module per source file).
 */
export function chooseEntry(root, env = process.env) {
  const compiled = () => {
    const bundle = join(root, 'dist', 'bundle', `${bundleName('cli')}.js`);
    return { compiled: true, entry: env.SYNCSIM_BUNDLE !== '0' && exists(bundle) ? bundle : join(root, 'dist', 'scripts', 'cli.js') };
  };
  const sources = (why) => ({ compiled: false, entry: join(root, 'scripts', 'cli.ts'), why });
  if (env.SYNCSIM_TSX === '1') return sources('SYNCSIM_TSX=1');
  // no sources to run (an installed package ships dist/ alone): dist/, without a stat of every
  // stamped file (each one missing threw; 12.7 ms of a command's start here, 2026-12-07)
  if (!exists(sources('').entry)) return compiled();
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, 'dist', STAMP), 'utf8'));
  } catch {
    return sources('no finished build in dist/');
  }
  for (const [file, mtimeMs, size] of stamp.files) {
    let s;
    try {
      s = statSync(join(root, file), { throwIfNoEntry: false });
    } catch {
      continue; // not readable (EACCES): as before, not a change
    }
    if (s === undefined) continue;
    if (s.mtimeMs !== mtimeMs || s.size !== size) return sources(`${file} changed since the build`);
  }
  return compiled();
}

function exists(p) {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
