/**
 * The extents of a file on disk, as `filefrag -v` (e2fsprogs, the FIEMAP
 * ioctl) lists them: how the calibration's append file was laid out, which
 * decides whether its fdatasyncs wrote an extent tree block besides the
 * inode (sim/fs/fs.ts dirtiesExtentLeaf).
 */
import { spawnSync } from 'node:child_process';
import { INODE_EXTENTS } from '../../sim/fs/fs.ts';

/** One extent: `length` blocks from logical block `logical` of the file. */
export interface Extent {
  logical: number;
  length: number;
}

/** A file's extents, or why they are not known. */
export type FileExtents = { extents: Extent[]; block_bytes: number } | { reason: string };

/**
 * The extents in the text of `filefrag -v` (rows such as
 * `   3:      512..    2999:   15996928..  15999415:   2488:   15992544: last,eof`),
 * in file order; none for a file it finds none in (an empty file: no table, `0 extents
 * found`); null when the text has no extent table otherwise.
 */
export function parseFilefrag(text: string): { extents: Extent[]; block_bytes: number } | null {
  // 'File size of F is 1 (1 block of 4096 bytes)': the singular for one block
  const size = /\d+ blocks? of (\d+) bytes\)/.exec(text);
  if (!size) return null;
  if (!/logical_offset/.test(text)) return /: 0 extents found\s*$/.test(text) ? { extents: [], block_bytes: Number(size[1]) } : null;
  const extents: Extent[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*\d+:\s*(\d+)\.\.\s*(\d+):\s*\d+\.\.\s*\d+:\s*(\d+):/.exec(line);
    if (m) extents.push({ logical: Number(m[1]), length: Number(m[3]) });
  }
  return { extents, block_bytes: Number(size[1]) };
}

/** The extents of `path` (filefrag -v); the reason when filefrag is missing or fails. */
export function fileExtents(path: string): FileExtents {
  const r = spawnSync('filefrag', ['-v', path], { encoding: 'utf8' });
  if (r.error) return { reason: `filefrag did not run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}; Debian: apt-get install e2fsprogs)` };
  if (r.status !== 0) return { reason: `filefrag failed: ${(r.stderr || r.stdout).trim().split('\n')[0]}` };
  return parseFilefrag(r.stdout) ?? { reason: 'filefrag printed no extent table' };
}

/** How many blocks `extents` hold. */
export function extentBlocks(extents: readonly Extent[]): number {
  return extents.reduce((n, e) => n + e.length, 0);
}

/**
 * The share of a file's appends, made one block at a time in file order, that
 * came after its {@link INODE_EXTENTS}th extent began: those whose fdatasync
 * wrote the extent tree block too. 0 for a file of fewer extents.
 */
export function appendsPastInodeExtents(extents: readonly Extent[]): number {
  const blocks = extentBlocks(extents);
  if (extents.length < INODE_EXTENTS || blocks === 0) return 0;
  // the first append after the one that began that extent
  const from = extents[INODE_EXTENTS - 1].logical + 1;
  return Math.max(0, blocks - from) / blocks;
}
