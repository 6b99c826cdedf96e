/**
 * POLICY_KEYS (the `writeback.*` keys each built-in policy reads, which the
 * no-effect warnings rest on) against the policies themselves: each policy is
 * made with keys that record what it reads.
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_POLICIES, POLICY_KEYS, WRITEBACK_TIMING_KEYS } from '../sim/pager/writeback-policies.ts';

/** The `writeback.*` keys policy `name` reads when made with a finite memory, and `interval_ms` when it has a timer (the pager's period). */
function keysRead(name: string): string[] {
  const read = new Set<string>();
  const values: Record<string, number> = { interval_ms: 1000, delay_ms: 30000, expire_ms: 30000, background_ratio: 10, dirty_ratio: 20, max_pause_ms: 200 };
  const keys = new Proxy(values, {
    get(t, k) {
      if (typeof k === 'string') read.add(k);
      return t[k as string];
    },
  });
  const policy = BUILTIN_POLICIES[name]!.create({}, { memoryPages: 100_000, intervalNs: 1e9, clusterPages: 32, keys });
  if (policy.wake) read.add('interval_ms');
  return [...read].sort();
}

describe('POLICY_KEYS', () => {
  it('lists, for each built-in policy, exactly the writeback keys it reads', () => {
    expect(Object.keys(POLICY_KEYS).sort()).toEqual(Object.keys(BUILTIN_POLICIES).sort());
    for (const name of Object.keys(BUILTIN_POLICIES)) expect(keysRead(name), name).toEqual([...POLICY_KEYS[name]!].sort());
    // and every key any of them reads is a timing key the warnings know
    const all = new Set(Object.values(POLICY_KEYS).flat());
    expect([...all].filter((k) => !WRITEBACK_TIMING_KEYS.includes(k))).toEqual([]);
    expect(WRITEBACK_TIMING_KEYS.filter((k) => !all.has(k))).toEqual([]);
  });
});
