/**
 * Where `syncsim run` and `syncsim sweep` keep binary trace caches unless
 * told (`--cache-dir`, `--no-cache`), and the checks of those two options.
 */
import { dirname, join, resolve } from 'node:path';
import { InputError } from './errors.ts';
import { CACHE_DIR_NAME } from '../traces/out-dir.ts';

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
