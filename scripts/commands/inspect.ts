/**
 * `syncsim inspect`: statistics of a native trace, streamed in bounded memory.
 */
import { inspectTable, inspectTrace, RATE_LINES, RATE_TABLE_MAX, rateGrouping, type InspectOptions } from '../../traces/inspect.ts';
import { InputError, requireTraceFile } from '../errors.ts';
import { type Command, parseCommandArgs } from './command.ts';
import { pageSizeOption } from './page-size-option.ts';
import { escapeControl, escapeLines } from '../../traces/escape.ts';
import { cutShortWarning } from '../../traces/trace-stamp.ts';
import { MAX_RATE_BUCKETS } from '../../traces/sketches.ts';
import { cacheHeader, isCacheFile } from '../../traces/cache.ts';
import { fileProgress, QUIET_OPTION, quietHelp, withProgress } from '../progress.ts';

const HELP = `Usage: syncsim inspect TRACE [options]

Reads TRACE (native .csv or .csv.gz, or a binary trace cache .sst made by
'syncsim convert' or 'run', whose line numbers are those of its CSV) once, in
memory that does not grow with its length, and prints: rows, duration, tasks,
ops by kind and flags, footprint (distinct (task, page) pairs written or read,
and written: a page of a shared file that two tasks touch counts twice), bytes
written, the write rate over time and the largest msync ranges.

Options:
  --json            print exactly one JSON object instead of the table
  --page-size N     page size of the footprint in bytes (default 4096)
  --top K           largest msync ranges listed (default 10)
  --buckets N       write-rate buckets, an even N from 2 to ${MAX_RATE_BUCKETS.toLocaleString('en-US')}:
                    at most N (default 1024), of a width that doubles from
                    1 µs, merging them pairwise, until the trace fits, so a
                    long trace fills more than N/2. Given, the table has a
                    line per bucket (at most ${RATE_TABLE_MAX}: more are grouped to
                    fit, with a note); without it, the table groups them
                    into at most ${RATE_LINES} lines (--json lists every bucket
                    either way)
${quietHelp(20)}
  -h, --help        this help

Progress goes to stderr, never to stdout (the table or --json): on a terminal
a line redrawn in place (rows read, with the share of TRACE read, or of the
rows of a .sst, rows/s, ETA); otherwise a line every 10 s and one at the end,
none for a shorter job.

Footprint: exact (bitmaps of 4096-page chunks, per task) while the pages fall
into at most 16384 chunks; beyond that a HyperLogLog of 2^14 registers
(relative standard error 1.04/sqrt(16384) = 0.81 %), marked exact: false.
Tasks: rows are counted for the first 1024 tasks; past that the task count is
estimated.`;

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1) throw new InputError(`--${name} expects a positive integer (got '${v}')`);
  return n;
}

/** `--buckets`: an even integer from 2 to {@link MAX_RATE_BUCKETS}, refused (exit 2) before the trace is read, not an allocation that fails. */
function bucketsOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 2 || n % 2 !== 0 || n > MAX_RATE_BUCKETS) {
    throw new InputError(`--buckets expects an even integer from 2 to ${MAX_RATE_BUCKETS.toLocaleString('en-US')} (got '${v}')`);
  }
  return n;
}

/**
 * The progress of reading `trace`: the rows read, of the rows a cache's header says it holds, or
 * with the share of the file read (a CSV).
 */
function inspectProgress(trace: string, quiet: boolean | undefined): ReturnType<typeof fileProgress> {
  const total = cacheRows(trace);
  const p = fileProgress({ stream: process.stderr, label: 'inspect', unit: 'rows', shareOf: 'the trace', quiet }, trace);
  p.progress.total = total;
  return p;
}

/** The rows the header says a binary trace cache at `path` holds; undefined for a CSV, or when it cannot be read (the read then says why). */
function cacheRows(path: string): number | undefined {
  try {
    return isCacheFile(path) ? cacheHeader(path).rows : undefined;
  } catch {
    return undefined;
  }
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('inspect', argv, {
    json: { type: 'boolean' },
    'page-size': { type: 'string' },
    top: { type: 'string' },
    buckets: { type: 'string' },
    ...QUIET_OPTION,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new InputError(`inspect expects one TRACE argument (got ${positionals.length}; try 'syncsim inspect --help')`);
  const trace = positionals[0]!;
  requireTraceFile(trace, 'trace file');
  const opts: InspectOptions = {
    pageSize: pageSizeOption(values['page-size']),
    topK: positiveInt('top', values.top),
    maxBuckets: bucketsOption(values.buckets),
  };
  const progress = inspectProgress(trace, values.quiet);
  const report = await withProgress(progress.progress, () => inspectTrace(trace, opts, { tap: progress.tap, rows: (n) => (progress.progress.done = n) }));
  process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : escapeLines(inspectTable(report, opts.maxBuckets)) + '\n');
  // a trace syncsim wrote whole (stamped) that has lost its end: its figures are those of the rows it holds (user trial h202)
  const cut = cutShortWarning(trace, escapeControl(trace), 'counted');
  if (cut) process.stderr.write(`syncsim: warning: ${cut}\n`);
  const rate = report.write_rate, shown = rateGrouping(rate.buckets.length, opts.maxBuckets);
  if (!values.json && shown.capped) {
    process.stderr.write(`syncsim: note: --buckets ${opts.maxBuckets}: the trace filled ${rate.buckets.length} buckets of ${rate.bucket_us} µs; the table shows them ${shown.group} to a line, in ${shown.lines} lines (it has at most ${RATE_TABLE_MAX}; --json lists every bucket)\n`);
  }
  return 0;
}

/** `syncsim inspect`. */
export const inspectCommand: Command = { name: 'inspect', usage: 'inspect TRACE [--json]', summary: 'statistics of a trace (streamed)', help: HELP, run };
