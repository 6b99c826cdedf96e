/**
 * What `syncsim run` warns of before and after a run: keys that have no
 * effect in the run in force, a trace made for another page size, a seed
 * given twice. The first run is the real CLI, end to end; the others run the
 * CLI's `main` in this process (test/cli-here.ts), which prints the same.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { declaredPageSize } from '../traces/out-trace.ts';
import { syncsimCli } from './helpers.ts';
import { syncsimHere } from './cli-here.ts';
import { idleKeyReasons, ineffectiveKeys, onlyReaders } from '../scripts/idle-keys.ts';
import { resolveConfig } from '../sim/config.ts';
import { DEMO, ROOT, SMALL_TRACE } from './out-fixtures.ts';

/** `syncsim ARGS...` in this process (the CLI's main), in the repository's root. */
const syncsim = (args: string[]) => syncsimHere(args, ROOT);
/** `syncsim ARGS...` spawned, in the repository's root. */
const spawned = (args: string[]) => syncsimCli(args, ROOT);

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-cli-warn-'));

/** A trace of a few rows, for the runs whose warnings come of their configuration alone (scripts/idle-keys.ts), not of the trace. */
const SMALL = join(tmp(), 'small.csv');
writeFileSync(SMALL, SMALL_TRACE);

describe('writeback keys the policy in force does not read', () => {
  it('run warns of each, naming the keys the policy reads; none for keys it reads', async () => {
    const d = tmp();
    writeFileSync(join(d, 'wb.yaml'), 'writeback: { policy: flusher, delay_ms: 5, expire_ms: 100 }\n');
    // the real CLI, end to end
    const r = spawned(['run', SMALL, '--config', join(d, 'wb.yaml'), '--set', 'writeback.interval_ms=100', '--out', join(d, 'a')]);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes('no effect'))).toEqual([
      'syncsim: warning: writeback.delay_ms has no effect under writeback.policy flusher (it reads writeback.interval_ms, writeback.expire_ms, writeback.background_ratio, writeback.dirty_ratio, writeback.max_pause_ms)',
    ]);
    const n = await syncsim(['run', SMALL, '--set', 'writeback.policy=none', '--set', 'writeback.interval_ms=5', '--set', 'writeback.dirty_ratio=30', '--out', join(d, 'b')]);
    expect(n.stderr).toContain('syncsim: warning: writeback.interval_ms, writeback.dirty_ratio have no effect under writeback.policy none (it reads no writeback.* timing key)\n');
    const ok = await syncsim(['run', SMALL, '--set', 'writeback.policy=syncer', '--set', 'writeback.delay_ms=5', '--out', join(d, 'c')]);
    expect(ok.stderr).not.toContain('no effect');
    // a dotted key in a config file counts as the nested one
    writeFileSync(join(d, 'dotted.yaml'), 'writeback.delay_ms: 5\nwriteback:\n  policy: flusher\n');
    expect((await syncsim(['run', SMALL, '--config', join(d, 'dotted.yaml'), '--out', join(d, 'e')])).stderr).toContain('syncsim: warning: writeback.delay_ms has no effect under writeback.policy flusher');
  });

  it('and keys only other personalities or filesystems read', async () => {
    const d = tmp();
    const r = await syncsim(['run', SMALL, '--set', 'personality=linux', '--set', 'pager.ipc_us=1000', '--set', 'fs.soft_updates=true', '--set', 'readahead.max_folio_order=0', '--out', join(d, 'a')]);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes('no effect'))).toEqual([
      'syncsim: warning: pager.ipc_us has no effect under the linux personality (only mach reads it)',
      'syncsim: warning: fs.soft_updates has no effect with fs.kind ext4-ordered (only ufs reads it)',
    ]);
    const f = await syncsim(['run', SMALL, '--set', 'memory.memlock_limit_bytes=0', '--set', 'cpu.clean_page_busy_us=1000', '--set', 'fs.soft_updates=true', '--set', 'fs.stable_pages=true', '--set', 'fs.commit_interval_ms=100', '--out', join(d, 'b')]);
    expect(f.stderr.split('\n').filter((l) => l.includes('no effect'))).toEqual([
      'syncsim: warning: cpu.clean_page_busy_us, memory.memlock_limit_bytes have no effect under the freebsd personality (only linux reads it)',
      'syncsim: warning: fs.stable_pages has no effect under the freebsd personality (its stores to a page under writeback wait for the write anyway)',
      'syncsim: warning: fs.commit_interval_ms has no effect with fs.kind ufs (only ext4-ordered reads it)',
    ]);
    // keys idle for a value of another: the flusher's limits without a memory size, a disk's seeks on a device that does not rotate
    const v = await syncsim(['run', SMALL, '--set', 'personality=linux', '--set', 'writeback.policy=flusher', '--set', 'writeback.dirty_ratio=30', '--set', 'device.profile=nvme', '--set', 'device.seek_avg_ms=50', '--out', join(d, 'v')]);
    expect(v.stderr.split('\n').filter((l) => l.includes('no effect'))).toEqual([
      'syncsim: warning: writeback.dirty_ratio has no effect with memory.pages 0 (unlimited memory: the flusher sets no dirty limit and throttles no writer)',
      'syncsim: warning: device.seek_avg_ms has no effect on a device that does not rotate (device.rpm 0)',
    ]);
    const w = await syncsim(['run', SMALL, '--set', 'personality=linux', '--set', 'writeback.policy=flusher', '--set', 'writeback.dirty_ratio=30', '--set', 'memory.pages=100000', '--set', 'device.profile=hdd', '--set', 'device.seek_avg_ms=9', '--out', join(d, 'w')]);
    expect(w.stderr).not.toContain('no effect');
    // the ext4 keys under ext4 kinds that read them: no warning; one that does not: a warning
    const x = await syncsim(['run', SMALL, '--set', 'personality=linux', '--set', 'fs.kind=ext4-nojournal', '--set', 'fs.stable_pages=true', '--set', 'fs.preallocated=false', '--set', 'fs.timestamp_tick_us=1000', '--set', 'fs.commit_interval_ms=100', '--out', join(d, 'c')]);
    expect(x.code).toBe(0);
    expect(x.stderr.split('\n').filter((l) => l.includes('no effect'))).toEqual([
      'syncsim: warning: fs.commit_interval_ms has no effect with fs.kind ext4-nojournal (only ext4-ordered reads it)',
    ]);
  });

  it('memory.max_user_wired_pages under linux, whose mlock limit is memory.memlock_limit_bytes; not under the kernels that read it', async () => {
    const d = tmp();
    const r = await syncsim(['run', SMALL, '--set', 'personality=linux', '--set', 'memory.max_user_wired_pages=10', '--set', 'memory.memlock_limit_bytes=134217728', '--out', join(d, 'a')]);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes('no effect'))).toEqual([
      'syncsim: warning: memory.max_user_wired_pages has no effect under the linux personality (its mlock limit is memory.memlock_limit_bytes, RLIMIT_MEMLOCK; only freebsd, xnu and mach read it)',
    ]);
    const given = new Set(['memory.max_user_wired_pages', 'memory.pages', 'cpu.wire_page_us']);
    for (const personality of ['freebsd', 'xnu', 'mach'] as const) {
      expect(idleKeyReasons(given, resolveConfig({ personality }))).toEqual(new Map());
    }
    // the cost of cleaning a page of a PMD-sized folio: only Linux's read-ahead makes such folios
    expect([...idleKeyReasons(new Set(['cpu.clean_pmd_page_us']), resolveConfig({ personality: 'xnu' })).values()]).toEqual(['under the xnu personality (only linux reads it)']);
    expect(idleKeyReasons(new Set(['cpu.clean_pmd_page_us']), resolveConfig({ personality: 'linux' }))).toEqual(new Map());
  });

  it('a key that several filesystems read: "read it", the names joined as a list (it said "only ext4-ordered, ext4-nojournal reads it")', () => {
    const config = resolveConfig({ personality: 'linux', fs: { kind: 'ufs' } });
    expect(ineffectiveKeys(new Set(['fs.preallocated']), config)).toEqual(['fs.preallocated has no effect with fs.kind ufs (only ext4-ordered and ext4-nojournal read it)']);
    expect(idleKeyReasons(new Set(['fs.extent_leaf']), config).get('fs.extent_leaf')).toBe('with fs.kind ufs (only ext4-ordered and ext4-nojournal read it)');
    // one name: "reads it", as before
    expect([...idleKeyReasons(new Set(['fs.timestamp_tick_us']), config).values()]).toEqual(['with fs.kind ufs (only ext4-nojournal reads it)']);
    expect(onlyReaders(['freebsd', 'xnu', 'mach'])).toBe('only freebsd, xnu and mach read it');
  });
});

