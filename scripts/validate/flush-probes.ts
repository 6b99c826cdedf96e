/**
 * The session FLUSH probe of `npm run validate`: the calibration's FLUSH
 * probe (4k O_DIRECT overwrite + fdatasync) and its parts (fdatasync after
 * 32 O_DIRECT writes, after one 1 MiB write, the CPU probe's writeback
 * samples, fdatasync after 1 and 32 buffered writes), run on demand between
 * the jobs' runs; flush-level.ts refits the profile to what they time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { iologLatencies, readFioJson, runFio, SYNC_ACTIONS } from './fio.ts';
import { destageProbe, SESSION_DESTAGE_WRITES } from './destage-session.ts';
import { rateProbe, SESSION_RATE_BYTES, type RateProbe } from './destage-rate-session.ts';
import { writebackFigures, parseSamples } from '../measure/cpu-fit.ts';
import { compileProbe, haveCc, runBinary } from '../measure/cpu-probe.ts';
import { calibrationPlan, DATA_FILE, flushIolog, stepJobText } from './microbench.ts';
import { drainDevice } from './sync-steps.ts';
import { probePairs } from './host-spread.ts';
import { bufferedPart } from './buffered-probe.ts';
import { probeSpells } from './spell-fit.ts';
import type { SessionProbe } from './flush-level.ts';

/** Repetitions of the CPU probe's writeback samples in each session probe (5 samples of 1, 8, 32 and 64 pages each: about 0.1 s). */
const WRITEBACK_REPS = 8;

/**
 * The calibration's FLUSH probe, run on demand in a scratch directory of
 * `dir` on a data file of `sizeBytes` (laid out at the first probe), each for
 * `probeMs`; {@link close} removes the directory.
 */
export class FlushLevelProbes {
  private work: string | undefined;
  /** Every probe run so far. */
  readonly probes: SessionProbe[] = [];

  /** `rate`: run the rate part (fdatasync after one 1 MiB write) too; false when the calibration has no rate to scale. */
  constructor(private readonly o: { dir: string; sizeBytes: number; probeMs: number; rate?: boolean }) {}

  /** The probe's plan: its layout step, its flush-probe step, its destage step (flush-N, for half the probe's time) and its rate step (flush-size-1m, a quarter of it). */
  private plan() {
    const plan = calibrationPlan({ quick: true, maxDepth: 1, sizeBytes: this.o.sizeBytes, stepMs: this.o.probeMs * 2, latLog: '' });
    const short = calibrationPlan({ quick: true, maxDepth: 1, sizeBytes: this.o.sizeBytes, stepMs: Math.max(1, Math.round(this.o.probeMs / 2)), latLog: '' });
    return {
      layout: plan.find((s) => s.kind === 'layout')!, probe: plan.find((s) => s.kind === 'flush-probe')!,
      destage: short.find((s) => s.kind === 'flush' && s.writes === SESSION_DESTAGE_WRITES)!,
      rate: short.find((s) => s.kind === 'flush-size' && s.bytes === SESSION_RATE_BYTES)!,
    };
  }

  /** The CPU probe compiled in the scratch directory, or null without `cc`. */
  private cpuProbe: string | null = null;

  /** Makes the scratch directory and lays out the data file (once; a failed layout leaves nothing behind). */
  async prepare(): Promise<void> {
    if (this.work !== undefined) return;
    const work = mkdtempSync(join(this.o.dir, 'syncsim-flush-level-'));
    try {
      this.cpuProbe = haveCc() ? compileProbe(work) : null;
      await this.run(work, this.plan().layout);
    } catch (e) {
      rmSync(work, { recursive: true, force: true });
      throw e;
    }
    this.work = work;
  }

  /** Runs one probe, labelled `label`: its fdatasyncs (µs), also kept in {@link probes}. */
  async probe(label: string): Promise<number[]> {
    await this.prepare();
    const work = this.work!, { probe: step, destage: nStep, rate: rStep } = this.plan();
    const at = new Date().toISOString();
    rmSync(join(work, flushIolog(step.name)), { force: true }); // fio appends to an I/O log that exists
    await this.run(work, step);
    const timed = await iologLatencies(join(work, flushIolog(step.name)), SYNC_ACTIONS);
    const us = Array.from(timed.latencies_us);
    const pairs = await probePairs(join(work, flushIolog(step.name)));
    const json = join(work, `${nStep.name}.json`);
    await this.run(work, nStep, json);
    const nJob = readFioJson(json).jobs.find((j) => j.name === nStep.name);
    const destage = destageProbe(us, nJob?.sync?.p50_us ?? null);
    const writeP50 = nJob?.write?.p50_us ?? null;
    const rate = this.o.rate === false ? undefined : await this.ratePart(work, rStep, us);
    const wb = this.cpuProbe ? writebackFigures(parseSamples(await runBinary('the CPU probe', this.cpuProbe, [work, String(WRITEBACK_REPS), 'writeback']))) : null;
    const buffered = await bufferedPart(work, Math.max(1, Math.round(this.o.probeMs / 2)), (step, json) => this.run(work, step, json));
    this.probes.push({
      label, at, us, spells: probeSpells(Array.from(timed.issued_us), us), ...(destage ? { destage } : {}), ...(rate ? { rate } : {}), ...(writeP50 !== null ? { write_p50_us: writeP50 } : {}), ...(pairs.length ? { pairs } : {}),
      ...(wb ? { writeback: { slope_us: wb.off_cpu_page_us.median_us, one_us: wb.off_cpu_one_us, cpu_one_us: wb.cpu_one_us } } : {}),
      ...(buffered ? { buffered } : {}),
    });
    return us;
  }

  /** The probe's rate part (its 1-write fdatasyncs `us` beside the 1 MiB step's median); undefined when fio fails or times none: the rest of the probe stands. */
  private async ratePart(work: string, step: ReturnType<typeof calibrationPlan>[number], us: readonly number[]): Promise<RateProbe | undefined> {
    const json = join(work, `${step.name}.json`);
    try {
      await this.run(work, step, json);
      return rateProbe(us, readFioJson(json).jobs.find((j) => j.name === step.name)?.sync?.p50_us ?? null);
    } catch {
      return undefined;
    }
  }

  /** Runs `step`'s fio job in `work` (its JSON report to `json` when given), then drains the device. */
  private async run(work: string, step: ReturnType<typeof calibrationPlan>[number], json?: string): Promise<void> {
    const job = join(work, `${step.name}.fio`);
    writeFileSync(job, stepJobText(work, this.o.sizeBytes, step));
    await runFio([...(json ? ['--output-format=json', `--output=${json}`] : []), job], work);
    drainDevice(join(work, DATA_FILE));
  }

  /** Removes the scratch directory. */
  close(): void {
    if (this.work !== undefined) rmSync(this.work, { recursive: true, force: true });
    this.work = undefined;
  }
}
