/**
 * A preload for test/tables-interrupt.test.ts (NODE_OPTIONS=--require): once the process has
 * begun writing result tables (opened a temporary file of results.csv), every read of a run's
 * summary.json (readFileSync) takes SYNCSIM_TEST_SLOW_MS more milliseconds, so that the tables of
 * a few small runs take long enough to be interrupted half-way, whatever the machine. The reads
 * before the tables (a resumed sweep reads its finished runs, a merge those it copies) are not
 * slowed: they only made the test wait.
 */
'use strict';
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');
const { basename } = require('node:path');

const ms = Number(process.env.SYNCSIM_TEST_SLOW_MS);
const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const real = { readFileSync: fs.readFileSync, openSync: fs.openSync };
let writingTables = false;

fs.openSync = function openSync(path, ...rest) {
  if (typeof path === 'string' && basename(path).startsWith('.results.csv.tmp-')) writingTables = true;
  return real.openSync.call(this, path, ...rest);
};
fs.readFileSync = function readFileSync(path, ...rest) {
  if (writingTables && typeof path === 'string' && basename(path) === 'summary.json') pause();
  return real.readFileSync.call(this, path, ...rest);
};
// `import { readFileSync, openSync } from 'node:fs'` sees these too
syncBuiltinESMExports();
