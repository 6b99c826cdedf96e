/**
 * The text of one field of a native trace as written in the file, for error
 * messages about a row found while replaying it (the rows carry numbers, so
 * `0x10000001` and `268435457` are the same row by then).
 */
import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LineParser, TRACE_CSV_OPTIONS, type ParsedChunk } from './csv-lines.ts';
import { isGzip } from './files.ts';

import { countBreakChars, countCr } from './line-framing.ts';

/**
 * The field of column `column` in the record starting on file line `line` of
 * the CSV trace `path` (plain or gzip), or undefined when there is none or the
 * file cannot be read as CSV (an `.sst` cache, say). Reads up to that line.
 */
export async function fieldAsWritten(path: string, line: number, column: string): Promise<string | undefined> {
  let streams: Readable[] = [];
  try {
    const gz = await isGzip(path);
    const source = createReadStream(path, { highWaterMark: 1 << 16 });
    const parser = new LineParser(TRACE_CSV_OPTIONS);
    streams = gz ? [source, createGunzip(), parser] : [source, parser];
    pipeline(streams, () => {});
    let col = -1;
    let drift = 0;
    for await (const chunk of parser as AsyncIterable<ParsedChunk>) {
      if (chunk.error !== undefined) return undefined;
      for (let k = 0; k < chunk.records.length; k++) {
        const rec = chunk.records[k]!;
        let inside = 0, cr = 0;
        for (const f of rec) {
          inside += countBreakChars(f);
          cr += countCr(f);
        }
        // csv-parse counts every CR and LF in a field; the file's line breaks are LF and CR LF (line-framing.ts)
        const start = chunk.lines[k]! - drift - inside;
        drift += cr;
        if (col < 0) {
          if (rec.length === 1 && rec[0]!.trim() === '') continue;
          col = rec.indexOf(column);
          if (col < 0) return undefined;
        } else if (start === line) return rec[col];
        else if (start > line) return undefined;
      }
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    for (const s of streams) s.destroy();
  }
}
