/**
 * Log axes: their domains (fitted to the data, or rounded out to 1, 2 and
 * 5 × 10^k) and tick values that stand apart at the report's font size,
 * vertical and horizontal. Moved out of chart.ts, which re-exports them.
 */
import { textWidth } from './fonts.ts';

/**
 * A log-axis domain that fits data from `min` to `max` (both > 0) with no
 * rounding to round numbers, so that the data fill the plot: exactly the
 * data's extent, or, when 0 µs values are drawn at the floor (`floor`), a
 * little below the smallest so that the floor stands apart (a tenth of the
 * span in decades, at least 0.1 decade). A single value gets ×/÷ 1.5.
 * Pair it with `padding` (px) on the scale so that marks at the ends are
 * not cut by the frame.
 */
export function fitLogDomain(min: number, max: number, floor = false): [number, number] {
  if (!(max > min)) return [min / 1.5, max * 1.5];
  const below = floor ? 10 ** Math.max(0.1, Math.log10(max / min) * 0.1) : 1;
  return [min / below, max];
}

/**
 * A log domain whose ends move out to the nearest 1, 2 or 5 × 10^k when that
 * widens each by at most `stretch` times, so that a labelled tick stands at
 * or near the data's ends (115 to 1800 µs becomes 100 to 2000).
 */
export function snapLogDomain(domain: readonly [number, number], stretch = 1.5): [number, number] {
  const [lo, hi] = domain;
  if (!(lo > 0 && hi > lo && Number.isFinite(hi))) return [lo, hi];
  const [nlo, nhi] = logDomain(lo, hi);
  return [lo / nlo <= stretch ? nlo : lo, nhi / hi <= stretch ? nhi : hi];
}

/** Pixels a scale's domain is widened by on each side so that a point mark of area `size` px² at its end is drawn whole. */
export function markPadding(size: number): number {
  return Math.ceil(Math.sqrt(size / Math.PI) + 2);
}

/** The 1-2-5 steps of each decade. */
const STEPS = [1, 2, 5];

/**
 * A log-axis domain: the largest 1, 2 or 5 × 10^k at or below `min` to the
 * smallest at or above `max` (tighter than whole decades).
 */
export function logDomain(min: number, max: number): [number, number] {
  const down = (v: number) => {
    const p = 10 ** Math.floor(Math.log10(v) + 1e-9);
    return p * Math.max(...STEPS.filter((s) => s * p <= v * (1 + 1e-9)));
  };
  const up = (v: number) => {
    const p = 10 ** Math.floor(Math.log10(v) - 1e-9);
    return p * Math.min(...[...STEPS, 10].filter((s) => s * p >= v * (1 - 1e-9)));
  };
  const lo = down(min), hi = up(max);
  return lo < hi ? [lo, hi] : [lo / 10, hi * 10];
}

/**
 * The tick values of a vertical log axis over `domain` drawn `lengthPx` tall
 * whose labels are `fontSize` px high: 1, 2 and 5 × 10^k when two labels a
 * factor 2 apart stand 2.2 label heights apart or more, else the powers of
 * ten (every second, third, ... when even those would crowd, keeping the
 * most of them); `skipFloor` leaves out a tick at the domain's low end
 * (where 0 values are drawn). A domain of less than a decade that those
 * leave unlabelled over more than a third of its span at one end (68 to
 * 190 µs: 100 only; 40 to 180: 50 and 100) takes finer steps (1.5, 3, 7,
 * then every integer and 1.2, 1.5, 2.5 × 10^k), as many as stand apart,
 * when they give more; undefined, to let vega choose, when even that
 * leaves fewer than two ticks or the domain is not positive and finite.
 */
export function logTicks(domain: readonly [number, number], lengthPx: number, fontSize: number, skipFloor = false): number[] | undefined {
  return logTicksApart(domain, lengthPx, 2.2 * fontSize, skipFloor);
}

/**
 * The tick values of a horizontal log axis over `domain`, `lengthPx` wide,
 * labelled at `fontSize` with thousands separators: as {@link logTicks},
 * with room for the widest label and a label height between two.
 */
