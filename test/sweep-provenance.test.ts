/**
 * The provenance a sweep's runs record: `provenance.command` is the sweep command the user typed
 * (or the library call), not the worker thread's own command line.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { sweep } from '../scripts/lib.ts';

const work = mkdtempSync(join(tmpdir(), 'syncsim-sweep-provenance-'));
writeFileSync(join(work, 'tiny.csv'), '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000,0x4000,,f,0\n1,a,write,0x10000,100,,,\n2,a,msync,0x10000,0x4000,SYNC,,\n');
writeFileSync(join(work, 'p.yaml'), 'name: prov\ntrace: { path: tiny.csv }\ngrid:\n  pager.cluster_pages: [8, 16]\nseeds: [1, 2]\nmetrics: [sync.count]\n');

/** provenance of every run's summary.json under sweep directory `dir`. */
const provenances = (dir: string) => readdirSync(join(dir, 'runs')).map((id) => JSON.parse(readFileSync(join(dir, 'runs', id, 'summary.json'), 'utf8')).provenance);

describe("a sweep run's provenance", () => {
  it('records the sweep command as typed, in every run, with the same fields as a run of its own', async () => {
    const args = ['sweep', 'p.yaml', '--out', 'cli', '--jobs', '2', '--no-cache'];
    const r = await syncsimHere(args, work);
    expect(r.code, r.stderr).toBe(0);
    const provs = provenances(join(work, 'cli'));
    expect(provs).toHaveLength(4);
    for (const p of provs) {
      expect(Object.keys(p)).toEqual(['trace_sha256', 'command', 'started_at', 'wall_s', 'host', 'node', 'syncsim_version']);
      expect(p.command).toEqual(['syncsim', ...args]);
    }
  }, 60_000);

  it('a library sweep records the call (or the command given)', async () => {
    const cwd = process.cwd();
    process.chdir(work);
    try {
      await sweep('p.yaml', { out: 'lib', jobs: 1 });
      for (const p of provenances(join(work, 'lib'))) expect(p.command).toEqual(['syncsim library', 'sweep', 'p.yaml']);
      await sweep('p.yaml', { out: 'mine', jobs: 1, command: ['my-driver', '--fast'] });
      for (const p of provenances(join(work, 'mine'))) expect(p.command).toEqual(['my-driver', '--fast']);
    } finally {
      process.chdir(cwd);
    }
  }, 60_000);
});
