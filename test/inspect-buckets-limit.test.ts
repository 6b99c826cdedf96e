/**
 * `syncsim inspect --buckets N` has a ceiling, 1,000,000 (MAX_RATE_BUCKETS): a larger N is
 * refused as bad input (exit 2, the range named) before the trace is read, where it used to
 * reach the allocation of the buckets and fail there as an internal error (user trial 200:
 * `--buckets 100000000000` a RangeError of Float64Array's length, 2^32 a failed allocation).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_RATE_BUCKETS, RateBuckets } from '../traces/sketches.ts';
import { syncsimHere } from './cli-here.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-inspect-buckets-'));

/** A trace in `dir` whose last row is refused when read: an error about it shows the trace was read. */
function unreadableRow(dir: string): string {
  const p = join(dir, 'bad.csv');
  writeFileSync(p, '# syncsim-trace v1\nt_us,op,addr,len\n0,write,0x1000,4096\n5,scribble,0x1000,4096\n');
  return p;
}

describe('inspect --buckets: at most 1,000,000', () => {
  it.each(['100000000000', '4294967296', '1000002'])('--buckets %s is refused naming the range (exit 2), before the trace is read', async (n) => {
    const r = await syncsimHere(['inspect', unreadableRow(tmp()), '-q', '--buckets', n]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    // until 2026-12-08 the first two were internal errors (exit 1) with a stack; the third was taken
    expect(r.stderr).toBe(`syncsim: --buckets expects an even integer from 2 to 1,000,000 (got '${n}')\n`);
  });

  it('--buckets 1000000 is taken: the trace is read (here, to its refused row)', async () => {
    const r = await syncsimHere(['inspect', unreadableRow(tmp()), '-q', '--buckets', '1000000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv:4: column op: unknown op/);
  });

  it('the help names the range', async () => {
    expect((await syncsimHere(['inspect', '--help'])).stdout).toMatch(/--buckets N +write-rate buckets, an even N from 2 to 1,000,000:/);
  });

  it('RateBuckets refuses more than MAX_RATE_BUCKETS with the range, not an allocation that fails', () => {
    expect(MAX_RATE_BUCKETS).toBe(1_000_000);
    expect(() => new RateBuckets(1e11)).toThrow('maxBuckets must be an even integer from 2 to 1000000, got 100000000000');
    expect(() => new RateBuckets(MAX_RATE_BUCKETS + 2)).toThrow(RangeError);
    expect(new RateBuckets(MAX_RATE_BUCKETS).buckets()).toEqual([]);
  });
});
