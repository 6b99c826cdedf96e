/**
 * Free page reporting of a virtual machine's guest (Linux `page_reporting`,
 * driven by virtio-balloon): free blocks of at least `page_reporting_order`
 * are handed back to the host, which drops the memory behind them; the next
 * use of such a block makes the host fault every 4 KiB of it in again.
 *
 * Why validation cares: read-ahead allocates folios of 2 MiB and more (order
 * 9 and up) from exactly those blocks, so a job that starts after the guest
 * has been quiet for a few seconds pays host faults on its stores and on the
 * reads that fill the folios, and a job that starts right after another freed
 * its page cache does not. On the development machine (a Firecracker guest,
 * reporting from order 9) fio's `large-syncs` job, each run after 3 s of
 * idle, stored at 0.86, 3.09, 7.53 and 9.19 µs a 4 KiB store (mean from 128
 * MiB on) with reporting on and at 0.70, 0.78, 0.70 and 0.66 µs with it off
 * (`page_reporting_order` above the buddy allocator's largest order),
 * interleaved; in the seven `npm run validate` sessions of 2026-12-06 its
 * first run (after the settle wait) was the slow one, 6.61–9.62 µs against
 * 0.66–3.57 for the second (docs/validation-notes.md, "Free page
 * reporting"). syncsim models the kernel, not the host's memory, so
 * measurements meant to validate it are best taken with reporting paused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, lastLines } from '../errors.ts';
import { cleanupOnInterrupt } from '../interrupt.ts';

/** Where the guest's reporting order is read and set. */
export const REPORTING_ORDER_FILE = '/sys/module/page_reporting/parameters/page_reporting_order';
/** The buddy allocator's free blocks by order, one column an order. */
export const BUDDYINFO_FILE = '/proc/buddyinfo';

/** Free page reporting as this guest has it. */
export interface PageReporting {
  /** Smallest order of the free blocks reported to the host. */
  order: number;
  /** Largest order of the buddy allocator (a reporting order above it reports nothing). */
  max_order: number;
  /** Whether any free block can be reported (order <= max_order). */
  active: boolean;
}

/** The largest order of the zones in a /proc/buddyinfo text (its columns less one), or null when none parses (pure). */
export function maxBuddyOrder(buddyinfo: string): number | null {
  let max = -1;
  for (const line of buddyinfo.split('\n')) {
    const m = /zone\s+\S+\s+(.*)$/.exec(line);
    if (!m) continue;
    const cols = m[1]!.trim().split(/\s+/).filter((c) => /^\d+$/.test(c)).length;
    max = Math.max(max, cols - 1);
  }
  return max >= 0 ? max : null;
}

/** The reporting state from the texts of the two files (pure); null when either does not parse. */
export function parsePageReporting(orderText: string, buddyinfo: string): PageReporting | null {
  const order = Number(orderText.trim());
  const max = maxBuddyOrder(buddyinfo);
  if (!Number.isInteger(order) || order < 0 || max === null) return null;
  return { order, max_order: max, active: order <= max };
}

/** This guest's free page reporting; null where there is none (no `page_reporting` module: bare metal, most VMs). */
export function pageReporting(): PageReporting | null {
  try {
    return parsePageReporting(readFileSync(REPORTING_ORDER_FILE, 'utf8'), readFileSync(BUDDYINFO_FILE, 'utf8'));
  } catch {
    return null;
  }
}

/** The warning for a measurement taken with reporting `r` on and not paused, or null. */
export function pageReportingWarning(command: string, r: PageReporting | null): string | null {
  if (!r?.active) return null;
  return `${command}: warning: this virtual machine hands free memory back to its host (free page reporting, blocks of order ${r.order} and up), and the host faults it in again at the next use: ` +
    `jobs that read ahead into large folios store and read several times slower when they start after a quiet spell (docs/validation.md, "Free page reporting"); ` +
    `--pause-page-reporting turns it off for the measurement and back on after (root)`;
}

/** What {@link pausePageReporting} did, and how to undo it. */
export interface ReportingPause {
  /** The order before the pause, and the one set. */
  before: number;
  set: number;
  /** Puts the order back (once; later calls do nothing). */
  restore: () => void;
}

/**
 * Stops free page reporting (sets the order one above the largest) until `restore` is called;
 * null when it is not on. Throws, naming the file, when the order cannot be written (not root).
 */
export function pausePageReporting(r: PageReporting | null, write: (file: string, text: string) => void = SYSTEM.write): ReportingPause | null {
  if (!r?.active) return null;
  const set = r.max_order + 1;
  try {
    write(REPORTING_ORDER_FILE, `${set}\n`);
  } catch (e) {
    throw new InputError(`cannot pause free page reporting: writing ${set} to ${REPORTING_ORDER_FILE} failed (${e instanceof Error ? e.message : String(e)}); run as root, or leave out --pause-page-reporting`);
  }
  let done = false;
  return {
    before: r.order,
    set,
    restore: () => {
      if (done) return;
      done = true;
      write(REPORTING_ORDER_FILE, `${r.order}\n`);
    },
  };
}

/** How {@link measureWithReporting} reads the state and writes the order (tests give their own). */
export interface ReportingIo {
  read: () => PageReporting | null;
  write: (file: string, text: string) => void;
  /** Backs the guest's free memory again in `dir` ({@link primeFreeMemory}); null when done, else why not. */
  prime?: (dir: string) => string | null;
}

