/**
 * The stamp of a CSV trace syncsim wrote (`gen`, `import`, `record`, with `-o`
 * or to standard output): a comment line in its header saying that it is
 * stamped ({@link STAMPED_LINE}), and a last line holding the SHA-256 of
 * every byte before it ({@link stampLineOf}). A later `-o` of the same
 * command replaces the trace only while the two match, so a trace a user
 * has edited since is kept.
 *
 * The stamp is the last line, not the second as in a device profile
 * (traces/text-stamp.ts), because a trace is streamed (and may be
 * gzip-compressed): its digest is known only at its end. The header's
 * promise tells a trace whose stamp line was deleted from one written
 * before traces were stamped (2026-12-07), which is replaced as before.
 * The digest covers the (decompressed) text before the stamp line, byte for
 * byte: a changed row, an added comment or a changed line ending are edits.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readAt, startsGzip } from './files.ts';
import { escapeControl } from './escape.ts';

/** The header comment of a stamped trace (after the writer's own comments, before the column header). */
export const STAMPED_LINE = '# stamped: the last line holds the SHA-256 of the lines before it (syncsim replaces this trace only while they match; once edited, it is kept)';

/** How the stamp line begins, before its 64 hex digits. */
const STAMP_PREFIX = '# syncsim stamp sha256:';

/** The stamp line (line break included) of a trace whose bytes before it have SHA-256 `digest` (hex). */
export function stampLineOf(digest: string): string {
  return `${STAMP_PREFIX}${digest}\n`;
}

/** Bytes a stamp line takes, line break included. */
const STAMP_BYTES = STAMP_PREFIX.length + 64 + 1;

/**
 * The running digest of a trace as it is written: {@link update} with each piece of text in
 * order (as UTF-8), then {@link line} once for its stamp line.
 */
export class TraceStamper {
  private readonly hash: Hash = createHash('sha256');

  /** Adds `text` (the next bytes of the trace, as UTF-8). */
  update(text: string): void {
    this.hash.update(text, 'utf8');
  }

  /** The stamp line of everything added (the digest is taken: call once, last). */
  line(): string {
    return stampLineOf(this.hash.digest('hex'));
  }
}

/** Whether a trace is as its writer stamped it: `intact`, `edited` since, or `unstamped` (written before stamps, or by hand). */
export type TraceStampState = 'intact' | 'edited' | 'unstamped';

/** A last line that means to be a stamp, however it was edited (indented, in capitals, its digest cut short). */
const STAMP_LIKE = /^[ \t]*#[ \t]*syncsim[ \t]+stamp\b/i;

/** Bytes of a trace's text read to find its header's {@link STAMPED_LINE}, and of its end to find its stamp line. */
const HEAD_BYTES = 1 << 16, TAIL_BYTES = 512;

/** Whether the header (the comment and blank lines before the first other line, as the reader skips them) of `head` holds {@link STAMPED_LINE}. */
function promised(head: string): boolean {
  for (const raw of head.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === STAMPED_LINE) return true;
    if (!line.startsWith('#') && line.trim() !== '') return false;
  }
  return false;
}

/** How the last line of a trace written to standard output and cut short begins (scripts/stdout-trace.ts writes it). */
export const INCOMPLETE_MARK = 'INCOMPLETE:';

/**
 * The state of a trace of `size` bytes of text from its first and last bytes (`head`, `tail`)
 * and `digestOf(n)`, the SHA-256 (hex) of its first `n` bytes. Stamped (its header promises it,
 * or its last line looks like a stamp): `intact` only when the last line is exactly the stamp
 * of every byte before it. Neither: `unstamped`.
 */
function stateOf(head: Buffer, tail: Buffer, size: number, digestOf: (n: number) => string): TraceStampState {
  const text = tail.toString('latin1');
  const ended = text.endsWith('\n');
  const body = ended ? text.slice(0, -1) : text;
  const nl = body.lastIndexOf('\n');
  // the last line, whole when a line break before it (or the start of the file) is within the tail
  const last = nl >= 0 || tail.length === size ? body.slice(nl + 1) : undefined;
  // cut short where syncsim wrote it to standard output (an interrupt, an error): a broken trace of its own, replaced as before stamps
  if (last !== undefined && last.startsWith(INCOMPLETE_MARK)) return 'unstamped';
  if (!promised(head.toString('utf8')) && !(last !== undefined && STAMP_LIKE.test(last))) return 'unstamped';
  if (!ended || last === undefined) return 'edited';
  const digest = last.slice(STAMP_PREFIX.length);
  if (!/^[0-9a-f]{64}$/.test(digest) || `${last}\n` !== stampLineOf(digest)) return 'edited';
  return digestOf(size - STAMP_BYTES) === digest ? 'intact' : 'edited';
}

