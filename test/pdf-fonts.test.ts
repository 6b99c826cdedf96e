/**
 * The report font in PDFs (reports/render.ts, svgToPdf): its two faces are
 * parsed once per process and shared by every PDF a report (or a sweep's
 * report) writes. Sharing must not leak one PDF's glyphs into another: each
 * embeds a subset of what it draws, its text map (ToUnicode: what copying or
 * searching the text reads) maps each glyph to its characters, and the same
 * figure gives the same bytes whatever was drawn before it in the process.
 * fontkit remembers each glyph with the characters it first stood for; an
 * 'e' first made as a part of 'é' stood for none, and later PDFs' 'e' copied
 * as nothing until each PDF started with the glyphs forgotten (a review's
 * finding, 2026-12-07).
 */
import { describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { forgetPdfFaces, svgToPdf } from '../reports/render.ts';
import { FONT_FAMILY } from '../reports/theme.ts';

const textSvg = (text: string, bold = false) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="20"><text x="2" y="14" font-family="${FONT_FAMILY}" font-size="10"${bold ? ' font-weight="bold"' : ''}>${text}</text></svg>`;

/** The contents of indirect object `id`'s stream in a PDF, inflated. */
function streamOf(pdf: Buffer, id: string): Buffer {
  const s = pdf.toString('latin1');
  const m = new RegExp(`(?:^|\n)${id} 0 obj\\s*<<([^>]*)>>\\s*stream\\r?\\n`).exec(s)!;
  const start = m.index + m[0].length;
  const len = Number(/\/Length (\d+)/.exec(m[1]!)![1]);
  return inflateSync(pdf.subarray(start, start + len));
}

/** The streams a PDF's objects name by `key` (FontFile2: embedded font programs; ToUnicode: text maps), inflated. */
function namedStreams(pdf: Buffer, key: 'FontFile2' | 'ToUnicode'): Buffer[] {
  return [...pdf.toString('latin1').matchAll(new RegExp(`/${key} (\\d+) 0 R`, 'g'))].map(([, id]) => streamOf(pdf, id!));
}

/** The total size in bytes of a PDF's embedded font programs. */
const embeddedFontBytes = (pdf: Buffer) => namedStreams(pdf, 'FontFile2').reduce((n, b) => n + b.length, 0);

/** The text maps (ToUnicode CMaps) of a PDF: what copying or searching its text reads. */
const textMaps = (pdf: Buffer) => namedStreams(pdf, 'ToUnicode').map((b) => b.toString('latin1'));

describe('the report font in PDFs', () => {
  it('maps every glyph of a figure to its characters after figures with accented letters (whose parts are glyphs that stand for none)', async () => {
    // the faces parsed afresh, and the accented letters drawn first: 'e' and 'A' are first made as parts of 'é' and 'Ä'
    forgetPdfFaces();
    await svgToPdf(textSvg('café naïve Ä Ö Ü µs'), 200, 20, 'accents');
    const before = await svgToPdf(textSvg('Latency vs. pages A'), 200, 20, 'a');
    await svgToPdf(textSvg('Cédric', true), 200, 20, 'accents bold');
    const after = await svgToPdf(textSvg('Latency vs. pages A'), 200, 20, 'a');
    const maps = textMaps(after);
    expect(maps.length).toBe(1);
    // 'e' (U+0065) and 'A' (U+0041) mapped to themselves, no glyph mapped to nothing
    expect(maps[0]).toContain('<0065>');
    expect(maps[0]).toContain('<0041>');
    expect(maps[0]).not.toContain('<>');
    expect(after.equals(before)).toBe(true);
  });


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
