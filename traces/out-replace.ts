/**
 * Whether an existing output directory can be replaced: replacing it renames
 * it aside and removes it once the new output is in place, and that removal
 * needs every directory in it writable (and readable, to list it) and no file
 * in it immutable. One that could not be removed would be found only after the
 * new output had taken its place — and a directory made by another user (a run
 * under sudo), made read-only by its owner (`chmod -w`, `chattr +i`) or on a
 * read-only mount is refused before any work instead (traces/out-dir.ts).
 */
import { accessSync, constants, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The errno code of a failed check, or `error`. */
const codeOf = (e: unknown) => (e as NodeJS.ErrnoException)?.code ?? 'error';

/**
 * Why directory `dir` (shown as `shown`) could not be removed whole, from
 * the permissions of what is in it (links not followed): `syncsim cannot
 * remove what is in SHOWN/sub (EACCES)`, `SHOWN/f cannot be removed (EPERM:
 * immutable)`; undefined when it can be (as far as permissions tell: a file
 * made append-only is not seen until its removal fails).
 */
export function whyNotRemovable(dir: string, shown: string): string | undefined {
  // renamed aside, and the new output renamed into its place: neither can be done to a mount point (EBUSY)
  if (isMountPoint(dir)) return `${shown} is a mount point, which syncsim cannot rename aside to put its new output in place (a new directory inside it will do)`;
  const walk = (rel: string): string | undefined => {
    const path = rel === '' ? dir : join(dir, rel);
    const where = rel === '' ? shown : `${shown}/${rel}`;
    try {
      // listing it, and removing entries from it
      accessSync(path, constants.R_OK | constants.W_OK | constants.X_OK);
    } catch (e) {
      return `syncsim cannot remove what is in ${where} (${codeOf(e)})`;
    }
    let names: string[];
    try {
      names = readdirSync(path);
    } catch (e) {
      return `syncsim cannot list ${where} (${codeOf(e)})`;
    }
    for (const n of names) {
      const r = rel === '' ? n : `${rel}/${n}`;
      let st;
      try {
        st = lstatSync(join(dir, r));
      } catch {
        continue; // gone meanwhile
      }
      if (st.isDirectory()) {
        const why = walk(r);
        if (why !== undefined) return why;
        continue;
      }
      if (!st.isFile()) continue; // a link is removed whatever it points to
      try {
        accessSync(join(dir, r), constants.W_OK);
      } catch (e) {
        // EACCES (its mode) does not stop its removal from a writable directory; EPERM (immutable) and EROFS do
        const code = codeOf(e);
        if (code === 'EPERM' || code === 'EROFS') return `${shown}/${r} cannot be removed (${code}${code === 'EPERM' ? ': immutable' : ''})`;
      }
    }
    return undefined;
  };
  return walk('');
}

/** `\040`-style escapes of /proc/self/mountinfo (space, tab, newline, backslash) as the bytes they stand for. */
const unescapeMount = (field: string) => field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/**
 * Whether directory `dir` is a mount point: on another file system than its parent, or (a bind
 * mount of the same one) named as one in /proc/self/mountinfo, on Linux. False when that cannot
 * be told.
 */
export function isMountPoint(dir: string): boolean {
  try {
    const real = realpathSync(dir);
    if (statSync(real).dev !== statSync(dirname(real)).dev) return true;
    const table = readFileSync('/proc/self/mountinfo', 'utf8');
    return table.split('\n').some((line) => unescapeMount(line.split(' ')[4] ?? '') === real);
  } catch {
    return false;
  }
}
