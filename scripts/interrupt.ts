/**
 * What to clean up when a command is interrupted (Ctrl-C, kill): the
 * temporary files and directories of outputs that are written atomically
 * with traces/files.ts (`writeFileAtomic`, `StagingDir`, `TempFile`) and
 * would otherwise be left half-written beside them. Used by calibrate,
 * validate, convert, import and report.
 */

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
  process.exit(sig === 'SIGINT' ? 130 : 143);
}

/**
 * Runs `cleanup` if SIGINT or SIGTERM arrives before the returned function is
 * called (then the process exits 130 or 143). Nested registrations all run,
 * newest first.
 */
export function cleanupOnInterrupt(cleanup: () => void): () => void {
  if (cleanups.length === 0) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  cleanups.push(cleanup);
  return () => {
    const i = cleanups.lastIndexOf(cleanup);
    if (i >= 0) cleanups.splice(i, 1);
    if (cleanups.length === 0) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  };
}
