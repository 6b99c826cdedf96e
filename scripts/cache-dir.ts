/**
 * Where `syncsim run` and `syncsim sweep` keep binary trace caches unless
 * told (`--cache-dir`, `--no-cache`).
 */
import { dirname, join, resolve } from 'node:path';

/** The default cache directory for results written to `out`: `.trace-cache` beside it, or $SYNCSIM_CACHE_DIR. */
export function defaultCacheDir(out: string): string {
  return process.env.SYNCSIM_CACHE_DIR || join(dirname(resolve(out)), '.trace-cache');
}
