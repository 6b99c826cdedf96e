/**
 * Global fast-check settings for every property test of the suite:
 * - an arbitrary given an upper bound (`maxLength`, `maxKeys`, depth) uses the
 *   whole range instead of fast-check's small default size (about 10 items), so
 *   `fc.array(x, { maxLength: 60 })` really produces arrays of up to 60 items;
 * - a fixed seed, so the suite is deterministic: every `fc.assert` starts from
 *   `FC_SEED` (an integer; default {@link DEFAULT_SEED}). A failure report names
 *   the seed and path to replay (fast-check prints them); run again with another
 *   `FC_SEED` to explore other cases, e.g. `FC_SEED=7 npx vitest run test/properties.test.ts`.
 */
import fc from 'fast-check';

/** The seed of every property test when FC_SEED is not set. */
export const DEFAULT_SEED = 20261202;

/** FC_SEED as an integer, or the default; anything else is refused with a one-line message. */
function seedFromEnv(v: string | undefined): number {
  if (v === undefined || v === '') return DEFAULT_SEED;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new Error(`FC_SEED must be an integer (got '${v}')`);
  return Number(v) | 0; // fast-check seeds are 32-bit
}

fc.configureGlobal({ ...fc.readConfigureGlobal(), defaultSizeToMaxWhenMaxSpecified: true, seed: seedFromEnv(process.env.FC_SEED) });
