/**
 * The block device under a directory and the queue settings Linux exposes
 * for it in sysfs: whether it has a volatile write cache
 * (`queue/write_cache`: "write back" or "write through",
 * Documentation/ABI/stable/sysfs-block), its read-ahead window
 * (`queue/read_ahead_kb`), whether it rotates (`queue/rotational`) and, on
 * a virtio disk, the descriptor ring its requests share.
 *
 * The directory's st_dev names the device (MAJOR:MINOR);
 * `/sys/dev/block/MAJ:MIN` links to its sysfs directory. A partition's
 * directory holds a `partition` file and sits inside its disk's directory,
 * which holds `queue/`. A directory on a file system with no block device
 * (overlay, NFS, tmpfs: an anonymous major 0) has no entry: the lookup gives null.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** What sysfs says about the device under a directory. */
export interface BlockDevice {
  /** MAJOR:MINOR of st_dev (the partition's, when on a partition). */
  dev: string;
  /** Kernel name of the whole disk (e.g. `vda`, `nvme0n1`, `sda`). */
  disk: string;
  /** Kernel name of the device itself (the partition's, e.g. `sda1`, or the disk's). */
  name: string;
  /** Its sysfs directory. */
  sysfs: string;
  /** `queue/write_cache`: true for "write back", false for "write through", null when unreadable. */
  write_cache: boolean | null;
  /** `queue/read_ahead_kb`, null when unreadable. */
  read_ahead_kb: number | null;
  /** `queue/rotational`, null when unreadable. */
  rotational: boolean | null;
  /**
   * The descriptors of the request ring a request's segments take
   * ({@link virtioRing}): a virtio-blk disk without indirect descriptors;
   * 0 for any other disk (no such limit); null when sysfs does not say.
   */
  ring_descriptors: number | null;
}

/** Bit of VIRTIO_RING_F_INDIRECT_DESC in a virtio device's `features` (include/uapi/linux/virtio_ring.h). */
const VIRTIO_RING_F_INDIRECT_DESC = 28;

/**
 * The descriptor ring of a virtio-blk disk whose sysfs directory is `dir`.
 * Without indirect descriptors (the `features` string of `device/`, one
 * character a feature bit, has a 0 at bit 28) each request takes its
 * segments plus two of the ring's descriptors, and the driver sizes its
 * queue to the ring over two (virtio_blk.c virtblk_probe: queue_depth =
 * vq->num_free / 2), so the ring is twice `mq/0/nr_tags`. With indirect
 * descriptors, or on a disk of another driver, 0 (no limit); null when
 * sysfs does not say.
 */
export function virtioRing(dir: string): number | null {
  let driver: string;
  try {
    driver = basename(realpathSync(join(dir, 'device', 'driver')));
  } catch {
    return null;
  }
  if (driver !== 'virtio_blk') return 0;
  const features = readText(join(dir, 'device', 'features'));
  if (features === null || !/^[01]+$/.test(features) || features.length <= VIRTIO_RING_F_INDIRECT_DESC) return null;
  if (features[VIRTIO_RING_F_INDIRECT_DESC] === '1') return 0;
  const tags = readText(join(dir, 'mq', '0', 'nr_tags'));
  return tags !== null && /^\d+$/.test(tags) && Number(tags) > 0 ? 2 * Number(tags) : null;
}

/**
 * Splits a Linux dev_t into major and minor (glibc's gnu_dev_major/minor:
 * major = bits 8–19 and 44–63, minor = bits 0–7 and 20–43).
 */
export function devMajorMinor(dev: bigint): [number, number] {
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & 0xfffff000n));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & 0xffffff00n));
  return [major, minor];
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** `queue/NAME` of the block device whose sysfs directory is `dir`, as a whole number; null when unreadable or not one. */
export function queueNumber(dir: string, name: string): number | null {
  const t = readText(join(dir, 'queue', name));
  return t !== null && /^\d+$/.test(t) ? Number(t) : null;
}

/** The device with number `major:minor` in the sysfs tree at `sysfsRoot`, or null when sysfs has none. */
export function blockDeviceOf(major: number, minor: number, sysfsRoot = '/sys'): BlockDevice | null {
  const dev = `${major}:${minor}`;
  const link = join(sysfsRoot, 'dev', 'block', dev);
  if (!existsSync(link)) return null;
  let dir = realpathSync(link);
  const name = basename(dir);
  // a partition: its disk is the parent directory
  if (existsSync(join(dir, 'partition'))) dir = dirname(dir);
  const wc = readText(join(dir, 'queue', 'write_cache'));
  const rot = readText(join(dir, 'queue', 'rotational'));
  return {
    dev,
    disk: basename(dir),
    name,
    sysfs: dir,
    write_cache: wc === 'write back' ? true : wc === 'write through' ? false : null,
    read_ahead_kb: queueNumber(dir, 'read_ahead_kb'),
    rotational: rot === '1' ? true : rot === '0' ? false : null,
    ring_descriptors: virtioRing(dir),
  };
}

/** The block device holding directory `dir` (stat st_dev → sysfs), or null. */
export function blockDeviceOfDir(dir: string, sysfsRoot = '/sys'): BlockDevice | null {
  const [major, minor] = devMajorMinor(statSync(dir, { bigint: true }).dev);
  return blockDeviceOf(major, minor, sysfsRoot);
}

/**
 * Whether the file system on device `name` runs a jbd2 journal: jbd2 lists
 * each journal it runs as /proc/fs/jbd2/NAME-INO (fs/jbd2/journal.c,
 * jbd2_stats_proc_init; e.g. `sda1-8`, 8 being ext4's journal inode).
 * Null when /proc/fs/jbd2 is absent (no jbd2 loaded, or no procfs).
 */
export function hasJbd2Journal(name: string, procRoot = '/proc'): boolean | null {
  let entries: string[];
  try {
    entries = readdirSync(join(procRoot, 'fs', 'jbd2'));
  } catch {
    return null;
  }
  return entries.some((e) => e.startsWith(`${name}-`));
}
