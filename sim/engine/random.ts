/**
 * Seeded pseudo-random streams. Each purpose draws from its own named stream
 * (derived from the run seed and the name), so adding a consumer of random
 * numbers never shifts the numbers another consumer sees.
 */

/**
 * The four sfc32 seed words of stream `name` of run `seed`: a 32-bit string
 * hash (cyrb53 variant folded to four words). @internal exported for tests.
 */
export function seedWords(seed: number, name: string): [number, number, number, number] {
  let h1 = 0xdeadbeef ^ seed, h2 = 0x41c6ce57 ^ seed;
  const s = `${name}#${seed}`;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0, (h1 ^ 0x9e3779b9) >>> 0, (h2 ^ 0x85ebca6b) >>> 0];
}

/**
 * Ziggurat tables for the unit exponential (Marsaglia & Tsang, "The Ziggurat
 * Method for Generating Random Variables", J. Stat. Softw. 5(8), 2000): 256
 * layers of equal area under e^-x, scaled for 53-bit integers. `ke[i]` is the
 * acceptance bound of layer i, `we[i]` its width per integer step, `fe[i]` the
 * density at its edge. Computed once from the paper's recurrence.
 */
const ZIG_R = 7.697117470131487; // right edge of the base layer
const ZIG_V = 3.949659822581572e-3; // area of each layer
const ZIG_M = 2 ** 53;
const zigK = new Float64Array(256);
const zigW = new Float64Array(256);
const zigF = new Float64Array(256);
{
  let de = ZIG_R, te = ZIG_R;
  const q = ZIG_V / Math.exp(-de);
  zigK[0] = (de / q) * ZIG_M;
  zigK[1] = 0;
  zigW[0] = q / ZIG_M;
  zigW[255] = de / ZIG_M;
  zigF[0] = 1;
  zigF[255] = Math.exp(-de);
  for (let i = 254; i >= 1; i--) {
    de = -Math.log(ZIG_V / de + Math.exp(-de));
    zigK[i + 1] = (de / te) * ZIG_M;
    te = de;
    zigF[i] = Math.exp(-de);
    zigW[i] = de / ZIG_M;
  }
}

/** One stream of uniform and derived variates (sfc32 generator). */
export class RandomStream {
  /** sfc32 state a, b, c, d: int32 slots, so updates never box a number. */
  private readonly s = new Int32Array(4);
  private spare = NaN;
  /** sfc32's counter word (s[3], one step a draw) once seeded: {@link draws} counts from it, at no cost to a draw. */
  private readonly counterAtStart: number;

  constructor(seed: number, name: string) {
    const w = seedWords(seed, name);
    for (let i = 0; i < 4; i++) this.s[i] = w[i];
    for (let i = 0; i < 15; i++) this.nextU32();
    this.counterAtStart = this.s[3];
  }

  /** 32-bit words drawn since the stream was made (modulo 2^32): 0 when nothing was drawn from it. */
  get draws(): number {
    return (this.s[3] - this.counterAtStart) >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const a = s[0], b = s[1], c = s[2], d = s[3];
    const t = (((a + b) | 0) + d) | 0;
    s[3] = (d + 1) | 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) | 0;
    s[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  /** A uniform variate in [0, 1) with 53 bits of precision. */
  uniform(): number {
    const hi = this.nextU32() >>> 5, lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * An exponential variate with the given mean (ziggurat: two 32-bit draws
   * and no logarithm in 98.9% of calls; 53-bit resolution; exact tail).
   */
  exponential(mean: number): number {
    const s = this.s;
    for (;;) {
      // nextU32 twice (hi, then lo) with the state in locals between the two steps: the four
      // words loaded and stored once per draw instead of twice; the same numbers
      const a = s[0], b = s[1], c = s[2], d = s[3];
      const hi = (((a + b) | 0) + d) | 0;
      const a1 = b ^ (b >>> 9), b1 = (c + (c << 3)) | 0, c1 = (((c << 21) | (c >>> 11)) + hi) | 0, d1 = (d + 1) | 0;
      const lo = (((a1 + b1) | 0) + d1) | 0;
      s[3] = (d1 + 1) | 0;
      s[0] = b1 ^ (b1 >>> 9);
      s[1] = (c1 + (c1 << 3)) | 0;
      s[2] = (((c1 << 21) | (c1 >>> 11)) + lo) | 0;
      const layer = lo & 0xff;
      const ri = (hi >>> 0) * 2097152 + (lo >>> 11); // 53 random bits, independent of `layer`
      const x = ri * zigW[layer];
      if (ri < zigK[layer]) return mean * x;
      if (layer === 0) return mean * (ZIG_R - Math.log(1 - this.uniform())); // tail beyond R: memoryless
      if ((zigF[layer - 1] - zigF[layer]) * this.uniform() + zigF[layer] < Math.exp(-x)) return mean * x;
    }
  }

  /** A standard normal variate (Box–Muller, pairs cached). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

/** The named streams of one run, all derived from one seed. */
export class RandomStreams {
  private streams = new Map<string, RandomStream>();
  constructor(readonly seed: number) {}

  /**
   * 32-bit words drawn from all the streams so far: 0 when the run drew no random number (every
   * time constant, no random choice), so that every seed gives the same results.
   */
  draws(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.draws;
    return n;
  }

  /** The stream for `name`, created on first use. */
  get(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(this.seed, name);
      this.streams.set(name, s);
    }
    return s;
  }
}
