/**
 * Configuration keys whose 0 is no quantity but the absence of a limit
 * (docs/configuration.md, "Configuration keys": `memory.pages` 0 = unlimited, `device.max_segments` 0
 * = no limit, ...). A figure never draws such a 0 as a number: not at 0 on a
 * numeric axis, joined by a line to the limits beside it (a sweep's unlimited
 * memory read as "0 pages"), nor as `0` in a legend or a label; it writes the
 * word here instead, and a sweep line draws it apart (`sweep-x.ts`).
 */

/** Each key whose 0 means no limit, with the word a figure writes for that 0. */
export const NO_LIMIT_KEYS: Readonly<Record<string, string>> = {
  'memory.pages': 'unlimited',
  // 0: the kernel's default derived from memory.pages (FreeBSD 4/5, XNU its table, Mach a third), no limit without one
  'memory.max_user_wired_pages': 'kernel default',
  'device.bandwidth_mbps': 'unlimited',
  'device.read_bandwidth_mbps': 'unlimited',
  'device.media_mbps': 'unlimited',
  'device.read_request_mbps': 'unlimited',
  'device.max_segments': 'unlimited',
  'device.ring_descriptors': 'no ring',
  // 0: a read-ahead window goes to the device in one request, however large
  'readahead.request_pages': 'unlimited',
};

/**
 * The word for value `value` of configuration key `key` when it is the 0 that means no limit
 * (`unlimited`, `kernel default`, `no ring`), else undefined: a value that is not 0, a key
 * whose 0 is a quantity, a value that is no number.
 */
export function noLimitWord(key: string, value: string | number): string | undefined {
  if (!Object.hasOwn(NO_LIMIT_KEYS, key)) return undefined;
  if (typeof value === 'string' && value.trim() === '') return undefined;
  return Number(value) === 0 ? NO_LIMIT_KEYS[key] : undefined;
}
