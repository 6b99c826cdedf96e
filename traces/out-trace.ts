/**
 * Which files `gen`, `import`, `record` and `convert` may write a trace to:
 * a missing file, or a trace that syncsim itself wrote — a CSV trace whose
 * first comment says it was generated, imported or recorded by syncsim, plain
 * or gzip-compressed, or a binary trace cache (`.sst`, from `convert` or the
 * cache directory) — and that is not the command's own input. Either kind
 * may replace the other: syncsim reads a trace by its first bytes, whatever
 * its name. Anything else — a user's file, a hand-written trace, the input —
 * is refused before any work is done.
 */
import { statSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { checkOutFile, OutDirError, showOut, type NotOursText } from './out-dir.ts';
import { TRACE_MAGIC_LINE } from './writer.ts';
import { CACHE_MAGIC } from './cache.ts';

/** The comment line syncsim's trace writers put after the magic line. */
const OUR_COMMENT = /^# (generated|imported|recorded) by syncsim /;

/** Whether the first bytes of a file are those of a CSV trace syncsim wrote (gzip-compressed or not). */
export function isOurTraceHead(head: Buffer): boolean {
  let text: string;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    try {
      // the head of a gzip stream: inflate what is there
      text = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    } catch {
      return false;
    }
  } else text = head.toString('utf8');
  const lines = text.split('\n');
  return lines[0] === TRACE_MAGIC_LINE && OUR_COMMENT.test(lines[1] ?? '');
}

/** Whether the first bytes of a file (as text, and as bytes) are those of a trace syncsim wrote: its CSV trace or its binary cache. */
export function isOurTraceFile(text: string, head: Buffer): boolean {
  return text.startsWith(CACHE_MAGIC) || isOurTraceHead(head);
}

/** The refusal of an existing file that is not a trace syncsim wrote: what it is not, and what to do. */
export const NOT_OUR_TRACE: NotOursText = {
  why: "is not recognisable as a trace syncsim wrote (a CSV trace whose second line is '# generated|imported|recorded by syncsim ...', or a .sst trace cache)",
  advice: 'choose a new file, or move it away first',
};

/**
 * Checks that a trace may be written at `path`, given as `flag path`;
 * `inputs` are the files the command reads. Throws an OutDirError (exit 2)
 * naming the flag and why otherwise.
 */
export function checkTraceOut(path: string, flag: string, inputs: readonly string[] = []): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    st = undefined;
  }
  if (st?.isFile()) {
    for (const input of inputs) {
      let s;
      try {
        s = statSync(input);
      } catch {
        continue;
      }
      if (s.dev === st.dev && s.ino === st.ino) throw new OutDirError(`${flag} ${showOut(path)}: is the input ${input}; choose a new file`);
    }
  }
  checkOutFile(path, path, isOurTraceFile, flag, NOT_OUR_TRACE);
}
