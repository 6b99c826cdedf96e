/**
 * The linux personality (semantics.md). Not implemented yet: null until it is.
 */
import type { Personality } from '../kernel.ts';

/** linux, or null while not implemented. */
export const linux: Personality | null = null;
