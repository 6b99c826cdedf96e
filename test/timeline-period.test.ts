/**
 * The timeline's period against the length of the trace: a new user's 40 k-row MSR trace of
 * 20,000 s stopped after simulating 10,000 s (the timeline's limit of 10 M rows at 1 ms), late,
 * and the message named no value. A trace whose end is known before the run (a plain CSV's last
 * row, a binary cache, a gzip trace cached first) now samples at a period chosen for its length
 * when stats.sample_us is not set; a period set that would pass the limit is refused before the
 * run with a value to use; the late error names one too; short traces are sampled as before.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkGivenPeriod, chosenPeriodUs, MAX_TIMELINE_ROWS, TARGET_TIMELINE_ROWS, timelineRows } from '../sim/stats/timeline-period.ts';
import { cacheEndUs, csvEndUs } from '../traces/trace-end.ts';
import { ConfigError } from '../sim/config-error.ts';
import { syncsimHere } from './cli-here.ts';
import { replay } from '../scripts/lib.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEMO = join(ROOT, 'traces/examples/demo.csv');
const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-period-'));

/** A trace of a store and an msync every `everyS` seconds up to `endS` seconds. */
function longTrace(endS: number, everyS: number): string {
  const rows = ['# syncsim-trace v1', 't_us,task,op,addr,len,flags,object,offset', '0,a,map,0x10000000,65536,,f,0'];
  for (let t = everyS; t <= endS; t += everyS) rows.push(`${t * 1e6},a,write,0x10000000,4096,,,`, `${t * 1e6},a,msync,0x10000000,4096,SYNC,,`);
  return rows.join('\n') + '\n';
}

