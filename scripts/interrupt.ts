/**
 * What to clean up when a command is interrupted (Ctrl-C, kill): the
 * temporary files and directories of outputs that are written atomically
 * with traces/files.ts (`writeFileAtomic`, `StagingDir`, `TempFile`) and
 * would otherwise be left half-written beside them, and the trace that
 * `gen` and `import` write to standard output, which is ended with a line
 * saying it was cut short (stdout-trace.ts). Used by calibrate, validate,
 * convert, gen, import, report, compare and merge, and by run and sweep from
 * the moment they hold their output's lock until their own handlers
 * ({@link onStopSignal}) take over; `gen -o` and `measure:cpu` stop their
 * work through {@link onStopSignal} too. In the syncsim command's own process
 * ({@link guardStopSignals}) a signal that finds none of these in place is
 * answered too: before the command's output is in place, `interrupted` and
 * exit 128 + n; once it is ({@link outputInPlace}) or the command has ended
 * ({@link commandEnded}), the command has succeeded: a note, never 130.
 */

import { constants } from 'node:os';

/** The signals that stop a command as Ctrl-C does: interrupt, terminate, and a closed terminal (hang-up). */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The exit code of a command stopped by `sig`: 128 + its number (130 for SIGINT, 143 SIGTERM, 129 SIGHUP). */
export function signalExitCode(sig: NodeJS.Signals): number {
  return 128 + (constants.signals[sig] ?? 15);
}

/**
 * Ends the process as `sig` asks, once its cleanup is done: exit 128 + the signal's number; a
 * hang-up (SIGHUP) by the signal itself, its default action, as a shell reports it (129): after
 * a terminal closed, Node's own exit would try to restore that terminal and abort.
 */
export function endBySignal(sig: NodeJS.Signals): never {
  if (sig === 'SIGHUP') {
    // what runs at exit (an output's lock is released there), then the signal's default action
    process.exitCode = signalExitCode(sig);
    process.emit('exit', signalExitCode(sig));
    process.removeAllListeners('SIGHUP');
    process.kill(process.pid, 'SIGHUP');
  }
  process.exit(signalExitCode(sig));
}

/** Writes `text` to standard error if it can: after a hang-up the terminal is gone (EIO), which is not an error then. */
export function sayOnStop(text: string): void {
  process.stderr.on('error', () => {});
  try {
    process.stderr.write(text);
  } catch {
    // the terminal is gone
  }
}

/** The handlers of the stop signals in place, oldest first: each signal is handed to them all, in that order ({@link onStopSignal}). */
const handlers: ((sig: NodeJS.Signals) => void)[] = [];

/**
 * The process's one listener of the stop signals for {@link handlers}. Once added it stays: Node
 * drops a signal received while the thread was busy (loading a plugin, compiling TypeScript) if
 * the last listener goes before the signal is answered, even when another comes at once (a run's
 * lock guard giving way to its replay's handler). With no handler in place it does what no
 * listener at all would: the signal's default action ends the process, unless another listener
 * of the process's answers it; in the syncsim command's process ({@link guardStopSignals}) it
 * says so first, and once the command's output is in place or the command has ended it leaves
 * the handlers alone and keeps the command's exit code ({@link late}).
 */
function relay(sig: NodeJS.Signals): void {
  // the command's output is in place, or the command has ended: nothing is left to stop or clean up
  if (guard !== undefined && (guard.placed !== undefined || guard.ended !== undefined)) return late(sig, guard);
  if (handlers.length > 0) {
    for (const h of [...handlers]) h(sig);
    return;
  }
  if (process.listenerCount(sig) > 1) return;
  if (guard !== undefined) {
    // nothing of the command's to clean up: it has not begun, or it writes no file (inspect)
    sayOnStop(`\nsyncsim: interrupted (${sig}); nothing written\n`);
    endBySignal(sig);
  }
  process.off(sig, relay);
  process.kill(process.pid, sig);
}

/** What the syncsim command's process knows of its command, for the stop signals ({@link guardStopSignals}). */
interface Guard {
  /** The command's name (`convert`), for the notes. */
  command: string;
  /** The output the command put in place, as its messages name it ({@link outputInPlace}). */
  placed?: string;
  /** The command's exit code, once it has ended ({@link commandEnded}). */
  ended?: number;
  /** Whether a signal after the output was in place was said already. */
  told?: boolean;
}

