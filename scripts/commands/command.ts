/**
 * The shape of a `syncsim` subcommand, and the argument parsing they share.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { InputError } from '../errors.ts';

export interface Command {
  /** The word after `syncsim`. */
  name: string;
  /** One usage line for the overview, e.g. `run TRACE [options]`. */
  usage: string;
  /** What it does, a few words for the overview. */
  summary: string;
  /** The full `syncsim NAME --help` text. */
  help: string;
  /** Runs with the arguments after the command name; returns the exit code. Throws InputError / TraceError / ConfigError for bad input. */
  run(argv: string[]): Promise<number>;
}

/**
 * Parses a command's arguments with `node:util` parseArgs (positionals
 * allowed, `-h/--help` added); a parse error is an InputError that points to
 * `syncsim NAME --help`.
 */
export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(name: string, argv: string[], options: O) {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as const;
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: all as O & typeof all });
  } catch (e) {
    // node's parseArgs explains over several lines: one line, as every syncsim error
    throw new InputError(`${(e as Error).message.split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' ')} (try 'syncsim ${name} --help')`);
  }
}
