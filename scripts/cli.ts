/**
 * The syncsim command line: dispatches to the subcommands in scripts/commands/.
 */
import type { Command } from './commands/command.ts';
import { VERSION } from './version.ts';
import { escapeControl } from '../traces/escape.ts';
import { isWriteFailure } from '../traces/write-failures.ts';
import { commandEnded, guardStopSignals, STOP_SIGNALS } from './interrupt.ts';

/**
 * The subcommands, each loaded only when it runs (so `syncsim run` never loads
 * the charting libraries of `report`), in the order of the overview.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  run: async () => (await import('./commands/run.ts')).runCommand,
  gen: async () => (await import('./commands/gen.ts')).genCommand,
  import: async () => (await import('./commands/import.ts')).importCommand,
  inspect: async () => (await import('./commands/inspect.ts')).inspectCommand,
  convert: async () => (await import('./commands/convert.ts')).convertCommand,
  sweep: async () => (await import('./commands/sweep.ts')).sweepCommand,
  merge: async () => (await import('./commands/merge.ts')).mergeCommand,
  report: async () => (await import('./commands/report.ts')).reportCommand,
  calibrate: async () => (await import('./commands/calibrate.ts')).calibrateCommand,
  validate: async () => (await import('./commands/validate.ts')).validateCommand,
  record: async () => (await import('./commands/record.ts')).recordCommand,
  compare: async () => (await import('./commands/compare.ts')).compareCommand,
};

/** The widest usage whose summary starts on its line in the overview; a longer one's goes on the next, in the same column. */
const OVERVIEW_USAGE_COLUMN = 24;

async function overview(): Promise<string> {
  const { helpEntry, helpParagraph } = await import('./help-text.ts');
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const usages: [string, string][] = [...commands.map((c): [string, string] => [c.usage, c.summary]), ['--help | --version', 'this overview, or the version number']];
  const column = '  syncsim '.length + OVERVIEW_USAGE_COLUMN + 3;
  return [
    `syncsim ${VERSION} — trace-driven simulator of virtual-memory sync`,
    '',
    'Usage:',
    // wrapped before column 80 as a command's help is, every summary in one column
    ...usages.map(([usage, summary]) => usage.length <= OVERVIEW_USAGE_COLUMN ? helpEntry(`  syncsim ${usage}`, summary, column) : `  syncsim ${usage}\n${helpEntry('', summary, column)}`),
    '',
    helpParagraph("Run 'syncsim COMMAND --help' (or 'syncsim help COMMAND') for a command's options."),
    helpParagraph('Exit codes: 0 success, 2 bad input (trace, config, usage) or results that cannot be written, 1 internal error.'),
    helpParagraph('See docs/configuration.md for the configuration keys and README.md for the result fields.'),
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // a reader that goes away (syncsim inspect --json | head) ends the output, not the command with a stack trace
  if (!process.stdout.listeners('error').includes(ignoreClosedPipe)) process.stdout.on('error', ignoreClosedPipe);
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
      // `syncsim help COMMAND` (or --help COMMAND) is `syncsim COMMAND --help`
      if (rest.length > 0) return await commandHelp(cmd, rest);
      // asked for: the overview is the output; no command at all is a usage error, told on standard error
      (cmd === undefined ? process.stderr : process.stdout).write((await overview()) + '\n');
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === '--version' || cmd === '-V') {
      if (rest.length > 0) throw new (await import('./errors.ts')).InputError(`${cmd} takes no arguments (got ${rest.map((a) => `'${a}'`).join(' ')}; try 'syncsim ${cmd}' alone)`);
      process.stdout.write(VERSION + '\n');
      return 0;
    }
    const load = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
    // a misspelt command ends with the closest, as a misspelt option does: `unknown command 'compar' (...); did you mean compare?`
    if (!load) throw new (await import('./errors.ts')).InputError(`unknown command '${cmd}' (try 'syncsim --help')${await closestCommand(cmd, ['help'])}`);
    return await (await load()).run(rest);
  } catch (e) {
    return reportError(e, cmd);
  }
}

/**
 * The syncsim command's own process (scripts/syncsim.mjs): {@link main}, with Ctrl-C and kill answered
 * from its start to its exit (interrupt.ts, guardStopSignals), taking over from `early`, the launcher's
 * listener while this code loaded (removed only once the guard listens: a signal received meanwhile is
 * not lost); once `main` returns, a signal ends the process with its exit code (commandEnded), and so
 * does the process's end ({@link endWithCode}).
 */
