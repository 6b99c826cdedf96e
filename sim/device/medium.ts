/**
 * The recording medium behind the device's write cache (flash, or a disk's
 * platters): how long it takes to serve one job, at `media_mbps` plus
 * `media_write_us` per write, after a seek and a rotation on a disk
 * (hdd.ts), every time scaled by the host's speed. The write cache
 * (write-cache.ts) serves its jobs in arrival order.
 */
import { usToNs } from '../engine/queue.ts';
import type { RandomStream } from '../engine/random.ts';
import type { HostSpeed } from './host-speed.ts';
import type { MediaKeys } from './profiles.ts';
import { revolutionMs, seekMs } from './hdd.ts';

/** ns to move `bytes` at `mbps` MB/s (10^6 bytes/s); 0 when the rate is unlimited. */
export const transferNs = (bytes: number, mbps: number): number => (mbps > 0 ? Math.round((bytes * 1000) / mbps) : 0);

/** The medium of one device, with its disk head's position. */
export class Medium {
  /** Disk head position (byte address) after the last media job queued. */
  private head = 0;
  /** Per-command media time of a write (`media_write_us`, ns). */
  private readonly mediaWriteNs: number;

  constructor(
    private readonly params: MediaKeys,
    /** Rotational position on arrival (hdd). */
    private readonly rotation: RandomStream,
    /** The host's speed factor, which multiplies every device time that starts. */
    private readonly host: HostSpeed,
  ) {
    this.mediaWriteNs = usToNs(params.media_write_us);
  }

  /** Media time (ns) of `bytes` at byte address `addr` (a write: plus its per-command cost), moving the head there (seek + rotation on a disk). */
  jobNs(addr: number, bytes: number, write: boolean): number {
    const p = this.params;
    let ns = transferNs(bytes, p.media_mbps) + (write ? this.mediaWriteNs : 0);
    if (p.rpm > 0) {
      const stroke = p.capacity_gb * 1e9;
      const x = Math.abs(addr - this.head) / stroke;
      if (x > 0) {
        const rotationMs = this.rotation.uniform() * revolutionMs(p.rpm);
        ns += Math.round((seekMs(p, x) + rotationMs) * 1e6);
      }
      this.head = addr + bytes;
    }
    return this.host.scale(ns);
  }
}
