/**
 * The context every kernel path runs in: clock, VM, pager, device, costs and
 * counters. Personalities receive it; they hold no state of their own.
 */
import type { Engine } from './engine/queue.ts';
import type { Vm } from './vm/vm.ts';
import type { Pager } from './pager/pager.ts';
import type { BlockDevice } from './device/device.ts';
import type { KernelPath } from './vm/process.ts';
import type { VmMap } from './vm/map.ts';
import type { VmObject } from './vm/object.ts';
import type { Config } from './config-types.ts';
import type { RandomStreams } from './engine/random.ts';
import type { Pageout } from './pager/pageout.ts';
import type { BackgroundWriteback } from './pager/writeback.ts';
import type { PageIn } from './pager/pagein.ts';
import type { FileSystem } from './fs/filesystem.ts';

/** Counters of faults that are not errors of the trace. */
export interface FaultCounts {
  unmapped_write: number;
  unmapped_read: number;
}

/** What one msync call did, for its row in syncs.csv. */
export interface SyncAccount {
  /** Pages written by I/Os this call issued. */
  pages: number;
}

/** Shared state and parameters of one simulated kernel. */
export interface Kernel {
  /** The resolved run configuration (personality-specific keys are read from it). */
  config: Config;
  /** Named random streams of the run. */
  rng: RandomStreams;
  engine: Engine;
  vm: Vm;
  pager: Pager;
  device: BlockDevice;
  /** CPU time of one system call (msync, wire, unwire, map, unmap), ns. */
  syscallNs: number;
  /** CPU time per page faulted in by a store or read (cpu.fault_page_us), ns. */
  faultPageNs: number;
  /** CPU time per dirty page an msync writes (cpu.clean_page_us), ns. */
  cleanPageNs: number;
  /** CPU time per page wired by wire / mlock (cpu.wire_page_us), ns. */
  wirePageNs: number;
  /** Largest write cluster, in pages (pager.cluster_pages). */
  clusterPages: number;
  /** Limit of user-wired pages (0 = none). */
  maxUserWiredPages: number;
  faults: FaultCounts;
  /** The pageout daemon, when memory is finite. */
  pageout: Pageout | undefined;
  /** Background writeback, unless the policy is `none`. */
  writeback: BackgroundWriteback | undefined;
  /** Page-in with read-ahead (`pagein: true`): faults on file pages read them from the device. */
  pagein?: PageIn;
  /** The filesystem under the mapped files (`fs.kind`). */
  fs: FileSystem;
  /** Per-object state a personality keeps for the run (e.g. the Mach memory manager of each object). */
  objectState: Map<VmObject, unknown>;
  /** Bytes stored by write ops to mapped memory. */
  dirtiedBytes: number;
}

/** A kernel's answers to the syscalls whose semantics differ between kernels. */
export interface Personality {
  readonly name: string;
  /** msync(addr, len, flags): returns a result code name (`OK`, `EINVAL`, ...); counts the pages it writes in `acct`. */
  msync(k: Kernel, map: VmMap, addr: number, len: number, flags: number, acct: SyncAccount): KernelPath<string>;
  /** wire / mlock. */
  wire(k: Kernel, map: VmMap, addr: number, len: number, flags: number): KernelPath<string>;
  /** unwire / munlock. */
  unwire(k: Kernel, map: VmMap, addr: number, len: number, flags: number): KernelPath<string>;
  /** munmap of [addr, addr+len). */
  unmap(k: Kernel, map: VmMap, addr: number, len: number): KernelPath<string>;
  /** Whether a store to a page under writeback blocks until the I/O completes (FreeBSD, XNU, Mach) or re-dirties it (Linux). */
  readonly writeBlocksOnWriteback: boolean;
  /** What a fault that pages in a page of file `obj` waits for first (FreeBSD: the vnode lock held by an msync). */
  readonly pageIn?: (k: Kernel, obj: VmObject) => KernelPath<void>;
  /** Whether a new mapping merges with adjacent compatible entries at once (FreeBSD vm_map_insert). */
  readonly mergesAtMap?: boolean;
  /** The result code of success (`OK`, or `KERN_SUCCESS` for Mach). */
  readonly ok: string;
}
