/**
 * End-to-end tests of `syncsim gen`: the preset list, traces to a file (gzip or plain) and to
 * standard output, replay of a generated trace by `syncsim run`, byte-identical output for a
 * seed, and bad input exiting 2 with a message that names the problem.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { syncsimHere } from './cli-here.ts';
import { idlePresetParams } from '../workloads/presets/index.ts';

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

  it('--list refuses -o, --set and --seed, which it would ignore: exit 2, nothing listed, no file written', async () => {
    const d = tmp();
    const out = join(d, 't.csv');
    const o = await inProcess(['gen', 'seq-writer', '--list', '-o', out]);
    expect(o).toEqual({ code: 2, stdout: '', stderr: 'syncsim: --out is for writing a trace, and --list writes none: it only lists presets (drop --list to write the trace)\n' });
    const all = await inProcess(['gen', '--list', '--output', out, '--set', 'rate=3', '--seed', '2']);
    expect(all).toEqual({ code: 2, stdout: '', stderr: 'syncsim: --output, --set, --seed are for writing a trace, and --list writes none: it only lists presets (drop --list to write the trace)\n' });
    expect(readdirSync(d)).toEqual([]);
    // -q has nothing to quiet in a list, and changes nothing in it
    const q = await inProcess(['gen', 'wal-append', '--list', '-q']);
    expect(q.code).toBe(0);
    expect(q.stdout).toBe((await inProcess(['gen', 'wal-append', '--list'])).stdout);
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
    // the header comments say how the trace was made: preset, seed and every resolved parameter
    expect(lines.slice(0, 5)).toEqual([
      '# syncsim-trace v1',
      '# generated by syncsim gen db-checkpoint --seed 3 --set checkpoint_interval_us=500000 --set duration_s=2',
      expect.stringMatching(/^# preset db-checkpoint, seed 3, parameters \{"duration_s":2,.*"checkpoint_interval_us":500000/),
      expect.stringMatching(/^# stamped: /),
      't_us,task,op,addr,len,flags,object,offset,x_txn',
    ]);
    expect(lines.at(-1)).toMatch(/^# syncsim stamp sha256:[0-9a-f]{64}$/); // the last line: the stamp
    const rows = lines.slice(5, -1);
    expect(g.stdout).toBe(`${trace}: ${rows.length} rows (preset db-checkpoint, seed 3)\n`);
    expect(readdirSync(d)).toEqual(['db.csv.gz']); // no temporary file left
    const r = await syncsim(['run', trace, '--out', join(d, 'res'), '--json']);
    // nothing on stderr but, with the default costs, maybe the note that closed replay stretched the checkpointing task
    expect(r.stderr).toMatch(/^(syncsim: warning: closed replay stretched 1 task\(s\): [^\n]*'db0'[^\n]*\n)?$/);
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
    expect(out.stdout).toMatch(/^# syncsim-trace v1\n# generated by syncsim gen wal-append --seed 9 --set duration_s=0.5 --set group_commit=4\n# preset wal-append, seed 9, parameters \{.*\}\n# stamped: [^\n]*\nt_us,task,op,addr,len,flags,object,offset,x_txn\n0,txn0,map,0x10000000,67108864,,wal.log,0,\n/);
    // the last line: the SHA-256 of every byte before it
    const stampAt = out.stdout.lastIndexOf('# syncsim stamp sha256:');
    expect(out.stdout.slice(stampAt)).toBe(`# syncsim stamp sha256:${createHash('sha256').update(out.stdout.slice(0, stampAt)).digest('hex')}\n`);
    const rows = out.stdout.slice(0, stampAt).trim().split('\n').slice(5);
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
    // the same header and maps (after the comments naming the seed), other times
    expect(other.stdout.split('\n').slice(3, 9)).toEqual(out.stdout.split('\n').slice(3, 9));
    expect(other.stdout.split('\n')[1]).toBe('# generated by syncsim gen wal-append --seed 10 --set duration_s=0.5 --set group_commit=4');
  });

  it("the header names msync flags as --set takes them (\"sync_flags\":\"SYNC|INVALIDATE\", not the bits 5); the rows are those of before", async () => {
    const r = await inProcess(['gen', 'wired-pool', '--set', 'sync_flags=ms_sync|invalidate', '--set', 'duration_s=0.2']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[2]).toContain('"sync_flags":"SYNC|INVALIDATE"');
    expect(lines[2]).not.toContain('"sync_flags":5');
    // the rows after the header, byte for byte as syncsim wrote them when the header said 5 (d129385), before
    // traces were stamped (the header's `# stamped:` line and the last line, the stamp, left out)
    expect(lines[3]).toMatch(/^# stamped: /);
    expect(lines.at(-2)).toMatch(/^# syncsim stamp sha256:[0-9a-f]{64}$/);
    expect(createHash('sha256').update([...lines.slice(4, -2), ''].join('\n')).digest('hex')).toBe('60e97c070deb092f4dd7c2072979d39dc6ebbabf5936e6ecd1d0b45f744fc257');
    const none = await inProcess(['gen', 'wired-pool', '--set', 'sync_flags=', '--set', 'duration_s=0.01']);
    expect(none.stdout.split('\n')[2]).toContain('"sync_flags":""');
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
    expect(seed.stderr).toBe("syncsim: --seed expects an integer from 0 to 9007199254740991 (2^53 - 1; got 'x')\n");
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

  it('one msync policy given while the other keeps a default that is not 0: a note on stderr saying what to set; the trace as asked', async () => {
    const both = await inProcess(['gen', 'random-writer', '--set', 'duration_s=0.2', '--set', 'sync_interval_us=100000']);
    expect(both.code).toBe(0);
    expect(both.stderr).toBe('syncsim: note: random-writer: sync_interval_us=100000 was given and sync_every keeps its default 100, so each task msyncs every 100 writes and every 100000 µs; --set sync_every=0 for sync_interval_us alone\n');
    // the rows are those asked for: the note changes nothing
    const msyncs = both.stdout.split('\n').filter((l) => l.split(',')[2] === 'msync').length;
    expect(msyncs).toBeGreaterThan(2);
    // both given, or the other's default 0: no note
    const gen = (...sets: string[]) => inProcess(['gen', 'random-writer', '--set', 'duration_s=0.2', ...sets.flatMap((x) => ['--set', x])]);
    for (const r of [await gen('sync_interval_us=100000', 'sync_every=0'), await gen('sync_every=50'), await gen()]) expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  it('a parameter the preset does not read under the others given (theta without dist=zipf): a note, and the same trace whatever its value', async () => {
    const gen = (...sets: string[]) => inProcess(['gen', 'random-writer', '--set', 'duration_s=0.1', ...sets.flatMap((x) => ['--set', x])]);
    const a = await gen('theta=0.5'), b = await gen('theta=1.2');
    expect(a.code).toBe(0);
    expect(a.stderr).toBe('syncsim: note: random-writer: theta (the Zipf exponent) has no effect: with dist uniform, only dist=zipf reads it, so the trace is the same whatever its value\n');
    // the rows after the header comments (which name the parameters) are the same
    const rows = (out: string) => out.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    expect(rows(a.stdout)).toBe(rows(b.stdout));
    // with dist=zipf it is read: no note, other rows; db-checkpoint's default dist is zipf
    const z1 = await gen('dist=zipf', 'theta=0.5'), z2 = await gen('dist=zipf', 'theta=1.2');
    expect(z1.stderr).toBe('');
    expect(rows(z1.stdout)).not.toBe(rows(z2.stdout));
    expect((await inProcess(['gen', 'db-checkpoint', '--set', 'duration_s=0.1', '--set', 'theta=0.5'])).stderr).toBe('');
    expect(idlePresetParams('db-checkpoint', { theta: 0.5, dist: 'uniform' }).map((i) => i.key)).toEqual(['theta']);
  });

  it('a refused output names the option as import and convert do: -o and --out as --out, --output as given', async () => {
    // one after the other: an in-process run captures the process's standard streams while it runs
    const short = await inProcess(['gen', 'seq-writer', '-o', '']);
    const long = await inProcess(['gen', 'seq-writer', '--out', '']);
    const alias = await inProcess(['gen', 'seq-writer', '--output', '']);
    expect(short).toMatchObject({ code: 2, stdout: '', stderr: 'syncsim: --out expects a file name\n' });
    expect(long).toMatchObject({ code: 2, stdout: '', stderr: 'syncsim: --out expects a file name\n' });
    expect(alias).toMatchObject({ code: 2, stdout: '', stderr: 'syncsim: --output expects a file name\n' });
  });

  // a hang-up (a closed terminal) ends by the signal itself, as a shell reports it (scripts/interrupt.ts endBySignal)
  it.each([['SIGTERM', 143], ['SIGHUP', 'SIGHUP']] as const)('killed (%s) while writing -o FILE: ends %s and leaves neither FILE nor its temporary file', async (sig, end) => {
    const d = tmp();
    const child = spawn(process.execPath, [BIN, 'gen', 'random-writer', '--set', 'duration_s=100000', '-o', join(d, 'big.csv.gz')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const closed = new Promise<number | string | null>((done) => child.on('close', (code, signal) => done(code ?? signal)));
    try {
      const tmpFile = `big.csv.gz.tmp-${child.pid}@${hostname()}`;
      for (const t0 = Date.now(); !readdirSync(d).includes(tmpFile) && Date.now() - t0 < 30_000;) await new Promise((r) => setTimeout(r, 25));
      // writing has started, under the lock of the output (one writer at a time)
      expect(readdirSync(d).sort()).toEqual(['.big.csv.gz.lock', tmpFile]);
    } finally {
      // stopped whatever the checks above found: a writer of a 100,000 s trace left running would take a CPU for hours
      child.kill(sig);
    }
    expect(await closed).toBe(end);
    expect(stderr).toBe(`syncsim: interrupted (${sig}); ${join(d, 'big.csv.gz')} not written\n`);
    expect(readdirSync(d)).toEqual([]);
  });
});

/**
 * Starts `syncsim gen ARGS` in `dir` with standard output `stdout` ('pipe', or a file's descriptor,
 * as a shell's `>` gives it), sends SIGINT once `started()` says output is being written (polled,
 * not a fixed wait), and resolves with its exit code and standard error.
 */
