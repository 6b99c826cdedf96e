/** A FIFO of device commands with O(1) push and shift that skips commands already started (tStart >= 0). */
export class IoFifo<T extends { readonly tStart: number }> {
  private items: T[] = [];
  private head = 0;
  push(io: T): void {
    this.items.push(io);
  }
  /** Next I/O not yet started, or undefined. */
  shift(): T | undefined {
    while (this.head < this.items.length) {
      const io = this.items[this.head++];
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (io.tStart < 0) return io;
    }
    return undefined;
  }
}
