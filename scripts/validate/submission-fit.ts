/**
 * Fitting the serial submission stage of the storage model
 * (sim/device/media.ts: `device.submit_us`, `device.submit_command_us`) to
 * fio runs. Pure: no I/O, no clock.
 *
 * The model: every submission (the commands dispatched together: one
 * doorbell, one virtqueue kick) costs `submit_us` of one serial stage, and
 * each command in it `submit_command_us` more, one after the other; then
 * each command's latency runs in parallel with the others'. So
 * - n writes submitted together (fio `iodepth=n`, `iodepth_batch_submit=n`,
 *   `iodepth_batch_complete_min=n`: every write waits for the whole batch)
 *   complete (fio's clat, from their submission) QD1 latency +
 *   (n − 1) × submit_command_us after it: the slope of the batch
 *   latency over n is `submit_command_us` (the stage and the data pipe run
 *   one after the other for each command, so the slope is the slower of
 *   the two; the pipe's 4 KiB is far below it on the devices measured);
 * - writes submitted one by one at a deep queue (fio libaio `iodepth=32`)
 *   saturate the stage at 1 / (submit_us + submit_command_us): that sum is
 *   10^6 / the peak IOPS of the depth probe.
 * With the latency after each turn, both stage costs are taken off the
 * fitted per-command latencies (the QD1 latency of the model stays the
 * measured one); either way the slots (`channels`) are no longer what
 * limits IOPS: they become the deepest queue probed (`--max-depth`, or the
 * largest batch).
 *
 * Or the latency runs beside the stage (`device.submit_overlap`): a command
 * completes when its turn in the stage and its latency from the dispatch
 * are both over, so a batch of n completes at max(QD1 latency, submit_us +
 * n × submit_command_us), and the latencies are the measured QD1 ones as
 * they are. The two structures predict different intercepts of the batch
 * line: QD1 latency − submit_command_us (one after the other) or submit_us
 * (side by side); the fit takes the one the measured intercept is nearer
 * ({@link stageOverlaps}). On 2026-12-03 at 13:31 UTC the line had an
 * intercept of −3.19 µs, submit_us 4.13, QD1 4k write 93.1 µs: side by side.
 * Side by side, the intercept is submit_us itself: when the unbatched IOPS
 * were still growing at the deepest queue probed (their peak then only
 * bounds the stage's cost from above), submit_us is the intercept within
 * [0, that bound] and the stage is fitted if the intercept still favours
 * side by side; otherwise there is no stage.
 */
import { leastSquares, type DepthProbe, type LatencyBandwidthFit } from './fit.ts';

/** One batched run: `batch` 4 KiB O_DIRECT random writes submitted together, reaped together. */
export interface BatchPoint {
  batch: number;
  /**
   * fio's mean completion latency of a write (µs): from the batch's
   * submission to its completion (each write is reaped with the whole
   * batch). Not the total latency: that adds the time the guest took to
   * build and submit the batch, which an msync spends as CPU time
   * (`cpu.clean_page_us`) before its writes reach the device.
   */
  mean_latency_us: number;
  iops: number;
}

/** The fitted stage, and the figures it came from. */
export interface SubmissionFit {
  /**
   * Where submit_us came from: 10^6 / the unbatched peak IOPS less the slope
   * (the peak levelled off); the batch line's intercept, clamped to 0 …
   * that bound (the peak still growing at the deepest queue probed, and the
   * latency beside the stage: there the line meets n = 0 at submit_us); the
   * bound itself (still growing, the latency after its turn: the intercept
   * says nothing of submit_us); or 0 (`batch slope`: a batched write cost no
   * less than an unbatched one at the peak, whose cost a write is then
   * submit_command_us). Absent in reports of versions before it (the peak).
   */
  submit_from?: 'unbatched peak' | 'batch intercept' | 'unbatched bound' | 'batch slope';
  submit_us: number;
  submit_command_us: number;
  /** submit_us + submit_command_us (µs): what one command alone spends in the stage, taken off the per-command latencies when the latency follows its turn. */
  serial_us: number;
  /** The least-squares line of batch latency over batch size. */
  slope_us_per_command: number;
  intercept_us: number;
  r2: number;
  /** Batch sizes fitted. */
  n: number;
  /** 10^6 / the peak IOPS of the unbatched depth probe (µs). */
  unbatched_us: number;
  /** Whether the latency runs beside the stage (`device.submit_overlap`), and why ({@link stageOverlaps}); absent in reports of versions before it. */
  overlap?: StageOverlap;
}

