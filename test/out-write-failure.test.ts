/**
 * outWriteFailure: a failed write of an output directory as the user's error
 * (`--out OUT: cannot write WHAT (MESSAGE); nothing was kept there`, exit 2),
 * for each kind of error it takes, and every other error left as it is — as
 * `report` and `compare` (a write the storage refused, `cannot write it`) and
 * a run's result files (any system error, `cannot write the results`) use it.
 */
import { describe, expect, it } from 'vitest';
import { outWriteFailure, OutDirError } from '../traces/out-dir.ts';
import { exitCodeOf } from '../scripts/exit-code.ts';

/** An error as node:fs throws it: `code` and the message that starts with it. */
const sysError = (code: string, text: string, syscall = 'write') => Object.assign(new Error(`${code}: ${text}, ${syscall}`), { code, syscall });

/** The storage refused the write: what every command says in one line. */
const STORAGE = [
  sysError('ENOSPC', 'no space left on device'),
  sysError('EDQUOT', 'disk quota exceeded'),
  sysError('EFBIG', 'file too large'),
  sysError('EROFS', 'read-only file system', 'open'),
  sysError('EIO', 'i/o error'),
];

/** System errors that are not the storage refusing a write. */
const OTHER_SYSTEM = [
  sysError('EACCES', 'permission denied', 'open'),
  sysError('EPERM', 'operation not permitted', 'rename'),
  sysError('EMFILE', 'too many open files', 'open'),
  sysError('ENOENT', 'no such file or directory', 'open'),
];

/** Errors with no string `code`, and values that are not errors. */
const NOT_SYSTEM: unknown[] = [new Error('a bug'), new OutDirError('--out x: refused; choose a new directory'), Object.assign(new Error('numeric'), { code: 28 }), 'a string', undefined, null];

/** Expects `r` to be the OutDirError (exit 2) with exactly `message`. */
function expectOutDirError(r: unknown, message: string): void {
  expect(r).toBeInstanceOf(OutDirError);
  expect((r as Error).message).toBe(message);
  expect(exitCodeOf(r)).toBe(2);
}

describe('outWriteFailure', () => {
  it('by default (report, compare): a write the storage refused is `cannot write it`, each kind with its own message', () => {
    const expected = [
      '--out /r/out: cannot write it (ENOSPC: no space left on device, write); nothing was kept there',
      '--out /r/out: cannot write it (EDQUOT: disk quota exceeded, write); nothing was kept there',
      '--out /r/out: cannot write it (EFBIG: file too large, write); nothing was kept there',
      '--out /r/out: cannot write it (EROFS: read-only file system, open); nothing was kept there',
      '--out /r/out: cannot write it (EIO: i/o error, write); nothing was kept there',
    ];
    STORAGE.forEach((e, i) => expectOutDirError(outWriteFailure(e, '/r/out'), expected[i]!));
    STORAGE.forEach((e, i) => expectOutDirError(outWriteFailure(e, '/r/out', { kinds: 'storage' }), expected[i]!));
  });

  it('by default: any other error (a permission, too many files, a bug, an OutDirError, a non-error) is left as it is', () => {
    for (const e of [...OTHER_SYSTEM, ...NOT_SYSTEM]) expect(outWriteFailure(e, '/r/out')).toBe(e);
  });

  it("kinds 'system' (a run's result files): every error with a string code, the storage's and the others', is `cannot write WHAT`", () => {
    const o = { what: 'the results', kinds: 'system' } as const;
    const expected = [
      '--out results/a: cannot write the results (ENOSPC: no space left on device, write); nothing was kept there',
      '--out results/a: cannot write the results (EDQUOT: disk quota exceeded, write); nothing was kept there',
      '--out results/a: cannot write the results (EFBIG: file too large, write); nothing was kept there',
      '--out results/a: cannot write the results (EROFS: read-only file system, open); nothing was kept there',
      '--out results/a: cannot write the results (EIO: i/o error, write); nothing was kept there',
      '--out results/a: cannot write the results (EACCES: permission denied, open); nothing was kept there',
      '--out results/a: cannot write the results (EPERM: operation not permitted, rename); nothing was kept there',
      '--out results/a: cannot write the results (EMFILE: too many open files, open); nothing was kept there',
      '--out results/a: cannot write the results (ENOENT: no such file or directory, open); nothing was kept there',
    ];
    [...STORAGE, ...OTHER_SYSTEM].forEach((e, i) => expectOutDirError(outWriteFailure(e, 'results/a', o), expected[i]!));
    // as it is now: Node's own ERR_* codes are strings too
    const arg = Object.assign(new TypeError('The "path" argument must be of type string'), { code: 'ERR_INVALID_ARG_TYPE' });
    expectOutDirError(outWriteFailure(arg, 'results/a', o), '--out results/a: cannot write the results (The "path" argument must be of type string); nothing was kept there');
  });

  it("kinds 'system': an error with no string code, an OutDirError or a non-error is left as it is", () => {
    for (const e of NOT_SYSTEM) expect(outWriteFailure(e, 'results/a', { what: 'the results', kinds: 'system' })).toBe(e);
  });
});
