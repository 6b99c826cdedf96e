/**
 * The look of every chart: figure sizes, one font family at readable sizes,
 * a colour-blind-safe palette, and the Vega-Lite `config` that applies them.
 *
 * `paper` is for LaTeX: 1 px of a spec is 1 pt of the PDF, a single column is
 * 3.3 in (238 pt) wide and a double column 7 in (504 pt), text is 8–9 pt.
 * `screen` is for the browser: wider figures, 11–12 px text.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Theme names accepted by `--theme`. */
export const THEME_NAMES = ['paper', 'screen'] as const;
/** A theme name. */
export type ThemeName = (typeof THEME_NAMES)[number];

/** Sizes and colours shared by every chart of a report. */
export interface Theme {
  name: ThemeName;
  /** Total figure width (px = pt) of `--width single` and `--width double`. */
  widths: { single: number; double: number };
  /** The width used when `--width` is not given. */
  defaultWidth: 'single' | 'double';
  /** Font sizes (px = pt): tick and legend labels, axis and legend titles, figure titles. */
  fontSize: { label: number; title: number; heading: number };
  /** Stroke width of data lines. */
  lineWidth: number;
  /** Area of a plotted point (px²). */
  pointSize: number;
  /** Space around a figure (px). */
  padding: number;
  /** Scale of the PNG files (2 = twice the SVG's pixel size). */
  pngScale: number;
  /** Scale at which index.html shows the charts. */
  htmlScale: number;
  /** The tallest a figure may be (px = pt): a page's text, less room for its caption; a timeline of more configurations is split. */
  maxFigureHeight: number;
}

/** The themes. */
export const THEMES: Record<ThemeName, Theme> = {
  paper: {
    name: 'paper',
    widths: { single: 238, double: 504 },
    defaultWidth: 'single',
    fontSize: { label: 8, title: 9, heading: 9 },
    lineWidth: 1.25,
    pointSize: 16,
    padding: 2,
    pngScale: 2,
    htmlScale: 2,
    // a letter or A4 page's text is about 9 in (648 pt) tall
    maxFigureHeight: 560,
  },
  screen: {
    name: 'screen',
    widths: { single: 500, double: 1000 },
    defaultWidth: 'single',
    fontSize: { label: 11, title: 12, heading: 13 },
    lineWidth: 2,
    pointSize: 30,
    padding: 6,
    pngScale: 2,
    htmlScale: 1,
    maxFigureHeight: 900,
  },
};

/** The one font family of every chart, first in the CSS font stack written into specs and SVGs. */
export const FONT_FAMILY = 'Source Sans 3';
/** The CSS font stack of the specs: the embedded family first, then common fallbacks. */
export const FONT_STACK = `'${FONT_FAMILY}', 'Source Sans Pro', Helvetica, Arial, sans-serif`;

const require = createRequire(import.meta.url);
/** Directory of the `source-sans` package (Adobe's Source Sans 3, SIL Open Font License). */
function fontPackageDir(): string {
  return dirname(require.resolve('source-sans/package.json'));
}

/** TrueType files of the font family (regular and bold), for text measurement, PNG and PDF. */
export function fontFiles(): { regular: string; bold: string } {
  const d = fontPackageDir();
  return { regular: join(d, 'TTF', 'SourceSans3-Regular.ttf'), bold: join(d, 'TTF', 'SourceSans3-Bold.ttf') };
}

/** WOFF2 files of the font family, embedded in index.html. */
export function webFontFiles(): { regular: string; bold: string } {
  const d = fontPackageDir();
  return { regular: join(d, 'WOFF2', 'TTF', 'SourceSans3-Regular.ttf.woff2'), bold: join(d, 'WOFF2', 'TTF', 'SourceSans3-Bold.ttf.woff2') };
}

