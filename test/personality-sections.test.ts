/**
 * Personality sections of a configuration (sim/config-sections.ts): a top-level `linux:`,
 * `freebsd:`, `xnu:` or `mach:` mapping applies under that personality only, over the layer's
 * other keys and under the layers above; one rule a test. The expected values are the defaults
 * docs/configuration.md gives, or the values the tests write.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { deepMerge, layOver, resolveConfig, withSection } from '../sim/config.ts';
import { keysInForce } from '../sim/config-sections.ts';
import { loadConfig } from '../scripts/config-file.ts';
import { replayConfig } from '../scripts/lib-config.ts';
import { idleKeyReasons, ineffectiveKeys } from '../scripts/idle-keys.ts';
import { isLinuxCalibratedKey, legacyProfileWarning, legacyProfileWarnings, topLevelLinuxKeys } from '../scripts/profile-sections.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-psect-'));
/** Writes `text` to `name` in a fresh directory; its path. */
function file(name: string, text: string, dir = tmp()): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
/** The message of what `f` throws. */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('did not throw');
}

const LINUX_KEYS = 'linux:\n  fs:\n    kind: ext4-nojournal\n    timestamp_tick_us: 1000\n  readahead:\n    pages: 2048\n  cpu:\n    clean_page_busy_us: 17\n';

describe('a section applies under its personality only', () => {
  const user = { device: { channels: 2 }, linux: { fs: { kind: 'ext4-nojournal' }, readahead: { pages: 2048 }, device: { channels: 8 } } };
  it('under linux, over the layer\'s other keys', () => {
    const c = resolveConfig({ ...user, personality: 'linux' });
    expect([c.fs.kind, c.readahead.pages, c.device.channels]).toEqual(['ext4-nojournal', 2048, 8]);
  });
  it('under the others, not at all: each keeps its own filesystem and read-ahead (freebsd ufs 16, xnu apfs 32, mach none 1)', () => {
    for (const [p, kind, ra] of [['freebsd', 'ufs', 16], ['xnu', 'apfs', 32], ['mach', 'none', 1]] as const) {
      const c = resolveConfig({ ...user, personality: p });
      expect([c.fs.kind, c.readahead.pages, c.device.channels]).toEqual([kind, ra, 2]);
    }
    // no personality given: the default, freebsd
    expect(resolveConfig(user).fs.kind).toBe('ufs');
  });
  it('the resolved configuration holds no section: the keys as applied', () => {
    const c = resolveConfig({ ...user, personality: 'linux', freebsd: { pager: { cluster_pages: 4 } } }) as unknown as Record<string, unknown>;
    for (const s of ['linux', 'freebsd', 'xnu', 'mach']) expect(Object.hasOwn(c, s)).toBe(false);
    expect((c.pager as { cluster_pages: number }).cluster_pages).toBe(32);
  });
  it('a config file\'s section, dotted at the top level too', () => {
    const f = file('c.yaml', 'linux.fs.kind: ext4-nojournal\n');
    expect(loadConfig(f, ['personality=linux']).fs.kind).toBe('ext4-nojournal');
    expect(loadConfig(f, []).fs.kind).toBe('ufs');
  });
  it('the library\'s config object, set laid over its section', () => {
    const o = { config: { linux: { device: { channels: 8 }, fs: { kind: 'ext4-nojournal' } } }, set: { personality: 'linux', 'device.channels': 3 } };
    const { config } = replayConfig(o);
    expect([config.fs.kind, config.device.channels]).toEqual(['ext4-nojournal', 3]);
  });
});

