/**
 * The CLI's `main` run in this process (a spawned CLI costs a second or more
 * of start-up): its exit code and what it printed, with the working directory
 * `cwd` while it runs when one is given.
 */
import { afterAll, beforeAll, vi } from 'vitest';
import { main } from '../scripts/cli.ts';

/** What one in-process CLI call ended with. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `syncsim ARGS...` in this process, capturing standard output and error. */
export function syncsimHere(args: string[], cwd?: string): Promise<CliResult> {
  return commandHere(() => main(args), cwd);
}

/** Runs a command's entry point (`run`, resolving to its exit code) in this process, capturing standard output and error. */
export async function commandHere(run: () => Promise<number>, cwd?: string): Promise<CliResult> {
  let stdout = '', stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  const back = process.cwd();
  if (cwd !== undefined) process.chdir(cwd);
  try {
    return { code: await run(), stdout, stderr };
  } finally {
    if (cwd !== undefined) process.chdir(back);
    out.mockRestore();
    err.mockRestore();
  }
}

/**
 * Points SYNCSIM_CACHE_DIR (the record shim's, the trace caches') at `dir` for the test file
 * that calls this, and restores it after the file: the suite's processes run other files after
 * it (vitest.config.ts: isolate false).
 */
export function useCacheDir(dir: string): void {
  const before = process.env.SYNCSIM_CACHE_DIR;
  beforeAll(() => {
    process.env.SYNCSIM_CACHE_DIR = dir;
  });
  afterAll(() => {
    if (before === undefined) delete process.env.SYNCSIM_CACHE_DIR;
    else process.env.SYNCSIM_CACHE_DIR = before;
  });
}
