/**
 * One version of each trace in a sweep's result set (scripts/sweep/trace-guard.ts): a trace file
 * changed mid-sweep stops the sweep (exit 2) with the runs of the version it began with kept, with
 * the cache or without; a resume with the trace changed is refused before any run, its directory
 * unchanged to the byte, and resumes once the version is back; `merge` refuses shards that
 * replayed different versions; a generated trace edited in DIR/traces/ stops the sweep too, and
 * is made again once deleted; a directory written before the version was recorded still resumes.
 *
 * A trace is changed mid-sweep, deterministically, by a writeback plugin of the experiment: a
 * sweep of --jobs 1 runs one run at a time, and the plugin rewrites the trace from one run.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { syncsimHere } from './cli-here.ts';
import { readShaRecord, traceChange } from '../scripts/sweep/trace-guard.ts';
import { InputError } from '../scripts/errors.ts';

const V1 = '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,a,map,0x10000,0x4000,,f,0\n1,a,write,0x10000,100,,,\n2,a,msync,0x10000,0x4000,SYNC,,\n';
/** V1 with two more rows: another version of the same trace. */
const V2 = V1 + '3,a,write,0x10000,200,,,\n4,a,msync,0x10000,0x4000,SYNC,,\n';
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const ALL = 'grid:\n  pager.cluster_pages: [8, 16]\nseeds: [1, 2]\nmetrics: [sync.count]\n';

/** A fresh directory holding trace `tiny.csv` (V1) and experiment `e.yaml` (`extra`: its base). */
function setup(extra = ''): string {
  const d = mkdtempSync(join(tmpdir(), 'syncsim-sweep-trace-'));
  writeFileSync(join(d, 'tiny.csv'), V1);
  writeFileSync(join(d, 'e.yaml'), `name: tv\ntrace: { path: tiny.csv }\n${extra}${ALL}`);
  return d;
}

/** Every file and directory under `dir` with its bytes (base64), dot files included. */
function bytes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      if (lstatSync(join(dir, r)).isDirectory()) {
        out[r] = 'dir';
        walk(r);
      } else out[r] = readFileSync(join(dir, r)).toString('base64');
    }
  };
  walk('');
  return out;
}

/** id -> [provenance SHA-256, rows replayed] of every run in sweep directory `dir`. */
function replayed(dir: string): Record<string, [string, number]> {
  const out: Record<string, [string, number]> = {};
  for (const id of readdirSync(join(dir, 'runs'))) {
    const s = JSON.parse(readFileSync(join(dir, 'runs', id, 'summary.json'), 'utf8'));
    out[id] = [s.provenance.trace_sha256, s.trace.rows];
  }
  return out;
}

/** A writeback plugin that, from its `nth` create() (one per run), rewrites `trace` with `text` once. */
const rewriter = (d: string, nth: number, text: string) => `import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const count = ${JSON.stringify(join(d, 'count'))};
export default {
  name: 'rewriter',
  create() {
    const c = existsSync(count) ? Number(readFileSync(count, 'utf8')) + 1 : 1;
    writeFileSync(count, String(c));
    if (c === ${nth}) writeFileSync(${JSON.stringify(join(d, 'tiny.csv'))}, ${JSON.stringify(text)});
    return { wake(ctx) { for (const o of ctx.objects()) if (o.dirtyPages > 0) ctx.write(o, 0, Math.max(o.sizePages, 1)); } };
  },
};
`;

