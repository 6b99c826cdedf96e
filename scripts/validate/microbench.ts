/**
 * The microbenchmarks of `syncsim calibrate`: one fio job each, run one at
 * a time in a scratch directory, on one laid-out data file. Pure: this
 * module only plans them (names, fio options, what each measures).
 *
 * 1. layout: a sequential 1 MiB write of the data file, fsync'd at the end
 *    (the later reads find real blocks; its pages are clean, so fio's
 *    invalidate=1 can drop them).
 * 2. lat-{read,write}-SIZE: O_DIRECT random reads / writes, one at a time
 *    (psync), at each size → latency vs size → per-command latency and
 *    bandwidth per direction.
 * 3. qd-{read,write}-DEPTH: 4 KiB O_DIRECT random reads / writes (libaio)
 *    at each queue depth → IOPS vs depth → channels.
 * 3a. qb-write-N: N 4 KiB O_DIRECT random writes submitted together and
 *    reaped together (libaio, iodepth_batch_submit = iodepth_batch_complete_min
 *    = N), for N = 4, 8, 16, 32 (`--quick`: 8, 32; at most 32, the requests a
 *    block plug hands over at once) → batch latency vs N → the serial
 *    submission stage (submission-fit.ts), with the unbatched peak of 3.
 * 3c. qr-write-16: 16 4 KiB O_DIRECT random writes submitted together and
 *    reaped as they complete (libaio, iodepth_batch_submit = 16,
 *    iodepth_batch_complete_min = 1) → how many completions each reap finds
 *    (fio's iodepth_complete) → whether a batch completes command by command
 *    or all at once when the device's serial stage has drained
 *    (completion-fit.ts: `device.submit_completion`).
 * 3b. wb-SIZE: buffered sequential writes of SIZE, each written back with
 *    sync_file_range(WAIT_BEFORE | WRITE | WAIT_AFTER) (no FLUSH) → the time
 *    of page-cache writeback vs size → the write bandwidth of the path an
 *    msync takes (whole folios from the page cache, not O_DIRECT's pinned
 *    user pages).
 * 4a. flush-probe-K: the `flush` step's job (1 overwrite + fdatasync), run
 *    for a shorter time between the other steps (after the read latencies,
 *    the write latencies, the depths and the writebacks): the storage under
 *    a virtual machine changes its FLUSH time over tens of seconds, so the
 *    FLUSH level is fitted from these syncs and the `flush` step's, pooled
 *    over the whole calibration (each step writes an I/O log for that).
 * 4. flush, flush-N: N 4 KiB O_DIRECT random overwrites (one at a time),
 *    then fdatasync, for N = 1, 8, 32, 128 (`--quick`: 1, 32) → the cost of a
 *    cache FLUSH (no metadata changes, so ext4 commits nothing) and how it
 *    grows with the writes before it: a drive destages its cache while the
 *    writes come in, a host page cache under a virtual disk only at the FLUSH.
 * 4b. flush-size-SIZE: one O_DIRECT random overwrite of SIZE (128k, 1m;
 *    `--quick`: 1m), then fdatasync, for half a step → with the `flush` step
 *    (one 4 KiB write) how the FLUSH grows with the bytes written before it:
 *    the rate at which a cache that destages when flushed writes its data
 *    (`device.media_mbps`), which a virtual disk's host page cache sets, not
 *    the O_DIRECT write path (2026-12-04: 1550 MB/s on FLUSH against 2141 for
 *    the writes themselves).
 * 5. journal: 4 KiB buffered writes into a new file, each followed by
 *    fdatasync → data write + jbd2 commit (without a journal: the inode
 *    block) + flush (a check of the model).
 * 6. pagein: a cold sequential read through mmap, 4 KiB at a time, every
 *    access logged → faults that miss vs hit (read-ahead).
 * None of them is a job of workloads/fio/ (the validation jobs).
 */

/** The data file every step but `journal` uses, in the scratch directory. */
export const DATA_FILE = 'cal.0';

/** A measured direction. */
export type Direction = 'read' | 'write';

/** One microbenchmark. */
export interface Microbench {
  /** fio job name (also the name of its report). */
  name: string;
  /** What it does, for the progress line. */
  label: string;
  /** Which fit it feeds. */
  kind: 'layout' | 'latency' | 'depth' | 'reap' | 'batch' | 'writeback' | 'flush-probe' | 'flush' | 'flush-size' | 'journal' | 'pagein';
  direction?: Direction;
  /** I/O size (bytes). */
  bytes: number;
  /** Queue depth. */
  depth: number;
  /** Writes before each fdatasync (flush steps). */
  writes?: number;
  /** fio job options (besides the global ones). */
  options: string[];
}

/** What to plan. */
export interface PlanOptions {
  quick: boolean;
  /** Deepest queue of the depth probe (a power of two). */
  maxDepth: number;
  /** Bytes of the data file. */
  sizeBytes: number;
  /** fio time of each timed step (ms). */
  stepMs: number;
  /** Prefix of the pagein step's latency log. */
  latLog: string;
}