export function logTicksAcross(domain: readonly [number, number], lengthPx: number, fontSize: number): number[] | undefined {
  const [lo, hi] = domain;
  if (!(lo > 0 && hi > lo && Number.isFinite(hi))) return undefined;
  // the widest label of any value that may be ticked in the domain (1-2-5 and the finer steps), written as the axis
  // writes it (1,000; 0.05); not the domain's end, which is no tick (6,595.228200000001 spaced labels a decade apart)
  const label = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 12 });
  const candidates = stepValues(lo, hi, hi / lo < 10 ? FINER_STEPS[FINER_STEPS.length - 1] : STEPS);
  const widest = Math.max(...candidates.map((v) => textWidth(label(v), fontSize)), textWidth(label(+hi.toPrecision(2)), fontSize));
  return logTicksApart(domain, lengthPx, widest + fontSize);
}

/** The values s × 10^k (s of `steps`) from `lo` to `hi`, of the decades k that `decade` keeps, ascending. */
function stepValues(lo: number, hi: number, steps: readonly number[], decade: (k: number) => boolean = () => true): number[] {
  const values: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    if (!decade(k)) continue;
    for (const s of steps) {
      const v = +(s * 10 ** k).toPrecision(12);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) values.push(v);
    }
  }
  return values;
}

/**
 * Finer steps within a decade, coarse to fine, for a domain too narrow for two 1-2-5 ticks
 * (68 to 190 µs holds only 100): 70, 100, 150 rather than vega's 70, 80, 90, 100 with nothing
 * over the data above 100.
 */
const FINER_STEPS: readonly (readonly number[])[] = [[1, 1.5, 2, 3, 5, 7], [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9]];

/** {@link logTicks} with labels at least `gap` px apart (their centres). */
function logTicksApart(domain: readonly [number, number], lengthPx: number, gap: number, skipFloor = false): number[] | undefined {
  const ticks = logTicks125(domain, lengthPx, gap, skipFloor);
  const [lo, hi] = domain;
  if (!(lo > 0 && hi > lo && Number.isFinite(hi) && lengthPx > 0)) return undefined;
  // finer steps only for less than a decade; 1-2-5 ticks that label it to within a third of its span at each end are enough
  if (hi / lo >= 10) return ticks;
  if (ticks !== undefined && Math.max(Math.log10(ticks[0]! / lo), Math.log10(hi / ticks[ticks.length - 1]!)) <= Math.log10(hi / lo) / 3) return ticks;
  const px = (v: number) => (lengthPx * Math.log10(v / lo)) / Math.log10(hi / lo);
  let best: number[] = [];
  for (const steps of FINER_STEPS) {
    // each value kept when it stands `gap` px above the last kept
    const kept: number[] = [];
    for (const v of stepValues(lo, hi, steps)) {
      if (skipFloor && v <= lo * (1 + 1e-9)) continue;
      if (kept.length === 0 || px(v) - px(kept[kept.length - 1]!) >= gap) kept.push(v);
    }
    if (kept.length > best.length) best = kept;
    if (best.length >= 3) break;
  }
  // the finer steps only when they label more of the domain than the 1-2-5 ones
  if (ticks !== undefined && ticks.length >= best.length) return ticks;
  return best.length >= 2 ? best : undefined;
}

