import { defineConfig } from 'vitest/config';

// `npm run test:browser`: a report's index.html in Debian's Chromium, headless (test/report-browser.e2e.ts,
// about 12 s on the 2-core development machine), so it is not part of `npm test` (since 2026-12-07);
// .ci/run runs it after the suite, beside the package and Slurm checks.
export default defineConfig({
  test: {
    include: ['test/report-browser.e2e.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // its temporary files under one directory per run, removed at the end (test/global-tmp.ts)
    globalSetup: ['test/global-tmp.ts'],
  },
});
