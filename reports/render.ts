/**
 * Rendering of Vega-Lite specs without a browser: SVG from vega's headless
 * string renderer, PNG from the SVG through resvg, vector PDF through pdfkit
 * and svg-to-pdfkit, all with the report's embedded font.
 *
 * Figures are laid out to an exact total size: a chart's plot cells are
 * resized until axes, legends and titles fit the requested width and height,
 * and the last fraction of a pixel goes into the right and bottom padding.
 */
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import PDFDocument from 'pdfkit';
import { create as openFont, type Font } from 'fontkit';
import { readFileSync } from 'node:fs';
import SVGtoPDF from 'svg-to-pdfkit';
import { fitLegendLabels, type Chart, type VlSpec } from './chart.ts';
import { noteCutLabels } from './cut-labels.ts';
import { isBold, textWidth } from './fonts.ts';
import { FONT_FAMILY, fontFiles } from './theme.ts';

interface TextItem {
  fontSize?: number | string;
  fontWeight?: unknown;
  limit?: number;
}

let metricsInstalled = false;

/** Makes vega measure text with the report's font instead of its 0.8 em-per-character estimate. */
function installTextMetrics(): void {
  if (metricsInstalled) return;
  metricsInstalled = true;
  const tm = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics;
  tm.width = (item, text) => {
    const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
    const s = text == null ? '' : String(text).trim();
    if (size <= 0 || !s) return 0;
    const w = textWidth(s, size, isBold(item.fontWeight));
    // vega truncates text longer than `limit` to about the limit
    return item.limit && item.limit > 0 ? Math.min(w, item.limit) : w;
  };
}

/** A rendered SVG and what rendering it reported. */
export interface SvgResult {
  svg: string;
  width: number;
  height: number;
  /** Warnings of vega-lite's compiler and vega's runtime. */
  warnings: string[];
}

/** Compiles a Vega-Lite spec and renders it to an SVG string. */
export async function vlToSvg(spec: VlSpec): Promise<SvgResult> {
  installTextMetrics();
  const warnings: string[] = [];
  const logger = {
    level(): number { return 0; },
    error(...a: unknown[]) { warnings.push(a.map(String).join(' ')); return this; },
    warn(...a: unknown[]) { warnings.push(a.map(String).join(' ')); return this; },
    info() { return this; },
    debug() { return this; },
  };
  const vg = compile(spec as never, { logger: logger as never }).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none', logLevel: vega.Warn, logger: logger as never });
  vega.resetSVGDefIds();
  try {
    // characters XML does not allow (a control character in a run's or a file's name) are written as escapes, as the terminal shows them
    const svg = (await view.toSVG()).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    const m = /^<svg[^>]*\swidth="([\d.]+)" height="([\d.]+)"/.exec(svg);
    if (!m) throw new Error('vega produced an SVG without a size');
    return { svg, width: Number(m[1]), height: Number(m[2]), warnings: [...new Set(warnings)] };
  } finally {
    view.finalize();
  }
}

/** The start of an SVG as vega's string renderer writes it: its size, its view box and the white background over the whole of it. */
const SVG_HEAD = /^<svg([^>]*?) width="[\d.]+" height="[\d.]+" viewBox="0 0 [\d.]+ [\d.]+"><rect width="[\d.]+" height="[\d.]+" fill="white"\/>/;

/**
 * `svg` (vega's) made `width` × `height` px by its right and bottom edges: what vega draws
 * when only the right and bottom padding grow, since everything is placed from the top left.
 * Undefined when `svg` does not start as vega's do. test/render-pad.test.ts compares the two.
 */
export function padSvg(svg: string, width: number, height: number): string | undefined {
  const w = +width.toFixed(10), h = +height.toFixed(10);
  if (!SVG_HEAD.test(svg)) return undefined;
  return svg.replace(SVG_HEAD, (_m, attrs: string) => `<svg${attrs} width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><rect width="${w}" height="${h}" fill="white"/>`);
}

/** A chart laid out to its final size. */
export interface LaidOut extends SvgResult {
  /** The final Vega-Lite spec (what NAME.vl.json holds). */
  spec: VlSpec;
  /** Renders it took. */
  passes: number;
}

/**
 * Lays `chart` out to a total of `width` × chart.height(width) px (with
 * chart.cellHeight, × the height its content takes with cells that tall): starts
 * from a guess of the plot cells' size, corrects it by what the axes and
 * legends took (a few passes), then pads the remainder on the right and bottom.
 * Vega rounds some cells to whole pixels (a facet's), so the total of many
 * cells moves in steps of a pixel a cell: when the passes straddle the size,
 * the cells are shrunk a whole pixel at a time until the figure fits, and a
 * remainder of a pixel a cell or more is given back to the cells.
 */
