/**
 * Text measurement with the report's font (Source Sans 3), so that layouts
 * computed in Node (legend columns, axis space) match the PDF, the PNG and
 * the browser, which all draw that same font.
 */
import { createRequire } from 'node:module';
import type PDFDocument from 'pdfkit';
import { fontFiles } from './theme.ts';

// pdfkit is loaded on first use: the CLI imports the chart modules for its help text
const require = createRequire(import.meta.url);
let doc: PDFDocument | undefined;
const cache = new Map<string, number>();

/** Width in px of `text` at `size` px, regular or bold. */
export function textWidth(text: string, size: number, bold = false): number {
  const key = `${bold ? 'b' : 'r'}${size}|${text}`;
  let w = cache.get(key);
  if (w === undefined) {
    if (!doc) {
      const f = fontFiles();
      const PDF = require('pdfkit') as typeof PDFDocument;
      doc = new PDF({ autoFirstPage: false });
      doc.registerFont('regular', f.regular);
      doc.registerFont('bold', f.bold);
    }
    w = doc.font(bold ? 'bold' : 'regular').fontSize(size).widthOfString(text);
    if (cache.size > 50_000) cache.clear();
    cache.set(key, w);
  }
  return w;
}

/** Whether a Vega font weight is bold. */
export function isBold(weight: unknown): boolean {
  return weight === 'bold' || weight === 'bolder' || (typeof weight === 'number' && weight >= 600) || (typeof weight === 'string' && Number(weight) >= 600);
}

/**
 * Words of `text` broken into lines no wider than `width` px at `size`; a
 * word wider than a line by itself (a 200-character run directory) goes on
 * from where the line stands and is cut where it reaches the edge, after a
 * `-`, `_`, `/`, `.`, `=`, `,` or `@` when one is in the line's second half,
 * so that no line widens the figure.
 */
export function wrapText(text: string, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (textWidth(next, size) <= width) line = next;
    else if (textWidth(word, size) <= width) {
      if (line) lines.push(line);
      line = word;
    } else {
      let cur = line ? `${line} ` : '';
      let rest = word;
      for (;;) {
        let k = 0;
        while (k < rest.length && textWidth(cur + rest.slice(0, k + 1), size) <= width) k++;
        if (k === rest.length) {
          line = cur + rest;
          break;
        }
        if (k === 0 && cur) {
          // not a character more fits after the words already on the line: the word starts the next
          lines.push(cur.trimEnd());
          cur = '';
          continue;
        }
        const brk = Math.max(...[...'-_/.=,@'].map((c) => rest.lastIndexOf(c, k - 1)));
        if (brk + 1 >= k / 2) k = brk + 1;
        k = Math.max(1, k);
        lines.push(cur + rest.slice(0, k));
        cur = '';
        rest = rest.slice(k);
      }
    }
  }
  if (line) lines.push(line);
  return lines;
}