describe('a trace file changed during a sweep', () => {
  it('--no-cache: the sweep stops at the run that meets the change, exit 2, the runs of the first version kept; a resume with the trace still changed is refused, its directory unchanged to the byte; with the version back it resumes', async () => {
    const d = setup('base: { writeback: { policy: ./rw.mjs } }\n');
    writeFileSync(join(d, 'rw.mjs'), rewriter(d, 2, V2));
    const args = ['sweep', 'e.yaml', '--out', 'out', '--jobs', '1', '--no-cache'];
    const r = await syncsimHere(args, d);
    expect(r.code, r.stderr).toBe(2);
    const said = r.stderr.split('\n').filter((l) => l.startsWith('syncsim: '));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(new RegExp(`^syncsim: trace file tiny\\.csv changed since the sweep began \\(SHA-256 ${sha(V1)} then\\): (it changed while run [0-9a-f]{16} replayed it|run [0-9a-f]{16} replayed a version of SHA-256 ${sha(V2)}); the sweep stopped, so as not to mix two versions of it in out; the runs finished are kept \\(they replayed the version the sweep began with\\)\\. Put that version back and run the same command again to resume, or sweep the new version into another --out$`));
    // the first run is kept, of V1; the second, under way when the trace changed, is not; no table
    expect(Object.values(replayed(join(d, 'out')))).toEqual([[sha(V1), 3]]);
    expect(existsSync(join(d, 'out', 'results.csv'))).toBe(false);
    expect(JSON.parse(readFileSync(join(d, 'out', 'experiment.json'), 'utf8')).trace).toEqual({ path: 'tiny.csv', sha256: sha(V1) });

    // the same command, the trace still V2: refused before any run, nothing written anywhere
    const before = bytes(d);
    const again = await syncsimHere(args, d);
    expect([again.code, again.stdout]).toEqual([2, '']);
    expect(again.stderr).toBe(`syncsim: --out out: trace file tiny.csv changed since the sweep there began (SHA-256 ${sha(V1)} then, ${sha(V2)} now): its 1 finished run replayed the version it began with, and runs of another version cannot join them; nothing was run or written. Put that version back and run the same command again to resume, or sweep the new version into another --out\n`);
    expect(bytes(d)).toEqual(before);
    // --dry-run refuses it as the sweep does (it listed the runs, 'the sweep would be refused', exit 0)
    const listed = await syncsimHere([...args, '--dry-run'], d);
    expect(listed).toEqual({ code: 2, stdout: '', stderr: again.stderr });
    expect(bytes(d)).toEqual(before);

    // V1 back: the same command resumes, and every run replayed V1
    writeFileSync(join(d, 'tiny.csv'), V1);
    const resumed = await syncsimHere(args, d);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('4 runs (1 already done, 3 run now)');
    expect(Object.values(replayed(join(d, 'out')))).toEqual(Array(4).fill([sha(V1), 3]));
    expect(readFileSync(join(d, 'out', 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(5);
  }, 120_000);

  it('a run that fails as its trace is rewritten under it (a malformed row read) is not recorded failed: the sweep stops, saying the trace changed', async () => {
    const d = setup('base: { writeback: { policy: ./rw.mjs } }\n');
    writeFileSync(join(d, 'rw.mjs'), rewriter(d, 2, V1.replace('1,a,write', '1,a,fly')));
    const r = await syncsimHere(['sweep', 'e.yaml', '--out', 'out', '--jobs', '1', '--no-cache'], d);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`syncsim: trace file tiny\\.csv changed since the sweep began \\(SHA-256 ${sha(V1)} then\\): it changed while run [0-9a-f]{16} replayed it; the sweep stopped`));
    // only the first run, successful: no run recorded failed
    const runs = readdirSync(join(d, 'out', 'runs'));
    expect(runs.map((id) => JSON.parse(readFileSync(join(d, 'out', 'runs', id, 'run.json'), 'utf8')).status)).toEqual(['ok']);
  }, 120_000);

  it('with the cache: a run that replays another version than the sweep began with (the cache made of the first, stale) stops the sweep, exit 2, nothing of it kept', async () => {
    const d = setup('base: { writeback: { policy: ./rw.mjs } }\n');
    // the plugin, loaded in the worker before the first run begins (not in the sweep's own thread, which planned on V1 and cached it), makes the trace V2
    writeFileSync(join(d, 'rw.mjs'), `import { isMainThread } from 'node:worker_threads';
import { existsSync, writeFileSync } from 'node:fs';
const mark = ${JSON.stringify(join(d, 'changed'))};
if (!isMainThread && !existsSync(mark)) { writeFileSync(mark, ''); writeFileSync(${JSON.stringify(join(d, 'tiny.csv'))}, ${JSON.stringify(V2)}); }
export default { name: 'changer', create: () => ({ wake(ctx) { for (const o of ctx.objects()) if (o.dirtyPages > 0) ctx.write(o, 0, Math.max(o.sizePages, 1)); } }) };
`);
    const r = await syncsimHere(['sweep', 'e.yaml', '--out', 'out', '--jobs', '1'], d);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`syncsim: trace file tiny\\.csv changed since the sweep began \\(SHA-256 ${sha(V1)} then\\): run [0-9a-f]{16} replayed a version of SHA-256 ${sha(V2)}; the sweep stopped`));
    expect(readdirSync(join(d, 'out', 'runs'))).toEqual([]);
    expect(existsSync(join(d, '.trace-cache'))).toBe(true);
  }, 120_000);
});

