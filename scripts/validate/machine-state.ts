/**
 * How busy the machine is while `npm run validate` measures it (sampled
 * while syncsim itself waits, so its own fio does not count): other work
 * competes for the CPUs, and other processes' dirty pages join every FLUSH
 * (on a virtual disk over a host page cache the FLUSH destages everything
 * the host holds for the disk), so a busy machine makes the measured syncs
 * slower and noisier than the ones the model is calibrated for.
 */
import { readFileSync } from 'node:fs';

/** What /proc says of the machine: how busy its CPUs were over a short sample, and the writes pending. */
export interface MachineState {
  /** Share of all CPUs' time spent working (not idle, not waiting for I/O) over the sample, 0 .. 1. */
  cpu_busy: number;
  /** 1-minute load average (for the record: tasks waiting for I/O count in it, syncsim's own fio too). */
  load1: number;
  /** Dirty page cache (kB): written, not yet under writeback. */
  dirty_kb: number;
  /** Page cache under writeback (kB). */
  writeback_kb: number;
}

/** Share of the CPUs' time working, sampled while syncsim itself waits, above which the machine counts as busy. */
export const BUSY_CPU = 0.25;
/** Pending writes (dirty + writeback, kB) above which other processes' writes would join the FLUSHes measured. */
export const BUSY_DIRTY_KB = 64 * 1024;

/** Jiffies of the `cpu` line of /proc/stat: [working, all] (idle and iowait are not working). */
export function cpuJiffies(stat: string): [number, number] | null {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (v.length < 8 || !v.every(Number.isFinite)) return null;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = v as [number, number, number, number, number, number, number, number];
  return [user + nice + system + irq + softirq + steal, user + nice + system + idle + iowait + irq + softirq + steal];
}

/** The state from two /proc/stat samples, /proc/loadavg and /proc/meminfo texts (pure); null where one does not parse. */
export function parseMachineState(statBefore: string, statAfter: string, loadavg: string, meminfo: string): MachineState | null {
  const a = cpuJiffies(statBefore), b = cpuJiffies(statAfter);
  const load1 = Number(loadavg.trim().split(/\s+/)[0]);
  const kb = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(meminfo);
    return m ? Number(m[1]) : NaN;
  };
  if (!a || !b) return null;
  const all = b[1] - a[1];
  const s = { cpu_busy: all > 0 ? Math.round(((b[0] - a[0]) / all) * 1000) / 1000 : 0, load1, dirty_kb: kb('Dirty'), writeback_kb: kb('Writeback') };
  return Object.values(s).every(Number.isFinite) ? s : null;
}

/** This machine's state, its CPUs sampled for `sampleMs` while this process sleeps; null where /proc does not tell (not Linux). */
export function machineState(sampleMs = 500): MachineState | null {
  try {
    const before = readFileSync('/proc/stat', 'utf8');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, sampleMs);
    return parseMachineState(before, readFileSync('/proc/stat', 'utf8'), readFileSync('/proc/loadavg', 'utf8'), readFileSync('/proc/meminfo', 'utf8'));
  } catch {
    return null;
  }
}

/** Why measurements taken in state `s` are not those of an idle machine (empty: idle). */
export function busyReasons(s: MachineState | null): string[] {
  if (!s) return [];
  const why: string[] = [];
  if (s.cpu_busy > BUSY_CPU) why.push(`other work kept the CPUs ${(s.cpu_busy * 100).toFixed(0)} % busy (it competes for them and delays every wakeup)`);
  const pending = s.dirty_kb + s.writeback_kb;
  if (pending > BUSY_DIRTY_KB) why.push(`${(pending / 1024).toFixed(0)} MiB of other writes pending (each FLUSH measured also waits for them)`);
  return why;
}

/** The warning to print for state `s`, or null when the machine is idle. */
export function busyWarning(s: MachineState | null): string | null {
  const why = busyReasons(s);
  return why.length ? `validate: warning: this machine is busy: ${why.join('; ')}; the measured syncs will be slower and noisier than on an idle machine` : null;
}

/** Samples this machine and tells `warn` when it is busy (nothing without `warn`). */
export function warnIfBusy(warn?: (line: string) => void): void {
  if (!warn) return;
  const w = busyWarning(machineState());
  if (w) warn(w);
}
