/**
 * What a run records of its wire and unwire calls (a new user's trial): a row per call in
 * wires.csv, summary.json's `wire.failed` whatever the kernel's code, each op's calls and
 * failures (`wire.by_op`), the latency of the successful calls (`wire.latency_us`,
 * `wire.unwire_latency_us`), usable as sweep metrics and in compare; and `run`'s table, which
 * says which op failed and, with a memory limit or evictions, what memory did.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { WIRES_HEADER } from '../scripts/results.ts';
import { memoryRows, throttleRows, wireRows } from '../scripts/run.ts';
import { metricProblem, metricValue } from '../scripts/sweep/metrics.ts';
import type { Summary } from '../sim/stats/summary.ts';

/**
 * Two mappings of `data` with a 16-page hole between them; at 10 µs a wire of the first 8 pages
 * (USER|NOHOLES), at 1500 µs an mlock of the first mapping's last page and the hole's first,
 * which fails (ENOMEM under freebsd) after wiring that page; at 3500 µs the 8 pages unwired.
 */
const TRACE = [
  't_us,task,op,addr,len,flags,object,offset',
  '0,db,map,0x10000000,65536,,data,0',
  '0,db,map,0x10020000,65536,,data,131072',
  '10,db,wire,0x10000000,32768,USER|NOHOLES,,',
  '1500,db,wire,0x1000f000,8192,USER,,',
  '3500,db,unwire,0x10000000,32768,USER|NOHOLES,,',
].join('\n') + '\n';

/** The queue device (no device or CPU time but what is set) and 10 µs of CPU per page wired. */
const SETUP = ['--set', 'device.profile=queue', '--set', 'cpu.wire_page_us=10'];

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-wires-'));

