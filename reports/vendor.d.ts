/**
 * The small parts of pdfkit and svg-to-pdfkit this project uses (neither ships types).
 */
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
    registerFont(name: string, src: string | Buffer): this;
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
