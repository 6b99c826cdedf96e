/**
 * Which files `gen`, `import`, `record` and `convert` may write a trace to:
 * a missing file, or one that syncsim itself wrote (a CSV trace whose first
 * comment says it was generated, imported or recorded by syncsim, plain or
 * gzip-compressed; a binary trace cache) and that is not the command's own
 * input. Anything else — a user's file, a hand-written trace, the input —
 * is refused before any work is done.
 */
import { statSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { checkOutFile, OutDirError, showOut } from './out-dir.ts';
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

/**
 * Checks that a trace (`kind` csv, or sst for a binary cache) may be written
 * at `path`, given as `flag path`; `inputs` are the files the command reads.
 * Throws an OutDirError (exit 2) naming the flag and why otherwise.
 */
export function checkTraceOut(path: string, flag: string, kind: 'csv' | 'sst', inputs: readonly string[] = []): void {
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
  checkOutFile(path, path, (text, head) => (kind === 'sst' ? text.startsWith(CACHE_MAGIC) : isOurTraceHead(head)), flag);
}
