/**
 * A count and what it counts, in the number it takes (traces/plural.ts, where the trace layer's
 * tables take it too): re-exported for the commands.
 */
export { plural } from '../traces/plural.ts';
