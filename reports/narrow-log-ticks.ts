/**
 * Labels of a vertical log axis that spans less than a decade: the 1-2-5
 * rules of log-axis.ts may label such an axis at its two ends only (a single
 * run's percentiles, all at about 117 µs, between 100 and 200; 66 to 87 µs
 * between 50 and 100), and no value can be read off it. Such an axis is
 * labelled at the multiples of a round step instead, as a linear axis is.
 *
 * The scale stays logarithmic (not linear under a decade): latency is drawn
 * on log axes in every chart of the report, so that equal ratios look equal
 * whichever configurations or runs a figure holds, and a figure's scale does
 * not change kind with its data; over less than a decade a log scale is
 * nearly linear anyway, so only its labels were missing.
 */
import { bracketsData, planTicks, type LogPlan } from './log-axis.ts';
import { LINEAR_TICK_GAP } from './linear-axis.ts';

/** A log axis of less than a decade labelled at fewer values than this is labelled at a round step's multiples. */
export const NARROW_MIN_LABELS = 4;

/** The multiples of `step` from `lo` to `hi` (both included). */
function multiples(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi * (1 + 1e-9); i++) out.push(+(i * step).toPrecision(12));
  return out;
}

/**
 * The tick values of `plan`'s vertical axis drawn `lengthPx` tall: {@link planTicks}'s, unless its domain spans
 * less than a decade and they are fewer than {@link NARROW_MIN_LABELS}; then the multiples within the domain of
 * the finest step of 1, 2 or 5 × 10^k (whole with `plan.integer`) whose labels stand {@link LINEAR_TICK_GAP} label
 * heights apart (the closest pair, at the top) and that label the values at both ends, when they are more
 * (100, 120, ... 200 for dots at 117 µs).
 */
export function narrowLogTicks(plan: LogPlan, lengthPx: number): number[] | undefined {
  const ticks = planTicks(plan, lengthPx);
  const [lo, hi] = plan.domain;
  if (!(lo > 0 && hi > lo && Number.isFinite(hi) && lengthPx > 0) || hi / lo >= 10 || (ticks?.length ?? 0) >= NARROW_MIN_LABELS) return ticks;
  const px = (v: number) => (lengthPx * Math.log(v / lo)) / Math.log(hi / lo);
  const gap = LINEAR_TICK_GAP * plan.fontSize;
  for (let k = Math.floor(Math.log10(hi - lo)) - 2; k <= Math.ceil(Math.log10(hi)); k++) {
    for (const s of [1, 2, 5]) {
      const step = +(s * 10 ** k).toPrecision(12);
      if (plan.integer && step < 1) continue;
      // none at a floor where 0 values are drawn
      const values = multiples(lo, hi, step).filter((v) => !(plan.skipFloor && v <= lo * (1 + 1e-9)));
      if (values.length < 2 || !bracketsData(values, plan.lo, plan.hi)) continue;
      const apart = values.every((v, i) => i === 0 || px(v) - px(values[i - 1]!) >= gap);
      if (apart) return values.length > (ticks?.length ?? 0) ? values : ticks;
    }
  }
  return ticks;
}

/** The axis of {@link narrowLogTicks}: its tick values, else vega's five. */
export function narrowLogAxis(plan: LogPlan, lengthPx: number): Record<string, unknown> {
  const values = narrowLogTicks(plan, lengthPx);
  return values ? { values } : { tickCount: 5 };
}
