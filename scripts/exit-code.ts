/**
 * The CLI's exit code for an error a command threw: the error types that are
 * the user's input, not a bug, give 2. A module of its own so that `syncsim
 * --version` and `--help` load none of them (scripts/cli.ts imports it only
 * when a command failed).
 */
import { TraceError } from '../traces/trace-error.ts';
import { ConfigError } from '../sim/config-error.ts';
import { InputError } from './errors.ts';
import { CacheError } from '../traces/cache.ts';
import { OutDirError } from '../traces/out-dir.ts';
import { PluginError } from '../sim/plugin/plugin.ts';

/** The error types that are the user's input, not a bug: one line on stderr and exit code 2. */
const INPUT_ERRORS = [TraceError, ConfigError, InputError, CacheError, OutDirError, PluginError] as const;

/** The exit code the CLI gives for error `e` thrown by a command: 2 for bad input, 1 for an internal error. */
export function exitCodeOf(e: unknown): 1 | 2 {
  return INPUT_ERRORS.some((t) => e instanceof t) ? 2 : 1;
}
