/**
 * The result files printed in a writer thread (scripts/result-thread.ts,
 * scripts/result-worker.ts) are the same bytes as printed in the run's own
 * thread; a small run never starts the thread; the thread's failures reach
 * the run as errors, and a write the file system refuses is a one-line error
 * that leaves nothing.
 * A large trace's SHA-256 is computed in a thread too (scripts/hash-worker.mjs).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { join } from 'node:path';
import { CsvFile, ResultsDir } from '../scripts/results.ts';
import { ResultThread } from '../scripts/result-thread.ts';
import { BATCH_ROWS, COLUMN_FILES, ColumnBatch, FILE } from '../scripts/result-columns.ts';
import { workerModule } from '../scripts/worker-module.ts';
import { RandomStream } from '../sim/engine/random.ts';
import { fileSha256, HASH_THREAD_BYTES } from '../scripts/provenance.ts';
import { createHash } from 'node:crypto';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-rthread-'));
const OBJECTS = ['f.dat', 'a,b', 'say "hi"', 'naïve ✓', 'line\nbreak'];

/** Feeds `n` pseudo-random records of every kind (seeded) into `dir`, with a flush after every 5000 and at the end, as a run does. */
function feed(dir: ResultsDir, n: number, seed: number): void {
  const r = new RandomStream(seed, 'result-thread-test');
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += r.int(5000);
    const k = r.int(10);
    const io = { tSubmitNs: t, tStartNs: t + r.int(999), tDoneNs: t + 1000 + r.int(10 ** 7), object: OBJECTS[r.int(OBJECTS.length)]!, offset: r.int(2 ** 40) * 4096, pages: 1 + r.int(64), bytes: 4096 * (1 + r.int(64)), cause: k < 5 ? 'msync' : 'pageout', ok: r.int(2) === 0 };
    if (k < 6) dir.writeback(io as never);
    else if (k === 6) dir.read(io as never);
    else if (k === 7) dir.sync({ task: `t${r.int(3)}`, tIssueNs: t, tDoneNs: t + r.int(10 ** 6), addr: 0x7f0000000000 + r.int(2 ** 30) * 4096, len: 4096 * (1 + r.int(100)), flags: r.int(8), pagesWritten: r.int(100), bytesWritten: r.int(100) * 4096, result: r.int(9) === 0 ? 'EBUSY' : 'OK' });
    else if (k === 8) {
      dir.timeline({
        tNs: t, dirtyPages: r.int(1e6), writebackPages: r.int(1000), wiredPages: r.int(10), residentPages: r.int(1e7), queueDepth: r.int(32),
        dirtyPagesMax: r.int(1e6), writebackPagesMax: r.int(1000), wiredPagesMax: r.int(10), residentPagesMax: r.int(1e7), queueDepthMax: r.int(32),
      });
    }
    else if (r.int(2) === 0) {
      dir.wire({ task: `t${r.int(3)}`, tIssueNs: t, tDoneNs: t + r.int(10 ** 6), op: r.int(2) === 0 ? 'wire' : 'unwire', addr: 0x7f0000000000 + r.int(2 ** 30) * 4096, len: 4096 * (1 + r.int(100)), flags: [512, 512 | 4096, 1024 | 2048][r.int(3)]!, result: ['OK', 'ENOMEM', 'KERN_RESOURCE_SHORTAGE'][r.int(3)]!, pages: r.int(101) });
    } else dir.durability!({ tNs: t, pages: 1 + r.int(100), lagSumNs: r.int(10 ** 9) + 0.5, lagMaxNs: r.int(10 ** 8), viaWrite: r.int(50), viaFlush: r.int(50), viaManager: 0, pendingPages: r.int(10 ** 4) });
    if (i % 5000 === 4999) dir.flush();
  }
  dir.flush(); // as a run does after each block of rows: partly filled batches go out too
}

/** Every file of a committed results directory, by name. */
const files = (d: string) => Object.fromEntries(readdirSync(d).filter((f) => f.endsWith('.csv') || f === 'summary.json').map((f) => [f, readFileSync(join(d, f), 'utf8')]));

