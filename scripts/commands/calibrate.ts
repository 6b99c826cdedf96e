/**
 * `syncsim calibrate`: fits the storage model to a real device from fio
 * microbenchmarks and writes the device profile that models it.
 */
import { holdReporting, type ReportingIo } from '../validate/page-reporting.ts';
import { tmpdir } from 'node:os';
import { InputError } from '../errors.ts';
import { parseSize } from '../validate/fio.ts';
import { calibrate, checkCalibrationTargets } from '../validate/calibration.ts';
import { calibrationTable } from '../validate/calibration-text.ts';
import { BATCH_SIZES, LATENCY_SIZES, QUICK_BATCH_SIZES, QUICK_LATENCY_SIZES, QUICK_WRITEBACK_SIZES, WRITEBACK_SIZES, sizeLabel } from '../validate/microbench.ts';
import { lockOut } from '../../traces/out-lock.ts';
import { type Command, parseCommandArgs } from './command.ts';
import { helpEntry } from '../help-text.ts';

const HELP = `Usage: syncsim calibrate [--dir PATH] [--quick] [--size 256m] [--runtime 120]
                         [--max-depth 64] [--settle 90]
                         [--pause-page-reporting] -o device.yaml

Fits syncsim's storage model (device.read_latency, write_latency,
read_bandwidth_mbps, segment_us, read_request_mbps, max_segments,
ring_descriptors, bandwidth_mbps, media_mbps, channels, submit_us,
submit_command_us, submit_overlap, submit_completion, write_cache,
flush_us, flush_empty_us, flush_cv, flush_floor, flush_quantiles,
destage, media_write_us, flush_gap, host_cv, host_floor,
host_drift_share, host_drift_us, busy_latency_us, busy_flush_us),
readahead.pages, fs.kind,
fs.timestamp_tick_us and the CPU costs (cpu.syscall_us, fault_page_us,
clean_page_us, clean_page_busy_us, wire_page_us, clean_io_us,
writeback_call_us, cv)
to the device and file system under PATH, from microbenchmarks only (never
the validation jobs), and writes a profile file that 'syncsim run --config
FILE' and 'device.profile: FILE' accept:

  1. random reads / writes, O_DIRECT, queue depth 1, at ${LATENCY_SIZES.map(sizeLabel).join(', ')}
     (--quick: ${QUICK_LATENCY_SIZES.map(sizeLabel).join(', ')}): least squares of mean latency over size,
     latency = c + bytes / bw → read_latency / write_latency (lognormal at c,
     cv from the 4k spread), read_bandwidth_mbps (unless step 5 gives the page
     cache's rate) / media_mbps (unless step 3 times the FLUSH's own rate);
  2. 4k random reads / writes at queue depths 1, 2, 4, ... --max-depth
     (--quick: 1, 4, 16, ...): channels = round(peak IOPS x QD1 latency);
  2a. 4k random writes submitted and reaped ${BATCH_SIZES.join(', ')} at a time (--quick:
     ${QUICK_BATCH_SIZES.join(', ')}): the slope of batch latency over n is submit_command_us, and
     10^6 / the peak IOPS of 2 less it is submit_us (a serial stage each
     submission and command passes, as a virtual disk's host I/O thread);
     submit_overlap = whether the line's intercept lies nearer submit_us
     (a command's latency beside its turn in the stage) than the QD1 write
     less submit_command_us (the latency after its turn); with the latency
     after its turn both costs are taken off the latencies of 1; with a
     stage, either way, channels becomes --max-depth (at least 32). With
     unbatched IOPS still growing at --max-depth, submit_us is the intercept
     (within 0 and the peak's bound) if it still favours side by side, else
     the bound; batches that cost as much a write as the unbatched peak leave
     submit_us 0, with submit_command_us the peak's cost a write. A batch
     line that does not rise leaves the stage out (channels as in 2);
  2b. 16 4k random writes submitted together and reaped as they complete:
     submit_completion = drained (the batch completes at once when the
     stage has no command left, as a virtual disk's backend that raises one
     interrupt for its whole queue) when at least half of fio's reaps found
     9 or more completions, else each (with a stage only);
  2c. buffered sequential writes of ${WRITEBACK_SIZES.map(sizeLabel).join(', ')} (--quick: ${QUICK_WRITEBACK_SIZES.map(sizeLabel).join(', ')}),
     each written back by sync_file_range: bandwidth_mbps (page-cache
     writeback, the path of msync, sends whole folios; O_DIRECT's pinned
     4 KiB pages cost more per byte);
  3. 1, 8, 32, 128 4k O_DIRECT overwrites + fdatasync (--quick: 1, 32):
     flush_us (a bare cache FLUSH on ext4), flush_floor and flush_cv (a
     floor and a lognormal through its p50, p90 and p99), flush_quantiles
     (the spread as measured: one quantile for every ten fdatasyncs timed,
     500 to 2000, each less one write's destage, over flush_us; none with
     fewer than 500 timed), flush_empty_us (fdatasync with nothing written,
     timed by syncsim) and, from how the fdatasync grows
     with the writes before it, device.destage (a host page cache under a
     virtual disk destages only on FLUSH) and media_write_us; with a cache
     that destages on FLUSH, one 128k and one 1m O_DIRECT overwrite +
     fdatasync (--quick: 1m) give the rate the FLUSH destages at,
     media_mbps (1 / slope over the size, the 4k flush with them, whatever
     the line's R²; 1e6, no time a byte, when the fdatasync does not grow
     with the size); write_cache
     from /sys/block/DISK/queue/write_cache (inferred when absent);
     host_cv (the host's speed shared by a write and its FLUSH) from the
     rank correlation of each write of the FLUSH-level steps after write
     steps with the fdatasync after it; read_latency, write_latency,
     flush_cv and flush_quantiles then keep only their own share of their
     spread, and each time its median;
  3a. the FLUSH-gap probe (flush-gap.c, built with cc): a FLUSH alone (an
     fdatasync of a side file nothing writes) after one 4k O_DIRECT write
     with the CPU kept busy 0, 0.5, 1, 2, 4, 8, 16 ms before it, and after
     8 and 32 writes back to back, interleaved round by round: how the
     FLUSH grows with the time since the previous one, as a
     device.flush_gap table, in the profile only when the FLUSH after 4 ms
     and more is above the back-to-back one in every round and by a
     rank-sum test at p < 0.001, and each write's destage with that time
     taken out (reported: media_write_us stays the flush-N steps' slope);
     skipped without cc (no table then);
  4. 4k buffered appends + fdatasync: a check of the model (jbd2 commit +
     FLUSH; without a journal the inode block, and the extent tree block
     once the file has four extents, which filefrag -v counts after the
     step), reported beside the simulator's prediction;
  5. a cold sequential mmap read (fio): faults that miss vs hit, beside
     readahead.pages = /sys/block/DISK/queue/read_ahead_kb / 4; and the
     page-in probe (pagein-read.c, built with cc): the data file read cold
     through a mapping, one load a 4 KiB page and nothing else (5 reads,
     --quick 3; a read counts when at most 1 % of the file was still
     cached as it began): the median rate of their bytes after the first
     read-ahead window (the later windows, in folios of up to 2 MiB, a
     segment each) is the page cache's read path, and read_bandwidth_mbps
     in place of step 1's O_DIRECT rate (the whole reads' rate when the
     window was not timed); the report checks it by replaying the probe's
     read through the model ('probe check'). Where the disk's ring sends
     the first window's requests one at a time (sysfs: a virtio ring of
     ring_descriptors, queue/max_segments), read_request_mbps is the rate
     of one read alone at which the model's replay of that window takes
     its measured time.
     Without a rate from it (no cc, the probe failed, or no read was cold),
     fio's rate stands in (its accesses a second x 4 KiB, when it timed 1024
     accesses or more), which also holds fio's own work for each access;
  6. no measurement: fs.kind from the file system (ext4 with a jbd2 journal:
     ext4-ordered; without: ext4-nojournal) and fs.timestamp_tick_us from the
     kernel's CONFIG_HZ (/proc/config.gz or /boot/config-RELEASE);
  6a. the segment probe (segment-read.c, built with cc): O_DIRECT reads of
     as many pages as one request takes (queue/max_segments,
     max_sectors_kb), each a preadv of 4 KiB iovecs, alternately into
     separate pages and into one transparent huge page: segment_us =
     (median into pages − into the huge page) / the segments between them,
     what each scatter-gather segment (a folio of the page cache) adds to a
     read; a read_bandwidth_mbps not from the page-in probe (fio's rate, or
     step 1's) then becomes the rate of the bytes alone,
     4096 / (4096 / rate − segment_us). None (the reason in the report)
     without cc, without a huge page, with fewer than 20 reads of a kind, a
     gain under 10 %, a cost that rounds to 0, or one over 90 % of a page's
     read time;
  7. the CPU probe of 'npm run measure:cpu' (cpu-costs.c, built with cc) on
     the file system under PATH: the cpu.* keys (medians; skipped without cc),
     and device.busy_latency_us / busy_flush_us: one page written back and
     its fdatasync beside a busy CPU, less alone (none with one CPU).
Progress goes to standard error; the summary to standard output.

Options:
${helpEntry('  --dir PATH', `directory on the device to measure (default: the system
temporary directory, ${tmpdir()}); must not be tmpfs. A scratch directory is made inside and removed`, 22)}
  --quick             fewer sizes and depths, a 64m file and 24 s of fio time
                      (under a minute)
  --size SIZE         data file size, binary k/m/g suffixes (default 256m,
                      --quick 64m)
  --runtime S         fio time shared by the timed steps, seconds (default 120,
                      --quick 24; each step gets at least 0.2 s)
  --max-depth N       deepest queue of the depth probe, a power of two
                      (default 64)
  --settle S          longest wait, before the first step, for the device to
                      settle (a bare FLUSH that costs the same from one second
                      to the next), seconds (default 90, --quick 20; 0 measures
                      at once, with a warning)
  --pause-page-reporting
                      on a virtual machine that hands free memory back to its
                      host (free page reporting), turn that off while
                      measuring and back on after (root; docs/validation.md,
                      "Free page reporting"); without it, a warning
  -o, --out FILE      the profile (YAML), required; beside it, for device.yaml,
                      device.calibration.json (every fitted value with its fit
                      quality and microbenchmark, every step's figures, the
                      checks). Each is written atomically, and replaces only a
                      file an earlier calibration wrote, and not a profile
                      edited since (its '# syncsim stamp' line no longer
                      matches): such a profile, another file, a directory
                      or a symbolic link there is refused (exit 2) before
                      fio runs
  -h, --help          this help

fio must be installed.`;

