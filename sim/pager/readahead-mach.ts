/** Mach's fault read policy: the faulting page, or an aligned object cluster. */
import { faultPageOnly, type ReadPolicy } from './readahead.ts';

/**
 * Mach: the faulting page, or with `readahead.pages` > 1 the cluster of that
 * many pages aligned in the object (the OSF/1 object cluster size); no
 * sequential detection; classic Mach has no access advice, so RANDOM and
 * SEQUENTIAL change nothing.
 */
export function machPolicy(raPages: number): ReadPolicy {
  return {
    major(site) {
      if (raPages <= 1) return faultPageOnly(site.idx);
      const off = site.idx % raPages;
      const start = Math.max(site.lo, site.idx - off);
      const end = Math.min(site.hi, site.idx - off + raPages);
      return { start, size: Math.max(1, end - start), bridge: false, mark: -1 };
    },
    hit() {
      return undefined;
    },
    issued() {},
  };
}
