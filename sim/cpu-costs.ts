/**
 * Default CPU costs of the kernel paths (the `cpu.*` keys): figures measured
 * on a real Linux with `npm run measure:cpu` (scripts/measure/cpu-costs.c),
 * and how each is applied to a configuration.
 */
import type { Config } from './config-types.ts';

/** The per-page CPU-cost keys that `cpu.per_page_us` sets at once. */
export const PER_PAGE_KEYS = ['fault_page_us', 'clean_page_us', 'clean_page_busy_us', 'clean_pmd_page_us', 'wire_page_us'] as const;
/** Every CPU-cost key with a measured default. */
export const CPU_KEYS = ['syscall_us', ...PER_PAGE_KEYS] as const;
/** One of {@link CPU_KEYS}. */
export type CpuKey = (typeof CPU_KEYS)[number];

/** A measured figure: its median and interquartile range (µs), and what was timed. */
export interface CpuFigure {
  us: number;
  q1_us: number;
  q3_us: number;
  how: string;
}

/**
 * Where the figures were measured. The machine is a Firecracker guest under
 * PVM (dmesg: "Hypervisor detected: PVM"; kernel command line pti=on), a
 * virtualization with shadow page tables: a page fault taken by the hardware
 * costs ~13 µs there and every PTE change (write-protecting a page being
 * cleaned) traps to the hypervisor, while faulting pages in from inside a
 * system call (mlock's populate) costs ~0.2 µs per page. Bare metal and
 * hardware-assisted VMs differ: re-measure there (docs/configuration.md, "CPU costs").
 */
export const CPU_COSTS_MEASURED_ON = {
  machine: 'x86_64 Firecracker VM under PVM, 2 vCPUs (AMD EPYC), Debian 12, root on ext4 (virtio)',
  kernel: '6.18.44-fc-v1045',
  date: '2026-12-02',
  where: 'a fresh ext4 on a loop device over /dev/shm (RAM), 4 KiB pages',
  method: 'median and IQR of 40 repetitions of CLOCK_THREAD_CPUTIME_ID of the calling thread (npm run measure:cpu); of two runs, the one whose wall-clock slopes agree with the CPU ones (an idle machine: fault 13.13 wall against 13.16 CPU); the other, under load, gave fault 17.13, clean 5.50, wire 0.37, syscall 1.24',
} as const;

/** The measured default of each key (CPU time of the calling thread; device time excluded). */
export const MEASURED_CPU_COSTS: Readonly<Record<CpuKey, CpuFigure>> = {
  syscall_us: {
    us: 1.44, q1_us: 1.30, q3_us: 1.60,
    how: 'msync(1 page, MS_ASYNC) of a clean mapped page, per call (returns without I/O); mlock + munlock of 1 resident page: 2.64 µs per call, IQR 2.47 .. 2.84',
  },
  fault_page_us: {
    us: 13.16, q1_us: 12.85, q3_us: 13.62,
    how: 'first store to each page of a new MAP_SHARED mapping whose file pages are cached and clean (one minor write fault per page, no fault-around): slope over 256 .. 4096 pages',
  },
  clean_page_us: {
    us: 9.28, q1_us: 8.48, q3_us: 10.32,
    how: 'msync(MS_SYNC) CPU time per dirty page written (write-protect, writeback tagging, bio building), excluding sleep on I/O: slope over 64 .. 4096 dirty pages',
  },
  clean_page_busy_us: {
    us: 23.09, q1_us: 22.82, q3_us: 23.47,
    how: 'the clean probe at 16, 64 and 256 dirty pages while the other vCPU runs a busy loop (a child process; slope over the pages), measured 2026-12-03 on the same machine and file system (clean_page_us was 7.35 in that run, so 3.1× it; that probe took the busy samples after all the others, it now interleaves them with each repetition; later runs the same hour, with the host busier, gave 25.29 and 31.05 against clean_page_us 11.42 and 12.9). Under PVM every PTE write-protected is flushed from the vCPUs running guest code, and an idle vCPU costs nothing; faults, which add PTEs, did not change (fault_page_us 10.87 beside the loop against 10.70 alone)',
  },
  clean_pmd_page_us: {
    us: 0.31, q1_us: 0.25, q3_us: 0.34,
    how: 'block trace (tracefs: trace marker to the first block_rq_issue write) of a microbenchmark, not a validation job: sequential one-byte stores through a shared mapping of a cold 64 MiB ext4 file, msync(MS_SYNC) every 512 pages; the 12 msyncs of pages read ahead at order 9 (PMD-sized folios, from the fifth asynchronous window on) spent 68 .. 217 µs before their first write, median 158 (0.31 µs a page, IQR 0.25 .. 0.34), the 20 of lower orders 1822 .. 3632 µs (about 5.6 µs a page); npm run measure:cpu does not measure it (its pages are order-0 folios)',
  },
  wire_page_us: {
    us: 0.21, q1_us: 0.20, q3_us: 0.25,
    how: 'mlock of cached pages not yet mapped (populate with fault-around, then lock): slope over 256 .. 4096 pages',
  },
};

/**
 * Where a run's CPU costs come from, in a few words: `no CPU costs`, `defaults measured on a
 * Linux VM (msync cleans a page in 9.28 µs of CPU)`, or `as configured (...)`; `more` goes inside
 * the parentheses after the clean cost (the run table's pointer to the README).
 */
export function cpuCostsText(cpu: Readonly<Record<CpuKey, number>>, more = ''): string {
  const measured = measuredCpuDefaults();
  const clean = `msync cleans a page in ${cpu.clean_page_us.toFixed(2)} µs of CPU`;
  if (CPU_KEYS.every((k) => cpu[k] === 0)) return 'no CPU costs';
  return CPU_KEYS.every((k) => cpu[k] === measured[k]) ? `defaults measured on a Linux VM (${clean}${more})` : `as configured (${clean})`;
}

/** The measured defaults as `cpu.*` values (µs). */
export function measuredCpuDefaults(): Record<CpuKey, number> {
  return Object.fromEntries(CPU_KEYS.map((k) => [k, MEASURED_CPU_COSTS[k].us])) as Record<CpuKey, number>;
}

/**
 * Resolves the CPU costs of `c` against the user's keys: under `queue` (the
 * abstract device profile) every cost the user did not give is 0; a
 * `cpu.per_page_us` the user gave sets all the per-page costs (it wins
 * over them: configurations written before they existed keep their meaning);
 * a `cpu.clean_page_us` the user gave without `cpu.clean_page_busy_us` sets
 * both (no busy-peer term unless measured: profiles calibrated before it
 * existed keep their meaning).
 */
export function applyCpuDefaults(c: Config, user: Record<string, unknown>, queue: boolean): void {
  const u = typeof user.cpu === 'object' && user.cpu !== null ? (user.cpu as Record<string, unknown>) : {};
  if (queue) for (const k of CPU_KEYS) if (u[k] === undefined) c.cpu[k] = 0;
  const all = c.cpu.per_page_us;
  if (u.per_page_us !== undefined && all !== undefined) for (const k of PER_PAGE_KEYS) c.cpu[k] = all;
  else if (u.clean_page_us !== undefined && u.clean_page_busy_us === undefined) c.cpu.clean_page_busy_us = c.cpu.clean_page_us;
}
