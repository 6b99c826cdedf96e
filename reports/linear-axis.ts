/**
 * Linear value axes (a sweep line's y): a domain that holds every value
 * drawn (means and the ends of their confidence intervals) a few px inside
 * its ends, rounded out to a 1, 2 or 5 × 10^k step so that both ends are
 * labelled ticks, at least three of them, and 0 in it by one rule
 * ({@link zeroBaseline}) rather than wherever the rounding happens to land.
 */

/**
 * Including 0 may widen an axis by at most this factor: the stretch by which
 * a latency axis's ends move out to a round value (`snapLogDomain`).
 */
export const ZERO_STRETCH = 1.5;

/** Least distance between the centres of two tick labels of a linear y axis, in label heights. */
export const LINEAR_TICK_GAP = 2.5;

/** A linear axis: its domain, its ticks and how they are written. */
export interface LinearAxis {
  domain: [number, number];
  /** Tick values from one end of the domain to the other, `step` apart. */
  ticks: number[];
  step: number;
  /** Whether the domain was extended to 0 ({@link zeroBaseline}). */
  zero: boolean;
  /** The labels' d3 format: thousands separators and the step's decimals (`,.2f` for a step of 0.01); `,d` for a count's whole steps. */
  format: string;
}

/**
 * Whether a linear axis of values from `lo` to `hi` starts at 0 (all
 * negative: ends at 0): when 0 lies among them, or when including it widens
 * the axis by at most {@link ZERO_STRETCH} times — positive values whose
 * lowest is at most a third of their highest (194 to 1,918 µs starts at 0;
 * 481 to 646 µs does not). A single value (`lo` = `hi` ≠ 0) does not.
 */
export function zeroBaseline(lo: number, hi: number): boolean {
  if (lo <= 0 && hi >= 0) return true;
  const far = Math.max(Math.abs(lo), Math.abs(hi));
  return far <= ZERO_STRETCH * (hi - lo) * (1 + 1e-9);
}

/** One rounding of the values to a step: the domain's ends as multiples of it. */
interface Rounding {
  step: number;
  i0: number;
  i1: number;
  /** Ticks from end to end, and the px between two. */
  n: number;
  gap: number;
  /** The share of the domain the values (and 0, when included) span. */
  fill: number;
}

/**
 * The values `lo` to `hi` rounded out to multiples of `step`, each end one step further while a value
 * stands closer than `marginPx` to it on an axis `lengthPx` long; at a zero baseline its 0 end stays,
 * and without one an end that would reach 0 (or pass it) makes the step unusable (undefined).
 */
function roundTo(lo: number, hi: number, step: number, lengthPx: number, marginPx: number, withZero: boolean): Rounding | undefined {
  const a = withZero ? Math.min(lo, 0) : lo, b = withZero ? Math.max(hi, 0) : hi;
  let i0 = Math.floor(a / step + 1e-9), i1 = Math.ceil(b / step - 1e-9);
  if (i1 <= i0) i1 = i0 + 1;
  // the 0 end of a zero baseline stays where it is: a value at or near 0 rests on it
  const fixed0 = withZero && lo >= 0, fixed1 = withZero && hi <= 0;
  for (let round = 0; round < 4; round++) {
    const px = lengthPx / ((i1 - i0) * step);
    let moved = false;
    if (!fixed0 && (lo - i0 * step) * px < marginPx) i0--, (moved = true);
    if (!fixed1 && (i1 * step - hi) * px < marginPx) i1++, (moved = true);
    if (!moved) break;
  }
  // without a zero baseline, positive values' axis stays above 0 (negative ones' below): 0 comes by the rule, not by rounding
  if (!withZero && ((lo > 0 && i0 <= 0) || (hi < 0 && i1 >= 0))) return undefined;
  const n = i1 - i0 + 1;
  return { step, i0, i1, n, gap: lengthPx / (n - 1), fill: (b - a) / ((i1 - i0) * step) };
}

/**
 * The linear axis of values from `lo` to `hi` (lo ≤ hi) on a plot `lengthPx`
 * long, labels `fontSize` px high, marks of radius up to `marginPx` − 1: 0 in
 * the domain by {@link zeroBaseline} (never when `zero` is false, always when
 * it is `'always'`: a fraction such as device utilization); the ends
 * rounded out to a step of 1, 2 or 5 × 10^k, one step further where a value
 * would stand less than `marginPx` from an end (so that no error bar ends on
 * the plot's edge, where it would look cut); of the steps, the one whose
 * domain the values fill most (of two that fill it alike, the finer: more
 * labelled values) among
 * those giving at least three ticks {@link LINEAR_TICK_GAP} label heights
 * apart; on a plot too short for three, the fewest ticks (three or more
 * whose labels do not overlap, else two). With `integer` (a count: msyncs,
 * pages, a result code's calls) the steps are whole numbers, 1 and up, and
 * the labels written as integers (`,d`): a mean over seeds of 0.33 ENOMEM is
 * drawn on an axis of 0 and 1, never ticked 0.5; values that no whole step
 * can hold without 0 (0.2 to 0.4) take 0 in.
 */
