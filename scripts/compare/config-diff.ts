/**
 * What tells compare's two sides apart in their configurations (summary.json's
 * `config`), for the figure: a legend that reads `A: demo (freebsd)` /
 * `B: demo-linux (linux)` rather than two directory names, and a note naming
 * the other keys that differ, those that follow from the kernel marked so.
 */
import { resolveConfig } from '../../sim/config.ts';
import { keyShortTitle, legendKey, valueWithUnit, type LabelOverrides } from '../../reports/labels.ts';
import { noLimitWord } from '../../reports/no-limit.ts';
import { flatConfig as flatten } from '../../reports/config-keys.ts';
import type { Side } from './sides.ts';

/** A configuration key whose value differs between the sides. */
export interface ConfigDifference {
  /** Dotted, as in a config file (`fs.kind`). */
  key: string;
  /** Its value on each side, as text (`ufs`, `16`, `[3 values]`). */
  a: string;
  b: string;
  /** Each side has its kernel's default value: the key differs because the personality does. */
  byKernel: boolean;
}

/** Keys left out: the seed (the runs of a sweep point have one each; the figure counts runs). */
const IGNORED = new Set(['seed']);

/** The keys of a side whose value every run of it shares (a sweep point's runs differ in their seeds, maybe more). */
function sharedValues(side: Side): Map<string, string> {
  const [first, ...rest] = side.runs.map((r) => flatten(r.summary.config));
  const out = new Map<string, string>();
  for (const [k, v] of first ?? []) if (!IGNORED.has(k) && rest.every((m) => m.get(k) === v)) out.set(k, v);
  return out;
}

/** The default configuration of `personality`, dotted; empty when it is not one this version knows. */
function kernelDefaults(personality: string | undefined): Map<string, string> {
  try {
    return personality === undefined ? new Map() : flatten(resolveConfig({ personality }));
  } catch {
    return new Map();
  }
}

/** The configuration keys whose values differ between sides `a` and `b`, in summary.json's order. */
export function configDifferences(a: Side, b: Side): ConfigDifference[] {
  const va = sharedValues(a), vb = sharedValues(b);
  const pa = va.get('personality'), pb = vb.get('personality');
  const da = kernelDefaults(pa), db = kernelDefaults(pb);
  const out: ConfigDifference[] = [];
  for (const [key, x] of va) {
    const y = vb.get(key);
    if (y === undefined || x === y) continue;
    const byKernel = key !== 'personality' && pa !== pb && da.get(key) === x && db.get(key) === y;
    out.push({ key, a: x, b: y, byKernel });
  }
  return out;
}

/** Most differing keys the legend names after a side's name; the others go into the note. */
export const LEGEND_KEYS = 2;

/**
 * A key and its value of the two `both` (A's and B's, which choose its unit): `freebsd` for the kernel (a name
 * that says what it is), else `write cluster 8 pages`, `memlock limit 2 MiB`, `memory unlimited` (a 0 that
 * means no limit by its word, never `memory 0`).
 */
function keyValue(key: string, value: string, both: readonly string[], labels: LabelOverrides): string {
  return key === 'personality' ? value : `${keyShortTitle(key, labels)} ${valueWithUnit(key, value, both, labels)}`;
}

/**
 * What the figure says of `diffs`: for each side, the values the legend adds
 * after its name (`freebsd`; up to {@link LEGEND_KEYS} keys that differ on
 * their own and that the side's label does not name already, `stated`: a
 * sweep point's grid keys), '' when none; and the note's line for the rest
 * (`also differing (A / B), each kernel's default: readahead 16 / 32 pages,
 * file system ufs / ext4-ordered`), '' when nothing is left.
 */
export function differenceText(diffs: readonly ConfigDifference[], stated: readonly string[] = [], labels: LabelOverrides = {}): { a: string; b: string; note: string } {
  const unstated = diffs.filter((d) => !stated.includes(d.key));
  const own = unstated.filter((d) => !d.byKernel);
  const legend = own.slice(0, LEGEND_KEYS);
  // the unit once, after both values: `readahead 16 / 32 pages`; a no-limit 0 by its word: `memory unlimited / 1500 pages`
  const pair = (d: ConfigDifference) => {
    const k = legendKey(d.key, [d.a, d.b], labels);
    if (noLimitWord(d.key, d.a) !== undefined || noLimitWord(d.key, d.b) !== undefined) {
      return `${keyShortTitle(d.key, labels)} ${valueWithUnit(d.key, d.a, [d.a, d.b], labels)} / ${valueWithUnit(d.key, d.b, [d.a, d.b], labels)}`;
    }
    return `${keyShortTitle(d.key, labels)} ${k.text(d.a)} / ${k.text(d.b)}${k.unit ? ` ${k.unit}` : ''}`;
  };
  const more = own.slice(LEGEND_KEYS).map(pair);
  const byKernel = unstated.filter((d) => d.byKernel).map(pair);
  const also = legend.length > 0 || unstated.length < diffs.length ? 'also ' : '';
  const note = more.length && byKernel.length ? `${also}differing (A / B): ${more.join(', ')}; each kernel's default: ${byKernel.join(', ')}`
    : more.length ? `${also}differing (A / B): ${more.join(', ')}`
      : byKernel.length ? `${also}differing (A / B), each kernel's default: ${byKernel.join(', ')}` : '';
  return {
    a: legend.map((d) => keyValue(d.key, d.a, [d.a, d.b], labels)).join(', '),
    b: legend.map((d) => keyValue(d.key, d.b, [d.a, d.b], labels)).join(', '),
    note,
  };
}
