/**
 * Per-task replay accounting (tasks.csv, summary.json replay and throughput)
 * and the warning when closed replay stretches a task, on a trace worked out
 * by hand.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncsimHere } from './cli-here.ts';

describe('tasks.csv and the stretched-task warning', () => {
  it('closed replay: each 5 ms msync of a task that syncs every 1 ms pushes its later ops 4 ms later', async () => {
    const d = mkdtempSync(join(tmpdir(), 'syncsim-tasks-'));
    // task a: map, then 10 × (store one page, msync it) at 0, 1, ..., 9 ms; task b: one store at 0
    const rows = ['0,a,map,0x10000000,65536,,f,0', '0,b,map,0x20000000,4096,,g,0', '0,b,write,0x20000000,4096,,,'];
    for (let i = 0; i < 10; i++) rows.push(`${i * 1000},a,write,${'0x' + (0x10000000 + i * 4096).toString(16)},4096,,,`, `${i * 1000},a,msync,${'0x' + (0x10000000 + i * 4096).toString(16)},4096,SYNC,,`);
    writeFileSync(join(d, 't.csv'), '# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n' + rows.join('\n') + '\n');
    const r = await syncsimHere(['run', 't.csv', '--out', 'out', '--set', 'personality=linux', '--set', 'device.profile=queue', '--set', 'device.service.mean_us=5000'], d);
    expect(r.code, r.stderr).toBe(0);
    // each cycle keeps its 1 ms trace gap and adds a 5 ms msync: msync i is issued at 6 ms × i and ends 5 ms later,
    // so the lag after it is 6000 i + 5000 - 1000 i = 5000 (i + 1) µs; the last, 50 ms, is 555.6 % of the 9 ms trace
    expect(r.stderr).toMatch(/^syncsim: warning: closed replay stretched 1 task\(s\): .* 'a' 0\.050 s behind \(555\.6 % of the trace; at most 0\.050 s\)/);
    const tasks = readFileSync(join(d, 'out', 'tasks.csv'), 'utf8').trim().split('\n');
    expect(tasks).toEqual([
      'task,ops,msyncs,lag_end_us,max_lag_us,blocked_us',
      'a,21,10,50000,50000,50000',
      'b,2,0,0,0,0',
    ]);
    const s = JSON.parse(readFileSync(join(d, 'out', 'summary.json'), 'utf8'));
    expect(s.replay).toEqual({ tasks: 2, trace_end_us: 9000, max_lag_end_us: 50000, stretched_tasks: 1 });
    // 23 ops and 10 msyncs in 59 ms of simulated time (the last msync ends at 6 ms × 9 + 5 ms)
    expect(s.sim_time_us).toBe(59000);
    expect(s.throughput).toEqual({ ops_per_s: 23 / 0.059, msyncs_per_s: 10 / 0.059 });
    // open replay never stretches a task: no warning, no lag
    const o = await syncsimHere(['run', 't.csv', '--out', 'open', '--set', 'personality=linux', '--set', 'device.profile=queue', '--set', 'device.service.mean_us=5000', '--replay', 'open'], d);
    expect(o.stderr).toBe('');
    expect(readFileSync(join(d, 'open', 'tasks.csv'), 'utf8').trim().split('\n')[1]).toMatch(/^a,21,10,0,0,/);
  });
});
