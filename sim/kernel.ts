/**
 * The context every kernel path runs in: clock, VM, pager, device, costs and
 * counters. Personalities receive it; they hold no state of their own.
 *
 * The context of the whole model: it imports only modules that never import
 * it back (the engine, the VM's data structures, the device, the pager's I/O
 * interface, the filesystem interface, the configuration types). The daemons
 * the pager implements over it (pageout, background writeback, page-in) are
 * reached through the interfaces declared here.
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
import type { Io } from './device/device.ts';
import type { FaultSite } from './vm/fault-site.ts';
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
  /**
   * CPU time per dirty page an msync writes while another task runs on
   * another CPU (cpu.clean_page_busy_us; Linux), ns: under a hypervisor every
   * PTE a clean write-protects must be flushed from the other vCPUs that are
   * running guest code, and an idle vCPU costs nothing.
   */
  cleanPageBusyNs: number;
  /**
   * Tasks on a CPU now: from their first row until the trace's last row has
   * been delivered and they have nothing left, and not asleep in the kernel
   * (a fault waiting for its page's read does not count as asleep)
   * (maintained by the replay: sim/replay/task.ts, Task.running).
   */
  running: number;
  /** CPU time per dirty page of a PMD-sized folio an msync writes (cpu.clean_pmd_page_us; Linux), ns. */
  cleanPmdPageNs: number;
  /** CPU time per write I/O an msync issues, on top of its pages' (cpu.clean_io_us; linux, freebsd, xnu), ns. */
  cleanIoNs: number;
  /** Linux: CPU time of each data-integrity writeback an msync starts over a range with dirty pages (cpu.writeback_call_us), ns. */
  writebackCallNs: number;
  /** CPU time per page wired by wire / mlock (cpu.wire_page_us), ns. */
  wirePageNs: number;
  /** Largest write cluster, in pages (pager.cluster_pages). */
  clusterPages: number;
  /** Limit of user-wired pages (0 = none). */
  maxUserWiredPages: number;
  faults: FaultCounts;
  /** The pageout daemon, when memory is finite. */
  pageout: PageoutDaemon | undefined;
  /** Background writeback, unless the policy is `none`. */
  writeback: WritebackDaemon | undefined;
  /** Page-in with read-ahead (`pagein: true`): faults on file pages read them from the device. */
  pagein?: PageInPath;
  /** The filesystem under the mapped files (`fs.kind`). */
  fs: FileSystem;
  /** Per-object state a personality keeps for the run (e.g. the Mach memory manager of each object). */
  objectState: Map<VmObject, unknown>;
  /** Bytes stored by write ops to mapped memory. */
  dirtiedBytes: number;
  /**
   * Whether object scans that judge every resident page (XNU vm_object_update,
   * Mach memory_object_sync) jump over pages whose verdict can only be "nothing
   * to do" while no run is pending; the results never depend on it (tests
   * compare both).
   */
  skipIdlePages: boolean;
}

/**
 * Whether another task of the trace is running beside the one asking (which
 * runs itself): more than one task {@link Kernel.running}. Under a
 * hypervisor a busy vCPU beside it makes cleaning a page
 * (`cpu.clean_page_busy_us`) and a device's round trip
 * (`device.busy_latency_us`, `busy_flush_us`) dearer.
 */
export function peerRunning(k: Kernel): boolean {
  return k.running > 1;
}

/** The pageout daemon of a finite memory, as the kernel paths see it (pager/pageout.ts). */
export interface PageoutDaemon {
  /** Resident pages it keeps memory under. */
  readonly limit: number;
  /** Pages freed to make room. */
  readonly evictions: number;
  /** Makes room for `pages` (default 1) more resident pages; may sleep until laundering frees some. */
  reserve(pages?: number): KernelPath<void>;
  /**
   * Makes room for up to `pages` more resident pages without sleeping (freeing clean pages,
   * starting the cleaning of dirty ones met on the way) and returns the room there is now, 0 to
   * `pages`: what an allocation that may not wait for reclaim gets (read-ahead). Page `keepIdx`
   * of `keep` (the page the asking fault holds) is not freed.
   */
  makeRoom(pages: number, keep?: VmObject, keepIdx?: number): number;
  /** Pages that can be brought in now without passing the limit (resident and being-read pages count as taken); 0 when full. */
  room(): number;
  /** The daemon's own pass, without sleeping: frees (or starts cleaning) pages until back under the limit. */
  trim(): void;
  /** A writeback I/O completed: frees the pages of a pageout, wakes waiters. */
  completed(io: Io): void;
}

/** Throttling totals (summary.json `throttle`). */
export interface ThrottleTotals {
  /** Throttle checks that paused the writer. */
  count: number;
  totalNs: number;
  /** Longest stall of one check, ns. */
  maxNs: number;
}

/** Background writeback, as the fault path and the simulator see it (pager/writeback.ts). */
export interface WritebackDaemon {
  /** Throttling totals so far. */
  readonly throttle: ThrottleTotals;
  /** Whether writers are throttled (flusher with a finite memory). */
  readonly throttles: boolean;
  /** Schedules the next wake-up (no-op when one is pending). */
  arm(): void;
  /** balance_dirty_pages, called by a writer of `map` every RATELIMIT_PAGES pages it dirties. */
  balance(map: VmMap): KernelPath<void>;
}

/** Page-in (`pagein: true`), as the fault path sees it (pager/pagein.ts). */
export interface PageInPath {
  /** Total time faulting tasks waited for reads, ns. */
  readonly waitNs: number;
  /** Faults page `site.idx` of file object `obj` in; false when the read failed. */
  fault(obj: VmObject, site: FaultSite): KernelPath<boolean>;
  /** A fault on page `site.idx`, resident and carrying RA_MARK or PREFETCHED (first use of a read-ahead page); never sleeps. */
  touched(obj: VmObject, site: FaultSite): void;
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
