/**
 * The filesystem of a run, by `fs.kind`.
 */
import type { Kernel } from '../kernel.ts';
import { FS_DEFAULT_KIND } from '../config-types.ts';
import { NoFileSystem } from './fs.ts';
import type { FileSystem } from './filesystem.ts';
import { Ext4 } from './ext4.ts';
import { Ext4NoJournal } from './ext4-nojournal.ts';
import { Ufs } from './ufs.ts';
import { Apfs } from './apfs.ts';

export type { FileSystem } from './filesystem.ts';

/**
 * Builds the filesystem `k.config.fs.kind` names. Its own blocks live in an
 * object outside the named-object table (no trace file can share its name):
 * `jbd2` (ext4's journal), `ext4-metadata` (its home locations, with or
 * without a journal), `ext4-extents` (extent tree blocks, made at the first
 * one written),
 * `ufs-inodes`, `apfs-meta`.
 */
export function makeFileSystem(k: Kernel): FileSystem {
  // an unresolved configuration (defaultConfig()) has no kind yet: the personality's filesystem
  switch (k.config.fs.kind ?? FS_DEFAULT_KIND[k.config.personality]) {
    case 'ext4-ordered':
      return new Ext4(k, k.vm.anonObject('jbd2'), k.vm.anonObject('ext4-metadata'));
    case 'ext4-nojournal':
      return new Ext4NoJournal(k, k.vm.anonObject('ext4-metadata'));
    case 'ufs':
      return new Ufs(k, k.vm.anonObject('ufs-inodes'));
    case 'apfs':
      return new Apfs(k, k.vm.anonObject('apfs-meta'));
    case 'none':
      return new NoFileSystem();
  }
}