/** The stamp state of the whole text of a trace (decompressed), as bytes. */
export function stampStateOf(bytes: Buffer): TraceStampState {
  return stateOf(bytes.subarray(0, HEAD_BYTES), bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)), bytes.length,
    (n) => createHash('sha256').update(bytes.subarray(0, n)).digest('hex'));
}

/** Bytes read at a time when a plain trace is hashed. */
const CHUNK = 1 << 20;

/** The SHA-256 (hex) of the first `n` bytes of `fd`, read a chunk at a time. */
function digestOfFile(fd: number, n: number): string {
  const hash = createHash('sha256');
  const buf = Buffer.alloc(CHUNK);
  for (let pos = 0; pos < n;) {
    const got = readSync(fd, buf, 0, Math.min(CHUNK, n - pos), pos);
    if (got <= 0) return ''; // the file shrank while it was read: no digest matches
    hash.update(buf.subarray(0, got));
    pos += got;
  }
  return hash.digest('hex');
}

/**
 * The stamp state of the CSV trace file `path` (gzip-compressed or not): a plain trace is
 * hashed a chunk at a time; a gzip one is decompressed whole in memory, and one that cannot be
 * (damaged, or more than the 4 GiB of text a buffer holds) counts as `edited`: what cannot be
 * checked is kept. Throws when the file cannot be read.
 */
export function traceStampState(path: string): TraceStampState {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = readAt(fd, Math.min(size, HEAD_BYTES), 0);
    if (!startsGzip(head)) {
      return stateOf(head, readAt(fd, Math.min(size, TAIL_BYTES), Math.max(0, size - TAIL_BYTES)), size, (n) => digestOfFile(fd, n));
    }
    let text: Buffer;
    try {
      text = gunzipSync(readAt(fd, size, 0));
    } catch {
      return 'edited';
    }
    return stampStateOf(text);
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether the plain (not gzip-compressed) CSV trace `path` looks cut short: its header promises
 * a stamp line at its end ({@link STAMPED_LINE}: syncsim wrote it whole) and its last line that
 * is not blank is no stamp line (whatever its digest; the stamp's digest is not checked here).
 * Returns that last line (as text, at most its last 512 bytes), or undefined when the trace
 * promises no stamp, ends with one, is gzip-compressed or a binary cache (neither is looked
 * into: a gzip file cut short is refused by its reader), or cannot be read. Reads the file's
 * first 64 KiB and last 512 bytes only. A trace that ends with an `INCOMPLETE:` line is left to
 * the reader, which refuses that line.
 */
export function cutShortLastLine(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const head = readAt(fd, Math.min(size, HEAD_BYTES), 0);
    if (startsGzip(head)) return undefined;
    if (!promised(head.toString('utf8'))) return undefined;
    const tail = readAt(fd, Math.min(size, TAIL_BYTES), Math.max(0, size - TAIL_BYTES)).toString('utf8');
    const lines = tail.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
    const last = lines[lines.length - 1];
    if (last === undefined || STAMP_LIKE.test(last) || last.startsWith(INCOMPLETE_MARK)) return undefined;
    return last;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The warning for a trace that {@link cutShortLastLine} finds cut short (`shown`: how to name the
 * trace in it, `verb`: what the command does with the rows it holds), else undefined.
 */
export function cutShortWarning(path: string, shown: string, verb: string): string | undefined {
  const last = cutShortLastLine(path);
  if (last === undefined) return undefined;
  const quoted = escapeControl(last.length > 80 ? `${last.slice(0, 80)}...` : last);
  return `${shown} may be cut short: its header says syncsim wrote it whole, ending with a stamp line ('${STAMP_PREFIX}...'), `
    + `but its last line is '${quoted}', not that stamp (a copy or download that stopped early, or 'head' of a longer trace); `
    + `only the rows it holds are ${verb}. If you cut it on purpose, delete its '# stamped:' comment line and this warning goes`;
}
