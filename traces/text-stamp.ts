/**
 * The stamp of a text file syncsim wrote and may later replace (a device
 * profile of `syncsim calibrate`): one comment line holding the SHA-256 of
 * every other line, so that a later command can tell the file as written
 * from one a user has edited since, and replace only the former.
 *
 * The stamp goes after the file's first line (the line that says which
 * command wrote it), and covers the text with the stamp line taken out, byte
 * for byte: a changed value, an added comment or a changed line ending all
 * count as edits.
 */
import { createHash } from 'node:crypto';

/** The stamp line: `# syncsim stamp sha256:HEX ...` (the rest of the line is prose, outside the digest's reach only because the whole line is left out). */
const STAMP_LINE = /^# syncsim stamp sha256:([0-9a-f]{64})\b[^\n]*\n/m;

/** What the stamp line says after the digest, for a reader of the file. */
const STAMP_NOTE = ' (of every other line: syncsim replaces this file only while that still holds; edit a copy of another name)';

/** The SHA-256 (hex) of `text` as UTF-8. */
const digestOf = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** `text` with its stamp line after its first line (text without a line break gets none, and is returned as it is). */
export function stampText(text: string): string {
  const nl = text.indexOf('\n');
  if (nl < 0) return text;
  return `${text.slice(0, nl + 1)}# syncsim stamp sha256:${digestOf(text)}${STAMP_NOTE}\n${text.slice(nl + 1)}`;
}

/**
 * Whether `text` is as {@link stampText} wrote it: `intact` (its stamp
 * matches every other line), `edited` (it has a stamp that no longer
 * matches), or `unstamped` (no stamp line: written before stamps, or by
 * something else).
 */
export function stampState(text: string): 'intact' | 'edited' | 'unstamped' {
  const m = STAMP_LINE.exec(text);
  if (m === null) return 'unstamped';
  const rest = text.slice(0, m.index) + text.slice(m.index + m[0].length);
  return digestOf(rest) === m[1] ? 'intact' : 'edited';
}
