/**
 * APFS (macOS). Its sources are not public; Apple documents that fsync(2)
 * moves the data to the drive but does not ask the drive to flush its cache
 * — only fcntl(F_FULLFSYNC) does. The model: a synchronous msync of a file
 * whose data was written since its last metadata update writes one metadata
 * block (APFS is copy-on-write, so new data blocks need a new block map) and
 * waits for it; no FLUSH is ever issued.
 */
import type { Kernel } from '../kernel.ts';
import type { VmObject } from '../vm/object.ts';
import type { KernelPath } from '../vm/process.ts';
import { waitIo } from './fs.ts';
import type { FileSystem, FsTotals } from './filesystem.ts';

/** APFS without F_FULLFSYNC. */
export class Apfs implements FileSystem {
  readonly kind = 'apfs' as const;
  readonly totals: FsTotals = { commits: 0, flushes: 0 };
  /** Files whose data was written since their metadata was. */
  private readonly pending = new Set<VmObject>();
  private head = 0;

  constructor(
    private readonly k: Kernel,
    /** The metadata blocks (written in sequence, as a copy-on-write filesystem places new nodes). */
    readonly meta: VmObject,
  ) {}

  pageDirtied(): void {}

  dataWrite(obj: VmObject): void {
    if (obj.kind === 'vnode') this.pending.add(obj);
  }

  *fsync(obj: VmObject): KernelPath<boolean> {
    if (!this.pending.delete(obj)) return true;
    return yield* waitIo(this.k.pager.writeFs(this.meta, this.head++, 1, 'metadata', { urgent: true }));
  }

  *syncWriteDone(): KernelPath<boolean> {
    return true;
  }
}
