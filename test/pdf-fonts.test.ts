/**
 * The report font in PDFs (reports/render.ts, svgToPdf): its two faces are
 * parsed once per process and shared by every PDF a report (or a sweep's
 * report) writes. Sharing must not leak one PDF's glyphs into another: each
 * embeds a subset of what it draws, and the same figure gives the same bytes
 * whatever was drawn before it in the process.
 */
import { describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { svgToPdf } from '../reports/render.ts';
import { FONT_FAMILY } from '../reports/theme.ts';

const textSvg = (text: string, bold = false) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="20"><text x="2" y="14" font-family="${FONT_FAMILY}" font-size="10"${bold ? ' font-weight="bold"' : ''}>${text}</text></svg>`;

/** The embedded font programs of a PDF (the streams its font descriptors name as /FontFile2), inflated: their total size in bytes. */
function embeddedFontBytes(pdf: Buffer): number {
  const s = pdf.toString('latin1');
  let total = 0;
  for (const [, id] of s.matchAll(/\/FontFile2 (\d+) 0 R/g)) {
    const m = new RegExp(`(?:^|\n)${id} 0 obj\\s*<<([^>]*)>>\\s*stream\\r?\\n`).exec(s)!;
    const start = m.index + m[0].length;
    const len = Number(/\/Length (\d+)/.exec(m[1]!)![1]);
    total += inflateSync(pdf.subarray(start, start + len)).length;
  }
  return total;
}

describe('the report font in PDFs', () => {
  it('a figure gives the same bytes before and after other figures with other text, regular and bold', async () => {
    const first = await svgToPdf(textSvg('Latency'), 200, 20, 'a');
    await svgToPdf(textSvg('Writeback by cause: 0123456789 ÄÖÜ µs ≤ 1.5×'), 200, 20, 'b');
    await svgToPdf(textSvg('Bold words WXYZ', true), 200, 20, 'c');
    expect((await svgToPdf(textSvg('Latency'), 200, 20, 'a')).equals(first)).toBe(true);
  });

  it('embeds a subset of the face, named as one (a six-letter tag, +, the face\'s name), that grows with the glyphs drawn', async () => {
    const few = await svgToPdf(textSvg('ab'), 200, 20, 'few');
    const many = await svgToPdf(textSvg('abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789'), 200, 20, 'many');
    expect(few.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+SourceSans3-Regular/);
    const a = embeddedFontBytes(few), b = embeddedFontBytes(many);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
    // the whole face is 400 KiB or more: a subset of two letters is far smaller
    expect(a).toBeLessThan(100_000);
  });
});