describe('wires.csv and summary.json wire', () => {
  it('has a row per wire and unwire call with its times, op, range, flags and result; the summary counts failures and the latency of each op', async () => {
    const d = tmp();
    writeFileSync(join(d, 'w.csv'), TRACE);
    const r = await syncsimHere(['run', 'w.csv', ...SETUP, '--out', 'f'], d);
    expect(r.code, r.stderr).toBe(0);
    // 8 pages at 10 µs each: 80 µs; the failed call wires one page (10 µs) before it meets the hole, and unwires it
    // (rollback: pages 0); closed replay issues each later call 80 µs late (the first call ran 80 µs past the trace's gap)
    expect(readFileSync(join(d, 'f', 'wires.csv'), 'utf8')).toBe([
      WIRES_HEADER,
      'db,10,90,80,wire,0x10000000,32768,USER|NOHOLES,OK,8',
      'db,1580,1590,10,wire,0x1000f000,8192,USER,ENOMEM,0',
      'db,3590,3590,0,unwire,0x10000000,32768,USER|NOHOLES,OK,8',
    ].join('\n') + '\n');
    const s = JSON.parse(readFileSync(join(d, 'f', 'summary.json'), 'utf8'));
    const at = (us: number) => ({ mean: us, p50: us, p90: us, p99: us, p999: us, max: us });
    expect(s.wire).toEqual({
      count: 3, errors: { ENOMEM: 1 }, peak_wired_pages: 9, failed: 1, latency_us: at(80), unwire_latency_us: at(0),
      by_op: { wire: { count: 2, failed: 1, errors: { ENOMEM: 1 } }, unwire: { count: 1, failed: 0, errors: {} } },
    });
    // the table says which op failed, and how long each took
    expect(r.stdout).toContain('\nwire/unwire           3 calls: wire 2 (1 failed: ENOMEM 1), unwire 1; peak 9 wired pages\n'
      + 'wire latency (µs)     mean 80.0  p50 80.0  p90 80.0  p99 80.0  p99.9 80.0  max 80.0\n'
      + 'unwire latency (µs)   mean 0.0  p50 0.0  p90 0.0  p99 0.0  p99.9 0.0  max 0.0\n');
  });

  it('counts a call that failed whatever the kernel\'s code: mach\'s KERN_RESOURCE_SHORTAGE is a failure as ENOMEM is, for a sweep and for compare', async () => {
    const d = tmp();
    writeFileSync(join(d, 'w.csv'), TRACE);
    expect((await syncsimHere(['run', 'w.csv', ...SETUP, '--out', 'f'], d)).code).toBe(0);
    // mach: a user wiring of 8 pages above a limit of 4 is refused; the mlock into the hole names an invalid address
    const m = await syncsimHere(['run', 'w.csv', ...SETUP, '--set', 'personality=mach', '--set', 'memory.max_user_wired_pages=4', '--out', 'm'], d);
    expect(m.code, m.stderr).toBe(0);
    expect(readFileSync(join(d, 'm', 'wires.csv'), 'utf8').split('\n').slice(1, 3).map((l) => l.split(',')[8])).toEqual(['KERN_RESOURCE_SHORTAGE', 'KERN_INVALID_ADDRESS']);
    const sm = JSON.parse(readFileSync(join(d, 'm', 'summary.json'), 'utf8'));
    // ENOMEM counts 0 for mach, as for a kernel whose wiring went well: wire.failed tells them apart
    expect(metricValue(sm, 'wire.errors.ENOMEM')).toBe(0);
    expect(metricValue(sm, 'wire.failed')).toBe(2);
    expect(metricValue(sm, 'wire.by_op.wire.failed')).toBe(2);
    expect(metricValue(sm, 'wire.by_op.unwire.errors.ENOMEM')).toBe(0);
    for (const k of ['wire.failed', 'wire.latency_us.p99', 'wire.unwire_latency_us.mean', 'wire.by_op.wire.failed', 'wire.by_op.unwire.count', 'wire.by_op.wire.errors.KERN_RESOURCE_SHORTAGE']) {
      expect(metricProblem(k), k).toBeUndefined();
    }
    expect(m.stdout).toContain('\nwire/unwire           3 calls: wire 2 (2 failed: KERN_INVALID_ADDRESS 1, KERN_RESOURCE_SHORTAGE 1), unwire 1; peak 0 wired pages\n');
    const c = await syncsimHere(['compare', 'f', 'm', '--metric', 'wire.failed', '--metric', 'wire.unwire_latency_us.mean', '--out', 'cmp'], d);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/^wire\.failed\s+-\s+1\s+2\s+1\s/m);
    expect(c.stdout).toMatch(/^wire\.unwire_latency_us\.mean\s+µs\s+0\s+0\s+0\s/m);
    // no successful wire call under mach: its wire latency has no value, and compare says why
    const none = await syncsimHere(['compare', 'f', 'm', '--metric', 'wire.latency_us.p50', '--out', 'cmp2'], d);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--metric wire.latency_us.p50: side B has no value: the run made no successful wire call (wire.by_op.wire.count 2, failed 2)');
  });

  it('a trace without wire rows: wires.csv is its header alone, the summary counts nothing, and the table keeps its one line', async () => {
    const d = tmp();
    writeFileSync(join(d, 't.csv'), 't_us,task,op,addr,len,flags,object,offset\n0,db,map,0x10000000,8192,,data.db,0\n1,db,write,0x10000000,100,,,\n2,db,msync,0x10000000,8192,SYNC,,\n');
    const r = await syncsimHere(['run', 't.csv', '--out', 'r'], d);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(d, 'r', 'wires.csv'), 'utf8')).toBe(`${WIRES_HEADER}\n`);
    const s = JSON.parse(readFileSync(join(d, 'r', 'summary.json'), 'utf8'));
    const none = { mean: null, p50: null, p90: null, p99: null, p999: null, max: null };
    expect(s.wire).toEqual({
      count: 0, errors: {}, peak_wired_pages: 0, failed: 0, latency_us: none, unwire_latency_us: none,
      by_op: { wire: { count: 0, failed: 0, errors: {} }, unwire: { count: 0, failed: 0, errors: {} } },
    });
    expect(r.stdout).toContain('\nwire/unwire           0 calls, peak 0 wired pages\n');
    expect(r.stdout).not.toMatch(/wire latency|^memory/m);
  });
});

