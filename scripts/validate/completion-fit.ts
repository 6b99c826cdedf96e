/**
 * Whether the device completes a submitted batch command by command or all
 * at once (`device.submit_completion`, sim/device/media.ts), from the
 * qr-write-16 step: 16 writes submitted together and reaped as they
 * complete. Pure: no I/O, no clock.
 *
 * A device that completes each command on its own (a drive, or a backend
 * that signals each completion) lets a reaper that wakes on the first
 * completion find a few: with the serial stage's few µs between them, the
 * reaps fall in fio's 1–4 and 5–8 buckets. A virtual disk's backend that
 * takes in every command of its queue and raises one interrupt when it has
 * none left (Firecracker's virtio-blk `process_queue`) completes the batch
 * at once: nearly every reap finds 9–16. The fit takes `drained` when at
 * least half the reaps found 9 or more (our threshold: a midpoint between
 * the two pictures; on 2026-12-03 this machine gave 98.2 %).
 */
import type { StepReport } from './calibration-fit.ts';

/** Buckets of fio's iodepth_complete that hold reaps of 9 or more completions. */
const NINE_OR_MORE = ['16', '32', '64', '>=64'] as const;

/** Share of reaps (percent) at or above which the batch counts as completed at once. */
export const DRAINED_SHARE_PCT = 50;

/** The completion fit: the share of large reaps and what it decides. */
export interface CompletionFit {
  submit_completion: 'each' | 'drained';
  /** Percent of the reaps that found 9 or more completions. */
  nine_or_more_pct: number;
  /** Writes per batch of the step. */
  batch: number;
  from: string;
}

/** The fit, or why there is none (no qr-write step, or fio reported no iodepth_complete). */
export function fitCompletion(steps: readonly StepReport[]): CompletionFit | { reason: string } {
  const step = steps.find((s) => s.kind === 'reap');
  if (!step) return { reason: 'no qr-write step' };
  if (!step.reaped) return { reason: `${step.name}: fio reported no iodepth_complete` };
  const pct = NINE_OR_MORE.reduce((sum, k) => sum + (step.reaped![k] ?? 0), 0);
  const drained = pct >= DRAINED_SHARE_PCT;
  return {
    submit_completion: drained ? 'drained' : 'each',
    nine_or_more_pct: Math.round(pct * 100) / 100,
    batch: step.depth,
    from: `${step.name}: ${step.depth} 4k O_DIRECT random writes submitted together, reaped as they complete: ${pct.toFixed(1)} % of the reaps found 9 or more (fio's iodepth_complete); ${drained ? `at least ${DRAINED_SHARE_PCT} %: the batch completes at once when the serial stage drains` : `under ${DRAINED_SHARE_PCT} %: its commands complete one by one`}`,
  };
}

/** Whether `f` is a fit (not a reason). */
export const isCompletionFit = (f: CompletionFit | { reason: string }): f is CompletionFit => 'submit_completion' in f;
