/**
 * A preload for test/sweep-storage-full.test.ts (NODE_OPTIONS=--require, which Node also runs in
 * every worker thread, where a sweep's runs write): the file system under
 * SYNCSIM_TEST_FULL_DIR fills up once SYNCSIM_TEST_FULL_DIR/runs holds SYNCSIM_TEST_FULL_AFTER
 * successful runs (a run directory with a summary.json: records of failed runs, which the sweep
 * writes in its main thread as the runs go on, do not count, so that when it fills does not hang
 * on which thread writes first). From then on each write of a file there fails as on a full disk (ENOSPC, the error
 * node:fs throws, which names no file); everything else, and reading, works as before. A disk
 * that fills mid-sweep, without filling a real one or mounting anything.
 */
'use strict';
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');
const { join, resolve, sep } = require('node:path');

const dir = resolve(process.env.SYNCSIM_TEST_FULL_DIR);
const after = Number(process.env.SYNCSIM_TEST_FULL_AFTER);
const real = { openSync: fs.openSync, closeSync: fs.closeSync, writeSync: fs.writeSync, writeFileSync: fs.writeFileSync, readdirSync: fs.readdirSync };

/** Whether the disk is full: the sweep directory holds `after` successful runs. */
function full() {
  try {
    return real.readdirSync(join(dir, 'runs')).filter((n) => !n.startsWith('.') && fs.existsSync(join(dir, 'runs', n, 'summary.json'))).length >= after;
  } catch {
    return false;
  }
}

const under = (p) => (typeof p === 'string' || p instanceof URL || Buffer.isBuffer(p)) && resolve(p instanceof URL ? p.pathname : String(p)).startsWith(dir + sep);
const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { errno: -28, code: 'ENOSPC', syscall: 'write' });
/** Descriptors of files opened under the directory. */
const inside = new Set();

fs.openSync = function openSync(path, ...rest) {
  const fd = real.openSync.call(this, path, ...rest);
  if (under(path)) inside.add(fd);
  return fd;
};
fs.closeSync = function closeSync(fd, ...rest) {
  inside.delete(fd);
  return real.closeSync.call(this, fd, ...rest);
};
fs.writeSync = function writeSync(fd, ...rest) {
  if (inside.has(fd) && full()) throw noSpace();
  return real.writeSync.call(this, fd, ...rest);
};
fs.writeFileSync = function writeFileSync(file, ...rest) {
  if ((typeof file === 'number' ? inside.has(file) : under(file)) && full()) throw noSpace();
  return real.writeFileSync.call(this, file, ...rest);
};
// `import { writeSync } from 'node:fs'` sees these too
syncBuiltinESMExports();
