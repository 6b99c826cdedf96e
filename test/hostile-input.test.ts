/**
 * Hostile inputs (issue 12, section 3): unreadable files, malformed sample
 * files, bytes that are not UTF-8, NUL bytes, misaligned maps and control
 * characters. Each must end in exit 2 with one clear line, never exit 1.
 * Most cases go through the CLI's `main` in-process; permission errors need
 * a process without root's file capabilities and spawn one.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { syncsimHere } from './cli-here.ts';
import { loadConfig } from '../scripts/config-file.ts';
import { describeError } from '../scripts/sweep/errors.ts';
import { readTrace } from '../traces/reader.ts';
import { TraceError } from '../traces/trace-error.ts';
import { readCache } from '../traces/cache.ts';
import { escapeControl } from '../traces/escape.ts';
import { fieldAsWritten } from '../traces/as-written.ts';
import { cliCases } from './cli-cases.ts';

const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'syncsim-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 't_us,task,op,addr,len,flags,object,offset\n';
const OK_ROWS = '0,db,map,0x10000000,8192,,data.db,0\n1,db,write,0x10000000,100,,,\n2,db,msync,0x10000000,8192,SYNC,,\n';
let n = 0;
/** Writes `content` to a new file in the temporary directory; returns its path. */
function put(content: string | Buffer, name = `f${n++}.csv`): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const cli = (args: string[]) => syncsimHere(args);

/** Expects exit 2 and exactly the one line `syncsim: LINE`. */
async function expectInputError(args: string[], line: string | RegExp): Promise<void> {
  const r = await cli(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.endsWith('\n') && r.stderr.indexOf('\n') === r.stderr.length - 1, r.stderr).toBe(true);
  if (typeof line === 'string') expect(r.stderr).toBe(`syncsim: ${line}\n`);
  else expect(r.stderr).toMatch(line);
}

async function readError(path: string): Promise<TraceError> {
  try {
    for await (const b of readTrace(path)) void b;
  } catch (e) {
    if (e instanceof TraceError) return e;
    throw e;
  }
  throw new Error(`reading ${path} did not fail`);
}

