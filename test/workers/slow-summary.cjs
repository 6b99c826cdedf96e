/**
 * A preload for test/tables-interrupt.test.ts (NODE_OPTIONS=--require): every read of a run's
 * summary.json (readFileSync), which only the writing of a sweep's result tables does, takes
 * SYNCSIM_TEST_SLOW_MS more milliseconds, so that the tables of a few small runs take long enough
 * to be interrupted half-way, whatever the machine.
 */
'use strict';
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');
const { basename } = require('node:path');

const ms = Number(process.env.SYNCSIM_TEST_SLOW_MS);
const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const real = { readFileSync: fs.readFileSync };

fs.readFileSync = function readFileSync(path, ...rest) {
  if (typeof path === 'string' && basename(path) === 'summary.json') pause();
  return real.readFileSync.call(this, path, ...rest);
};
// `import { readFileSync } from 'node:fs'` sees this too
syncBuiltinESMExports();