/** I/O sizes of the latency-vs-size fit (bytes): 4k, 16k, 64k, 256k, 1m (`--quick`: 4k, 64k, 1m). */
export const LATENCY_SIZES: readonly number[] = [4096, 16384, 65536, 262144, 1 << 20];
export const QUICK_LATENCY_SIZES: readonly number[] = [4096, 65536, 1 << 20];

/** Sizes of the page-cache writeback steps (bytes): 64k, 256k, 1m, 4m (`--quick`: 64k, 1m, 4m). */
export const WRITEBACK_SIZES: readonly number[] = [65536, 262144, 1 << 20, 4 << 20];
export const QUICK_WRITEBACK_SIZES: readonly number[] = [65536, 1 << 20, 4 << 20];

/** The I/O log of a step whose syncs are timed one by one (flush-probe-K and flush), relative to the scratch directory fio runs in. */
export function flushIolog(name: string): string {
  return `${name}.iolog`;
}

/** The job of a FLUSH-level sample: 4 KiB O_DIRECT random overwrites, each followed by fdatasync, with its I/O log. */
function flushLevelOptions(name: string, ms: number): string[] {
  return ['rw=randwrite', 'bs=4k', 'direct=1', 'ioengine=psync', 'fdatasync=1', `write_iolog=${flushIolog(name)}`, 'time_based', `runtime=${ms}ms`];
}

/** Writes before each fdatasync of the flush steps (`--quick`: the first and the third). */
export const FLUSH_WRITES: readonly number[] = [1, 8, 32, 128];
export const QUICK_FLUSH_WRITES: readonly number[] = [1, 32];

/** Sizes of the one write before each fdatasync of the flush-size steps (`--quick`: the second). */
export const FLUSH_SIZES: readonly number[] = [128 << 10, 1 << 20];
export const QUICK_FLUSH_SIZES: readonly number[] = [1 << 20];

/** Writes per batch of the submission probe (`--quick`: the second and the fourth); at most BLK_MAX_REQUEST_COUNT (32), the requests one plug hands over. */
export const BATCH_SIZES: readonly number[] = [4, 8, 16, 32];
export const QUICK_BATCH_SIZES: readonly number[] = [8, 32];

/** Writes per batch of the completion probe (qr-write-16): above 8, so that a reap of all of them falls in fio's 9–16 bucket. */
export const REAP_BATCH = 16;

/** Queue depths of the channel probe: 1, 2, 4, ... up to `max` (`quick`: every other one, and `max`). */
export function probeDepths(max: number, quick = false): number[] {
  const d: number[] = [];
  for (let q = 1; q <= max; q *= quick ? 4 : 2) d.push(q);
  if (d[d.length - 1] !== max) d.push(max);
  return d;
}

/** A size as fio and the progress lines write it (4k, 1m). */
export function sizeLabel(bytes: number): string {
  return bytes >= 1 << 20 && bytes % (1 << 20) === 0 ? `${bytes >> 20}m` : `${bytes >> 10}k`;
}