/**
 * The configuration colours: sixteen, so that up to sixteen configurations
 * (4 kernels × 3 sync intervals) each have a colour of their own. The first
 * eight are Okabe & Ito's colour-blind-safe palette, ordered for lines on
 * white, with its yellow (#F0E442, 1.3:1 against white: a thin line of it all
 * but vanished) replaced by Paul Tol's wine (#882255, 8.7:1), from his muted
 * colour-blind-safe palette: a hue none of the other seven has, and at least
 * 23 CIELAB ΔE from each of them in normal vision and in simulated
 * protanopia, deuteranopia and tritanopia (Machado et al. 2009). The other
 * eight, for configurations 9 to 16, are Tol's dark olive (#666633), olive
 * (#999933), green (#117733) and purple (#AA4499), Kelly's violet (#604E97)
 * and red (#BE0032), d3's brown (#8C564B) and Tableau 10's red (#E45756),
 * picked so that each of the sixteen is at least 15 CIEDE2000 from every
 * other (Tableau 20, which Vega offers, has pairs 9 apart), at least 3:1
 * against white and no darker than L* 38 (an indigo of L* 22 read as black
 * on a thin line); none is grey (the writeback causes' shades), and they come
 * in the order that keeps each furthest from the colours before it (the
 * ninth to twelfth 20 or more from each colour before them). They are not
 * colour-blind-safe as the first eight are, so configurations 9 and on also
 * have a point shape and line dash of their own (`configStyle`).
 * Configuration i of a report gets colour i mod 16.
 */
export const CONFIG_PALETTE = [
  '#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#882255',
  '#666633', '#604E97', '#999933', '#8C564B', '#E45756', '#117733', '#BE0032', '#AA4499',
];

/**
 * Writeback causes in stacking order, with their shades: greys for the data
 * pages (print-safe and never a configuration's colour), browns for the
 * filesystem's own blocks (journal, metadata; absent when `fs.kind` is none).
 */
export const CAUSES = [
  { cause: 'msync', color: '#3b3b3b' },
  { cause: 'syncer', color: '#8f8f8f' },
  { cause: 'pageout', color: '#d0d0d0' },
  { cause: 'journal', color: '#b5651d' },
  { cause: 'metadata', color: '#e3b778' },
] as const;

/** Shapes that mark latency percentiles. */
export const PERCENTILE_MARKS = [
  { key: 'p50', label: 'p50', q: 0.5, shape: 'circle' },
  { key: 'p99', label: 'p99', q: 0.99, shape: 'square' },
  { key: 'p999', label: 'p99.9', q: 0.999, shape: 'triangle-up' },
] as const;

/** Configuration label → colour, and the style number (`configStyle`) each is drawn with: the same in every chart. */
export interface ConfigScale {
  domain: string[];
  range: string[];
  styles: number[];
  /**
   * Set when the configurations are of several kernels but coloured by their place, not their kernel
   * (kernel-looks.ts `kernelLooksRefused`): the words every figure that colours them says so in (`colourNote`).
   */
  byPlace?: string;
}

/**
 * A colour scale that gives every configuration label the same colour in every chart: label i the look of style
 * number `styles[i]` (default i, its place; kernel-looks.ts gives a kernel's colour).
 */
export function configColorScale(labels: readonly string[], styles: readonly number[] = labels.map((_, i) => i)): ConfigScale {
  return { domain: [...labels], range: styles.map((n) => configStyle(n).color), styles: [...styles] };
}

/** The Vega-Lite colour scale of `s`: its domain and range (a spec with any other property of it is invalid). */
export function vegaColorScale(s: ConfigScale): { domain: string[]; range: string[] } {
  return { domain: s.domain, range: s.range };
}

/**
 * Point shapes of the configurations beyond the first eight: configuration i
 * has shape ⌊i / 8⌋ mod 8 (the first eight are circles), so that the ninth is
 * a square as well as a colour of its own (the first eight colours alone are
 * colour-blind-safe), and the seventeenth, which has the first one's colour, is
 * a triangle beside its circle.
 */
export const CONFIG_SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-right', 'triangle-left'] as const;

/** Stroke dashes that go with CONFIG_SHAPES (solid for the first eight configurations). */
export const CONFIG_DASHES: readonly (readonly number[])[] = [[1, 0], [5, 2], [1.5, 1.5], [6, 2, 1.5, 2], [3, 3], [8, 2, 2, 2, 2, 2], [10, 3], [2, 4]];

/** How many configurations in a row share a point shape and line dash (the first eight: circles, solid lines). */
export const SHAPE_RUN = 8;

