/**
 * Which file a worker thread runs: worker threads start from a module path, and
 * the code may be running from the compiled dist/ or from the TypeScript sources.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The module `scripts/<rel>` (no extension). In the compiled dist/: its bundle,
 * dist/bundle/<rel with '/' as '-'>.js (scripts/bundle.mjs; the thread loads a few files, not
 * every module), or `<rel>.js` beside this file when the build made none. From the sources: the
 * same files of dist/ when dist/ holds a finished build of the sources as they are (the
 * launcher's rule, scripts/launch.mjs: the thread then starts without compiling TypeScript), else
 * `<rel>.ts` through tsx (scripts/sweep/worker-boot.mjs registers it in the thread).
 * `SYNCSIM_TSX=1` chooses the sources.
 */
export async function workerModule(rel: string): Promise<URL> {
  if (!import.meta.url.endsWith('.ts')) return compiledModule(fileURLToPath(new URL('../', import.meta.url)), rel);
  const root = fileURLToPath(new URL('../', import.meta.url));
  // the launcher's module is not part of dist/: imported only here, from the sources
  const { chooseEntry } = await import('./launch.mjs');
  if (chooseEntry(root).compiled && existsSync(join(root, 'dist', 'scripts', `${rel}.js`))) return compiledModule(join(root, 'dist'), rel);
  return new URL(`./${rel}.ts`, import.meta.url);
}

/** In the compiled tree `dist`: module `rel`'s bundle when there is one (and `SYNCSIM_BUNDLE=0` is not set), else its own module. */
function compiledModule(dist: string, rel: string): URL {
  // the bundle's name: launch.mjs's bundleName (that module is not part of dist/, so not imported here)
  const bundle = join(dist, 'bundle', `${rel.replaceAll('/', '-')}.js`);
  return pathToFileURL(process.env.SYNCSIM_BUNDLE !== '0' && existsSync(bundle) ? bundle : join(dist, 'scripts', `${rel}.js`));
}
