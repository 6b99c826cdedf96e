/**
 * What `syncsim run` says when the default `writeback.policy: none` shaped a
 * run's results: with no background writeback, a page stored and synced long
 * after stays dirty until its msync, where a kernel's own daemon (FreeBSD's
 * syncer, Linux's flusher threads) would have written it once it had been
 * dirty for 30 s, and the msync would have found less to write. The note
 * comes only when a page version of the run waited longer than that age for
 * its write (summary.json `durability.lag_us.max`) and the user did not choose
 * the policy; README "Background writeback and memory pressure".
 */
import type { Summary } from '../sim/stats/summary.ts';

/** A kernel's background writeback daemon as the notes name it, and the built-in policy that models it. */
export interface KernelDaemon {
  policy: 'syncer' | 'flusher';
  /** Its name, and the verb that goes with it (`writes`, `write`). */
  daemon: string;
  verb: string;
  /** The key of the age at which it writes a dirty page. */
  ageKey: 'delay_ms' | 'expire_ms';
}

/** The daemon of each personality whose kernel a built-in policy models (xnu and mach have none here). */
export const KERNEL_DAEMON: Readonly<Record<string, KernelDaemon>> = {
  freebsd: { policy: 'syncer', daemon: 'syncer', verb: 'writes', ageKey: 'delay_ms' },
  linux: { policy: 'flusher', daemon: 'flusher threads', verb: 'write', ageKey: 'expire_ms' },
};

/** Whether the configuration keys given (idle-keys.ts `givenKeys`, leaf keys) choose the writeback policy. */
export function policyGiven(given: ReadonlySet<string>): boolean {
  return given.has('writeback.policy');
}

/**
 * The note for a run under the default `writeback.policy: none` in which some page version waited
 * longer than the age at which its kernel's background writeback would have written it, else
 * undefined (a policy given by the user, another policy, or no such wait).
 */
export function backgroundWritebackNote(s: Summary, policyChosen: boolean): string | undefined {
  const wb = s.config.writeback;
  if (policyChosen || wb.policy !== 'none') return undefined;
  const kernel = KERNEL_DAEMON[s.config.personality];
  const ageMs = kernel ? wb[kernel.ageKey] : Math.min(wb.delay_ms, wb.expire_ms);
  const maxLagUs = s.durability.lag_us.max;
  if (maxLagUs === null || !(maxLagUs > ageMs * 1000)) return undefined;
  const what = `writeback.policy is none (the default): only msyncs${s.writeback.by_cause.pageout > 0 ? ' and pageout' : ''} wrote the stored pages, and a page waited up to ${(maxLagUs / 1e6).toFixed(1)} s for its write (summary.json durability.lag_us.max)`;
  const how = kernel
    ? `the ${s.config.personality} kernel's ${kernel.daemon} ${kernel.verb} pages once they have been dirty for ${ageMs / 1000} s, which leaves later msyncs less to write: --set writeback.policy=${kernel.policy} models it`
    : `a kernel's background writeback writes pages once they have been dirty for about 30 s, which leaves later msyncs less to write: --set writeback.policy=syncer (FreeBSD's) or flusher (Linux's) models one`;
  return `${what}; ${how}`;
}
