/**
 * Where `syncsim run` and `syncsim sweep` keep binary trace caches unless
 * told (`--cache-dir`, `--no-cache`), and the checks of those two options.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { InputError } from './errors.ts';
import { CACHE_DIR_NAME, MARKER, readMarker } from '../traces/out-dir.ts';
import { showPath } from './sweep/store.ts';

/** The default cache directory for results written to `out`: `.trace-cache` beside it, or $SYNCSIM_CACHE_DIR. */
export function defaultCacheDir(out: string): string {
  return process.env.SYNCSIM_CACHE_DIR || join(dirname(resolve(out)), CACHE_DIR_NAME);
}

/** Refuses `--cache-dir` with `--no-cache` (which would silently win), and an empty `--cache-dir`. */
export function checkCacheOptions(values: { 'no-cache'?: boolean; 'cache-dir'?: string }): void {
  if (values['cache-dir'] === undefined) return;
  if (values['no-cache']) throw new InputError('--cache-dir and --no-cache: give one of them');
  if (values['cache-dir'] === '') throw new InputError('--cache-dir expects a directory (got an empty path)');
}

/**
 * The output directory of a syncsim command (one holding a `.syncsim` marker) that `cacheDir` is
 * or lies inside, the nearest one, with that command; undefined when there is none, or when
 * `cacheDir` is that directory's `.trace-cache` (a run's default cache, beside a --out inside it,
 * which replacing the directory accepts as syncsim's).
 */
export function outputHoldingCache(cacheDir: string): { dir: string; command: string } | undefined {
  const abs = resolve(cacheDir);
  for (let dir = abs; ; dir = dirname(dir)) {
    const marker = readMarker(dir);
    if (marker) return relative(dir, abs) === CACHE_DIR_NAME ? undefined : { dir, command: marker.command };
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Refuses (before any work) a cache directory `cacheDir` given as `what` (`--cache-dir` or
 * `$SYNCSIM_CACHE_DIR`) that is, or lies inside, the output of a syncsim command (a run's results,
 * a sweep, a report): syncsim writes into such a directory only that command's output, and a
 * trace cache there would make the next run given it as --out refuse it as holding files it did
 * not write. The message says so, and what to give instead.
 */
export function refuseOutputAsCache(cacheDir: string | undefined, what: '--cache-dir' | '$SYNCSIM_CACHE_DIR'): void {
  if (cacheDir === undefined || cacheDir === '') return;
  const held = outputHoldingCache(cacheDir);
  if (held === undefined) return;
  const where = resolve(cacheDir) === held.dir ? 'is' : `is inside ${showPath(held.dir)},`;
  const instead = what === '--cache-dir'
    ? 'give --cache-dir a directory of its own for trace caches (it is made if missing), or leave it out for the default, .trace-cache beside --out'
    : 'set $SYNCSIM_CACHE_DIR to a directory of its own for trace caches (it is made if missing), or unset it for the default, .trace-cache beside --out';
  throw new InputError(`${what} ${cacheDir}: not a cache directory: it ${where} the output directory of 'syncsim ${held.command}' (it holds a ${MARKER} marker), where syncsim writes nothing else; ${instead}`);
}
