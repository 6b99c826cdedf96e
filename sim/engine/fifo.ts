/**
 * A first-in first-out queue in a growable ring buffer (capacity a power of
 * two): pushing and shifting allocate nothing once it has grown to its
 * working size, however long it is used.
 */
export class Fifo<T> {
  private buf: (T | undefined)[] = new Array(16);
  private mask = 15;
  private head = 0;
  private n = 0;

  /** Number of items queued. */
  get length(): number {
    return this.n;
  }

  /** Appends `x` at the tail. */
  push(x: T): void {
    if (this.n === this.buf.length) this.grow();
    this.buf[(this.head + this.n) & this.mask] = x;
    this.n++;
  }

  /** The head item, or undefined when empty. */
  peek(): T | undefined {
    return this.n > 0 ? this.buf[this.head] : undefined;
  }

  /** Removes and returns the head item (undefined when empty). */
  shift(): T | undefined {
    if (this.n === 0) return undefined;
    const x = this.buf[this.head];
    this.buf[this.head] = undefined; // let it be collected
    this.head = (this.head + 1) & this.mask;
    this.n--;
    return x;
  }

  private grow(): void {
    const b: (T | undefined)[] = new Array(this.buf.length * 2);
    for (let i = 0; i < this.n; i++) b[i] = this.buf[(this.head + i) & this.mask];
    this.buf = b;
    this.mask = b.length - 1;
    this.head = 0;
  }
}
