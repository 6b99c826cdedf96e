/**
 * How busy the machine is while `npm run validate` measures it: other work
 * competes for the CPUs, and other processes' dirty pages join every FLUSH
 * (on a virtual disk over a host page cache the FLUSH destages everything
 * the host holds for the disk), so a busy machine makes the measured syncs
 * slower and noisier than the ones the model is calibrated for.
 */
import { readFileSync } from 'node:fs';

/** A snapshot of /proc/loadavg and /proc/meminfo. */
export interface MachineState {
  /** 1-minute load average. */
  load1: number;
  /** Dirty page cache (kB): written, not yet under writeback. */
  dirty_kb: number;
  /** Page cache under writeback (kB). */
  writeback_kb: number;
}

/** Load average above which the machine counts as busy (runnable tasks, 1-minute average). */
export const BUSY_LOAD = 1.0;
/** Pending writes (dirty + writeback, kB) above which other processes' writes would join the FLUSHes measured. */
export const BUSY_DIRTY_KB = 64 * 1024;

/** Parses /proc/loadavg and /proc/meminfo texts (pure). */
export function parseMachineState(loadavg: string, meminfo: string): MachineState | null {
  const load1 = Number(loadavg.trim().split(/\s+/)[0]);
  const kb = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(meminfo);
    return m ? Number(m[1]) : NaN;
  };
  const s = { load1, dirty_kb: kb('Dirty'), writeback_kb: kb('Writeback') };
  return Object.values(s).every(Number.isFinite) ? s : null;
}

/** This machine's state now; null where /proc does not tell (not Linux). */
export function machineState(): MachineState | null {
  try {
    return parseMachineState(readFileSync('/proc/loadavg', 'utf8'), readFileSync('/proc/meminfo', 'utf8'));
  } catch {
    return null;
  }
}

/** Why measurements taken in state `s` are not those of an idle machine (empty: idle). */
export function busyReasons(s: MachineState | null): string[] {
  if (!s) return [];
  const why: string[] = [];
  if (s.load1 > BUSY_LOAD) why.push(`load average ${s.load1.toFixed(2)} (other work competes for the CPUs and delays every wakeup)`);
  const pending = s.dirty_kb + s.writeback_kb;
  if (pending > BUSY_DIRTY_KB) why.push(`${(pending / 1024).toFixed(0)} MiB of other writes pending (each FLUSH measured also waits for them)`);
  return why;
}
