/**
 * Where V8 compiles a sweep's workers' optimised code. By default V8 compiles
 * hot functions on background threads while the function goes on running in
 * its slower tiers. When the sweep runs a worker on every core, those
 * background threads find no free core, and each worker runs its first
 * replays unoptimised for longer: on the development machine (2 vCPUs,
 * 2026-12-05, `bench/sweep.ts`, four pairs in turns) two workers made 6.32
 * runs/s on average with background compiling and 6.79 with each worker
 * compiling on its own thread (V8's `--no-concurrent-recompilation`), while
 * one worker made 4.43 against 4.24 (one worker leaves a core free for the
 * compiler). So a sweep with at least as many workers as cores makes V8
 * compile on the workers' own threads.
 */
import v8 from 'node:v8';

let set = false;

/** Whether a sweep of `jobs` workers on `cores` cores should compile on the workers' own threads: every core has a worker. */
export function compileOnWorkers(jobs: number, cores: number): boolean {
  return jobs >= 2 && jobs >= cores;
}

/**
 * Makes V8 compile optimised code on the thread that runs it, in every
 * isolate (worker thread) started from now on in this process (the flag is
 * the process's: the threads already running keep their background
 * compiler). Once per process.
 */
export function compileOnOwnThreads(): void {
  if (set) return;
  v8.setFlagsFromString('--no-concurrent-recompilation');
  set = true;
}
