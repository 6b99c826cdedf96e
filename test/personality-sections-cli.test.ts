/**
 * The new user's bug, end to end without fio: a profile as `syncsim calibrate` writes it (the
 * text of calibration-text.ts's fragmentText from a Calibration written here by hand) used as
 * `--config` and as `device.profile` of a sweep over the personalities. Its Linux keys (the
 * filesystem it found, Linux's read-ahead, the cpu keys only linux reads) are under `linux:`, so
 * freebsd keeps ufs and linux gets ext4-nojournal. The expected filesystems and read-ahead
 * windows are each personality's defaults as docs/configuration.md gives them.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fragmentText } from '../scripts/validate/calibration-text.ts';
import type { Calibration } from '../scripts/validate/calibration.ts';
import { syncsimCli } from './helpers.ts';
import { syncsimHere } from './cli-here.ts';
import { ROOT, SMALL_TRACE } from './out-fixtures.ts';

/** A calibration of a Linux machine on ext4 without a journal, its figures written here. */
const CAL = {
  syncsim_version: 'test', fio_version: 'fio-3.33', dir: '/data', filesystem: 'ext4', block_device: { disk: 'vda' }, quick: true,
  fragment: {
    device: { profile: 'sata-ssd', channels: 4, write_cache: true, flush_us: 50 },
    readahead: { pages: 2048 },
    fs: { kind: 'ext4-nojournal', timestamp_tick_us: 4000 },
    cpu: { syscall_us: 1.1, clean_page_us: 5.2, clean_page_busy_us: 17.3, writeback_call_us: 20, cv: 0.17 },
  },
  fitted: {
    'device.channels': { value: 4, r2: null, n: 4, from: 'qd-read-*, qd-write-*: peak IOPS × QD1 latency' },
    'fs.kind': { value: 'ext4-nojournal', r2: null, n: 1, from: 'statfs: ext4; /proc/fs/jbd2/vda-*: none (made without a journal)' },
    'readahead.pages': { value: 2048, r2: null, n: 1, from: 'sysfs /sys/block/vda/queue/read_ahead_kb = 8192 → ÷ 4 KiB pages' },
    'cpu.clean_page_busy_us': { value: 17.3, r2: null, n: 8, from: 'cpu: probe cpu-costs.c: msync(MS_SYNC) CPU time per dirty page written while another CPU runs a busy loop' },
  },
  files: { fragment: 'dev.yaml', calibration: 'dev.calibration.json' },
} as unknown as Calibration;

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-psect-cli-'));

/** A small trace of stores and MS_SYNC msyncs to one file: what the runs and sweeps here replay (what they check is the configuration). */
const TRACE = join(tmp(), 'small.csv');
writeFileSync(TRACE, SMALL_TRACE);
/** The CLI in this process (the same `main`, exit code and output, without a second of start-up); the freebsd run below spawns the real one. */
const run = (args: string[]) => syncsimHere(args, ROOT);

