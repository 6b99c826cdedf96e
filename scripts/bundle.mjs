// The build's last JavaScript step (scripts/build.mjs): the modules tsc wrote to dist/ for the
// command, its worker threads and the package's API, bundled by esbuild into dist/bundle/, one
// file per entry (BUNDLED: dist/bundle/cli.js, sweep-worker.js, result-worker.js, lib.js) and the
// chunks they share. A `syncsim run` loads about 45 files instead of about 220 modules (a sweep
// worker thread started in 60 % of the time here); code imported with `import()` stays in chunks of its
// own, loaded when it is, so `syncsim run` still does not load the report's or sweep's code.
// The npm packages stay outside (`packages: 'external'`), imported from node_modules as before.
//
// A module that finds files beside itself (`import.meta.url`, `import.meta.dirname`: the
// package's version, the C probes, the config's compiled validator, worker threads' boot files)
// still finds them beside its place in dist/: the bundle's copy of its code names that place,
// relative to dist/bundle/ (every output file is there, none in a subfolder), so a dist/ moved
// or installed elsewhere keeps working.
//
// Bundling is a speed-up, not a need: when it cannot be done (esbuild missing from node_modules,
// although tsx, a dependency, brings it; a module it cannot bundle faithfully), each bundle is a one-line module that
// loads its dist/scripts/ module ({@link stubBundles}), and the build says why on standard error.
import { mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { BUNDLED, bundleName } from './launch.mjs';

/**
 * Bundles `dist`'s entries (BUNDLED) into `dist`/bundle. Returns undefined when it did; else why
 * not (esbuild missing or failing), having written {@link stubBundles} instead. `loadEsbuild`:
 * imports esbuild (a stand-in in tests).
 */
export async function bundleDist(dist, loadEsbuild = () => import('esbuild')) {
  // esbuild names each module by its real path: a dist/ reached through a symbolic link (a linked
  // temporary directory, node --preserve-symlinks-main) would match none, leaving every place unnamed
  dist = realpathSync(dist);
  const outdir = join(dist, 'bundle');
  let why;
  try {
    await esbuildBundles(dist, outdir, (await loadEsbuild()).build);
  } catch (e) {
    stubBundles(outdir);
    why = reasonOf(e);
  }
  typesBeside(outdir);
  return why;
}

/** Why bundling failed, in a line: esbuild's own error says only 'Build failed with 1 error:'; its errors' texts say what. */
function reasonOf(e) {
  const first = e?.errors?.[0];
  if (first?.text) return `${first.location?.file ? `${first.location.file}: ` : ''}${first.text}`;
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/**
 * What stands for the bundles when there are none: dist/bundle/<name>.js re-exporting (or, for a
 * worker thread's module, loading) dist/scripts/<rel>.js, so that what names a bundle (the
 * launcher, the worker threads, the package's export) still finds the code.
 */
export function stubBundles(outdir) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  for (const rel of BUNDLED) {
    const target = JSON.stringify(`../scripts/${rel}.js`);
    writeFileSync(join(outdir, `${bundleName(rel)}.js`), WORKER_MODULES.has(rel) ? `import ${target};\n` : `export * from ${target};\n`);
  }
}

/**
 * dist/bundle/lib.d.ts: the API's declarations (dist/scripts/lib.d.ts) for a TypeScript plugin
 * that imports the bundle by its path.
 */
function typesBeside(outdir) {
  writeFileSync(join(outdir, `${bundleName('lib')}.d.ts`), `export * from ${JSON.stringify('../scripts/lib.js')};\n`);
}

/** The bundled modules that are worker threads' entries: they export nothing, they run. */
const WORKER_MODULES = new Set(['sweep/worker', 'result-worker']);

/** The esbuild run (`build`: esbuild's): throws its errors. */
async function esbuildBundles(dist, outdir, build) {
  rmSync(outdir, { recursive: true, force: true });
  const entryPoints = Object.fromEntries(BUNDLED.map((rel) => [bundleName(rel), join(dist, 'scripts', `${rel}.js`)]));
  await build({
    entryPoints, outdir, entryNames: '[name]', chunkNames: 'chunk-[hash]',
    bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20',
    packages: 'external', plugins: [keepPlaces(dist, outdir)], logLevel: 'silent', legalComments: 'none',
  });
}

/** esbuild plugin: each dist/ module's `import.meta.url`/`dirname`/`filename` name its own file in dist/, not the bundle's. */
function keepPlaces(dist, outdir) {
  return {
    name: 'syncsim-keep-module-places',
    setup(b) {
      // worker-module.js imports the launcher only when it runs from the TypeScript sources; the launcher is not in dist/
      b.onResolve({ filter: /(^|\/)launch\.mjs$/ }, () => ({ external: true }));
      b.onLoad({ filter: /\.js$/ }, async ({ path }) => {
        if (!path.startsWith(dist + sep)) return undefined;
        const src = await readFile(path, 'utf8');
        return { contents: src.includes('import.meta') ? placed(src, relative(outdir, path).split(sep).join('/')) : src, loader: 'js' };
      });
    },
  };
}

/**
 * `src` with its `import.meta` place names made relative to the bundle's folder: `rel` is the
 * module's path from there. Throws on any other use of `import.meta` (`import.meta.resolve`, the
 * object itself), which the bundle could not keep meaning the same.
 */
export function placed(src, rel) {
  const other = /import\.meta(?!\.(?:url|dirname|filename)\b)/.exec(src);
  if (other) throw new Error(`${rel}: '${src.slice(other.index, other.index + 30).split('\n')[0]}': only import.meta.url, .dirname and .filename can be bundled`);
  const relDir = rel.slice(0, rel.lastIndexOf('/'));
  const out = src
    .replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`)
    .replaceAll('import.meta.dirname', `__syncsimPath.join(import.meta.dirname, ${JSON.stringify(relDir)})`)
    .replaceAll('import.meta.filename', `__syncsimPath.join(import.meta.dirname, ${JSON.stringify(rel)})`);
  return out.includes('__syncsimPath') ? `import * as __syncsimPath from 'node:path';\n${out}` : out;
}
