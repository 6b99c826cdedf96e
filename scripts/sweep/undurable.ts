/**
 * Grid points whose runs made nothing durable: msyncs succeeded while no page version they stored
 * reached the media (a device write cache the filesystem sends no FLUSH to, as freebsd's ufs and
 * xnu's apfs on `sata-ssd`; MS_ASYNC under linux), so their msync latencies are not what making
 * the data durable costs. `syncsim run` warns of such a run (reports/never-durable.ts); a sweep
 * says it of its grid points, once, after the runs.
 */
import type { Summary } from '../../sim/stats/summary.ts';
import { mainNeverDurableCause } from '../../reports/never-durable.ts';

/** One grid point's runs that made nothing durable. */
export interface UndurablePoint {
  /** The point's label, `key=value, ...`. */
  label: string;
  /** Its successful runs, and those of them that made nothing durable. */
  runs: number;
  undurable: number;
  /** The cause of the most versions never durable in the first such run, in run's words. */
  cause?: string;
}

/** Whether a run's msyncs succeeded while no page version it stored became durable (what `syncsim run` warns of). */
export function madeNothingDurable(s: Summary): boolean {
  const d = s.durability;
  return d !== undefined && d.durable_pages === 0 && d.never_durable_pages > 0 && s.sync.ok > 0;
}

/** Counts a grid point's successful runs into `p` (made by the caller with runs and undurable 0). */
export function countUndurable(p: UndurablePoint, s: Summary): void {
  p.runs++;
  if (!madeNothingDurable(s)) return;
  p.undurable++;
  p.cause ??= mainNeverDurableCause(s);
}

/** The sweep's warning for the points of `points` (those with a successful run) whose runs made nothing durable, else undefined. */
export function undurableWarning(points: readonly UndurablePoint[]): string | undefined {
  const pointsOk = points.length;
  const hit = points.filter((p) => p.undurable > 0);
  if (hit.length === 0) return undefined;
  const shown = hit.slice(0, 3).map((p) => `(${p.label}) in ${p.undurable} of ${p.runs} run${p.runs === 1 ? '' : 's'}${p.cause ? `, mostly ${p.cause}` : ''}`);
  const more = hit.length > 3 ? `; and ${hit.length - 3} more` : '';
  return `at ${hit.length} of ${pointsOk} grid point${pointsOk === 1 ? '' : 's'} no page version stored became durable by the run's end, so their msyncs' latencies are not what making the data durable costs: ${shown.join('; ')}${more} (a run's summary.json durability; syncsim run of its configuration says more)`;
}
