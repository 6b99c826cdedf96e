/**
 * Where a configuration error came from: the `--set` or the line of the
 * config (or profile) file that gave the key it is about, added to a
 * ConfigError that does not yet say so.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../sim/config.ts';
import { setKey } from './config-sets.ts';
import { keyLine } from './yaml-file.ts';

/**
 * A ConfigError about a key, with where it came from: a `--set` of `sets` (laid over the file)
 * that gave a group holding the key or a key below it; else the line of the config file `file`
 * that writes the longest part of the key; else the `--set` sharing the longest part of it (a
 * sibling: `device.service.dist` for a missing `device.service.mean_us`), when longer than the
 * file's. A `--set` of the key itself leaves the message as it is (it names the key and its
 * value). Any other error as it is.
 */
export function located(e: unknown, file: string | undefined, sets: readonly string[]): unknown {
  if (!isPlainKeyError(e)) return e;
  const keyOf = (kv: string) => setKey(kv) ?? '';
  if (sets.some((kv) => keyOf(kv) === e.key)) return e;
  for (let i = sets.length - 1; i >= 0; i--) {
    const k = keyOf(sets[i]!);
    if (e.key.startsWith(`${k}.`) || k.startsWith(`${e.key}.`)) return new ConfigError(e.key, e.problem, `--set ${sets[i]}`);
  }
  const path = e.key.split('.');
  const inFile = file === undefined ? undefined : fileLocation(e.key, file);
  let best: { kv: string; depth: number } | undefined;
  for (const kv of sets) {
    const depth = sharedParts(keyOf(kv).split('.'), path);
    if (depth > 0 && depth >= (best?.depth ?? 0)) best = { kv, depth };
  }
  if (best && best.depth > (inFile?.depth ?? 0)) return new ConfigError(e.key, e.problem, `--set ${best.kv}`);
  return inFile ? new ConfigError(e.key, e.problem, inFile.where) : e;
}

/**
 * A ConfigError about a key, with the line of config file `file` that writes it ({@link
 * fileLocation}), unless one of `given` (keys given in code: the library's `set`) is the key, a
 * group holding it or a key below it: then, as a `--set` of the key, as it is. Any other error
 * (or no file) as it is.
 */
export function locatedInConfig(e: unknown, file: string | undefined, given: readonly string[]): unknown {
  if (!isPlainKeyError(e) || file === undefined) return e;
  if (given.some((k) => k === e.key || e.key.startsWith(`${k}.`) || k.startsWith(`${e.key}.`))) return e;
  return locatedInFile(e, file);
}

/** Whether `e` is a ConfigError about a key that does not yet say where it came from (a SamplesFileError names its own file and line). */
function isPlainKeyError(e: unknown): e is ConfigError {
  return e instanceof ConfigError && e.constructor === ConfigError && e.key !== '' && e.where === undefined;
}

/** How many leading parts `a` and `b` share. */
function sharedParts(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * A ConfigError of the config (or profile) file `file` that does not yet say where it came from,
 * with `FILE:LINE` of its key ({@link fileLocation}), or `FILE` alone (no key, or a file that
 * cannot be read again); any other error as it is.
 */
export function locatedInFile(e: unknown, file: string): unknown {
  if (!(e instanceof ConfigError) || e.constructor !== ConfigError || e.where !== undefined) return e;
  const at = e.key === '' ? undefined : fileLocation(e.key, file);
  return new ConfigError(e.key, e.problem, at?.where ?? file);
}

/**
 * Where in the YAML or JSON file `file` the dotted `key` is written: `FILE:LINE` of the longest
 * part of it the file writes (a key missing below a group it writes, a distribution's `cv`, is
 * placed at the group's line), `FILE` alone when it writes none, with that part's length (0:
 * none); undefined when the file cannot be read.
 */
function fileLocation(key: string, file: string): { where: string; depth: number } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const at = deepestKeyLine(text, key.split('.'));
  return at ? { where: `${file}:${at.line}`, depth: at.depth } : { where: file, depth: 0 };
}

/** The line of the longest leading part of `path` that YAML `text` writes (nested, or as one dotted top-level key), and that part's length. */
function deepestKeyLine(text: string, path: readonly string[]): { line: number; depth: number } | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const part = path.slice(0, depth);
    const line = keyLine(text, part) ?? dottedKeyLine(text, part.join('.'));
    if (line !== undefined) return { line, depth };
  }
  return undefined;
}

/** The 1-based line of `text` where `key` is written as one dotted key at the top level (`device.channels: 4`). */
function dottedKeyLine(text: string, key: string): number | undefined {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`${key}:`) || l.startsWith(`'${key}':`) || l.startsWith(`"${key}":`));
  return at < 0 ? undefined : at + 1;
}
