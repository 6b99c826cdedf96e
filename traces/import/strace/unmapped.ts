/**
 * Calls of a task on memory the trace never shows it mapping: a successful
 * msync (the kernel fails one with ENOMEM on any hole) or a store of a range
 * the task's known mappings do not cover. Its process got those mappings in a
 * way the trace does not show (a thread or child whose `clone`/`fork` was
 * filtered out, a process attached with -p), and the replay would fail the
 * call. Counted in `unmapped_calls` and `unmapped_tasks`, with the first tasks
 * named for the import's warning (tally.ts).
 */
import { addName, type ImportNames, type ImportStats } from '../importer.ts';
import type { AddressSpace } from './address-space.ts';

/** The counter (and key of {@link ImportNames}) of such calls. */
export const UNMAPPED_CALLS = 'unmapped_calls';

/** Counts the calls of each task outside the mappings the trace shows it making. */
export class UnmappedCalls {
  private readonly tasks = new Set<string>();

  constructor(private readonly stats: ImportStats, private readonly names?: ImportNames) {}

  /** Counts a call of space `s` on [start, end) (page-rounded) when its mappings do not cover it. */
  check(s: AddressSpace, start: number, end: number): void {
    if (end <= start || s.maps.covers(start, end)) return;
    this.stats[UNMAPPED_CALLS] = (this.stats[UNMAPPED_CALLS] ?? 0) + 1;
    if (this.tasks.has(s.task)) return;
    this.tasks.add(s.task);
    this.stats.unmapped_tasks = this.tasks.size;
    addName(this.names, UNMAPPED_CALLS, s.task);
  }
}
