/**
 * Page popularity: which page of a region a write goes to, uniform or Zipf(θ).
 */
import type { RandomStream } from '../../sim/engine/random.ts';

/**
 * Zipf(θ) ranks 1..n, P(k) ∝ k^−θ, for θ ≥ 0, by rejection-inversion (W. Hörmann and
 * G. Derflinger, "Rejection-inversion to generate variates from monotone discrete
 * distributions", ACM TOMACS 6(3), 1996; the form used by Apache Commons): O(1) expected time
 * per draw, no table.
 */
export class ZipfSampler {
  private readonly hX1: number;
  private readonly hN: number;
  private readonly s: number;

  constructor(readonly n: number, readonly theta: number) {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`Zipf needs n >= 1, got ${n}`);
    if (!(theta >= 0)) throw new RangeError(`Zipf needs theta >= 0, got ${theta}`);
    this.hX1 = this.hIntegral(1.5) - 1;
    this.hN = this.hIntegral(n + 0.5);
    this.s = 2 - this.hIntegralInverse(this.hIntegral(2.5) - this.h(2));
  }

  /** One rank in [1, n]. */
  sample(rng: RandomStream): number {
    for (;;) {
      const u = this.hN + rng.uniform() * (this.hX1 - this.hN);
      const x = this.hIntegralInverse(u);
      let k = Math.floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.s || u >= this.hIntegral(k + 0.5) - this.h(k)) return k;
    }
  }

  /** H(x) = (x^(1−θ) − 1) / (1 − θ), log x when θ = 1. */
  private hIntegral(x: number): number {
    const logX = Math.log(x);
    return helper2((1 - this.theta) * logX) * logX;
  }

  /** h(x) = x^−θ. */
  private h(x: number): number {
    return Math.exp(-this.theta * Math.log(x));
  }

  private hIntegralInverse(x: number): number {
    let t = x * (1 - this.theta);
    if (t < -1) t = -1;
    return Math.exp(helper1(t) * x);
  }
}

/** log(1 + x) / x, accurate near 0. */
function helper1(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - 0.25 * x));
}

/** (e^x − 1) / x, accurate near 0. */
function helper2(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + (x / 3) * (1 + 0.25 * x));
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** (a · b) mod n without losing precision, for a, b < n < 2^32. */
function mulmod(a: number, b: number, n: number): number {
  const hi = Math.floor(b / 65536), lo = b % 65536;
  return (((a * hi) % n) * 65536 + a * lo) % n;
}

/** Draws page indexes in [0, n). */
export interface PagePicker {
  next(): number;
}

/** Uniform pages of [0, n). */
export function uniformPages(n: number, rng: RandomStream): PagePicker {
  return { next: () => rng.int(n) };
}

/**
 * Zipf(θ) pages of [0, n): rank k (1 = hottest) is page (offset + (k − 1)·stride) mod n, with
 * a stride near n/φ coprime to n and an offset drawn from `rng`, so hot pages are spread over the
 * region instead of packed at its start. n must be below 2^32.
 */
export function zipfPages(n: number, theta: number, rng: RandomStream): PagePicker {
  if (n >= 2 ** 32) throw new RangeError(`zipfPages needs n < 2^32, got ${n}`);
  const zipf = new ZipfSampler(n, theta);
  let stride = Math.max(1, Math.round(n * 0.6180339887498949));
  while (gcd(stride, n) !== 1) stride++;
  stride %= n;
  const offset = rng.int(n);
  return { next: () => (offset + mulmod(zipf.sample(rng) - 1, stride, n)) % n };
}

/** Page pickers by `dist` parameter value. */
export const PAGE_DISTRIBUTIONS: Readonly<Record<string, (n: number, theta: number, rng: RandomStream) => PagePicker>> = {
  uniform: (n, _theta, rng) => uniformPages(n, rng),
  zipf: zipfPages,
};