describe('merge of shards that replayed different versions of the trace', () => {
  it('refused, exit 2, nothing written: shards begun on different versions, or a run of another version (as a sweep before this check could leave); shards of one version merge as before', async () => {
    const d = setup();
    expect((await syncsimHere(['sweep', 'e.yaml', '--shard', '1/2', '--out', 's1', '--jobs', '1'], d)).code).toBe(0);
    writeFileSync(join(d, 'tiny.csv'), V2);
    expect((await syncsimHere(['sweep', 'e.yaml', '--shard', '2/2', '--out', 's2', '--jobs', '1'], d)).code).toBe(0);
    const m = await syncsimHere(['merge', 's1', 's2', '--out', 'm'], d);
    expect([m.code, m.stdout]).toEqual([2, '']);
    expect(m.stderr).toBe(`syncsim: merge: the directories replayed 2 versions of trace file tiny.csv, which one result set cannot mix (it changed between or during their sweeps): SHA-256 ${sha(V1)} (the sweep of s1 began with it), SHA-256 ${sha(V2)} (the sweep of s2 began with it); nothing was written. Sweep again, into new directories, the shards that replayed the version not wanted (with the trace file as the others had it), and merge those\n`);
    expect(existsSync(join(d, 'm'))).toBe(false);

    writeFileSync(join(d, 'tiny.csv'), V1);
    expect((await syncsimHere(['sweep', 'e.yaml', '--shard', '2/2', '--out', 's2b', '--jobs', '1'], d)).code).toBe(0);
    // one run of s2b as a sweep without the check left it, after replaying V2: its provenance says so
    const id = readdirSync(join(d, 's2b', 'runs'))[0]!;
    const file = join(d, 's2b', 'runs', id, 'summary.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace(sha(V1), sha(V2)));
    const mixed = await syncsimHere(['merge', 's1', 's2b', '--out', 'm'], d);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain(`SHA-256 ${sha(V2)} (1 run replayed it: s2b/runs/${id})`);
    expect(mixed.stderr).toContain(`SHA-256 ${sha(V1)} (the sweeps of s1, s2b began with it; 3 runs replayed it: `);
    expect(existsSync(join(d, 'm'))).toBe(false);

    writeFileSync(file, readFileSync(file, 'utf8').replace(sha(V2), sha(V1)));
    const ok = await syncsimHere(['merge', 's1', 's2b', '--out', 'm'], d);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'm', 'experiment.json'), 'utf8')).trace).toEqual({ path: 'tiny.csv', sha256: sha(V1) });
  }, 120_000);
});

