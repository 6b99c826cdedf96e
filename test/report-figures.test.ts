/**
 * A paper reviewer's findings on a sweep's figures, each checked on the
 * Vega-Lite spec: no faint yellow in the palette (contrast on white worked
 * out here from WCAG 2's definition, not taken from the code).
 */
import { describe, expect, it } from 'vitest';
import { CONFIG_PALETTE } from '../reports/theme.ts';

/** WCAG 2 contrast ratio of `hex` (#rrggbb) against white. */
function contrastOnWhite(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 1.05 / (0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5) + 0.05);
}

/** Hue (degrees) and saturation (HSL, 0 to 1) of `hex`. */
function hueOf(hex: string): { hue: number; sat: number } {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const max = Math.max(r, g, b), min = Math.min(r, g, b), d = max - min;
  if (d === 0) return { hue: 0, sat: 0 };
  const l = (max + min) / 2;
  const sat = d / (1 - Math.abs(2 * l - 1));
  const hue = max === r ? 60 * (((g - b) / d) % 6) : max === g ? 60 * ((b - r) / d + 2) : 60 * ((r - g) / d + 4);
  return { hue: (hue + 360) % 360, sat };
}

describe('the configuration palette', () => {
  it('the contrast helper of this test gives the known WCAG values', () => {
    expect(contrastOnWhite('#000000')).toBeCloseTo(21, 5);
    expect(contrastOnWhite('#767676')).toBeCloseTo(4.54, 2);
    // Okabe & Ito's yellow, which the palette used to end with
    expect(contrastOnWhite('#F0E442')).toBeLessThan(1.5);
    expect(hueOf('#F0E442').hue).toBeGreaterThan(50);
    expect(hueOf('#F0E442').hue).toBeLessThan(60);
  });

  it('has no yellow fainter than 3:1 on white, and still eight distinct colours', () => {
    expect(CONFIG_PALETTE).toHaveLength(8);
    expect(new Set(CONFIG_PALETTE.map((c) => c.toLowerCase())).size).toBe(8);
    for (const c of CONFIG_PALETTE) {
      const { hue, sat } = hueOf(c);
      const yellow = sat > 0.3 && hue >= 45 && hue <= 75;
      if (yellow) expect(contrastOnWhite(c), c).toBeGreaterThanOrEqual(3);
    }
    expect(CONFIG_PALETTE).not.toContain('#F0E442');
    // the colour in its place (configurations 8, 16, ...) stands out on white
    expect(contrastOnWhite(CONFIG_PALETTE[7])).toBeGreaterThanOrEqual(3);
  });
});
