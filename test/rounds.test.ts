/**
 * Measurement in rounds (scripts/validate/rounds.ts): the schedule alone,
 * and two real fio validations sharing one (their runs interleave, the
 * replays come last).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rounds, RoundsCancelled, runJob, takeTurn, type Step } from '../scripts/validate/rounds.ts';
import { runValidate } from '../scripts/commands/validate.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs `steps` of `job` in their turns, each logging its start and end into `log` after a few ticks. */
async function job(rounds: Rounds, name: string, steps: Step[], log: string[]): Promise<void> {
  for (const st of steps) {
    await takeTurn(rounds.of(name), st, async () => {
      const label = st === 'replay' ? `${name} replay` : `${name} run ${st}`;
      log.push(`${label} start`);
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      log.push(`${label} end`);
    });
  }
}

describe('the schedule', () => {
  it('every job\'s run r before any job\'s run r+1, then the replays; one step at a time', async () => {
    const onStart = vi.fn();
    const rounds = new Rounds(['a', 'b', 'c'], 2, onStart);
    expect(rounds.steps).toEqual(['a run 1', 'b run 1', 'c run 1', 'a run 2', 'b run 2', 'c run 2', 'a replay', 'b replay', 'c replay']);
    const log: string[] = [];
    // started in the reverse order: the schedule, not the call order, decides
    await Promise.all(['c', 'b', 'a'].map((n) => job(rounds, n, [1, 2, 'replay'], log)));
    const starts = log.filter((l) => l.endsWith('start')).map((l) => l.slice(0, -' start'.length));
    expect(starts).toEqual(rounds.steps);
    // never two steps at once: each start is followed by its own end
    for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).toBe(log[i]!.replace(/start$/, 'end'));
    expect(onStart.mock.calls.map((c) => c.slice(1))).toEqual(rounds.steps.map((_, i) => [i + 1, rounds.steps.length]));
    expect(onStart.mock.calls[0]![0]).toBe('a run 1');
  });

  it('a step that throws gives its turn back; cancel rejects every waiting and later step', async () => {
    const rounds = new Rounds(['a', 'b'], 1);
    const log: string[] = [];
    const a = (async () => {
      try {
        await takeTurn(rounds.of('a'), 1, async () => {
          throw new Error('fio failed');
        });
      } catch (e) {
        rounds.cancel('a', 2);
        throw e;
      }
    })();
    const b = job(rounds, 'b', [1, 'replay'], log);
    await expect(a).rejects.toThrow('fio failed');
    // takeTurn failed the schedule before giving the turn back: b's run 1 never started
    const outcome = await b.then(() => 'done', (e: unknown) => e);
    expect(outcome).toBeInstanceOf(RoundsCancelled);
    expect((outcome as RoundsCancelled).message).toBe('not run: job a failed first');
    expect(log).toEqual([]);
    // the job's own exit code replaces the 1 takeTurn knew
    expect(rounds.failure).toMatchObject({ job: 'a', code: 2 });
    await expect(rounds.of('a').take('replay')).rejects.toBeInstanceOf(RoundsCancelled);
  });

  it('runJob: a job that fails (by throwing or by its exit code) cancels the rest; the others give -1 silently', async () => {
    for (const how of ['throws', 'exit 2'] as const) {
      const rounds = new Rounds(['a', 'b', 'c'], 2);
      const log: string[] = [];
      const failures: [string, number][] = [];
      const report = vi.fn(async () => 2);
      const body = (name: string) => async () => {
        await job(rounds, name, [1], log);
        if (name === 'b') {
          // b's run 2: fails inside its turn
          return await takeTurn(rounds.of('b'), 2, async () => {
            log.push('b run 2 start');
            if (how === 'throws') throw new Error('no sync logged');
            rounds.cancel('b', 2); // what run-all does for a command's exit code, before the turn is given back
            return 2;
          });
        }
        await job(rounds, name, [2, 'replay'], log);
        return 0;
      };
      const codes = await Promise.all(['a', 'b', 'c'].map((n) => runJob(rounds, n, body(n), report, (code) => failures.push([n, code]))));
      expect(codes).toEqual([-1, 2, -1]);
      expect(failures).toEqual([['b', 2]]);
      expect(report).toHaveBeenCalledTimes(how === 'throws' ? 1 : 0);
      expect(rounds.failure).toMatchObject({ job: 'b', code: 2 });
      // a's run 2 came before b's and finished; c's run 2 never started
      expect(log.filter((l) => l.endsWith('start'))).toEqual(['a run 1 start', 'b run 1 start', 'c run 1 start', 'a run 2 start', 'b run 2 start']);
    }
  });

  it('refuses unknown jobs and steps, a step taken twice, and duplicate names', async () => {
    const rounds = new Rounds(['a'], 1);
    expect(() => rounds.of('z')).toThrow(/unknown job z/);
    expect(() => rounds.of('a').take(2)).toThrow(/no step 2/);
    const done = await rounds.of('a').take(1);
    done();
    done(); // a second release is ignored
    expect(() => rounds.of('a').take(1)).toThrow(/taken twice/);
    expect(() => new Rounds(['a', 'a'], 1)).toThrow(/must differ/);
  });

  it('without a schedule, a step runs at once', async () => {
    expect(await takeTurn(undefined, 'replay', async () => 42)).toBe(42);
  });
});

describe('two fio validations in rounds (real fio)', () => {
  it('run 1 of both jobs, then run 2 of both, then the replays; validation.json says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncsim-rounds-'));
    dirs.push(dir);
    const hand = join(dir, 'hand.yaml');
    writeFileSync(hand, 'device:\n  profile: queue\n  channels: 2\n  per_page_us: 1.5\n  service:\n    dist: empirical\n    samples_us: [80, 100, 120, 400]\n');
    for (const n of ['x', 'y']) writeFileSync(join(dir, `${n}.fio`), `[${n}]\nioengine=mmap\nrw=write\nbs=4k\nsize=256k\nfsync=8\n`);
    const rounds = new Rounds(['x', 'y'], 2);
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const codes = await Promise.all(['x', 'y'].map((n) =>
        runValidate(['--fio-job', join(dir, `${n}.fio`), '--calibration', hand, '--out', join(dir, `out-${n}`), '--dir', dir, '--repeat', '2', '--settle', '0'], rounds.of(n))));
      expect(codes).toEqual([0, 0]);
    } finally {
      write.mockRestore();
    }
    const v = ['x', 'y'].map((n) => JSON.parse(readFileSync(join(dir, `out-${n}`, 'validation.json'), 'utf8')));
    for (const r of v) expect(r.measured.run_order).toBe('rounds');
    const t = (r: (typeof v)[number], i: number) => Date.parse(r.measured.runs[i].started_at);
    // x run 1 < y run 1 < x run 2 < y run 2
    expect(t(v[0], 0)).toBeLessThan(t(v[1], 0));
    expect(t(v[1], 0)).toBeLessThan(t(v[0], 1));
    expect(t(v[0], 1)).toBeLessThan(t(v[1], 1));
    expect(v.map((r) => r.measured.runs.map((x: { dir: string }) => x.dir))).toEqual([['.', 'repeat-2'], ['.', 'repeat-2']]);
    // nothing half-made left behind: the two outputs and the inputs only
    expect(readdirSync(dir).sort()).toEqual(['hand.yaml', 'out-x', 'out-y', 'x.fio', 'y.fio']);
  }, 120_000);
});
