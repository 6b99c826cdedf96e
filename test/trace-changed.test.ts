/**
 * A trace written to while it is read — truncated, appended to, rewritten in
 * place, or replaced by another file under its name — is an error of the
 * trace (exit 2), not a shorter trace: a run of a trace cut at a line's end
 * used to replay the rows read so far as if they were the whole trace and exit
 * 0, and an import of an input cut so wrote a whole, shorter trace. A trace
 * removed while it is read is read to its end (what was open stays whole).
 * Each case reads in small chunks and changes the file after the first
 * block, so the change falls mid-read.
 */
import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { readTraceBlocks } from '../traces/reader.ts';
import { readLines } from '../traces/import/lines.ts';
import { TraceError } from '../traces/trace-error.ts';

const HEADER = 't_us,task,op,addr,len,flags,object,offset\n';
/** A trace of `n` rows after its map, writes and every 50th an msync; `quoted`: its last row's task quoted, so that csv-parse reads the file (the reader's second pass). */
function trace(n: number, quoted = false): string {
  const rows = ['0,a,map,0x10000000,0x100000,,f,0'];
  for (let i = 1; i <= n; i++) {
    rows.push(i % 50 === 0 ? `${i},a,msync,0x10000000,0x100000,SYNC,,` : `${i},${quoted && i === n ? '"a"' : 'a'},write,0x${(0x10000000 + (i % 256) * 4096).toString(16)},64,,,`);
  }
  return HEADER + rows.join('\n') + '\n';
}

/** Reads `path` in 4 KiB chunks and blocks of 16 rows, calling `change` once after the first block; the rows read, or the error. */
async function readChanging(path: string, change: () => void): Promise<{ rows: number } | { error: unknown }> {
  let rows = 0;
  let changed = false;
  try {
    for await (const b of readTraceBlocks(path, { batchSize: 16, chunkBytes: 4096 })) {
      rows += b.length;
      b.release();
      if (!changed) {
        changed = true;
        change();
      }
    }
  } catch (error) {
    return { error };
  }
  return { rows };
}

/** The byte offset just past line `line` (1-based) of `text`: a cut there leaves whole lines. */
const endOfLine = (text: string, line: number) => text.split('\n').slice(0, line).join('\n').length + 1;