/** A result thread that has loaded and adopted a fresh descriptor for every result file of a new directory. */
async function adoptedThread(): Promise<{ root: string; fds: number[]; t: ResultThread; deadline: number }> {
  const root = tmp();
  const fds = COLUMN_FILES.map((f) => openSync(join(root, f.name), 'w'));
  const t = new ResultThread(await workerModule('result-worker'));
  const deadline = Date.now() + 30_000;
  while (!t.ready && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
  expect(t.ready).toBe(true);
  t.adopt(fds);
  return { root, fds, t, deadline };
}

/** Waits until the thread has given back `n` arrays into `free` (reading its answers), or the deadline. */
async function untilFree(t: ResultThread, free: Float64Array[], n: number, deadline: number): Promise<void> {
  while (free.length < n && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 20));
    void t.ready; // reads the thread's answers
  }
}

describe('result writer thread', () => {
  it('prints the same bytes as the run\'s own thread, for records of every kind and strings that need quoting', async () => {
    const root = tmp();
    const entry = await workerModule('result-worker');
    const threaded = new ResultsDir(join(root, 'threaded'), entry);
    // chunks of 1000 seeded records; while the thread loads (it starts at 1 batch; later batches wait for it, and
    // past 16 of them are printed here), the test waits between chunks as a longer run would go on making
    // records, then gives it 3 batches more: no fixed sleep
    let chunks = 0, after = -1;
    while (after < 0 || chunks < after) {
      feed(threaded, 1000, chunks++);
      if (threaded.threadUsed && after < 0) after = chunks + Math.ceil((3 * BATCH_ROWS) / 1000);
      else if (!threaded.threadUsed && chunks * 1000 > 3 * BATCH_ROWS) await new Promise((done) => setTimeout(done, 20));
      expect(chunks, 'the writer thread never took the files').toBeLessThan(2000);
    }
    threaded.commit('{}\n');
    const inline = new ResultsDir(join(root, 'inline'));
    for (let c = 0; c < chunks; c++) feed(inline, 1000, c);
    inline.commit('{}\n');
    const n = chunks * 1000;
    expect(threaded.threadUsed).toBe(true);
    expect(inline.threadUsed).toBe(false);
    const a = files(join(root, 'threaded')), b = files(join(root, 'inline'));
    expect(Object.keys(a).sort()).toEqual(['durability.csv', 'reads.csv', 'summary.json', 'syncs.csv', 'timeline.csv', 'wires.csv', 'writeback.csv']);
    for (const f of Object.keys(b)) expect(a[f], f).toBe(b[f]);
    // every record is there, and the quoted object names came through
    const rows = Object.entries(a).filter(([f]) => f.endsWith('.csv')).reduce((s, [, t]) => s + parse(t).length - 1, 0);
    expect(rows).toBe(n);
    expect(a['writeback.csv']).toContain('"say ""hi"""');
    expect(a['writeback.csv']).toContain('"line\nbreak"');
    expect(a['wires.csv']).toMatch(/^t[012],[\d.]+,[\d.]+,[\d.]+,(un)?wire,0x7f[0-9a-f]+,\d+,(USER|USER\|NOHOLES|SYSTEM\|HOLESOK),(OK|ENOMEM|KERN_RESOURCE_SHORTAGE),\d+$/m);
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('a run of fewer records than one batch never starts the thread', async () => {
    const root = tmp();
    const d = new ResultsDir(join(root, 'small'), await workerModule('result-worker'));
    feed(d, BATCH_ROWS - 1, 3);
    d.commit('{}\n');
    expect(d.threadUsed).toBe(false);
    expect(readFileSync(join(root, 'small', 'writeback.csv'), 'utf8').startsWith('t_submit_us,')).toBe(true);
    rmSync(root, { recursive: true, force: true });
  });

  it('a run that ends while the thread still loads prints the batches held for it itself, in order', async () => {
    const root = tmp();
    const entry = await workerModule('result-worker');
    // no pause: the thread starts at 1 batch and is most likely still loading at the commit (b: past 16 batches held)
    for (const [name, n] of [['a', 4 * BATCH_ROWS], ['b', 24 * BATCH_ROWS]] as const) {
      const held = new ResultsDir(join(root, `held-${name}`), entry);
      for (let c = 0; c * 1000 < n; c++) feed(held, 1000, c);
      held.commit('{}\n');
      const inline = new ResultsDir(join(root, `inline-${name}`));
      for (let c = 0; c * 1000 < n; c++) feed(inline, 1000, c);
      inline.commit('{}\n');
      const a = files(join(root, `held-${name}`)), b = files(join(root, `inline-${name}`));
      for (const f of Object.keys(b)) expect(a[f], `${name} ${f}`).toBe(b[f]);
    }
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('shares each batch with the thread and gets it back, never transfers it: no array of the run is detached', async () => {
    // a transfer detaches the sent ArrayBuffer, and V8 then throws away the optimized code of every function that
    // reads a typed array, the simulator's included (result-columns.ts, batchArray)
    const { root, fds, t, deadline } = await adoptedThread();
    const b = new ColumnBatch(COLUMN_FILES[FILE.timeline]!);
    const fill = () => {
      for (let i = 0; i < BATCH_ROWS; i++) b.data.fill(i, b.next(), b.n * b.file.width);
    };
    fill();
    const sent = b.data;
    t.send(FILE.timeline, b);
    expect(sent.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(sent.byteLength).toBe(BATCH_ROWS * 11 * 8); // still attached: a transferred array would have none
    expect(b.data).not.toBe(sent);
    // once printed it comes back, and the next batch is packed into the same memory
    const free = (t as unknown as { free: Float64Array[][] }).free[FILE.timeline]!;
    await untilFree(t, free, 1, deadline);
    expect(free.length).toBe(1);
    fill();
    const second = b.data;
    t.send(FILE.timeline, b);
    expect(b.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    b.data[0] = 12345.5;
    expect(sent[0], 'the returned array is the first batch\'s memory').toBe(12345.5);
    expect(second.byteLength).toBe(BATCH_ROWS * 11 * 8);
    t.close(true);
    for (const fd of fds) closeSync(fd);
    const lines = readFileSync(join(root, COLUMN_FILES[FILE.timeline]!.name), 'utf8').split('\n').filter((l) => l !== '');
    expect(lines.length).toBe(2 * BATCH_ROWS);
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('keeps every array the thread gives back for reuse (up to as many as may be away at once): none is dropped to be allocated again', async () => {
    // a dropped array's shared memory lives until both threads collect their handles, and the writer collects rarely
    const { root, fds, t, deadline } = await adoptedThread();
    const b = new ColumnBatch(COLUMN_FILES[FILE.timeline]!);
    const sent: Float64Array[] = [];
    for (let k = 0; k < 5; k++) {
      for (let i = 0; i < BATCH_ROWS; i++) b.data.fill(i, b.next(), b.n * b.file.width);
      sent.push(b.data);
      // a new array each time (send would take one the thread already gave back, when it is quick: then 4 came back)
      const n = b.n;
      t.sendPacked(FILE.timeline, b, b.take(), n);
    }
    expect(new Set(sent).size).toBe(5);
    const free = (t as unknown as { free: Float64Array[][] }).free[FILE.timeline]!;
    await untilFree(t, free, 5, deadline);
    expect(free.length).toBe(5); // two a file were kept before, the other three dropped
    // the very arrays sent (views of the same shared memory, not the same objects): a mark written in each sent one shows in one kept
    sent.forEach((a, k) => (a[0] = 1e6 + k));
    expect(free.map((a) => a[0]).sort()).toEqual([1e6, 1e6 + 1, 1e6 + 2, 1e6 + 3, 1e6 + 4]);
    t.close(true);
    for (const fd of fds) closeSync(fd);
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('a write the thread cannot make fails the run with its error', async () => {
    const root = tmp();
    const path = join(root, 'ro.csv');
    writeFileSync(path, '');
    const fd = openSync(path, 'r'); // writing to it fails with EBADF
    const t = new ResultThread(await workerModule('result-worker'));
    const deadline = Date.now() + 30_000;
    while (!t.ready && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
    expect(t.ready).toBe(true);
    t.adopt(COLUMN_FILES.map(() => fd));
    const b = new ColumnBatch(COLUMN_FILES[FILE.timeline]!);
    let err: unknown;
    try {
      // a full batch makes the thread write; the failure comes back at a later send or at close
      for (let k = 0; k < 50 && err === undefined; k++) {
        for (let i = 0; i < BATCH_ROWS; i++) b.data.fill(i, b.next(), b.n * b.file.width);
        t.send(FILE.timeline, b);
        await new Promise((done) => setTimeout(done, 5));
      }
      t.close(true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as NodeJS.ErrnoException).code).toBe('EBADF');
    await t.terminate();
    closeSync(fd);
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('a write the file system refuses (a file size limit): one line, exit 2, nothing left, the directory beside untouched', () => {
    const root = tmp();
    mkdirSync(join(root, 'mine'));
    writeFileSync(join(root, 'mine', 'notes.txt'), 'keep me\n');
    // scattered stores with an msync every 100: 200,000 rows 10 µs apart make ~18 MB of writeback.csv; 2,000
    // rows 1 ms apart on an object with a long name fewer records than one batch (the run prints them in its
    // own thread), ~0.5 MB of it
    const traceOf = (n: number, gapUs: number, object: string) => {
      const trace = join(root, `t${n}.csv`);
      const rows = ['# syncsim-trace v1', 't_us,op,addr,len,flags,object,offset', `0,map,0x10000000,268435456,,${object},0`];
      for (let i = 1; i <= n; i++) rows.push(i % 100 === 0 ? `${i * gapUs},msync,0x10000000,268435456,SYNC,,` : `${i * gapUs},write,0x${(0x10000000 + ((i * 7919) % 65536) * 4096).toString(16)},4096,,,`);
      writeFileSync(trace, rows.join('\n') + '\n');
      return trace;
    };
    // RLIMIT_FSIZE (ulimit -f, KiB): a write past it fails with EFBIG (Node ignores SIGXFSZ). 256 KiB of the
    // small trace is reached while the run's own thread prints; 4 MiB of the large one after the writer
    // thread has taken the files
    for (const [kib, trace] of [[256, traceOf(2_000, 1000, `${'f'.repeat(200)}.dat`)], [4096, traceOf(200_000, 10, 'f.dat')]] as const) {
      const out = join(root, `res-${kib}`);
      const r = spawnSync('bash', ['-c', `ulimit -f ${kib}; exec "$0" "$@"`, process.execPath, join(ROOT, 'scripts', 'syncsim.mjs'), 'run', trace, '--out', out], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toBe(`syncsim: --out ${out}: cannot write the results (EFBIG: file too large, write); nothing was kept there\n`);
    }
    expect(readdirSync(root).sort()).toEqual(['mine', 't2000.csv', 't200000.csv']);
    expect(readFileSync(join(root, 'mine', 'notes.txt'), 'utf8')).toBe('keep me\n');
    rmSync(root, { recursive: true, force: true });
  }, 60_000);
});

describe('trace hash for provenance', () => {
  it('a file of 16 MiB or more is hashed in a thread, a smaller one here: both give SHA-256 of the bytes; a missing file fails with its code', async () => {
    const root = tmp();
    const big = join(root, 'big.bin'), small = join(root, 'small.bin');
    const r = new RandomStream(5, 'hash-test');
    const bytes = Buffer.alloc(HASH_THREAD_BYTES + 12344); // a multiple of 4, not of the 1 MiB read
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE(r.nextU32(), i);
    writeFileSync(big, bytes);
    writeFileSync(small, bytes.subarray(0, 1000));
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(await fileSha256(big)).toBe(sha(bytes));
    expect(await fileSha256(small)).toBe(sha(bytes.subarray(0, 1000)));
    await expect(fileSha256(join(root, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    rmSync(root, { recursive: true, force: true });
  }, 30_000);
});

describe('trace hash memo', () => {
  it('the same unchanged file is hashed once per thread; a file rewritten since, even with its mtime put back, is hashed again', async () => {
    const root = tmp();
    const f = join(root, 't.csv');
    writeFileSync(f, 'a\n');
    const first = fileSha256(f);
    expect(fileSha256(f)).toBe(first); // the same promise: not hashed twice
    expect(await first).toBe(createHash('sha256').update('a\n').digest('hex'));
    const { mtime } = statSync(f);
    writeFileSync(f, 'b\n');
    utimesSync(f, mtime, mtime); // same size and mtime: the ctime still moved
    expect(await fileSha256(f)).toBe(createHash('sha256').update('b\n').digest('hex'));
    rmSync(root, { recursive: true, force: true });
  });
});

describe('CsvFile.discard', () => {
  it('closes the descriptor once: a second discard or close does not close a number another file got meanwhile', () => {
    const root = tmp();
    const f = new CsvFile(join(root, 'a.csv'), 'h');
    const fd = f.descriptor;
    f.discard();
    // open files until one gets fd's number (each open takes the lowest free number; another thread may have freed a lower one meanwhile)
    const others: number[] = [];
    while (others.length < 64 && !others.includes(fd)) others.push(openSync(join(root, `b${others.length}.csv`), 'w'));
    expect(others).toContain(fd);
    f.discard();
    f.close();
    others.forEach((o, i) => writeSync(o, `still open ${i}\n`)); // throws EBADF if one was closed
    for (const o of others) closeSync(o);
    others.forEach((_, i) => expect(readFileSync(join(root, `b${i}.csv`), 'utf8')).toBe(`still open ${i}\n`));
    rmSync(root, { recursive: true, force: true });
  });
});
