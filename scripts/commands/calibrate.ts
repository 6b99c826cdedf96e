/**
 * `syncsim calibrate`: measures a real device with fio and writes the
 * `device` configuration fragment that models it.
 */
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { parseSize } from '../validate/fio.ts';
import { CALIBRATION_MODES, CALIBRATION_PAGES, calibrate, checkCalibrationTargets, type Calibration, type CalibrationMode } from '../validate/calibration.ts';
import { lockOut } from '../../traces/out-lock.ts';
import { type Command, parseCommandArgs } from './command.ts';

const HELP = `Usage: syncsim calibrate [--dir PATH] [--size 256m] [--runtime 20] [--mode fdatasync|direct]
                         [--max-depth 64] -o device.yaml

Measures the device under PATH with fio as the queueing model describes it
(device.profile queue: channels identical servers, each I/O taking a service
time plus per_page_us per page) and writes a configuration fragment with
device.profile: queue, device.channels, device.per_page_us and device.service
(an empirical distribution of the measured samples).

  1. channels: 4 KiB O_DIRECT random writes at queue depths 1, 2, 4, ... up to
     --max-depth; channels = round(peak IOPS x mean latency at depth 1).
  2. synchronous writes of ${CALIBRATION_PAGES.join(', ')} pages, one at a time and then
     'channels' at a time (one file each); per_page_us = least-squares slope
     of the median latency over the sizes; service samples = the depth-1
     samples minus per_page_us x pages.

Options:
  --dir PATH          directory on the device to measure (default: the system
                      temporary directory, ${tmpdir()}); must not be tmpfs.
                      A scratch directory is made inside and removed
  --size SIZE         test file size, binary k/m/g suffixes (default 256m)
  --runtime S         total fio time in seconds, shared by all steps (default 20;
                      each step gets at least 0.1 s)
  --mode MODE         fdatasync (default): time fdatasync(2) after a buffered write,
                      the path of msync(MS_SYNC) (write back, wait, flush the
                      device cache); direct: time O_DIRECT writes (the bare device)
  --max-depth N       deepest queue of the channel probe, a power of two (default 64)
  -o, --out FILE      the fragment (YAML), required. Beside it, for device.yaml:
                      device.service.csv (the service samples it refers to),
                      device.samples.csv (every raw sample: phase, depth, job,
                      pages, latency_us) and device.calibration.json (the fit,
                      the probe, fio's own means). Each is written atomically,
                      and replaces only a file an earlier calibration wrote:
                      another file, a directory or a symbolic link there is
                      refused (exit 2) before fio runs
  -h, --help          this help

Use the fragment with 'syncsim run --config device.yaml' or
'syncsim validate --calibration device.yaml'. fio must be installed.`;

function positiveNumber(flag: string, v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n > 0) || !Number.isFinite(n)) throw new InputError(`${flag} expects a positive number (got '${v}')`);
  return n;
}

/** The calibration options shared by `calibrate` and `validate` (validate calibrates when given no file). */
export interface CalibrationArgs {
  sizeBytes: number;
  runtimeS: number;
  mode: CalibrationMode;
  maxDepth: number;
}

/** Parses --size, --runtime, --mode and --max-depth values (undefined = default), naming the flag `prefix + name` in errors. */
export function calibrationArgs(v: { size?: string; runtime?: string; mode?: string; maxDepth?: string }, prefix = '--'): CalibrationArgs {
  const sizeBytes = v.size === undefined ? 256 << 20 : parseSize(v.size);
  if (sizeBytes === null || sizeBytes <= 0) throw new InputError(`${prefix}size expects a size like 256m or 1g (got '${v.size}')`);
  const runtimeS = v.runtime === undefined ? 20 : positiveNumber(`${prefix}runtime`, v.runtime);
  const mode = (v.mode ?? 'fdatasync') as CalibrationMode;
  if (!CALIBRATION_MODES.includes(mode)) throw new InputError(`${prefix}mode expects one of ${CALIBRATION_MODES.join(', ')} (got '${v.mode}')`);
  const maxDepth = v.maxDepth === undefined ? 64 : Number(v.maxDepth);
  if (!/^\d+$/.test(v.maxDepth ?? '64') || maxDepth < 1 || maxDepth > 1024 || (maxDepth & (maxDepth - 1)) !== 0) {
    throw new InputError(`${prefix}max-depth expects a power of two from 1 to 1024 (got '${v.maxDepth}')`);
  }
  return { sizeBytes, runtimeS, mode, maxDepth };
}

/** A short summary of a calibration, for the terminal. */
export function calibrationTable(c: Calibration, fragment: string): string {
  const f = (v: number) => v.toFixed(1);
  const rows: [string, string][] = [
    ['device', `${c.dir} (${c.filesystem}), ${c.fio_version}, mode ${c.mode}, ${c.step_ms} ms per step`],
    ['channels', `${c.device.channels} (peak ${Math.round(c.channel_fit.peak_iops)} IOPS at depth ${c.channel_fit.peak_depth} x ${f(c.channel_fit.depth1_latency_us)} µs at depth 1 = ${c.channel_fit.estimate.toFixed(2)})`],
    ['per_page_us', `${c.device.per_page_us} (intercept ${f(c.fit.intercept_us)} µs, R² ${c.fit.r2.toFixed(3)})`],
    ['service (µs)', `empirical, ${c.service.samples} samples: mean ${f(c.service.mean_us)}  p50 ${f(c.service.p50_us)}  p90 ${f(c.service.p90_us)}  p99 ${f(c.service.p99_us)}${c.service.clamped ? ` (${c.service.clamped} clamped to 0)` : ''}`],
    ...c.sizes.map((s): [string, string] => [
      `  ${s.pages} page${s.pages > 1 ? 's' : ''}`,
      `median ${f(s.depth1.p50_us)} µs at depth 1 (${s.depth1.count} samples)${s.depthC ? `, ${f(s.depthC.p50_us)} at depth ${c.device.channels} (x${s.median_ratio!.toFixed(2)})` : ''}`,
    ]),
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return [...rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`), `fragment: ${resolve(fragment)}`].join('\n');
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('calibrate', argv, {
    dir: { type: 'string' },
    size: { type: 'string' },
    runtime: { type: 'string' },
    mode: { type: 'string' },
    'max-depth': { type: 'string' },
    out: { type: 'string', short: 'o' },
  });
  if (positionals.length > 0) throw new InputError(`calibrate takes no positional arguments (got '${positionals[0]}'; try 'syncsim calibrate --help')`);
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (values.out === undefined) throw new InputError("calibrate needs -o FILE (the fragment to write, e.g. device.yaml)");
  const args = calibrationArgs({ size: values.size, runtime: values.runtime, mode: values.mode, maxDepth: values['max-depth'] });
  const tty = process.stderr.isTTY === true;
  // checked and locked before fio runs
  checkCalibrationTargets(values.out);
  const lock = lockOut(values.out, 'calibrate', values.out, 'file');
  try {
    checkCalibrationTargets(values.out);
    const cal = await calibrate({
      ...args,
      dir: values.dir ?? tmpdir(),
      out: values.out,
      log: tty ? (l) => process.stderr.write(l + '\n') : undefined,
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
  usage: 'calibrate [--dir PATH] [options] -o device.yaml',
  summary: 'measure a real device with fio and write the device config that models it',
  help: HELP,
  run,
};
