/**
 * The xnu personality (semantics.md). Not implemented yet: null until it is.
 */
import type { Personality } from '../kernel.ts';

/** xnu, or null while not implemented. */
export const xnu: Personality | null = null;
