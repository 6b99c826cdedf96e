/**
 * Every chart module, in the order their charts appear in a report.
 */
import type { ChartModule } from '../chart.ts';
import { latencyCdf } from './latency-cdf.ts';
import { latencyPercentiles } from './latency-percentiles.ts';
import { writebackByCause } from './writeback-by-cause.ts';
import { timeline } from './timeline.ts';
import { latencyVsPages } from './latency-vs-pages.ts';
import { sweepLine } from './sweep-line.ts';

/** The chart modules. */
export const CHART_MODULES: readonly ChartModule[] = [latencyCdf, latencyPercentiles, writebackByCause, timeline, latencyVsPages, sweepLine];
