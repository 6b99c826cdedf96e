/**
 * Whether the module at `metaUrl` (its `import.meta.url`) is the script node was started with,
 * not one imported by another: compared by real paths, since node names the main module by its
 * real path while `process.argv[1]` keeps the symbolic links it was given (a checkout reached
 * through a link).
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Whether `metaUrl` is the main module's `import.meta.url` (false when there is none, or a path cannot be read). */
export function isMainModule(metaUrl: string): boolean {
  if (process.argv[1] === undefined) return false;
  try {
    return realpathSync(resolve(process.argv[1])) === realpathSync(fileURLToPath(metaUrl));
  } catch {
    return false;
  }
}