/** Set in the syncsim command's own process only: in a test's or a program's, a signal no handler answers keeps its default action. */
let guard: Guard | undefined;

/**
 * A stop signal after the command's output was put in place or after the command ended: the command
 * has succeeded (or failed on its own), and the signal changes neither its output nor its exit code.
 * Once it has ended, the process exits at once with the command's code, a note saying so; before,
 * the command finishes (what is left is telling what it wrote), and a second signal ends it at once.
 * A hang-up still ends the process by the signal itself ({@link endBySignal}: the terminal is gone).
 */
function late(sig: NodeJS.Signals, g: Guard): void {
  if (sig === 'SIGHUP') endBySignal(sig);
  const complete = g.placed === undefined ? '' : `: ${g.placed} is complete`;
  if (g.ended !== undefined) {
    if (!g.told) sayOnStop(`\nsyncsim: note: ${sig} came after syncsim ${g.command} had ${g.ended === 0 ? 'finished' : 'ended'}${complete} (exit ${g.ended})\n`);
    process.exit(g.ended);
  }
  if (g.told) process.exit(process.exitCode ?? 0);
  g.told = true;
  sayOnStop(`\nsyncsim: note: ${sig} came after ${g.placed} was complete; syncsim ${g.command} finishes\n`);
}

/**
 * Called once by the syncsim command's process (scripts/cli.ts, `commandLine`) as it starts `command`:
 * from then on a stop signal that finds no handler in place says `interrupted (SIG); nothing written`
 * and exits 128 + n (a hang-up by the signal itself) instead of ending the process silently by its
 * default action (inspect; any command as it starts), and one after {@link outputInPlace} or
 * {@link commandEnded} is a note and the command's own exit code, never 130.
 */
export function guardStopSignals(command: string): void {
  guard ??= { command };
  for (const sig of STOP_SIGNALS) {
    if (!process.listeners(sig).includes(relay)) process.on(sig, relay);
  }
}

/**
 * Says that the command's output, `shown` (as its messages name it), is in place: renamed to its
 * final name, complete. A stop signal from then on no longer stops the command
 * ({@link guardStopSignals}). Does nothing outside the syncsim command's own process (a test's, a
 * library user's).
 */
export function outputInPlace(shown: string): void {
  if (guard !== undefined) guard.placed ??= shown;
}

/** Says that the command has ended with exit code `code`: a stop signal from then on ends the process with it ({@link guardStopSignals}). */
export function commandEnded(code: number): void {
  if (guard !== undefined) guard.ended = code;
}

/**
 * Calls `handler` on SIGINT, SIGTERM or SIGHUP until the returned function is called; handlers
 * in place together are called oldest first, as listeners of the process are. A signal received
 * while the thread was busy reaches the handlers in place when it is answered: one removed, then
 * another added before the thread is free, the new one gets it.
 */
export function onStopSignal(handler: (sig: NodeJS.Signals) => void): () => void {
  for (const sig of STOP_SIGNALS) {
    if (!process.listeners(sig).includes(relay)) process.on(sig, relay);
  }
  handlers.push(handler);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    handlers.splice(handlers.lastIndexOf(handler), 1);
  };
}

/** Cleanups to run if the process is interrupted, newest first. */
const cleanups: (() => void | string)[] = [];

/** Takes {@link onSignal} out of the stop signals' handlers, once no cleanup is left. */
let releaseCleanups = () => {};

function onSignal(sig: NodeJS.Signals): void {
  let said: string | undefined;
  for (const c of cleanups.splice(0).reverse()) {
    try {
      said = c() ?? said;
    } catch {
      // keep cleaning up
    }
  }
  sayOnStop(`\nsyncsim: interrupted (${sig}); ${said ?? 'nothing written'}\n`);
  endBySignal(sig);
}

/**
 * Runs `cleanup` if SIGINT, SIGTERM or SIGHUP arrives before the returned function is
 * called (then the process exits 130, 143 or 129). Nested registrations all run,
 * newest first. The message then says `nothing written`, or what a cleanup returns instead.
 */
export function cleanupOnInterrupt(cleanup: () => void | string): () => void {
  if (cleanups.length === 0) releaseCleanups = onStopSignal(onSignal);
  cleanups.push(cleanup);
  return () => {
    const i = cleanups.lastIndexOf(cleanup);
    if (i >= 0) cleanups.splice(i, 1);
    if (cleanups.length === 0) releaseCleanups();
  };
}
