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
