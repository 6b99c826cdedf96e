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
