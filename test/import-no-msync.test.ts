/**
 * A block trace imported without msyncs (a new user's trial, 2026-12-06: `syncsim import --from
 * msr` without `--sync-every-*` said nothing, and the run then showed `msync 0 calls` and every
 * page version never durable, with no word of why): `import` warns on standard error, naming the
 * options that inject msyncs, or why the ones given injected none; the trace it writes is the
 * same; `run` says the trace has no msync, in its table and its warning.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { importTrace } from '../scripts/lib.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-import-no-msync-'));

/** Four MSR writes and a read on usr_0, 1 ms apart. */
const MSR = ['Write,0', 'Write,8192', 'Read,0', 'Write,4096', 'Write,16384']
  .map((io, i) => `${128166372003061629 + i * 10000},usr,0,${io.split(',')[0]},${io.split(',')[1]},4096,100`).join('\n') + '\n';

const OPTIONS = 'Give --sync-every-writes N (an msync of an object\'s whole mapping after every N writes to it) or --sync-every-us T (one of every object written, every T µs of trace time) to inject them';

describe('import of a block trace with no msync', () => {
  it('msr without --sync-every-*: one warning naming the options; the trace written is the one an import with no warning would write, less its msyncs', async () => {
    const d = tmp();
    writeFileSync(join(d, 'm.csv'), MSR);
    const r = await syncsimHere(['import', '--from', 'msr', 'm.csv', '-o', 'x.csv'], d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes('warning'))).toEqual([
      'syncsim import: warning: no msync in the trace: MSR traces have no syncs of their own, so when replayed nothing but background writeback makes its 4 writes durable, '
      + `and there is no msync latency to measure. ${OPTIONS}`,
    ]);
    // with msyncs injected: no warning, and the same rows besides the msyncs
    const s = await syncsimHere(['import', '--from', 'msr', 'm.csv', '--sync-every-writes', '2', '-o', 'y.csv'], d);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).not.toContain('warning');
    const data = (f: string) => readFileSync(join(d, f), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(data('y.csv').filter((l) => !l.includes(',msync,'))).toEqual(data('x.csv'));
    expect(data('y.csv').length - data('x.csv').length).toBe(2);
  });

  it('says why the options given injected none: --sync-every-writes above any object\'s writes, --sync-every-us past the trace\'s end', async () => {
    const d = tmp();
    writeFileSync(join(d, 'm.csv'), MSR);
    const w = await syncsimHere(['import', '--from', 'msr', 'm.csv', '--sync-every-writes', '5', '-o', 'x.csv'], d);
    expect(w.code).toBe(0);
    expect(w.stderr).toContain('syncsim import: warning: no msync in the trace: MSR traces have no syncs of their own, and --sync-every-writes 5 injected none (no object had that many writes), '
      + 'so when replayed nothing but background writeback makes its 4 writes durable, and there is no msync latency to measure. Give a smaller --sync-every-writes\n');
    const u = await syncsimHere(['import', '--from', 'msr', 'm.csv', '--sync-every-us', '5000', '-o', 'x.csv'], d);
    expect(u.code).toBe(0);
    expect(u.stderr).toContain(', and --sync-every-us 5000 injected none (the trace ends before 5000 µs), so when replayed');
    expect(u.stderr).toContain('. Give a smaller --sync-every-us\n');
  });

  it('blkparse and fio-iolog: a warning saying what their input lacks when it has no sync, none when it has one; none for a trace of reads only', async () => {
    const d = tmp();
    writeFileSync(join(d, 'w.blk'), '  8,0    0        1     0.000000000  1234  Q  WS 2048 + 8 [fio]\n');
    writeFileSync(join(d, 'f.blk'), '  8,0    0        1     0.000000000  1234  Q  WS 2048 + 8 [fio]\n  8,0    0        2     0.000100000  1234  Q FWS [fio]\n');
    writeFileSync(join(d, 'w.iolog'), 'fio version 2 iolog\n/d add\n/d open\n/d write 0 4096\n/d close\n');
    writeFileSync(join(d, 's.iolog'), 'fio version 2 iolog\n/d add\n/d open\n/d write 0 4096\n/d sync 0 0\n/d close\n');
    writeFileSync(join(d, 'r.iolog'), 'fio version 2 iolog\n/d add\n/d open\n/d read 0 4096\n/d close\n');
    const warnings = async (format: string, file: string) => {
      const r = await syncsimHere(['import', '--from', format, file, '-o', `${file}.csv`], d);
      expect(r.code, r.stderr).toBe(0);
      return r.stderr.split('\n').filter((l) => l.includes('warning'));
    };
    expect(await warnings('blkparse', 'w.blk')).toEqual([`syncsim import: warning: no msync in the trace: the input has no flush or FUA request, so when replayed nothing but background writeback makes its write durable, and there is no msync latency to measure. ${OPTIONS}`]);
    expect(await warnings('blkparse', 'f.blk')).toEqual([]);
    expect(await warnings('fio-iolog', 'w.iolog')).toEqual([`syncsim import: warning: no msync in the trace: the log has no sync, datasync or sync_file_range, so when replayed nothing but background writeback makes its write durable, and there is no msync latency to measure. ${OPTIONS}`]);
    expect(await warnings('fio-iolog', 's.iolog')).toEqual([]);
    expect(await warnings('fio-iolog', 'r.iolog')).toEqual([]);
  });

  it('the library\'s importTrace gives the warning after a pass, naming its own keys', async () => {
    const d = tmp();
    writeFileSync(join(d, 'm.csv'), MSR);
    const t = importTrace('msr', join(d, 'm.csv'));
    for await (const _ of t) void _;
    expect(t.warnings).toEqual(['no msync in the trace: MSR traces have no syncs of their own, so when replayed nothing but background writeback makes its 4 writes durable, '
      + 'and there is no msync latency to measure. Give syncEveryWrites N (an msync of an object\'s whole mapping after every N writes to it) or syncEveryUs T (one of every object written, every T µs of trace time) to inject them']);
    const u = importTrace('msr', join(d, 'm.csv'), { syncEveryWrites: 2 });
    for await (const _ of u) void _;
    expect(u.warnings).toEqual([]);
  });

  it('run of such a trace: its table and its warning say the trace has no msync, and what injects them', async () => {
    const d = tmp();
    writeFileSync(join(d, 'm.csv'), MSR);
    expect((await syncsimHere(['import', '--from', 'msr', 'm.csv', '-o', 'x.csv'], d)).code).toBe(0);
    const r = await syncsimHere(['run', 'x.csv', '--out', 'r'], d);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(d, 'r', 'summary.json'), 'utf8'));
    // the four pages written: 0, 2, 1 and 4
    expect(s.durability).toMatchObject({ durable_pages: 0, never_durable_pages: 4, never_durable_by: { no_msync: 4 } });
    const why = 'the trace has no msync (a block trace has no syncs of its own: syncsim import --sync-every-writes N or --sync-every-us T injects them)';
    expect(r.stdout).toContain(`\n  never durable       100.0% of the page versions (4): 4 on pages no msync covers: ${why}; see README.md, "Result files"\n`);
    expect(r.stderr).toContain(`syncsim: warning: none of the 4 page versions stored became durable by the run's end (summary.json durability): ${why}\n`);
  });
});