/** `--settle S` in ms: undefined when not given; S a non-negative number of seconds. */
export function settleArg(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(n) || n > 3600) throw new InputError(`${flag} expects seconds from 0 to 3600 (got '${v}')`);
  return Math.round(n * 1000);
}

function positiveNumber(flag: string, v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n > 0) || !Number.isFinite(n)) throw new InputError(`${flag} expects a positive number (got '${v}')`);
  return n;
}

/** The calibration options shared by `calibrate` and `validate` (validate calibrates when given no file). */
export interface CalibrationArgs {
  sizeBytes: number;
  runtimeS: number;
  maxDepth: number;
  quick: boolean;
}

/** Parses --size, --runtime, --max-depth and --quick values (undefined = default), naming the flag `prefix + name` in errors. */
export function calibrationArgs(v: { size?: string; runtime?: string; maxDepth?: string; quick?: boolean }, prefix = '--'): CalibrationArgs {
  const quick = v.quick === true;
  const sizeBytes = v.size === undefined ? (quick ? 64 : 256) << 20 : parseSize(v.size);
  if (sizeBytes === null || sizeBytes <= 0) throw new InputError(`${prefix}size expects a size like 256m or 1g (got '${v.size}')`);
  if (sizeBytes < 4 << 20) throw new InputError(`${prefix}size must be at least 4m (four of the largest I/Os; got '${v.size}')`);
  const runtimeS = v.runtime === undefined ? (quick ? 24 : 120) : positiveNumber(`${prefix}runtime`, v.runtime);
  const maxDepth = v.maxDepth === undefined ? 64 : Number(v.maxDepth);
  if (!/^\d+$/.test(v.maxDepth ?? '64') || maxDepth < 1 || maxDepth > 1024 || (maxDepth & (maxDepth - 1)) !== 0) {
    throw new InputError(`${prefix}max-depth expects a power of two from 1 to 1024 (got '${v.maxDepth}')`);
  }
  return { sizeBytes, runtimeS, maxDepth, quick };
}

