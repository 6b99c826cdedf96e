/**
 * The bounds of a run that are the simulator's own, not a kernel's: how many
 * pages one op may cover, and how many pages may be resident at once. They keep
 * a run's host memory and the time one op takes (the trace reader cannot stop
 * inside an op) bounded whatever the trace asks (README, "Limits of a run").
 */
import { MAX_OP_PAGES, MAX_RESIDENT_PAGES, pagesOf } from '../../traces/types.ts';
import type { PageCounters } from './object.ts';
import { TraceSemanticError } from './vm.ts';

/** The most pages one `write`, `read` or `wire` op may cover: 2^22 (16 GiB of 4 KiB pages, a few seconds of host time). */
export { MAX_OP_PAGES };

/**
 * The most pages that may be resident at once (2^26: 256 GiB of 4 KiB pages;
 * the model's state for them takes about 4 GiB of the host's memory). A finite
 * `memory.pages` within it is kept by the pageout daemon and needs no check
 * while it holds; it can be passed when nothing can be freed (wired or
 * anonymous dirty pages), and then this bound applies again.
 */
export { MAX_RESIDENT_PAGES };

/** Checks the ops that bring pages in (`write`, `read`, `wire`) against {@link MAX_OP_PAGES} and {@link MAX_RESIDENT_PAGES}. */
export class RunBounds {
  /** `memory.pages` when the pageout daemon keeps residency within MAX_RESIDENT_PAGES (finite and within it), else 0. */
  private readonly kept: number;
  /** Pages of the ops under way that passed {@link fits} ({@link reserve}d until they end): they may still bring pages in. */
  private reserved = 0;

  constructor(private readonly pageSize: number, private readonly memoryPages: number, private readonly counters: PageCounters) {
    this.kept = memoryPages <= MAX_RESIDENT_PAGES ? memoryPages : 0;
  }

  /** An op of `pages` pages is under way (it passed {@link fits}): they count as held until {@link release}. */
  reserve(pages: number): void {
    this.reserved += pages;
  }

  /** The op that {@link reserve}d `pages` ended. */
  release(pages: number): void {
    this.reserved -= pages;
  }

  /** Pages {@link reserve}d by the ops under way. */
  get underWay(): number {
    return this.reserved;
  }

  /** Pages resident, being read, or covered by the ops under way. */
  private held(): number {
    return this.counters.resident + this.counters.reading + this.reserved;
  }

  /** Pages that [addr, addr+len) overlaps. */
  pagesOf(addr: number, len: number): number {
    return pagesOf(addr, len, this.pageSize);
  }

  /**
   * Whether an op covering `pages` pages ({@link pagesOf}) is within the bounds: at most
   * MAX_OP_PAGES, and the pages resident or being read now, plus every page of
   * the ops under way and of this one (as if none of them were resident yet),
   * stay within MAX_RESIDENT_PAGES; or the pageout daemon keeps `memory.pages`
   * and resident and read pages have not passed it.
   */
  fits(pages: number): boolean {
    if (pages > MAX_OP_PAGES) return false;
    const c = this.counters;
    return this.held() + pages <= MAX_RESIDENT_PAGES || (this.kept > 0 && c.resident + c.reading <= this.kept);
  }

  /** The error of the trace for an op at `line` of length `len`, covering `pages` pages, that does not {@link fits}. */
  refusal(line: number, op: string, len: number, pages: number): TraceSemanticError {
    const text = '0x' + len.toString(16);
    if (pages > MAX_OP_PAGES) {
      return new TraceSemanticError(line, 'len', text,
        `a ${op} may cover at most ${MAX_OP_PAGES} pages (${size(MAX_OP_PAGES * this.pageSize)} at page_size ${this.pageSize}); this one covers ${pages}: split it into several rows`);
    }
    const held = this.held();
    const what = this.kept > 0
      ? `memory.pages ${this.kept} is passed by pages the pageout daemon cannot free (wired, or anonymous and dirty)`
      : this.memoryPages > 0
        ? `memory.pages ${this.memoryPages} is above that: set it to at most ${MAX_RESIDENT_PAGES}`
        : `set memory.pages (at most ${MAX_RESIDENT_PAGES}) to model a memory whose pageout daemon evicts pages`;
    return new TraceSemanticError(line, 'len', text,
      `this ${op} covers ${pages} pages and ${held} are resident, being read or covered by ops under way: more than the ${MAX_RESIDENT_PAGES} resident pages ` +
      `(${size(MAX_RESIDENT_PAGES * this.pageSize)} at page_size ${this.pageSize}) a run may hold; ${what}`);
  }
}

/** `bytes` in the largest binary unit that divides it, e.g. `16 GiB`. */
function size(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let u = 0;
  while (u < units.length - 1 && bytes % 1024 === 0 && bytes >= 1024) {
    bytes /= 1024;
    u++;
  }
  return `${bytes} ${units[u]}`;
}
