/**
 * The session probe's buffered part (scripts/validate/buffered-probe.ts):
 * its fio steps, one probe's figures, the session's means beside the O_DIRECT
 * destage part's, and its run through a stand-in for fio. With the real fio:
 * test/flush-probe-fio.e2e.ts; the session's log lines: test/flush-level.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { predictBufferedProbe } from '../scripts/validate/buffered-destage.ts';
import { BUFFERED_WRITES, bufferedPart, bufferedProbe, bufferedProbeText, bufferedSteps, sessionBuffered, sessionBufferedText } from '../scripts/validate/buffered-probe.ts';
import { withSessionLevel, type SessionProbe } from '../scripts/validate/flush-level.ts';
import { calibration, probe } from './flush-fixtures.ts';

/** fio's JSON report of one job `name` whose fdatasyncs had median `p50Us` (µs), or none timed (null). */
const fioJson = (name: string, p50Us: number | null) =>
  JSON.stringify({ 'fio version': 'fio-test', jobs: [{ jobname: name, sync: p50Us === null ? { lat_ns: { N: 0 } } : { lat_ns: { N: 10, mean: p50Us * 1000, percentile: { '50.000000': p50Us * 1000 } } } }] });

describe('the buffered part of a session probe', () => {
  it('two fio steps of 4k random buffered writes (no O_DIRECT), fdatasync after each one and after every 32, each for the time given', () => {
    const [one, n] = bufferedSteps(700);
    expect(one.name).toBe('flush-buffered');
    expect(n.name).toBe('flush-buffered-32');
    expect(BUFFERED_WRITES).toBe(32);
    for (const [s, w] of [[one, 1], [n, 32]] as const) {
      expect(s.writes).toBe(w);
      expect(s.options).toEqual(['rw=randwrite', 'bs=4k', 'ioengine=psync', `fdatasync=${w}`, 'time_based', 'runtime=700ms']);
      expect(s.options.some((o) => o.startsWith('direct'))).toBe(false);
    }
  });

  it('a probe\'s figures only when fio timed both steps', () => {
    expect(bufferedProbe(120, 560)).toEqual({ one_us: 120, n_us: 560, writes: 32 });
    expect(bufferedProbe(null, 560)).toBeUndefined();
    expect(bufferedProbe(120, undefined)).toBeUndefined();
    expect(bufferedProbe(0, 560)).toBeUndefined();
  });

  it('the session\'s means over the probes that timed it, beside the O_DIRECT increment of the same probes', () => {
    const s = sessionBuffered([
      { buffered: { one_us: 100, n_us: 500, writes: 32 }, destage: { one_us: 90, n_us: 390, writes: 32 } },
      { buffered: { one_us: 140, n_us: 700, writes: 32 }, destage: { one_us: 110, n_us: 610, writes: 32 } },
      { destage: { one_us: 1, n_us: 10_000, writes: 32 } }, // no buffered part: left out, its destage too
    ]);
    expect(s).toEqual({ probes: 2, writes: 32, one_us: 120, n_us: 600, increment_us: 480, direct_increment_us: 400 });
    expect(sessionBuffered([{ buffered: { one_us: 100, n_us: 433.333, writes: 32 } }])).toEqual({ probes: 1, writes: 32, one_us: 100, n_us: 433.33, increment_us: 333.33, direct_increment_us: null });
    expect(sessionBuffered([{ destage: { one_us: 90, n_us: 390, writes: 32 } }])).toBeNull();
    expect(sessionBuffered([])).toBeNull();
  });

  it('what the log lines say: each probe\'s two medians, and the session\'s increment beside the O_DIRECT one (\'-\' when none)', () => {
    expect(bufferedProbeText({ one_us: 142.3, n_us: 798.7, writes: 32 })).toBe('; buffered: after a write 142.3 µs, after 32 798.7 µs');
    expect(sessionBufferedText({ probes: 9, writes: 32, one_us: 132.6, n_us: 748.6, increment_us: 616, direct_increment_us: 339.2 }, null)).toBe('; 32 buffered writes before an fdatasync added 616.0 µs (339.2 µs O_DIRECT; reported, not replayed)');
    expect(sessionBufferedText({ probes: 1, writes: 32, one_us: 100, n_us: 400, increment_us: 300, direct_increment_us: null }, null)).toBe('; 32 buffered writes before an fdatasync added 300.0 µs (- µs O_DIRECT; reported, not replayed)');
    const s = { probes: 9, writes: 32, one_us: 150.5, n_us: 869.7, increment_us: 719.2, direct_increment_us: 488 };
    expect(sessionBufferedText(s, { media_write_us: 9.97, simulated_increment_us: 718.82, reached: true })).toBe('; 32 buffered writes before an fdatasync added 719.2 µs (488.0 µs O_DIRECT; media_write_us 9.97 fitted to it through the model, whose replay of the probe adds 718.8 µs)');
    expect(sessionBufferedText(s, { media_write_us: 0, simulated_increment_us: 800, reached: false })).toBe('; 32 buffered writes before an fdatasync added 719.2 µs (488.0 µs O_DIRECT; media_write_us 0 fitted to it through the model, whose replay of the probe adds 800.0 µs, the nearest it comes)');
  });

  it('runs both steps in turn and reads their reports; a failed step or one that timed nothing leaves the part out', async () => {
    const work = mkdtempSync(join(tmpdir(), 'syncsim-buffered-test-'));
    const ran: string[] = [];
    const p50 = new Map<string, number | null>([['flush-buffered', 130], ['flush-buffered-32', 610]]);
    const run = async (step: { name: string }, json: string) => {
      ran.push(step.name);
      writeFileSync(json, fioJson(step.name, p50.get(step.name)!));
    };
    expect(await bufferedPart(work, 500, run)).toEqual({ one_us: 130, n_us: 610, writes: 32 });
    expect(ran).toEqual(['flush-buffered', 'flush-buffered-32']);
    p50.set('flush-buffered-32', null);
    expect(await bufferedPart(work, 500, run)).toBeUndefined();
    expect(await bufferedPart(work, 500, async () => { throw new Error('fio failed'); })).toBeUndefined();
  });
});