describe('the layers around a section', () => {
  it('a profile file\'s section lies under the user\'s keys, over the profile\'s own', () => {
    const d = tmp();
    file('dev.yaml', `device:\n  profile: sata-ssd\n  channels: 7\nreadahead:\n  pages: 100\n${LINUX_KEYS}`, d);
    // the user's own readahead.pages over the profile's linux section; the section's fs.kind over the default
    const cfg = file('c.yaml', 'device:\n  profile: ./dev.yaml\nreadahead:\n  pages: 64\n', d);
    const linux = loadConfig(cfg, ['personality=linux']);
    expect([linux.readahead.pages, linux.fs.kind, linux.fs.timestamp_tick_us, linux.cpu.clean_page_busy_us, linux.device.channels]).toEqual([64, 'ext4-nojournal', 1000, 17, 7]);
    const freebsd = loadConfig(cfg, ['personality=freebsd']);
    expect([freebsd.readahead.pages, freebsd.fs.kind, freebsd.fs.timestamp_tick_us, freebsd.cpu.clean_page_busy_us]).toEqual([64, 'ufs', 4000, 23.09]);
    // the profile's own readahead.pages under its linux section
    const bare = file('b.yaml', 'device:\n  profile: ./dev.yaml\n', d);
    expect(loadConfig(bare, ['personality=linux']).readahead.pages).toBe(2048);
    expect(loadConfig(bare, ['personality=xnu']).readahead.pages).toBe(100);
    // the user's own section over the profile's
    const own = file('o.yaml', 'device:\n  profile: ./dev.yaml\nlinux:\n  fs:\n    kind: ext4-ordered\n', d);
    expect(loadConfig(own, ['personality=linux']).fs.kind).toBe('ext4-ordered');
  });
  it('--set lies over a config file\'s section; the file\'s section over its own keys', () => {
    const f = file('c.yaml', 'device:\n  channels: 2\nlinux:\n  device:\n    channels: 8\n');
    expect(loadConfig(f, ['personality=linux']).device.channels).toBe(8);
    expect(loadConfig(f, ['personality=freebsd']).device.channels).toBe(2);
    expect(loadConfig(f, ['personality=linux', 'device.channels=4']).device.channels).toBe(4);
    expect(loadConfig(f, ['personality=linux', 'device={channels: 5}']).device.channels).toBe(5);
    // a personality the file gives chooses its section as one --set gives does
    const p = file('p.yaml', 'personality: linux\nlinux:\n  pager:\n    cluster_pages: 8\n');
    expect(loadConfig(p, []).pager.cluster_pages).toBe(8);
    expect(loadConfig(p, ['personality=mach']).pager.cluster_pages).toBe(32);
  });
  it('property: laying one layer over another keeps every key in its place (base < base section < over < over section)', () => {
    const KEYS = ['device.channels', 'pager.cluster_pages', 'memory.pages', 'readahead.pages'] as const;
    const P = ['freebsd', 'xnu', 'linux', 'mach'] as const;
    const values = fc.record(Object.fromEntries(KEYS.map((k) => [k, fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined })])) as Record<(typeof KEYS)[number], fc.Arbitrary<number | undefined>>);
    const nested = (v: Record<string, number | undefined>) => {
      const o: Record<string, Record<string, number>> = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) (o[k.split('.')[0]!] ??= {})[k.split('.')[1]!] = x;
      return o;
    };
    const layer = fc.record({ own: values, sections: fc.dictionary(fc.constantFrom(...P), values, { maxKeys: 3 }) });
    fc.assert(fc.property(layer, layer, fc.constantFrom(...P), (a, b, p) => {
      const mk = (l: typeof a) => ({ ...nested(l.own), ...Object.fromEntries(Object.entries(l.sections).map(([s, v]) => [s, nested(v)])) });
      const applied = withSection(layOver(mk(a), mk(b)) as never, p);
      // the leaf each key should take: the last of the four layers that gives it
      for (const k of KEYS) {
        const order = [a.own[k], a.sections[p]?.[k], b.own[k], b.sections[p]?.[k]].filter((x) => x !== undefined);
        const [g, key] = k.split('.') as [string, string];
        const got = (applied[g] as Record<string, unknown> | undefined)?.[key];
        expect(got).toBe(order.at(-1));
      }
      // and no section is left after it is applied
      for (const s of P) expect(Object.hasOwn(applied, s)).toBe(false);
    }), { numRuns: 300 });
    // (deepMerge, the layers' merge, is what layOver builds on)
    expect(deepMerge({ a: { b: 1 } }, { a: { c: 2 } })).toEqual({ a: { b: 1, c: 2 } });
  });
});

