/**
 * Progress on standard error (scripts/progress.ts): on a terminal a line redrawn in place from
 * the first second on and removed at the end; off a terminal a plain line every period, the
 * first after one period (none for a shorter job) and a closing one only after a line; nothing
 * with --quiet; the count of the total, the share of the input, the rate and the ETA.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countText, CountProgress, fileProgress, formatDuration, ofTotalText, quietHelp, rateText, StepProgress, withProgress } from '../scripts/progress.ts';
import { BytesRead, eachTap } from '../traces/byte-tap.ts';

/** A stream that keeps what is written, a terminal or not. */
const streamOf = (isTTY: boolean) => {
  const s = { text: '', isTTY, write: (x: string) => (s.text += x) };
  return s;
};

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('count progress off a terminal', () => {
  it('writes nothing for a job shorter than the period, and no closing line', () => {
    const s = streamOf(false);
    const p = new CountProgress({ stream: s, label: 'run', unit: 'rows' });
    p.done = 5000;
    vi.advanceTimersByTime(9_999);
    p.finish();
    expect(s.text).toBe('');
  });

  it('writes a line each period, then one saying how many in how long', () => {
    const s = streamOf(false);
    const p = new CountProgress({ stream: s, label: 'run', unit: 'rows' });
    p.total = 4_000_000;
    p.done = 1_000_000;
    vi.advanceTimersByTime(10_000);
    p.done = 2_000_000;
    vi.advanceTimersByTime(10_000);
    p.done = 4_000_000;
    vi.advanceTimersByTime(5_000);
    p.finish();
    p.finish();
    expect(s.text).toBe(
      'run: 1,000,000 of 4,000,000 rows 25%, 100k rows/s, ETA 30s\n'
      + 'run: 2,000,000 of 4,000,000 rows 50%, 100k rows/s, ETA 20s\n'
      + 'run: 4,000,000 rows in 25s (160k rows/s)\n',
    );
  });

  it('without a total: the share of the input with what it is a share of, and the detail', () => {
    const s = streamOf(false);
    const p = new CountProgress({ stream: s, label: 'gen', unit: 'rows', shareOf: 'duration_s' });
    p.share = () => 0.4;
    p.detail = () => 'simulated 1.500 s';
    p.done = 800_000;
    vi.advanceTimersByTime(10_000);
    p.cancel();
    expect(s.text).toBe('gen: 800,000 rows, 40% of duration_s, simulated 1.500 s, 80.0k rows/s, ETA 15s\n');
  });

  it('with neither a total nor a share: the count and the rate, no %, no ETA', () => {
    const s = streamOf(false);
    const p = new CountProgress({ stream: s, label: 'gen', unit: 'rows' });
    p.done = 1234;
    vi.advanceTimersByTime(10_000);
    p.cancel();
    expect(s.text).toBe('gen: 1,234 rows, 123 rows/s\n');
  });

  it('writes nothing more once cancelled (a failed job says why itself)', () => {
    const s = streamOf(false);
    const p = new CountProgress({ stream: s, label: 'import', unit: 'rows' });
    vi.advanceTimersByTime(10_000);
    const before = s.text;
    p.cancel();
    vi.advanceTimersByTime(60_000);
    p.finish();
    expect(before).not.toBe('');
    expect(s.text).toBe(before);
  });
});

describe('count progress on a terminal', () => {
  it('draws nothing in the first second, then redraws one line in place each second, and removes it at the end', () => {
    const s = streamOf(true);
    const p = new CountProgress({ stream: s, label: 'run', unit: 'rows' });
    p.total = 100;
    p.done = 10;
    vi.advanceTimersByTime(999);
    expect(s.text).toBe('');
    vi.advanceTimersByTime(1);
    expect(s.text).toBe('\r\x1b[Krun 10 of 100 rows 10%, 10 rows/s, ETA 9s');
    p.done = 40;
    vi.advanceTimersByTime(1000);
    expect(s.text.endsWith('\r\x1b[Krun 40 of 100 rows 40%, 20 rows/s, ETA 3s')).toBe(true);
    p.finish();
    expect(s.text.endsWith('\r\x1b[K')).toBe(true);
    expect(s.text).not.toContain('\n');
  });

  it('clear removes the line drawn so that a message can be written, and nothing when none is drawn', () => {
    const s = streamOf(true);
    const p = new CountProgress({ stream: s, label: 'run', unit: 'rows' });
    p.clear();
    expect(s.text).toBe('');
    vi.advanceTimersByTime(1000);
    p.clear();
    expect(s.text.endsWith('\r\x1b[K')).toBe(true);
    p.cancel();
  });
});

describe('--quiet', () => {
  it('writes nothing, on a terminal or not, whatever the job does', () => {
    for (const tty of [true, false]) {
      const s = streamOf(tty);
      const p = new CountProgress({ stream: s, label: 'run', unit: 'rows', quiet: true });
      p.done = 10;
      vi.advanceTimersByTime(60_000);
      p.clear();
      p.finish();
      const q = new StepProgress({ stream: s, label: 'report', quiet: true });
      q.step('chart 1 of 2');
      vi.advanceTimersByTime(60_000);
      q.finish();
      expect(s.text).toBe('');
    }
  });
});

