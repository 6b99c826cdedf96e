/**
 * The header line of a native trace: which columns it has and where.
 * Besides the known columns, any `x_`-prefixed column is carried through
 * to the rows' `extra`.
 */
import { fieldProblem } from './trace-error.ts';

/** The columns a trace may have besides `x_*` ones. */
export const KNOWN_COLUMNS = ['t_us', 'task', 'op', 'addr', 'len', 'flags', 'object', 'offset'] as const;
/** One of {@link KNOWN_COLUMNS}. */
export type KnownColumn = (typeof KNOWN_COLUMNS)[number];
/** The columns every trace must have. */
export const REQUIRED_COLUMNS: readonly KnownColumn[] = ['t_us', 'op', 'addr', 'len'];
const KNOWN_SET: ReadonlySet<string> = new Set(KNOWN_COLUMNS);
/** The problem of a header name that is neither a known column nor `x_`-prefixed: it names the ones there are. */
const UNKNOWN_COLUMN = `unknown column (the columns of a trace are ${KNOWN_COLUMNS.join(', ')}, and x_-prefixed ones of your own)`;

/** The separators of other CSV dialects (a spreadsheet's `;`, a tab), as a hint shows them. */
const OTHER_SEPARATORS: readonly [string, string][] = [[';', "';'"], ['\t', 'tabs'], ['|', "'|'"]];

/**
 * What an unknown header name most likely is, to end {@link UNKNOWN_COLUMN} with (user trial h202: a header
 * exported with `;` between its names, or with `T_US` or ` op`, was refused naming the column, with no word of
 * why): the whole header read as one name, a column name in capitals or with spaces around it, an empty name.
 */
function unknownColumnHint(name: string): string {
  if (name === '') return '; an empty name: is there a comma at the end of the header, or two in a row?';
  for (const [sep, shown] of OTHER_SEPARATORS) {
    const parts = name.split(sep);
    if (parts.length > 1 && parts.filter((p) => KNOWN_SET.has(p.trim().toLowerCase())).length >= 2) {
      return `; the header reads as one name: its names seem separated by ${shown}, and a trace's by commas`;
    }
  }
  const meant = name.trim().toLowerCase();
  if (!KNOWN_SET.has(meant) && !meant.startsWith('x_')) return '';
  const fixed = meant.startsWith('x_') ? `x_${name.trim().slice(2)}` : meant;
  if (fixed === name) return '';
  const why = name.includes('\ufeff') ? 'a byte order mark is part of the name' : name.trim() !== name ? 'a name has no spaces around it'
    : fixed.startsWith('x_') ? 'the prefix is x_, in lower case' : 'names are lower case';
  return `; did you mean ${fixed}? (${why})`;
}

/** Where each column is in a record (-1 when the trace has no such column). */
export interface TraceColumns {
  /** The header's fields, as written. */
  readonly names: readonly string[];
  /** Fields in every record. */
  readonly count: number;
  readonly t: number;
  readonly task: number;
  readonly op: number;
  readonly addr: number;
  readonly len: number;
  readonly flags: number;
  readonly object: number;
  readonly offset: number;
  /** Names of the `x_*` columns, in header order. */
  readonly extraNames: readonly string[];
  /** Positions of the `x_*` columns. */
  readonly extraIdx: readonly number[];
  /** Positions of the columns that may hold line breaks: `object`, then the `x_*` ones. */
  readonly breakable: readonly number[];
}

/**
 * The columns of a header record. Throws a FieldProblem for a duplicate or
 * unknown column (at its position) or a missing required one (named).
 */
export function parseHeader(rec: readonly string[]): TraceColumns {
  const seen = new Map<string, number>();
  const extraNames: string[] = [];
  const extraIdx: number[] = [];
  for (let j = 0; j < rec.length; j++) {
    const name = rec[j]!;
    if (seen.has(name)) fieldProblem(j, 'duplicate column', name);
    seen.set(name, j);
    if (name.startsWith('x_')) {
      extraNames.push(name);
      extraIdx.push(j);
    } else if (!KNOWN_SET.has(name)) {
      fieldProblem(j, UNKNOWN_COLUMN + unknownColumnHint(name), name);
    }
  }
  for (const req of REQUIRED_COLUMNS) {
    if (!seen.has(req)) fieldProblem(req, 'missing required column', rec.join(','));
  }
  const at = (c: KnownColumn): number => seen.get(c) ?? -1;
  const object = at('object');
  return {
    names: rec,
    count: rec.length,
    t: at('t_us'),
    task: at('task'),
    op: at('op'),
    addr: at('addr'),
    len: at('len'),
    flags: at('flags'),
    object,
    offset: at('offset'),
    extraNames,
    extraIdx,
    breakable: object >= 0 ? [object, ...extraIdx] : extraIdx,
  };
}
