/**
 * `syncsim report`: charts of a run or sweep output for papers (Vega-Lite
 * specs, SVG, PNG, PDF) and a self-contained index.html.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { claimOutDir, liveWriter, writerText } from '../../traces/out-lock.ts';
import { tempBeside } from '../../traces/files.ts';
import { cleanupOnInterrupt } from '../interrupt.ts';
import { CHART_MODULES } from '../../reports/charts/index.ts';
import { didYouMean } from '../../sim/closest-name.ts';
import { ReportError } from '../../reports/data.ts';
import { FORMATS, type Format } from '../../reports/chart.ts';
import { MAX_WIDTH, MIN_WIDTH, resolveWidth, THEME_NAMES, THEMES, type ThemeName } from '../../reports/theme.ts';
import { InputError } from '../errors.ts';
import { showPath } from '../sweep/store.ts';
import { type Command, parseCommandArgs } from './command.ts';
import { escapeControl, escapeLines } from '../../traces/escape.ts';
import { QUIET_OPTION, quietHelp, StepProgress, STEPS_SHOWN, withProgress } from '../progress.ts';
import { helpEntry } from '../help-text.ts';

const HELP = `Usage: syncsim report DIR [options]

Draws the charts of DIR, a 'syncsim run' output, a 'syncsim sweep' output, or a
directory whose subdirectories are run outputs (each one configuration).
Works offline.

Options:
  --out DIR          report directory (default DIR/report), replaced as a whole;
                     it must be missing, empty or an earlier report (it holds
                     a .syncsim marker) of DIR, or DIR/report: anything else,
                     a report of another results directory among it, is
                     refused (exit 2)
  --format LIST      comma-separated: svg,png,pdf,html (default all;
                     NAME.vl.json is always written)
  --width W          figure width: single (a 3.3 in paper column), double
                     (7 in), or PX (${MIN_WIDTH}-${MAX_WIDTH}; 1 px = 1 pt in the PDF);
                     default single
  --theme T          paper (default: 8-9 pt text for LaTeX) or screen
  --chart NAME       draw only this chart (repeatable, or comma-separated)
  --configs LIST     draw only these configurations, in every chart:
                     comma-separated (repeatable), named as the legends and
                     index.html name them (a sweep's grid values in their
                     units, 'linux, 2,xnu, 2', or as results.csv writes them,
                     'linux, 2000'; a run directory's name), or a sweep's grid
                     point as @N (results.csv's point: @1,@4); each keeps its
                     colour of the full report. The latency CDF, timeline and
                     latency-vs-pages charts draw at most 8: choose them here
                     when DIR has more. An unknown name exits 2, listing the
                     names there are
${quietHelp(21, STEPS_SHOWN)}
  -h, --help         this help

Progress goes to stderr, never to stdout or the report: on a terminal a line
redrawn in place (the step under way, 'chart 2 of 5 (timeline)', and the time
so far); otherwise a line every 10 s and one at the end, none for a shorter job.

Charts:
${CHART_MODULES.map((m) => helpEntry(`  ${m.name.padEnd(20)}`, m.summary, 23)).join('\n')}

For each chart: NAME.vl.json (Vega-Lite, data inline), NAME.svg, NAME.png (2x),
NAME.pdf (vector, fonts embedded); index.html shows them all with captions and
the key settings, with vega inlined so it opens from the file system;
report.json lists the charts. Colours: configurations of several kernels in
their kernel's colour in every report (freebsd blue, linux vermillion, xnu
green, mach purple; a kernel's several told apart by point shape and line
dash); otherwise Okabe-Ito (wine for its yellow) for the first eight
configurations and eight more, so that up to sixteen each have a colour of
their own (from the ninth on also a point shape and line dash); the same colour
for the same configuration in every chart.`;

function list(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('report', argv, {
    out: { type: 'string' },
    format: { type: 'string', multiple: true },
    width: { type: 'string' },
    theme: { type: 'string' },
    chart: { type: 'string', multiple: true },
    configs: { type: 'string', multiple: true },
    ...QUIET_OPTION,
  });
  if (values.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new InputError(`report expects one DIR argument (got ${positionals.length}; try 'syncsim report --help')`);
  const themeName = values.theme ?? 'paper';
  if (!(THEME_NAMES as readonly string[]).includes(themeName)) throw new InputError(`--theme expects ${THEME_NAMES.join(' or ')} (got '${themeName}')`);
  const theme = THEMES[themeName as ThemeName];
  const width = resolveWidth(theme, values.width);
  if (width === undefined) throw new InputError(`--width expects single, double or a number of px from ${MIN_WIDTH} to ${MAX_WIDTH} (got '${values.width}')`);
  const formats = list(values.format) ?? [...FORMATS];
  for (const f of formats) if (!(FORMATS as readonly string[]).includes(f)) throw new InputError(`--format expects a list of ${FORMATS.join(', ')} (got '${f}')`);
  if (formats.length === 0) throw new InputError(`--format expects a list of ${FORMATS.join(', ')} (got '')`);

  const src = positionals[0];
  if (!existsSync(src)) throw new InputError(`results directory not found: ${src}`);
  if (!statSync(src).isDirectory()) throw new InputError(`${src}: is not a directory (report reads the results directory of a run or a sweep)`);
  // results a run, a validation or a comparison is replacing now: drawn, they would be the old ones, and the report's lock in
  // them would be in the way of the new ones when that command commits them (a new user's run was thrown away so)
  const replacing = (['run', 'validate', 'compare'] as const).map((c) => ({ c, h: liveWriter(src, c) })).find((w) => w.h !== undefined);
  if (replacing) throw new InputError(`${src}: 'syncsim ${replacing.c}' is writing these results now (${writerText(replacing.h!)}): draw the report once it has finished`);
  const outText = values.out ?? join(src, 'report');
  const outAbs = resolve(outText);
  if (outText !== '' && (outAbs === resolve(src) || resolve(src).startsWith(outAbs + sep))) throw new InputError(`--out ${values.out}: would replace the results directory ${src}; choose a new directory`);
  // checked and locked before anything is read or loaded
  // Ctrl-C or kill while drawing: the report's staging directory goes (the lock goes as the process exits), exit 130 or 143;
  // in place before the lock is taken
  const release = cleanupOnInterrupt(() => rmSync(tempBeside(outAbs), { recursive: true, force: true }));
  let lock;
  try {
    // an earlier report of another results directory is refused (traces/out-source.ts), unless OUT is SRC/report
    ({ lock } = claimOutDir(outText, { command: 'report', source: src }));
  } catch (e) {
    release();
    throw e;
  }
  let outcome;
  try {
    // vega, vega-lite and the renderers take a second to load: only when a report is drawn
    const { makeReport } = await import('../../reports/report.ts');
    const progress = new StepProgress({ stream: process.stderr, label: 'report', quiet: values.quiet });
    outcome = await withProgress(progress, () => makeReport({
      dir: positionals[0], out: values.out, formats: formats as Format[], theme, width, charts: list(values.chart), configs: values.configs, shown: showPath(outAbs),
      onStep: (what) => progress.step(what),
    }));
  } catch (e) {
    // a misspelt chart or configuration name ends with the closest, as a misspelt option or key does
    if (e instanceof ReportError) throw new InputError(`${e.message}${e.misspelt ? didYouMean(e.misspelt.name, e.misspelt.known, e.misspelt.show) : ''}`);
    throw e;
  } finally {
    release();
    lock.release();
  }
  const w = Math.max(...outcome.charts.map((c) => c.name.length));
  for (const c of outcome.charts) {
    const ms = c.ms.layout + c.ms.png + c.ms.pdf;
    // px = pt in the PDF; the PNG is drawn at theme.pngScale times that for print
    const png = c.files.some((f) => f.endsWith('.png')) ? ` (PNG ${Math.round(c.width * theme.pngScale)}×${Math.round(c.height * theme.pngScale)})` : '';
    process.stdout.write(`${c.name.padEnd(w)}  ${c.width}×${c.height} px${png}  ${c.files.length} files  ${ms.toFixed(0)} ms\n`);
    for (const warning of c.warnings) process.stderr.write(`syncsim: warning: ${c.name}: ${escapeControl(warning)}\n`);
  }
  for (const n of outcome.notes) process.stdout.write(`note: ${escapeControl(n)}\n`);
  // the directory as run, sweep, merge and compare name theirs (showPath): relative to the working directory when
  // inside it, absolute otherwise (until 2026-12-06, late, one outside it was named ../..., relative all the same)
  process.stdout.write(escapeLines(`report: ${escapeControl(showPath(outcome.out))} (${outcome.charts.length} chart${outcome.charts.length === 1 ? '' : 's'}, ${(outcome.ms / 1000).toFixed(1)} s)`) + '\n');
  if (outcome.index) process.stdout.write(`${escapeControl(outcome.index)}\n`);
  return 0;
}

/** `syncsim report`. */
export const reportCommand: Command = { name: 'report', usage: 'report DIR [options]', summary: 'charts of a run or sweep for papers (SVG/PNG/PDF, HTML)', help: HELP, run };
