/**
 * A record shim the C compiler cannot build: one line naming the source and the compiler's last
 * lines (an error message's control characters are shown escaped, so the compiler's newlines
 * came out as literal `\n`), a bad-input error (exit 2), and nothing left in the cache.
 */
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildShim } from '../scripts/record/record.ts';
import { InputError } from '../scripts/errors.ts';

describe('record shim build', () => {
  it("a compiler that fails: one line with its last lines joined, InputError, no file left", () => {
    const bin = mkdtempSync(join(tmpdir(), 'syncsim-fake-cc-'));
    const cache = mkdtempSync(join(tmpdir(), 'syncsim-shim-cache-'));
    // a `cc` that answers --version and fails to compile with three lines on stderr
    writeFileSync(join(bin, 'cc'), '#!/bin/sh\nif [ "$1" = --version ]; then echo fake-cc 1.0; exit 0; fi\necho "shim.c:1:1: error: one" >&2\necho "" >&2\necho "shim.c:2:1: error: two" >&2\necho "2 errors generated." >&2\nexit 1\n');
    chmodSync(join(bin, 'cc'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      let err: unknown;
      try {
        buildShim(cache);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      const msg = (err as Error).message;
      expect(msg).not.toContain('\n');
      expect(msg).toMatch(/^cc could not build the record shim from .*shim\.c: shim\.c:1:1: error: one \| shim\.c:2:1: error: two \| 2 errors generated\.$/);
      expect(readdirSync(cache)).toEqual([]);
    } finally {
      process.env.PATH = path;
    }
  });
});
