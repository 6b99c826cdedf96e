/**
 * sim/closest-name.ts: the edit distance, and which known names a misspelt one is taken for
 * (the "did you mean" of unknown options and configuration keys).
 */
import { describe, expect, it } from 'vitest';
import { closestNames, commonSubsequence, didYouMean, editDistance } from '../sim/closest-name.ts';

const RUN_OPTIONS = ['config', 'set', 'replay', 'seed', 'out', 'json', 'ci', 'ci-reps', 'cache-dir', 'no-cache', 'help'];

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and swaps of neighbours, one each', () => {
    expect(editDistance('seed', 'seed')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('chanels', 'channels')).toBe(1); // inserted
    expect(editDistance('channelss', 'channels')).toBe(1); // deleted
    expect(editDistance('sed', 'set')).toBe(1); // changed
    expect(editDistance('sede', 'seed')).toBe(1); // swapped
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', 'ca')).toBe(3); // optimal string alignment: no edit of a swapped pair
  });

  it('is symmetric', () => {
    for (const [a, b] of [['polcy', 'policy'], ['cluster_pagez', 'cluster_pages'], ['xyz', 'out']]) expect(editDistance(a!, b!)).toBe(editDistance(b!, a!));
  });
});

describe('commonSubsequence', () => {
  it('counts the characters of one kept in order by the other', () => {
    expect(commonSubsequence('sed', 'seed')).toBe(3);
    expect(commonSubsequence('sed', 'set')).toBe(2);
    expect(commonSubsequence('abc', 'xyz')).toBe(0);
    expect(commonSubsequence('', 'abc')).toBe(0);
  });
});

describe('closestNames', () => {
  it('takes the one name a prefix starts, however far it is', () => {
    expect(closestNames('calib', ['calibration', 'config'])).toEqual(['calibration']);
    expect(closestNames('ci-r', RUN_OPTIONS)).toEqual(['ci-reps']);
  });

  it('else the names at the smallest edit distance, at most 2', () => {
    expect(closestNames('chanels', ['channels', 'write_cache', 'profile'])).toEqual(['channels']);
    expect(closestNames('polcy', ['policy', 'interval_ms', 'params'])).toEqual(['policy']);
    expect(closestNames('cluster_pagez', ['cluster_pages', 'ipc_us'])).toEqual(['cluster_pages']);
    expect(closestNames('chnls', ['channels'])).toEqual([]); // 3 letters away
    expect(closestNames('colour', RUN_OPTIONS)).toEqual([]);
  });

  it('of names as close, the ones that keep most of what was typed; several when still tied', () => {
    expect(closestNames('sed', RUN_OPTIONS)).toEqual(['seed']); // seed adds a letter, set changes one
    expect(closestNames('se', RUN_OPTIONS)).toEqual(['set']); // the start of set and seed: the nearer
    expect(closestNames('bat', ['bag', 'bar'])).toEqual(['bag', 'bar']);
  });

  it('compares without regard to case, never suggests the name itself, and turns no short name into another', () => {
    expect(closestNames('Seed', RUN_OPTIONS)).toEqual(['seed']);
    expect(closestNames('seed', ['seed', 'json'])).toEqual([]);
    expect(closestNames('x', ['o', 'h'])).toEqual([]); // one letter changed is all of it
    expect(closestNames('ab', ['xy', 'out'])).toEqual([]);
    expect(closestNames('', RUN_OPTIONS)).toEqual([]);
    expect(closestNames('seed', [])).toEqual([]);
  });
});

describe('didYouMean', () => {
  it('is the end of a message, each name as shown, or nothing when none is close', () => {
    expect(didYouMean('sed', RUN_OPTIONS, (k) => `--${k}`)).toBe('; did you mean --seed?');
    expect(didYouMean('chanels', ['channels'], (k) => `device.${k}`)).toBe('; did you mean device.channels?');
    expect(didYouMean('bat', ['bag', 'bar'])).toBe('; did you mean bag or bar?');
    expect(didYouMean('colour', RUN_OPTIONS)).toBe('');
  });
});
