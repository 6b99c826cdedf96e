/**
 * What to clean up when a command is interrupted (Ctrl-C, kill): the
 * temporary files and directories of outputs that are written atomically
 * with traces/files.ts (`writeFileAtomic`, `StagingDir`, `TempFile`) and
 * would otherwise be left half-written beside them. Used by calibrate,
 * validate, convert, import and report.
 */

import { constants } from 'node:os';

/** The signals that stop a command as Ctrl-C does: interrupt, terminate, and a closed terminal (hang-up). */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The exit code of a command stopped by `sig`: 128 + its number (130 for SIGINT, 143 SIGTERM, 129 SIGHUP). */
export function signalExitCode(sig: NodeJS.Signals): number {
  return 128 + (constants.signals[sig] ?? 15);
}

/** Cleanups to run if the process is interrupted, newest first. */
const cleanups: (() => void)[] = [];

function onSignal(sig: NodeJS.Signals): void {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      c();
    } catch {
      // keep cleaning up
    }
  }
  process.stderr.write(`\nsyncsim: interrupted (${sig}); nothing written\n`);
  process.exit(signalExitCode(sig));
}

/**
 * Runs `cleanup` if SIGINT, SIGTERM or SIGHUP arrives before the returned function is
 * called (then the process exits 130, 143 or 129). Nested registrations all run,
 * newest first.
 */
export function cleanupOnInterrupt(cleanup: () => void): () => void {
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
