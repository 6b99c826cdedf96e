/**
 * An earlier recording at the path `syncsim record` is to write: what it was a recording of, so
 * that record can refuse to write over it (a recording is measured data that cannot be made
 * again) and say which recording that is.
 */
import { TRACE_MAGIC_LINE } from '../../traces/writer.ts';
import { commandOfHeader, EXIT_STATUS_COMMENT, headerComments } from './record.ts';

/** A trace's first line, as headerComments gives it (without its `# `). */
const RECORDING_MAGIC = TRACE_MAGIC_LINE.replace(/^#\s?/, '');
/** The start of the comment line after it in a trace `syncsim record` wrote (traces/out-trace.ts's origin). */
const RECORDED_BY = 'recorded by syncsim ';

/** What the header of an earlier recording says of it (each part undefined when its comment is missing). */
export interface EarlierRecording {
  /** The program and its arguments (`recorded-command`). */
  command?: string[];
  /** When it was recorded (ISO 8601, from the `recorded by syncsim record ... at T` line). */
  at?: string;
  /** The program's exit status (`recorded-exit-status`; 0 for a recording made before syncsim wrote it). */
  exitStatus: number;
}

/** The recording at `path` (plain or gzip-compressed), or undefined when there is none: no file, or a file that is not a recording. */
export function earlierRecording(path: string): EarlierRecording | undefined {
  // one read of the file's head: its comment lines say whether it is a recording, and of what
  const lines = headerComments(path);
  if (lines === undefined || lines[0] !== RECORDING_MAGIC || !lines[1]?.startsWith(RECORDED_BY)) return undefined;
  const out: EarlierRecording = { exitStatus: 0, command: commandOfHeader(lines) };
  for (const line of lines) {
    const at = /^recorded by syncsim record .* at (\S+) \(page size \d+\)$/.exec(line);
    if (at) out.at = at[1];
    if (line.startsWith(EXIT_STATUS_COMMENT)) out.exitStatus = Number(line.slice(EXIT_STATUS_COMMENT.length));
  }
  return out;
}

/** An earlier recording in words: `of ./prog 1 (recorded at 2026-12-07T07:24:05.864Z, exit status 0)`. */
export function recordingText(r: EarlierRecording): string {
  const what = r.command ? `of ${r.command.join(' ')}` : 'of a program it does not name';
  const when = r.at ? `recorded at ${r.at}, ` : '';
  return `${what} (${when}exit status ${r.exitStatus})`;
}
