import { defineConfig } from 'vitest/config';

// `npm run test:pack`: the package as npm ships it, installed into a temporary directory
// (npm pack, then npm install of the tarball: some 30 s or more, most of it npm installing
// the dependencies, so it is not part of `npm test`; .ci/run runs both).
export default defineConfig({
  test: {
    include: ['test/pack.e2e.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // its temporary directory under one per run, removed at the end (test/global-tmp.ts)
    globalSetup: ['test/global-tmp.ts'],
  },
});
