/**
 * Device service-time distributions: a draw in microseconds from the
 * configured `device.service`.
 */
import type { ServiceDist } from './profiles.ts';
import type { RandomStream } from '../engine/random.ts';

/** Draws one service time (µs, before the per-page part). */
export type ServiceSampler = () => number;

/** Mean of a distribution in µs (used by analytic checks and reports). */
export function serviceMean(d: ServiceDist): number {
  switch (d.dist) {
    case 'constant':
    case 'exponential':
    case 'lognormal':
      return d.mean_us;
    case 'uniform':
      return (d.min_us + d.max_us) / 2;
    case 'empirical': {
      const s = d.samples_us ?? [];
      return s.reduce((a, b) => a + b, 0) / s.length;
    }
  }
}

/** A sampler for `d` drawing from `rng`. Empirical samples must already be loaded into `samples_us`. */
export function makeSampler(d: ServiceDist, rng: RandomStream): ServiceSampler {
  switch (d.dist) {
    case 'constant': {
      const m = d.mean_us;
      return () => m;
    }
    case 'exponential': {
      const m = d.mean_us;
      return () => rng.exponential(m);
    }
    case 'uniform': {
      const lo = d.min_us, span = d.max_us - d.min_us;
      return () => lo + rng.uniform() * span;
    }
    case 'lognormal':
      // floor 0: the plain lognormal (the same draws, bit for bit: the floor's share is an exact 0)
      return shiftedLognormal(d.mean_us, d.cv, d.floor ?? 0, rng);
    case 'empirical': {
      const s = Float64Array.from(d.samples_us ?? []);
      if (s.length === 0) throw new Error('empirical service distribution has no samples');
      return () => s[rng.int(s.length)];
    }
  }
}

/**
 * A draw from a distribution given by its quantiles `q` at (i + ½) / n
 * (ascending): a uniform u, interpolated linearly between the two quantiles
 * around it; below the first point or above the last, that point.
 */
export function quantileSampler(q: readonly number[], rng: RandomStream): ServiceSampler {
  const pts = Float64Array.from(q);
  const n = pts.length;
  if (n === 0) throw new Error('a quantile table needs at least one point');
  if (n === 1) return () => pts[0]!;
  return () => {
    const x = rng.uniform() * n - 0.5;
    if (x <= 0) return pts[0]!;
    if (x >= n - 1) return pts[n - 1]!;
    const i = Math.floor(x), f = x - i;
    return pts[i]! + f * (pts[i + 1]! - pts[i]!);
  };
}

/**
 * A lognormal above a floor: `floor × mean` that never varies plus a
 * lognormal carrying the rest of the mean, so that the draw has mean `mean`
 * and cv `cv` whatever the floor (0: the plain lognormal). With the same mean and cv, a higher floor
 * gives a tighter body and a longer right tail (docs/configuration.md, "A tight body and a
 * long tail").
 */
export function shiftedLognormal(mean: number, cv: number, floor: number, rng: RandomStream): ServiceSampler {
  const { base, mu, sigma } = shiftedLognormalShape(mean, cv, floor);
  return () => base + Math.exp(mu + sigma * rng.normal());
}

/**
 * The draw of {@link shiftedLognormal} as base + e^(μ + σZ), Z standard normal: `base` = floor ×
 * mean, and the lognormal above it that carries the rest of the mean and the cv.
 */
export function shiftedLognormalShape(mean: number, cv: number, floor: number): { base: number; mu: number; sigma: number } {
  const rest = mean * (1 - floor), base = mean * floor;
  const restCv = cv / (1 - floor);
  const sigma2 = Math.log(1 + restCv * restCv);
  return { base, mu: Math.log(rest) - sigma2 / 2, sigma: Math.sqrt(sigma2) };
}
