/**
 * Measurement in rounds: when `npm run validate` checks several jobs, the
 * repeats of one job are spread over the whole session instead of run back
 * to back. Every job's run 1 comes first, then every job's run 2, and so on;
 * the replays come last, once nothing is measured any more. One step runs at
 * a time, so a replay never shares the CPU with a measurement.
 *
 * Why: the storage under a virtual machine changes its speed over tens of
 * seconds to minutes (on the machine the README's table comes from, the
 * FLUSH after a 4 KiB write moved between about 90, 180 and 300 µs within
 * two minutes, with the guest idle). Two runs taken back to back share that
 * state, so the demerit between them understates how much the real system
 * differs from itself from one run to the next; runs a round apart sample it.
 */

/** A step of one job: a measured run (1, 2, …) or its replay. */
export type Step = number | 'replay';

/** What a validation asks of the schedule: wait for its turn to run `step`; call the returned function when done. */
export interface JobTurns {
  take(step: Step): Promise<() => void>;
  /** This job failed: no later step of any job may start (called before the failing step gives its turn back). */
  fail(): void;
}

/** The schedule was abandoned because a job failed: the waiting steps are not run. */
export class RoundsCancelled extends Error {
  /** `code`: the failed job's exit code (1 until the job says which). */
  constructor(readonly job: string, public code: number) {
    super(`not run: job ${job} failed first`);
  }
}

/** Turns of several jobs, each with `repeat` runs and one replay, in rounds (see the module comment). */
export class Rounds {
  private readonly order: string[] = [];
  private at = 0;
  private readonly waiting = new Map<string, { resolve: (done: () => void) => void; reject: (e: Error) => void }>();
  private busy = false;
  private failed: RoundsCancelled | undefined;

  /** `onStart` is told each step as it begins (for progress lines), with its position from 1 and the number of steps. */
  constructor(readonly jobs: readonly string[], readonly repeat: number, private readonly onStart?: (step: string, at: number, of: number) => void) {
    if (new Set(jobs).size !== jobs.length) throw new Error('Rounds: job names must differ');
    for (let r = 1; r <= repeat; r++) for (const j of jobs) this.order.push(key(j, r));
    for (const j of jobs) this.order.push(key(j, 'replay'));
  }

  /** Every step in the order it runs ("job run r" / "job replay"). */
  get steps(): readonly string[] {
    return this.order;
  }

  /** The turns of `job`. */
  of(job: string): JobTurns {
    if (!this.jobs.includes(job)) throw new Error(`Rounds: unknown job ${job}`);
    return { take: (step) => this.take(job, step), fail: () => this.cancel(job, 1) };
  }

  /** The first job that failed and its exit code, once one has. */
  get failure(): RoundsCancelled | undefined {
    return this.failed;
  }

  /** Gives up the rest of the schedule because `job` failed with `code`: every waiting and later step is rejected with {@link RoundsCancelled}, and none starts. */
  cancel(job: string, code: number): void {
    if (this.failed) {
      if (this.failed.job === job) this.failed.code = code;
      return;
    }
    this.failed = new RoundsCancelled(job, code);
    for (const w of this.waiting.values()) w.reject(this.failed);
    this.waiting.clear();
  }

  private take(job: string, step: Step): Promise<() => void> {
    if (this.failed) return Promise.reject(this.failed);
    const k = key(job, step);
    const i = this.order.indexOf(k);
    if (i < 0) throw new Error(`Rounds: job ${job} has no step ${step}`);
    if (i < this.at || this.waiting.has(k)) throw new Error(`Rounds: ${k} was taken twice`);
    return new Promise((resolve, reject) => {
      this.waiting.set(k, { resolve, reject });
      this.advance();
    });
  }

  private advance(): void {
    if (this.busy || this.failed || this.at >= this.order.length) return;
    const w = this.waiting.get(this.order[this.at]!);
    if (!w) return;
    this.waiting.delete(this.order[this.at]!);
    this.busy = true;
    this.onStart?.(this.order[this.at]!, this.at + 1, this.order.length);
    let released = false;
    w.resolve(() => {
      if (released) return;
      released = true;
      this.busy = false;
      this.at++;
      this.advance();
    });
  }
}

function key(job: string, step: Step): string {
  return step === 'replay' ? `${job} replay` : `${job} run ${step}`;
}

/**
 * Runs `step` of a job in its turn (at once without `turns`) and gives the
 * turn back however it ends; when `body` throws, the schedule is failed
 * first, so that no other step starts.
 */
export async function takeTurn<T>(turns: JobTurns | undefined, step: Step, body: () => Promise<T>): Promise<T> {
  return inTurn(turns, turns ? await turns.take(step) : undefined, body);
}

/** Runs `body` in a turn already taken (`done` gives it back; undefined: no schedule), as {@link takeTurn} does. */
export async function inTurn<T>(turns: JobTurns | undefined, done: (() => void) | undefined, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (!(e instanceof RoundsCancelled)) turns?.fail();
    throw e;
  } finally {
    done?.();
  }
}

/**
 * Runs one job of `rounds`: `body` gives its exit code or throws (`report`
 * prints the error and gives the code). A failure cancels the schedule (if
 * the job has not already) and is passed to `onFail`; a job stopped because
 * another failed first gives -1 and says nothing.
 */
export async function runJob(rounds: Rounds, name: string, body: () => Promise<number>, report: (e: unknown) => Promise<number>, onFail: (code: number) => void): Promise<number> {
  let code: number;
  try {
    code = await body();
  } catch (e) {
    if (e instanceof RoundsCancelled && e.job !== name) return -1;
    code = await report(e);
  }
  if (code !== 0) {
    rounds.cancel(name, code);
    onFail(code);
  }
  return code;
}
