/**
 * A preload for test/merge-interrupt.test.ts (NODE_OPTIONS=--require): every file that
 * `syncsim merge` links or copies takes SYNCSIM_TEST_SLOW_MS more milliseconds, so that a merge
 * of a few small runs lasts long enough to be interrupted half-way, whatever the machine.
 */
'use strict';
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');

const ms = Number(process.env.SYNCSIM_TEST_SLOW_MS);
const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const real = { linkSync: fs.linkSync, copyFileSync: fs.copyFileSync };

fs.linkSync = function linkSync(...args) {
  pause();
  return real.linkSync.apply(this, args);
};
fs.copyFileSync = function copyFileSync(...args) {
  pause();
  return real.copyFileSync.apply(this, args);
};
// `import { linkSync } from 'node:fs'` sees these too
syncBuiltinESMExports();
