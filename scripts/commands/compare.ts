/**
 * `syncsim compare A B`: two run directories, or two points of a sweep, side
 * by side: per metric the difference and the ratio with bootstrap 95 % CIs,
 * the Mann–Whitney test of the msync latency distributions, and their
 * overlaid CDFs.
 */
import { join, resolve } from 'node:path';
import { rmSync, writeFileSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { showPath } from '../sweep/store.ts';
import { claimOutDir } from '../../traces/out-lock.ts';
import { StagingDir, tempBeside } from '../../traces/files.ts';
import { cleanupOnInterrupt } from '../interrupt.ts';
import { outWriteFailure } from '../../traces/out-dir.ts';
import { compareCdfChart } from '../../reports/charts/compare-cdf.ts';
import { writeChartFiles } from '../../reports/report.ts';
import { dotted } from '../../reports/data.ts';
import { THEMES } from '../../reports/theme.ts';
import { BOOTSTRAP_REPS, bootstrapContrastYielding, leastForQuantile, mannWhitney, meanStat, quantileStat, type Contrast, type ContrastOptions } from '../compare/stats.ts';
import { blockPlan, isConstant, type BlockPlan } from '../compare/block-length.ts';
import { loadSide, metricOf, noValueReason, sidePersonality, failedSyncsNote, tracesNote, unfinishedNote, withoutCopies, type Side, type SideRun } from '../compare/sides.ts';
import { pairMsyncs, readMsyncs, type MsyncPairing } from '../compare/msync-pairs.ts';
import { configDifferences, differenceText } from '../compare/config-diff.ts';
import { numericFields, resultCodeProblem } from '../sweep/metrics.ts';
import { didYouMean } from '../../sim/closest-name.ts';
import { metricUnit } from '../compare/units.ts';
import { type Command, parseCommandArgs, wholeNumberOption } from './command.ts';
import { seedOption } from './seed-option.ts';
import { escapeControl, escapeLines } from '../../traces/escape.ts';
import { QUIET_OPTION, quietHelp, StepProgress, STEPS_SHOWN } from '../progress.ts';
import { helpParagraph } from '../help-text.ts';
import { turn } from '../../traces/turn.ts';

/** Metrics compared unless --metric says otherwise. */
export const DEFAULT_METRICS = [
  'sync.latency_us.mean', 'sync.latency_us.p50', 'sync.latency_us.p99', 'writeback.bytes', 'device.utilization', 'sim_time_us',
] as const;

/** Latency percentiles a single run per side can bootstrap over its msyncs. */
const LATENCY_QUANTILES: Readonly<Record<string, number>> = { 'sync.latency_us.p50': 0.5, 'sync.latency_us.p90': 0.9, 'sync.latency_us.p99': 0.99, 'sync.latency_us.p999': 0.999 };

const HELP = `Usage: syncsim compare A B [--metric KEY]... [--out DIR] [--json] [--reps N]
                       [--seed N]

Compares two results. Each of A and B is a run directory (syncsim run --out)
or one grid point of a sweep: SWEEP@N (point N) or SWEEP@key=value,... (the
point with those grid values), whose runs are its seeds.

${helpParagraph(`For every metric (summary.json keys; default ${DEFAULT_METRICS.join(', ')}):
the value of A and of B (the mean over seeds), B - A and B / A, each with a
95 % percentile-bootstrap CI (--reps resamples, default 2000); the unit column
is that of A, B, B - A and its CI (B / A is a ratio). The CI
resamples the seeds, paired by seed when both sides ran the same seeds; with
fewer than 5 seeds a side it is Student t's for B - A instead (of the paired
differences, or Welch's), and B / A has none: a bootstrap of so few seeds
is far too narrow. With one run per side, the msync latency statistics
resample the msyncs, in circular blocks of consecutive msyncs when their
autocorrelation shows they are not independent (the length from it,
Politis and White's rule; CI over says 'in blocks of A/B'; a side whose
msyncs all took one time is a constant series, 'B constant', whose
resamples are that time), and the other metrics have no CI. When both runs
replayed one trace (the same trace_sha256 and msyncs, the same ones kept:
successful, after the warm-up), the msyncs are paired instead, each task's
k-th msync of the trace in A with the same in B, and those CIs are of the
per-msync differences B - A, the pairs resampled together ('msyncs paired',
in blocks of N when the differences' autocorrelation says so); a line under
the table says so, or why they were not paired (different traces, another
number of msyncs). The msync latency
distributions (successful msyncs after the warm-up, every seed pooled) are
compared with a two-sided Mann-Whitney U test: the exact distribution of U
when no two latencies tie and n_a x n_b <= 2500, else the normal
approximation (tie-corrected); the table says which. Prints a table (or,
with --json, the same as JSON) and writes to --out (default
results/compare): compare.json and the overlaid CDF chart
compare-cdf.{vl.json,svg,png,pdf}. Exit 0. A default metric that a run
lacks (no successful msync: no latency) is left out and listed; a --metric
that is not a number in a run is an error (exit 2; a side with no value, e.g.
durability.lag_us.p99 of a run that made no page durable, is named with what
it did not do), save a result code (sync.errors.EIO) that no run returned,
which counts 0 as in a sweep's tables; a code no personality returns
(sync.errors.EIOO) is refused with the list of those that exist.`)}

Options:
  --metric KEY   a summary.json number to compare (repeatable)
  --out DIR      output directory (replaces only an earlier compare output)
  --json         print compare.json instead of the table
  --reps N       bootstrap resamples, 10 to 1000000 (default 2000)
  --seed N       seed of the bootstrap (default 1)
${quietHelp(17, STEPS_SHOWN)}
  -h, --help     this help

Progress goes to stderr, never to stdout or --out: on a terminal a line redrawn
in place (the step under way and the time so far; in a metric's bootstrap the
resamples drawn, 'metric 3 of 6 (sync.latency_us.p99), 1,200 of 2,000
resamples 60%'); otherwise a line every 10 s and one at the end, none for a
shorter job.`;

/** One metric compared. */
interface MetricRow extends Contrast {
  metric: string;
  /** The unit of a, b, diff and diff_ci (`µs`, `bytes`, `fraction`, ...; null: a count or a ratio); ratio and ratio_ci have none. */
  unit: string | null;
  /** Runs of each side. */
  n_a: number;
  n_b: number;
  /** When the CI is over msyncs (one run a side): the msyncs of each side it resampled. */
  msyncs_a?: number;
  msyncs_b?: number;
  /** With them: the block length each side's msyncs were resampled in (1: one by one; scripts/compare/block-length.ts). */
  block_a?: number;
  block_b?: number;
  /** With them: whether each side's msyncs all took the same time (a constant series: its resamples are that value). */
  constant_a?: boolean;
  constant_b?: boolean;
  /** With them: whether the CI is of the per-msync differences B − A (both runs replayed one trace; see {@link MsyncPairing}). */
  paired?: boolean;
  /** When paired: the block length the pairs were resampled in (1: pair by pair), from the differences' autocorrelation. */
  block_pairs?: number;
}


/**
 * Why run `r` of side `name` has no number for `metric`: what the run did not do, when the summary says so (null).
 * Its summary.json is named by `show`: on the terminal as the rest of compare names its paths (showPath, relative
 * inside the working directory); in compare.json as its runs' directories are, absolute.
 */
function noNumber(metric: string, name: string, r: SideRun, show: (path: string) => string = showPath): string {
  const file = show(join(r.dir, 'summary.json'));
  const why = noValueReason(r.summary, metric);
  if (why) return `side ${name} has no value: ${why}, in ${file}`;
  // a misspelt key (sync.latncy_us.p99) is named as missing, with the run's closest number, not as a value that is not a number
  if (dotted(r.summary, metric) === undefined) return `no such key in ${file}${didYouMean(metric, numericFields(r.summary))}`;
  return `not a number in ${file}`;
}

/** The contrast of `metric` between the sides; `onProgress` is told how far its bootstrap is (resamples drawn of the reps). */
async function compareMetric(metric: string, a: Side, b: Side, lat: Latencies, reps: number, seed: number, onProgress: ContrastOptions['onProgress']): Promise<MetricRow> {
  const values = (s: Side, name: string) => s.runs.map((r) => {
    const v = metricOf(r.summary, metric);
    if (v === undefined) throw new InputError(`--metric ${metric}: ${noNumber(metric, name, r)}`);
    return v;
  });
  const va = Float64Array.from(values(a, 'A')), vb = Float64Array.from(values(b, 'B'));
  const q = LATENCY_QUANTILES[metric];
  if (a.runs.length === 1 && b.runs.length === 1 && (q !== undefined || metric === 'sync.latency_us.mean') && lat.a[0]!.length > 0 && lat.b[0]!.length > 0) {
    const stat = q === undefined ? meanStat : quantileStat(q);
    const blocks = [lat.plansA[0]!.block, lat.plansB[0]!.block] as const;
    const minN = q === undefined ? undefined : leastForQuantile(q);
    // one trace replayed by both: msync by msync, the pairs resampled together (in blocks, when their differences' neighbours move together)
    const pairs = lat.pairing?.paired ? lat.pairing : null;
    const c = pairs
      ? await bootstrapContrastYielding(pairs.a, pairs.b, stat, { paired: true, reps, level: 0.95, seed, label: 'msyncs paired', onProgress, minN, pairBlock: lat.pairPlan!.block })
      : await bootstrapContrastYielding(lat.a[0]!, lat.b[0]!, stat, { paired: false, reps, level: 0.95, seed, label: 'msyncs', onProgress, minN, blocks });
    // the point estimates stay the summaries' own figures
    return {
      metric, unit: metricUnit(metric), n_a: 1, n_b: 1, msyncs_a: lat.a[0]!.length, msyncs_b: lat.b[0]!.length, block_a: blocks[0], block_b: blocks[1],
      constant_a: lat.plansA[0]!.constant, constant_b: lat.plansB[0]!.constant, paired: pairs !== null, ...(pairs ? { block_pairs: lat.pairPlan!.block } : {}),
      ...c, a: va[0]!, b: vb[0]!, diff: vb[0]! - va[0]!, ratio: va[0]! !== 0 ? vb[0]! / va[0]! : null,
    };
  }
  const seedsA = a.runs.map((r) => r.seed).join(','), seedsB = b.runs.map((r) => r.seed).join(',');
  const paired = a.runs.length > 1 && seedsA === seedsB;
  const c = await bootstrapContrastYielding(va, vb, meanStat, { paired, reps, level: 0.95, seed, label: paired ? 'paired seeds' : 'independent seeds', onProgress });
  return { metric, unit: metricUnit(metric), n_a: va.length, n_b: vb.length, ...c };
}

/** Each run's successful msync latencies (completion order), and how a bootstrap resamples each (its block length, whether it is dependent). */
interface Latencies {
  a: Float64Array[];
  b: Float64Array[];
  plansA: BlockPlan[];
  plansB: BlockPlan[];
  /** With one run a side: its msyncs paired, or why not (null: several runs a side, whose CIs are over seeds). */
  pairing: MsyncPairing | null;
  /** When paired: how the per-msync differences B − A are resampled. */
  pairPlan: BlockPlan | null;
}

/** How the Mann–Whitney p-value was found, in the table and compare.json's latency_test.test. */
const MW_METHOD = { exact: 'exact distribution of U', normal: 'normal approximation' } as const;

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '-' : Math.abs(v) >= 1e5 ? v.toExponential(3) : Number(v.toPrecision(5)).toString());
const ci = (c: [number, number] | null) => (c ? `[${fmt(c[0])}, ${fmt(c[1])}]` : '');

/** The Mann–Whitney test of the msync latencies, and what the table says of each side's series. */
interface LatencyTest {
  p: number;
  method: 'exact' | 'normal';
  /** Whether each side's msyncs passed the screen for independence (a constant series does). */
  independent_a: boolean;
  independent_b: boolean;
  /** Whether every msync of a side took the same time (its runs pooled). */
  constant_a: boolean;
  constant_b: boolean;
}

/** Which sides `ta` and `tb` (true: it applies) name: `side A`, `side B`, `both sides`. */
const sidesNamed = (ta: boolean, tb: boolean) => (ta && tb ? 'both sides' : ta ? 'side A' : 'side B');

/**
 * The table's note under the test on the sides' msyncs: a side whose msyncs all took one time is a
 * constant series (no autocorrelation to speak of: nothing to resample in blocks), whose every
 * resample is that time, so the CIs over msyncs are the other side's spread alone, and the test
 * asks only whether the other side's msyncs lie above or below that time; a side whose msyncs are
 * not independent makes p too small or too large. None when neither.
 */
function seriesNotes(mw: LatencyTest, pa: Float64Array, pb: Float64Array): string[] {
  const out: string[] = [];
  if (mw.constant_a || mw.constant_b) {
    const one = (x: Float64Array, name: string) => `${name}'s ${x.length} msyncs all took ${fmt(x[0])} µs`;
    const which = [mw.constant_a ? one(pa, 'side A') : '', mw.constant_b ? one(pb, 'side B') : ''].filter(Boolean).join(', ');
    const meaning = mw.constant_a && mw.constant_b
      ? 'every resample is the same, so the CIs over msyncs have no width, and the test can only tell that the two times differ or not'
      : `every resample of it is that time, so the CIs over msyncs are ${mw.constant_a ? 'side B' : 'side A'}'s spread alone, and the test asks only whether ${mw.constant_a ? 'side B' : 'side A'}'s msyncs lie above or below it`;
    out.push(`  (${which}: a constant series, with no autocorrelation to speak of; ${meaning}; seeds tell whether it holds from run to run)`);
  }
  if (!(mw.independent_a && mw.independent_b)) {
    out.push(`  (the test takes msyncs as independent, and those of ${sidesNamed(!mw.independent_a, !mw.independent_b)} are not: p is too small if neighbours are alike, too large if they alternate; compare seeds)`);
  }
  return out;
}

/** How the msyncs of the two runs were taken, in compare.json's `msync_pairing` (null: several runs a side, CIs over seeds). */
type PairingReport = { paired: true; by: string; msyncs: number; block: number } | { paired: false; why: string } | null;

/** What pairs the msyncs of two runs of one trace (scripts/compare/msync-pairs.ts). */
const PAIRED_BY = "trace order (each task's k-th msync)";

/** compare.json's `msync_pairing` of `lat`. */
function pairingReport(lat: Latencies): PairingReport {
  const p = lat.pairing;
  if (!p) return null;
  return p.paired ? { paired: true, by: PAIRED_BY, msyncs: p.msyncs, block: lat.pairPlan!.block } : { paired: false, why: p.why };
}

/** The table's line on the pairing of the msyncs, when a row's CI is over msyncs. */
function pairingLine(p: PairingReport, rows: readonly MetricRow[]): string[] {
  if (!p || !rows.some((r) => r.msyncs_a !== undefined)) return [];
  if (!p.paired) return [`msyncs not paired: ${p.why}; the CIs over msyncs take A's and B's as independent samples`];
  return [`msyncs paired by ${p.by}, ${p.msyncs} msyncs: the CIs over msyncs are of the per-msync differences B - A${p.block > 1 ? `, resampled in blocks of ${p.block}` : ''}`];
}

/**
 * The table's note when each side is one run and some CI is over msyncs: those CIs, and the test,
 * take the trace's msyncs as the sample, so they say how sure a difference is over this trace's
 * msyncs in these two runs, not whether it holds from run to run (a replay that draws nothing at
 * random gives the same msyncs every time: a CI of no width, and a p as small as the msyncs are
 * many). None when a side has several runs (its CIs are over seeds).
 */
function oneRunNote(a: Side, b: Side, rows: readonly MetricRow[], copies = false): string[] {
  if (a.runs.length !== 1 || b.runs.length !== 1 || !rows.some((r) => r.msyncs_a !== undefined)) return [];
  // seeds that were copies, counted as one run (withoutCopies): more seeds would be more copies, so the advice is
  // what makes seeds differ (until 2026-12-08 it said 'give each side two seeds or more, or compare two points of a
  // sweep' to a user comparing two points of a sweep of two seeds each)
  const how = copies
    ? "more seeds of the same would be copies too (notes below): a run that draws something at random, a random service-time distribution or a preset's random arrivals or addresses, makes its seeds differ"
    : 'give each side two seeds or more, or compare two points of a sweep, for that';
  return [`  (one run a side: the CIs over msyncs and the test measure the spread among this trace's msyncs in these two runs, not from run to run; ${how})`];
}

/** The printed table. */
function table(a: Side, b: Side, rows: MetricRow[], mw: LatencyTest | null, pa: Float64Array, pb: Float64Array, empty: string, pairing: PairingReport, copies = false): string {
  // unit: of A, B, B - A and its CI (B / A and its CI are ratios)
  const head = ['metric', 'unit', 'A', 'B', 'B - A', '95 % CI', 'B / A', '95 % CI', 'n', 'CI over'];
  // n counts runs; a CI over msyncs says how many it resampled, and which side's are constant
  const constant = (r: MetricRow) => (r.constant_a || r.constant_b ? `, ${r.constant_a && r.constant_b ? 'both' : r.constant_a ? 'A' : 'B'} constant` : '');
  const over = (r: MetricRow) => (r.msyncs_a !== undefined ? r.resampled.replace(/^msyncs/, `${r.msyncs_a}/${r.msyncs_b} msyncs`) + constant(r) : r.resampled);
  const body = rows.map((r) => [r.metric, r.unit ?? '-', fmt(r.a), fmt(r.b), fmt(r.diff), ci(r.diff_ci), fmt(r.ratio), ci(r.ratio_ci), `${r.n_a}/${r.n_b}`, over(r)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((x) => x[i]!.length)));
  const line = (x: string[]) => x.map((c, i) => (i <= 1 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [
    `A: ${a.spec} (${a.label}, ${a.runs.length} run(s))`,
    `B: ${b.spec} (${b.label}, ${b.runs.length} run(s))`,
    line(head), ...body.map(line),
    ...pairingLine(pairing, rows),
    ...(rows.some((r) => r.resampled === 'none' && r.n_a + r.n_b > 2) ? [`no CI where 'CI over' is none: a side with one run has no spread across seeds to resample (give each side two seeds or more)`] : []),
    mw ? `msync latency distributions: two-sided Mann-Whitney p ${mw.p === 0 ? '< 1e-300' : `= ${mw.p < 1e-4 ? mw.p.toExponential(2) : mw.p.toFixed(4)}`} (${MW_METHOD[mw.method]})` : `msync latency distributions: no successful msync ${empty}`,
    ...(mw ? seriesNotes(mw, pa, pb) : []),
    ...oneRunNote(a, b, rows, copies),
  ].join('\n');
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('compare', argv, {
    metric: { type: 'string', multiple: true },
    out: { type: 'string' },
    json: { type: 'boolean' },
    reps: { type: 'string' },
    seed: { type: 'string' },
    ...QUIET_OPTION,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length !== 2) throw new InputError(`compare expects two results, A and B (got ${positionals.length}; try 'syncsim compare --help')`);
  // as run --ci-reps: fewer than 10 resamples make an interval of one or two resampled values
  const reps = wholeNumberOption('--reps', values.reps, 2000, BOOTSTRAP_REPS.min, BOOTSTRAP_REPS.max);
  const seed = seedOption('--seed', values.seed, 1);
  // a result code no personality returns is a misspelling, not a count of 0 (as in a sweep's metrics)
  for (const m of values.metric ?? []) {
    const problem = resultCodeProblem(m);
    if (problem) throw new InputError(`--metric ${m}: ${problem}`);
  }
  const [a0, b0] = positionals.map(loadSide) as [Side, Side];
  const ca = withoutCopies(a0, 'A'), cb = withoutCopies(b0, 'B');
  const a = ca.side, b = cb.side;
  const notes = [unfinishedNote(a0, 'A'), unfinishedNote(b0, 'B'), ca.note, cb.note, tracesNote(a, b), failedSyncsNote(a, b)].filter((n): n is string => n !== undefined);
  const metrics = values.metric?.length ? values.metric : [...DEFAULT_METRICS];
  const outText = values.out ?? 'results/compare';
  // Ctrl-C or kill: the staging directory goes (the lock goes as the process exits), exit 130 or 143; in place before the lock is taken
  const release = cleanupOnInterrupt(() => rmSync(tempBeside(resolve(outText)), { recursive: true, force: true }));
  let claimed;
  try {
    claimed = claimOutDir(outText, { command: 'compare', within: values.out === undefined ? 'results' : undefined });
  } catch (e) {
    release();
    throw e;
  }
  const { abs, lock } = claimed;
  const progress = new StepProgress({ stream: process.stderr, label: 'compare', quiet: values.quiet });
  try {
    progress.step('reading the msyncs');
    const ma = await Promise.all(a.runs.map(readMsyncs)), mb = await Promise.all(b.runs.map(readMsyncs));
    const la = ma.map((m) => m.latencies), lb = mb.map((m) => m.latencies);
    const pairing = a.runs.length === 1 && b.runs.length === 1 ? pairMsyncs({ run: a.runs[0]!, msyncs: ma[0]! }, { run: b.runs[0]!, msyncs: mb[0]! }) : null;
    progress.step('the autocorrelation of the msyncs');
    const plans = async (l: Float64Array[]) => { const out: BlockPlan[] = []; for (const x of l) out.push(await blockPlan(x)); return out; };
    const pairPlan = pairing?.paired ? await blockPlan(pairing.b.map((y, i) => y - pairing.a[i]!)) : null;
    const lat: Latencies = { a: la, b: lb, plansA: await plans(la), plansB: await plans(lb), pairing, pairPlan };
    const rows: MetricRow[] = [];
    // a default metric that some run lacks (no successful msync: no latency) is left out and said so; a --metric one is an error
    const skipped: { metric: string; why: string }[] = [];
    const skippedShown: string[] = [];
    for (const [i, m] of metrics.entries()) {
      const what = `metric ${i + 1} of ${metrics.length} (${m})`;
      progress.step(what);
      const lacking = values.metric?.length ? undefined : [...a.runs.map((r) => ['A', r] as const), ...b.runs.map((r) => ['B', r] as const)].find(([, r]) => metricOf(r.summary, m) === undefined);
      if (lacking) {
        skipped.push({ metric: m, why: noNumber(m, lacking[0], lacking[1], (p) => p) });
        skippedShown.push(`left out: ${m} (${noNumber(m, lacking[0], lacking[1])})\n`);
      }
      else rows.push(await compareMetric(m, a, b, lat, reps, seed, progress.counter(what, 'resamples')));
    }
    progress.step('the Mann-Whitney test');
    const pa = Float64Array.from(lat.a.flatMap((x) => [...x])).sort(), pb = Float64Array.from(lat.b.flatMap((x) => [...x])).sort();
    // the test takes every msync as independent: whether some run's msyncs are not, per side
    const dependent = (p: BlockPlan[]) => p.some((x) => x.dependent);
    // every msync of a side (its runs pooled) took one time: a constant series
    const constant = (x: Float64Array) => x.length >= 2 && isConstant(x);
    const mw: LatencyTest | null = pa.length && pb.length
      ? { ...mannWhitney(pa, pb), independent_a: !dependent(lat.plansA), independent_b: !dependent(lat.plansB), constant_a: constant(pa), constant_b: constant(pb) }
      : null;
    const report = {
      a: { spec: a.spec, label: a.label, runs: a.runs.map((r) => ({ dir: r.dir, seed: r.seed })) },
      b: { spec: b.spec, label: b.label, runs: b.runs.map((r) => ({ dir: r.dir, seed: r.seed })) },
      ci_level: 0.95, bootstrap: { reps, seed },
      metrics: rows,
      msync_pairing: pairingReport(lat),
      skipped_metrics: skipped,
      notes,
      latency_test: mw ? { test: `mann-whitney-u, two-sided, ${MW_METHOD[mw.method]}`, n_a: pa.length, n_b: pb.length, ...mw } : null,
      files: ['compare.json', 'compare-cdf.vl.json', 'compare-cdf.svg', 'compare-cdf.png', 'compare-cdf.pdf'],
    };
    // the legend names each side by its directory (or grid values) and what differs in its configuration (`A: demo
    // (freebsd)`), the note the other keys that differ; a side with nothing to draw says so in the legend
    // a key both names give (two points of one sweep) is not repeated; one that only one side's name gives is, for the other side
    const differ = differenceText(configDifferences(a, b), (a.stated ?? []).filter((k) => (b.stated ?? []).includes(k)));
    const none = (x: Float64Array) => (x.length === 0 ? ' (no successful msync)' : '');
    const named = (s: Side, d: string) => `${s.figureLabel ?? s.label}${d ? ` (${d})` : ''}`;
    progress.step('the CDF chart');
    // named as given in a refusal made as it takes its place
    const stage = new StagingDir(outText, 'compare');
    try {
      const theme = THEMES.paper;
      const chart = compareCdfChart({
        a: { tag: 'A', label: `${named(a, differ.a)}${none(pa)}`, latencies: pa, runs: a.runs.length, ...sidePersonality(a) },
        b: { tag: 'B', label: `${named(b, differ.b)}${none(pb)}`, latencies: pb, runs: b.runs.length, ...sidePersonality(b) },
        p: mw?.p ?? null, notes: differ.note ? [differ.note] : [],
      }, theme, theme.widths.single);
      await writeChartFiles(stage.path, chart, theme, theme.widths.single);
      writeFileSync(join(stage.path, 'compare.json'), JSON.stringify(report, null, 2) + '\n');
      // a Ctrl-C while the chart was drawn is answered here, before the output is put in place
      await turn();
      stage.commit();
    } catch (e) {
      stage.abort();
      // the directory named as the other commands name theirs: relative to the working directory when inside it
      throw outWriteFailure(e, showPath(abs));
    }
    progress.finish();
    const leftOut = skippedShown.join('') + notes.map((n) => `note: ${n}\n`).join('');
    process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : escapeLines(`${table(a, b, rows, mw, pa, pb, pa.length === 0 && pb.length === 0 ? 'on either side' : pa.length === 0 ? 'on side A' : 'on side B', report.msync_pairing, ca.note !== undefined || cb.note !== undefined)}\n${leftOut}results: ${escapeControl(showPath(abs))}`) + '\n');
    return 0;
  } finally {
    progress.cancel();
    release();
    lock.release();
  }
}

/** `syncsim compare`. */
export const compareCommand: Command = {
  name: 'compare',
  usage: 'compare A B [--metric KEY]... [--out DIR] [--json]',
  summary: 'two runs or sweep points: differences and ratios with bootstrap CIs, Mann-Whitney test, overlaid CDFs',
  help: HELP,
  run,
};