describe('a sweep directory written before the trace version was recorded (no trace.sha256 in experiment.json)', () => {
  /** Makes `out` of `d` look interrupted and written by the previous syncsim: a run and the tables gone, no recorded version. */
  const olden = (d: string) => {
    const out = join(d, 'out');
    rmSync(join(out, 'runs', readdirSync(join(out, 'runs'))[0]!), { recursive: true });
    for (const f of ['results.csv', 'aggregate.csv']) rmSync(join(out, f), { force: true });
    const m = JSON.parse(readFileSync(join(out, 'experiment.json'), 'utf8'));
    m.trace = { path: m.trace.path };
    writeFileSync(join(out, 'experiment.json'), JSON.stringify(m, null, 2) + '\n');
  };

  it('resumes with its trace unchanged (and records the version); with the trace changed it is refused, unchanged, the version its runs replayed named', async () => {
    const d = setup();
    const args = ['sweep', 'e.yaml', '--out', 'out', '--jobs', '2', '--no-cache'];
    expect((await syncsimHere(args, d)).code).toBe(0);
    olden(d);
    const r = await syncsimHere(args, d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('4 runs (3 already done, 1 run now)');
    expect(JSON.parse(readFileSync(join(d, 'out', 'experiment.json'), 'utf8')).trace).toEqual({ path: 'tiny.csv', sha256: sha(V1) });

    olden(d);
    writeFileSync(join(d, 'tiny.csv'), V2);
    const before = bytes(d);
    const refused = await syncsimHere(args, d);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`syncsim: --out out: trace file tiny.csv changed since the sweep there began (SHA-256 ${sha(V1)} then, ${sha(V2)} now): its 3 finished runs replayed the version it began with, and runs of another version cannot join them; nothing was run or written. Put that version back and run the same command again to resume, or sweep the new version into another --out\n`);
    expect(bytes(d)).toEqual(before);
  }, 120_000);
});

describe('generated traces (DIR/traces/)', () => {
  it('each is made with its SHA-256 beside it; one edited there stops the sweep (exit 2), deleted it is made again, the same bytes; traces without a record (an older sweep) are not checked', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-sweep-trace-gen-'));
    writeFileSync(join(d, 'g.yaml'), `name: tg\ntrace: { gen: seq-writer, set: { duration_s: 0.02 } }\n${ALL}`);
    const args = ['sweep', 'g.yaml', '--out', 'out', '--jobs', '2'];
    expect((await syncsimHere(args, d)).code).toBe(0);
    const traces = join(d, 'out', 'traces');
    const files = readdirSync(traces).filter((f) => f.endsWith('.csv.gz'));
    expect(files).toHaveLength(2);
    for (const f of files) expect(readFileSync(join(traces, `${f}.sha256`), 'utf8')).toBe(`${sha(readFileSync(join(traces, f)))}  ${f}\n`);

    // a run of the seed-2 trace gone (an interrupted sweep), and that trace edited: one row less, still a valid trace
    const run = readdirSync(join(d, 'out', 'runs')).find((id) => JSON.parse(readFileSync(join(d, 'out', 'runs', id, 'run.json'), 'utf8')).seed === 2)!;
    rmSync(join(d, 'out', 'runs', run), { recursive: true });
    const f2 = files.find((f) => gunzipSync(readFileSync(join(traces, f))).toString().includes('seed 2,'))!;
    const original = readFileSync(join(traces, f2));
    const edited = gzipSync(gunzipSync(original).toString().replace(/[^\n]*\n$/, ''));
    writeFileSync(join(traces, f2), edited);
    const r = await syncsimHere(args, d);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`syncsim: generated trace out/traces/${f2} changed since the sweep made it (SHA-256 ${sha(original)}, recorded in ${f2}.sha256 beside it): run ${run} replayed a version of SHA-256 ${sha(edited)}; the sweep stopped, so as not to mix two versions of it in out; the runs finished are kept (they replayed the version the sweep made). Delete out/traces/${f2} (the same command generates it again from its preset, parameters and seed) and run the same command again\n`);
    expect(existsSync(join(d, 'out', 'runs', run))).toBe(false);

    rmSync(join(traces, f2));
    const again = await syncsimHere(args, d);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('1 trace generated');
    expect(readFileSync(join(traces, f2))).toEqual(original);
    expect(replayed(join(d, 'out'))[run]![0]).toBe(sha(original));

    // a directory of an older sweep: no records; it resumes as before
    for (const f of files) rmSync(join(traces, `${f}.sha256`));
    rmSync(join(d, 'out', 'runs', run), { recursive: true });
    const old = await syncsimHere(args, d);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stdout).toContain('4 runs (3 already done, 1 run now');
  }, 120_000);
});