describe('a section\'s keys are checked as any key', () => {
  it('an unknown key in a section not in force: named with the file\'s line, the section and the key, with did-you-mean', () => {
    const f = file('c.yaml', 'device:\n  channels: 2\nlinux:\n  fs:\n    kindd: ext4-nojournal\n');
    expect(thrown(() => loadConfig(f, ['personality=freebsd']))).toBe(`config: ${f}:5: key 'linux.fs.kindd': unknown key; did you mean linux.fs.kind?`);
    // in force, the same
    expect(thrown(() => loadConfig(f, ['personality=linux']))).toBe(`config: ${f}:5: key 'linux.fs.kindd': unknown key; did you mean linux.fs.kind?`);
  });
  it('a bad value in a section, and a section\'s key in a profile file, named with the profile file', () => {
    const f = file('c.yaml', 'xnu:\n  readahead:\n    pages: -1\n');
    expect(thrown(() => loadConfig(f, []))).toBe(`config: ${f}:3: key 'xnu.readahead.pages': must be an integer >= 0 and <= 65536 (got -1)`);
    const d = tmp();
    const prof = file('dev.yaml', 'device:\n  profile: nvme\nlinux:\n  cpu:\n    clean_page_busy: 3\n', d);
    const cfg = file('c.yaml', 'device:\n  profile: ./dev.yaml\n', d);
    expect(thrown(() => loadConfig(cfg, []))).toBe(`config: ${prof}:5: key 'linux.cpu.clean_page_busy': unknown key; did you mean linux.cpu.clean_page_busy_us?`);
  });
  it('a section naming personality, or holding another section, is refused', () => {
    const f = file('c.yaml', 'linux:\n  personality: freebsd\n');
    expect(thrown(() => loadConfig(f, []))).toBe(`config: ${f}:2: key 'linux.personality': a personality section cannot name personality: its keys apply when the personality is linux (give personality at the top level)`);
    const g = file('c.yaml', 'linux:\n  fs:\n    kind: ufs\n  xnu:\n    fs:\n      kind: apfs\n');
    expect(thrown(() => loadConfig(g, ['personality=linux']))).toBe(`config: ${g}:4: key 'linux.xnu': a personality section cannot hold another (xnu inside linux): give xnu's keys in a section of its own, at the top level`);
    expect(thrown(() => resolveConfig({ mach: 3 }))).toBe("config: key 'mach': a personality section must be a mapping of the keys that apply under the mach personality (got 3)");
    // (a --set of the key itself: the message names the key, as for any key --set gives)
    expect(thrown(() => loadConfig(undefined, ['freebsd.personality=linux']))).toBe("config: key 'freebsd.personality': a personality section cannot name personality: its keys apply when the personality is freebsd (give personality at the top level)");
  });
});

describe('warnings of keys that have no effect', () => {
  it('nothing of another section\'s keys; the section in force\'s keys as any key', () => {
    const given = new Set(['linux.cpu.clean_page_busy_us', 'linux.fs.timestamp_tick_us', 'freebsd.pager.ipc_us', 'seed']);
    expect(idleKeyReasons(given, resolveConfig({ personality: 'xnu' }))).toEqual(new Map());
    expect(ineffectiveKeys(given, resolveConfig({ personality: 'freebsd' }))).toEqual(['pager.ipc_us has no effect under the freebsd personality (only mach reads it)']);
    expect(ineffectiveKeys(given, resolveConfig({ personality: 'linux' }))).toEqual(['fs.timestamp_tick_us has no effect with fs.kind ext4-ordered (only ext4-nojournal reads it)']);
    expect([...keysInForce(given, 'linux')].sort()).toEqual(['cpu.clean_page_busy_us', 'fs.timestamp_tick_us', 'seed']);
  });
});

