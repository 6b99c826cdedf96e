/**
 * Synthesised stores (`--assume-dirty`): strace cannot see stores to mapped
 * memory, so the importer writes only what the chosen mode assumes.
 */
import { PROT_WRITE } from './linux.ts';
import type { AddressSpace, Range } from './address-space.ts';

/** One way of guessing the stores before an msync. */
export interface AssumeDirtyMode {
  /** What the mode assumes, for `--help`. */
  description: string;
  /** The stores to synthesise just before an msync of [addr, addr+len) in `space`. */
  stores(space: AddressSpace, addr: number, len: number): Range[];
}

/** The modes by `--assume-dirty` name. */
export const ASSUME_DIRTY: Readonly<Record<string, AssumeDirtyMode>> = {
  none: {
    description: 'no stores: only maps, syncs and wiring (the default)',
    stores: () => [],
  },
  'whole-range-before-msync': {
    description: 'one write of the whole msync range just before each msync (holes included)',
    stores: (_s, addr, len) => (len > 0 ? [[addr, len]] : []),
  },
  'mapped-before-msync': {
    description: 'one write of each writable (PROT_WRITE) mapping\'s part of the msync range just before each msync',
    stores: (s, addr, len) => s.maps.pieces(addr, addr + len).filter((p) => p.m.prot & PROT_WRITE).map((p) => [p.start, p.end - p.start] as const),
  },
};

/** The `--assume-dirty` modes the strace importer offers, with what each assumes. */
export const ASSUME_DIRTY_MODES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ASSUME_DIRTY).map(([k, v]) => [k, v.description]),
);
