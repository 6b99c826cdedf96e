/**
 * Telling a binary file handed over as a trace from a damaged text one, by its first bytes: a
 * compressed file of a kind syncsim does not read, an executable, an image, a document. The
 * reader says what the file seems to be instead of the first invalid byte it met; a text trace
 * with a stray bad byte keeps the message naming its line and field. validate's fio job files
 * and configuration files are told the same way.
 */
/** The text input a binary file was given as: its messages name it (`a trace is text`). */
export type TextInput = 'trace' | 'fio job file' | 'configuration file';

/** Data compressed with `tool`, and how to decompress it: syncsim reads a trace gzip-compressed, no other input. */
const compressed = (bytes: string, tool: string) => ({
  bytes,
  what: (input: TextInput) => `${tool}-compressed data (${input === 'trace' ? 'syncsim reads plain or gzip-compressed traces: ' : ''}decompress it first, e.g. ${tool} -d)`,
});

/** Formats by their first bytes (latin1), and what the message calls them. */
const MAGICS: readonly { bytes: string; what: string | ((input: TextInput) => string) }[] = [
  compressed('\xfd7zXZ\x00', 'xz'),
  compressed('\x28\xb5\x2f\xfd', 'zstd'),
  compressed('BZh', 'bzip2'),
  compressed('\x04\x22\x4d\x18', 'lz4'),
  { bytes: 'PK\x03\x04', what: (input) => `a zip archive (unzip it and give the ${input} inside)` },
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

/**
 * What `head`, a file's first bytes, seems to be when it is not text, else undefined. `input`:
 * what the file was given as (default a trace, which may also be gzip-compressed; any other
 * input gzip-compressed is named as such).
 */
export function binaryKind(head: Uint8Array, input: TextInput = 'trace'): string | undefined {
  const text = Buffer.from(head.buffer, head.byteOffset, head.length).toString('latin1');
  const magics = input === 'trace' ? MAGICS : [compressed('\x1f\x8b', 'gzip'), ...MAGICS];
  for (const m of magics) {
    // bzip2's 'BZh' is followed by its block size, a digit 1-9: a text file may begin 'BZh' otherwise
    if (text.startsWith(m.bytes) && (m.bytes !== 'BZh' || /^BZh[1-9]/.test(text))) return typeof m.what === 'string' ? m.what : m.what(input);
  }
  let nul = 0;
  for (const b of head) if (b === 0) nul++;
  return head.length > 0 && nul >= Math.max(2, NUL_SHARE * head.length) ? `binary data (${nul} NUL bytes in its first ${head.length}; a ${input} is text)` : undefined;
}

