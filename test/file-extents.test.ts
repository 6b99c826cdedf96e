/**
 * The calibration's look at how its append file was laid out (filefrag -v,
 * scripts/validate/file-extents.ts) and the journal check's prediction that
 * pools fdatasyncs with and without an extent tree block in the measured shares.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { appendsPastInodeExtents, parseFilefrag } from '../scripts/validate/file-extents.ts';
import { predictAppendSync } from '../scripts/validate/model-check.ts';
import { extentsText } from '../scripts/validate/calibration-text.ts';

/** `filefrag -v` of a 3,000-block append file on ext4 (Linux 6.18, e2fsprogs 1.47.0, 2026-12-06). */
const FOUR_EXTENTS = `Filesystem type is: ef53
File size of c.0 is 12288000 (3000 blocks of 4096 bytes)
 ext:     logical_offset:        physical_offset: length:   expected: flags:
   0:        0..       0:   12357417..  12357417:      1:            
   1:        1..      15:   21363630..  21363644:     15:   12357418:
   2:       16..     511:   15992048..  15992543:    496:   21363645:
   3:      512..    2999:   15996928..  15999415:   2488:   15992544: last,eof
c.0: 4 extents found
`;

describe('filefrag -v', () => {
  it('gives each extent\'s first logical block and length, and the block size', () => {
    expect(parseFilefrag(FOUR_EXTENTS)).toEqual({
      block_bytes: 4096,
      extents: [{ logical: 0, length: 1 }, { logical: 1, length: 15 }, { logical: 16, length: 496 }, { logical: 512, length: 2488 }],
    });
  });

  it('a one-block file (its size line says "1 block") has its one extent; an empty file has none', () => {
    // filefrag 1.47.0 on ext4, Linux 6.18, 2026-12-06: a 1-byte file after sync, and an empty one
    const one = `Filesystem type is: ef53
File size of one is 1 (1 block of 4096 bytes)
 ext:     logical_offset:        physical_offset: length:   expected: flags:
   0:        0..       0:   12563172..  12563172:      1:             last,eof
one: 1 extent found
`;
    const empty = `Filesystem type is: ef53
File size of empty is 0 (0 blocks of 4096 bytes)
empty: 0 extents found
`;
    expect(parseFilefrag(one)).toEqual({ block_bytes: 4096, extents: [{ logical: 0, length: 1 }] });
    expect(parseFilefrag(empty)).toEqual({ block_bytes: 4096, extents: [] });
  });

  it('text without an extent table gives null', () => {
    expect(parseFilefrag('filefrag: Operation not supported\n')).toBeNull();
    expect(parseFilefrag('')).toBeNull();
  });

  it('never throws, whatever the text (fuzz)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => {
      const r = parseFilefrag(`File size of x is 1 (1 blocks of 4096 bytes)\n ext: logical_offset:\n${s}`);
      expect(r === null || Array.isArray(r.extents)).toBe(true);
    }));
  });
});

describe('the appends past the inode\'s four extents', () => {
  it('are those after the one that began the fourth extent: (3000 − 513) / 3000 of the file above', () => {
    const x = parseFilefrag(FOUR_EXTENTS)!;
    expect(appendsPastInodeExtents(x.extents)).toBeCloseTo(2487 / 3000, 12);
  });

  it('are none in a file of three extents or fewer', () => {
    expect(appendsPastInodeExtents([{ logical: 0, length: 16 }, { logical: 16, length: 496 }, { logical: 512, length: 2488 }])).toBe(0);
    expect(appendsPastInodeExtents([])).toBe(0);
  });
});

describe('the journal check pools the two kinds of fdatasync in the measured shares', () => {
  // without a journal: data then inode block, 2 × 100 µs; with the extent block between them, 3 × 100 µs
  const config = { device: { profile: 'queue', service: { dist: 'constant', mean_us: 100 } }, fs: { kind: 'ext4-nojournal' }, cpu: { syscall_us: 0, per_page_us: 0 } };

  it('none past the fourth extent: data and inode block only', () => {
    expect(predictAppendSync(config, 5, 0)).toEqual({ mean_us: 200, p50_us: 200, syncs: 5 });
  });

  it('all past it: one more 100 µs write each', () => {
    expect(predictAppendSync(config, 5, 1)).toEqual({ mean_us: 300, p50_us: 300, syncs: 10 });
  });

  it('a quarter past it: the mean is weighted by the shares, the median is the lower kind\'s', () => {
    expect(predictAppendSync(config, 5, 0.25)).toEqual({ mean_us: 225, p50_us: 200, syncs: 10 });
    expect(predictAppendSync(config, 5, 0.75)).toMatchObject({ mean_us: 275, p50_us: 300 });
  });
});

describe('the calibration table names the file\'s extents in the journal check', () => {
  it('with the share of appends past the fourth extent, or the reason it is unknown', () => {
    expect(extentsText({ extents: 4, blocks: 3000, extent_leaf_share: 0.829 })).toBe('; the file had 4 extents, 82.9 % of its appends past the fourth (an extent tree block written too)');
    expect(extentsText({ extents: 3, blocks: 3000, extent_leaf_share: 0 })).toBe('; the file had 3 extents');
    expect(extentsText({ extents: 1, blocks: 10, extent_leaf_share: 0 })).toBe('; the file had 1 extent');
    expect(extentsText({ reason: 'filefrag did not run (ENOENT; Debian: apt-get install e2fsprogs)' })).toBe("; the file's extents unknown: filefrag did not run (ENOENT; Debian: apt-get install e2fsprogs)");
    expect(extentsText(undefined)).toBe('');
  });
});
