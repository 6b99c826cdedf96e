/**
 * The session FLUSH level of `npm run validate` (scripts/validate/flush-level.ts):
 * the probe slots among the jobs, the refit of flush_us / flush_empty_us /
 * flush_cv to the probes pooled (the probe itself with the real fio: flush-probe-fio.e2e.ts), and the
 * validation's replay reading the profile again after the runs.
 */
import { evenQuantiles } from '../scripts/validate/flush-quantiles.ts';
import { probeSpells } from '../scripts/validate/spell-fit.ts';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { commandHere } from './cli-here.ts';
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProbeSlot, readCalibrationReport, withProbeSlots, withSessionLevel, writeCalibration, type SessionProbe } from '../scripts/validate/flush-level.ts';
import { Rounds, takeTurn } from '../scripts/validate/rounds.ts';
import { FlushSession, type Prober } from '../scripts/validate/flush-session.ts';
import { validate } from '../scripts/validate/validation.ts';
import { loadConfig } from '../scripts/config-file.ts';
import { calibration, probe } from './flush-fixtures.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'syncsim-flush-level-test-'));
describe('probe slots among the jobs', () => {
  it('a slot before the first job and before every third after it, numbered from 1', () => {
    expect(withProbeSlots(['a', 'b', 'c', 'd', 'e', 'f', 'g'], 3)).toEqual(['flush-level-1', 'a', 'b', 'c', 'flush-level-2', 'd', 'e', 'f', 'flush-level-3', 'g']);
    expect(withProbeSlots(['a'], 3)).toEqual(['flush-level-1', 'a']);
    expect(withProbeSlots([], 3)).toEqual([]);
    expect(['flush-level-2', 'two-jobs'].map(isProbeSlot)).toEqual([true, false]);
  });

  it('in rounds, each slot runs before its jobs in every round, and the first slot\'s replay comes before every job\'s', () => {
    const r = new Rounds(withProbeSlots(['a', 'b', 'c', 'd'], 3), 2);
    expect(r.steps).toEqual([
      'flush-level-1 run 1', 'a run 1', 'b run 1', 'c run 1', 'flush-level-2 run 1', 'd run 1',
      'flush-level-1 run 2', 'a run 2', 'b run 2', 'c run 2', 'flush-level-2 run 2', 'd run 2',
      'flush-level-1 replay', 'a replay', 'b replay', 'c replay', 'flush-level-2 replay', 'd replay',
    ]);
  });
});

describe('the host\'s slow spells in the session', () => {
  it('are reported with the keys that would model them, and the profile is fitted as if they were not known', () => {
    // a loop of a 60 µs write and a 60 µs fdatasync for 2.5 s, the fdatasyncs five times as long for 40 ms from 1 s
    const issued: number[] = [], us: number[] = [];
    for (let t = 0; t < 2.5e6; ) {
      const l = t >= 1e6 && t < 1.04e6 ? 300 : 60;
      issued.push(t); us.push(l); t += l + 60;
    }
    const spelled: SessionProbe = { ...probe('p1', us), spells: probeSpells(issued, us) };
    const s = withSessionLevel(calibration(), [spelled])!;
    const plain = withSessionLevel(calibration(), [probe('p1', us)])!;
    expect(s.fits.flush_level_session!.spells).toMatchObject({ spells: 1, factor: 5, keys: { host_spell_factor: 5 } });
    expect(plain.fits.flush_level_session!.spells).toBeNull();
    expect(s.fragment).toEqual(plain.fragment);
    expect(s.fragment.device.host_spell_rate_hz).toBeUndefined();
  });
});

