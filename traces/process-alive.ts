/**
 * Whether a process of this host still runs: what tells a leftover of a
 * killed syncsim (a lock file, a staging directory, a temporary file named
 * by its pid) from the work of one that is running. A module of its own, so
 * that traces/out-dir.ts may use it without importing traces/files.ts.
 */
import { readFileSync } from 'node:fs';

/** Whether process `pid` of this host still runs (a zombie, killed but not yet reaped, does not). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/PID/stat: "PID (COMM) STATE ..."; COMM may hold spaces and parentheses
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
