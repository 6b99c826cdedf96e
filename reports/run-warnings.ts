/**
 * The warnings a run's summary.json itself supports — a closed replay that ran late, a warm-up that left out every msync, a
 * trace with no rows, page versions none of which became durable, wired pages past the memory
 * limit. `syncsim run` prints the warm-up, durability and wired ones in these words when the run
 * ends (its stretched-replay warning, which names the tasks, has its own); `syncsim report`
 * repeats them all under its charts: a report drawn days later says what the terminal said then.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '../sim/stats/summary.ts';
import { durabilityWarning } from './never-durable.ts';
import type { RunRef, Results } from './data.ts';
import { configName } from './failures.ts';

/**
 * The warning for a run whose warm-up (`stats.warmup_us`) left out every successful msync
 * (past the last one, or the whole run), else undefined: its latency figures are empty.
 */
export function warmupWarning(summary: Summary): string | undefined {
  const warmupUs = summary.config.stats?.warmup_us;
  if (!(warmupUs > 0) || summary.sync.ok === 0 || summary.sync.latency_us.mean !== null) return undefined;
  return `stats.warmup_us ${warmupUs} µs leaves out all ${summary.sync.ok} successful msyncs (the run simulated ${summary.sim_time_us.toFixed(0)} µs): no latency figure; lower it`;
}

/**
 * The warning for a run whose wired pages passed `memory.pages` at their peak (summary.json
 * `wire.peak_wired_pages` over `config.memory.pages`), else undefined: the pageout daemon
 * never frees a wired page, so from then on the memory limit was not in force (resident pages
 * passed it), and figures that depend on memory pressure are not those of that memory.
 */
export function wiredWarning(summary: Summary): string | undefined {
  const limit = summary.config.memory?.pages;
  const wired = summary.wire?.peak_wired_pages;
  if (!(limit > 0) || !(wired > limit)) return undefined;
  return `${wired} pages were wired at the peak (summary.json wire.peak_wired_pages), more than memory.pages ${limit}: wired pages are never freed, so the memory limit was not in force `
    + `(peak_resident_pages ${summary.memory.peak_resident_pages}); wire less, or raise memory.pages (or lower memory.max_user_wired_pages / memory.memlock_limit_bytes, which the kernels check)`;
}

/**
 * The warning for a closed replay that stretched tasks (summary.json `replay.stretched_tasks`:
 * their ops took longer than the trace's gaps, so later ops ran late), else undefined.
 * `tasksCsv`: whether the run wrote tasks.csv, which lists them (`--results` may leave it out).
 */
export function stretchedWarning(summary: Summary, tasksCsv = true): string | undefined {
  const r = summary.replay as Summary['replay'] | undefined; // (none in a summary.json of before it)
  if (r === undefined || !(r.stretched_tasks > 0)) return undefined;
  const share = r.trace_end_us > 0 ? ` (${((100 * r.max_lag_end_us) / r.trace_end_us).toFixed(1)} % of the trace)` : '';
  return `closed replay stretched ${r.stretched_tasks} of ${r.tasks} task(s) (summary.json replay.stretched_tasks): their ops took longer than the trace's gaps, so later ops ran late, `
    + `the furthest ending ${(r.max_lag_end_us / 1000).toFixed(3)} ms behind${share}; ${tasksCsv ? 'tasks.csv lists them' : "tasks.csv, not in the run's directory (--results tasks writes it), would list them"}, and replay: open keeps the trace's timing`;
}

/** What a warning of {@link runWarnings} is about (a sweep's warnings.txt already has `undurable` and `stretched`). */
export type RunWarningKind = 'stretched' | 'empty' | 'warmup' | 'undurable' | 'wired';

/** The kinds a sweep's own warnings file says already. */
const IN_SWEEP_FILE: ReadonlySet<RunWarningKind> = new Set(['stretched', 'undurable']);

/** One warning of a run. */
export interface RunWarning {
  kind: RunWarningKind;
  text: string;
}

/** The warnings `summary` supports, in the order `syncsim run` prints them; `tasksCsv`: whether the run wrote tasks.csv. */
export function runWarnings(summary: Summary, tasksCsv = true): RunWarning[] {
  const said: [RunWarningKind, string | undefined][] = [
    ['stretched', stretchedWarning(summary, tasksCsv)],
    ['warmup', warmupWarning(summary)],
    ['empty', summary.trace?.rows === 0 ? 'the trace has no rows (a header alone): nothing was replayed, and every figure is empty' : undefined],
    ['undurable', durabilityWarning(summary)],
    ['wired', wiredWarning(summary)],
  ];
  return said.filter((w): w is [RunWarningKind, string] => w[1] !== undefined).map(([kind, text]) => ({ kind, text }));
}

/** How a report names one run of `results`: its configuration (and seed, in a sweep). */
function runName(results: Results, label: string, run: RunRef): string {
  return results.kind === 'sweep' ? `${configName(results, label)}, seed ${run.seed}` : label;
}

/**
 * The report's notes of its runs' warnings: the run's own, one by one, for one run; for several
 * runs, one note per kind of warning, naming the runs that gave it and quoting the first (a
 * sweep's stretched replays and undurable points are left to its warnings.txt, which names them).
 */
export function runWarningNotes(results: Results): string[] {
  const byKind = new Map<RunWarningKind, { names: string[]; first: string }>();
  const runs = results.configurations.flatMap((c) => c.runs.map((r) => ({ label: c.label, run: r })));
  for (const { label, run } of runs) {
    for (const w of runWarnings(run.summary, existsSync(join(run.dir, 'tasks.csv')))) {
      if (results.kind === 'sweep' && IN_SWEEP_FILE.has(w.kind)) continue;
      const name = runName(results, label, run);
      const seen = byKind.get(w.kind);
      if (seen) seen.names.push(name);
      else byKind.set(w.kind, { names: [name], first: `${name}: ${w.text}` });
    }
  }
  if (results.kind === 'run') return [...byKind.values()].map((k) => `The run's warning: ${k.first.slice(k.names[0]!.length + 2)}.`);
  return [...byKind.values()].map(({ names, first }) => names.length === 1
    ? `Warning of run ${first}.`
    : `Warning of ${names.length} of ${runs.length} runs (${names.slice(0, 5).join('; ')}${names.length > 5 ? '; ...' : ''}), the first: ${first}.`);
}
