/**
 * End-to-end tests of `syncsim gen`: the preset list, traces to a file (gzip or plain) and to
 * standard output, replay of a generated trace by `syncsim run`, byte-identical output for a
 * seed, and bad input exiting 2 with a message that names the problem.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { syncsimHere } from './cli-here.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'scripts', 'syncsim.mjs');

/** Runs syncsim with `args`; resolves with its exit code and output. */
function syncsim(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const inProcess = (args: string[]) => syncsimHere(args);

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-gen-cli-'));

/** The presets the issue asks for, with parameters each must have. */
const PRESET_PARAMS: Record<string, string[]> = {
  'seq-writer': ['duration_s', 'tasks', 'footprint', 'rate', 'write_size', 'sync_every', 'sync_interval_us', 'sync_flags'],
  'random-writer': ['duration_s', 'tasks', 'footprint', 'rate', 'dist', 'theta', 'sync_every', 'sync_interval_us', 'sync_flags'],
  'db-checkpoint': ['duration_s', 'tasks', 'footprint', 'rate', 'checkpoint_interval_us'],
  'wal-append': ['duration_s', 'tasks', 'footprint', 'rate', 'record_min', 'record_max', 'group_commit', 'sync_flags'],
  'wired-pool': ['duration_s', 'tasks', 'footprint', 'rate', 'sync_interval_us', 'sync_flags'],
  'shared-object': ['duration_s', 'tasks', 'footprint', 'overlap', 'rate', 'sync_interval_us', 'sync_flags'],
};

// spawned processes: generous timeouts, the machine may be busy with other test files
describe('syncsim gen', { timeout: 60_000 }, () => {
  it('--list shows every preset with a summary line and its parameters with defaults; PRESET --list only that one', async () => {
    const all = await syncsim(['gen', '--list']);
    const one = await inProcess(['gen', 'wal-append', '--list']);
    expect(all.code).toBe(0);
    const sections = all.stdout.trim().split('\n\n');
    expect(sections.map((s) => s.split(':')[0])).toEqual(Object.keys(PRESET_PARAMS));
    for (const section of sections) {
      const [head, ...params] = section.split('\n');
      const name = head.split(':')[0];
      expect(head.length).toBeGreaterThan(name.length + 20); // a line of what it models
      for (const key of PRESET_PARAMS[name]) {
        const line = params.find((l) => l.trimStart().startsWith(`${key}=`));
        expect(line, `${name} ${key}`).toMatch(new RegExp(`^  ${key}=\\S+\\s+\\S.*`)); // key=default, then its doc
      }
    }
    expect(all.stdout).toMatch(/^ {2}duration_s=10 +trace length in simulated seconds$/m);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(`${sections[3]}\n`);
  });

  it('writes a .csv.gz trace that syncsim run replays with exit 0', async () => {
    const d = tmp();
    const trace = join(d, 'db.csv.gz');
    const g = await syncsim(['gen', 'db-checkpoint', '--set', 'duration_s=2', '--set', 'checkpoint_interval_us=500000', '--seed', '3', '-o', trace]);
    expect(g.stderr).toBe('');
    expect(g.code).toBe(0);
    const raw = readFileSync(trace);
    expect([raw[0], raw[1]]).toEqual([0x1f, 0x8b]);
    const lines = gunzipSync(raw).toString('utf8').trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['# syncsim-trace v1', 't_us,task,op,addr,len,flags,object,offset']);
    const rows = lines.slice(2);
    expect(g.stdout).toBe(`${trace}: ${rows.length} rows (preset db-checkpoint, seed 3)\n`);
    expect(readdirSync(d)).toEqual(['db.csv.gz']); // no temporary file left
    const r = await syncsim(['run', trace, '--out', join(d, 'res'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.trace.rows).toBe(rows.length);
    expect(s.ops.map).toBe(1);
    expect(s.ops.msync).toBe(4); // checkpoints at 0.5, 1, 1.5 and 2 s
    expect(s.ops.write).toBe(rows.filter((l) => l.split(',')[2] === 'write').length);
    expect(s.sync.ok).toBe(4);
  });

  it('writes plain CSV to stdout without -o, the same bytes as -o FILE.csv; the same seed gives byte-identical traces', async () => {
    const d = tmp();
    const args = ['gen', 'wal-append', '--set', 'duration_s=0.5', '--set', 'group_commit=4', '--seed', '9'];
    const [out, toFile] = await Promise.all([syncsim(args), syncsim([...args, '-o', join(d, 'w.csv')])]);
    for (const r of [out, toFile]) expect(r.code).toBe(0);
    expect(out.stderr).toBe('');
    expect(out.stdout.startsWith('# syncsim-trace v1\nt_us,task,op,addr,len,flags,object,offset\n0,txn0,map,0x10000000,67108864,,wal.log,0\n')).toBe(true);
    const rows = out.stdout.trim().split('\n').slice(2);
    // 4 tasks × 1000 transactions/s × 0.5 s ≈ 2000 writes, one msync per 4
    const writes = rows.filter((l) => l.split(',')[2] === 'write').length;
    expect(Math.abs(writes / 2000 - 1)).toBeLessThan(0.1);
    expect(rows.filter((l) => l.split(',')[2] === 'msync').length).toBe(Math.floor(writes / 4));
    expect(readFileSync(join(d, 'w.csv'), 'utf8')).toBe(out.stdout);
    const again = await inProcess(args);
    expect(again).toEqual({ code: 0, stdout: out.stdout, stderr: '' });
    const other = await inProcess(['gen', 'wal-append', '--set', 'duration_s=0.5', '--set', 'group_commit=4', '--seed', '10']);
    expect(other.code).toBe(0);
    expect(other.stdout).not.toBe(out.stdout);
    expect(other.stdout.split('\n').slice(0, 6)).toEqual(out.stdout.split('\n').slice(0, 6)); // the same maps, other times
  });

  it('bad preset, bad value, unknown key, bad seed and usage errors exit 2 with the message, and write no file', async () => {
    const d = tmp();
    const o = join(d, 'x.csv.gz');
    const value = await syncsim(['gen', 'seq-writer', '--set', 'rate=abc', '-o', o]);
    const preset = await inProcess(['gen', 'nope', '-o', o]);
    const key = await inProcess(['gen', 'random-writer', '--set', 'zipf_theta=1', '-o', o]);
    const flags = await inProcess(['gen', 'wired-pool', '--set', 'sync_flags=SYNC|BOGUS']);
    const seed = await inProcess(['gen', 'seq-writer', '--seed', 'x']);
    const none = await inProcess(['gen']);
    const dir = await inProcess(['gen', 'seq-writer', '-o', join(d, 'missing', 'x.csv')]);
    const set = await inProcess(['gen', 'seq-writer', '--set', 'rate']);
    const help = await inProcess(['gen', '--help']);
    expect(preset).toMatchObject({ code: 2, stdout: '' });
    expect(preset.stderr).toBe("syncsim: unknown preset 'nope' (presets: seq-writer, random-writer, db-checkpoint, wal-append, wired-pool, shared-object)\n");
    expect(value).toMatchObject({ code: 2, stdout: '' });
    expect(value.stderr).toBe("syncsim: parameter 'rate' of preset 'seq-writer': must be a positive number (got 'abc')\n");
    expect(key.code).toBe(2);
    expect(key.stderr).toMatch(/^syncsim: preset 'random-writer' has no parameter 'zipf_theta' \(its parameters: .*\btheta\b.*\)\n$/);
    expect(flags).toMatchObject({ code: 2, stdout: '' });
    expect(flags.stderr).toMatch(/^syncsim: parameter 'sync_flags' of preset 'wired-pool': must be msync flag names .*\(got 'SYNC\|BOGUS'\)\n$/);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toBe("syncsim: --seed expects a non-negative integer (got 'x')\n");
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^syncsim: gen expects a PRESET/);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toBe(`syncsim: cannot write ${join(d, 'missing', 'x.csv')}: its directory does not exist (ENOENT)\n`);
    expect(set.code).toBe(2);
    expect(set.stderr).toBe("syncsim: --set expects key=value (got 'rate')\n");
    for (const r of [preset, value, key, flags, seed, none, dir, set]) expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(existsSync(o)).toBe(false);
    expect(readdirSync(d)).toEqual([]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: syncsim gen PRESET/);
    expect(help.stdout).toContain('--list');
  });

  it('killed while writing -o FILE: exits 143 and leaves neither FILE nor its temporary file', async () => {
    const d = tmp();
    const child = spawn(process.execPath, [BIN, 'gen', 'random-writer', '--set', 'duration_s=100000', '-o', join(d, 'big.csv.gz')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const closed = new Promise<number | null>((done) => child.on('close', done));
    for (const t0 = Date.now(); readdirSync(d).length === 0 && Date.now() - t0 < 30_000;) await new Promise((r) => setTimeout(r, 25));
    expect(readdirSync(d)).toEqual([`big.csv.gz.tmp-${child.pid}`]); // writing has started
    child.kill('SIGTERM');
    expect(await closed).toBe(143);
    expect(stderr).toBe(`syncsim: interrupted (SIGTERM); ${join(d, 'big.csv.gz')} not written\n`);
    expect(readdirSync(d)).toEqual([]);
  });
});