const SYSTEM: ReportingIo = { read: pageReporting, write: (file, text) => writeFileSync(file, text), prime: (dir) => primeFreeMemory(dir) };

/** MiB read through the page cache and dropped by {@link primeFreeMemory}: twice the largest job of workloads/fio/. */
export const PRIME_MIB = 512;

/**
 * Pausing stops further reports, but memory reported before stays with the host until the guest uses it
 * again: at 01:52 UTC on 2026-12-07, paused after 5 s of reporting, `large-syncs` still stored at 9.3–10.3 µs
 * from its sixth window on, 2 runs of 2, and at 0.8–1.5 µs once 512 MiB had been written and read through the
 * page cache and dropped first (2 of 2): read-ahead's large folios then come from blocks the host backs again.
 * Writes `PRIME_MIB` MiB to a new file `syncsim-prime-PID` in `dir` and reads it back, each without keeping it
 * in the cache (`dd` with `nocache`), and removes it; null when done, else why not (the file's name taken,
 * no `dd`, no room).
 */
export function primeFreeMemory(dir: string, mib = PRIME_MIB): string | null {
  const file = join(dir, `syncsim-prime-${process.pid}`);
  if (existsSync(file)) return `${file} exists (not syncsim's to replace)`;
  try {
    for (const args of [['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${mib}`, 'conv=fsync', 'oflag=nocache', 'status=none'], [`if=${file}`, 'of=/dev/null', 'bs=1M', 'iflag=nocache', 'status=none']]) {
      const r = spawnSync('dd', args, { encoding: 'utf8' });
      if (r.error || r.status !== 0) return `dd ${args.join(' ')} failed: ${r.error?.message ?? (lastLines(r.stderr, 1) || `exit ${r.status}`)}`;
    }
    return null;
  } finally {
    rmSync(file, { force: true });
  }
}

/** The reporting state a measurement ran under (summary.json, validation.json): null where the guest has none. */
export type ReportingRecord = (PageReporting & { paused: boolean }) | null;

/**
 * The state of the measurement under way in this process, from {@link holdReporting} to its end:
 * `npm run validate` runs `syncsim calibrate` and each job's `syncsim validate` in its own process, inside its session.
 */
let session: { record: ReportingRecord } | undefined;

/** A measurement's hold on free page reporting: the state it runs under, and its end (put back what it changed; once). */
export interface ReportingHold {
  record: ReportingRecord;
  end: () => void;
}

/**
 * Starts a measurement (its input checked: nothing is paused or warned of for bad input): pauses free page
 * reporting when `pause` until `end` (also when the command is interrupted or the process exits), else warns
 * through `say` when it is on. Within another (npm run validate's session), it does neither: that one decided,
 * and this one gets its state (paused, at the order before the pause), not the order the pause set.
 */
export function holdReporting(command: string, pause: boolean, say: (line: string) => void, io: ReportingIo = SYSTEM, primeDir?: string): ReportingHold {
  if (session) return { record: session.record, end: () => {} };
  const r = io.read();
  if (!pause) {
    const w = pageReportingWarning(command, r);
    if (w) say(w);
  }
  const p = pause ? pausePageReporting(r, io.write) : null;
  if (!p) return enter(r && { ...r, paused: false }, () => {});
  const release = cleanupOnInterrupt(() => p.restore());
  // any other end of the process (process.exit: standard output that cannot be written, scripts/cli.ts)
  const atExit = () => p.restore();
  process.on('exit', atExit);
  say(`${command}: free page reporting paused for the measurement (${REPORTING_ORDER_FILE}: ${p.before} -> ${p.set}; put back to ${p.before} at the end)`);
  // what the host took back before the pause is backed again (primeFreeMemory)
  if (primeDir !== undefined && io.prime) {
    const why = io.prime(primeDir);
    say(why === null
      ? `${command}: ${PRIME_MIB} MiB written and read through the page cache in ${primeDir} and dropped, so that the free memory the host had taken back is backed again`
      : `${command}: warning: the free memory the host took back before the pause was not backed again (${why}): the first run may still meet its faults`);
  }
  return enter({ ...r!, paused: true }, () => {
    try {
      p.restore();
    } finally {
      release();
      process.off('exit', atExit);
    }
  });
}

/** Makes `record` the state of the measurement under way in this process until the hold's end, which then calls `undo`. */
function enter(record: ReportingRecord, undo: () => void): ReportingHold {
  const mine = { record };
  session = mine;
  let ended = false;
  return {
    record,
    end: () => {
      if (ended) return;
      ended = true;
      if (session === mine) session = undefined;
      undo();
    },
  };
}

/** Runs `body` (a measurement) under {@link holdReporting}, ended when it is; `body` gets the state it runs under. */
export async function measureWithReporting<T>(command: string, pause: boolean, say: (line: string) => void, body: (r: ReportingRecord) => Promise<T>, io: ReportingIo = SYSTEM, primeDir?: string): Promise<T> {
  const hold = holdReporting(command, pause, say, io, primeDir);
  try {
    return await body(hold.record);
  } finally {
    hold.end();
  }
}