/** {@link logTicksApart} of 1, 2 and 5 × 10^k only (or powers of ten); undefined for fewer than two. */
function logTicks125(domain: readonly [number, number], lengthPx: number, gap: number, skipFloor: boolean): number[] | undefined {
  const [lo, hi] = domain;
  if (!(lo > 0 && hi > lo && Number.isFinite(hi) && lengthPx > 0)) return undefined;
  const pxPerDecade = lengthPx / Math.log10(hi / lo);
  const steps = pxPerDecade * Math.log10(2) >= gap ? STEPS : [1];
  const every = steps.length > 1 ? 1 : Math.max(1, Math.ceil(gap / pxPerDecade));
  let best: number[] = [];
  // with every k-th power of ten: the phase that keeps the most ticks (the higher powers on a tie)
  for (let phase = every - 1; phase >= 0; phase--) {
    const ticks = stepValues(lo, hi, steps, (k) => (((k - phase) % every) + every) % every === 0).filter((v) => !(skipFloor && v <= lo * (1 + 1e-9)));
    if (ticks.length > best.length) best = ticks;
  }
  // powers of ten a decade apart leave a 1-2-5 end of the domain unlabelled (20 and 5,000 of 20 to 5,000 µs, the
  // axis's ends rounded out to be labelled): each labelled too where it stands `gap` from the nearest tick
  if (steps.length === 1 && every === 1 && best.length > 0) {
    const px = (v: number) => pxPerDecade * Math.log10(v / lo);
    const round = (v: number) => stepValues(v, v, STEPS).length > 0;
    if (!skipFloor && round(lo) && px(best[0]) >= gap) best.unshift(lo);
    if (round(hi) && px(hi) - px(best[best.length - 1]) >= gap) best.push(hi);
  }
  return best.length >= 2 ? best : undefined;
}

/** The axis of a horizontal log scale over `domain`, `lengthPx` wide, labels `fontSize` px: its ticks from {@link logTicksAcross}, else vega's five. */
export function logAxisAcross(fontSize: number, domain: readonly [number, number], lengthPx: number): Record<string, unknown> {
  const values = logTicksAcross(domain, lengthPx, fontSize);
  return values ? { values } : { tickCount: 5 };
}

/** The axis of a vertical log scale over `domain`, `lengthPx` tall: its ticks from {@link logTicks} (none at the floor with `skipFloor`), else vega's five. */
export function logAxis(ctx: { theme: { fontSize: { label: number } } }, domain: readonly [number, number], lengthPx: number, skipFloor = false): Record<string, unknown> {
  const values = logTicks(domain, lengthPx, ctx.theme.fontSize.label, skipFloor);
  return values ? { values } : { tickCount: 5 };
}

/** The 1, 2 or 5 × 10^k next below `v` (`dir` −1) or above it (`dir` 1). */
function next125(v: number, dir: -1 | 1): number {
  const [lo, hi] = dir < 0 ? logDomain(v * (1 - 1e-6), v) : logDomain(v, v * (1 + 1e-6));
  return dir < 0 ? lo : hi;
}

/**
 * A log domain over values `lo` to `hi` (both > 0, within `domain`) on an
 * axis `lengthPx` long, each end moved out to the next 1, 2 or 5 × 10^k
 * while a value stands less than `marginPx` inside it: an error bar ending
 * on the plot's edge looks cut.
 */
export function logDomainClear(domain: readonly [number, number], lo: number, hi: number, lengthPx: number, marginPx: number): [number, number] {
  let [d0, d1] = domain;
  for (let round = 0; round < 4; round++) {
    const px = lengthPx / Math.log10(d1 / d0);
    let moved = false;
    if (Math.log10(lo / d0) * px < marginPx) d0 = next125(d0, -1), (moved = true);
    if (Math.log10(d1 / hi) * px < marginPx) d1 = next125(d1, 1), (moved = true);
    if (!moved) break;
  }
  return [d0, d1];
}

/**
 * A log axis planned to label its data: its `domain` and `ticks`, a tick at or below the lowest value
 * drawn (`lo`) and one at or above the highest (`hi`), so that no value sits beyond the last label (a
 * single run's p50 of 3,450 µs under ticks of 4,000 and 5,000 only; a scatter's 9,000 µs above a top
 * label of 1,000). `skipFloor`: the domain's low end is where 0 values are drawn, never labelled, so the
 * lowest label stands above it (and at or below `lo`); `across`: a horizontal axis (labels as wide as
 * their text); `integer`: whole numbers only (a count).
 */
export interface LogPlan {
  domain: [number, number];
  ticks: number[];
  lo: number;
  hi: number;
  fontSize: number;
  across: boolean;
  skipFloor: boolean;
  integer: boolean;
  /** Labels at the domain's ends are drawn flush with the plot's ends ({@link LogPlanOptions}.flush). */
  flush: boolean;
}

