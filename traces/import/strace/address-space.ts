/**
 * What the strace importer knows of each traced process: its address space
 * (the mappings the trace has shown it making, sorted and disjoint) and its
 * open file descriptors (the objects its mappings are named after).
 */

/** An address range [addr, addr+len). */
export type Range = readonly [addr: number, len: number];

/** One mapping of an address space: [start, end), page rounded. */
export interface Mapping {
  start: number;
  end: number;
  object: string;
  offset: number;
  /** Native map flags (PRIVATE). */
  flags: number;
  /** PROT_* bits. */
  prot: number;
  /** Wired by mlock, mlockall or MAP_LOCKED since it was made (and not unlocked since). */
  locked?: boolean;
}

/** The part of a mapping inside a range. */
export interface Piece {
  start: number;
  end: number;
  m: Mapping;
}

/** The mappings of one address space, sorted and disjoint. */
export class MappingTable {
  /** The mappings, in address order. */
  readonly list: Mapping[] = [];

  /** Index of the first mapping ending after `addr`. */
  private firstAfter(addr: number): number {
    let lo = 0, hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.list[mid]!.end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The parts of mappings inside [start, end), in address order. */
  pieces(start: number, end: number): Piece[] {
    const out: Piece[] = [];
    for (let i = this.firstAfter(start); i < this.list.length && this.list[i]!.start < end; i++) {
      const m = this.list[i]!;
      out.push({ start: Math.max(start, m.start), end: Math.min(end, m.end), m });
    }
    return out;
  }

  /** Whether some mapping overlaps [start, end). */
  overlaps(start: number, end: number): boolean {
    const i = this.firstAfter(start);
    return i < this.list.length && this.list[i]!.start < end;
  }

  /** Whether mappings cover every byte of [start, end), with no hole. */
  covers(start: number, end: number): boolean {
    let at = start;
    for (const p of this.pieces(start, end)) {
      if (p.start > at) return false;
      at = p.end;
    }
    return at >= end;
  }

  /** The first address of [start, end) that no mapping covers; undefined when mappings cover all of it. */
  firstHole(start: number, end: number): number | undefined {
    let at = start;
    for (const p of this.pieces(start, end)) {
      if (p.start > at) return at;
      at = p.end;
    }
    return at < end ? at : undefined;
  }

  /** The mapping holding `addr`, if any. */
  at(addr: number): Mapping | undefined {
    const m = this.list[this.firstAfter(addr)];
    return m && m.start <= addr ? m : undefined;
  }

  /** Removes [start, end), splitting the mappings it cuts. */
  remove(start: number, end: number): void {
    const i = this.firstAfter(start);
    let j = i;
    const keep: Mapping[] = [];
    for (; j < this.list.length && this.list[j]!.start < end; j++) {
      const m = this.list[j]!;
      if (m.start < start) keep.push({ ...m, end: start });
      if (m.end > end) keep.push({ ...m, start: end, offset: m.offset + (end - m.start) });
    }
    if (j > i) this.list.splice(i, j - i, ...keep);
  }

  /** Adds a mapping (the range must be free), joined with a neighbour it continues in every respect. */
  insert(m: Mapping): void {
    const i = this.firstAfter(m.start);
    const prev = this.list[i - 1], next = this.list[i];
    if (prev && continues(prev, m)) {
      prev.end = m.end;
      if (next && continues(prev, next)) {
        prev.end = next.end;
        this.list.splice(i, 1);
      }
    } else if (next && continues(m, next)) {
      this.list[i] = { ...m, end: next.end };
    } else this.list.splice(i, 0, m);
  }

  /** Sets the protection of [start, end), splitting at its ends. */
  protect(start: number, end: number, prot: number): void {
    this.update(start, end, { prot });
  }

  /** Marks [start, end) wired or not, splitting at its ends. */
  lock(start: number, end: number, locked: boolean): void {
    this.update(start, end, { locked });
  }

  /** Sets `change` on the parts of mappings in [start, end), splitting at its ends; returns the new pieces. */
  update(start: number, end: number, change: Partial<Pick<Mapping, 'prot' | 'locked' | 'flags'>>): Mapping[] {
    const out: Mapping[] = [];
    for (const p of this.pieces(start, end)) {
      this.remove(p.start, p.end);
      const m = { ...p.m, start: p.start, end: p.end, offset: p.m.offset + (p.start - p.m.start), ...change };
      this.insert(m);
      out.push(m);
    }
    return out;
  }

  /** The mappings with pieces split only by mprotect joined again (one per map entry). */
  entries(): Mapping[] {
    const out: Mapping[] = [];
    for (const m of this.list) {
      const last = out[out.length - 1];
      if (last && last.end === m.start && last.object === m.object && last.flags === m.flags && last.offset + (last.end - last.start) === m.offset) {
        out[out.length - 1] = { ...last, end: m.end };
      } else out.push(m);
    }
    return out;
  }

  /** Maximal runs of contiguous mappings, as ranges. */
  runs(): Range[] {
    const out: [number, number][] = [];
    for (const m of this.list) {
      const last = out[out.length - 1];
      if (last && last[0] + last[1] === m.start) last[1] += m.end - m.start;
      else out.push([m.start, m.end - m.start]);
    }
    return out;
  }

  /** Forgets every mapping. */
  clear(): void {
    this.list.length = 0;
  }
}

/** Whether `b` starts where `a` ends, of the same object at the next offset, with the same flags, protection and lock. */
function continues(a: Mapping, b: Mapping): boolean {
  return a.end === b.start && a.object === b.object && a.offset + (a.end - a.start) === b.offset &&
    a.flags === b.flags && a.prot === b.prot && (a.locked ?? false) === (b.locked ?? false);
}

/** An open file of a process: the object its mappings are named after. */
export interface OpenFile {
  object: string;
  cloexec: boolean;
}

/** One address space: one native task. */
export class AddressSpace {
  /** Its mappings. */
  readonly maps = new MappingTable();
  /** The processes and threads sharing it. */
  readonly members = new Set<Proc>();
  /** mlockall(MCL_FUTURE) is in force. */
  lockFuture = false;
  constructor(readonly task: string) {}
}

/** One traced process or thread. */
export interface Proc {
  pid: string;
  space: AddressSpace;
  /** How it came to share its space: it leaves a `vfork` parent's space at execve. */
  via: 'own' | 'thread' | 'vfork';
  /** Its file descriptors (shared with the threads of its space). */
  fds: Map<number, OpenFile>;
}
