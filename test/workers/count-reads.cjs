/**
 * A preload for test/dry-run-reads.test.ts (NODE_OPTIONS=--require): counts the bytes read from
 * each opening of the file SYNCSIM_TEST_COUNT_PATH, through every way node:fs opens and reads
 * one (openSync and readSync, open and read as read streams use them, promises.open and the
 * handle's read), and writes them at exit to SYNCSIM_TEST_COUNT_OUT as JSON: one number per
 * opening, in the order they were opened.
 */
'use strict';
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');
const { resolve } = require('node:path');

const watched = resolve(process.env.SYNCSIM_TEST_COUNT_PATH);
/** Bytes read by each opening of the file. */
const opens = [];
/** The opening each open descriptor of it is. */
const byFd = new Map();
const real = { openSync: fs.openSync, readSync: fs.readSync, closeSync: fs.closeSync, open: fs.open, read: fs.read, close: fs.close, popen: fs.promises.open };

const isWatched = (p) => (typeof p === 'string' || p instanceof URL) && resolve(p instanceof URL ? p.pathname : p) === watched;
const opened = (fd) => {
  byFd.set(fd, opens.length);
  opens.push(0);
};
const count = (fd, n) => {
  if (byFd.has(fd) && n > 0) opens[byFd.get(fd)] += n;
};

fs.openSync = function openSync(path, ...rest) {
  const fd = real.openSync.call(this, path, ...rest);
  if (isWatched(path)) opened(fd);
  return fd;
};
fs.readSync = function readSync(fd, ...rest) {
  const n = real.readSync.call(this, fd, ...rest);
  count(fd, n);
  return n;
};
fs.closeSync = function closeSync(fd, ...rest) {
  byFd.delete(fd);
  return real.closeSync.call(this, fd, ...rest);
};
fs.open = function open(path, ...rest) {
  const cb = rest.pop();
  return real.open.call(this, path, ...rest, (err, fd) => {
    if (!err && isWatched(path)) opened(fd);
    cb(err, fd);
  });
};
fs.read = function read(fd, ...rest) {
  const cb = rest.pop();
  return real.read.call(this, fd, ...rest, (err, n, buf) => {
    if (!err) count(fd, n);
    cb(err, n, buf);
  });
};
fs.close = function close(fd, ...rest) {
  byFd.delete(fd);
  return real.close.call(this, fd, ...rest);
};
fs.promises.open = async function open(path, ...rest) {
  const fh = await real.popen.call(this, path, ...rest);
  if (isWatched(path)) {
    const at = opens.length;
    opens.push(0);
    const read = fh.read;
    fh.read = async function (...args) {
      const r = await read.apply(fh, args);
      opens[at] += r.bytesRead;
      return r;
    };
  }
  return fh;
};
// `import { openSync } from 'node:fs'` and `import { open } from 'node:fs/promises'` see these too
syncBuiltinESMExports();

process.on('exit', () => fs.writeFileSync(process.env.SYNCSIM_TEST_COUNT_OUT, JSON.stringify(opens)));
