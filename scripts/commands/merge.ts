/**
 * `syncsim merge`: combines the directories of a sharded sweep into one.
 */
import { showPath } from '../sweep/store.ts';
import { InputError } from '../errors.ts';
import { mergeSweeps } from '../sweep/merge.ts';
import { failureReport } from '../sweep/report.ts';
import { tablesNotes, tablesWarnings } from '../sweep/tables.ts';
import { type Command, parseCommandArgs } from './command.ts';
import { escapeControl, escapeLines } from '../../traces/escape.ts';

const HELP = `Usage: syncsim merge DIR... [--out OUT]

Combines the directories written by 'syncsim sweep --shard I/N' (one per shard,
all of the same experiment) into OUT: every run directory, results.csv and
aggregate.csv, exactly as one sweep of the whole experiment writes them.
Checks that every run of the experiment is in exactly one DIR, and that all
of them replayed one version of its trace file (the SHA-256 each shard's sweep
began with, and each run's provenance): a missing or doubled run, or two
versions of the trace, is an error, and then nothing is written.

Options:
  --out OUT     merged directory (required with several DIRs; with one DIR,
                the tables are written into DIR itself). It must be missing,
                empty or a sweep directory, else it is refused (exit 2) before
                any DIR is read; it is locked while merging
  -h, --help    this help

Interrupted (Ctrl-C, SIGTERM), it stops between two runs copied, or while it
writes the result tables, says so and exits 130 (143): the runs copied so far
stay in OUT, whole, no table is written or replaced, and the same merge again
finishes it.

Exit codes: 0 merged, every run succeeded; 1 merged, some runs had failed
(listed); 2 bad input (different experiments, missing or doubled runs, runs of
two versions of the trace).`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('merge', argv, { out: { type: 'string', short: 'o' } });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new InputError("merge expects one or more sweep directories (try 'syncsim merge --help')");
  const o = await mergeSweeps(positionals, values.out, true);
  const out = escapeControl(showPath(o.out));
  const t = o.tables;
  process.stdout.write(escapeLines(
    `merged ${positionals.length} director${positionals.length === 1 ? 'y' : 'ies'} of ${o.manifest.name}: ${t.runs} runs (${o.copied} copied), ${t.failed.length} failed\n` +
      `results: ${out}/results.csv, ${out}/aggregate.csv`,
  ) + '\n');
  for (const w of tablesWarnings(t)) process.stderr.write(`syncsim: warning: ${w}\n`);
  for (const n of tablesNotes(t)) process.stderr.write(`syncsim: note: ${n}\n`);
  if (t.failed.length > 0) {
    process.stderr.write(failureReport(t.failed, t.runs, o.out));
    return 1;
  }
  return 0;
}

/** `syncsim merge`. */
export const mergeCommand: Command = { name: 'merge', usage: 'merge DIR... [--out OUT]', summary: 'combine the shard directories of a sweep', help: HELP, run };