describe('the FLUSH level refitted to the session probes', () => {
  // ten probes at 100, 200, … 1000 µs, the k-th timing 10·k fdatasyncs: each weighs a tenth, so (type 7 over 10 × 2000 points)
  // p50 = 550 (between 500 and 600), p90 = 910, p99 = 1000; weighed by their counts the median would be 700
  const probes = [probe('before b run 1', []), ...Array.from({ length: 10 }, (_, k) => probe(`p${k + 1}`, Array(10 * (k + 1)).fill(100 * (k + 1))))];
  const cal = calibration();
  const s = withSessionLevel(cal, probes)!;

  it('flush_cv from the p50 and p99 of the probes (each weighing the same), flush_us that lognormal\'s mean less one write\'s destage, flush_empty_us the empty FLUSH\'s median at that cv', () => {
    expect(s.fits.flush_level_session).toMatchObject({ count: 550, p50_us: 550, p99_us: 1000, calibration_p50_us: 300 });
    expect(s.fits.flush_level_session!.p90_us).toBeCloseTo(910, 9);
    // σ = ln(1000 / 550) / 2.32635 = 0.25699, cv = √(e^0.066042 − 1) = 0.2613 (through the p90 it would be 0.409)
    expect(s.fragment.device.flush_cv).toBe(0.261);
    // 550 · √(1 + 0.261²) = 568.42, less the 12 µs destage of one write
    expect(s.fragment.device.flush_us).toBe(556.42);
    // the spread as measured (550 fdatasyncs timed, at least the table's 500): 500 quantiles of the pool, each less the 12 µs
    // destage, over flush_us; its median (at 250.5 / 500) falls on the 600 µs probe
    const q = s.fragment.device.flush_quantiles as number[];
    expect(q).toHaveLength(500);
    expect(q[250]! * 556.42 + 12).toBeCloseTo(600, 0);
    expect(q[0]! * 556.42 + 12).toBeCloseTo(100, 0);
    // the empty FLUSH: its median 70 over the table's median, so that with a factor drawn from the table its median is the measured one
    // (without a table: 70 · √(1 + 0.261²) = 72.34)
    expect(s.fragment.device.flush_empty_us).toBe(Math.round((70 / q[250]!) * 100) / 100);
    // fewer fdatasyncs timed than the table's points: no table, and the lognormal's empty FLUSH
    const few = withSessionLevel(cal, [probe('p1', Array(200).fill(500)), probe('p2', Array(200).fill(600))])!;
    expect(few.fragment.device.flush_quantiles).toEqual([]);
    expect(few.fitted['device.flush_quantiles']!.from).toMatch(/none \(400 fdatasyncs timed, fewer than the smallest table's 500 points\)/);
    // probes that timed 24,000 fdatasyncs: a table of 2000 points, one for every ten, that reaches the few stalls of one probe
    const many = withSessionLevel(cal, [
      probe('q1', Array(8000).fill(100)),
      probe('q2', [...Array(7980).fill(110), ...Array(20).fill(2500)]),
      probe('q3', Array(8000).fill(120)),
    ])!;
    const long = many.fragment.device.flush_quantiles as number[], manyUs = many.fragment.device.flush_us as number;
    expect(long).toHaveLength(2000);
    expect(many.fitted['device.flush_quantiles']!.from).toMatch(/2000 quantiles of those fdatasyncs \(at \(i \+ ½\) \/ 2000/);
    // 20 of 24,000 (0.083 %) at 2500 µs: past the p99.9, so a table of 500 would end at 120 µs; this one's last point is a stall
    expect(long.at(-1)! * manyUs + 12).toBeCloseTo(2500, 0);
    expect(long.at(-3)! * manyUs + 12).toBeCloseTo(120, 0);
    // the probe that timed nothing is left out of the list
    expect(s.fits.flush_level_session!.probes.map((p) => [p.label, p.count, p.p50_us])).toEqual(Array.from({ length: 10 }, (_, k) => [`p${k + 1}`, 10 * (k + 1), 100 * (k + 1)]));
    // the calibration's answer to where the write cache came from is kept (the refit itself is told there is one)
    expect(s.fits.flush.write_cache_source).toBe('inferred');
  });

  it('a probe\'s even quantiles keep its distribution at a fixed weight', () => {
    expect(evenQuantiles([1, 2, 3, 4, 5], 5)).toEqual([1.4, 2.2, 3, 3.8, 4.6]);
    expect(evenQuantiles([7], 3)).toEqual([7, 7, 7]);
    expect(evenQuantiles([4, 1, 3, 2], 2)).toEqual([1.75, 3.25]);
  });

  it('every other key, and the calibration it came from, stay as they were', () => {
    const { flush_us: _a, flush_empty_us: _b, flush_cv: _c, flush_floor: floor, flush_quantiles: _q, ...rest } = s.fragment.device;
    const { flush_us: _d, flush_empty_us: _e, flush_cv: _f, ...before } = cal.fragment.device;
    expect(rest).toEqual(before);
    // the FLUSH's floor and its spread as measured are refitted with its spread (a calibration of before 2026-12-04 has neither)
    expect(Object.keys(s.fragment.device).filter((k) => k !== 'flush_floor' && k !== 'flush_quantiles')).toEqual(Object.keys(cal.fragment.device));
    expect(floor).toBeGreaterThanOrEqual(0);
    expect(floor).toBeLessThanOrEqual(0.99);
    expect(s.fragment.fs).toEqual(cal.fragment.fs);
    expect(s.fitted['device.channels']).toEqual(cal.fitted['device.channels']);
    expect(cal.fragment.device.flush_us).toBe(288);
    expect(cal.fits.flush_level_session).toBeUndefined();
  });

  it('the provenance names the session probes, their medians and the calibration\'s own level', () => {
    expect(s.fitted['device.flush_us']!.from).toMatch(/^session FLUSH probes: 550 fdatasyncs .* from 10 probes .*equal weight per probe \(their medians 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000 µs; the calibration's own level had a median of 300 µs\)/);
    expect(s.fitted['device.flush_us']!.from).toMatch(/less one write's destage \(12\.00 µs\)$/);
    expect(s.fitted['device.flush_us']!.n).toBe(550);
  });

  it('nothing to refit without a write cache or without a timed fdatasync', () => {
    expect(withSessionLevel(calibration(false), probes)).toBeNull();
    expect(withSessionLevel(cal, [probe('p', [])])).toBeNull();
    expect(withSessionLevel(cal, [])).toBeNull();
  });

  it('written as a profile and its report beside it, which syncsim loads and reads back', () => {
    const dir = tmp();
    const profile = join(dir, 'device-session.yaml');
    writeCalibration(s, profile);
    expect(readdirSync(dir).sort()).toEqual(['device-session.calibration.json', 'device-session.yaml']);
    expect(loadConfig(profile, []).device).toMatchObject({ flush_us: s.fragment.device.flush_us, flush_cv: s.fragment.device.flush_cv });
    expect(readFileSync(profile, 'utf8')).toMatch(/^# syncsim calibrate /);
    const back = readCalibrationReport(profile)!;
    expect(back.files).toEqual({ fragment: 'device-session.yaml', calibration: 'device-session.calibration.json' });
    expect(back.fits.flush_level_session!.count).toBe(550);
    // a profile with no report beside it (a hand-written one) has none
    writeFileSync(join(dir, 'hand.yaml'), 'device:\n  profile: nvme\n');
    expect(readCalibrationReport(join(dir, 'hand.yaml'))).toBeNull();
  });
});

describe('validate reads its profile again for the replay', () => {
  it('a profile rewritten between the runs and the replay is the one replayed', async () => {
    const dir = tmp();
    const profile = join(dir, 'p.yaml');
    const write = (flush: number) => writeFileSync(profile, `device:\n  profile: sata-ssd\n  flush_us: ${flush}\n  flush_empty_us: ${flush}\n`);
    write(100);
    const job = join(dir, 'tiny.fio');
    writeFileSync(job, '[tiny]\nioengine=mmap\nrw=write\nbs=4k\nsize=64k\nfsync=4\n');
    const taken: string[] = [];
    const turns = {
      take: async (s: number | 'replay') => {
        taken.push(String(s));
        if (s === 'replay') write(4321); // as npm run validate refits the session profile before the replays
        return () => {};
      },
      fail: () => {},
    };
    const out = join(dir, 'out');
    const { report } = await validate({ jobFile: job, calibration: profile, autoCalibration: { sizeBytes: 4 << 20, runtimeS: 1, maxDepth: 4, quick: true }, out, dir, sets: [], repeat: 1, settleMs: 0, turns });
    expect(taken).toEqual(['1', 'replay']);
    expect(report.calibration.device).toMatch(/flush 4321 µs/);
    expect(existsSync(join(out, 'validation.json'))).toBe(true);
  }, 60_000);
});

describe('a session of npm run validate (FlushSession, with a stand-in probe)', () => {
  /** A probe that times `levels[k]` µs (ten fdatasyncs) at its k-th run, or fails where `levels[k]` is null; `calls` records what it was asked. */
  const prober = (levels: (number | null)[], prepareFails = false) => {
    const calls: string[] = [];
    const p: Prober & { calls: string[] } = {
      calls, probes: [],
      prepare: async () => {
        calls.push('prepare');
        if (prepareFails) throw new Error('no space left on device');
      },
      probe: async (label) => {
        const level = levels[p.probes.length + calls.filter((c) => c.startsWith('failed')).length];
        if (level === null || level === undefined) {
          calls.push(`failed ${label}`);
          throw new Error('fio failed (exit 1)');
        }
        calls.push(label);
        const us = Array(10).fill(level);
        p.probes.push({ label, at: '2026-12-03T10:00:00.000Z', us });
        return us;
      },
      close: () => calls.push('close'),
    };
    return p;
  };
  /** Runs one round of one job, `a`, after the session's one probe slot: its run, then its replay. */
  const oneJob = async (session: FlushSession) => {
    const slots = withProbeSlots(['a'], 3);
    const rounds = new Rounds(slots, 1);
    const a = (async () => {
      const t = rounds.of('a');
      await takeTurn(t, 1, async () => {});
      await takeTurn(t, 'replay', async () => {});
    })();
    await Promise.all([session.slot(rounds, 'flush-level-1', slots, true), a]);
  };
  const setup = (medians = false) => {
    const dir = tmp();
    const calPath = join(dir, 'device.yaml');
    writeCalibration(calibration(true, medians), calPath);
    return { dir, calPath, profile: join(dir, 'device-session.yaml') };
  };

  it('probes before each slot\'s jobs in every round, refits before the first job\'s replay, and says each step', async () => {
    const { dir, calPath, profile } = setup();
    const said: string[] = [];
    // the second probe fails: it is said and left out
    const p = prober([100, null, 300, 500, 700]);
    const session = (await FlushSession.start(calPath, profile, dir, (l) => said.push(l), p))!;
    expect(p.calls).toEqual(['prepare']);
    // a copy of the calibration, until the refit
    expect(loadConfig(profile, []).device.flush_us).toBe(288);
    const slots = withProbeSlots(['a', 'b', 'c', 'd'], 3);
    const rounds = new Rounds(slots, 2);
    const seen: Record<string, number> = {};
    const job = async (name: string) => {
      const t = rounds.of(name);
      for (const r of [1, 2]) await takeTurn(t, r, async () => {});
      await takeTurn(t, 'replay', async () => {
        seen[name] = loadConfig(profile, []).device.flush_us;
      });
    };
    await Promise.all([session.slot(rounds, 'flush-level-1', slots, true), session.slot(rounds, 'flush-level-2', slots, false), ...['a', 'b', 'c', 'd'].map(job)]);
    session.close();
    expect(p.calls).toEqual(['prepare', 'before a run 1', 'failed before d run 1', 'before a run 2', 'before d run 2', 'before the replays', 'close']);
    // four probes of 100, 300, 500, 700 µs, each weighing a quarter: p50 400, p99 = 700 (the top quarter is constant)
    // σ = ln(700 / 400) / 2.32635 = 0.24056, cv = √(e^0.05787 − 1) = 0.2443; 400 · √(1 + 0.244²) − 12 = 399.74
    expect(session.refitted!.fragment.device.flush_cv).toBe(0.244);
    expect(Object.values(seen)).toEqual([399.74, 399.74, 399.74, 399.74]);
    expect(said.filter((l) => l.startsWith('FLUSH probe'))).toEqual([
      'FLUSH probe before a run 1: 10 fdatasyncs, median 100.0 µs', 'FLUSH probe before a run 2: 10 fdatasyncs, median 300.0 µs',
      'FLUSH probe before d run 2: 10 fdatasyncs, median 500.0 µs', 'FLUSH probe before the replays: 10 fdatasyncs, median 700.0 µs',
    ]);
    expect(said).toContain('validate: warning: FLUSH probe before d run 1 failed (fio failed (exit 1)); the level comes from the others');
    expect(said.at(-1)).toMatch(/^== FLUSH level of the session: 40 fdatasyncs of 4 probes, median 400\.0 µs \(the calibration's 300\.0 µs\): flush_us 399\.74 \(was 288\), flush_floor [\d.]+ in /);
    expect(session.summary()).toMatchObject({ source: 'session probes', profile, calibration_flush_us: 288, session_flush_us: 399.74, session: { count: 40, p50_us: 400 } });
    expect(session.report()).toMatchObject({ profile: 'device-session.yaml', flush_us: 399.74, flush_cv: 0.244, calibration_flush_us: 288, level: { count: 40, p50_us: 400 } });
  });

  it('says each probe\'s buffered part, the session\'s mean increment beside the O_DIRECT one, and media_write_us fitted to it through the model', async () => {
    // without an O_DIRECT part, and with one (the value the fit replaces is then that part's scale)
    for (const direct of [undefined, { one_us: 100, n_us: 480, writes: 32 }]) {
      const { dir, calPath, profile } = setup(direct !== undefined);
      const said: string[] = [];
      const p = prober([100, 300]);
      const probeOnce = p.probe;
      p.probe = async (label) => {
        const us = await probeOnce(label);
        Object.assign(p.probes[p.probes.length - 1]!, { buffered: { one_us: 120, n_us: 1300.3, writes: 32 } }, direct ? { destage: direct } : {});
        return us;
      };
      const session = (await FlushSession.start(calPath, profile, dir, (l) => said.push(l), p))!;
      await oneJob(session);
      session.close();
      expect(said.filter((l) => l.startsWith('FLUSH probe'))).toEqual([
        `FLUSH probe before a run 1: 10 fdatasyncs, median 100.0 µs${direct ? '; after 32 writes 480.0 µs' : ''}; buffered: after a write 120.0 µs, after 32 1300.3 µs`,
        `FLUSH probe before the replays: 10 fdatasyncs, median 300.0 µs${direct ? '; after 32 writes 480.0 µs' : ''}; buffered: after a write 120.0 µs, after 32 1300.3 µs`,
      ]);
      const level = session.refitted!.fits.flush_level_session!;
      const fit = level.buffered_destage!;
      expect(fit).toMatchObject({ before_from: direct ? 'o_direct' : 'calibration', measured_increment_us: 1180.3, reached: true });
      // the calibration's: its slope of 12 µs a write less a page's transfer (1 µs); the O_DIRECT part scales the slope
      expect(fit.before_media_write_us).toBeCloseTo(direct ? 12 * level.destage!.scale - 1 : 11, 1);
      const text = direct ? 'the calibration\'s destage scaled by the O_DIRECT part' : 'the calibration\'s destage';
      expect(said.at(-1)).toContain(`, media_write_us ${fit.media_write_us} (was 11; fitted to the buffered writes at the end of this line, where ${text} gave ${fit.before_media_write_us}${direct ? `: 32 O_DIRECT writes before a FLUSH added 380.0 µs, 372.0 in the calibration)` : ')'}`);
      expect(said.at(-1)).toContain(`; 32 buffered writes before an fdatasync added 1180.3 µs (${direct ? '380.0' : '-'} µs O_DIRECT; media_write_us ${fit.media_write_us} fitted to it through the model, whose replay of the probe adds ${fit.simulated_increment_us.toFixed(1)} µs) in `);
      expect(Math.abs(fit.simulated_increment_us - 1180.3)).toBeLessThan(1);
      expect(level.buffered).toEqual({ probes: 2, writes: 32, one_us: 120, n_us: 1300.3, increment_us: 1180.3, direct_increment_us: direct ? 380 : null });
      // the profile replayed holds it
      expect(loadConfig(profile, []).device.media_write_us).toBe(fit.media_write_us);
    }
  });

  it('when no probe times anything, the profile keeps the calibration\'s level and the summary says so', async () => {
    const { dir, calPath, profile } = setup();
    const said: string[] = [];
    const session = (await FlushSession.start(calPath, profile, dir, (l) => said.push(l), prober([null, null, null])))!;
    await oneJob(session);
    expect(loadConfig(profile, []).device.flush_us).toBe(288);
    expect(said.at(-1)).toBe(`== FLUSH level: no probe timed an fdatasync; ${profile} keeps the calibration's`);
    expect(session.summary()).toMatchObject({ source: 'calibration', calibration_flush_us: 288, session_flush_us: null, session: null });
    expect(session.report()).toBeNull();
  });

  it('no session, with the reason said, without a report beside the calibration, without a write cache, or when the probe\'s file cannot be laid out', async () => {
    const { dir, calPath, profile } = setup();
    const said: string[] = [];
    const say = (l: string) => said.push(l);
    writeFileSync(join(dir, 'hand.yaml'), 'device:\n  profile: nvme\n');
    expect(await FlushSession.start(join(dir, 'hand.yaml'), profile, dir, say, prober([1]))).toBeNull();
    expect(said.pop()).toBe(`== FLUSH level: the calibration's (${join(dir, 'hand.yaml')} has no calibration report (.calibration.json) beside it)`);
    writeCalibration(calibration(false), join(dir, 'nocache.yaml'));
    expect(await FlushSession.start(join(dir, 'nocache.yaml'), profile, dir, say, prober([1]))).toBeNull();
    expect(said.pop()).toBe("== FLUSH level: the calibration's (the device has no volatile write cache (no FLUSH))");
    const failing = prober([1], true);
    expect(await FlushSession.start(calPath, profile, dir, say, failing)).toBeNull();
    expect(failing.calls).toEqual(['prepare', 'close']);
    expect(said.pop()).toBe("validate: warning: the FLUSH probe's file could not be laid out (no space left on device); the FLUSH level is the calibration's");
    // none of them wrote the session profile
    expect(existsSync(profile)).toBe(false);
    // the session profile itself as --calibration: refused, it would be overwritten
    await expect(FlushSession.start(profile, profile, dir, say, prober([1]))).rejects.toThrow(/that is the session profile this run writes/);
  });
});

describe('npm run validate refuses a session profile it may not write, before anything runs', () => {
  /** `npm run validate ARGS` through its entry point in this process (scripts/validate/run-all.ts's validateAll). */
  const runAll = async (args: string[]) => commandHere(async () => (await import('../scripts/validate/run-all.ts')).validateAll(args));
  /**
   * `npm run validate ARGS` as the script it is (node --import tsx scripts/validate/run-all.ts), started through a
   * symbolic link to the checkout (node names the main module by its real path): its exit code and output.
   */
  const runAllScript = (args: string[]) => {
    const link = join(tmp(), 'checkout');
    symlinkSync(join(import.meta.dirname, '..'), link);
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(link, 'scripts', 'validate', 'run-all.ts'), ...args], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('a device-session.yaml syncsim did not write is left as it was (exit 2)', async () => {
    const out = tmp();
    writeFileSync(join(out, 'device-session.yaml'), 'my notes\n');
    const r = await runAll(['--out', out, '--kernel-sequences', '0']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^validate: session profile \(--calibration-only skips it\) .*device-session\.yaml: .*choose a new file$/m);
    expect(readFileSync(join(out, 'device-session.yaml'), 'utf8')).toBe('my notes\n');
    expect(readdirSync(out)).toEqual(['device-session.yaml']);
  });

  it('a session profile or calibration edited since syncsim wrote it is refused before anything runs, both left as they were (exit 2)', async () => {
    for (const [name, flag] of [['device-session.yaml', 'session profile \\(--calibration-only skips it\\)'], ['device.yaml', 'calibration \\(--calibration FILE skips it\\)']]) {
      const out = tmp();
      writeCalibration(calibration(), join(out, name));
      writeFileSync(join(out, name), readFileSync(join(out, name), 'utf8').replace(/flush_us: [\d.]+/, 'flush_us: 1 # mine'));
      const before = readFileSync(join(out, name), 'utf8');
      const r = await runAll(['--out', out, '--kernel-sequences', '0']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^validate: ${flag} .*${name.replace('.', '\\.')}: it exists and was written by syncsim calibrate and has been edited since .*; choose a new file, or move it away first$`, 'm'));
      expect(readFileSync(join(out, name), 'utf8')).toBe(before);
      expect(readdirSync(out).sort()).toEqual([name.replace('.yaml', '.calibration.json'), name]);
    }
  });

  // spawned: run as the script, run-all.ts runs validateAll (not only when a test imports it), also through a symbolic link
  it('a bad --sim-seeds (exit 2), the output directory untouched', () => {
    const out = tmp();
    const r = runAllScript(['--out', join(out, 'v'), '--sim-seeds', '65', '--kernel-sequences', '0']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^validate: --sim-seeds expects a whole number from 1 to 64 \(got '65'\)$/m);
    expect(readdirSync(out)).toEqual([]);
  });

  it('--calibration naming the session profile itself (exit 2)', async () => {
    const out = tmp();
    writeCalibration(calibration(), join(out, 'device-session.yaml'));
    const before = readFileSync(join(out, 'device-session.yaml'), 'utf8');
    const r = await runAll(['--out', out, '--calibration', join(out, 'device-session.yaml'), '--kernel-sequences', '0']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/that is the session profile this run writes; copy it elsewhere or give --calibration-only/);
    expect(readFileSync(join(out, 'device-session.yaml'), 'utf8')).toBe(before);
  });
});
