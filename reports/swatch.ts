/**
 * index.html's swatch of a configuration: its look in the charts (theme.ts
 * `configStyle`: colour, point shape, line dash) as a small inline SVG, a
 * stretch of line in the colour and dash with the point shape on it, so that
 * the swatch of configuration i is what its series is drawn with (until
 * 2026-12-05 a plain colour square, which repeated after eight
 * configurations).
 */
import * as vega from 'vega';
import type { ConfigStyle } from './theme.ts';

/** What a swatch shows: a configuration's colour, point shape and line dash. */
export type SwatchLook = Pick<ConfigStyle, 'color' | 'shape' | 'dash'>;

/** Width and height (CSS px) of a swatch: long enough for two periods of the longest dash. */
export const SWATCH_SIZE = { width: 30, height: 12 } as const;

/** Area (px²) of the point shape on a swatch, as vega sizes symbols (the dots of latency-percentiles at 2x are 64). */
const SYMBOL_AREA = 42;

/** Stroke width (px) of a swatch's line. */
const LINE_WIDTH = 1.5;

/** A number for an SVG attribute: at most two decimals, no trailing zeros. */
function num(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** The drawing calls vega's symbol shapes make (a subset of CanvasRenderingContext2D). */
interface PathContext {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  rect(x: number, y: number, w: number, h: number): void;
  arc(x: number, y: number, r: number, start: number, end: number): void;
  closePath(): void;
}

/** vega's symbol shapes (vega-scenegraph's `pathSymbols`, which vega's typings leave out). */
const pathSymbols = (vega as unknown as { pathSymbols(shape: string): { draw(context: PathContext, size: number): void } }).pathSymbols;

/**
 * The SVG path of vega's point shape `shape` of area `area` px² centred at
 * (cx, cy), drawn by vega's own symbol code, so that a swatch's shape is the
 * charts' shape (circle, square, diamond, cross, the four triangles, ...).
 */
export function symbolPath(shape: string, area: number, cx: number, cy: number): string {
  const d: string[] = [];
  const at = (x: number, y: number) => `${num(cx + x)},${num(cy + y)}`;
  pathSymbols(shape).draw({
    moveTo: (x, y) => d.push(`M${at(x, y)}`),
    lineTo: (x, y) => d.push(`L${at(x, y)}`),
    rect: (x, y, w, h) => d.push(`M${at(x, y)}L${at(x + w, y)}L${at(x + w, y + h)}L${at(x, y + h)}Z`),
    // the shapes draw whole circles only (from the moveTo at angle 0): two half arcs
    arc: (x, y, r) => d.push(`A${num(r)},${num(r)} 0 1,1 ${at(x - r, y)}A${num(r)},${num(r)} 0 1,1 ${at(x + r, y)}`),
    closePath: () => d.push('Z'),
  }, area);
  return d.join('');
}

/**
 * The inline SVG of a swatch: a line across it in `look`'s colour and dash
 * (none when solid) with its point shape, filled, in the middle. The shape and
 * dash are named in its `aria-label`.
 */
export function swatchSvg(look: SwatchLook): string {
  const { width: w, height: h } = SWATCH_SIZE;
  const solid = look.dash.length === 0 || look.dash.every((d, i) => (i % 2 === 1 ? d === 0 : true));
  const dash = solid ? '' : ` stroke-dasharray="${look.dash.map(num).join(' ')}"`;
  return `<svg class="swatch" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${look.shape}, ${solid ? 'solid' : 'dashed'} line">`
    + `<line x1="0" y1="${h / 2}" x2="${w}" y2="${h / 2}" stroke="${look.color}" stroke-width="${LINE_WIDTH}"${dash}/>`
    + `<path d="${symbolPath(look.shape, SYMBOL_AREA, w / 2, h / 2)}" fill="${look.color}"/></svg>`;
}
