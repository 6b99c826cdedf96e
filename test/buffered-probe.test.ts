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
    expect(sessionBufferedText({ probes: 9, writes: 32, one_us: 132.6, n_us: 748.6, increment_us: 616, direct_increment_us: 339.2 })).toBe('; 32 buffered writes before an fdatasync added 616.0 µs (339.2 µs O_DIRECT; reported, not replayed)');
    expect(sessionBufferedText({ probes: 1, writes: 32, one_us: 100, n_us: 400, increment_us: 300, direct_increment_us: null })).toBe('; 32 buffered writes before an fdatasync added 300.0 µs (- µs O_DIRECT; reported, not replayed)');
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

describe('the buffered part in the session\'s report (flush-level.ts, withSessionLevel)', () => {
  it('is reported beside the O_DIRECT destage part, and per probe; the profile and every other fit are as without it', () => {
    const us = [280, 300, 320, 300, 310];
    const destage = { one_us: 300, n_us: 672, writes: 32 };
    const withBuffered = [1, 2].map((i): SessionProbe => ({ ...probe(`p${i}`, us), destage, buffered: { one_us: 100 * i, n_us: 500 * i, writes: 32 } }));
    const without = [1, 2].map((i): SessionProbe => ({ ...probe(`p${i}`, us), destage }));
    const s = withSessionLevel(calibration(), withBuffered)!;
    const plain = withSessionLevel(calibration(), without)!;
    expect(s.fits.flush_level_session!.buffered).toEqual({ probes: 2, writes: 32, one_us: 150, n_us: 750, increment_us: 600, direct_increment_us: 372 });
    expect(s.fits.flush_level_session!.probes.map((p) => p.buffered)).toEqual([{ one_us: 100, n_us: 500, writes: 32 }, { one_us: 200, n_us: 1000, writes: 32 }]);
    expect(plain.fits.flush_level_session!.buffered).toBeNull();
    // reported, not replayed: the profile, its provenance and every fit but the session's report are the same
    expect(s.fragment).toEqual(plain.fragment);
    expect(s.fitted).toEqual(plain.fitted);
    const { flush_level_session: a, ...fits } = s.fits, { flush_level_session: b, ...plainFits } = plain.fits;
    expect(fits).toEqual(plainFits);
    expect({ ...a, buffered: null, probes: a!.probes.map(({ buffered: _, ...p }) => p) }).toEqual(b);
  });
});