/** `syncsim calibrate ARGS`; `reportingIo`, where free page reporting is read and set (tests; default sysfs). */
export async function runCalibrate(argv: string[], reportingIo?: ReportingIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('calibrate', argv, {
    dir: { type: 'string' },
    size: { type: 'string' },
    runtime: { type: 'string' },
    quick: { type: 'boolean' },
    'max-depth': { type: 'string' },
    settle: { type: 'string' },
    'pause-page-reporting': { type: 'boolean' },
    out: { type: 'string', short: 'o' },
  });
  // --help first, whatever else is given, as for every other command
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length > 0) throw new InputError(`calibrate takes no positional arguments (got '${positionals[0]}'; try 'syncsim calibrate --help')`);
  if (values.out === undefined) throw new InputError("calibrate needs -o FILE (the fragment to write, e.g. device.yaml)");
  const args = calibrationArgs({ size: values.size, runtime: values.runtime, maxDepth: values['max-depth'], quick: values.quick });
  const settleMs = settleArg('--settle', values.settle);
  // checked and locked before fio runs
  checkCalibrationTargets(values.out);
  const lock = lockOut(values.out, 'calibrate', values.out, 'file');
  try {
    checkCalibrationTargets(values.out);
    const say = (l: string) => process.stderr.write(l + '\n');
    const pause = values['pause-page-reporting'] === true;
    const cal = await calibrate({
      ...args,
      settleMs,
      dir: values.dir ?? tmpdir(),
      out: values.out,
      log: say,
      // once fio and --dir are checked (calibration.ts): bad input is refused before anything is paused or warned of
      reporting: () => holdReporting('calibrate', pause, say, reportingIo, values.dir ?? tmpdir()),
    });
    process.stdout.write(calibrationTable(cal, values.out) + '\n');
    return 0;
  } finally {
    lock.release();
  }
}

/** `syncsim calibrate`. */
export const calibrateCommand: Command = {
  name: 'calibrate',
  usage: 'calibrate [--dir PATH] [--quick] [options] -o device.yaml',
  summary: 'fit the device model to a real device with fio microbenchmarks and write its profile',
  help: HELP,
  run: (argv) => runCalibrate(argv),
};