async function interruptGen(args: string[], dir: string, stdout: 'ignore' | number, started: () => boolean): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'gen', ...args], { cwd: dir, stdio: ['ignore', stdout, 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const closed = new Promise<number | null>((done) => child.on('close', done));
  try {
    for (const t0 = Date.now(); !started() && child.exitCode === null && Date.now() - t0 < 30_000;) await new Promise((r) => setTimeout(r, 10));
    expect(started(), 'gen wrote nothing within 30 s, or ended first').toBe(true);
  } finally {
    // stopped whatever the check found: a writer of a 100,000 s trace left running would take a CPU for hours
    child.kill('SIGINT');
  }
  return { code: await closed, stderr };
}

describe('syncsim gen interrupted (Ctrl-C)', { timeout: 60_000 }, () => {
  // 100,000 s of random writes: hours of rows, interrupted long before the end
  const BIG = ['random-writer', '--set', 'duration_s=100000'];

  it('to standard output redirected to a file: the rows written end with the INCOMPLETE line, said on stderr as import says it, and run refuses the file at that line', async () => {
    const d = tmp();
    const trace = join(d, 't.csv');
    const fd = openSync(trace, 'w');
    let r;
    try {
      // some rows written (more than the header), as a shell's redirection keeps them
      r = await interruptGen(BIG, d, fd, () => statSync(trace).size > 1000);
    } finally {
      closeSync(fd);
    }
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('\nsyncsim: interrupted (SIGINT); the rows written to standard output end with an INCOMPLETE line\n');
    const lines = readFileSync(trace, 'utf8').split('\n');
    expect(lines.at(-1)).toBe(''); // the file ends with a line break
    expect(lines.at(-2)).toBe('INCOMPLETE: syncsim gen was interrupted; this trace is cut short');
    expect(lines[0]).toBe('# syncsim-trace v1');
    expect(lines[3]).toMatch(/^# stamped: /);
    expect(lines[4]).toBe('t_us,task,op,addr,len,flags,object,offset');
    // whole rows before it, and no stamp line (a trace cut short is not stamped); an empty line at most (the INCOMPLETE line is on a line of its own, whatever was cut)
    const rows = lines.slice(5, -2).filter((l) => l !== '');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/^\d+(\.\d+)?,w\d,(map|write|msync),0x[0-9a-f]+,\d+,[A-Z|]*,[^,]*,\d*$/);
    const run = await syncsimHere(['run', 't.csv', '--out', 'o'], d);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `syncsim: t.csv:${lines.length - 1}: wrong number of fields: expected 8, found 1 (got 'INCOMPLETE: syncsim gen was interrupted; this trace is cut short')\n`,
    });
    expect(readdirSync(d)).toEqual(['t.csv']);
    // the broken trace is syncsim's own (no stamp, cut short): gen -o replaces it, as a trace written before stamps
    const again = await syncsimHere(['gen', 'seq-writer', '--set', 'duration_s=0.01', '-o', 't.csv'], d);
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(readFileSync(join(d, 't.csv'), 'utf8')).toMatch(/\n# syncsim stamp sha256:[0-9a-f]{64}\n$/);
  });

  it('to a pipe: the same INCOMPLETE line ends what the reader got', async () => {
    const d = tmp();
    const child = spawn(process.execPath, [BIN, 'gen', ...BIG], { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const closed = new Promise<number | null>((done) => child.on('close', done));
    try {
      for (const t0 = Date.now(); out.length <= 1000 && child.exitCode === null && Date.now() - t0 < 30_000;) await new Promise((r) => setTimeout(r, 10));
      expect(out.length).toBeGreaterThan(1000);
    } finally {
      child.kill('SIGINT');
    }
    expect(await closed).toBe(130);
    expect(err).toBe('\nsyncsim: interrupted (SIGINT); the rows written to standard output end with an INCOMPLETE line\n');
    expect(out.endsWith('\nINCOMPLETE: syncsim gen was interrupted; this trace is cut short\n')).toBe(true);
    expect(readdirSync(d)).toEqual([]);
  });

  it('-o FILE: nothing written, neither FILE nor its temporary file, and a FILE there before is kept as it was', async () => {
    const d = tmp();
    const before = await syncsim(['gen', 'seq-writer', '--set', 'duration_s=0.1', '-o', join(d, 'big.csv')]);
    expect(before.code).toBe(0);
    const kept = readFileSync(join(d, 'big.csv'));
    const r = await interruptGen([...BIG, '-o', 'big.csv'], d, 'ignore', () => {
      // the temporary file (big.csv.tmp-PID@HOST) holds some rows
      const name = readdirSync(d).find((n) => n.startsWith('big.csv.tmp-') && n.endsWith(`@${hostname()}`));
      return name !== undefined && statSync(join(d, name)).size > 1000;
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('syncsim: interrupted (SIGINT); big.csv not written\n');
    expect(readdirSync(d)).toEqual(['big.csv']);
    expect(readFileSync(join(d, 'big.csv'))).toEqual(kept);
  });
});
