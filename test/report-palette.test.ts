/**
 * Configuration colours of a 12-configuration sweep (four kernels × three
 * msync intervals), a new user's trial: the percentile chart drew the ninth
 * configuration in the first one's colour. Now every configuration up to
 * sixteen has a colour of its own.
 *
 * The palette is checked with a CIEDE2000 written here from Sharma, Wu and
 * Dalal (2005) and checked against their published test pairs, not with
 * anything of the code under test.
 */
import { describe, expect, it } from 'vitest';
import type { VlSpec } from '../reports/chart.ts';
import { CONFIG_PALETTE } from '../reports/theme.ts';
import { chartNamed, chartsOf, kernelsByInterval } from './report-fixtures.ts';

type Enc = Record<string, { scale?: { domain?: unknown[]; range?: unknown[]; zero?: boolean; type?: string }; legend?: { title?: string } | null; title?: unknown }>;

/** CIELAB (D65) of an sRGB `#rrggbb`. */
function lab(hex: string): [number, number, number] {
  const lin = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = [lin(1), lin(3), lin(5)];
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  const x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047), y = f(0.2126 * r + 0.7152 * g + 0.0722 * b), z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

/** CIEDE2000 colour difference of two CIELAB colours (Sharma, Wu and Dalal 2005). */
function deltaE2000([L1, a1, b1]: number[], [L2, a2, b2]: number[]): number {
  const rad = Math.PI / 180;
  const cBar = (Math.hypot(a1, b1) + Math.hypot(a2, b2)) / 2;
  const g = 0.5 * (1 - Math.sqrt(cBar ** 7 / (cBar ** 7 + 25 ** 7)));
  const a1p = (1 + g) * a1, a2p = (1 + g) * a2;
  const c1 = Math.hypot(a1p, b1), c2 = Math.hypot(a2p, b2);
  const hue = (a: number, b: number) => (a === 0 && b === 0 ? 0 : (Math.atan2(b, a) / rad + 360) % 360);
  const h1 = hue(a1p, b1), h2 = hue(a2p, b2);
  let dh = c1 * c2 === 0 ? 0 : h2 - h1;
  if (dh > 180) dh -= 360;
  else if (dh < -180) dh += 360;
  const dH = 2 * Math.sqrt(c1 * c2) * Math.sin((dh / 2) * rad);
  const lBar = (L1 + L2) / 2, cpBar = (c1 + c2) / 2;
  let hBar = h1 + h2;
  if (c1 * c2 !== 0) hBar = Math.abs(h1 - h2) > 180 ? (h1 + h2 < 360 ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2) : (h1 + h2) / 2;
  const t = 1 - 0.17 * Math.cos((hBar - 30) * rad) + 0.24 * Math.cos(2 * hBar * rad) + 0.32 * Math.cos((3 * hBar + 6) * rad) - 0.2 * Math.cos((4 * hBar - 63) * rad);
  const rc = 2 * Math.sqrt(cpBar ** 7 / (cpBar ** 7 + 25 ** 7));
  const rt = -Math.sin(2 * 30 * Math.exp(-(((hBar - 275) / 25) ** 2)) * rad) * rc;
  const sl = 1 + (0.015 * (lBar - 50) ** 2) / Math.sqrt(20 + (lBar - 50) ** 2), sc = 1 + 0.045 * cpBar, sh = 1 + 0.015 * cpBar * t;
  const [dl, dc, dhh] = [(L2 - L1) / sl, (c2 - c1) / sc, dH / sh];
  return Math.sqrt(dl ** 2 + dc ** 2 + dhh ** 2 + rt * dc * dhh);
}

/** WCAG 2 contrast ratio of `hex` against white. */
function contrastOnWhite(hex: string): number {
  const ch = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 1.05 / (0.2126 * ch(1) + 0.7152 * ch(3) + 0.0722 * ch(5) + 0.05);
}

/** The layer of `spec` whose mark is a plain point (the percentile dots). */
const dotsOf = (spec: VlSpec) => (spec.layer as VlSpec[]).find((l) => (l.mark as { type: string }).type === 'point' && !l.transform)!;

describe('configuration colours', () => {
  it('the CIEDE2000 of this test gives Sharma, Wu and Dalal\'s published differences', () => {
    expect(deltaE2000([50, 2.6772, -79.7751], [50, 0, -82.7485])).toBeCloseTo(2.0425, 4);
    expect(deltaE2000([50, 3.1571, -77.2803], [50, 0, -82.7485])).toBeCloseTo(2.8615, 4);
    expect(deltaE2000([50, 0, 0], [50, -1, 2])).toBeCloseTo(2.3669, 4);
    expect(deltaE2000([50, 2.5, 0], [73, 25, -18])).toBeCloseTo(27.1492, 4);
    expect(deltaE2000([60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387])).toBeCloseTo(1.2644, 4);
    // sRGB red is L* 53.24, a* 80.09, b* 67.20
    lab('#FF0000').forEach((v, i) => expect(v).toBeCloseTo([53.24, 80.09, 67.2][i]!, 1));
  });

  it('sixteen colours, each at least 15 CIEDE2000 from every other; the eight past Okabe & Ito\'s 3:1 on white, not grey, not near black', () => {
    expect(CONFIG_PALETTE).toHaveLength(16);
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < i; j++) expect(deltaE2000(lab(CONFIG_PALETTE[i]!), lab(CONFIG_PALETTE[j]!)), `${CONFIG_PALETTE[i]} vs ${CONFIG_PALETTE[j]}`).toBeGreaterThanOrEqual(15);
    }
    for (const c of CONFIG_PALETTE.slice(8)) {
      const [L, a, b] = lab(c);
      expect(contrastOnWhite(c), c).toBeGreaterThanOrEqual(3);
      expect(Math.hypot(a, b), `${c}: chroma`).toBeGreaterThanOrEqual(25);
      expect(L, `${c}: L*`).toBeGreaterThanOrEqual(38);
    }
  });

  it('latency-percentiles of 12 configurations of 4 kernels: each kernel\'s colour, its 3 intervals 3 shapes, and no note that looks repeat', async () => {
    const spec = chartNamed(await chartsOf(kernelsByInterval()), 'latency-percentiles').spec(200, 150);
    const { color, shape } = dotsOf(spec).encoding as Enc;
    expect(color.scale!.domain).toHaveLength(12);
    // grid order: freebsd, linux, xnu, mach, three intervals each (reports/README.md's table of kernel colours)
    expect(color.scale!.range).toEqual(['#0072B2', '#D55E00', '#009E73', '#CC79A7'].flatMap((c) => [c, c, c]));
    // within a kernel by increasing interval: circle, triangle, cross
    expect(shape.scale!.range).toEqual(Array(4).fill(['circle', 'triangle-up', 'cross']).flat());
    expect(JSON.stringify(spec.title ?? '')).not.toMatch(/distinct looks|look like/);
  });

  it('a sweep line per kernel of the 12: four colours, none shared', async () => {
    const spec = chartNamed(await chartsOf(kernelsByInterval()), 'sweep-p99-vs-sync-interval-us').spec(200, 150);
    const range = ((spec.encoding as Enc).color.scale!.range as string[]);
    expect(range).toHaveLength(4);
    expect(new Set(range).size).toBe(4);
  });
});