/** Which structure the batch line's intercept favours. */
export interface StageOverlap {
  overlap: boolean;
  /** QD1 4k write latency the one-after-the-other structure is judged with (µs). */
  qd1_us: number;
  /** The intercepts each structure predicts: submit_us (side by side), QD1 − submit_command_us (one after the other). */
  predicted_side_by_side_us: number;
  predicted_in_turn_us: number;
}

/**
 * Whether a command's latency runs beside the stage (pure): true when the
 * batch line's intercept is nearer submit_us than QD1 latency −
 * submit_command_us (`qd1Us`: the QD1 latency of a 4 KiB write, µs).
 */
export function stageOverlaps(f: Pick<SubmissionFit, 'submit_us' | 'submit_command_us' | 'intercept_us'>, qd1Us: number): StageOverlap {
  const side = f.submit_us, turn = qd1Us - f.submit_command_us;
  return { overlap: Math.abs(f.intercept_us - side) < Math.abs(f.intercept_us - turn), qd1_us: qd1Us, predicted_side_by_side_us: side, predicted_in_turn_us: turn };
}

/**
 * The unbatched probe counts as saturated when a deeper depth did not beat
 * its peak IOPS, or a depth of a quarter of the peak's or less reached this
 * share of it (four times the commands in flight gave less than 1.5 times
 * the IOPS; on the development VM single probes wander by a fifth, e.g. 51,
 * 46 and 67 k IOPS at 16, 32 and 64).
 */
export const SATURATED = 2 / 3;

/** Why no stage was fitted (the calibration then keeps the channel count of Little's law). */
export interface NoSubmissionFit {
  reason: string;
}

/**
 * The stage from batched runs and the unbatched depth probe (writes), or
 * the reason there is none: fewer than two batch sizes, no unbatched
 * probe, or a batch latency that does not grow with the batch. The slope
 * is submit_command_us. submit_us is 10^6 / the unbatched peak IOPS less
 * it when the peak levelled off; when the IOPS were still growing at the
 * deepest queue probed that is only a bound, and submit_us is the batch
 * line's intercept within 0 and the bound if the intercept favours a
 * latency beside the stage (as that makes the side-by-side prediction the
 * intercept itself, the other structure wins only when its prediction
 * lies nearer still), else the bound; batches that cost no less a command
 * than unbatched writes at their peak leave 0 for submit_us, and
 * submit_command_us is the peak's cost a write, not the slope (since
 * 2026-12-03 22:40 UTC these two cases fit a stage too: docs/configuration.md, "A stage
 * on a slow host"). `qd1Us`: the QD1 latency of a 4 KiB write, which
 * {@link stageOverlaps} judges with; without it neither is judged and a
 * still-growing peak gives no stage. `round` shapes the fitted figures.
 */
