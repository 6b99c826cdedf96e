/**
 * Which file a worker thread runs: worker threads start from a module path, and
 * the code may be running from the compiled dist/ or from the TypeScript sources.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The module `scripts/<rel>` (no extension): `<rel>.js` beside this file in the compiled dist/;
 * from the sources, dist/'s `<rel>.js` too when dist/ holds a finished build of the sources as
 * they are (the launcher's rule, scripts/launch.mjs: the thread then starts without compiling
 * TypeScript), else `<rel>.ts` through tsx (scripts/sweep/worker-boot.mjs registers it in the
 * thread). `SYNCSIM_TSX=1` chooses the sources.
 */
export async function workerModule(rel: string): Promise<URL> {
  if (!import.meta.url.endsWith('.ts')) return new URL(`./${rel}.js`, import.meta.url);
  const root = fileURLToPath(new URL('../', import.meta.url));
  const compiled = join(root, 'dist', 'scripts', `${rel}.js`);
  // the launcher's module is not part of dist/: imported only here, from the sources
  const { chooseEntry } = await import('./launch.mjs');
  if (chooseEntry(root).compiled && existsSync(compiled)) return pathToFileURL(compiled);
  return new URL(`./${rel}.ts`, import.meta.url);
}
