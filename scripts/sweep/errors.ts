/**
 * How a failed run's error is recorded: one line, located like the CLI's own messages
 * (`TRACE:LINE: column COL: what (got 'TEXT')` for an error of the trace), with file paths
 * replaced by names that do not depend on where the sweep directory is, so that records and
 * result files are the same whichever machine or directory made them. And the error that stops a
 * sweep whose own directory cannot be written at all (a full disk), which no run is recorded with.
 */
import { TraceSemanticError } from '../../sim/vm/vm.ts';
import { isAbsolute } from 'node:path';
import { escapeControl } from '../../traces/escape.ts';
import { OutDirError } from '../../traces/out-dir.ts';
import type { StorageRefused } from './tasks.ts';

/** Error types whose message is meant for the user as is; any other gets its type name in front. */
const USER_ERRORS = new Set(['Error', 'TraceError', 'ConfigError', 'InputError', 'PresetError', 'ParamError', 'CacheError', 'PluginError', 'TaskTimeout', 'OutDirError']);

/** `e` as one line; each `[path, shown]` pair replaces `path` by `shown` in the text. */
export function describeError(e: unknown, paths: readonly (readonly [string, string])[] = []): string {
  let msg: string;
  if (e instanceof TraceSemanticError) {
    msg = `${paths[0]?.[1] ?? 'trace'}:${e.line}: column ${e.column}: ${e.message} (got '${e.text}')`;
  } else if (e instanceof Error) {
    msg = USER_ERRORS.has(e.name) ? e.message : `${e.name}: ${e.message}`;
  } else msg = String(e);
  for (const [path, shown] of paths) msg = msg.split(path).join(shown);
  return escapeControl(msg.replace(/\s*[\r\n]+\s*/g, ' ').trim());
}

/** Error `e` (itself, its type kept) with `path` in its message replaced by `shown`, the name the sweep's messages give that file. */
export function pathShown(e: unknown, path: string, shown: string): unknown {
  if (e instanceof Error) e.message = e.message.split(path).join(shown);
  return e;
}

/** What to do before resuming a sweep stopped by the storage, by errno code. */
const REMEDY: Readonly<Record<string, string>> = {
  ENOSPC: 'there is space again',
  EDQUOT: 'the quota allows more',
  EROFS: 'the file system is writable again',
  EIO: 'the storage works again',
};

/**
 * The error that stops a sweep whose own directory `shown` (as messages name it) the storage
 * refused to write: the file, why, and that the same command resumes the sweep (exit 2).
 */
export function storageStopError(shown: string, refused: StorageRefused): OutDirError {
  const file = isAbsolute(refused.file) ? refused.file : `${shown}/${refused.file}`;
  return new OutDirError(
    `--out ${shown}: cannot write ${file} (${refused.message}); the sweep stopped, as every later run would fail alike: ` +
      `the runs finished are kept, and the same command again resumes it once ${REMEDY[refused.code] ?? 'the storage takes writes again'}`,
  );
}
