/**
 * Writing validation and calibration outputs atomically: single files through
 * a temporary file renamed into place, whole directories through a hidden
 * staging directory beside the target renamed into place when complete (an
 * existing target is replaced only then, and left as it was on failure).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Writes `data` to `path` via `path.tmp-PID` and a rename. */
export function writeFileAtomic(path: string, data: string | Buffer): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A directory being filled: `path` (hidden, beside `out`) until {@link commit} renames it to `out`. */
export class StagingDir {
  readonly out: string;
  readonly path: string;
  private done = false;

  constructor(out: string) {
    this.out = resolve(out);
    const parent = dirname(this.out);
    mkdirSync(parent, { recursive: true });
    // temporary directories of killed runs
    const prefix = `.${basename(this.out)}.`;
    for (const name of readdirSync(parent)) {
      const m = name.startsWith(prefix) ? /^(?:tmp|old)-(\d+)$/.exec(name.slice(prefix.length)) : null;
      if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) rmSync(join(parent, name), { recursive: true, force: true });
    }
    this.path = join(parent, `${prefix}tmp-${process.pid}`);
    rmSync(this.path, { recursive: true, force: true });
    mkdirSync(this.path);
  }

  /** Renames the staging directory to `out`, replacing what was there. */
  commit(): void {
    if (this.done) return;
    if (existsSync(this.out)) {
      const old = join(dirname(this.out), `.${basename(this.out)}.old-${process.pid}`);
      rmSync(old, { recursive: true, force: true });
      renameSync(this.out, old);
      renameSync(this.path, this.out);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(this.path, this.out);
    this.done = true;
  }

  /** Removes the staging directory; `out` is untouched. */
  abort(): void {
    if (this.done) return;
    rmSync(this.path, { recursive: true, force: true });
    this.done = true;
  }
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
