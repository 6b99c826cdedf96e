import { defineConfig } from 'vitest/config';

// `npm run test:fio`: `syncsim calibrate` and `syncsim validate` end to end with the real fio, and the
// session's FLUSH probe (test/validate-fio.e2e.ts, test/flush-probe-fio.e2e.ts: about a minute on the
// 2-core development machine, most of it
// `calibrate --quick` and the session validation that needs its profile), so it is not part
// of `npm test`; .ci/run runs it after the suite, alone on the cores, as fio's timings ask.
export default defineConfig({
  test: {
    include: ['test/validate-fio.e2e.ts', 'test/flush-probe-fio.e2e.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // its temporary files under one directory per run, removed at the end (test/global-tmp.ts)
    globalSetup: ['test/global-tmp.ts'],
  },
});
