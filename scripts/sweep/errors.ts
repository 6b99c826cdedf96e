/**
 * How a failed run's error is recorded: one line, located like the CLI's own messages
 * (`TRACE:LINE: column COL: what (got 'TEXT')` for an error of the trace), with file paths
 * replaced by names that do not depend on where the sweep directory is, so that records and
 * result files are the same whichever machine or directory made them.
 */
import { TraceSemanticError } from '../../sim/vm/vm.ts';
import { escapeControl } from '../../traces/escape.ts';

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