describe('wires.csv pages: the page wirings a call added (wire) or removed (unwire), net of what it undid', () => {
  /** The `pages` column of each row of wires.csv after running `trace` with `args`, and the header. */
  async function pagesOf(trace: string, args: string[]): Promise<{ header: string; pages: string[] }> {
    const d = tmp();
    writeFileSync(join(d, 'w.csv'), trace);
    const r = await syncsimHere(['run', 'w.csv', ...args, '--out', 'o'], d);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(join(d, 'o', 'wires.csv'), 'utf8').trimEnd().split('\n');
    return { header: lines[0]!, pages: lines.slice(1).map((l) => l.split(',').at(-1)!) };
  }

  it('the column comes last; a call rolled back has 0; a linux mlock that meets the gap keeps and counts the page it locked', async () => {
    // TRACE: wire 8 pages; wire page 15 and the hole's first page; unwire the 8 pages
    const expected: Record<string, string[]> = {
      freebsd: ['8', '0', '8'], // vm_map_wire: the hole → the page wired is unwired again
      xnu: ['8', '0', '8'], // vm_map_wire_nested: KERN_INVALID_ADDRESS, rolled back
      mach: ['8', '0', '8'], // vm_map_wire: KERN_INVALID_ADDRESS, rolled back
      linux: ['8', '1', '8'], // apply_vma_lock_flags locks page 15 before the gap (ENOMEM, no rollback); munlock of [0,8) unlocks 8
    };
    for (const [p, want] of Object.entries(expected)) {
      const got = await pagesOf(TRACE, [...SETUP, '--set', `personality=${p}`]);
      expect(got.header).toBe('task,t_issue_us,t_done_us,latency_us,op,addr,len,flags,result,pages');
      expect(got.pages, p).toEqual(want);
    }
  });

  it('a repeated user wiring wires the pages no more: a flag (freebsd, linux) or one more level (xnu, mach), the pages being wired once per entry and unwired with its last level', async () => {
    // wire, wire, unwire, unwire of the same 8 pages
    const trace = ['t_us,task,op,addr,len,flags,object,offset', '0,db,map,0x10000000,65536,,data,0',
      '10,db,wire,0x10000000,32768,USER,,', '20,db,wire,0x10000000,32768,USER,,', '30,db,unwire,0x10000000,32768,USER,,', '40,db,unwire,0x10000000,32768,USER,,'].join('\n') + '\n';
    const expected: Record<string, string[]> = {
      freebsd: ['8', '0', '8', '0'], // MAP_ENTRY_USER_WIRED is a flag; the second unwire finds no user wiring (an error)
      linux: ['8', '0', '8', '0'], // VM_LOCKED is a flag; munlock of an unlocked range is OK and does nothing
      xnu: ['8', '0', '0', '8'], // user_wired_count 1, 2, 1, 0: the pages follow wired_count, taken at the first level only
      mach: ['8', '0', '0', '8'],
    };
    for (const [p, want] of Object.entries(expected)) expect((await pagesOf(trace, [...SETUP, '--set', `personality=${p}`])).pages, p).toEqual(want);
  });

  it('linux with page-in and failing reads: an mlock that fails counts the pages it left wired (those in memory), munlock the same pages', async () => {
    // f's 4 pages shared (not in memory), then g's 4 pages private, of which a store makes the first 2 (copy-on-write,
    // zero-filled: no read) resident; every read fails: the mlock's populate fails at f's page 0 and wires g's 2
    // resident pages at once (ENOMEM); the same mlock again fails again and wires nothing; munlock unwires the 2
    const trace = ['t_us,task,op,addr,len,flags,object,offset', '0,db,map,0x10000000,16384,,f,0', '0,db,map,0x10004000,16384,PRIVATE,g,0',
      '10,db,write,0x10004000,8192,,,', '100,db,wire,0x10000000,32768,USER,,', '200,db,wire,0x10000000,32768,USER,,', '300,db,unwire,0x10000000,32768,USER,,'].join('\n') + '\n';
    const d = tmp();
    writeFileSync(join(d, 'w.csv'), trace);
    const r = await syncsimHere(['run', 'w.csv', '--set', 'device.profile=queue', '--set', 'personality=linux', '--set', 'pagein=true', '--set', 'device.error_rate=1', '--out', 'o'], d);
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(join(d, 'o', 'wires.csv'), 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.map((w) => [w[4], w[8], w[9]])).toEqual([['wire', 'ENOMEM', '2'], ['wire', 'ENOMEM', '0'], ['unwire', 'OK', '2']]);
  });
});

