import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Test files that need a process of their own: those that run the CLI in this process with another
 * working directory (test/cli-here.ts: process.chdir, which a worker thread may not call), and the
 * browser test (Chromium driven over a pipe, which it cannot launch from a worker thread).
 */
const OWN_PROCESS = ['test/compare.test.ts', 'test/out-safety.test.ts', 'test/plugin-cli.test.ts', 'test/record.test.ts', 'test/sweep-cli.test.ts', 'test/tasks.test.ts', 'test/report-browser.test.ts'];

// End-to-end tests spawn the CLI and real tools (fio, strace, Chromium); on a loaded
// 2-core machine a single test can take well over vitest's 5 s default.
export default defineConfig({
  test: {
    // two test files at a time: the suite is half in-process model work, half spawned CLIs and
    // tools, and one worker (vitest's default on 2 cores) leaves a core idle
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // fast-check: arrays reach their maxLength (see the file)
    setupFiles: ['test/setup-fast-check.ts'],
    // every temporary file of the run under one directory, removed at the end (see the file)
    globalSetup: ['test/global-tmp.ts'],
    // worker threads start and talk faster than child processes (a fresh-clone CI run, 2026-12-04:
    // 4m31.9s against 4m48.5s with child processes only, the host alike); the files that need a
    // process of their own run in one
    projects: [
      { extends: true, test: { name: 'threads', pool: 'threads', exclude: [...configDefaults.exclude, ...OWN_PROCESS] } },
      { extends: true, test: { name: 'forks', pool: 'forks', include: OWN_PROCESS } },
    ],
  },
});
