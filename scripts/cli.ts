/**
 * The syncsim command line.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { TraceError } from '../traces/reader.ts';
import { ConfigError } from '../sim/config.ts';
import { TraceSemanticError } from '../sim/vm/vm.ts';
import { loadConfig } from './config-file.ts';
import { defaultOutDir, runTrace, summaryTable } from './run.ts';
import { VERSION } from './version.ts';

const HELP = `syncsim ${VERSION} — trace-driven simulator of virtual-memory sync

Usage:
  syncsim run TRACE [options]     replay TRACE (native .csv or .csv.gz) and write results
  syncsim --help | --version

Options of run:
  --config FILE     run configuration (YAML or JSON)
  --set KEY=VALUE   override one configuration key (dotted, repeatable),
                    e.g. --set device.channels=4 --set device.service.dist=exponential
  --replay MODE     closed (default: a task waits for its blocking ops) or open
  --seed N          random seed (same seed, same trace, same config -> same results)
  --out DIR         results directory (default results/<trace name>)
  --json            print exactly summary.json on stdout, nothing else
  -h, --help        this help

Results (in --out): summary.json, syncs.csv, writeback.csv, timeline.csv.
Exit codes: 0 success, 2 bad input (trace, config, usage), 1 internal error.
See README.md for the configuration keys and the result fields.`;

class UsageError extends Error {}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (e) {
    if (e instanceof TraceError || e instanceof ConfigError || e instanceof UsageError) {
      process.stderr.write(`syncsim: ${e.message}\n`);
      return 2;
    }
    if (e instanceof TraceSemanticError) {
      process.stderr.write(`syncsim: ${currentTrace}:${e.line}: column ${e.column}: ${e.message} (got '${e.text}')\n`);
      return 2;
    }
    process.stderr.write(`syncsim: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

let currentTrace = '';

async function dispatch(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    process.stdout.write(HELP + '\n');
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version' || cmd === '-V') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  if (cmd === 'run') return cmdRun(rest);
  throw new UsageError(`unknown command '${cmd}' (try 'syncsim --help')`);
}

async function cmdRun(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        set: { type: 'string', multiple: true },
        replay: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (try 'syncsim --help')`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`run expects one TRACE argument (got ${positionals.length}; try 'syncsim --help')`);
  const trace = positionals[0];
  if (!existsSync(trace)) throw new UsageError(`trace file not found: ${trace}`);
  const sets = [...(values.set ?? [])];
  if (values.replay !== undefined) sets.push(`replay=${values.replay}`);
  if (values.seed !== undefined) {
    if (!/^\d+$/.test(values.seed)) throw new UsageError(`--seed expects a non-negative integer (got '${values.seed}')`);
    sets.push(`seed=${values.seed}`);
  }
  const config = loadConfig(values.config, sets);
  const out = values.out ?? defaultOutDir(trace);
  currentTrace = trace;
  const showProgress = process.stderr.isTTY === true;
  const summary = await runTrace({
    trace, config, out,
    progress: showProgress ? (rows, us) => process.stderr.write(`\r${rows} rows, simulated ${(us / 1e6).toFixed(3)} s`) : undefined,
  });
  if (showProgress) process.stderr.write('\r\x1b[K');
  if (values.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else process.stdout.write(`${summaryTable(summary)}\nresults: ${out}\n`);
  return 0;
}
