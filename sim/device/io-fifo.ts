/**
 * A FIFO of device commands with O(1) push and shift that skips commands already started (tStart >= 0),
 * and entries whose command has since been reused for another I/O (its id changed: sim/pager/pager.ts
 * reuses completed commands), such as the old place of a command `sync_first` expedited.
 * A ring of slots that doubles when full: queueing allocates nothing once it has grown.
 */
export class IoFifo<T extends { readonly tStart: number; readonly id: number }> {
  private items: (T | undefined)[] = new Array<T | undefined>(16).fill(undefined);
  /** The id each entry had when it was pushed. */
  private ids: number[] = new Array<number>(16).fill(0);
  /** Slot of the first entry. */
  private head = 0;
  /** Entries held. */
  private n = 0;

  push(io: T): void {
    if (this.n === this.items.length) this.grow();
    const i = (this.head + this.n) & (this.items.length - 1);
    this.items[i] = io;
    this.ids[i] = io.id;
    this.n++;
  }

  /** Next I/O not yet started, or undefined. */
  shift(): T | undefined {
    while (this.n > 0) {
      const h = this.head;
      const io = this.items[h] as T, id = this.ids[h];
      this.items[h] = undefined;
      this.head = (h + 1) & (this.items.length - 1);
      this.n--;
      if (io.tStart < 0 && io.id === id) return io;
    }
    return undefined;
  }

  /** Twice the slots, the entries in order from slot 0. */
  private grow(): void {
    const size = this.items.length, items = new Array<T | undefined>(2 * size).fill(undefined), ids = new Array<number>(2 * size).fill(0);
    for (let k = 0; k < size; k++) {
      const i = (this.head + k) & (size - 1);
      items[k] = this.items[i];
      ids[k] = this.ids[i];
    }
    this.items = items;
    this.ids = ids;
    this.head = 0;
  }
}
