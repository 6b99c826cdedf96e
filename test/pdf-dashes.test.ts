/**
 * A chart's dash patterns as PDFKit draws them (reports/render.ts, pdfDashes):
 * vega writes the solid look of a series as `stroke-dasharray="1,0"`, which
 * PDFKit refuses (every length must be positive); a sweep of four kernels,
 * one solid line among dashed ones, failed `syncsim report` with an internal
 * error until 2026-12-06.
 */
import { describe, expect, it } from 'vitest';
import { pdfDashes, svgToPdf } from '../reports/render.ts';

const svg = (dash: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><path d="M0,10L40,10" stroke="#000" fill="none"${dash}/></svg>`;

describe('dash patterns in the PDF', () => {
  it('a pattern without a gap is dropped: SVG and PDF both draw it solid', () => {
    expect(pdfDashes(svg(' stroke-dasharray="1,0"'))).toBe(svg(''));
    expect(pdfDashes(svg(' stroke-dasharray="0"'))).toBe(svg(''));
    expect(pdfDashes(svg(' stroke-dasharray="4 0 2 0"'))).toBe(svg(''));
  });

  it('a zero-length dash between gaps (a dot drawn by the cap) becomes 0.001; other patterns are kept as they are', () => {
    expect(pdfDashes(svg(' stroke-dasharray="0,3"'))).toBe(svg(' stroke-dasharray="0.001,3"'));
    // an odd list repeats: 2,0,3 is 2,0,3,2,0,3, whose gaps are 0, 2 and 3: not solid
    expect(pdfDashes(svg(' stroke-dasharray="2,0,3"'))).toBe(svg(' stroke-dasharray="2,0.001,3"'));
    for (const kept of [' stroke-dasharray="5,2"', ' stroke-dasharray="6 2 1.5 2"', ' stroke-dasharray="none"', '']) expect(pdfDashes(svg(kept))).toBe(svg(kept));
  });

  it('an SVG whose line is dashed "1,0" becomes a PDF (PDFKit refused it before)', async () => {
    const pdf = await svgToPdf(svg(' stroke-dasharray="1,0"'), 40, 20, 't');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const dotted = await svgToPdf(svg(' stroke-dasharray="0,3"'), 40, 20, 't');
    expect(dotted.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
});