export function linearAxis(lo: number, hi: number, lengthPx: number, fontSize: number, marginPx: number, zero: boolean | 'always' = true, integer = false): LinearAxis {
  let withZero = linearFromZero(lo, hi, zero, integer);
  const roundings = (margin = marginPx) => {
    const span = Math.max(hi, withZero ? 0 : hi) - Math.min(lo, withZero ? 0 : lo) || Math.abs(lo) || 1;
    const out: Rounding[] = [];
    for (let k = Math.floor(Math.log10(span)) - 3; k <= Math.ceil(Math.log10(span)) + 1; k++) {
      for (const s of [1, 2, 5]) {
        const step = +(s * 10 ** k).toPrecision(12);
        if (integer && step < 1) continue;
        const r = roundTo(lo, hi, step, lengthPx, margin, withZero);
        if (r) out.push(r);
      }
    }
    return out;
  };
  let options = roundings();
  // a count from 1 up whose margin would push an end to 0: an end on a value rather than 0 where linearFromZero says not
  if (options.length === 0 && integer && !withZero) options = roundings(0);
  if (options.length === 0 && integer && !withZero) {
    withZero = true;
    options = roundings();
  }
  const readable = options.filter((o) => o.n >= 3 && o.gap >= LINEAR_TICK_GAP * fontSize - 1e-9);
  // a plot too short for three such ticks: the fewest of three or more whose labels stand apart, else of two
  const apart = options.filter((o) => o.gap >= 1.5 * fontSize);
  const fewest = (of: Rounding[]) => of.filter((o) => o.n === Math.min(...of.map((x) => x.n)));
  const pool = readable.length ? readable : fewest(apart.filter((o) => o.n >= 3)).length ? fewest(apart.filter((o) => o.n >= 3)) : fewest(options);
  const best = pool.reduce((x, o) => (o.fill > x.fill + 1e-9 || (Math.abs(o.fill - x.fill) <= 1e-9 && o.step < x.step) ? o : x));
  const at = (i: number) => {
    const v = +(i * best.step).toPrecision(12);
    return v === 0 ? 0 : v;
  };
  const ticks = Array.from({ length: best.n }, (_, j) => at(best.i0 + j));
  const decimals = Math.max(0, -Math.floor(Math.log10(best.step) + 1e-9));
  return { domain: [at(best.i0), at(best.i1)], ticks, step: best.step, zero: withZero, format: integer ? ',d' : `,.${decimals}f` };
}

/**
 * Whether {@link linearAxis} of values from `lo` to `hi` (its `zero` and `integer`) starts at 0 (all negative: ends
 * at 0), on a plot of any length: always with `'always'`; by {@link zeroBaseline} unless `zero` is false; and for a
 * count (`integer`) whose values lie strictly between 0 and 1 (or −1 and 0), which no whole step holds without 0.
 */
export function linearFromZero(lo: number, hi: number, zero: boolean | 'always' = true, integer = false): boolean {
  if (zero === 'always' || (zero && zeroBaseline(lo, hi))) return true;
  return integer && ((lo > 0 && lo < 1) || (hi < 0 && hi > -1));
}

/** What a figure and its caption say of a linear y axis that does not start at 0 ({@link offZeroWords}). */
export interface OffZeroWords {
  /** The in-figure words: `the y axis does not start at 0`, with how close the values are when they spread little. */
  note: string;
  /** The caption's words: the note's, and when the values spread little, that their differences look larger. */
  caption: string;
}

/**
 * The one rule by which every figure whose linear y axis does not start at 0 ({@link linearFromZero} false for its
 * values `lo` to `hi`, its `zero` and `integer`, as given to {@link linearAxis}) says so, in the figure's note and
 * its caption: `the y axis does not start at 0`, and for values spread less than {@link NARROW_SPREAD} of their
 * size how close they are ({@link narrowSpreadNote}: `...: the values drawn lie within 0.12 % of one another`);
 * both '' for an axis from 0. Until 2026-12-07 only those close values were named: an axis of 5 to 10 MiB, or one
 * from 400 µs, said nothing of it.
 */
export function offZeroWords(lo: number, hi: number, zero: boolean | 'always' = true, integer = false): OffZeroWords {
  if (linearFromZero(lo, hi, zero, integer)) return { note: '', caption: '' };
  const narrow = narrowSpreadNote(lo, hi);
  if (narrow) return { note: narrow, caption: `${narrow}, so their differences look larger than they are` };
  const words = 'the y axis does not start at 0';
  return { note: words, caption: words };
}

/**
 * Values spread over less than this share of their size (a sweep line's means and CI ends: 697.9 to 698.7 µs, 0.12 %;
 * 5.54 to 5.69 GiB, 2.6 %) on an axis not from 0 fill the plot with differences magnified 20× or more, which a
 * reader would take for large: the figure says how small they are.
 */
export const NARROW_SPREAD = 0.05;

/** How far values from `lo` to `hi` spread as a share of their size: (hi − lo) / the larger of |lo| and |hi|; 0 for all 0. */
export function spreadShare(lo: number, hi: number): number {
  const size = Math.max(Math.abs(lo), Math.abs(hi));
  return size > 0 ? (hi - lo) / size : 0;
}

/**
 * The in-figure words for values from `lo` to `hi` on a linear axis that does not start at 0
 * ({@link zeroBaseline} false) and spread less than {@link NARROW_SPREAD} of their size: `the y axis does not
 * start at 0: the values drawn lie within 0.12 % of one another`; '' otherwise (and for one value everywhere).
 */
export function narrowSpreadNote(lo: number, hi: number): string {
  const share = spreadShare(lo, hi);
  if (!(hi > lo) || zeroBaseline(lo, hi) || share >= NARROW_SPREAD) return '';
  return `the y axis does not start at 0: the values drawn lie within ${+(share * 100).toPrecision(2)} % of one another`;
}
