/**
 * An experiment file's misspelt top-level key is named with its line, the keys an experiment
 * has and, when one is close, that one (`seed` for `seeds`), as a misspelt grid key, metric or
 * label is; a key close to none gets the list alone.
 */
import { describe, expect, it } from 'vitest';
import { ExperimentError, parseExperiment } from '../scripts/sweep/experiment.ts';

const parsed = (extra: string): unknown => {
  try {
    return parseExperiment(`name: e\ntrace: { gen: seq-writer, set: { duration_s: 1 } }\ngrid:\n  pager.cluster_pages: [8, 32]\n${extra}`, 'e.yaml');
  } catch (e) {
    if (e instanceof ExperimentError) return e.message;
    throw e;
  }
};

describe('experiment: an unknown top-level key', () => {
  it('ends with the closest key an experiment has', () => {
    // it ended at the list: `unknown key (an experiment has ...) (got 'seed')`
    expect(parsed('seed: 3\n')).toBe("e.yaml:5: unknown key (an experiment has name, description, trace, base, grid, seeds, metrics, labels); did you mean seeds? (got 'seed')");
    expect(parsed('seeds: 2\nmetric: [sync.count]\n')).toMatch(/^e\.yaml:6: unknown key \(.*\); did you mean metrics\? \(got 'metric'\)$/);
    expect(parsed('bsae: { personality: linux }\n')).toMatch(/; did you mean base\? \(got 'bsae'\)$/);
  });

  it('names the keys alone when none is close', () => {
    expect(parsed('personality: linux\n')).toBe("e.yaml:5: unknown key (an experiment has name, description, trace, base, grid, seeds, metrics, labels) (got 'personality')");
  });
});
