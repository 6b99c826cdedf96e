/**
 * The CPU-cost probe (cpu-costs.c): compiling it with the system `cc` and
 * running it on a directory's file system. Shared by `npm run measure:cpu`
 * and `syncsim calibrate`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { basename, join } from 'node:path';

const PROBE_SOURCE = new URL('./cpu-costs.c', import.meta.url).pathname;

/** Whether a C compiler (`cc`) is on the PATH. */
export function haveCc(): boolean {
  const r = spawnSync('cc', ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

/** Compiles C file `source` into the binary `bin` with the system `cc`; returns `bin`. Throws with the compiler's message. */
export function compileC(source: string, bin: string): string {
  const r = spawnSync('cc', ['-O2', '-o', bin, source], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cc -O2 -o ${bin} ${basename(source)}: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`);
  return bin;
}

/** Compiles the probe into `workDir`; returns the binary's path. Throws with the compiler's message. */
export function compileProbe(workDir: string): string {
  return compileC(PROBE_SOURCE, join(workDir, 'cpu-costs'));
}

/**
 * Runs the compiled probe `bin` with `args` and resolves with its standard
 * output; rejects, naming it `what`, with its standard error when it fails.
 * `onChild` receives the process (to stop it on a signal).
 */
export function runBinary(what: string, bin: string, args: readonly string[], onChild?: (child: ChildProcess) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    onChild?.(child);
    let out = '', err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => (code === 0 ? resolve(out) : reject(new Error(`${what} ${signal ? `was killed by ${signal}` : `exited ${code}`}: ${err.trim()}`))));
  });
}

/**
 * Builds the C probe `source` into `work` (a binary of its name) and runs it
 * with `args`, naming it `what` in errors: what `parse` makes of its output,
 * or why there is none (no C compiler; the build, the run or `parse` failed).
 * The calibration's probes of a single figure (segment, FLUSH gap, page-in).
 */
export async function runCProbe<T>(source: string, work: string, what: string, args: readonly string[], parse: (out: string) => T, onChild?: (child: ChildProcess) => void): Promise<{ value: T } | { reason: string }> {
  const file = basename(source);
  if (!haveCc()) return { reason: `no C compiler (cc) to build the probe ${file} (apt-get install gcc libc6-dev)` };
  try {
    const bin = compileC(source, join(work, file.replace(/\.c$/, '')));
    return { value: parse(await runBinary(what, bin, args, onChild)) };
  } catch (e) {
    return { reason: `the probe failed (${(e as Error).message})` };
  }
}

/**
 * Runs the probe on `dir` (its files go there) for `reps` repetitions and
 * resolves with its output (`metric,n,wall_ns,cpu_ns` lines); `onChild`
 * receives the process (to stop it on a signal).
 */
export function runProbe(bin: string, dir: string, reps: number, onChild?: (child: ChildProcess) => void): Promise<string> {
  return runBinary('the CPU probe', bin, [dir, String(reps)], onChild);
}