export function fitSubmission(points: readonly BatchPoint[], unbatched: readonly DepthProbe[], round: (v: number) => number = (v) => v, qd1Us?: number): SubmissionFit | NoSubmissionFit {
  const good = points.filter((p) => p.batch >= 1 && Number.isFinite(p.mean_latency_us) && p.mean_latency_us > 0);
  if (new Set(good.map((p) => p.batch)).size < 2) return { reason: `fewer than two batch sizes measured (${good.length})` };
  const peak = unbatched.reduce<DepthProbe | null>((a, b) => (b.iops > 0 && (!a || b.iops > a.iops) ? b : a), null);
  if (!peak) return { reason: 'no unbatched IOPS measured' };
  // the stage's rate shows only where more depth stopped adding IOPS: a deeper probe that did not beat the peak, or one at a quarter of its depth or less already at SATURATED of it
  const levelled = unbatched.some((p) => p.depth > peak.depth || (p.depth * 4 <= peak.depth && p.iops >= SATURATED * peak.iops));
  const notLevelled = `the unbatched IOPS had not levelled off by QD${peak.depth}, the deepest probed (${Math.round(peak.iops)} IOPS; no depth of a quarter of it or less reached ${Math.round(SATURATED * 100)} % of that): a deeper --max-depth`;
  const judged = qd1Us !== undefined && Number.isFinite(qd1Us);
  if (!levelled && !judged) return { reason: notLevelled };
  const line = leastSquares(good.map((p) => ({ x: p.batch, y: p.mean_latency_us })));
  const perWrite = 1e6 / peak.iops;
  if (!(line.slope > 0)) return { reason: `the batch latency does not grow with the batch (slope ${line.slope.toFixed(2)} µs a write)` };
  // batched writes dearer a write than unbatched ones at the peak: the stage is no slower than the peak shows (an msync's plug batches
  // came cheaper than fio's on the development VM: docs/configuration.md, "A stage on a slow host")
  const command = round(Math.min(line.slope, perWrite));
  // levelled: the peak's cost a write less the slope; not levelled, that is only an upper bound, and side by side the line meets n = 0 at submit_us itself;
  // batched writes no cheaper a write than unbatched ones at the peak: nothing is left for submit_us (0)
  const bound = Math.max(0, perWrite - line.slope);
  const side = round(levelled ? bound : Math.min(Math.max(0, line.intercept), bound));
  const judgement = judged ? stageOverlaps({ submit_us: side, submit_command_us: command, intercept_us: line.intercept }, qd1Us) : undefined;
  // not levelled and the latency after each turn: the intercept says nothing of submit_us, the peak's bound stands
  const submit = !levelled && !judgement!.overlap ? round(bound) : side;
  return {
    submit_from: line.slope >= perWrite ? 'batch slope' : levelled ? 'unbatched peak' : judgement!.overlap ? 'batch intercept' : 'unbatched bound',
    submit_us: submit,
    submit_command_us: command,
    serial_us: round(submit + command),
    slope_us_per_command: line.slope,
    intercept_us: line.intercept,
    r2: line.r2,
    n: good.length,
    unbatched_us: perWrite,
    ...(judgement ? { overlap: judgement } : {}),
  };
}

/** Whether `f` is a fitted stage. */
export function isSubmissionFit(f: SubmissionFit | NoSubmissionFit): f is SubmissionFit {
  return !('reason' in f);
}

/** A per-command latency distribution less `us` of serial stage, keeping its standard deviation (a lognormal's cv grows; at most 100, the schema's bound). */
export function lessSerial(d: LatencyBandwidthFit['latency'], us: number, round: (v: number) => number = (v) => v): LatencyBandwidthFit['latency'] {
  const mean = round(Math.max(0, d.mean_us - us));
  if (d.dist !== 'lognormal' || !(mean > 0)) return { dist: 'constant', mean_us: mean };
  return { dist: 'lognormal', mean_us: mean, cv: Math.round(Math.min(100, (d.cv * d.mean_us) / mean) * 1000) / 1000 };
}

