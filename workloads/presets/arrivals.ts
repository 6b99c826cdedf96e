/**
 * Arrival processes: the times at which a task issues its writes or transactions.
 */
import { RandomStream } from '../../sim/engine/random.ts';

/** The successive issue times of one task, integer ns, non-decreasing. */
export interface Arrivals {
  next(): number;
}

/** The arrival processes by `arrival` parameter value. */
const PROCESSES: Readonly<Record<string, (rate: number, rng: RandomStream) => Arrivals>> = {
  /** Poisson: exponential gaps of mean 1/rate. */
  poisson: (rate, rng) => {
    const meanNs = 1e9 / rate;
    let t = 0;
    return { next: () => Math.round((t += rng.exponential(meanNs))) };
  },
  /** Evenly spaced, 1/rate apart, the first at 1/rate. */
  fixed: (rate) => {
    const gapNs = 1e9 / rate;
    let k = 0;
    return { next: () => Math.round(++k * gapNs) };
  },
};

/** Issue times at `rate` per second under process `kind` (`poisson` or `fixed`), drawn from `rng`. */
export function arrivals(kind: string, rate: number, rng: RandomStream): Arrivals {
  const make = PROCESSES[kind];
  if (!make) throw new Error(`unknown arrival process '${kind}'`);
  return make(rate, rng);
}