/** How {@link planLogAxis} draws an axis. */
export interface LogPlanOptions {
  /** A horizontal axis (labels spaced by their widths), else a vertical one (2.2 label heights). */
  across?: boolean;
  /** The domain's low end is a floor where 0 values are drawn, never labelled. */
  skipFloor?: boolean;
  /** Whole numbers only (a count's axis). */
  integer?: boolean;
  /** Every value at least this far (px) inside the domain's ends, when the plan widens it (an error bar ending on the edge looks cut). */
  marginPx?: number;
  /**
   * A horizontal axis whose scale has no padding, so that the labels of ticks at the domain's ends are drawn flush
   * with the plot's ends (the theme's `labelFlush`), wholly inside it: such a label needs its whole width beside its
   * neighbour, not half of it (9,800 and a flush 10,000 drawn 0.7 px apart on a compare CDF).
   */
  flush?: boolean;
}

/** A label as a horizontal log axis writes it: thousands separators, no exponent. */
const axisLabel = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 12 });

/** Whether `ticks` bracket the values `lo` to `hi`: one at or below the lowest, one at or above the highest. */
export function bracketsData(ticks: readonly number[] | undefined, lo: number, hi: number): boolean {
  return ticks !== undefined && ticks.length > 0 && ticks[0]! <= lo * (1 + 1e-9) && ticks[ticks.length - 1]! >= hi * (1 - 1e-9);
}

/**
 * The ticks the existing rules give `domain` (logTicks, logTicksAcross), whole numbers only with `integer`;
 * with `flush`, thinned so that the labels drawn flush with the plot's ends stand apart from their neighbours.
 */
function ruleTicks(domain: readonly [number, number], lengthPx: number, fontSize: number, o: LogPlanOptions): number[] | undefined {
  const t = o.across ? logTicksAcross(domain, lengthPx, fontSize) : logTicks(domain, lengthPx, fontSize, o.skipFloor);
  const kept = t?.filter((v) => !(o.skipFloor && v <= domain[0] * (1 + 1e-9)) && (!o.integer || Number.isInteger(v)));
  const apart = o.across && o.flush ? thinKeepingEnds(kept ?? [], domain, lengthPx, labelApart(fontSize, true, domain)) : kept;
  return apart && apart.length ? apart : undefined;
}

/**
 * Families of tick values, coarse to fine, each its values over [lo, hi] (`ends`: where a domain may end, and
 * `inner`: the values ticked between): powers of ten every m decades between 1-2-5 ends; 1-2-5 × 10^k; the
 * finer steps (1, 1.5, 2, 3, 5, 7; every integer and 1.2, 1.5, 2.5); and, for less than a decade, multiples of
 * a 1-2-5 step (3,400, 3,600, ... 4,000 over msyncs of 3,450 to 3,950 µs).
 */
function tickFamilies(lo: number, hi: number): { ends: number[]; inner: number[]; regular: boolean }[] {
  const a = lo / 1000, b = hi * 1000;
  const s125 = stepValues(a, b, STEPS);
  const families: { ends: number[]; inner: number[]; regular: boolean }[] = [];
  // every m-th power of ten, up to one label for the whole span
  for (let m = 1; m <= Math.max(1, Math.ceil(Math.log10(hi / lo))); m++) {
    for (let phase = 0; phase < m; phase++) families.push({ ends: s125, inner: stepValues(a, b, [1], (k) => (((k - phase) % m) + m) % m === 0), regular: false });
  }
  families.push({ ends: s125, inner: s125, regular: true });
  for (const f of FINER_STEPS) families.push({ ends: stepValues(a, b, f), inner: stepValues(a, b, f), regular: true });
  if (hi / lo < 10) {
    for (let k = Math.floor(Math.log10(hi)) - 4; k <= Math.floor(Math.log10(hi)); k++) {
      for (const s of STEPS) {
        const d = +(s * 10 ** k).toPrecision(12);
        const first = Math.floor(lo / d - 1e-9) - 2, last = Math.ceil(hi / d + 1e-9) + 2;
        if (first < 1 || last - first > 400) continue;
        const vals = Array.from({ length: last - first + 1 }, (_, j) => +((first + j) * d).toPrecision(12));
        families.push({ ends: vals, inner: vals, regular: true });
      }
    }
  }
  return families;
}

