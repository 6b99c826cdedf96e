/**
 * The mach personality (semantics.md). Not implemented yet: null until it is.
 */
import type { Personality } from '../kernel.ts';

/** mach, or null while not implemented. */
export const mach: Personality | null = null;