/** The provenance of the keys a fitted stage sets (calibration.ts `fitted`); none without one (the channel count of Little's law stands). */
export function submissionProvenance(
  f: SubmissionFit | NoSubmissionFit, channels: { peak_iops: number; peak_depth: number }, slots: number, depths: string,
): Record<string, { value: unknown; r2: number | null; n: number; from: string }> {
  if (!isSubmissionFit(f)) return {};
  const batches = `qb-write-*: mean completion latency (fio's clat, from the submission) of 4k O_DIRECT random writes submitted and reaped n at a time, least squares over n`;
  return {
    'device.submit_command_us': f.submit_from === 'batch slope'
      ? { value: f.submit_command_us, r2: null, n: depths.split(',').length, from: `qd-write-*: 10^6 / the peak IOPS of writes submitted one at a time (${Math.round(channels.peak_iops)} IOPS at QD${channels.peak_depth}), less than the slope of ${batches} (${f.slope_us_per_command.toFixed(2)} µs a write, intercept ${f.intercept_us.toFixed(2)} µs): the stage is no slower than that; depths ${depths}` }
      : { value: f.submit_command_us, r2: f.r2, n: f.n, from: `${batches}: the slope (${f.slope_us_per_command.toFixed(2)} µs a write, intercept ${f.intercept_us.toFixed(2)} µs)` },
    'device.submit_us': f.submit_from === 'batch slope'
      ? {
        value: f.submit_us, r2: f.r2, n: f.n,
        from: `${batches}: 0, as the slope (${f.slope_us_per_command.toFixed(2)} µs a write) is no less than 10^6 / the peak IOPS of writes submitted one at a time (${f.unbatched_us.toFixed(2)} µs: ${Math.round(channels.peak_iops)} IOPS at QD${channels.peak_depth}; depths ${depths}), which is submit_command_us: nothing is left for the submission`,
      }
      : f.submit_from === 'unbatched bound'
      ? {
        value: f.submit_us, r2: null, n: depths.split(',').length,
        from: `qd-write-*: 10^6 / the peak IOPS of writes submitted one at a time (${Math.round(channels.peak_iops)} IOPS at QD${channels.peak_depth}, still growing there, so only a bound: ${f.unbatched_us.toFixed(2)} µs a write), less submit_command_us; depths ${depths} (the latency follows its turn, so the batch line's intercept says nothing of submit_us)`,
      }
      : f.submit_from === 'batch intercept'
      ? {
        value: f.submit_us, r2: f.r2, n: f.n,
        from: `${batches}: the intercept (${f.intercept_us.toFixed(2)} µs), at least 0 and at most 10^6 / the peak IOPS of writes submitted one at a time less submit_command_us (${(f.unbatched_us - f.slope_us_per_command).toFixed(2)} µs: ${Math.round(channels.peak_iops)} IOPS at QD${channels.peak_depth}, still growing there, so only a bound; depths ${depths}): with the latency beside the stage the line meets n = 0 at submit_us`,
      }
      : {
        value: f.submit_us, r2: null, n: depths.split(',').length,
        from: `qd-write-*: 10^6 / the peak IOPS of writes submitted one at a time (${Math.round(channels.peak_iops)} IOPS at QD${channels.peak_depth}: ${f.unbatched_us.toFixed(2)} µs a write), less submit_command_us; depths ${depths}`,
      },
    ...(f.overlap ? {
      'device.submit_overlap': {
        value: f.overlap.overlap, r2: null, n: f.n,
        from: `${batches}: the intercept (${f.intercept_us.toFixed(2)} µs) against what each structure predicts: submit_us (${f.overlap.predicted_side_by_side_us.toFixed(2)} µs) when a command's latency runs beside the stage, the QD1 4k write (${f.overlap.qd1_us.toFixed(2)} µs) less submit_command_us (${f.overlap.predicted_in_turn_us.toFixed(2)} µs) when it follows its turn; the nearer decides`,
      },
    } : {}),
    'device.channels': {
      value: slots, r2: null, n: 1,
      from: `the deepest queue probed (--max-depth, or the largest qb-write batch): with the serial submission stage limiting IOPS (${f.submit_from === 'batch intercept' || f.submit_from === 'unbatched bound' ? `at most ${f.unbatched_us.toFixed(2)} µs a write submitted alone, the peak still growing` : `${f.unbatched_us.toFixed(2)} µs a write submitted alone`}), the slots are not what the probes saturate`,
    },
  };
}