/**
 * `ticks` on a log axis over `domain`, `lengthPx` long, thinned so that labels stand apart (`apart(a, b)`: the
 * px two labels' centres need), keeping the first and the last: interior ticks too near the previous kept one or
 * the last are left out. Undefined when the first and last themselves stand too close.
 */
function thinKeepingEnds(ticks: readonly number[], domain: readonly [number, number], lengthPx: number, apart: (a: number, b: number) => number): number[] | undefined {
  if (ticks.length < 2) return ticks.length ? [...ticks] : undefined;
  const px = (v: number) => (lengthPx * Math.log(v / domain[0])) / Math.log(domain[1] / domain[0]);
  const first = ticks[0]!, last = ticks[ticks.length - 1]!;
  if (px(last) - px(first) < apart(first, last)) return undefined;
  const kept = [first];
  for (const v of ticks.slice(1, -1)) if (px(v) - px(kept[kept.length - 1]!) >= apart(kept[kept.length - 1]!, v) && px(last) - px(v) >= apart(v, last)) kept.push(v);
  kept.push(last);
  return kept;
}

/**
 * The px two labels' centres need on a log axis: a label height and a bit (2.2) up a vertical one; half of each
 * label's width and a label height across a horizontal one, the whole width of a label at an end of `flushEnds`
 * (the domain of an axis whose end labels are drawn flush with the plot, wholly on its inner side).
 */
function labelApart(fontSize: number, across: boolean | undefined, flushEnds?: readonly [number, number]): (a: number, b: number) => number {
  if (!across) return () => 2.2 * fontSize;
  const flushed = (v: number) => flushEnds !== undefined && flushEnds.some((e) => Math.abs(v - e) <= 1e-9 * e);
  const reach = (v: number) => textWidth(axisLabel(v), fontSize) * (flushed(v) ? 1 : 0.5);
  return (a, b) => reach(a) + reach(b) + fontSize;
}

/**
 * A log axis over `domain` that labels the values `lo` to `hi` drawn on it ({@link LogPlan}), `lengthPx`
 * long (about what the plot will be: {@link planTicks} thins them on the plot drawn): the ticks the existing
 * rules give when they bracket the values; else a domain from the nearest value at or below `lo` to the nearest
 * at or above `hi` of a family of ticks whose labels stand apart on that length, of all such families the one
 * whose domain is narrowest (of two alike, the one with more labels); with `skipFloor` the floor of 0 values
 * where it was when that is below the lowest label, else a tenth of the span in decades below it, at least 0.1
 * decade.
 */