describe('what run says of its trace and seed', () => {
  it('warns when the trace\'s header says it was made for another page size', async () => {
    const d = tmp();
    const trace = join(d, 'g.csv');
    expect((await syncsim(['gen', 'seq-writer', '--set', 'duration_s=0.01', '-o', trace])).code).toBe(0);
    const r = await syncsim(['run', trace, '--set', 'page_size=16384', '--out', join(d, 'a')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`syncsim: warning: ${trace} was made for page_size 4096 (its header), and this run's page_size is 16384: its msyncs and wires of ranges not aligned to 16384 fail with EINVAL (--set page_size=4096 replays it as it was made)\n`);
    expect((await syncsim(['run', trace, '--out', join(d, 'b')])).stderr).not.toContain('was made for page_size');
    // a smaller page: aligned, but not the program's pages
    expect((await syncsim(['run', trace, '--set', 'page_size=1024', '--out', join(d, 'c')])).stderr).toContain("this run's page_size is 1024: its ranges stay aligned, but page counts, faults and writeback come in 1024-byte pages, not the traced program's");
    // record's header says its page size too
    expect(declaredPageSize(Buffer.from('# syncsim-trace v1\n# recorded by syncsim record 0.1.0 on h at 2026-12-06T00:00:00.000Z (page size 16384)\nt_us,task,op,addr,len,flags,object,offset\n'))).toBe(16384);
    expect(declaredPageSize(Buffer.from('# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n'))).toBeUndefined();
  });

  it('warns when the pages wired passed memory.pages (the memory limit was then not in force), and not otherwise', async () => {
    const d = tmp();
    const trace = join(d, 'w.csv');
    // two tasks mlock 64 pages each of their own file under a memory of 100 pages
    writeFileSync(trace, '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n'
      + '0,a,map,0x10000000,262144,,f,0\n0,b,map,0x10000000,262144,,g,0\n1,a,wire,0x10000000,262144,USER,,\n2,b,wire,0x10000000,262144,USER,,\n');
    const over = await syncsim(['run', trace, '--set', 'personality=freebsd', '--set', 'memory.pages=100', '--set', 'memory.max_user_wired_pages=1000', '--out', join(d, 'a')]);
    expect(over.code).toBe(0);
    expect(over.stderr.split('\n').filter((l) => l.includes('wired at the peak'))).toEqual([
      'syncsim: warning: 128 pages were wired at the peak (summary.json wire.peak_wired_pages), more than memory.pages 100: wired pages are never freed, so the memory limit was not in force '
        + '(peak_resident_pages 128); wire less, or raise memory.pages (or lower memory.max_user_wired_pages / memory.memlock_limit_bytes, which the kernels check)',
    ]);
    // within memory, or with unlimited memory: nothing said
    expect((await syncsim(['run', trace, '--set', 'personality=freebsd', '--set', 'memory.pages=200', '--set', 'memory.max_user_wired_pages=1000', '--out', join(d, 'b')])).stderr).not.toContain('wired at the peak');
    expect((await syncsim(['run', trace, '--set', 'personality=freebsd', '--out', join(d, 'c')])).stderr).not.toContain('wired at the peak');
  });

  it('refuses a seed given both by --seed and by --set seed=, writing nothing', async () => {
    const d = tmp();
    const r = await syncsim(['run', DEMO, '--seed', '3', '--set', 'seed=4', '--out', join(d, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('syncsim: the seed is given twice, by --seed 3 and by --set seed=4: give it once\n');
    expect(existsSync(join(d, 'out'))).toBe(false);
  });

  it('refuses a key given twice by --set, or a key and the group holding it, and --replay with --set replay=, writing nothing', async () => {
    const d = tmp();
    const refused: [string[], string][] = [
      [['--set', 'device.profile=hdd', '--set', 'device.profile=nvme'], "syncsim: config: key 'device.profile': is given twice by --set ('device.profile=hdd' and 'device.profile=nvme'): give it once\n"],
      [['--set', 'device={profile: hdd}', '--set', 'device.profile=nvme'], "syncsim: config: key 'device.profile': is given by --set device={profile: hdd} and by --set device.profile=nvme, which lies inside it: give one\n"],
      [['--set', 'device.profile=nvme', '--set', 'device={profile: hdd}'], "syncsim: config: key 'device': is given by --set device.profile=nvme and by --set device={profile: hdd}, which holds it: give one\n"],
      [['--replay', 'open', '--set', 'replay=closed'], 'syncsim: the replay mode is given twice, by --replay open and by --set replay=closed: give it once\n'],
    ];
    for (const [args, message] of refused) {
      const r = await syncsim(['run', DEMO, ...args, '--out', join(d, 'out')]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(message);
      expect(existsSync(join(d, 'out'))).toBe(false);
    }
    // a --set without '=' is not a --set of seed or replay (its own message says what is wrong with it)
    const noEq = await syncsim(['run', DEMO, '--set', 'seedX', '--seed', '3', '--out', join(d, 'out')]);
    expect(noEq.code).toBe(2);
    expect(noEq.stderr).toBe("syncsim: config: --set expects key=value (got 'seedX')\n");
    // sibling keys, and keys that only share a prefix of their names, are not repeats
    expect((await syncsim(['run', SMALL, '--set', 'device.profile=hdd', '--set', 'device.cache_mb=64', '--set', 'fs.kind=ufs', '--out', join(d, 'ok')])).code).toBe(0);
    // gen's parameters too
    const g = await syncsim(['gen', 'seq-writer', '--set', 'duration_s=0.01', '--set', 'duration_s=0.02', '-o', join(d, 'g.csv')]);
    expect(g.code).toBe(2);
    expect(g.stderr).toBe("syncsim: --set duration_s is given twice ('duration_s=0.01' and 'duration_s=0.02'): give it once\n");
    expect(existsSync(join(d, 'g.csv'))).toBe(false);
  });

});