describe('inputs that are directories or unreadable: exit 2, one line naming the file', () => {
  const trace = put(HEADER + OK_ROWS, 'ok.csv');
  const folder = join(dir, 'folder.csv');
  mkdirSync(folder);
  const cfgDirSamples = put('device:\n  profile: queue\n  service: {dist: empirical, file: folder.csv}\n', 'emp-dir.yaml');
  const expDir = put(`name: e\ntrace: { path: folder.csv }\ngrid:\n  device.channels: [1, 2]\n`, 'exp-dir.yaml');

  it('a directory as trace, config, samples file or sweep trace.path', async () => {
    await expectInputError(['run', folder, '--out', join(dir, 'o1'), '--no-cache'], `trace file ${folder}: is a directory`);
    await expectInputError(['inspect', folder], `trace file ${folder}: is a directory`);
    await expectInputError(['convert', folder, '-o', join(dir, 'x.sst')], `trace file ${folder}: is a directory`);
    await expectInputError(['import', '--from', 'msr', folder], `input file ${folder}: is a directory`);
    await expectInputError(['run', trace, '--config', folder, '--out', join(dir, 'o2')], `config: cannot read config file ${folder}: is a directory`);
    await expectInputError(['run', trace, '--config', cfgDirSamples, '--out', join(dir, 'o3')], `config: ${cfgDirSamples}:3: key 'device.service.file': cannot read samples file ${folder}: is a directory`);
    await expectInputError(['sweep', expDir, '--out', join(dir, 'sw'), '--dry-run'], `${expDir}:2: trace file ${folder}: is a directory (got 'folder.csv')`);
    await expectInputError(['sweep', join(dir, 'nothere.yaml'), '--dry-run'], `experiment file not found: ${join(dir, 'nothere.yaml')}`);
    await expectInputError(['sweep', folder, '--dry-run'], `experiment file ${folder}: is a directory`);
  });

  it('convert: an output that cannot be written, an .sst where a CSV is read (inspect reads either)', async () => {
    await expectInputError(['convert', trace, '-o', folder], `cannot write ${folder}: is a directory`);
    await expectInputError(['convert', trace, '-o', join(dir, 'nowhere', 'x.sst')], `cannot write ${join(dir, 'nowhere', 'x.sst')}: its directory does not exist`);
    const sst = join(dir, 'ok.sst');
    expect((await cli(['convert', trace, '-o', sst])).code).toBe(0);
    expect((await cli(['inspect', sst])).code).toBe(0);
    await expectInputError(['convert', sst, '-o', join(dir, 'again.sst')], `trace file ${sst} is a binary trace cache already (convert reads .csv or .csv.gz)`);
  });

  it('report and compare on storage that refuses the write (a file size limit): --out not written, exit 2, one line, nothing left', async () => {
    const res = join(dir, 'full-src');
    expect((await cli(['run', put(HEADER + OK_ROWS, 'full.csv'), '--out', res, '--no-cache'])).code).toBe(0);
    const limited = join(dir, 'limited-out');
    mkdirSync(limited);
    const cases = [[['report', res, '--format', 'svg'], join(limited, 'rep')], [['compare', res, res], join(limited, 'cmp')]] as const;
    // both in one process (test/workers/cli-cases.mjs) with an RLIMIT_FSIZE of 4 KiB (bash's ulimit -f counts KiB): a chart's files pass it (EFBIG; node ignores SIGXFSZ)
    const ended = cliCases(cases.map(([args, out]) => ({ args: [...args, '--out', out], cwd: '.', list: limited })), { fileLimitKiB: 4 });
    expect(ended).toHaveLength(cases.length);
    for (const [k, [, out]] of cases.entries()) {
      expect([ended[k]!.code, ended[k]!.stdout]).toEqual([2, '']);
      expect(ended[k]!.stderr).toMatch(new RegExp(`^syncsim: --out ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot write it \\(EFBIG: [^)]*\\); nothing was kept there\n$`));
      expect(ended[k]!.listing).toEqual([]); // nothing left by this case
    }
    expect(readdirSync(limited)).toEqual([]);
  });

  it('standard output that cannot be written (a full device): one line, exit 2, not a stack trace', () => {
    for (const args of [['--help'], ['gen', 'seq-writer', '--set', 'duration_s=0.01'], ['inspect', put(HEADER + OK_ROWS, 'so.csv')]]) {
      const r = spawnSync('bash', ['-c', 'exec "$0" "$@" > /dev/full', process.execPath, join(ROOT, 'scripts', 'syncsim.mjs'), ...args], { encoding: 'utf8' });
      expect([r.status, r.stderr]).toEqual([2, 'syncsim: cannot write to standard output (ENOSPC: no space left on device, write)\n']);
    }
  });

  it('convert: a cache that cannot be written whole (a file size limit) is said as OUT not written, exit 2, nothing left', () => {
    // past one cache block (65,536 rows) the writer writes while it reads, before its close
    const rows = Array.from({ length: 70_000 }, (_, i) => `${i + 3},db,write,0x10000000,100,,,\n`).join('');
    const big = put(HEADER + '0,db,map,0x10000000,8192,,data.db,0\n' + rows, 'big.csv');
    const out = join(dir, 'limited', 'big.sst');
    mkdirSync(join(dir, 'limited'));
    // RLIMIT_FSIZE of 64 KiB (bash's ulimit -f counts KiB): the first block's write stops short, and the rest fails with EFBIG (node ignores SIGXFSZ)
    const r = spawnSync('bash', ['-c', 'ulimit -f 64; exec "$0" "$@"', process.execPath, join(ROOT, 'scripts', 'syncsim.mjs'), 'convert', big, '-o', out], { encoding: 'utf8' });
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(new RegExp(`^syncsim: cannot write ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*(EFBIG|too large)`));
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(readdirSync(join(dir, 'limited'))).toEqual([]);
    // a limit that falls in the cache's last write (its table of names, after the blocks): not a truncated file, the same refusal
    const names = Array.from({ length: 2000 }, (_, i) => `${i + 1},db,map,0x${(0x10000000 + i * 0x10000).toString(16)},4096,,${'n'.repeat(150)}${i},0\n`).join('');
    const named = put(HEADER + names, 'names.csv');
    const cut = join(dir, 'limited', 'cut.sst');
    const r2 = spawnSync('bash', ['-c', 'ulimit -f 300; exec "$0" "$@"', process.execPath, join(ROOT, 'scripts', 'syncsim.mjs'), 'convert', named, '-o', cut], { encoding: 'utf8' });
    expect([r2.status, r2.stdout]).toEqual([2, '']);
    expect(r2.stderr).toMatch(/^syncsim: cannot write .*cut\.sst: .*(EFBIG|too large)/);
    expect(readdirSync(join(dir, 'limited'))).toEqual([]);
  });

  it('an unreadable file (EACCES, in a process without root file capabilities)', () => {
    const locked = put(HEADER + OK_ROWS, 'locked.csv');
    const lockedCfg = put('device: {channels: 2}\n', 'locked.yaml');
    const lockedSamples = put('latency_us\n80\n', 'locked-samples.csv');
    const cfgSamples = put('device:\n  profile: queue\n  service: {dist: empirical, file: locked-samples.csv}\n', 'emp-locked.yaml');
    const exp = put(`name: e\ntrace: { path: locked.csv }\ngrid:\n  device.channels: [1, 2]\n`, 'exp-locked.yaml');
    for (const f of [locked, lockedCfg, lockedSamples]) chmodSync(f, 0o000);
    const cases = [
      ['run', locked, '--out', join(dir, 'o4'), '--no-cache'],
      ['inspect', locked],
      ['convert', locked, '-o', join(dir, 'y.sst')],
      ['run', trace, '--config', lockedCfg, '--out', join(dir, 'o5')],
      ['run', trace, '--config', cfgSamples, '--out', join(dir, 'o6')],
      ['sweep', exp, '--out', join(dir, 'sw2'), '--dry-run'],
    ];
    // root reads any file: drop the capabilities that let it (the owner's mode 000 then applies)
    const asRoot = process.getuid?.() === 0;
    const cmd = asRoot ? 'setpriv' : process.execPath;
    const pre = asRoot ? ['--bounding-set=-dac_override,-dac_read_search', process.execPath] : [];
    const r = spawnSync(cmd, [...pre, join(ROOT, 'test', 'workers', 'cli-cases.mjs'), JSON.stringify(cases)], { encoding: 'utf8', cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { code: number; stderr: string }[];
    expect(got).toEqual([
      { code: 2, stderr: `syncsim: trace file ${locked}: permission denied\n` },
      { code: 2, stderr: `syncsim: trace file ${locked}: permission denied\n` },
      { code: 2, stderr: `syncsim: trace file ${locked}: permission denied\n` },
      { code: 2, stderr: `syncsim: config: cannot read config file ${lockedCfg}: permission denied\n` },
      // the samples file named relative to the working directory (dir) it lies in
      { code: 2, stderr: `syncsim: config: ${cfgSamples}:3: key 'device.service.file': cannot read samples file locked-samples.csv: permission denied\n` },
      { code: 2, stderr: `syncsim: ${exp}:2: trace file ${locked}: permission denied (got 'locked.csv')\n` },
    ]);
  }, 60_000);
});

describe('empirical samples files: FILE:LINE: what is wrong', () => {
  const samples = (body: string | Buffer) => {
    const f = put(body, `s${n++}.csv`);
    const cfg = put(`device:\n  profile: queue\n  service: {dist: empirical, file: ${f}}\n`, `c${n++}.yaml`);
    return { f, cfg };
  };
  const errorOf = (cfg: string) => {
    try {
      loadConfig(cfg, []);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('loadConfig did not fail');
  };

  it('rejects each malformation with its line', () => {
    const cases: [string | Buffer, (f: string) => string][] = [
      ['latency_us\n80\n"90\n', (f) => `${f}:3: malformed CSV: Quote Not Closed: the parsing is finished with an opening quote at line 3`],
      ['lat,x\n80,1\n', (f) => `${f}:1: no latency_us column (got 'lat,x')`],
      ['', (f) => `${f}:1: no latency_us column (the file has no header line)`],
      ['latency_us\n', (f) => `${f}:1: no samples after the header line`],
      ['# calibrated\nlatency_us\n80\nfast\n', (f) => `${f}:4: latency_us is not a non-negative number (got 'fast')`],
      ['latency_us\n80\n-3\n', (f) => `${f}:3: latency_us is not a non-negative number (got '-3')`],
      ['latency_us,pages\n80,1\n,2\n', (f) => `${f}:3: latency_us is not a non-negative number (got '')`],
      ['latency_us\n80\n1e400\n', (f) => `${f}:3: latency_us is not a non-negative number (got '1e400')`],
      ['latency_us,pages\n80,1\n90\n', (f) => `${f}:3: malformed CSV: Invalid Record Length: expect 2, got 1 on line 3`],
      [Buffer.from('latency_us\n80\n9\xff\n', 'latin1'), (f) => `${f}:3: invalid UTF-8`],
      [Buffer.from('latency_us\n8\x000\n', 'latin1'), (f) => `${f}:2: NUL byte`],
    ];
    for (const [body, expected] of cases) {
      const { f, cfg } = samples(body);
      expect(errorOf(cfg)).toBe(expected(f));
    }
  });

  it('still reads a good file (comments, extra columns, exponents)', () => {
    const { cfg } = samples('# from calibrate\nlatency_us,pages\n80,1\n1.5e2,2\n 7 ,3\n');
    expect(loadConfig(cfg, []).device.service).toMatchObject({ dist: 'empirical', samples_us: [80, 150, 7] });
  });

  it('a missing samples file names the key that names it, and the config file\'s line; one named by a profile file is read beside that file', async () => {
    const cfg = put('device:\n  write_latency: {dist: empirical, file: no-such-samples.csv}\n', 'wl-missing.yaml');
    expect(errorOf(cfg)).toBe(`config: ${cfg}:2: key 'device.write_latency.file': cannot read samples file ${join(dir, 'no-such-samples.csv')}: not found`);
    const pdir = join(dir, 'profiles');
    mkdirSync(pdir, { recursive: true });
    const profile = join(pdir, 'p.yaml');
    writeFileSync(profile, 'device:\n  profile: sata-ssd\n  read_latency: {dist: empirical, file: reads.csv}\n');
    const user = put(`device:\n  profile: ${profile}\n`, 'uses-profile.yaml');
    expect(errorOf(user)).toBe(`config: ${profile}:3: key 'device.read_latency.file': cannot read samples file ${join(pdir, 'reads.csv')}: not found`);
    // from inside the working directory the missing file is named relative to it, as the CLI names paths (until 2026-12-06, absolute)
    const inside = await syncsimHere(['run', put(HEADER + OK_ROWS, 'wl.csv'), '--config', 'wl-missing.yaml', '--out', 'wl-out'], dir);
    expect([inside.code, inside.stderr]).toEqual([2, "syncsim: config: wl-missing.yaml:2: key 'device.write_latency.file': cannot read samples file no-such-samples.csv: not found\n"]);
    const viaProfile = await syncsimHere(['run', 'wl.csv', '--config', 'uses-profile.yaml', '--out', 'wl-out'], dir);
    // and so is the profile file that names it (until 2026-12-06, latest, absolute)
    expect(viaProfile.stderr).toBe(`syncsim: config: ${join('profiles', 'p.yaml')}:3: key 'device.read_latency.file': cannot read samples file ${join('profiles', 'reads.csv')}: not found\n`);
    writeFileSync(join(pdir, 'reads.csv'), 'latency_us\n80\nslow\n');
    expect(errorOf(user)).toBe(`${join(pdir, 'reads.csv')}:3: latency_us is not a non-negative number (got 'slow')`);
    writeFileSync(join(pdir, 'reads.csv'), 'latency_us\n80\n90\n');
    expect(loadConfig(user, []).device.read_latency).toMatchObject({ dist: 'empirical', samples_us: [80, 90] });
    // the user's own samples file over the profile file's: the user's samples, read beside the user's config
    put('latency_us\n9000\n', 'mine-reads.csv');
    const over = put(`device:\n  profile: ${profile}\n  read_latency: {file: mine-reads.csv}\n`, 'over-profile.yaml');
    expect(loadConfig(over, []).device.read_latency).toMatchObject({ dist: 'empirical', file: 'mine-reads.csv', samples_us: [9000] });
  });

  it('the CLI exits 2 with the FILE:LINE line', async () => {
    const { f, cfg } = samples('latency_us\n80\n"90\n');
    await expectInputError(['run', put(HEADER + OK_ROWS), '--config', cfg, '--out', join(dir, 'o7'), '--no-cache'],
      `${f}:3: malformed CSV: Quote Not Closed: the parsing is finished with an opening quote at line 3`);
  });
});

describe('bytes that are not UTF-8, and NUL bytes', () => {
  const latin = (s: string) => Buffer.from(s, 'latin1');

  it('two object names that differ only in bytes that are not UTF-8 are refused, not merged', async () => {
    const f = put(latin(HEADER + '0,db,map,0x10000000,8192,,a\xff,0\n0,db,map,0x20000000,8192,,a\xfe,0\n'));
    await expectInputError(['run', f, '--out', join(dir, 'o8'), '--no-cache'], `${f}:2: column object: invalid UTF-8 (got 'a\\xff')`);
    const e = await readError(f);
    expect([e.line, e.column, e.problem, e.text]).toEqual([2, 'object', 'invalid UTF-8', 'a\\xff']);
  });

  it('names the column, in data rows, headers, quoted multi-line fields, comments, gzip and a sequence cut by the end', async () => {
    const cases: [Buffer, string][] = [
      [latin(HEADER + '0,d\xc3b,map,0x10000000,8192,,a,0\n'), ":2: column task: invalid UTF-8 (got 'd\\xc3b')"],
      [latin(HEADER + '0,db,map,0x10000000,8192,,"x\n\xed\xa0\x80",0\n'), ":2: column object: invalid UTF-8 (got 'x\\n\\xed\\xa0\\x80')"],
      [latin('t_us,task,op,addr,len,flags,object,x_\xe9\n'), ":1: invalid UTF-8 (got 'x_\\xe9')"],
      [latin(HEADER + '# \xff comment\n0,db,map,0x10000000,8192,,a,0\n'), ":2: invalid UTF-8 in a comment line (got '# \\xff comment')"],
      [latin(HEADER + '0,db,map,0x10000000,8192,,"a\rb",0\n# \xff comment\n'), ":3: invalid UTF-8 in a comment line (got '# \\xff comment')"],
      [latin(HEADER + '0,db,map,0x10000000,8192,,ab\xe2\x82'), ":2: column object: invalid UTF-8 (got 'ab\\xe2\\x82')"],
      [latin(HEADER + '0,db,map,0x10000000,8192,,a\0b,0\n'), ":2: column object: NUL byte (got 'a\\0b')"],
      [latin(HEADER + '0,db,map,0x10000000,8192,,a,0\n1,db,write,0x10000000,1\0,,,\n'), ":3: column len: NUL byte (got '1\\0')"],
    ];
    for (const [body, tail] of cases) {
      for (const gz of [false, true]) {
        const f = put(gz ? gzipSync(body) : body);
        expect((await readError(f)).message).toBe(f + tail);
      }
    }
  });

  it('keeps UTF-8 names, also when a character spans two read chunks', async () => {
    // the 2-byte 'é' of the last row straddles byte 65536, where the reader's first chunk ends
    const pad = HEADER + '0,db,map,0x10000000,8192,,données.db,0\n';
    const filler: string[] = [];
    let size = Buffer.byteLength(pad);
    for (let t = 1; size < 65536 - 60; t++) {
      const row = `${t},db,write,0x10000000,1,,,\n`;
      filler.push(row);
      size += row.length;
    }
    const head = pad + filler.join('');
    const prefix = '9999999,db,map,0x20000000,4096,,';
    const name = 'x'.repeat(65535 - Buffer.byteLength(head) - prefix.length) + 'é.db';
    const body = Buffer.from(head + prefix + name + ',0\n');
    expect(body.lastIndexOf(Buffer.from('é'))).toBe(65535);
    const objects = new Set<string>();
    for await (const b of readTrace(put(body))) for (const r of b) if (r.op === 'map') objects.add(r.object);
    expect([...objects]).toEqual(['données.db', name]);
  });

  it('importers refuse them too, with the line', async () => {
    const msr = readFileSync(join(ROOT, 'test', 'fixtures', 'msr', 'two-volumes.csv'), 'latin1').split('\n');
    msr[2] = msr[2]!.replace('usr', 'us\xffr');
    const f = put(latin(msr.join('\n')), 'msr.csv');
    await expectInputError(['import', '--from', 'msr', f, '-o', join(dir, 'imp.csv')], new RegExp(`^syncsim: ${f}:3: invalid UTF-8 \\(got '[^']*us\\\\xffr`));
    msr[2] = msr[2]!.replace('us\xffr', 'us\0r');
    const g = put(latin(msr.join('\n')), 'msr-nul.csv');
    await expectInputError(['import', '--from', 'msr', g], new RegExp(`^syncsim: ${g}:3: NUL byte \\(got '[^']*us\\\\0r`));
  });

  it('a cache whose string table is not UTF-8 is corrupted, not misread', async () => {
    const f = put(HEADER + OK_ROWS);
    const sst = join(dir, 'c.sst');
    expect((await cli(['convert', f, '-o', sst])).code).toBe(0);
    const b = readFileSync(sst);
    b[b.lastIndexOf(Buffer.from('data.db')) + 4] = 0xff;
    writeFileSync(sst, b);
    await expect(async () => {
      for await (const x of readCache(sst)) void x;
    }).rejects.toThrow(`${sst}: corrupted string table`);
    await expectInputError(['run', sst, '--out', join(dir, 'o9')], `${sst}: corrupted string table`);
  });
});

describe('a misaligned map quotes the address as written', () => {
  it('hex, decimal, gzip and quoted fields after multi-line ones; the .sst shows hex', async () => {
    const hex = put(HEADER + '# c\n0,db,map,0x10000000,8192,,"multi\nline",0\n0,db,map,0x10000001,8192,,a,0\n');
    await expectInputError(['run', hex, '--out', join(dir, 'o10'), '--no-cache'], `${hex}:5: column addr: map address is not aligned to page_size 4096 (got '0x10000001')`);
    const dec = put(HEADER + '0,db,map,268435457,8192,,a,0\n');
    await expectInputError(['run', dec, '--out', join(dir, 'o11'), '--no-cache'], `${dec}:2: column addr: map address is not aligned to page_size 4096 (got '268435457')`);
    const off = put(gzipSync(HEADER + '0,db,map,0x10000000,8192,,a,"0x0800"\n'));
    await expectInputError(['run', off, '--out', join(dir, 'o12'), '--no-cache'], `${off}:2: column offset: map offset is not aligned to page_size 4096 (got '0x0800')`);
    const sst = join(dir, 'mis.sst');
    expect((await cli(['convert', dec, '-o', sst])).code).toBe(0);
    await expectInputError(['run', sst, '--out', join(dir, 'o13')], `${sst}:2: column addr: map address is not aligned to page_size 4096 (got '0x10000001')`);
    expect(await fieldAsWritten(sst, 2, 'addr')).toBeUndefined();
    // lines after a lone CR inside a field (not a line break) are found where they are
    const cr = put(HEADER.replace('offset\n', 'offset,x_note\n') + '0,a,map,0x0,8192,,f,0,"a\rb"\n1,a,write,0x0,1,,,,c\re\n2,a,map,0x1001,8192,,g,0,\n');
    expect(await fieldAsWritten(cr, 4, 'addr')).toBe('0x1001');
  });
});

describe('control characters are escaped in every message', () => {
  it('escapeControl writes controls as escapes and leaves the rest, idempotently', () => {
    expect(escapeControl('a\x1b[31mb\0c\n\r\t\x7f\x85\u202ed é\\x')).toBe('a\\x1b[31mb\\0c\\n\\r\\t\\x7f\\x85\\u202ed é\\x');
    expect(escapeControl(escapeControl('\x1b\0'))).toBe('\\x1b\\0');
    expect(escapeControl('plain')).toBe('plain');
  });

  it('in trace errors, file names, and sweep records', async () => {
    const f = put(HEADER + '0,db,m\x1b]0;pwned\x07ap,0x10000000,8192,,a,0\n', 'evil\x1b[2J.csv');
    await expectInputError(['inspect', f],
      `${escapeControl(f)}:2: column op: unknown op (expected one of map, unmap, write, read, msync, wire, unwire) (got 'm\\x1b]0;pwned\\x07ap')`);
    await expectInputError(['run', join(dir, 'missing\x1b[31m.csv')], `trace file not found: ${dir}/missing\\x1b[31m.csv`);
    await expectInputError(['run', f, '--seed', '1\x1b'], "--seed expects an integer from 0 to 4294967295 (got '1\\x1b')");
    expect(describeError(new Error('bad \x1b[31m thing'))).toBe('bad \\x1b[31m thing');
  });
});
