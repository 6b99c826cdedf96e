/**
 * The shape of a `syncsim` subcommand.
 */
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
