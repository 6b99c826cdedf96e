/**
 * Telling a binary file handed over as a trace from a damaged text one, by its first bytes: a
 * compressed file of a kind syncsim does not read, an executable, an image, a document. The
 * reader says what the file seems to be instead of the first invalid byte it met; a text trace
 * with a stray bad byte keeps the message naming its line and field.
 */
/** Formats by their first bytes (latin1), and what the message calls them. */
const MAGICS: readonly { bytes: string; what: string }[] = [
  { bytes: '\xfd7zXZ\x00', what: 'xz-compressed data (syncsim reads plain or gzip-compressed traces: decompress it first, e.g. xz -d)' },
  { bytes: '\x28\xb5\x2f\xfd', what: 'zstd-compressed data (syncsim reads plain or gzip-compressed traces: decompress it first, e.g. zstd -d)' },
  { bytes: 'BZh', what: 'bzip2-compressed data (syncsim reads plain or gzip-compressed traces: decompress it first, e.g. bzip2 -d)' },
  { bytes: '\x04\x22\x4d\x18', what: 'lz4-compressed data (syncsim reads plain or gzip-compressed traces: decompress it first, e.g. lz4 -d)' },
  { bytes: 'PK\x03\x04', what: 'a zip archive (unzip it and give the trace inside)' },
  { bytes: '\x7fELF', what: 'an ELF executable or library' },
  { bytes: '%PDF-', what: 'a PDF document' },
  { bytes: '\x89PNG\r\n\x1a\n', what: 'a PNG image' },
  { bytes: '\xff\xd8\xff', what: 'a JPEG image' },
  { bytes: 'SQLite format 3\x00', what: 'an SQLite database' },
];

/** Bytes looked at: the longest magic and then some, in the one small read that also tells gzip (a CSV is read whole once more, not twice). */
export const SNIFF_BYTES = 64;
/** The share of NUL bytes among the first ones from which a file is binary (a text trace has none; one stray NUL is a damaged line). */
const NUL_SHARE = 0.01;

/** What `head`, a file's first bytes, seems to be when it is not text, else undefined. */
export function binaryKind(head: Uint8Array): string | undefined {
  const text = Buffer.from(head.buffer, head.byteOffset, head.length).toString('latin1');
  for (const m of MAGICS) {
    // bzip2's 'BZh' is followed by its block size, a digit 1-9: a text file may begin 'BZh' otherwise
    if (text.startsWith(m.bytes) && (m.bytes !== 'BZh' || /^BZh[1-9]/.test(text))) return m.what;
  }
  let nul = 0;
  for (const b of head) if (b === 0) nul++;
  return head.length > 0 && nul >= Math.max(2, NUL_SHARE * head.length) ? `binary data (${nul} NUL bytes in its first ${head.length}; a trace is text)` : undefined;
}

