/**
 * The merge of record's per-process shim logs (scripts/record/merge-logs.ts): one log ordered by
 * timestamp, in sorted runs of bounded size merged from temporary files, the order that of a whole
 * sort; no compiler needed, unlike record.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { mergeLogFiles } from '../scripts/record/merge-logs.ts';

const dir = mkdtempSync(join(tmpdir(), 'syncsim-merge-logs-'));

describe('merging the per-process logs', () => {
  /** Merges `logs` (texts) as record does, with runs of `runLines`: the merged text and counts. */
  function merge(logs: string[], runLines?: number) {
    const d = mkdtempSync(join(dir, 'merge-'));
    const paths = logs.map((t, i) => {
      writeFileSync(join(d, `${i}.log`), t);
      return join(d, `${i}.log`);
    });
    const m = mergeLogFiles(paths, join(d, 'out'), d, { runLines });
    const text = readFileSync(join(d, 'out'), 'utf8');
    // nothing left behind but the logs and the merged one (the runs are removed)
    expect(readdirSync(d).sort()).toEqual([...logs.map((_, i) => `${i}.log`), 'out'].sort());
    return { ...m, text };
  }

  it('orders lines by timestamp, ties in log order, and drops cut lines', () => {
    const a = '10 5.000000100 mmap(0, 4096) = 0x1000 <0.1>\n10 5.000000300 msync(0x1000, 4096, MS_SYNC) = 0 <0.1>\n10 5.0000';
    const b = '11 5.000000200 fork() = 11 <0.0>\n11 5.000000300 msync(0x1000, 4096, MS_SYNC) = 0 <0.1>\n';
    for (const runLines of [undefined, 1, 2, 3]) {
      const m = merge([a, b], runLines);
      expect(m.text.split('\n').filter(Boolean).map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
        '10 5.000000100', '11 5.000000200', '10 5.000000300', '11 5.000000300',
      ]);
      expect(m).toMatchObject({ files: 2, lines: 4, calls: 4 });
    }
  });

  it('in runs of any size (bounded memory, where one string of the whole log broke past 512 MiB), the order of a whole sort', () => {
    // lines of several processes, each log out of order (threads write a call's line when it returns), ties included
    const line = fc.record({ s: fc.integer({ min: 1, max: 3 }), ns: fc.integer({ min: 0, max: 4 }), marker: fc.boolean() });
    fc.assert(fc.property(fc.array(fc.array(line, { maxLength: 12 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 7 }), (logs, runLines) => {
      const texts = logs.map((ls, f) => ls.map((l, at) => `${100 + f} ${l.s}.${String(l.ns).padStart(9, '0')} ${l.marker ? 'execve("?", [], []) = 0 <0>' : `msync(${at}) = 0 <0.1>`}\n`).join(''));
      const all = logs.flatMap((ls, f) => ls.map((l, at) => ({ ...l, f, at, text: texts[f]!.split('\n')[at]! })));
      all.sort((x, y) => x.s - y.s || x.ns - y.ns || x.f - y.f || x.at - y.at);
      const m = merge(texts, runLines);
      expect(m.text).toBe(all.map((l) => l.text + '\n').join(''));
      expect(m).toMatchObject({ files: logs.length, lines: all.length, calls: all.filter((l) => !l.marker).length });
    }), { numRuns: 60 });
  });

  it('removes each log once read when asked (record: its own scratch files), so the scratch space holds the log about twice at most, not three times', () => {
    const d = mkdtempSync(join(dir, 'remove-'));
    const a = join(d, 'a.log'), b = join(d, 'b.log');
    writeFileSync(a, '10 5.000000100 mmap(0, 4096) = 0x1000 <0.1>\n10 5.000000300 msync(0x1000, 4096, MS_SYNC) = 0 <0.1>\n');
    writeFileSync(b, '11 5.000000200 fork() = 11 <0.0>\n');
    // with runs of one line, the runs are written while the logs are read: both logs gone before the runs merge
    expect(mergeLogFiles([a, b], join(d, 'out'), d, { runLines: 1, removeRead: true })).toMatchObject({ files: 2, lines: 3 });
    expect(readdirSync(d)).toEqual(['out']);
    expect(readFileSync(join(d, 'out'), 'utf8').split('\n').map((l) => l.split(' ')[1])).toEqual(['5.000000100', '5.000000200', '5.000000300', undefined]);
  });

  it('a merged log the system writes only in part is an error, never a short file: under a file size limit of 256 KiB a 600 KiB merge fails', () => {
    const d = mkdtempSync(join(dir, 'limit-'));
    const line = (i: number) => `10 5.${String(i).padStart(9, '0')} msync(0x1000, 4096, MS_SYNC) = 0 <0.1>\n`;
    writeFileSync(join(d, 'a.log'), Array.from({ length: 12_000 }, (_, i) => line(i)).join(''));
    const mod = pathToFileURL(join(import.meta.dirname, '..', 'scripts', 'record', 'merge-logs.ts')).href;
    const code = `import { mergeLogFiles } from ${JSON.stringify(mod)}; import { statSync } from 'node:fs';
      try { mergeLogFiles([${JSON.stringify(join(d, 'a.log'))}], ${JSON.stringify(join(d, 'out'))}, ${JSON.stringify(d)}); console.log(JSON.stringify({ ok: true, size: statSync(${JSON.stringify(join(d, 'out'))}).size })); }
      catch (e) { console.log(JSON.stringify({ ok: false, code: e.code })); }`;
    // the limit is the shell's (ulimit -f counts KiB blocks); node, as it starts, ignores SIGXFSZ or dies of it: either way no success
    const r = spawnSync('bash', ['-c', `ulimit -f 256; exec "${process.execPath}" --import tsx --input-type=module -e "$0"`, code], { encoding: 'utf8', cwd: join(import.meta.dirname, '..') });
    const said = r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout.trim().split('\n').pop()!) as { ok: boolean; size?: number; code?: string };
    // before: { ok: true, size: 262144 }, the merged log cut at the limit without a word
    expect(said?.ok ?? false, `${r.stdout} ${r.stderr} ${r.signal ?? ''}`).toBe(false);
    if (said) expect(said.code).toBe('EFBIG');
    else expect(r.signal).toBe('SIGXFSZ');
  });
});