export async function layoutChart(chart: Chart, width: number, padding: number): Promise<LaidOut> {
  // cells of a height of their own: the figure as tall as they make it, to the next whole px (set by each pass)
  const own = chart.cellHeight?.(width);
  let height = Math.round(chart.height(width));
  let cw = Math.max(20, (width - 60) / chart.cells.x);
  let ch = own ?? Math.max(20, (height - 50) / chart.cells.y);
  let passes = 0;
  // a figure whose width does not follow its cells' (a note under the plot wider than it bounds the figure): the
  // cells are widened in steps doubling each pass while it grows by less than half as much (a timeline whose note
  // wrapped to three full lines took 10 passes, the cells widened 6 px each), then corrected as usual
  let before: { width: number; cw: number } | undefined, boost = 1;
  // the closest pass that fitted: sizes that alternate between a hair too big and 2 px too small settle on it
  let fitted: { spec: VlSpec; r: SvgResult; dw: number; dh: number; cw: number; ch: number } | undefined;
  // `r`: the render of `spec` (padding on every side): the padded figure is that SVG made wider and taller ({@link padSvg}),
  // not drawn again (a render in three or four of every figure's); drawn again only if its SVG does not start as vega's do
  const pad = async (spec: VlSpec, r: SvgResult, dw: number, dh: number) => {
    const padded = { ...spec, padding: { left: padding, top: padding, right: padding + dw, bottom: padding + dh } };
    const svg = padSvg(r.svg, r.width + dw, r.height + dh);
    if (svg !== undefined) return { ...r, svg, width: r.width + dw, height: r.height + dh, spec: padded, passes };
    const r2 = await vlToSvg(padded);
    return { ...r2, spec: padded, passes: passes + 1 };
  };
  // legend labels no wider than the plot (and a legend beside it, which one above may reach over): a long configuration
  // label ends in an ellipsis instead of squeezing the plot,
  // and the note gives it in full, the figure taller by the lines that takes (`grown`, of the spec last made)
  let grown = 0;
  const specAt = (w: number, h: number): VlSpec => {
    const raw = chart.spec(Math.round(w * 10) / 10, Math.round(h * 10) / 10);
    const fitted = fitLegendLabels(raw, w + (chart.besidePlot ?? 0), (raw.config as { legend?: { labelFontSize?: number } } | undefined)?.legend?.labelFontSize ?? 8);
    const noted = noteCutLabels(fitted, raw.title, width, padding);
    grown = own === undefined ? noted.extra : 0;
    return noted.spec;
  };
  // the figure's height: the chart's, and the lines its note grew by (cells of their own height: as tall as they make it)
  const target = () => height + grown;
  // a fitted pass that leaves a pixel a cell or more: those pixels given to the cells, if the figure still fits
  const tightened = async (f: { spec: VlSpec; r: SvgResult; dw: number; dh: number; cw: number; ch: number }) => {
    const gw = Math.floor(f.dw / chart.cells.x), gh = Math.floor(f.dh / chart.cells.y);
    if (gw > 0 || gh > 0) {
      const spec2 = specAt(f.cw + gw, f.ch + gh);
      const r2 = await vlToSvg(spec2);
      passes++;
      const dw2 = width - r2.width, dh2 = target() - r2.height;
      if (dw2 >= 0 && dh2 >= 0 && dw2 + dh2 < f.dw + f.dh) return dw2 === 0 && dh2 === 0 ? { ...r2, spec: spec2, passes } : pad(spec2, r2, dw2, dh2);
    }
    return pad(f.spec, f.r, f.dw, f.dh);
  };
  for (;;) {
    const spec = specAt(cw, ch);
    const r = await vlToSvg(spec);
    passes++;
    if (own !== undefined) height = Math.ceil(r.height - 0.05);
    const dw = width - r.width, dh = target() - r.height;
    if (dw >= 0 && dh >= 0 && (!fitted || dw + dh < fitted.dw + fitted.dh)) fitted = { spec, r, dw, dh, cw, ch };
    if ((dw >= 0 && dh >= 0 && dw < 2 && dh < 2) || passes >= 8) {
      if (dw < 0 || dh < 0) {
        if (fitted) return tightened(fitted);
        // up to a pixel over (vega's half-pixel rounding): taken from the padding
        if (dw > -1 && dh > -1 && padding + Math.min(dw, dh) >= 0) return pad(spec, r, dw, dh);
        // many cells whose sizes vega rounds to whole pixels move the total in steps of a pixel a cell, so the
        // passes above can straddle the size: smaller cells, a pixel at a time in each dimension over, until they fit
        for (let shrink = 1; shrink <= 4; shrink++) {
          const cw2 = dw < 0 ? cw - shrink : cw, ch2 = dh < 0 ? ch - shrink : ch;
          if (cw2 < 10 || ch2 < 10) break;
          const spec2 = specAt(cw2, ch2);
          const r2 = await vlToSvg(spec2);
          passes++;
          const dw2 = width - r2.width, dh2 = target() - r2.height;
          if (dw2 >= 0 && dh2 >= 0) return pad(spec2, r2, dw2, dh2);
        }
        // legends or labels wider than the figure: keep the smallest plot and say so
        r.warnings.push(`does not fit ${width}×${target()} px: its legends and labels need ${r.width}×${r.height}`);
        return { ...r, spec, passes };
      }
      if (dw === 0 && dh === 0) return { ...r, spec, passes };
      return tightened({ spec, r, dw, dh, cw, ch });
    }
    boost = dw > 0 && before !== undefined && r.width - before.width < ((cw - before.cw) * chart.cells.x) / 2 ? boost * 2 : 1;
    before = { width: r.width, cw };
    // overshoot by a hair so that the remainder is positive padding
    cw = Math.max(10, cw + (boost * (dw - 0.5)) / chart.cells.x);
    if (own === undefined) ch = Math.max(10, ch + (dh - 0.5) / chart.cells.y);
  }
}

