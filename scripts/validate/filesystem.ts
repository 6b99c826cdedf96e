/**
 * The file system a measurement directory is on: its name, and whether data
 * written there ever reaches a device (not on tmpfs or ramfs, where msync
 * and fdatasync return at once and direct I/O fails).
 */
import { existsSync, statfsSync, statSync } from 'node:fs';
import { InputError } from '../errors.ts';

/** statfs f_type magic numbers of common Linux file systems (linux/magic.h). */
const FS_MAGIC: ReadonlyMap<number, string> = new Map([
  [0xef53, 'ext4'], [0x58465342, 'xfs'], [0x9123683e, 'btrfs'], [0xf2f52010, 'f2fs'], [0x2fc12fc1, 'zfs'],
  [0x01021994, 'tmpfs'], [0x858458f6, 'ramfs'], [0x794c7630, 'overlay'], [0x6969, 'nfs'], [0x65735546, 'fuse'],
  [0x4d44, 'vfat'], [0x5346544e, 'ntfs'], [0x3153464a, 'jfs'], [0x52654973, 'reiserfs'], [0xff534d42, 'cifs'],
]);

/** File systems that keep data in memory only. */
const MEMORY_ONLY: ReadonlySet<string> = new Set(['tmpfs', 'ramfs']);

/** The name of the file system holding `dir` (its magic number in hex when unknown). */
export function filesystemName(dir: string): string {
  const t = statfsSync(dir).type;
  return FS_MAGIC.get(t) ?? `0x${t.toString(16)}`;
}

/**
 * Checks that `dir` (given as option `flag`) is an existing directory on a
 * file system backed by a device; returns the file system's name.
 */
export function checkMeasurementDir(dir: string, flag: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`${flag}: not a directory: ${dir}`);
  const fs = filesystemName(dir);
  if (MEMORY_ONLY.has(fs)) {
    throw new InputError(`${flag} ${dir} is on ${fs}: its data never reaches a device, so nothing would be measured; give a directory on a disk`);
  }
  return fs;
}
