/**
 * What the output-safety tests share (test/out-dir.test.ts, out-lock.test.ts,
 * trace-out-refusals.test.ts): a fresh working directory holding a user's
 * file, a snapshot of a directory to compare before and after, the check of
 * a refused `--out`, and the traces, markers and experiments they write.
 */
import { expect } from 'vitest';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The repository's root. */
export const ROOT = resolve(import.meta.dirname, '..');
/** The demo trace: a run of it succeeds in well under a second. */
export const DEMO = join(ROOT, 'traces', 'examples', 'demo.csv');
/** A trace whose first row is malformed: replaying it fails at once with `FILE:3: column op`. */
/** A small trace of stores and MS_SYNC msyncs to one file: results of every kind, in a fraction of the demo's time. */
export const SMALL_TRACE = 't_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000000,65536,,f,0\n10,a,write,0x10000000,8192,,,\n20,a,msync,0x10000000,65536,SYNC,,\n'
  + '30,a,write,0x10002000,4096,,,\n40,a,msync,0x10000000,65536,SYNC,,\n';

export const BAD_TRACE = '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,fly,0x1000,1,,,\n';
/** The `.syncsim` marker `command` writes (of a syncsim that listed no files in it). */
export const MARK = (command: string) => JSON.stringify({ command, version: '0.1.0' }) + '\n';

/** A fresh working directory holding a user's file `user.txt`. */
export function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-out-'));
  writeFileSync(join(d, 'user.txt'), 'precious\n');
  return d;
}

/** Writes each file of `files` (a path relative to `dir`, `/`-separated: its content) under `dir`, making its directories. */
export function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** Every path under `dir` (links not followed) with its content, to compare before and after. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(join(dir, r));
      if (st.isSymbolicLink()) out[r] = `-> ${readlinkSync(join(dir, r))}`;
      else if (st.isDirectory()) {
        out[r] = 'dir';
        walk(r);
      } else out[r] = readFileSync(join(dir, r), 'utf8');
    }
  };
  walk('');
  return out;
}

/** Expects a refusal of `--out shown` for `why`: exit 2, one line on standard error, nothing on standard output. */
export function expectRefused(r: { code: number | null; stderr: string; stdout: string }, shown: string, why: RegExp | string, noun = 'directory') {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  expect(r.stderr).toMatch(new RegExp(`^syncsim: --out ${esc(shown)}: .+; choose a new ${noun}\\n$`));
  if (typeof why === 'string') expect(r.stderr).toContain(why);
  else expect(r.stderr).toMatch(why);
}

/** An experiment named `name` of one run on `trace` (a path relative to the working directory, or absolute). */
export function experiment(name: string, trace: string): string {
  return `name: ${name}\ntrace: { path: ${trace} }\nseeds: 1\nmetrics: [sync.count]\n`;
}