describe('the keys calibrate writes under linux:, and an older profile\'s', () => {
  it('fs.*, readahead.* and the cpu keys only linux reads', () => {
    expect(['fs.kind', 'fs.timestamp_tick_us', 'readahead.pages', 'cpu.clean_page_busy_us', 'cpu.clean_pmd_page_us', 'cpu.writeback_call_us'].every(isLinuxCalibratedKey)).toBe(true);
    expect(['device.channels', 'cpu.clean_page_us', 'cpu.syscall_us', 'cpu.clean_io_us', 'cpu.cv', 'cpu.wire_page_us'].some(isLinuxCalibratedKey)).toBe(false);
  });
  const OLD = '# syncsim calibrate (syncsim 0.1.0, fio-3.33): /tmp (ext4, /dev/vda), --quick, 2026-12-06T10:00:00.000Z\ndevice:\n  profile: sata-ssd\nreadahead:\n  pages: 2048\nfs:\n  kind: ext4-nojournal\ncpu:\n  clean_page_us: 5\n  clean_page_busy_us: 17\n';
  it('one warning for an older calibrate profile under another personality, naming the file, the keys and the personality', () => {
    const d = tmp();
    const old = file('dev.yaml', OLD, d);
    expect(topLevelLinuxKeys(old)).toEqual(['readahead.pages', 'fs.kind', 'cpu.clean_page_busy_us']);
    const text = `${old}: this profile of syncsim calibrate gives readahead.pages, fs.kind, cpu.clean_page_busy_us at its top level, so under the freebsd personality they apply too, though calibrate measured them of this machine's Linux kernel; calibrate now writes them under 'linux:' (since 2026-12-07), which applies them under the linux personality only: re-run syncsim calibrate, or move them under 'linux:' by hand in a copy of another name (calibrate -o replaces a profile it wrote, your edits with it)`;
    expect(legacyProfileWarnings(old, [], { personality: 'freebsd' })).toEqual([text]);
    // as device.profile (by --set, relative to the working directory: the test gives it absolute)
    expect(legacyProfileWarnings(undefined, [`device.profile=${old}`, 'personality=freebsd'], { personality: 'freebsd' })).toEqual([text]);
    // under linux, none; a file calibrate did not write, none; one with the keys under linux:, none
    expect(legacyProfileWarnings(old, [], { personality: 'linux' })).toEqual([]);
    const mine = file('mine.yaml', OLD.replace(/^# syncsim calibrate \(/, '# my notes ('), d);
    expect(legacyProfileWarnings(mine, [], { personality: 'xnu' })).toEqual([]);
    const now = file('now.yaml', `# syncsim calibrate (syncsim 0.1.0, fio-3.33): /tmp\ndevice:\n  profile: sata-ssd\ncpu:\n  clean_page_us: 5\n${LINUX_KEYS}`, d);
    expect(legacyProfileWarnings(now, [], { personality: 'xnu' })).toEqual([]);
    // several personalities (a sweep)
    expect(legacyProfileWarning('dev.yaml', ['fs.kind'], ['freebsd', 'xnu', 'mach'])).toMatch(/^dev\.yaml: this profile of syncsim calibrate gives fs\.kind at its top level, so under the freebsd, xnu and mach personalities they apply too/);
    // the older profile keeps working as before: its keys apply under every personality
    expect(loadConfig(old, ['personality=freebsd']).fs.kind).toBe('ext4-nojournal');
  });
});

describe('a misspelt section name', () => {
  it('is an unknown top-level key whose suggestion names the section (`Linux:`, `linx:`: did you mean linux?)', () => {
    expect(thrown(() => resolveConfig({ Linux: { fs: { kind: 'ufs' } } }))).toMatch(/key 'Linux': unknown key; did you mean linux\?/);
    expect(thrown(() => resolveConfig({ linx: { fs: { kind: 'ufs' } } }))).toMatch(/key 'linx': unknown key; did you mean linux\?/);
    // a misspelt key of a section's own suggests the key, not a section
    expect(thrown(() => resolveConfig({ devise: { channels: 4 } }))).toMatch(/key 'devise': unknown key; did you mean device\?/);
  });
});

describe("a sweep's keys with no effect in any run", () => {
  it('a key of a base section counts under its personality only: idle under linux (only mach reads it) and not applied under xnu, so idle in every run', async () => {
    const { idleInEvery } = await import('../scripts/idle-keys.ts');
    const base = { linux: { pager: { ipc_us: 3 } } };
    const configs = ['linux', 'xnu'].map((p) => resolveConfig({ ...base, personality: p }));
    expect(idleInEvery(new Set(['linux.pager.ipc_us']), configs)).toEqual([
      'linux.pager.ipc_us has no effect in any run of the sweep: under the linux personality (only mach reads it); under the xnu personality (its section, linux:, applies under linux only)',
    ]);
    // a section key that one run reads is not said
    const mach = ['mach', 'xnu'].map((p) => resolveConfig({ mach: { pager: { ipc_us: 3 } }, personality: p }));
    expect(idleInEvery(new Set(['mach.pager.ipc_us']), mach)).toEqual([]);
  });
});
