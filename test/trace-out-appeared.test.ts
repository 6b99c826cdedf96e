/**
 * A file made at a trace output while the command ran (by the user, by another program, by the
 * program `record` runs) is never replaced: gen, import and convert check the output again as the
 * finished trace takes its place, and refuse a file they may not replace, exit 2, leaving it as
 * it is and no temporary file beside it. (test/trace-out-replace.test.ts has the refusals made
 * before any work; test/record.test.ts, record's.) And one writer of a trace output at a time:
 * a second is refused while the first holds its lock.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { TraceWriter } from '../traces/writer.ts';
import { TraceCacheWriter } from '../traces/cache-writer.ts';
import { placeFile } from '../traces/files.ts';
import { lockOut } from '../traces/out-lock.ts';

const GEN = ['gen', 'wal-append', '--set', 'duration_s=0.01'];
const MSR = '128166372003061629,usr,0,Write,0,8192,100\n128166372003161629,usr,0,Write,8192,4096,100\n';

/** A writer's finishing step: the output path and `close`. */
interface Finishing {
  path: string;
  close(): unknown;
}

/** Makes `content` at the output path just before the writer of `proto` finishes (as another program would while the command ran). */
function madeMeanwhile(proto: Finishing, content: string): void {
  const close = proto.close;
  vi.spyOn(proto, 'close').mockImplementation(function (this: Finishing) {
    writeFileSync(this.path, content);
    return close.call(this);
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a file made at the trace output while the command ran', () => {
  for (const [name, args, proto] of [
    ['gen', (d: string) => [...GEN, '-o', join(d, 't.csv')], TraceWriter.prototype],
    ['import', (d: string) => ['import', '--from', 'msr', join(d, 'm.csv'), '-o', join(d, 't.csv')], TraceWriter.prototype],
    ['convert', (d: string) => ['convert', join(d, 'g.csv'), '-o', join(d, 't.csv')], TraceCacheWriter.prototype],
  ] as const) {
    it(`${name}: is left as it is, exit 2, saying it was made meanwhile`, async () => {
      const d = mkdtempSync(join(tmpdir(), 'syncsim-appeared-'));
      writeFileSync(join(d, 'm.csv'), MSR);
      expect((await syncsimHere([...GEN, '-o', join(d, 'g.csv')])).code).toBe(0);
      madeMeanwhile(proto as unknown as Finishing, 'my notes\n');
      const r = await syncsimHere([...args(d), '-q']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`it was made there while syncsim ${name} ran; it is left as it is, and the trace was not written`);
      expect(readFileSync(join(d, 't.csv'), 'utf8')).toBe('my notes\n');
      expect(readdirSync(d).sort()).toEqual(['g.csv', 'm.csv', 't.csv']);
    });
  }

  it("a trace of the command's own kind made meanwhile is replaced, as one there before would be", async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-appeared-'));
    expect((await syncsimHere([...GEN, '--seed', '2', '-o', join(d, 'other.csv')])).code).toBe(0);
    const other = readFileSync(join(d, 'other.csv'), 'utf8');
    madeMeanwhile(TraceWriter.prototype as unknown as Finishing, other);
    const r = await syncsimHere([...GEN, '-o', join(d, 't.csv'), '-q']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(readFileSync(join(d, 't.csv'), 'utf8')).toContain('--seed 1 ');
    expect(readdirSync(d).sort()).toEqual(['other.csv', 't.csv']);
  });
});

describe('placeFile', () => {
  it('links a missing path into place without asking; asks mayReplace about a file there, whose refusal keeps it', () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-place-'));
    const asked: string[] = [];
    writeFileSync(join(d, 'a.tmp'), 'new');
    placeFile(join(d, 'a.tmp'), join(d, 'a'), () => asked.push('a'));
    expect([readFileSync(join(d, 'a'), 'utf8'), asked]).toEqual(['new', []]);
    writeFileSync(join(d, 'b.tmp'), 'new');
    writeFileSync(join(d, 'b'), 'mine');
    expect(() => placeFile(join(d, 'b.tmp'), join(d, 'b'), () => { throw new Error('refused'); })).toThrow('refused');
    expect(readFileSync(join(d, 'b'), 'utf8')).toBe('mine');
    placeFile(join(d, 'b.tmp'), join(d, 'b'), () => asked.push('b'));
    expect([readFileSync(join(d, 'b'), 'utf8'), asked]).toEqual(['new', ['b']]);
    expect(readdirSync(d).sort()).toEqual(['a', 'b']);
  });
});

describe('one writer of a trace output at a time', () => {
  it('gen, import and convert refuse an output another writer holds, exit 2, and release their own lock when they end, failed or not', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-trace-lock-'));
    writeFileSync(join(d, 'm.csv'), MSR);
    expect((await syncsimHere([...GEN, '-o', join(d, 'g.csv')])).code).toBe(0);
    const out = join(d, 't.csv');
    const other = lockOut(out, 'gen', out, 'file');
    try {
      for (const args of [[...GEN, '-o', out], ['import', '--from', 'msr', join(d, 'm.csv'), '-o', out], ['convert', join(d, 'g.csv'), '-o', out]]) {
        const r = await syncsimHere([...args, '-q']);
        expect([r.code, r.stderr.replace(/since \S+\)/, 'since T)')], args[0]).toEqual([2, `syncsim: --out ${out}: locked by pid ${process.pid} on host ${hostname()} (syncsim gen, running since T); wait for it or choose another file\n`]);
      }
      // named as written, as their other refusals name it (before: always --out)
      for (const args of [[...GEN, '--output', out], ['import', '--from', 'msr', join(d, 'm.csv'), '--output', out], ['convert', join(d, 'g.csv'), '--output', out]]) {
        const r = await syncsimHere([...args, '-q']);
        expect([r.code, r.stderr], args[0]).toEqual([2, expect.stringMatching(new RegExp(`^syncsim: --output ${out}: locked by pid ${process.pid} on host `))]);
      }
    } finally {
      other.release();
    }
    expect(readdirSync(d).sort()).toEqual(['g.csv', 'm.csv']);
    // a writer refused at the end (a file made meanwhile) leaves no lock behind: the next one writes
    madeMeanwhile(TraceWriter.prototype as unknown as Finishing, 'my notes\n');
    expect((await syncsimHere([...GEN, '-o', out, '-q'])).code).toBe(2);
    vi.restoreAllMocks();
    rmSync(out);
    for (const args of [[...GEN, '-o', out], ['import', '--from', 'msr', join(d, 'm.csv'), '-o', join(d, 'i.csv')], ['convert', join(d, 'g.csv'), '-o', join(d, 'c.sst')]]) {
      expect((await syncsimHere([...args, '-q'])).code, args[0]).toBe(0);
    }
    expect(readdirSync(d).sort()).toEqual(['c.sst', 'g.csv', 'i.csv', 'm.csv', 't.csv']);
  });
});
