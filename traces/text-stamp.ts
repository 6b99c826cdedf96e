/**
 * The stamp of a text file syncsim wrote and may later replace (a device
 * profile of `syncsim calibrate`): one comment line holding the SHA-256 of
 * every other line, so that a later command can tell the file as written
 * from one a user has edited since, and replace only the former.
 *
 * The stamp goes after the file's first line (the line that says which
 * command wrote it), which ends with {@link STAMPED_MARK} so that a file
 * whose stamp line was deleted is told from one written before stamps. It
 * covers the text with the stamp line taken out, byte for byte: a changed
 * value, an added comment or a changed line ending all count as edits.
 */
import { createHash } from 'node:crypto';

/** What the stamp line says after the digest, for a reader of the file. */
const STAMP_NOTE = ' (of every other line: syncsim replaces this file only while they match; once edited, it is kept)';

/** How the first line of a stamped text ends: its stamp follows (a text whose first line ends so and has no stamp line lost it to an edit). */
export const STAMPED_MARK = '; stamped';

/**
 * A line that mentions a stamp (however it was edited: indented, joined to the line before, its digest
 * cut short or in capitals, a note added): the first one is the file's stamp, intact only when it is
 * exactly the line {@link stampText} writes (the stamp line is outside the digest, so any change to it
 * has to be caught here).
 */
const STAMP_LIKE = /^[^\n]*#[ \t]*syncsim[ \t]+stamp\b[^\n]*(?:\n|$)/im;

/** How a stamp line begins, before its digest. */
const STAMP_PREFIX = '# syncsim stamp sha256:';

/** The stamp line of `digest` (hex), line break included: the one form {@link stampText} writes and {@link stampState} accepts. */
const stampLine = (digest: string): string => `${STAMP_PREFIX}${digest}${STAMP_NOTE}\n`;

/** The SHA-256 (hex) of `text` as UTF-8. */
const digestOf = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** `text` with {@link STAMPED_MARK} at the end of its first line and its stamp line after it (text without a line break gets neither, and is returned as it is). */
export function stampText(text: string): string {
  const nl = text.indexOf('\n');
  if (nl < 0) return text;
  const marked = `${text.slice(0, nl)}${STAMPED_MARK}\n${text.slice(nl + 1)}`;
  const at = nl + STAMPED_MARK.length + 1;
  return `${marked.slice(0, at)}${stampLine(digestOf(marked))}${marked.slice(at)}`;
}

/**
 * Whether `text` is as {@link stampText} wrote it: `intact` (its stamp
 * matches every other line), `edited` (it has a stamp that no longer
 * matches, or a stamp line not as written), or `unstamped` (no stamp line:
 * written before stamps, or by something else; a text whose stamp line was
 * deleted is `edited` while its first line kept {@link STAMPED_MARK}).
 */
export function stampState(text: string): 'intact' | 'edited' | 'unstamped' {
  const m = STAMP_LIKE.exec(text);
  if (m === null) return firstLine(text).trimEnd().endsWith(STAMPED_MARK) ? 'edited' : 'unstamped';
  const digest = m[0].slice(STAMP_PREFIX.length, STAMP_PREFIX.length + 64);
  if (!/^[0-9a-f]{64}$/.test(digest) || m[0] !== stampLine(digest)) return 'edited';
  const rest = text.slice(0, m.index) + text.slice(m.index + m[0].length);
  return digestOf(rest) === digest ? 'intact' : 'edited';
}

/** The first line of `text`, without its line break. */
const firstLine = (text: string): string => {
  const nl = text.indexOf('\n');
  return nl < 0 ? text : text.slice(0, nl);
};