describe('the buffered part in the session\'s profile (flush-level.ts, withSessionLevel)', () => {
  it('reported beside the O_DIRECT destage part and per probe; media_write_us fitted to it through the model, flush_us refitted with it, every other key and fit as without it', () => {
    const us = [280, 300, 320, 300, 310];
    const destage = { one_us: 300, n_us: 672, writes: 32 };
    // the fixture's model adds about 1012 µs with no destage and about 29.8 µs more a µs of it: 1150 µs is about 4.6 µs a write
    const buffered = [{ one_us: 300, n_us: 1400, writes: 32 }, { one_us: 340, n_us: 1540, writes: 32 }];
    const withBuffered = [1, 2].map((i): SessionProbe => ({ ...probe(`p${i}`, us), destage, buffered: buffered[i - 1] }));
    const without = [1, 2].map((i): SessionProbe => ({ ...probe(`p${i}`, us), destage }));
    const s = withSessionLevel(calibration(true, true), withBuffered)!;
    const plain = withSessionLevel(calibration(true, true), without)!;
    const session = s.fits.flush_level_session!;
    expect(session.buffered).toEqual({ probes: 2, writes: 32, one_us: 320, n_us: 1470, increment_us: 1150, direct_increment_us: 372 });
    expect(session.probes.map((p) => p.buffered)).toEqual(buffered);
    expect(plain.fits.flush_level_session!.buffered).toBeNull();
    expect(plain.fits.flush_level_session!.buffered_destage).toBeNull();
    // the fit: the O_DIRECT scale's value was its start, and the model's replay of the probe with the profile as written adds the probes' 1150 µs
    const fit = session.buffered_destage!;
    expect(fit).toMatchObject({ before_media_write_us: plain.fragment.device.media_write_us, before_from: 'o_direct', measured_increment_us: 1150, reached: true });
    const mwu = s.fragment.device.media_write_us as number;
    expect(mwu).toBe(fit.media_write_us);
    expect(mwu).toBeLessThan(plain.fragment.device.media_write_us as number);
    const replayed = predictBufferedProbe(s.fragment, calibration().size_bytes).increment_us;
    expect(fit.simulated_increment_us).toBeCloseTo(replayed, 1);
    expect(Math.abs(replayed - 1150)).toBeLessThan(1); // within the fit's 0.5 µs, and the move of flush_us after it
    expect(s.fitted['device.media_write_us']).toMatchObject({ value: mwu, n: 2 });
    expect(s.fitted['device.media_write_us']!.from).toMatch(/^session FLUSH probes: fitted through the model to fdatasync after 32 random 4 KiB buffered writes over the 4 MiB data file less after one \(1150 µs, the mean over 2 probes\)/);
    // the level refitted with that destage: flush_us is the level less one write of it, as the report's destage says
    expect(s.fits.destage!.media_write_us).toBe(mwu);
    expect((s.fragment.device.flush_us as number) - (plain.fragment.device.flush_us as number)).toBeCloseTo((plain.fragment.device.media_write_us as number) - mwu, 1);
    // nothing else moves
    const moved = ['media_write_us', 'flush_us', 'flush_empty_us', 'flush_quantiles'];
    const rest = (d: Record<string, unknown>) => Object.fromEntries(Object.entries(d).filter(([k]) => !moved.includes(k)));
    expect(rest(s.fragment.device)).toEqual(rest(plain.fragment.device));
    expect({ ...s.fragment, device: null }).toEqual({ ...plain.fragment, device: null });
    const restFitted = (f: Record<string, unknown>) => Object.fromEntries(Object.entries(f).filter(([k]) => !moved.some((m) => k === `device.${m}`)));
    expect(restFitted(s.fitted)).toEqual(restFitted(plain.fitted));
    const { flush_level_session: a, destage: _d1, flush: _f1, ...fits } = s.fits, { flush_level_session: b, destage: _d2, flush: _f2, ...plainFits } = plain.fits;
    expect(fits).toEqual(plainFits);
    expect({ ...a, buffered: null, buffered_destage: null, probes: a!.probes.map(({ buffered: _, ...p }) => p) }).toEqual(b);
  });

  it('replays the probe with the CPU a page costs on its write() path when the calibration measured it (fits.cpu.writeback.cpu_page_us): the destage comes out higher by what the mapping\'s cleaning costs more', () => {
    const us = [280, 300, 320, 300, 310];
    const probes = [{ ...probe('p1', us), buffered: { one_us: 300, n_us: 1450, writes: 32 } }];
    const withCpu = () => {
      const cal = calibration(true, true);
      cal.fragment.cpu = { clean_page_us: 6.5, clean_io_us: 0.5 };
      return cal;
    };
    const mapping = withSessionLevel(withCpu(), probes)!;
    const cal = withCpu();
    cal.fits.cpu = { writeback: { cpu_page_us: { median_us: 1.5, q1_us: 1.4, q3_us: 1.6, reps: 100 } } } as unknown as NonNullable<typeof cal.fits.cpu>;
    const written = withSessionLevel(cal, probes)!;
    const a = mapping.fragment.device.media_write_us as number, b = written.fragment.device.media_write_us as number;
    // 31 pages more, each 6.5 + 0.5 − 1.5 = 5.5 µs less of CPU in the replay (the write()-path figure holds its write's issue): 5.5 µs a
    // write more of destage, to within what the replay's medians move by with the fixture's spread of the FLUSH (a step function of the
    // destage, not a line) besides the fit's 0.5 µs / 31 and 0.01 steps
    expect(Math.abs(b - a - 5.5)).toBeLessThan(0.2);
    // the jobs' pages keep the mapping's cleaning: the profile's CPU keys are as calibrated
    expect(written.fragment.cpu).toEqual({ clean_page_us: 6.5, clean_io_us: 0.5 });
    expect(written.fitted['device.media_write_us']!.from).toContain("each page charged the CPU of the probe's write() path, 1.5 µs with its write, not the mapping's cleaning");
    expect(mapping.fitted['device.media_write_us']!.from).not.toContain('write() path');
    // the replay's increment said is the one with the probe's CPU, near what the probes measured
    expect(Math.abs(written.fits.flush_level_session!.buffered_destage!.simulated_increment_us - 1150)).toBeLessThan(1);
  });

  it('the write() path\'s figure at the session\'s CPU speed, as the profile\'s cpu.* keys are scaled', () => {
    const us = [280, 300, 320, 300, 310];
    // the session probes' one-page writeback took 30 µs of CPU where the calibration's took 20: the session's CPU scale is 1.5
    const probes = [{ ...probe('p1', us), buffered: { one_us: 300, n_us: 1450, writes: 32 }, writeback: { slope_us: 3, one_us: 25, cpu_one_us: 30 } }];
    const make = (pageUs?: number) => {
      const cal = calibration(true, true);
      cal.fragment.cpu = { clean_page_us: 6.5, clean_io_us: 0.5 };
      cal.fits.cpu = { writeback: { cpu_one_us: 20, ...(pageUs === undefined ? {} : { cpu_page_us: { median_us: pageUs, q1_us: pageUs, q3_us: pageUs, reps: 100 } }) } } as unknown as NonNullable<typeof cal.fits.cpu>;
      return withSessionLevel(cal, probes)!;
    };
    const mapping = make(), written = make(1.5);
    expect(written.fits.flush_level_session!.cpu!.scale).toBeCloseTo(1.5, 9);
    expect(written.fragment.cpu).toEqual({ clean_page_us: 9.75, clean_io_us: 0.75 });
    expect(written.fitted['device.media_write_us']!.from).toContain("write() path, 2.25 µs with its write");
    // 31 pages more, each 9.75 + 0.75 − 2.25 = 8.25 µs less of CPU in the replay
    const a = mapping.fragment.device.media_write_us as number, b = written.fragment.device.media_write_us as number;
    expect(Math.abs(b - a - 8.25)).toBeLessThan(0.2);
  });

  it('not fitted when the buffered writes added nothing (noise): the O_DIRECT scale stands', () => {
    const us = [280, 300, 320, 300, 310];
    const destage = { one_us: 300, n_us: 672, writes: 32 };
    const s = withSessionLevel(calibration(true, true), [{ ...probe('p1', us), destage, buffered: { one_us: 400, n_us: 390, writes: 32 } }])!;
    const plain = withSessionLevel(calibration(true, true), [{ ...probe('p1', us), destage }])!;
    expect(plain.fits.flush_level_session!.destage).not.toBeNull(); // the O_DIRECT scale applied
    expect(s.fits.flush_level_session!.buffered).toMatchObject({ increment_us: -10 });
    expect(s.fits.flush_level_session!.buffered_destage).toBeNull();
    expect(s.fragment).toEqual(plain.fragment);
  });

  it('not fitted when the calibration\'s steps give no destage on FLUSH, though its profile says so (an earlier rule\'s): the first refit stands', () => {
    const cal = calibration(true, true);
    // flat flush steps: the line of the FLUSH over the writes before it does not grow
    cal.steps = cal.steps.map((st) => (st.kind === 'flush' && st.sync ? { ...st, sync: { ...st.sync, mean_us: 300, p50_us: 300 } } : st));
    const probes = [{ ...probe('p1', [280, 300, 320]), buffered: { one_us: 300, n_us: 1450, writes: 32 } }];
    const s = withSessionLevel(cal, probes)!;
    expect(s.fits.flush_level_session!.buffered).toMatchObject({ increment_us: 1150 });
    expect(s.fits.flush_level_session!.buffered_destage).toBeNull();
    expect(s.fragment.device.media_write_us).toBe(11);
  });

  it('not fitted without a destage on FLUSH: reported only', () => {
    const cal = calibration();
    cal.fragment.device = { ...cal.fragment.device, destage: 'continuous' };
    const s = withSessionLevel(cal, [{ ...probe('p1', [300, 310]), buffered: { one_us: 100, n_us: 500, writes: 32 } }])!;
    expect(s.fits.flush_level_session!.buffered).toMatchObject({ increment_us: 400 });
    expect(s.fits.flush_level_session!.buffered_destage).toBeNull();
  });
});
