import { defineConfig } from 'vitest/config';

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
  },
});