export async function commandLine(argv: string[], early?: (sig: NodeJS.Signals) => void): Promise<number> {
  guardStopSignals(argv[0] ?? '');
  if (early !== undefined) for (const sig of STOP_SIGNALS) process.off(sig, early);
  const code = await main(argv);
  commandEnded(code);
  endWithCode(code);
  return code;
}

/**
 * Ends the process by `process.exit(code)` once nothing is left to do (its 'beforeExit': every
 * output written, the 'exit' listeners still run). Node's own end closes the signals' handles
 * first, which gives them back their default action, then frees its memory: a Ctrl-C in those
 * milliseconds ended the process by the signal, exit 130, its output whole and nothing said (user
 * trial 200, convert). Ended by `process.exit`, the process keeps its handlers to the last.
 */
function endWithCode(code: number): void {
  process.once('beforeExit', () => process.exit(code));
}

/**
 * `syncsim help COMMAND`: exactly what `syncsim COMMAND --help` prints (the command itself is
 * asked, so the two cannot differ). An unknown command name or more than one word is bad input.
 */
async function commandHelp(word: string, rest: string[]): Promise<number> {
  const { InputError } = await import('./errors.ts');
  if (rest.length > 1) throw new InputError(`${word} takes at most one COMMAND (got ${rest.length}: ${rest.map((a) => `'${a}'`).join(' ')}; try 'syncsim help COMMAND')`);
  const name = rest[0];
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) throw new InputError(`${word}: unknown command '${name}' (the commands: ${Object.keys(COMMANDS).join(', ')})${await closestCommand(name, [])}`);
  return (await load()).run(['--help']);
}

/** `; did you mean C?` naming the command (or one of `also`) closest to the misspelt `name`; '' when none is close. */
async function closestCommand(name: string, also: readonly string[]): Promise<string> {
  const { didYouMean } = await import('../sim/closest-name.ts');
  return didYouMean(name, [...Object.keys(COMMANDS), ...also]);
}

/**
 * Standard output's errors: once its reader has gone (EPIPE, and writes after it), ignored; a
 * write the storage refused (standard output a file on a full disk, /dev/full), one line and
 * exit 2; any other is thrown.
 */
function ignoreClosedPipe(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
  if (isWriteFailure(e)) {
    process.stderr.write(`syncsim: cannot write to standard output (${e.message})\n`);
    process.exit(2);
  }
  throw e;
}

/** Commands that read native traces: the error of a foreign trace's first line names the import to run ({@link importHint}). */
const NATIVE_READERS: ReadonlySet<string> = new Set(['run', 'inspect', 'convert']);

/** Prints a command's failure as the command line does (one line for bad input, else the stack) and gives its exit code (2 or 1). */
export async function reportError(e: unknown, command?: string): Promise<number> {
  // the error types are loaded only now: --version and --help need none of them
  if ((await import('./exit-code.ts')).exitCodeOf(e) === 2) {
    const errors = await import('./errors.ts');
    // a misspelt op of a native trace (run, inspect, convert, a sweep's trace) ends with the op it is closest to
    const hint = (command !== undefined && NATIVE_READERS.has(command) ? errors.importHint(e) : '') + errors.unknownOpHint(e);
    process.stderr.write(`syncsim: ${escapeControl((e as Error).message)}${hint}\n`);
    return 2;
  }
  // a write the storage refused that no command named (standard output written synchronously, say): the user's to fix
  if (isWriteFailure(e)) {
    process.stderr.write(`syncsim: cannot write (${escapeControl((e as Error).message)})\n`);
    return 2;
  }
  const stack = (e as Error).stack ?? String(e);
  // positions in the build's bundles (scripts/bundle.mjs) name chunks, not sources: say how to get module positions
  // (a stack frame's place only: a message naming a path under some dist/bundle/ is no bundle's position)
  const bundled = /^\s+at .*[\\/]dist[\\/]bundle[\\/]/m.test(stack) ? '\n(positions above are in syncsim\'s bundled code; SYNCSIM_BUNDLE=0 runs the same code as one module per source file)' : '';
  process.stderr.write(`syncsim: internal error: ${stack}${bundled}\n`);
  return 1;
}
