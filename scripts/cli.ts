/**
 * The syncsim command line: dispatches to the subcommands in scripts/commands/.
 */
import { TraceError } from '../traces/trace-error.ts';
import { ConfigError } from '../sim/config.ts';
import { InputError } from './errors.ts';
import { CacheError } from '../traces/cache.ts';
import { OutDirError } from '../traces/out-dir.ts';
import type { Command } from './commands/command.ts';
import { runCommand } from './commands/run.ts';
import { genCommand } from './commands/gen.ts';
import { importCommand } from './commands/import.ts';
import { inspectCommand } from './commands/inspect.ts';
import { convertCommand } from './commands/convert.ts';
import { sweepCommand } from './commands/sweep.ts';
import { mergeCommand } from './commands/merge.ts';
import { reportCommand } from './commands/report.ts';
import { calibrateCommand } from './commands/calibrate.ts';
import { validateCommand } from './commands/validate.ts';
import { recordCommand } from './commands/record.ts';
import { VERSION } from './version.ts';
import { escapeControl } from '../traces/escape.ts';

const COMMANDS: Command[] = [runCommand, genCommand, importCommand, inspectCommand, convertCommand, sweepCommand, mergeCommand, reportCommand, calibrateCommand, validateCommand, recordCommand].filter((c): c is Command => c !== null);

function overview(): string {
  const w = Math.max(...COMMANDS.map((c) => c.usage.length));
  return [
    `syncsim ${VERSION} — trace-driven simulator of virtual-memory sync`,
    '',
    'Usage:',
    ...COMMANDS.map((c) => `  syncsim ${c.usage.padEnd(w)}   ${c.summary}`),
    `  syncsim ${'--help | --version'.padEnd(w)}`,
    '',
    "Run 'syncsim COMMAND --help' for a command's options.",
    'Exit codes: 0 success, 2 bad input (trace, config, usage), 1 internal error.',
    'See README.md for the configuration keys and the result fields.',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const [cmd, ...rest] = argv;
    if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
      process.stdout.write(overview() + '\n');
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === '--version' || cmd === '-V') {
      process.stdout.write(VERSION + '\n');
      return 0;
    }
    const c = COMMANDS.find((x) => x.name === cmd);
    if (!c) throw new InputError(`unknown command '${cmd}' (try 'syncsim --help')`);
    return await c.run(rest);
  } catch (e) {
    if (exitCodeOf(e) === 2) {
      process.stderr.write(`syncsim: ${escapeControl((e as Error).message)}\n`);
      return 2;
    }
    process.stderr.write(`syncsim: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

/** The error types that are the user's input, not a bug: one line on stderr and exit code 2. */
const INPUT_ERRORS = [TraceError, ConfigError, InputError, CacheError, OutDirError] as const;

/** The exit code the CLI gives for error `e` thrown by a command: 2 for bad input, 1 for an internal error. */
export function exitCodeOf(e: unknown): 1 | 2 {
  return INPUT_ERRORS.some((t) => e instanceof t) ? 2 : 1;
}