describe('step progress', () => {
  it('says the step under way and the time so far, and how long the job took', () => {
    const s = streamOf(false);
    const p = new StepProgress({ stream: s, label: 'compare' });
    p.step('metric 1 of 2 (sim_time_us)');
    vi.advanceTimersByTime(10_000);
    p.step('the CDF chart');
    vi.advanceTimersByTime(10_000);
    p.finish();
    expect(s.text).toBe('compare: metric 1 of 2 (sim_time_us), 10s\ncompare: the CDF chart, 20s\ncompare: done in 20s\n');
  });

  it('on a terminal a new step is drawn at once when the last draw is a second old (the event loop busy, no timer ran), not before', () => {
    const s = streamOf(true);
    const p = new StepProgress({ stream: s, label: 'report' });
    p.step('reading the results');
    expect(s.text).toBe('');
    // the clock moves on while no timer runs: a long synchronous stretch
    vi.setSystemTime(Date.now() + 400);
    p.step('reading the data of the charts');
    expect(s.text).toBe('');
    vi.setSystemTime(Date.now() + 1100);
    p.step('chart 1 of 3 (timeline)');
    expect(s.text).toBe('\r\x1b[Kreport chart 1 of 3 (timeline), 2s');
    p.cancel();
  });
});

describe('step progress of a step that counts', () => {
  it('the counter puts how far the step is after it, and is drawn as a step is: on a terminal at most once a second', () => {
    const s = streamOf(true);
    const p = new StepProgress({ stream: s, label: 'compare' });
    const told = p.counter('metric 3 of 6 (sync.latency_us.p99)', 'resamples');
    told(400, 2000);
    expect(s.text).toBe('');
    vi.advanceTimersByTime(1000);
    expect(s.text).toBe('\r\x1b[Kcompare metric 3 of 6 (sync.latency_us.p99), 400 of 2,000 resamples 20%, 1s');
    // the clock moves on while no timer runs (the bootstrap busy between its pauses)
    vi.setSystemTime(Date.now() + 500);
    told(1200, 2000);
    expect(s.text.endsWith('20%, 1s')).toBe(true);
    vi.setSystemTime(Date.now() + 600);
    told(1500, 2000);
    expect(s.text.endsWith('\r\x1b[Kcompare metric 3 of 6 (sync.latency_us.p99), 1,500 of 2,000 resamples 75%, 2s')).toBe(true);
    p.cancel();
  });

  it('off a terminal: the count in the line written every period', () => {
    const s = streamOf(false);
    const p = new StepProgress({ stream: s, label: 'compare' });
    p.counter('metric 1 of 1 (sync.latency_us.mean)', 'resamples')(250_000, 1_000_000);
    vi.advanceTimersByTime(10_000);
    p.cancel();
    expect(s.text).toBe('compare: metric 1 of 1 (sync.latency_us.mean), 250,000 of 1,000,000 resamples 25%, 10s\n');
  });
});

describe('withProgress', () => {
  it('finishes the progress when the job succeeds and cancels it when it fails, the error passed on', async () => {
    const calls: string[] = [];
    const progress = { finish: () => calls.push('finish'), cancel: () => calls.push('cancel') };
    expect(await withProgress(progress, async () => 7)).toBe(7);
    await expect(withProgress(progress, async () => {
      throw new Error('bad');
    })).rejects.toThrow('bad');
    expect(calls).toEqual(['finish', 'cancel']);
  });
});

describe('progress of a file read', () => {
  it('the share is the part of the file its tap saw read; a read again from the start begins at 0', () => {
    vi.useRealTimers();
    const d = mkdtempSync(join(tmpdir(), 'syncsim-progress-'));
    const f = join(d, 'in.csv');
    writeFileSync(f, 'x'.repeat(1000));
    const { progress, tap } = fileProgress({ stream: streamOf(false), label: 'convert', unit: 'rows', quiet: true }, f);
    expect(progress.share?.()).toBe(0);
    tap.seen(new Uint8Array(250), 0);
    tap.seen(new Uint8Array(250), 250);
    expect(progress.share?.()).toBe(0.5);
    tap.restart();
    expect(progress.share?.()).toBe(0);
  });

  it('eachTap tells every tap given, and is the one tap when only one is', () => {
    const a = new BytesRead(), b = new BytesRead();
    const both = eachTap(a, undefined, b)!;
    both.seen(new Uint8Array(10), 0);
    expect([a.at, b.at]).toEqual([10, 10]);
    both.restart();
    expect([a.at, b.at]).toEqual([0, 0]);
    expect(eachTap(undefined, a)).toBe(a);
    expect(eachTap()).toBeUndefined();
  });
});

describe('the words of progress', () => {
  it('counts, rates and durations', () => {
    expect(countText(10_099_808)).toBe('10,099,808');
    expect([rateText(950), rateText(31_234), rateText(312_345), rateText(1_254_000), rateText(NaN)]).toEqual(['950', '31.2k', '312k', '1.25M', '?']);
    expect([formatDuration(42), formatDuration(185), formatDuration(7620), formatDuration(Infinity)]).toEqual(['42s', '3m05s', '2h07m', '?']);
  });

  it('a count of a total: the share done rounded down, at most 100%, and 100% of nothing', () => {
    expect(ofTotalText(1_245_184, 10_099_808, 'rows')).toBe('1,245,184 of 10,099,808 rows 12%');
    expect(ofTotalText(1999, 2000, 'resamples')).toBe('1,999 of 2,000 resamples 99%');
    expect(ofTotalText(12, 10, 'rows')).toBe('12 of 10 rows 100%');
    expect(ofTotalText(0, 0, 'rows')).toBe('0 of 0 rows 100%');
  });

  it('the --quiet line of a help starts its text at the column asked and stays within 79 columns', () => {
    for (const column of [17, 19, 20, 27]) {
      const lines = quietHelp(column).split('\n');
      expect(lines[0]!.startsWith('  -q, --quiet ')).toBe(true);
      expect(lines[0]!.slice(column).startsWith('no progress')).toBe(true);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(79);
      for (const l of lines.slice(1)) expect(l.slice(0, column).trim()).toBe('');
    }
  });
});
