/**
 * Which result files a run writes (`run --results`, `sweep --results`, the library's `results`):
 * summary.json always, and a chosen set of the per-event and per-task CSVs. summary.json and
 * everything printed are computed the same whatever is chosen: only the files are left out.
 */
import { InputError } from './errors.ts';
import { didYouMean } from '../sim/closest-name.ts';

/** The CSV files a run may write, by the names `--results` takes (each is NAME.csv). */
export const RESULT_CSVS = ['syncs', 'wires', 'writeback', 'reads', 'timeline', 'durability', 'tasks'] as const;

/** One of {@link RESULT_CSVS}. */
export type ResultCsv = (typeof RESULT_CSVS)[number];

/** The CSVs `syncsim report` and `syncsim compare` read: syncs.csv (latency charts, compare) and timeline.csv (timeline chart). */
export const REPORT_CSVS: readonly ResultCsv[] = ['syncs', 'timeline'];

/** The words `--results` takes besides a list of files, and the files each stands for. */
export const RESULT_SETS: Readonly<Record<string, readonly ResultCsv[]>> = {
  all: RESULT_CSVS,
  summary: [],
  report: REPORT_CSVS,
};

/** What `run` writes unless told otherwise: every file, as before `--results` existed. */
export const RUN_DEFAULT_RESULTS = 'all';

/**
 * What each run of a sweep writes unless told otherwise (since 2026-12-06, late): the files `report`
 * and `compare` read, and tasks.csv (one row per task, named by the stretched-task warning).
 */
export const SWEEP_DEFAULT_RESULTS = 'syncs,timeline,tasks';

/** The CSVs of a choice, in the order {@link RESULT_CSVS} lists them. */
export function csvList(chosen: ReadonlySet<ResultCsv>): ResultCsv[] {
  return RESULT_CSVS.filter((f) => chosen.has(f));
}

/** The file names of a choice, in the order {@link RESULT_CSVS} lists them (`syncs.csv`, ...). */
export function csvNames(chosen: ReadonlySet<ResultCsv>): string[] {
  return RESULT_CSVS.filter((f) => chosen.has(f)).map((f) => `${f}.csv`);
}

/**
 * Parses the text of `--results` (`option` names it in errors): `all`, `summary`, `report`, or a
 * comma-separated list of files (`syncs,timeline`, `syncs.csv` alike). Throws an InputError
 * naming what is wrong and what is accepted, and the closest name to a misspelt one.
 */
export function parseResults(text: string, option = '--results'): Set<ResultCsv> {
  const accepted = `${Object.keys(RESULT_SETS).join(', ')}, or a comma-separated list of ${RESULT_CSVS.join(', ')}`;
  const words = text.split(',').map((w) => w.trim());
  if (words.some((w) => w === '')) throw new InputError(`${option} expects ${accepted} (got '${text}': an empty name)`);
  if (words.length === 1 && RESULT_SETS[words[0]!] !== undefined) return new Set(RESULT_SETS[words[0]!]);
  const out = new Set<ResultCsv>();
  for (const w of words) {
    const name = w.replace(/\.csv$/, '');
    if (RESULT_SETS[name] !== undefined) throw new InputError(`${option}: '${name}' stands alone, it is not a file to list with others (got '${text}')`);
    if (!(RESULT_CSVS as readonly string[]).includes(name)) {
      // the closest file (or, given alone, word): `--results sync` ends `; did you mean syncs?`
      const known = words.length === 1 ? [...Object.keys(RESULT_SETS), ...RESULT_CSVS] : RESULT_CSVS;
      throw new InputError(`${option}: '${w}' is not a result file; it expects ${accepted} (got '${text}')${didYouMean(name, known)}`);
    }
    out.add(name as ResultCsv);
  }
  return out;
}

/** How a choice is said (closing lines, notes): `every file`, `summary.json alone`, or `summary.json, syncs.csv, ...`. */
export function resultsText(chosen: ReadonlySet<ResultCsv>): string {
  if (chosen.size === RESULT_CSVS.length) return 'every result file';
  if (chosen.size === 0) return 'summary.json alone';
  return ['summary.json', ...csvNames(chosen)].join(', ');
}
