/**
 * `syncsim sweep --dry-run` reads its trace file once: the read that checks its rows also hashes
 * its bytes (the runs' ids) and keeps its first ones (the page size its header names), where it
 * read the file whole twice (once to hash it, once to check it) and its head a third time. The
 * reads are counted in a spawned CLI by a preload (test/workers/count-reads.cjs) that sees every
 * way node:fs opens and reads a file; the listing is the one the plan made with its own reads
 * gives. And FileDigest (traces/byte-tap.ts), which hashes the bytes a reader reads, in order.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { syncsimHere } from './cli-here.ts';
import { ROOT, workdir } from './out-fixtures.ts';
import { readExperiment } from '../scripts/sweep/experiment.ts';
import { makePlan } from '../scripts/sweep/plan.ts';
import { SNIFF_BYTES } from '../traces/binary-sniff.ts';
import { FileDigest } from '../traces/byte-tap.ts';
import { HEADER_BYTES } from '../traces/cache.ts';

const BIN = join(ROOT, 'scripts', 'syncsim.mjs');
const COUNT_READS = join(ROOT, 'test', 'workers', 'count-reads.cjs');

/** A trace of about 280 KB: more than one read of the csv-parse pass, many times a head's 4 KiB. */
function trace(): string {
  const lines = ['# syncsim-trace v1', 't_us,task,op,addr,len,flags,object,offset', '0,a,map,0x1000,0x400000,,f,0'];
  for (let i = 1; i <= 10_000; i++) lines.push(i % 50 === 0 ? `${i},a,msync,0x1000,0x400000,SYNC,,` : `${i},a,write,0x${(0x1000 + ((i * 4096) % 0x400000)).toString(16)},100,,,`);
  return lines.join('\n') + '\n';
}

/** `syncsim ARGS` in `cwd`, the bytes read from `watched` counted: its exit code, output, and the bytes each opening of the file read. */
function countingReads(args: string[], cwd: string, watched: string) {
  const counts = join(cwd, 'counts.json');
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require "${COUNT_READS}"`, SYNCSIM_TEST_COUNT_PATH: watched, SYNCSIM_TEST_COUNT_OUT: counts };
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, opens: JSON.parse(readFileSync(counts, 'utf8')) as number[] };
}

describe('sweep --dry-run reads its trace once', () => {
  it('a CSV, a gzipped CSV and a binary cache: one opening reads the file, whole; the listing is the plan\'s', async () => {
    const d = workdir();
    writeFileSync(join(d, 't.csv'), trace());
    writeFileSync(join(d, 'tz.csv.gz'), gzipSync(trace()));
    const c = await syncsimHere(['convert', 't.csv', '-o', 't.sst'], d);
    expect(c.code, c.stderr).toBe(0);
    for (const file of ['t.csv', 'tz.csv.gz', 't.sst']) {
      const exp = join(d, `${file}.yaml`);
      writeFileSync(exp, `name: once\ntrace: { path: ${file} }\ngrid:\n  pager.cluster_pages: [8, 16]\nseeds: 2\n`);
      const r = countingReads(['sweep', exp, '--out', 'OUT', '--dry-run'], d, join(d, file));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      // the other openings look at what the file is, reading none of it or its first bytes only
      // (a cache's magic: 8, gzip's: 2, a cache's header: HEADER_BYTES, the reader's look at a CSV's first bytes, which tells
      // gzip and binary files: SNIFF_BYTES); it used to be read whole twice, and its first 4 KiB once more
      const size = statSync(join(d, file)).size;
      const small = Math.max(HEADER_BYTES, SNIFF_BYTES);
      expect(r.opens.filter((n) => n > small), file).toEqual([size]);
      expect(r.opens.filter((n) => n <= small).every((n) => [0, 2, 8, SNIFF_BYTES, HEADER_BYTES].includes(n)), `${file}: ${r.opens}`).toBe(true);
      // the run ids hash the file's bytes: those of a plan that reads the file apart
      const plan = await makePlan(readExperiment(exp));
      const lines = plan.runs.map((run) => `${run.id}  point=${run.point}  seed=${run.seed}  pager.cluster_pages=${plan.points[run.point - 1]!.values[0]}  pending\n`);
      expect(r.stdout, file).toBe(`experiment once: 2 points x 2 seeds = 4 runs; results in OUT\n${lines.join('')}`);
    }
  }, 60_000);
});

describe('FileDigest', () => {
  it('hashes the bytes seen in order, those read ahead when their turn comes, and starts again on restart', () => {
    const bytes = Buffer.from(trace());
    const sha = createHash('sha256').update(bytes).digest('hex');
    const at = [0, 64, 1000, 4096, 50_000, bytes.length];
    const pieces = at.slice(1).map((end, i) => ({ pos: at[i]!, bytes: bytes.subarray(at[i], end) }));

    const inOrder = new FileDigest(4096);
    for (const p of pieces) inOrder.seen(p.bytes, p.pos);
    expect(inOrder.sha256(bytes.length)).toBe(sha);
    expect(inOrder.firstBytes(bytes.length)).toEqual(bytes.subarray(0, 4096));

    // a cache reads its table of names (its end) before its blocks
    const ahead = new FileDigest(4096);
    for (const p of [pieces[0]!, pieces[4]!, pieces[1]!, pieces[2]!, pieces[3]!]) ahead.seen(p.bytes, p.pos);
    expect(ahead.sha256(bytes.length)).toBe(sha);

    // a read that stops short, then one from the start (the reader's csv-parse pass): only the second counts
    const again = new FileDigest(4096);
    again.seen(pieces[0]!.bytes, 0);
    again.seen(pieces[1]!.bytes, 64);
    expect(again.sha256(bytes.length)).toBeUndefined();
    again.restart();
    again.seen(bytes, 0);
    expect(again.sha256(bytes.length)).toBe(sha);
    expect(again.firstBytes(bytes.length)).toEqual(bytes.subarray(0, 4096));

    // a gap: not the file's hash
    const gap = new FileDigest(4096);
    for (const p of [pieces[0]!, pieces[2]!, pieces[3]!, pieces[4]!]) gap.seen(p.bytes, p.pos);
    expect(gap.sha256(bytes.length)).toBeUndefined();
    expect(gap.firstBytes(bytes.length)).toBeUndefined();
    // a file shorter than the head
    const small = new FileDigest(4096);
    small.seen(bytes.subarray(0, 10), 0);
    expect(small.firstBytes(10)).toEqual(bytes.subarray(0, 10));
    expect(small.sha256(10)).toBe(createHash('sha256').update(bytes.subarray(0, 10)).digest('hex'));
  });
});