describe("run's table: wire failures by op, and memory", () => {
  it('a summary written before wire.by_op keeps the row it had', () => {
    const old = { wire: { count: 4, errors: { ENOMEM: 1 }, peak_wired_pages: 1024 } } as unknown as Summary;
    expect(wireRows(old)).toEqual([['wire/unwire', '4 calls, ENOMEM 1, peak 1024 wired pages']]);
  });

  it('has a memory row with a memory limit or evictions, none without', () => {
    const of = (pages: number, evictions: number) => ({ config: { memory: { pages } }, memory: { evictions, pageins: 300, peak_resident_pages: 120 } }) as unknown as Summary;
    expect(memoryRows(of(0, 0))).toEqual([]);
    expect(memoryRows(of(100, 0))).toEqual([['memory', 'limit 100 pages, peak resident 120 pages, evictions 0 pages, page-ins 300 pages']]);
    expect(memoryRows(of(0, 7))).toEqual([['memory', 'no limit, peak resident 120 pages, evictions 7 pages, page-ins 300 pages']]);
  });

  it('has a throttle row when background writeback paused writers (the table said nothing of it, only that the replay stretched)', async () => {
    expect(throttleRows({ throttle: { count: 0, total_us: 0, max_us: 0 } } as unknown as Summary)).toEqual([]);
    const d = tmp();
    expect((await syncsimHere(['gen', 'seq-writer', '--set', 'duration_s=0.1', '--set', 'sync_interval_us=0', '--set', 'rate=20000', '--set', 'write_size=64K', '-o', 's.csv'], d)).code).toBe(0);
    const r = await syncsimHere(['run', 's.csv', '--set', 'personality=linux', '--set', 'writeback.policy=flusher', '--set', 'memory.pages=2000', '--set', 'device.profile=hdd', '--set', 'pagein=false', '--out', 'o'], d);
    expect(r.code, r.stderr).toBe(0);
    // the run was throttled (the figures are the simulator's: only their consistency is checked here), and the table shows them
    const t = JSON.parse(readFileSync(join(d, 'o', 'summary.json'), 'utf8')).throttle as { count: number; total_us: number; max_us: number };
    expect(t.count).toBeGreaterThan(0);
    expect(t.max_us).toBeGreaterThan(0);
    expect(t.max_us).toBeLessThanOrEqual(t.total_us);
    expect(t.max_us).toBeLessThanOrEqual(200_000); // writeback.max_pause_ms, 200 by default, bounds each pause
    expect(r.stdout).toContain(`\nthrottle              ${throttleRows({ throttle: t } as unknown as Summary)[0]![1]}\n`);
    // the row's wording, from figures given here
    expect(throttleRows({ throttle: { count: 4, total_us: 160000, max_us: 40000 } } as unknown as Summary))
      .toEqual([['throttle', '4 pauses of writers by background writeback, 160.0 ms in all, longest 40.0 ms']]);
  });

  it('the new user\'s wired pool under freebsd with memory.pages=1500: the memory row, and the wire that failed named as a wire', async () => {
    const d = tmp();
    expect((await syncsimHere(['gen', 'wired-pool', '--set', 'tasks=2', '--set', 'duration_s=2', '-o', 'wp.csv'], d)).code).toBe(0);
    const r = await syncsimHere(['run', 'wp.csv', '--set', 'memory.pages=1500', '--out', 'r'], d);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(d, 'r', 'summary.json'), 'utf8'));
    expect(s.memory.evictions).toBeGreaterThan(0);
    expect(r.stdout).toContain(`\nmemory                limit 1500 pages, peak resident ${s.memory.peak_resident_pages} pages, evictions ${s.memory.evictions} pages, page-ins ${s.memory.pageins} pages\n`);
    // each task wires its 1024-page pool; freebsd's vm.max_user_wired is 4/5 of memory, 1200 pages: the first pool fits,
    // the second would make 2048 and is refused (ENOMEM); its task's unwire of what it never wired succeeds
    const wires = readFileSync(join(d, 'r', 'wires.csv'), 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split(','));
    expect(wires.map((w) => w[4]).sort()).toEqual(['unwire', 'unwire', 'wire', 'wire']);
    expect(wires.filter((w) => w[8] !== 'OK').map((w) => [w[4], w[8]])).toEqual([['wire', 'ENOMEM']]);
    expect(s.wire).toMatchObject({ failed: 1, peak_wired_pages: 1024 });
    expect(r.stdout).toContain('\nwire/unwire           4 calls: wire 2 (1 failed: ENOMEM 1), unwire 2; peak 1024 wired pages\n');
  });
});
