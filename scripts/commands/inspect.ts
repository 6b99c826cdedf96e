/**
 * `syncsim inspect`: statistics of a native trace, streamed in bounded memory.
 */
import { inspectTable, inspectTrace, type InspectOptions } from '../../traces/inspect.ts';
import { InputError, requireTraceFile } from '../errors.ts';
import { type Command, parseCommandArgs } from './command.ts';
import { pageSizeOption } from './page-size-option.ts';
import { escapeLines } from '../../traces/escape.ts';

const HELP = `Usage: syncsim inspect TRACE [options]

Reads TRACE (native .csv or .csv.gz, or a binary trace cache .sst made by
'syncsim convert' or 'run', whose line numbers are those of its CSV) once, in
memory that does not grow with its length, and prints: rows, duration, tasks, ops by kind and flags, footprint
(distinct (task, page) pairs written or read, and written: a page of a shared
file that two tasks touch counts twice), bytes written, the write rate over
time and the largest msync ranges.

Options:
  --json            print exactly one JSON object instead of the table
  --page-size N     page size of the footprint in bytes (default 4096)
  --top K           largest msync ranges listed (default 10)
  --buckets N       most write-rate buckets, even (default 1024; merged pairwise,
                    doubling their width, when the trace outgrows them)
  -h, --help        this help

Footprint: exact (bitmaps of 4096-page chunks, per task) while the pages fall
into at most 16384 chunks; beyond that a HyperLogLog of 2^14 registers
(relative standard error 1.04/sqrt(16384) = 0.81 %), marked exact: false.
Tasks: rows are counted for the first 1024 tasks; past that the task count is
estimated.`;

function positiveInt(name: string, v: string | undefined, even = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || (even && (n < 2 || n % 2 !== 0))) {
    throw new InputError(`--${name} expects ${even ? 'an even integer >= 2' : 'a positive integer'} (got '${v}')`);
  }
  return n;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('inspect', argv, {
    json: { type: 'boolean' },
    'page-size': { type: 'string' },
    top: { type: 'string' },
    buckets: { type: 'string' },
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
    maxBuckets: positiveInt('buckets', values.buckets, true),
  };
  const report = await inspectTrace(trace, opts);
  process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : escapeLines(inspectTable(report)) + '\n');
  return 0;
}

/** `syncsim inspect`. */
export const inspectCommand: Command = { name: 'inspect', usage: 'inspect TRACE [--json]', summary: 'statistics of a trace (streamed)', help: HELP, run };