describe('a trace that changes while it is read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'syncsim-trace-changed-'));

  it.each([
    { what: 'truncated at the end of a line', quoted: false, change: (p: string, text: string) => truncateSync(p, endOfLine(text, 2000)), how: /its size went from \d+ to \d+ bytes/ },
    { what: 'appended to', quoted: false, change: (p: string) => appendFileSync(p, '999999,a,write,0x10000000,64,,,\n'), how: /its size went from/ },
    { what: 'rewritten in place, the same size', quoted: false, change: (p: string, text: string) => (writeFileSync(p, text.replace(',a,write,', ',b,write,')), utimesSync(p, new Date(), new Date(Date.now() + 5000))), how: /its modification time changed/ },
    { what: 'replaced by another file under its name', quoted: false, change: (p: string, text: string) => (writeFileSync(`${p}.new`, text), renameSync(`${p}.new`, p)), how: /another file took its name/ },
    { what: 'truncated, read by csv-parse (quotes)', quoted: true, change: (p: string, text: string) => truncateSync(p, endOfLine(text, 2000)), how: /its size went from/ },
  ])('$what: a TraceError naming the file, not a shorter trace', async ({ quoted, change, how }) => {
    const p = join(dir, `t${Math.random().toString(36).slice(2)}.csv`);
    const text = trace(20_000, quoted);
    writeFileSync(p, text);
    const r = await readChanging(p, () => change(p, text));
    expect('error' in r, 'the read ended without an error').toBe(true);
    const e = (r as { error: unknown }).error;
    expect(e).toBeInstanceOf(TraceError);
    expect((e as TraceError).message).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: the trace changed while it was being read \\(`));
    expect((e as TraceError).message).toMatch(how);
  });

  it('removed while it is read: read to its end, every row', async () => {
    const p = join(dir, 'removed.csv');
    writeFileSync(p, trace(20_000));
    expect(await readChanging(p, () => rmSync(p))).toEqual({ rows: 20_001 });
  });

  it('an importer\'s input truncated while it is read: a TraceError naming it', async () => {
    const p = join(dir, 'in.msr');
    const text = Array.from({ length: 20_000 }, (_, i) => `${128166372000000000 + i * 1000},usr,0,Write,${i * 4096},4096,100`).join('\n') + '\n';
    writeFileSync(p, text);
    let lines = 0;
    let error: unknown;
    try {
      for await (const b of readLines(p, { batchSize: 16 })) {
        if (lines === 0) truncateSync(p, endOfLine(text, 2000));
        lines += b.lines.length;
      }
    } catch (e) {
      error = e;
    }
    expect(error, `read ${lines} lines without an error`).toBeInstanceOf(TraceError);
    expect((error as TraceError).message).toMatch(/^.*in\.msr:\d+: the input changed while it was being read \(its size went from \d+ to \d+ bytes\)/);
  });

  it('syncsim import of an input truncated mid-import: exit 2, no trace written', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-trace-changed-import-'));
    const text = Array.from({ length: 1_000_000 }, (_, i) => `${128166372000000000 + i * 1000},usr,0,Write,${(i % 262144) * 4096},4096,100`).join('\n') + '\n';
    writeFileSync(join(d, 'in.msr'), text);
    const bin = join(resolve(import.meta.dirname, '..'), 'scripts', 'syncsim.mjs');
    const child = spawn(process.execPath, [bin, 'import', '--from', 'msr', 'in.msr', '-o', 'out.csv'], { cwd: d, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    // once its output has rows, the import has read part of the input: cut it at a line's end
    const tmp = () => readdirSync(d).find((n) => n.startsWith('out.csv.tmp-'));
    for (let i = 0; i < 2000 && child.exitCode === null; i++) {
      const t = tmp();
      if (t !== undefined && statSync(join(d, t)).size > 1_000_000) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    truncateSync(join(d, 'in.msr'), endOfLine(text, 500_000));
    expect(await code, stderr).toBe(2);
    expect(stderr).toMatch(/^syncsim: in\.msr:\d+: the input changed while it was being read \(its size went from \d+ to \d+ bytes\)/);
    expect(readdirSync(d)).toEqual(['in.msr']);
  }, 60_000);

  it('syncsim run of a trace truncated mid-run: exit 2 with that line, no results', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-trace-changed-run-'));
    const text = trace(600_000);
    writeFileSync(join(d, 't.csv'), text);
    const bin = join(resolve(import.meta.dirname, '..'), 'scripts', 'syncsim.mjs');
    const child = spawn(process.execPath, [bin, 'run', 't.csv', '--out', 'R', '--no-cache'], { cwd: d, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    // once its writes' results are being written, the run has read part of the trace: cut it at a line's end
    // (writeback.csv, the largest file: once the writer thread has the files it writes them in chunks of 512 KiB,
    // and syncs.csv's first chunk can come at the end of the run)
    for (let i = 0; i < 2000 && child.exitCode === null; i++) {
      try {
        if (statSync(join(d, `.R.tmp-${child.pid}`, 'writeback.csv')).size > 100_000) break;
      } catch {
        // not yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    truncateSync(join(d, 't.csv'), endOfLine(text, 300_000));
    expect(await code, stderr).toBe(2);
    expect(stderr).toMatch(/^syncsim: t\.csv:\d+: the trace changed while it was being read \(its size went from \d+ to \d+ bytes\)/);
    expect(stderr.split('\n')).toHaveLength(2);
    expect(readFileSync(join(d, 't.csv'), 'utf8').length).toBe(endOfLine(text, 300_000));
    expect(() => readFileSync(join(d, 'R', 'summary.json'))).toThrow();
  }, 60_000);
});