/**
 * How many configurations get a look of their own: colour i mod 16 with shape
 * and dash ⌊i / 8⌋ mod 8 is the same look again after 64 configurations
 * (configuration i + 64 looks like configuration i), and no two of the first
 * 64 look alike (two of one shape are fewer than eight apart, so of different
 * colours). Beyond it looks repeat rather than growing into shades and shapes
 * no reader tells apart: a chart of more series says so in its figure note
 * (series.ts `repeatedLooksNote`), index.html under its table.
 */
export const DISTINCT_STYLES = SHAPE_RUN * CONFIG_SHAPES.length;

/** How configuration number `i` of a report is drawn: its colour, and for i ≥ 8 a point shape and line dash besides. */
export interface ConfigStyle {
  color: string;
  shape: string;
  dash: number[];
  /** 0 for the first eight configurations (circles, solid lines), then 1, 2, ... for each further eight. */
  variant: number;
}

/**
 * The look of configuration number `i`: colour i mod 16, shape and dash
 * ⌊i / 8⌋ mod 8, so configuration i + DISTINCT_STYLES looks like configuration
 * i. Charts draw configuration series with it and index.html's swatches show it.
 */
export function configStyle(i: number): ConfigStyle {
  const variant = Math.floor(i / SHAPE_RUN) % CONFIG_SHAPES.length;
  return { color: CONFIG_PALETTE[i % CONFIG_PALETTE.length], shape: CONFIG_SHAPES[variant], dash: [...CONFIG_DASHES[variant]], variant };
}

/**
 * The figure width for `--width`: `single`, `double`, or a number of px (pt
 * in the PDF). Returns undefined when `text` is none of them.
 */
export function resolveWidth(theme: Theme, text: string | undefined): number | undefined {
  const w = text ?? theme.defaultWidth;
  if (w === 'single' || w === 'double') return theme.widths[w];
  if (!/^\d+$/.test(w)) return undefined;
  const px = Number(w);
  return px >= MIN_WIDTH && px <= MAX_WIDTH ? px : undefined;
}

/** Narrowest and widest `--width PX`. */
export const MIN_WIDTH = 150;
export const MAX_WIDTH = 4000;

/** The Vega-Lite `config` of a theme. */
export function vegaLiteConfig(t: Theme): Record<string, unknown> {
  const { label, title, heading } = t.fontSize;
  const ink = '#222222';
  return {
    font: FONT_STACK,
    background: 'white',
    padding: t.padding,
    view: { stroke: null },
    axis: {
      labelFontSize: label,
      titleFontSize: title,
      titleFontWeight: 'normal',
      labelColor: ink,
      titleColor: ink,
      domainColor: '#555555',
      tickColor: '#555555',
      gridColor: '#e4e4e4',
      gridWidth: 0.5,
      domainWidth: 0.75,
      tickWidth: 0.75,
      tickSize: Math.round(label * 0.4),
      labelPadding: 2,
      titlePadding: Math.round(label * 0.4),
      labelFlush: true,
      labelOverlap: true,
    },
    legend: {
      orient: 'top',
      direction: 'horizontal',
      labelFontSize: label,
      titleFontSize: label,
      titleFontWeight: 'normal',
      labelColor: ink,
      titleColor: ink,
      symbolSize: t.pointSize * 2,
      symbolStrokeWidth: t.lineWidth,
      padding: 0,
      offset: Math.round(label * 0.5),
      rowPadding: 1,
      columnPadding: Math.round(label * 0.75),
      labelLimit: 0,
      titleLimit: 0,
      // every entry listed (vega stops at 30 with '…N entries'): figureHeight makes room for them all
      symbolLimit: 0,
      titleOrient: 'left',
      titlePadding: Math.round(label * 0.5),
    },
    header: { labelFontSize: label, titleFontSize: title, labelColor: ink, titleColor: ink },
    title: { fontSize: heading, fontWeight: 'normal', anchor: 'start', color: ink },
    text: { fontSize: label, color: ink },
    line: { strokeWidth: t.lineWidth },
    point: { size: t.pointSize, strokeWidth: t.lineWidth },
    rule: { strokeWidth: t.lineWidth * 0.75 },
    bar: { stroke: 'white', strokeWidth: 0.5 },
    errorbar: { thickness: t.lineWidth * 0.75 },
    range: { category: CONFIG_PALETTE },
  };
}
