import { defineConfig } from 'vitest/config';

// End-to-end tests spawn the CLI and real tools (fio, strace, Chromium); on a loaded
// 2-core machine a single test can take well over vitest's 5 s default.
export default defineConfig({
  test: {
    // two test files at a time: the suite is half in-process model work, half spawned CLIs and
    // tools, and one worker (vitest's default on 2 cores) leaves a core idle. Three were tried on
    // 2026-12-07 (a slower machine, its host's speed moving from run to run): 306.7 and 328.4 s in
    // CI against 326.1 and 315.9 s with two, no clear gain, so two stay
    maxWorkers: 2,
    // each of the two processes runs its test files one after the other, without a fresh module
    // graph per file: starting a process and importing (and transforming) the code for every one
    // of the 85 files cost more than the whole of the longest file. A file that changes process-wide
    // state (an environment variable, the working directory, a spy on process.stdout) restores it
    // when it ends. Measured on 2026-12-04 on the 2-core development machine, the same suite:
    // 224.8 s with a process per file, 173.3 s without.
    isolate: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // fast-check: arrays reach their maxLength (see the file)
    setupFiles: ['test/setup-fast-check.ts'],
    // every temporary file of the run under one directory, removed at the end (see the file)
    globalSetup: ['test/global-tmp.ts'],
  },
});
