/**
 * A sweep's tables edited by hand (a user trial, 2026-12-08: a note appended
 * to results.csv) were written over without a word by the next sweep into
 * that directory, or a merge into it, though a sweep "replaces nothing of
 * what it did not write"; so was its copy of the experiment (experiment.yaml).
 * The sweep now records the tables it writes (results.csv, aggregate.csv,
 * warnings.txt) and that copy in its `.syncsim` marker, and
 * one changed since is refused before anything runs: exit 2, one line naming
 * it, the file as the user left it.
 */
import { describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { SMALL_TRACE, workdir } from './out-fixtures.ts';

describe("a sweep's tables edited by hand", () => {
  it('are refused, not rewritten, by the sweep run again and by a merge into the directory; untouched tables are rewritten as before', async () => {
    const d = workdir();
    writeFileSync(join(d, 't.csv'), SMALL_TRACE);
    writeFileSync(join(d, 'e.yaml'), 'name: e\ntrace: { path: t.csv }\nseeds: 2\nmetrics: [sync.latency_us.p99]\n');
    const sweep = () => syncsimHere(['sweep', 'e.yaml', '--out', 'S', '--no-cache', '-q'], d);
    expect((await sweep()).code).toBe(0);
    // the marker records each table (its size, and a hash of its bytes)
    const marker = JSON.parse(readFileSync(join(d, 'S', '.syncsim'), 'utf8'));
    expect(marker.command).toBe('sweep');
    expect(Object.keys(marker.stamps).sort()).toEqual(['aggregate.csv', 'experiment.yaml', 'results.csv', 'warnings.txt']);
    expect(marker.stamps['results.csv'][0]).toBe(readFileSync(join(d, 'S', 'results.csv')).length);
    // run again, nothing edited: it rewrites the tables, exit 0
    expect((await sweep()).code).toBe(0);
    // a note appended to results.csv: the sweep refuses, and the note is still there
    appendFileSync(join(d, 'S', 'results.csv'), '# seed 2 ran on the other machine\n');
    const edited = readFileSync(join(d, 'S', 'results.csv'), 'utf8');
    const r = await sweep();
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('syncsim: --out S: results.csv changed since syncsim wrote it, and sweep would write it again; move it out of the directory (or delete it) to keep your changes, then run the same command again\n');
    expect(readFileSync(join(d, 'S', 'results.csv'), 'utf8')).toBe(edited);
    // the edited table moved away, the sweep writes it again
    rmSync(join(d, 'S', 'results.csv'));
    expect((await sweep()).code).toBe(0);
    // merged into M, whose aggregate.csv is then edited: the next merge refuses likewise
    expect((await syncsimHere(['merge', 'S', '--out', 'M'], d)).code).toBe(0);
    writeFileSync(join(d, 'M', 'aggregate.csv'), 'mine\n');
    const m = await syncsimHere(['merge', 'S', '--out', 'M'], d);
    expect([m.code, m.stderr]).toEqual([2, 'syncsim: --out M: aggregate.csv changed since syncsim wrote it, and merge would write it again; move it out of the directory (or delete it) to keep your changes, then run the same command again\n']);
    expect(readFileSync(join(d, 'M', 'aggregate.csv'), 'utf8')).toBe('mine\n');
    // the copy of the experiment the sweep keeps, annotated: refused alike, the note kept
    appendFileSync(join(d, 'S', 'experiment.yaml'), '# run on the lab machine\n');
    const copy = readFileSync(join(d, 'S', 'experiment.yaml'), 'utf8');
    const y = await sweep();
    expect([y.code, y.stderr]).toEqual([2, 'syncsim: --out S: experiment.yaml changed since syncsim wrote it, and sweep would write it again; move it out of the directory (or delete it) to keep your changes, then run the same command again\n']);
    expect(readFileSync(join(d, 'S', 'experiment.yaml'), 'utf8')).toBe(copy);
  }, 120_000);
});