/** The SVG rasterised at `scale` (2 = twice its pixel size) on white, with the report's font. */
export function svgToPng(svg: string, scale: number): { png: Buffer; width: number; height: number } {
  const f = fontFiles();
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: false, fontFiles: [f.regular, f.bold], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
    logLevel: 'off',
  });
  const img = r.render();
  return { png: img.asPng(), width: img.width, height: img.height };
}

/** A fixed creation date, so that the same report gives byte-identical PDFs. */
const PDF_DATE = new Date(Date.UTC(2000, 0, 1));

/**
 * `svg` with every `stroke-dasharray` PDFKit can draw: a pattern with no gap
 * (vega's `[1, 0]`, the solid line of the series looks) is dropped, as SVG
 * draws it solid; a zero-length dash between gaps (a dot drawn by the line's
 * cap) becomes 0.001. PDFKit refuses any length that is not positive, which
 * made every sweep chart with a solid series among dashed ones fail as PDF.
 */
export function pdfDashes(svg: string): string {
  return svg.replace(/ stroke-dasharray="([^"]*)"/g, (attr, value: string) => {
    const lengths = value.split(/[\s,]+/).filter((t) => t !== '').map(Number);
    if (lengths.length === 0 || lengths.some((l) => !Number.isFinite(l) || l < 0)) return attr;
    // SVG repeats an odd-length list to make it even: gaps are the odd places of the doubled list
    const pattern = lengths.length % 2 === 1 ? [...lengths, ...lengths] : lengths;
    if (pattern.every((l, i) => i % 2 === 0 || l === 0)) return '';
    return lengths.some((l) => l === 0) ? ` stroke-dasharray="${lengths.map((l) => (l === 0 ? 0.001 : l)).join(',')}"` : attr;
  });
}

/**
 * The report font's two faces, read and parsed once per process: a report
 * embeds them in each of its PDFs (a sweep's report in dozens), and parsing
 * the files was most of a small PDF's time. Each PDF takes its own subset of
 * the glyphs it uses. fontkit keeps every glyph it made, with the characters
 * it first stood for, and pdfkit writes a PDF's text map (what copying and
 * searching its text read) from those: a glyph first made as a part of an
 * accented letter ('e' of 'é') stands for no character, and a later PDF's
 * 'e' would copy as nothing. So each PDF starts with the glyphs forgotten
 * (fontkit's private `_glyphs`; its version is pinned in package.json), as a
 * fresh parse would: test/pdf-fonts.test.ts.
 */
let pdfFaces: { regular: Font; bold: Font } | undefined;

/** Drops the parsed faces: the next PDF parses the font files again (a long-lived process done with PDFs; a test's fresh start). */
export function forgetPdfFaces(): void {
  pdfFaces = undefined;
}

function parsedFaces(): { regular: Font; bold: Font } {
  if (!pdfFaces) {
    const f = fontFiles();
    pdfFaces = { regular: openFont(readFileSync(f.regular)), bold: openFont(readFileSync(f.bold)) };
  }
  pdfFaces.regular._glyphs = {};
  pdfFaces.bold._glyphs = {};
  return pdfFaces;
}

/** The SVG as a one-page vector PDF of `width` × `height` pt, with the font's used glyphs embedded. */
export function svgToPdf(svg: string, width: number, height: number, title: string): Promise<Buffer> {
  const f = parsedFaces();
  const doc = new PDFDocument({
    size: [width, height],
    margin: 0,
    compress: true,
    info: { Title: title, Creator: 'syncsim report', Producer: 'syncsim report', CreationDate: PDF_DATE, ModDate: PDF_DATE },
  });
  doc.registerFont('regular', f.regular);
  doc.registerFont('bold', f.bold);
  const chunks: Buffer[] = [];
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', (e) => reject(e));
    SVGtoPDF(doc, pdfDashes(svg), 0, 0, { width, height, assumePt: true, fontCallback: (_family, bold) => (bold ? 'bold' : 'regular') });
    doc.end();
  });
}