export function planLogAxis(domain: readonly [number, number], lo: number, hi: number, lengthPx: number, fontSize: number, o: LogPlanOptions = {}): LogPlan {
  const base = { lo, hi, fontSize, across: o.across ?? false, skipFloor: o.skipFloor ?? false, integer: o.integer ?? false, flush: o.flush ?? false };
  const d: [number, number] = [domain[0], domain[1]];
  if (!(lo > 0 && hi >= lo && Number.isFinite(hi) && d[0] > 0 && d[1] > d[0])) return { ...base, domain: d, ticks: [] };
  const ticks = ruleTicks(d, lengthPx, fontSize, o);
  if (bracketsData(ticks, lo, hi)) return { ...base, domain: d, ticks: ticks! };
  const margin = o.marginPx ?? 0;
  let best: { domain: [number, number]; ticks: number[]; span: number } | undefined;
  for (const fam of tickFamilies(lo, hi)) {
    const ok = (v: number) => !o.integer || (Number.isInteger(v) && v >= 1);
    const ends = fam.ends.filter(ok);
    let f = ends.filter((v) => v <= lo * (1 + 1e-9)).pop(), c = ends.find((v) => v >= hi * (1 - 1e-9));
    if (f === undefined || c === undefined) continue;
    let d0 = 0, d1 = 0;
    // the domain over the ends, and a floor below; ends moved out while a value stands nearer than the margin
    for (let round = 0; round < 4; round++) {
      // a floor already below the lowest label stays where it is (where 0 values are drawn)
      d0 = !o.skipFloor ? f : d[0] < f * (1 - 1e-9) ? d[0] : f / 10 ** Math.max(0.1, 0.1 * Math.log10(c / f));
      d1 = c;
      const px = lengthPx / Math.log10(d1 / d0);
      let moved = false;
      if (!o.skipFloor && Math.log10(lo / d0) * px < margin) {
        const lower = ends.filter((v) => v < f! * (1 - 1e-9)).pop();
        if (lower !== undefined) f = lower, (moved = true);
      }
      if (Math.log10(d1 / hi) * px < margin) {
        const higher = ends.find((v) => v > c! * (1 + 1e-9));
        if (higher !== undefined) c = higher, (moved = true);
      }
      if (!moved) break;
    }
    const between = fam.inner.filter((v) => ok(v) && v > f! * (1 + 1e-9) && v < c! * (1 - 1e-9));
    const all = [f, ...between, c].filter((v, i, a) => i === 0 || v > a[i - 1]! * (1 + 1e-9));
    const px = (v: number) => (lengthPx * Math.log(v / d0)) / Math.log(d1 / d0);
    const apart = labelApart(fontSize, o.across, o.flush ? [d0, d1] : undefined);
    let kept: number[] | undefined;
    if (fam.regular) kept = all.every((v, i) => i === 0 || px(v) - px(all[i - 1]!) >= apart(all[i - 1]!, v)) ? all : undefined;
    else kept = thinKeepingEnds(all, [d0, d1], lengthPx, apart);
    if (!kept) continue;
    const span = Math.log(d1 / d0);
    // the least widening; of two alike, the one with more labels (three or more), as the 1-2-5 rule prefers
    if (!best || span < best.span - 1e-9 || (Math.abs(span - best.span) <= 1e-9 && kept.length > best.ticks.length)) best = { domain: [d0, d1], ticks: kept, span };
  }
  if (best) return { ...base, domain: best.domain, ticks: best.ticks };
  // nothing stands apart (a plot too small for its labels): two labels, the 1-2-5 values around the data, even if they crowd
  const round = stepValues(lo / 10, hi * 10, STEPS).filter((v) => !o.integer || (Number.isInteger(v) && v >= 1));
  const f = round.filter((v) => v <= lo * (1 + 1e-9)).pop() ?? (o.integer ? 1 : lo), c = round.find((v) => v >= hi * (1 - 1e-9)) ?? hi;
  const floor = (v: number) => (o.skipFloor ? Math.min(d[0], v / 10 ** 0.1) : v);
  return { ...base, domain: f < c ? [floor(f), c] : [floor(f / 1.5), c * 1.5], ticks: f < c ? [f, c] : [f] };
}

/**
 * The ticks of `plan` on the plot drawn, `lengthPx` long: the existing rules' over its domain when they still
 * bracket its values, else its own ticks thinned to stand apart on this length, keeping the first and the last
 * (which bracket the values).
 */
export function planTicks(plan: LogPlan, lengthPx: number): number[] | undefined {
  const o = { across: plan.across, skipFloor: plan.skipFloor, integer: plan.integer, flush: plan.flush };
  const rules = ruleTicks(plan.domain, lengthPx, plan.fontSize, o);
  if (bracketsData(rules, plan.lo, plan.hi) || plan.ticks.length === 0) return rules;
  return thinKeepingEnds(plan.ticks, plan.domain, lengthPx, labelApart(plan.fontSize, plan.across, plan.flush ? plan.domain : undefined)) ?? [plan.ticks[0]!, plan.ticks[plan.ticks.length - 1]!];
}

/** The axis of {@link planTicks}: its tick values, else vega's five. */
export function planAxis(plan: LogPlan, lengthPx: number): Record<string, unknown> {
  const values = planTicks(plan, lengthPx);
  return values ? { values } : { tickCount: 5 };
}