/** The microbenchmarks, in the order they run. */
export function calibrationPlan(o: PlanOptions): Microbench[] {
  const timed = ['time_based', `runtime=${o.stepMs}ms`];
  const steps: Microbench[] = [{
    name: 'layout', label: `laying out the ${sizeLabel(o.sizeBytes)} data file`, kind: 'layout', bytes: 1 << 20, depth: 1,
    options: ['rw=write', 'bs=1m', 'ioengine=psync', 'end_fsync=1'],
  }];
  let probes = 0;
  const probe = () => {
    const name = `flush-probe-${++probes}`;
    steps.push({
      name, label: '4k O_DIRECT overwrite + fdatasync (FLUSH level, sampled between the steps)', kind: 'flush-probe', direction: 'write', bytes: 4096, depth: 1, writes: 1,
      options: flushLevelOptions(name, Math.max(1, Math.round(o.stepMs / 2))),
    });
  };
  const sizes = o.quick ? QUICK_LATENCY_SIZES : LATENCY_SIZES;
  for (const direction of ['read', 'write'] as const) {
    for (const bytes of sizes) {
      steps.push({
        name: `lat-${direction}-${sizeLabel(bytes)}`, label: `random ${direction}s QD1 ${sizeLabel(bytes)}`, kind: 'latency', direction, bytes, depth: 1,
        options: [`rw=rand${direction}`, `bs=${bytes}`, 'direct=1', 'ioengine=psync', ...timed],
      });
    }
    probe();
  }
  for (const direction of ['read', 'write'] as const) {
    for (const depth of probeDepths(o.maxDepth, o.quick)) {
      steps.push({
        name: `qd-${direction}-${depth}`, label: `4k random ${direction}s QD${depth}`, kind: 'depth', direction, bytes: 4096, depth,
        options: [`rw=rand${direction}`, 'bs=4k', 'direct=1', 'ioengine=libaio', `iodepth=${depth}`, ...timed],
      });
    }
  }
  steps.push({
    name: `qr-write-${REAP_BATCH}`, label: `4k random writes submitted ${REAP_BATCH} at a time, reaped as they complete`, kind: 'reap', direction: 'write', bytes: 4096, depth: REAP_BATCH,
    options: ['rw=randwrite', 'bs=4k', 'direct=1', 'ioengine=libaio', `iodepth=${REAP_BATCH}`, `iodepth_batch_submit=${REAP_BATCH}`, 'iodepth_batch_complete_min=1', `iodepth_batch_complete_max=${REAP_BATCH}`, ...timed],
  });
  for (const n of o.quick ? QUICK_BATCH_SIZES : BATCH_SIZES) {
    steps.push({
      name: `qb-write-${n}`, label: `4k random writes submitted ${n} at a time`, kind: 'batch', direction: 'write', bytes: 4096, depth: n,
      options: ['rw=randwrite', 'bs=4k', 'direct=1', 'ioengine=libaio', `iodepth=${n}`, `iodepth_batch_submit=${n}`, `iodepth_batch_complete_min=${n}`, ...timed],
    });
  }
  probe();
  for (const bytes of o.quick ? QUICK_WRITEBACK_SIZES : WRITEBACK_SIZES) {
    steps.push({
      name: `wb-${sizeLabel(bytes)}`, label: `page-cache writeback ${sizeLabel(bytes)} (buffered write + sync_file_range)`, kind: 'writeback', direction: 'write', bytes, depth: 1,
      // sequential buffered writes, each written back and waited for: fio times the sync_file_range as a sync
      options: ['rw=write', `bs=${bytes}`, 'ioengine=psync', 'sync_file_range=wait_before,write,wait_after:1', ...timed],
    });
  }
  probe();
  for (const n of o.quick ? QUICK_FLUSH_WRITES : FLUSH_WRITES) {
    steps.push({
      name: n === 1 ? 'flush' : `flush-${n}`, label: `${n === 1 ? '4k O_DIRECT overwrite' : `${n} 4k O_DIRECT overwrites`} + fdatasync (cache FLUSH)`,
      kind: 'flush', direction: 'write', bytes: 4096, depth: 1, writes: n,
      options: n === 1 ? flushLevelOptions('flush', o.stepMs) : ['rw=randwrite', 'bs=4k', 'direct=1', 'ioengine=psync', `fdatasync=${n}`, ...timed],
    });
  }
  for (const bytes of o.quick ? QUICK_FLUSH_SIZES : FLUSH_SIZES) {
    steps.push({
      name: `flush-size-${sizeLabel(bytes)}`, label: `a ${sizeLabel(bytes)} O_DIRECT overwrite + fdatasync (the FLUSH's destage rate)`,
      kind: 'flush-size', direction: 'write', bytes, depth: 1, writes: 1,
      options: ['rw=randwrite', `bs=${bytes}`, 'direct=1', 'ioengine=psync', 'fdatasync=1', 'time_based', `runtime=${Math.max(1, Math.round(o.stepMs / 2))}ms`],
    });
  }
  steps.push({
    name: 'journal', label: '4k buffered appends + fdatasync (data, jbd2 commit or inode block, FLUSH)', kind: 'journal', direction: 'write', bytes: 4096, depth: 1,
    // a new file: each write allocates a block, so each fdatasync commits a transaction
    options: [`filename=${JOURNAL_FILE}`, `size=${o.sizeBytes}`, 'rw=write', 'bs=4k', 'ioengine=psync', 'fdatasync=1', 'fallocate=none', `runtime=${o.stepMs}ms`],
  });
  steps.push({
    name: 'pagein', label: 'cold sequential mmap read (page-in, read-ahead)', kind: 'pagein', direction: 'read', bytes: 4096, depth: 1,
    // no fadvise/madvise hint: the kernel's default read-ahead; invalidate=1 drops the file's cached pages first
    options: ['rw=read', 'bs=4k', 'ioengine=mmap', 'fadvise_hint=0', 'invalidate=1', `write_lat_log=${o.latLog}`, 'log_avg_msec=0', `runtime=${o.stepMs}ms`],
  });
  return steps;
}

/** The journal step's file (in the calibration's work directory), new when the step starts. */
export const JOURNAL_FILE = 'grow.0';

/**
 * The fio job file of one step: global options (scratch directory, the data
 * file unless the step names its own) and the step's own. A `filename` in
 * both [global] and the job gives fio's job both files: fio 3.33 then wrote
 * the `journal` step's appends to the data file and ran each fdatasync on the
 * empty new file (strace, 2026-12-06), so the step timed a bare FLUSH.
 */
export function stepJobText(work: string, sizeBytes: number, step: Microbench): string {
  const ownFile = step.options.some((o) => o.startsWith('filename='));
  const global = ['[global]', `directory=${work}`, ...(ownFile ? [] : [`filename=${DATA_FILE}`]), `size=${sizeBytes}`, 'norandommap', 'randrepeat=0'];
  return [...global, '', `[${step.name}]`, ...step.options].join('\n') + '\n';
}
