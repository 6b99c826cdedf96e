/**
 * `npm run validate`: calibrates the device under the system temporary
 * directory (or --dir), then validates every example job of workloads/fio/
 * against the running kernel with that calibration, through the CLI's own
 * `syncsim calibrate` and `syncsim validate`, and prints one table of the
 * results (also written to OUT/summary.json).
 *
 *   node --import tsx scripts/validate/run-all.ts [--out results/validation] [--dir PATH]
 *        [--calibration FILE] [--size SIZE] [--runtime S] [--mode MODE] [--set KEY=VALUE]... [--warmup N]
 */
import { parseArgs } from 'node:util';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { main } from '../cli.ts';
import { writeFileAtomic } from '../../traces/files.ts';
import type { ValidationReport } from './validation.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const JOBS_DIR = join(ROOT, 'workloads', 'fio');
/** The example jobs in the order of the issue; any other job file of the directory follows, by name. */
const ORDER = ['seq-small-syncs', 'rand-fsync32', 'large-syncs'];

const HELP = `Usage: npm run validate [-- --out DIR] [--dir PATH] [--calibration FILE]
                         [--size SIZE] [--runtime S] [--mode MODE] [--set KEY=VALUE]... [--warmup N]

Calibrates the device under --dir (syncsim calibrate -o DIR/device.yaml; skipped
with --calibration FILE), then runs syncsim validate on every job of
workloads/fio/ into DIR/<job>/, and prints the measured and simulated msync
latency medians and the demerit figure of each job. DIR defaults to
results/validation.`;

async function runAll(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      dir: { type: 'string' },
      calibration: { type: 'string' },
      size: { type: 'string' },
      runtime: { type: 'string' },
      mode: { type: 'string' },
      set: { type: 'string', multiple: true },
      warmup: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const out = resolve(values.out ?? join(ROOT, 'results', 'validation'));
  const dirArgs = values.dir ? ['--dir', values.dir] : [];
  let calibration = values.calibration;
  if (calibration === undefined) {
    calibration = join(out, 'device.yaml');
    const args = ['calibrate', ...dirArgs, '-o', calibration];
    for (const k of ['size', 'runtime', 'mode'] as const) if (values[k] !== undefined) args.push(`--${k}`, values[k]!);
    process.stdout.write(`== syncsim ${args.join(' ')}\n`);
    const code = await main(args);
    if (code !== 0) return code;
  }
  const names = readdirSync(JOBS_DIR).filter((n) => n.endsWith('.fio')).map((n) => n.slice(0, -4));
  names.sort((a, b) => (ORDER.includes(a) ? ORDER.indexOf(a) : ORDER.length) - (ORDER.includes(b) ? ORDER.indexOf(b) : ORDER.length) || a.localeCompare(b));
  const reports: ValidationReport[] = [];
  for (const name of names) {
    const args = ['validate', '--fio-job', join(JOBS_DIR, `${name}.fio`), '--calibration', calibration, '--out', join(out, name), ...dirArgs];
    for (const s of values.set ?? []) args.push('--set', s);
    if (values.warmup !== undefined) args.push('--warmup', values.warmup);
    process.stdout.write(`\n== syncsim ${args.join(' ')}\n`);
    const code = await main(args);
    if (code !== 0) return code;
    reports.push(JSON.parse(readFileSync(join(out, name, 'validation.json'), 'utf8')) as ValidationReport);
  }
  const f = (v: number) => v.toFixed(1);
  const header = ['job', 'msyncs', 'p50 meas', 'p50 sim', 'mean meas', 'mean sim', 'p99 meas', 'p99 sim', 'demerit'];
  const rows = reports.map((r) => [
    r.job.name, String(r.matched_syncs),
    f(r.comparison.p50.measured_us), f(r.comparison.p50.simulated_us),
    f(r.comparison.mean.measured_us), f(r.comparison.mean.simulated_us),
    f(r.comparison.p99.measured_us), f(r.comparison.p99.simulated_us),
    `${f(r.demerit_pct)} %`,
  ]);
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  process.stdout.write(`\nmsync latency (µs), measured on this kernel vs simulated (calibration ${calibration})\n${[header, ...rows].map(line).join('\n')}\n`);
  const summary = {
    calibration: existsSync(calibration) ? resolve(calibration) : calibration,
    jobs: reports.map((r) => ({
      job: r.job.name, file: r.job.file, msyncs: r.matched_syncs, warmup_syncs: r.warmup_syncs, demerit_pct: r.demerit_pct, rms_distance_us: r.rms_distance_us,
      measured: { mean_us: r.measured.mean_us, p50_us: r.measured.p50_us, p90_us: r.measured.p90_us, p99_us: r.measured.p99_us },
      simulated: { mean_us: r.simulated.mean_us, p50_us: r.simulated.p50_us, p90_us: r.simulated.p90_us, p99_us: r.simulated.p99_us },
    })),
  };
  writeFileAtomic(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  process.stdout.write(`summary: ${join(out, 'summary.json')}\n`);
  return 0;
}

try {
  process.exitCode = await runAll(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`validate: ${(e as Error).message}\n`);
  process.exitCode = 2;
}
