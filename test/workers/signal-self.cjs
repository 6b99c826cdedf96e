/**
 * A preload for test/interrupt-guard.test.ts (NODE_OPTIONS=--require): the process sends itself
 * SYNCSIM_TEST_SIGNAL (default SIGINT), once, at the moment SYNCSIM_TEST_SIGNAL_AT names, so that
 * the signal is received at that point of the command on any machine, not when a timer happens to
 * fire. Node answers it at the next turn of the event loop, after the code that runs without one.
 *
 * - `start`: as the launcher chooses its code (scripts/launch.mjs: the stat of scripts/cli.ts), before any of the CLI is loaded;
 * - `read`: as SYNCSIM_TEST_SIGNAL_PATH is opened for reading (fs/promises' open, createReadStream: the trace reader's);
 * - `placed`: just after SYNCSIM_TEST_SIGNAL_PATH is put in place, its last step (renameSync, or linkSync: traces/files.ts, placeFile);
 * - `closing`: as the temporary file of SYNCSIM_TEST_SIGNAL_PATH (`PATH.tmp-...`, a trace writer's) is closed, after its
 *   last byte: the file is closed only once the signal has been answered;
 * - `exiting`: from the process's 'exit' on, without end, until the process is gone (a shell's loop of `kill`): some
 *   come as Node frees its memory after its last JavaScript, whenever that is.
 */
'use strict';
const fs = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');
const { resolve, sep } = require('node:path');
const { spawn } = require('node:child_process');
const { isMainThread } = require('node:worker_threads');

const at = process.env.SYNCSIM_TEST_SIGNAL_AT;
const target = process.env.SYNCSIM_TEST_SIGNAL_PATH === undefined ? undefined : resolve(process.env.SYNCSIM_TEST_SIGNAL_PATH);
const signal = process.env.SYNCSIM_TEST_SIGNAL ?? 'SIGINT';
const real = { statSync: fs.statSync, createReadStream: fs.createReadStream, renameSync: fs.renameSync, linkSync: fs.linkSync, open: fs.promises.open, openCb: fs.open, close: fs.close };
let sent = false;
/** What keeps the event loop turning until the signal is answered (see {@link maybe}). */
let keep;

/** Sends the signal when `now` holds, the first time only. */
function maybe(now) {
  if (sent || !now) return;
  sent = true;
  process.kill(process.pid, signal);
  // once its output is in place a command may have nothing left to wait for (or, `closing`, nothing but the close held
  // back here), and its process would end before the signal is answered. Something to wait for, as the user's commands
  // had (a result thread ending, output to a terminal), has it answered at the next turn of the event loop, long before
  // this timer is due
  keep = setTimeout(() => {}, 10_000);
}

/** Whether `p` (a path or file URL) names the target. */
const isTarget = (p) => target !== undefined && (typeof p === 'string' || p instanceof URL) && resolve(p instanceof URL ? p.pathname : p) === target;

fs.statSync = function statSync(path, ...rest) {
  const r = real.statSync.call(this, path, ...rest);
  maybe(at === 'start' && typeof path === 'string' && path.endsWith(`${sep}scripts${sep}cli.ts`));
  return r;
};
fs.createReadStream = function createReadStream(path, ...rest) {
  const r = real.createReadStream.call(this, path, ...rest);
  maybe(at === 'read' && isTarget(path));
  return r;
};
fs.promises.open = function open(path, ...rest) {
  const r = real.open.call(this, path, ...rest);
  maybe(at === 'read' && isTarget(path));
  return r;
};
fs.renameSync = function renameSync(from, to) {
  real.renameSync.call(this, from, to);
  maybe(at === 'placed' && isTarget(to));
};
fs.linkSync = function linkSync(from, to) {
  real.linkSync.call(this, from, to);
  maybe(at === 'placed' && isTarget(to));
};
/** The descriptor of the target's temporary file, once opened (`closing`). */
let tmpFd;
fs.open = function open(path, ...rest) {
  const cb = rest.pop();
  const tmp = at === 'closing' && typeof path === 'string' && resolve(path).startsWith(`${target}.tmp-`);
  return real.openCb.call(this, path, ...rest, (err, fd) => {
    if (tmp && !err) tmpFd = fd;
    cb(err, fd);
  });
};
fs.close = function close(fd, cb) {
  if (at !== 'closing' || fd !== tmpFd || sent) return real.close.call(this, fd, cb);
  // closed once the signal has been answered: the command's listener is the process's first, this one comes after it
  process.once(signal, () => {
    clearTimeout(keep);
    real.close(fd, cb);
  });
  maybe(true);
};
// (the command's own process only: a worker thread's end is not the process's)
if (at === 'exiting' && isMainThread) {
  process.on('exit', () => {
    const loop = `i=0; while [ $i -lt 1000000 ] && kill -${signal.replace(/^SIG/, '')} ${process.pid} 2>/dev/null; do i=$((i+1)); done`;
    spawn('sh', ['-c', loop], { stdio: 'ignore', detached: true }).unref();
  });
}
// `import { statSync, ... } from 'node:fs'` sees these too
syncBuiltinESMExports();
