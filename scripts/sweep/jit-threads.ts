/**
 * Where V8 compiles a sweep's workers' optimised code. By default V8 compiles
 * hot functions on background threads while the function goes on running in
 * its slower tiers. When the sweep runs a worker on every core, those
 * background threads find no free core, and (our reading; not measured
 * directly) each worker runs its first replays unoptimised for longer. On
 * the development machine (2 vCPUs,
 * 2026-12-05, `bench/sweep.ts`, four pairs in turns) two workers made 6.32
 * runs/s on average with background compiling and 6.79 with each worker
 * compiling on its own thread (V8's `--no-concurrent-recompilation`), while
 * one worker made 4.43 against 4.24 (one worker leaves a core free for the
 * compiler). So a sweep with at least as many workers as cores makes V8
 * compile on the workers' own threads.
 */
import v8 from 'node:v8';

/** Sweeps of this process that asked for it and have not ended. */
let holders = 0;

/** Whether a sweep of `jobs` workers on `cores` cores should compile on the workers' own threads: every core has a worker. */
export function compileOnWorkers(jobs: number, cores: number): boolean {
  return jobs >= 2 && jobs >= cores;
}

/**
 * Makes V8 compile optimised code on the thread that runs it, in every
 * isolate (worker thread) started from now on in this process, until the
 * function it returns is called (then, once no other sweep still holds it,
 * V8 compiles on background threads again for isolates started after).
 * The flag is the process's: a program that calls the library's `sweep`
 * has it set while the sweep runs. `setFlags`: V8's (a stand-in in tests).
 */
export function compileOnOwnThreads(setFlags: (flags: string) => void = (f) => v8.setFlagsFromString(f)): () => void {
  if (holders++ === 0) setFlags('--no-concurrent-recompilation');
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) setFlags('--concurrent-recompilation');
  };
}