describe('a sweep directory of generated traces whose header gave msync flags as bits ("sync_flags":5, syncsim at d129385 and before)', () => {
  it('keeps its run ids and trace names, and resumes with its traces as they are (not made again)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-sweep-trace-flags-'));
    writeFileSync(join(d, 'g.yaml'), `name: flags\ntrace: { gen: wired-pool, set: { sync_flags: 'SYNC|INVALIDATE', duration_s: 0.05 } }\ngrid:\n  pager.cluster_pages: [8, 16]\nseeds: [1, 2]\nmetrics: [sync.count]\n`);
    const args = ['sweep', 'g.yaml', '--out', 'out', '--jobs', '1', '--no-cache'];
    const first = await syncsimHere(args, d);
    expect(first.code, first.stderr).toBe(0);
    // the run ids and trace names syncsim gave this experiment at d129385, when the header said "sync_flags":5
    expect(readdirSync(join(d, 'out', 'runs')).sort()).toEqual(['274e28bce1f41ea0', '5c9a303daec0b2fa', '885c1fa4ac095039', 'f37d7c153ea86ca1']);
    const traces = join(d, 'out', 'traces');
    const files = readdirSync(traces).filter((f) => f.endsWith('.csv.gz')).sort();
    expect(files).toEqual(['wired-pool-5070cd2d0adf649e.csv.gz', 'wired-pool-9ed09f012607838a.csv.gz']);
    // the traces as that syncsim wrote them: the header's flags as bits, the rest the same; their records beside them
    const old: Record<string, Buffer> = {};
    for (const f of files) {
      const text = gunzipSync(readFileSync(join(traces, f))).toString();
      expect(text).toContain('"sync_flags":"SYNC|INVALIDATE"');
      old[f] = gzipSync(text.replace('"sync_flags":"SYNC|INVALIDATE"', '"sync_flags":5'));
      writeFileSync(join(traces, f), old[f]!);
      writeFileSync(join(traces, `${f}.sha256`), `${sha(old[f]!)}  ${f}\n`);
    }
    // an interrupted sweep of then: one run missing
    rmSync(join(d, 'out', 'runs', '274e28bce1f41ea0'), { recursive: true });
    const again = await syncsimHere(args, d);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('4 runs (3 already done, 1 run now), 0 failed');
    for (const f of files) expect(readFileSync(join(traces, f))).toEqual(old[f]);
    const shas = Object.values(old).map((b) => sha(b));
    expect(shas).toContain(replayed(join(d, 'out'))['274e28bce1f41ea0']![0]);
  }, 120_000);
});

describe('the checks themselves', () => {
  it("traceChange: the run's hash and the file's stamps before and after it", () => {
    expect(traceChange('a', 'a', 's1', 's1')).toBeUndefined();
    expect(traceChange('a', 'b', 's1', 's1')).toEqual({ found: 'b', during: false });
    expect(traceChange('a', 'a', 's1', 's2')).toEqual({ during: true });
    expect(traceChange('a', 'a', undefined, undefined)).toEqual({ during: true });
  });

  it('readShaRecord: none is undefined, a record its hash, anything else an InputError naming it', () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-sha-record-'));
    expect(readShaRecord(join(d, 'none.sha256'), 'none.sha256')).toBeUndefined();
    writeFileSync(join(d, 'ok.sha256'), `${sha('x')}  t.csv.gz\n`);
    expect(readShaRecord(join(d, 'ok.sha256'), 'ok.sha256')).toBe(sha('x'));
    writeFileSync(join(d, 'bad.sha256'), 'edited\n');
    expect(() => readShaRecord(join(d, 'bad.sha256'), 'traces/bad.sha256')).toThrow(InputError);
    expect(() => readShaRecord(join(d, 'bad.sha256'), 'traces/bad.sha256')).toThrow(/^traces\/bad\.sha256: not the SHA-256 record the sweep wrote/);
  });
});
