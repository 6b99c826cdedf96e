/**
 * Several CLI calls in one child process (test/workers/cli-cases.mjs: the CLI's main, run as the
 * syncsim command runs it), for calls that need a process of their own but not one each: under a
 * file size limit, or with plugins loaded by Node's own loader rather than vitest's.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

const CASES_SCRIPT = join(resolve(import.meta.dirname), 'workers', 'cli-cases.mjs');

/** A case: an argument list, or `{ args, cwd, list }` (cli-cases.mjs says what each does). */
export type CliCase = readonly string[] | { args: readonly string[]; cwd?: string; list?: string };

/** What one case ended with; `stdout` for `{ args, ... }` cases, `listing` when the case gave `list`. */
export interface CliCaseResult {
  code: number;
  stdout: string;
  stderr: string;
  listing?: string[];
}

/**
 * Runs `cases` one after the other in one child process in `cwd` (default this one's), with a
 * file size limit of `fileLimitKiB` KiB when given (bash's `ulimit -f`; node ignores SIGXFSZ, so
 * a write past it fails with EFBIG): what each ended with, in order. The child itself must end 0.
 */
export function cliCases(cases: readonly CliCase[], opts: { cwd?: string; fileLimitKiB?: number } = {}): CliCaseResult[] {
  const json = JSON.stringify(cases);
  const r = opts.fileLimitKiB === undefined
    ? spawnSync(process.execPath, [CASES_SCRIPT, json], { encoding: 'utf8', cwd: opts.cwd })
    : spawnSync('bash', ['-c', `ulimit -f ${opts.fileLimitKiB}; exec "$0" "$@"`, process.execPath, CASES_SCRIPT, json], { encoding: 'utf8', cwd: opts.cwd });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as CliCaseResult[];
}
