/**
 * The options of `syncsim run`: its help, the options it takes and what the
 * ones that need more than parsing mean (`--ci`).
 */
import { BOOTSTRAP_REPS } from '../compare/stats.ts';
import { QUIET_OPTION, quietHelp } from '../progress.ts';
import { InputError } from '../errors.ts';
import { didYouMean } from '../../sim/closest-name.ts';
import { wholeNumberOption } from './command.ts';

/** What `syncsim run --help` prints. */
export const RUN_HELP = `Usage: syncsim run TRACE [options]

Replays TRACE (native .csv or .csv.gz, or an .sst made by 'syncsim convert')
and writes its results.

Options:
  --config FILE     run configuration (YAML or JSON); writeback.policy and
                    device.discipline may name a plugin file (./p.ts, .js,
                    .mjs) relative to it: your own code, run with your rights
  --set KEY=VALUE   override one configuration key (dotted, repeatable),
                    e.g. --set device.profile=hdd --set device.cache_mb=64
  --replay MODE     closed (default: a task waits for its blocking ops) or open
  --seed N          random seed (same seed, same trace, same config ->
                    same results)
  --out DIR         results directory (default results/<trace name>); it must be
                    missing, empty or an earlier run's (it holds a .syncsim
                    marker): anything else (., a file, a link, a directory of
                    yours) is refused, exit 2, before the trace is read;
                    missing parent directories are made
  --json            print exactly summary.json on stdout instead of the table;
                    the result files are written all the same, to --out
                    (default results/<trace name>, whatever the configuration:
                    a second run of the trace replaces the first's results
                    there, which a note on stderr says; give each its --out)
  --cache-dir DIR   where the binary trace cache lives (default:
                    $SYNCSIM_CACHE_DIR if set, else .trace-cache beside the
                    results directory); not the results directory or inside
                    it, nor another syncsim output directory (one holding a
                    .syncsim marker) or inside one (exit 2)
  --no-cache        read the CSV and neither use nor write a cache
  --results FILES   which result files to write besides summary.json (always
                    written, and the same whatever is chosen): all (default),
                    summary (summary.json alone), report (syncs.csv and
                    timeline.csv: what 'syncsim report' and 'compare' read),
                    or a comma-separated list of syncs, wires, writeback,
                    reads, timeline, durability, tasks; writeback.csv has a
                    row per writeback I/O (about 1 GB for 15 M writes)
  --ci bootstrap    add 95 % percentile-bootstrap confidence intervals of the
                    msync latency mean, p50, p90 and p99 over the run's msyncs
                    (summary.json sync.latency_ci_us; --ci-reps N resamples,
                    default 1000; seeded by the run's seed; the time grows with
                    the number of msyncs times N), in blocks of consecutive
                    msyncs when they are not independent (latency_ci_us.block)
${quietHelp(20)}
  -h, --help        this help

Progress goes to stderr, never to stdout or the results: on a terminal a line
redrawn in place (rows replayed of the trace's rows when known, as from an .sst
or a cache, else the share of the CSV read; simulated time, rows/s, ETA);
otherwise a line every 10 s and one at the end, none for a run shorter
than 10 s.

The first replay of a CSV trace stores a binary copy (.sst) in the cache
directory (not smaller than the CSV: it is there for speed); later replays of
the unchanged trace read it instead, several times faster, checking each block
as they go (a corrupted cache is made again from the CSV, with a warning).
TRACE may also be an .sst file made by 'syncsim convert' (a corrupted one stops
the run: exit 2, no results).

Results (in --out): summary.json, syncs.csv, wires.csv, writeback.csv,
timeline.csv, reads.csv, durability.csv, tasks.csv (those --results names),
and the .syncsim marker (which lists them). While it runs, --out is locked
(.NAME.lock beside it): a second writer exits 2 naming the first.

timeline.csv and durability.csv have a row every stats.sample_us. Left unset,
it is chosen from the trace's end when that is known before the run (a plain
CSV's last row, a .sst, a .csv.gz, which is cached first unless --no-cache):
1 ms, or the smallest of 2, 5, 10, 20, 50 ms ... that keeps the timeline within
1,000,000 rows (said on stderr; summary.json config.stats.sample_us has it).
Set, a value that would pass the timeline's limit of 10,000,000 rows over the
trace is refused before the run (exit 2), suggesting one.
See docs/configuration.md for the configuration keys and README.md for the
result fields.`;

/** The options `syncsim run` takes (parseCommandArgs adds -h, --help). */
export const RUN_OPTIONS = {
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  replay: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  'cache-dir': { type: 'string' },
  ci: { type: 'string' },
  'ci-reps': { type: 'string' },
  results: { type: 'string' },
  ...QUIET_OPTION,
} as const;

/** The options of `syncsim run` as parsed. */
export interface RunValues {
  ci?: string;
  'ci-reps'?: string;
  out?: string;
  set?: string[];
  replay?: string;
  seed?: string;
  config?: string;
  json?: boolean;
  'no-cache'?: boolean;
  'cache-dir'?: string;
  results?: string;
  quiet?: boolean;
}

/** The --ci option: bootstrap CIs, or none. */
export function ciOf(values: RunValues, seed: number): { reps: number; level: number; seed: number } | undefined {
  if (values.ci === undefined) {
    if (values['ci-reps'] !== undefined) throw new InputError('--ci-reps needs --ci bootstrap');
    return undefined;
  }
  // a misspelt value ends with the one there is, as a misspelt option or --results value does (since 2026-12-08)
  if (values.ci !== 'bootstrap') throw new InputError(`--ci expects 'bootstrap' (got '${values.ci}')${didYouMean(values.ci, ['bootstrap'])}`);
  return { reps: wholeNumberOption('--ci-reps', values['ci-reps'], 1000, BOOTSTRAP_REPS.min, BOOTSTRAP_REPS.max), level: 0.95, seed };
}
