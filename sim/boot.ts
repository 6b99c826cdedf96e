/**
 * The kernel of one run, made from its configuration: the VM, the pager and
 * the device behind it, the file system, and the daemons (pageout with a
 * finite memory, page-in with `pagein: true`, background writeback unless
 * its policy does nothing). The replay (simulator.ts) runs the trace's ops
 * against it.
 */
import type { Config } from './config-types.ts';
import { DOUBLE_FIELD, type Engine, usToNs } from './engine/queue.ts';
import type { RandomStreams } from './engine/random.ts';
import { makeDevice, makeHostSpeed } from './device/make.ts';
import type { HostSpeed } from './device/host-speed.ts';
import { Pager } from './pager/pager.ts';
import { Pageout } from './pager/pageout.ts';
import { BackgroundWriteback } from './pager/writeback.ts';
import { builtinPolicy } from './pager/writeback-policies.ts';
import { builtinScheduler } from './device/schedulers.ts';
import type { SimPlugins } from './plugin/plugins.ts';
import { PageIn } from './pager/pagein.ts';
import { defaultReadaheadPages } from './pager/readahead.ts';
import { readPolicy } from './pager/read-policies.ts';
import { NoFileSystem } from './fs/fs.ts';
import { makeFileSystem } from './fs/index.ts';
import { Vm } from './vm/vm.ts';
import type { PageStoreOptions } from './vm/page-store.ts';
import { peerRunning, type Kernel } from './kernel.ts';
import type { ResultSink } from './stats/records.ts';

/**
 * What a kernel is booted with besides its configuration: `pageStore` and
 * `skipIdlePages` for tests only (results never depend on them), `plugins`
 * the writeback policy and I/O scheduler when the configuration names plugin
 * files (loaded by the caller).
 */
export interface BootOptions {
  pageStore?: PageStoreOptions;
  skipIdlePages?: boolean;
  plugins?: SimPlugins;
}

/** A booted kernel, and the host's speed its device times follow. */
export interface BootedKernel {
  kernel: Kernel;
  hostSpeed: HostSpeed;
}

/**
 * Boots the kernel of a run of `config` on `engine`, drawing from `rng`; the
 * pager writes its records to `sink`. Background writeback is armed on the
 * engine when its policy wakes on a timer.
 */
export function bootKernel(config: Config, engine: Engine, rng: RandomStreams, sink: ResultSink, options: BootOptions = {}): BootedKernel {
  const vm = new Vm(engine, config.page_size, options.pageStore);
  const pager = new Pager(config.page_size, sink, sink.transientRecords === true);
  const hostSpeed = makeHostSpeed(config, rng, engine);
  const device = makeDevice(engine, config, rng, pager, options.plugins?.scheduler ?? builtinScheduler(config.device.discipline), hostSpeed);
  pager.device = device;
  // a built-in scheduler keeps no command once started (io-fifo.ts); a plugin may keep what it was given
  pager.reuseIos = options.plugins?.scheduler === undefined;
  const memPages = config.memory.pages;
  const k: Kernel = {
    config, rng,
    engine, vm, pager, device,
    syscallNs: usToNs(config.cpu.syscall_us),
    faultPageNs: usToNs(config.cpu.fault_page_us),
    cleanPageNs: usToNs(config.cpu.clean_page_us),
    cleanPageBusyNs: usToNs(config.cpu.clean_page_busy_us),
    running: 0,
    cleanPmdPageNs: usToNs(config.cpu.clean_pmd_page_us),
    cleanIoNs: usToNs(config.cpu.clean_io_us),
    writebackCallNs: usToNs(config.cpu.writeback_call_us),
    wirePageNs: usToNs(config.cpu.wire_page_us),
    clusterPages: config.pager.cluster_pages,
    // the mach personality's user wire limit: a third of memory by default (freebsd and xnu derive their own)
    maxUserWiredPages: config.memory.max_user_wired_pages || Math.floor(memPages / 3),
    faults: { unmapped_write: 0, unmapped_read: 0 },
    dirtiedBytes: DOUBLE_FIELD,
    pageout: undefined,
    writeback: undefined,
    fs: new NoFileSystem(),
    objectState: new Map(),
    skipIdlePages: options.skipIdlePages ?? true,
  };
  k.dirtiedBytes = 0; // see DOUBLE_FIELD
  // device.busy_latency_us, busy_flush_us: the submitting task runs, and another one beside it
  hostSpeed.peerBusy = () => peerRunning(k);
  k.fs = makeFileSystem(k);
  if (k.fs.kind !== 'none') {
    pager.onDataWrite = (obj, first, count) => k.fs.dataWrite(obj, first, count);
    pager.totals.byCause.journal = 0;
    pager.totals.byCause.metadata = 0;
  }
  if (memPages > 0) k.pageout = new Pageout(k, memPages);
  if (config.pagein) {
    const raPages = config.readahead?.pages ?? defaultReadaheadPages(config.personality);
    k.pagein = new PageIn(k, readPolicy(config.personality, raPages, config.page_size, config.readahead?.max_folio_order));
  }
  const policy = options.plugins?.writeback ?? builtinPolicy(config.writeback.policy);
  const daemon = new BackgroundWriteback(k, policy, memPages);
  if (daemon.active) {
    k.writeback = daemon;
    daemon.arm();
  }
  pager.pageout = k.pageout;
  return { kernel: k, hostSpeed };
}
