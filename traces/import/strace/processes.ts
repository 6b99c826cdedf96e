/**
 * Processes, threads and their address spaces across fork, clone, vfork,
 * execve and exit: a task is one address space, named `pid<N>` after its
 * first process (`main` for the process of unprefixed lines); threads
 * (`CLONE_VM`) and a `vfork` child until its `execve` share their creator's.
 * This module keeps the table; the rows these events produce are written by
 * the translator.
 */
import type { ImportStats } from '../importer.ts';
import { AddressSpace, type Proc } from './address-space.ts';
import { CLONE_BITS, CLONE_VFORK, CLONE_VM } from './linux.ts';
import { parseBits } from './grammar.ts';

/** The clone flags of a `clone`/`clone3`/`fork`/`vfork` call that decide what the child shares. */
export function cloneFlags(name: string, args: string): number {
  if (name === 'fork') return 0;
  if (name === 'vfork') return CLONE_VM | CLONE_VFORK;
  const f = /\bflags=([^,}]*)/.exec(args);
  return f ? (parseBits(f[1]!, CLONE_BITS, '') ?? 0) : 0;
}

/** The traced processes by pid key, each with its address space. */
export class ProcessTable {
  private readonly procs = new Map<string, Proc>();
  /** Task names given so far (the `tasks` stat). */
  private readonly taskNames = new Set<string>();

  constructor(private readonly stats: ImportStats) {}

  /** The process `pid`; one the trace has not shown created starts with an empty space of its own. */
  get(pid: string): Proc {
    let p = this.procs.get(pid);
    if (!p) {
      p = { pid, space: this.newSpace(pid), via: 'own', fds: new Map() };
      p.space.members.add(p);
      this.procs.set(pid, p);
    }
    return p;
  }

  private newSpace(pid: string): AddressSpace {
    const task = pid === 'main' ? 'main' : `pid${pid}`;
    if (!this.taskNames.has(task)) {
      this.taskNames.add(task);
      this.stats.tasks = (this.stats.tasks ?? 0) + 1;
    }
    return new AddressSpace(task);
  }

  /**
   * A child `child` of `parent` created with clone `flags`: with `CLONE_VM`
   * it shares the parent's space (and, unless a vfork, its descriptors);
   * otherwise it gets a copy of the parent's mappings in a space of its own,
   * which is returned (its mappings need `map` rows). Nothing happens for a
   * child already known.
   */
  clone(parent: Proc, child: string, flags: number): AddressSpace | undefined {
    if (this.procs.has(child)) return undefined;
    let q: Proc;
    let copied: AddressSpace | undefined;
    if (flags & CLONE_VM) {
      q = { pid: child, space: parent.space, via: flags & CLONE_VFORK ? 'vfork' : 'thread', fds: flags & CLONE_VFORK ? new Map(parent.fds) : parent.fds };
    } else {
      q = { pid: child, space: this.newSpace(child), via: 'own', fds: new Map(parent.fds) };
      for (const m of parent.space.maps.list) q.space.maps.insert({ ...m, locked: false }); // memory locks are not inherited (fork(2))
      copied = q.space;
    }
    q.space.members.add(q);
    this.procs.set(child, q);
    return copied;
  }

  /**
   * A successful execve by `p`: close-on-exec descriptors close; a vfork
   * child leaves its parent's space for a new one. Returns the space whose
   * mappings the new program replaces (undefined for a vfork child).
   */
  exec(p: Proc): AddressSpace | undefined {
    for (const [fd, f] of p.fds) if (f.cloexec) p.fds.delete(fd);
    if (p.via === 'vfork') {
      p.space.members.delete(p);
      p.space = this.newSpace(p.pid);
      p.space.members.add(p);
      p.via = 'own';
      return undefined;
    }
    return p.space;
  }

  /** The exit of `pid`: returns its space when no process is left in it (torn down), else undefined. */
  exit(pid: string): AddressSpace | undefined {
    const p = this.procs.get(pid);
    if (!p) return undefined;
    this.procs.delete(pid);
    p.space.members.delete(p);
    return p.space.members.size === 0 ? p.space : undefined;
  }
}
