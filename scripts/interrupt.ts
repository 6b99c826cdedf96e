/**
 * What to clean up when a command is interrupted (Ctrl-C, kill): the
 * temporary files and directories of outputs that are written atomically
 * with traces/files.ts (`writeFileAtomic`, `StagingDir`, `TempFile`) and
 * would otherwise be left half-written beside them, and the trace that
 * `gen` and `import` write to standard output, which is ended with a line
 * saying it was cut short (stdout-trace.ts). Used by calibrate, validate,
 * convert, gen, import, report, compare and merge.
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

/** Cleanups to run if the process is interrupted, newest first. */
const cleanups: (() => void | string)[] = [];

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
  if (cleanups.length === 0) {
    for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  }
  cleanups.push(cleanup);
  return () => {
    const i = cleanups.lastIndexOf(cleanup);
    if (i >= 0) cleanups.splice(i, 1);
    if (cleanups.length === 0) {
      for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
    }
  };
}
