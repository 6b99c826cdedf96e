/**
 * A write into validate's output that the storage refused (a full disk, a
 * quota, a read-only file system), said as run, report and compare say
 * theirs: `--out OUT: cannot write the validation (ENOSPC: no space left on
 * device, write); nothing was kept there`, exit 2 — not by the name of the
 * staging directory the output is written in (removed by then), nor by no
 * name at all.
 */
import { OutDirError } from '../../traces/out-dir.ts';
import { isWriteFailure, storageRefusal } from '../../traces/write-failures.ts';
import { showPath } from '../sweep/store.ts';

/** `e` as validate's error of output directory `out` when it is, or wraps, a write the storage refused; else `e` as it is. */
export function validationWriteFailure(e: unknown, out: string): unknown {
  const refusal = isWriteFailure(e) ? e : storageRefusal(e);
  if (refusal === undefined) return e;
  // the system's words and its call, without the paths it names (the staging directory's)
  const said = refusal.message.split(` '`)[0];
  return new OutDirError(`--out ${showPath(out)}: cannot write the validation (${said}); nothing was kept there`, { cause: refusal });
}

/**
 * Runs `body`, whose every write goes into the staging directory of validate's output `out`
 * (not fio's data directory, a calibration's scratch files or a recording's), and throws its
 * failure as {@link validationWriteFailure} says it.
 */
export async function writingOut<T>(out: string, body: () => T | Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    throw validationWriteFailure(e, out);
  }
}
