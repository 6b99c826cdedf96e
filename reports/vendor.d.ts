/**
 * The small parts of pdfkit, svg-to-pdfkit and fontkit this project uses (none ships types).
 */
declare module 'fontkit' {
  /** A parsed font file. */
  interface Font {
    readonly postscriptName: string;
    /** fontkit's private cache of the glyphs it made, by id (each with the characters it first stood for). */
    _glyphs: Record<number, unknown>;
  }
  /** Parses the bytes of a font file (TrueType, OpenType, WOFF, WOFF2). */
  export function create(bytes: Buffer): Font;
}

declare module 'pdfkit' {
  interface PDFDocumentOptions {
    size?: [number, number];
    margin?: number;
    autoFirstPage?: boolean;
    compress?: boolean;
    info?: Record<string, string | Date>;
  }
  class PDFDocument {
    constructor(options?: PDFDocumentOptions);
    /** `src`: a font file's path or bytes, or a font fontkit parsed (pdfkit's own parser). */
    registerFont(name: string, src: string | Buffer | import('fontkit').Font): this;
    font(name: string): this;
    fontSize(size: number): this;
    widthOfString(text: string): number;
    on(event: 'data', listener: (chunk: Buffer) => void): this;
    on(event: 'end' | 'error', listener: (e?: Error) => void): this;
    end(): void;
  }
  export default PDFDocument;
}

declare module 'svg-to-pdfkit' {
  import type PDFDocument from 'pdfkit';
  interface SvgToPdfOptions {
    width?: number;
    height?: number;
    assumePt?: boolean;
    fontCallback?: (family: string, bold: boolean, italic: boolean) => string;
    warningCallback?: (message: string) => void;
  }
  export default function SVGtoPDF(doc: PDFDocument, svg: string, x: number, y: number, options?: SvgToPdfOptions): void;
}