describe('the period chosen for a trace\'s length', () => {
  it('keeps 1 ms up to about 1,000 s, then the smallest of 2, 5, 10, 20 ms ... within 1,000,000 rows', () => {
    const table: [number, number][] = [
      [0, 1000], [240_000, 1000], [999_997_000, 1000], [999_999_000, 2000], [1_999_990_000, 2000], [2_500_000_000, 5000],
      [10_000_513_119, 20_000], [19_889_175_674, 20_000], [86_400_000_000, 100_000],
    ];
    for (const [endUs, periodUs] of table) expect([endUs, chosenPeriodUs(endUs)]).toEqual([endUs, periodUs]);
  });

  it('is the smallest candidate whose timeline stays within the target (property)', () => {
    const candidates = [1, 2, 5].flatMap((m) => [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10].map((d) => m * d)).sort((a, b) => a - b);
    fc.assert(fc.property(fc.integer({ min: 0, max: Math.floor(2 ** 53 / 1000) }), (endUs) => {
      const p = chosenPeriodUs(endUs);
      expect(candidates).toContain(p);
      if (p < 86_400_000_000) expect(timelineRows(endUs, p)).toBeLessThanOrEqual(TARGET_TIMELINE_ROWS);
      const smaller = candidates.filter((c) => c < p);
      if (smaller.length) expect(timelineRows(endUs, smaller[smaller.length - 1]!)).toBeGreaterThan(TARGET_TIMELINE_ROWS);
    }));
  });

  it('a period given that would pass the limit over the trace is refused with the period chosen for it', () => {
    expect(() => checkGivenPeriod(1000, 9_999_000_000)).not.toThrow();
    let err: unknown;
    try {
      checkGivenPeriod(1000, 19_889_175_674);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe("config: key 'stats.sample_us': a row every 1000 µs would give the timeline 19,889,177 rows over the trace, which ends at 19889.175674 s, "
      + `past its limit of ${MAX_TIMELINE_ROWS.toLocaleString('en-US')}; raise stats.sample_us, e.g. to 20000 (994,460 rows), or leave it unset: a run then chooses it from the trace's end`);
  });
});

describe('the end of a trace known before the run', () => {
  it('a plain CSV: its last row, comments and blank lines after it skipped, CR LF or LF, whatever the column order', () => {
    const d = tmp();
    const put = (name: string, text: string) => (writeFileSync(join(d, name), text), join(d, name));
    expect(csvEndUs(DEMO)).toBe(Number(readFileSync(DEMO, 'utf8').trim().split('\n').at(-1)!.split(',')[0]));
    expect(csvEndUs(put('a.csv', 'op,addr,len,t_us\r\nmap,0,4096,0\r\nwrite,0,4096,12.5\r\n# done\r\n\r\n'))).toBe(12.5);
    expect(csvEndUs(put('b.csv', '# syncsim-trace v1\nt_us,op,addr,len\n'))).toBeUndefined(); // no rows
    expect(csvEndUs(put('c.csv', 't_us,op,addr,len,x_note\n0,write,0,4096,"a\n7,b"\n'))).toBeUndefined(); // a quoted line break
    expect(csvEndUs(put('d.csv.gz', gzipSync(longTrace(10, 1)) as unknown as string))).toBeUndefined();
  });

  it('a binary cache: its last block\'s last time', async () => {
    const d = tmp();
    writeFileSync(join(d, 't.csv'), longTrace(200_000, 1));
    expect((await syncsimHere(['convert', join(d, 't.csv'), '-o', join(d, 't.sst')])).code).toBe(0);
    expect(cacheEndUs(join(d, 't.sst'))).toBe(200_000e6);
    expect(cacheEndUs(join(d, 't.csv'))).toBeUndefined();
  });
});

describe('run and sweep', () => {
  it('the demo trace is sampled every 1 ms as before: the same files as with stats.sample_us=1000 set, and no note', async () => {
    const d = tmp();
    const auto = await syncsimHere(['run', DEMO, '--out', join(d, 'auto'), '--no-cache']);
    const set = await syncsimHere(['run', DEMO, '--out', join(d, 'set'), '--no-cache', '--set', 'stats.sample_us=1000']);
    expect(auto.stderr).not.toContain('stats.sample_us');
    for (const f of readdirSync(join(d, 'set')).filter((x) => x.endsWith('.csv'))) expect(readFileSync(join(d, 'auto', f)).equals(readFileSync(join(d, 'set', f)))).toBe(true);
    expect(JSON.parse(readFileSync(join(d, 'auto', 'summary.json'), 'utf8')).config.stats.sample_us).toBe(1000);
    expect(set.code).toBe(0);
  });

  it('a 2,500 s trace: sampled every 5 ms, said on stderr and in summary.json; set to 200 µs, refused before the run, nothing written', async () => {
    const d = tmp();
    writeFileSync(join(d, 'long.csv'), longTrace(2500, 10));
    const r = await syncsimHere(['run', 'long.csv', '--out', 'r', '--no-cache', '--results', 'timeline'], d);
    expect(r.code).toBe(0);
    // (--results timeline: the note names the one sampled file the run writes)
    expect(r.stderr).toContain("syncsim: note: timeline.csv has a row every 5000 µs (stats.sample_us, chosen for the trace's 2500 s: at most about 1,000,000 rows; summary.json config.stats.sample_us); --set stats.sample_us=N chooses another\n");
    expect(JSON.parse(readFileSync(join(d, 'r', 'summary.json'), 'utf8')).config.stats.sample_us).toBe(5000);
    const rows = readFileSync(join(d, 'r', 'timeline.csv'), 'utf8').trim().split('\n');
    expect(rows[2]!.split(',')[0]).toBe('5000');
    expect(rows.length - 1).toBeLessThanOrEqual(TARGET_TIMELINE_ROWS);
    const refused = await syncsimHere(['run', 'long.csv', '--out', 'r2', '--set', 'stats.sample_us=200'], d);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe("syncsim: config: key 'stats.sample_us': a row every 200 µs would give the timeline 12,500,002 rows over the trace, which ends at 2500.000000 s, past its limit of 10,000,000; "
      + "raise stats.sample_us, e.g. to 5000 (500,002 rows), or leave it unset: a run then chooses it from the trace's end\n");
    expect(readdirSync(d).sort()).toEqual(['long.csv', 'r']);
  });

  it('a trace refused on a row: no note of the period chosen, which would name files the run never writes (user trial 195)', async () => {
    const d = tmp();
    const long = longTrace(2500, 10).split('\n');
    // a bad op early in a long trace; a last row whose time is past the limit (the quick look at the end reads it)
    writeFileSync(join(d, 'early.csv'), [...long.slice(0, 3), '5,a,scribble,0x10000000,4096,,,', ...long.slice(3)].join('\n'));
    writeFileSync(join(d, 'late.csv'), longTrace(10, 10) + '99999999999999999999,a,write,0x10000000,4096,,,\n');
    for (const [trace, line] of [['early.csv', 4], ['late.csv', 6]] as const) {
      const r = await syncsimHere(['run', trace, '--out', `r-${trace}`, '--no-cache', '-q'], d);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^syncsim: ${trace}:${line}: column (op|t_us)`));
      expect(r.stderr).not.toContain('note');
    }
    expect(readdirSync(d).sort()).toEqual(['early.csv', 'late.csv']);
  });

  it("the note names only the sampled files the run writes (it named timeline.csv and durability.csv whatever --results chose), and is left out when it writes neither", async () => {
    const d = tmp();
    writeFileSync(join(d, 'long.csv'), longTrace(1500, 10));
    const note = (files: string) => `syncsim: note: ${files} a row every 2000 µs (stats.sample_us, chosen for the trace's 1500 s: at most about 1,000,000 rows; summary.json config.stats.sample_us); --set stats.sample_us=N chooses another\n`;
    const said = async (results: string[]) => {
      const r = await syncsimHere(['run', 'long.csv', '--out', `r-${(results[1] ?? 'all').replace(/,/g, '-')}`, '--no-cache', '-q', ...results], d);
      expect(r.code, r.stderr).toBe(0);
      return r.stderr.split(/(?<=\n)/).filter((l) => l.startsWith('syncsim: note:'));
    };
    expect(await said([])).toEqual([note('timeline.csv and durability.csv have')]);
    expect(await said(['--results', 'syncs,durability'])).toEqual([note('durability.csv has')]);
    expect(await said(['--results', 'report'])).toEqual([note('timeline.csv has')]);
    expect(await said(['--results', 'summary'])).toEqual([]);
    expect(await said(['--results', 'syncs,tasks'])).toEqual([]);
    expect(JSON.parse(readFileSync(join(d, 'r-summary', 'summary.json'), 'utf8')).config.stats.sample_us).toBe(2000);
  });

  it('a gzip trace is cached first, so its end is known; with --no-cache the late error names a value', async () => {
    const d = tmp();
    writeFileSync(join(d, 'long.csv.gz'), gzipSync(longTrace(10_500, 500)));
    const r = await syncsimHere(['run', 'long.csv.gz', '--out', 'r', '--results', 'summary'], d);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'r', 'summary.json'), 'utf8')).config.stats.sample_us).toBe(20_000);
    const late = await syncsimHere(['run', 'long.csv.gz', '--out', 'late', '--results', 'summary', '--no-cache'], d);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/^syncsim: config: key 'stats\.sample_us': the timeline would pass its limit of 10,000,000 rows at 10000\.\d+ s of simulated time \(a row every 1000 µs\); raise stats\.sample_us, e\.g\. to 20000 \([\d,]+ rows up to here, room for a run 10 times as long\)\n$/);
    expect(existsSync(join(d, 'late'))).toBe(false);
  });

  it('the library and a sweep choose it alike unless the configuration or the experiment sets it', async () => {
    const d = tmp();
    writeFileSync(join(d, 'long.csv'), longTrace(1500, 10));
    expect((await replay(join(d, 'long.csv'))).config.stats.sample_us).toBe(2000);
    expect((await replay(join(d, 'long.csv'), { out: join(d, 'lib'), results: 'summary' })).config.stats.sample_us).toBe(2000);
    expect((await replay(join(d, 'long.csv'), { set: { 'stats.sample_us': 4000 } })).config.stats.sample_us).toBe(4000);
    writeFileSync(join(d, 'e.yaml'), 'name: e\ntrace: { path: long.csv }\nseeds: 1\n');
    const s = await syncsimHere(['sweep', 'e.yaml', '--out', 'S', '--jobs', '1', '--results', 'summary'], d);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('1 run sampled the timeline every 2000 µs (stats.sample_us, chosen for the trace\'s length; summary.json config.stats.sample_us)\n');
    writeFileSync(join(d, 'g.yaml'), 'name: g\ntrace: { path: long.csv }\nbase: { stats: { sample_us: 1000 } }\nseeds: 1\n');
    const g = await syncsimHere(['sweep', 'g.yaml', '--out', 'G', '--jobs', '1', '--results', 'summary'], d);
    expect(g.code).toBe(0);
    expect(g.stdout).not.toContain('sampled the timeline');
    const run = readdirSync(join(d, 'G', 'runs'))[0]!;
    expect(JSON.parse(readFileSync(join(d, 'G', 'runs', run, 'summary.json'), 'utf8')).config.stats.sample_us).toBe(1000);
  });
});
