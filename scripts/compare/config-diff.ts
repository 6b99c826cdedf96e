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
  /**
   * Set (true) when each side has its device profile's default value: the key differs because `device.profile`
   * does (`device.channels` 85 / 1 of `nvme` / `hdd`; the CPU costs and file system `queue` sets to 0 and none);
   * absent otherwise.
   */
  byProfile?: true;
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

/** The default configuration of `personality` with device profile `profile` (a built-in one), dotted; empty when either is unknown. */
function profileDefaults(personality: string | undefined, profile: string | undefined): Map<string, string> {
  try {
    return profile === undefined ? new Map() : flatten(resolveConfig({ ...(personality === undefined ? {} : { personality }), device: { profile } }));
  } catch {
    return new Map();
  }
}

/** The configuration keys whose values differ between sides `a` and `b`, in summary.json's order. */
export function configDifferences(a: Side, b: Side): ConfigDifference[] {
  const va = sharedValues(a), vb = sharedValues(b);
  const pa = va.get('personality'), pb = vb.get('personality');
  const da = kernelDefaults(pa), db = kernelDefaults(pb);
  // two device profiles (nvme / hdd): the keys each sets to its own defaults follow from it, as a kernel's do
  const fa = va.get('device.profile'), fb = vb.get('device.profile');
  const [ga, gb] = fa !== fb ? [profileDefaults(pa, fa), profileDefaults(pb, fb)] : [new Map<string, string>(), new Map<string, string>()];
  const out: ConfigDifference[] = [];
  for (const [key, x] of va) {
    const y = vb.get(key);
    if (y === undefined || x === y) continue;
    const byKernel = key !== 'personality' && pa !== pb && da.get(key) === x && db.get(key) === y;
    const byProfile = !byKernel && key !== 'device.profile' && ga.get(key) === x && gb.get(key) === y;
    out.push({ key, a: x, b: y, byKernel, ...(byProfile ? { byProfile: true as const } : {}) });
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
 * file system ufs / ext4-ordered`), '' when nothing is left. Keys that follow
 * from two device profiles (`byProfile`) are named in the note after them,
 * `each device profile's default: device channels 85 / 1, ...`, so that the
 * legend names the profile itself (until 2026-12-08 an nvme run and an hdd
 * run read `device channels 85, mean read latency 85 µs` / `device channels
 * 1, ...`, and `device nvme / hdd` came last in the note).
 */
export function differenceText(diffs: readonly ConfigDifference[], stated: readonly string[] = [], labels: LabelOverrides = {}): { a: string; b: string; note: string } {
  const unstated = diffs.filter((d) => !stated.includes(d.key));
  const own = unstated.filter((d) => !d.byKernel && !d.byProfile);
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
  // the keys that follow from the kernel, then from the device profile, each group after its words
  const groups = [
    ["each kernel's default", unstated.filter((d) => d.byKernel).map(pair)],
    ["each device profile's default", unstated.filter((d) => d.byProfile).map(pair)],
  ].filter(([, items]) => items.length > 0) as [string, string[]][];
  const also = legend.length > 0 || unstated.length < diffs.length ? 'also ' : '';
  const rest = groups.map(([words, items]) => `${words}: ${items.join(', ')}`);
  const note = more.length ? [`${also}differing (A / B): ${more.join(', ')}`, ...rest].join('; ')
    : rest.length ? `${also}differing (A / B), ${rest.join('; ')}` : '';
  return {
    a: legend.map((d) => keyValue(d.key, d.a, [d.a, d.b], labels)).join(', '),
    b: legend.map((d) => keyValue(d.key, d.b, [d.a, d.b], labels)).join(', '),
    note,
  };
}
