/**
 * The timeline's sampling period (`stats.sample_us`) against the length of a run: the period a
 * run whose trace ends at a known time samples at when the user gave none, and the check of a
 * period the user gave, made before the run rather than when the timeline passes its limit.
 */
import { ConfigError } from '../config-error.ts';
import { groupedCount } from './count-text.ts';

/** The most rows timeline.csv may hold (README, "Result files"). */
export const MAX_TIMELINE_ROWS = 10_000_000;

/** The rows a timeline aims to stay within when its period is chosen for the run ({@link chosenPeriodUs}). */
export const TARGET_TIMELINE_ROWS = 1_000_000;

/** The period the configuration has by default (µs): 1 ms. */
export const DEFAULT_SAMPLE_US = 1000;

/** The most a period may be (µs: a day), as the configuration's range of `stats.sample_us`. */
const MAX_SAMPLE_US = 86_400_000_000;

/** Timeline rows of a run that ends at `endUs` sampled every `periodUs`: the samples at 0, `periodUs`, ... up to the end, and the end's own row. */
export function timelineRows(endUs: number, periodUs: number): number {
  return Math.floor(endUs / periodUs) + 2;
}

/** The periods a choice takes from (µs): 1, 2 and 5 times a power of ten, from 1 ms up to a day. */
function* candidatePeriods(): Generator<number> {
  for (let decade = DEFAULT_SAMPLE_US; decade <= MAX_SAMPLE_US; decade *= 10) {
    for (const m of [1, 2, 5]) if (m * decade <= MAX_SAMPLE_US) yield m * decade;
  }
}

/**
 * The period (µs) a run whose trace ends at `endUs` samples at when the user gave none: the
 * smallest of 1 ms, 2 ms, 5 ms, 10 ms, 20 ms, ... that keeps its timeline within
 * {@link TARGET_TIMELINE_ROWS} rows (the end's row included), a day at most. A trace ending
 * before about 1,000 s keeps 1 ms.
 */
export function chosenPeriodUs(endUs: number): number {
  let last = DEFAULT_SAMPLE_US;
  for (const p of candidatePeriods()) {
    last = p;
    if (timelineRows(endUs, p) <= TARGET_TIMELINE_ROWS) return p;
  }
  return last;
}

/** `n` with thousands separators. */
const count = groupedCount;

/**
 * Refuses, before the run, a period the user gave (`periodUs`) whose timeline would pass
 * {@link MAX_TIMELINE_ROWS} over a trace that ends at `endUs`: a ConfigError on `stats.sample_us`
 * that suggests {@link chosenPeriodUs}. A run it lets through may still pass the limit when its
 * closed replay runs late past the trace's end (the timeline then stops it).
 */
export function checkGivenPeriod(periodUs: number, endUs: number): void {
  const rows = timelineRows(endUs, periodUs);
  if (rows <= MAX_TIMELINE_ROWS) return;
  const suggested = chosenPeriodUs(endUs);
  throw new ConfigError('stats.sample_us',
    `a row every ${periodUs} µs would give the timeline ${count(rows)} rows over the trace, which ends at ${(endUs / 1e6).toFixed(6)} s, past its limit of ${count(MAX_TIMELINE_ROWS)}; `
    + `raise stats.sample_us, e.g. to ${suggested} (${count(timelineRows(endUs, suggested))} rows), or leave it unset: a run then chooses it from the trace's end`);
}

/**
 * The suggestion of the error of a timeline that passed its limit at `reachedUs` of simulated
 * time, the run's end not known: the period that would have kept it within
 * {@link TARGET_TIMELINE_ROWS} rows up to there (and within its limit for a run ten times as long).
 */
export function lateSuggestion(reachedUs: number): string {
  const p = chosenPeriodUs(reachedUs);
  return `raise stats.sample_us, e.g. to ${p} (${count(timelineRows(reachedUs, p))} rows up to here, room for a run ${Math.floor(MAX_TIMELINE_ROWS / TARGET_TIMELINE_ROWS)} times as long)`;
}
