/**
 * Provenance of a run, written at the end of summary.json: what was
 * replayed (the trace file's SHA-256), how (the command line), when, where
 * and by which software. It is the one part of summary.json that differs
 * between two runs of the same trace, configuration and seed.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { VERSION } from './version.ts';
import { cacheHeader, isCacheFile } from '../traces/cache.ts';
import type { Summary } from '../sim/stats/summary.ts';

/** summary.json `provenance` (its shape is part of the summary's, sim/stats/summary.ts). */
export type Provenance = NonNullable<Summary['provenance']>;

/** Files from this size on are hashed in a thread of their own (scripts/hash-worker.mjs): its start-up costs more than hashing a smaller file. */
export const HASH_THREAD_BYTES = 16 << 20;

/**
 * Hashes already computed in this thread, by file identity and change times: the runs of a sweep
 * worker replay the same trace again and again. A file changed since (its size, mtime or ctime,
 * in ns) is hashed again.
 */
const hashed = new Map<string, Promise<string>>();
/** Files remembered at most (the oldest is forgotten first). */
const HASHED_MAX = 64;

/** {@link fileStamp} and the size of the file at `path`, from one stat; undefined when it cannot be stat'ed. */
function stampOf(path: string): { stamp: string; size: bigint } | undefined {
  let st;
  try {
    st = statSync(path, { bigint: true });
  } catch {
    return undefined;
  }
  return { stamp: `${resolve(path)}\0${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`, size: st.size };
}

/**
 * What tells one version of the file at `path` from another without reading it: the path, its
 * device and inode, size, mtime and ctime (ns); undefined when it cannot be stat'ed. A write to
 * the file changes its ctime, and a file put in its place has another inode: equal stamps taken
 * before and after a read mean that the read saw one version. {@link fileSha256} remembers its
 * hashes by it.
 */
export function fileStamp(path: string): string | undefined {
  return stampOf(path)?.stamp;
}

/** SHA-256 (hex) of a file, streamed: in this thread, or, for a file of {@link HASH_THREAD_BYTES} or more, in a worker thread beside the run. */
export function fileSha256(path: string): Promise<string> {
  const st = stampOf(path);
  if (st === undefined) return sha256Here(path); // the stream reports why
  const key = st.stamp;
  let h = hashed.get(key);
  if (!h) {
    h = st.size >= BigInt(HASH_THREAD_BYTES) ? sha256InThread(path) : sha256Here(path);
    hashed.set(key, h);
    if (hashed.size > HASHED_MAX) hashed.delete(hashed.keys().next().value!);
    h.catch(() => hashed.delete(key));
  }
  return h;
}

/** {@link fileSha256} in a worker thread. */
function sha256InThread(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const w = new Worker(new URL('./hash-worker.mjs', import.meta.url), { workerData: { path }, execArgv: [] });
    w.once('message', (m: { sha256?: string; error?: string; code?: string }) => {
      if (m.sha256) done(m.sha256);
      else fail(Object.assign(new Error(m.error ?? 'hashing failed'), m.code ? { code: m.code } : {}));
      void w.terminate();
    });
    w.once('error', fail);
    w.once('exit', (code) => fail(new Error(`the hashing thread exited with code ${code} before answering`)));
  });
}

/** {@link fileSha256} in this thread. */
function sha256Here(path: string): Promise<string> {
  return new Promise((done, fail) => {
    const h = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 20 }) // 1 MiB reads: 1/16 of the round trips of the 64 KiB default
      .on('data', (b) => h.update(b))
      .on('error', fail)
      .on('end', () => done(h.digest('hex')));
  });
}

/** The SHA-256 of the CSV the `.sst` cache at `trace` was made from (its header's), undefined for any other file or a cache that records none. */
function cacheSourceSha256(trace: string): string | undefined {
  try {
    return isCacheFile(trace) ? cacheHeader(trace).sourceSha256 : undefined;
  } catch {
    return undefined; // not a valid cache: the run has said so, or read no cache
  }
}

/** A run's provenance under way ({@link startProvenance}). */
export interface ProvenanceUnderWay {
  /** The SHA-256 the provenance records of the trace (awaited before the results are kept: a replay from a cache compares it with the cache's). */
  sha256(): Promise<string>;
  /** The provenance, the run's wall time counted to now. */
  finish(): Promise<Provenance>;
}

/**
 * Starts timing a run of `trace` (begun at `startedMs`), and hashing the file meanwhile, or, when
 * the run learns the SHA-256 of what it replays otherwise (rows given in code, a CSV hashed as
 * it was read), asking `knownSha256` at the end; `finish()` gives the provenance.
 */
export function startProvenance(trace: string, command: readonly string[], knownSha256?: () => string | Promise<string>, startedMs = Date.now()): ProvenanceUnderWay {
  const t0 = startedMs;
  const startedAt = new Date(t0).toISOString();
  const hash = knownSha256 ? undefined : fileSha256(trace);
  hash?.catch(() => {}); // reported by finish(), if the run gets that far
  const sha256 = async () => (hash ? await hash : await knownSha256!());
  return {
    sha256,
    async finish() {
      const source = cacheSourceSha256(trace);
      return {
        trace_sha256: await sha256(),
        ...(source === undefined ? {} : { trace_source_sha256: source }),
        command: [...command],
        started_at: startedAt,
        wall_s: Math.round(Date.now() - t0) / 1000,
        host: hostname(),
        node: process.version,
        syncsim_version: VERSION,
      };
    },
  };
}