describe('calibrate\'s profile: the Linux keys under linux:', () => {
  it('the text: device and the other cpu keys at the top level, fs, readahead and the linux-only cpu keys under linux:, each under its provenance', () => {
    const text = fragmentText(CAL);
    const lines = text.split('\n');
    const at = lines.indexOf('linux:');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1)).toEqual([
      '  readahead:',
      '    # sysfs /sys/block/vda/queue/read_ahead_kb = 8192 → ÷ 4 KiB pages (n 1)',
      '    pages: 2048',
      '  fs:',
      '    # statfs: ext4; /proc/fs/jbd2/vda-*: none (made without a journal) (n 1)',
      '    kind: ext4-nojournal',
      '    timestamp_tick_us: 4000',
      '  cpu:',
      '    # cpu: probe cpu-costs.c: msync(MS_SYNC) CPU time per dirty page written while another CPU runs a busy loop (n 8)',
      '    clean_page_busy_us: 17.3',
      '    writeback_call_us: 20',
      '',
    ]);
    const top = lines.slice(0, at);
    expect(top.filter((l) => /^\S/.test(l) && !l.startsWith('#'))).toEqual(['device:', 'cpu:']);
    const cpu = top.indexOf('cpu:');
    expect(top.slice(cpu + 1).filter((l) => !l.trimStart().startsWith('#'))).toEqual(['  syscall_us: 1.1', '  clean_page_us: 5.2', '  cv: 0.17']);
    expect(text.startsWith('# syncsim calibrate (')).toBe(true);
  });

  it('run --config dev.yaml: freebsd keeps ufs and its read-ahead, with no warning; linux gets ext4-nojournal and Linux\'s', async () => {
    const d = tmp();
    writeFileSync(join(d, 'dev.yaml'), fragmentText(CAL));
    const fb = syncsimCli(['run', TRACE, '--config', join(d, 'dev.yaml'), '--set', 'personality=freebsd', '--json', '--out', join(d, 'fb')], ROOT);
    expect(fb.code).toBe(0);
    const f = JSON.parse(fb.stdout).config;
    expect([f.personality, f.fs.kind, f.readahead.pages, f.cpu.clean_page_us, f.device.channels]).toEqual(['freebsd', 'ufs', 16, 5.2, 4]);
    expect(fb.stderr).not.toContain('no effect');
    expect(fb.stderr).not.toContain('syncsim calibrate');
    const lx = await run(['run', TRACE, '--config', join(d, 'dev.yaml'), '--set', 'personality=linux', '--json', '--out', join(d, 'lx')]);
    expect(lx.code).toBe(0);
    const l = JSON.parse(lx.stdout).config;
    expect([l.personality, l.fs.kind, l.fs.timestamp_tick_us, l.readahead.pages, l.cpu.clean_page_busy_us, l.cpu.writeback_call_us, l.cpu.clean_page_us]).toEqual(['linux', 'ext4-nojournal', 4000, 2048, 17.3, 20, 5.2]);
    // summary.json's config holds no section: the keys as applied
    for (const s of ['linux', 'freebsd', 'xnu', 'mach']) expect(Object.hasOwn(l, s) || Object.hasOwn(f, s)).toBe(false);
  });

  it('a sweep over the personalities with device.profile: ./dev.yaml gives each its own filesystem and read-ahead', async () => {
    const d = tmp();
    writeFileSync(join(d, 'dev.yaml'), fragmentText(CAL));
    writeFileSync(join(d, 'exp.yaml'), `name: psect\ntrace: { path: ${TRACE} }\nbase: { device: { profile: ./dev.yaml } }\ngrid: { personality: [freebsd, xnu, mach, linux] }\nseeds: 1\n`);
    const r = await run(['sweep', join(d, 'exp.yaml'), '--out', join(d, 'sw'), '-q']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('no effect');
    const got = Object.fromEntries(readdirSync(join(d, 'sw', 'runs')).map((id) => {
      const c = JSON.parse(readFileSync(join(d, 'sw', 'runs', id, 'summary.json'), 'utf8')).config;
      return [c.personality, [c.fs.kind, c.readahead.pages]];
    }));
    expect(got).toEqual({ freebsd: ['ufs', 16], xnu: ['apfs', 32], mach: ['none', 1], linux: ['ext4-nojournal', 2048] });
  });

  it('a profile an earlier calibrate wrote, its Linux keys at the top level: applied as before, with one warning under another personality', async () => {
    const d = tmp();
    const old = '# syncsim calibrate (syncsim 0.1.0, fio-3.33): /data (ext4, /dev/vda), --quick, 2026-12-06T10:00:00.000Z\ndevice:\n  profile: sata-ssd\nreadahead:\n  pages: 2048\nfs:\n  kind: ext4-nojournal\n  timestamp_tick_us: 4000\ncpu:\n  clean_page_us: 5.2\n  clean_page_busy_us: 17.3\n';
    writeFileSync(join(d, 'old.yaml'), old);
    const r = await run(['run', TRACE, '--set', `device.profile=${join(d, 'old.yaml')}`, '--set', 'personality=xnu', '--json', '--out', join(d, 'x')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).config.fs.kind).toBe('ext4-nojournal');
    const warned = r.stderr.split('\n').filter((l) => l.includes('syncsim calibrate'));
    expect(warned).toEqual([
      `syncsim: warning: ${join(d, 'old.yaml')}: this profile of syncsim calibrate gives readahead.pages, fs.kind, fs.timestamp_tick_us, cpu.clean_page_busy_us at its top level, so under the xnu personality they apply too, though calibrate measured them of this machine's Linux kernel; calibrate now writes them under 'linux:' (since 2026-12-07), which applies them under the linux personality only: re-run syncsim calibrate, or move them under 'linux:' by hand in a copy of another name (calibrate -o replaces a profile it wrote, your edits with it)`,
    ]);
    // a sweep says it once, naming the personalities
    writeFileSync(join(d, 'exp.yaml'), `name: old\ntrace: { path: ${TRACE} }\nbase: { device: { profile: ./old.yaml } }\ngrid: { personality: [freebsd, linux, xnu] }\nseeds: 1\n`);
    const s = await run(['sweep', join(d, 'exp.yaml'), '--out', join(d, 'sw'), '-q']);
    expect(s.code).toBe(0);
    expect(s.stderr.split('\n').filter((l) => l.includes('syncsim calibrate'))).toHaveLength(1);
    expect(s.stderr).toContain('so under the freebsd and xnu personalities they apply too');
  });

  it('a --set or grid value over a file\'s section is named as given, not as a key of the section (a review\'s finding)', async () => {
    const d = tmp();
    writeFileSync(join(d, 'c.yaml'), 'personality: linux\nlinux:\n  readahead: { pages: 32 }\n');
    const bad = await run(['run', TRACE, '--config', join(d, 'c.yaml'), '--set', 'readahead.pages=-1', '--out', join(d, 'o')]);
    expect([bad.code, bad.stderr]).toEqual([2, "syncsim: config: key 'readahead.pages': must be an integer >= 0 and <= 65536 (got -1)\n"]);
    const typo = await run(['run', TRACE, '--config', join(d, 'c.yaml'), '--set', 'fs.kindd=ext4', '--out', join(d, 'o')]);
    expect([typo.code, typo.stderr]).toEqual([2, "syncsim: config: key 'fs.kindd': unknown key; did you mean fs.kind?\n"]);
    // the section's own bad value is still named in it, at its line
    writeFileSync(join(d, 'c2.yaml'), 'personality: linux\nlinux:\n  readahead: { pages: -3 }\n');
    const own = await run(['run', TRACE, '--config', join(d, 'c2.yaml'), '--out', join(d, 'o')]);
    expect(own.stderr).toMatch(/c2\.yaml:3: key 'linux\.readahead\.pages': must be an integer >= 0 and <= 65536 \(got -3\)\n$/);
    writeFileSync(join(d, 'e.yaml'), `name: e\ntrace: { path: ${TRACE} }\nbase: { personality: linux, linux: { readahead: { pages: 32 } } }\ngrid:\n  readahead.pages: [-1]\nseeds: 1\nmetrics: [sync.count]\n`);
    const grid = await run(['sweep', join(d, 'e.yaml'), '--out', join(d, 'sw'), '--dry-run']);
    expect(grid.code).toBe(2);
    expect(grid.stderr).toMatch(/e\.yaml:5: grid key 'readahead\.pages' value -1: key 'readahead\.pages': must be an integer >= 0/);
  });

  it('a grid key inside a personality section is refused', async () => {
    const d = tmp();
    writeFileSync(join(d, 'exp.yaml'), `name: g\ntrace: { path: ${TRACE} }\ngrid:\n  linux.fs.kind: [ext4-ordered, ext4-nojournal]\n`);
    const r = await run(['sweep', join(d, 'exp.yaml'), '--out', join(d, 'sw'), '-q']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`exp.yaml:4: grid key 'linux.fs.kind': a grid cannot vary a key of a personality section (only 'base' holds sections); vary fs.kind itself, with personality a grid key too`);
  });
});
