/** The fault read policy of each personality (the policies: readahead-<kernel>.ts; their figures: READAHEAD in readahead.ts). */
import type { Personality } from '../config-types.ts';
import { MAX_FOLIO_ORDER } from '../vm/folios.ts';
import type { ReadPolicy } from './readahead.ts';
import { linuxPolicy } from './readahead-linux.ts';
import { freebsdPolicy } from './readahead-freebsd.ts';
import { xnuPolicy } from './readahead-xnu.ts';
import { machPolicy } from './readahead-mach.ts';

/** The fault read policy of personality `p` with `readahead.pages` = `raPages` (Linux: folios up to order `maxFolioOrder`). */
export function readPolicy(p: Personality, raPages: number, pageSize: number, maxFolioOrder: number = MAX_FOLIO_ORDER): ReadPolicy {
  switch (p) {
    case 'linux':
      return linuxPolicy(raPages, maxFolioOrder);
    case 'freebsd':
      return freebsdPolicy(raPages, pageSize);
    case 'xnu':
      return xnuPolicy(raPages, pageSize);
    case 'mach':
      return machPolicy(raPages);
  }
}
