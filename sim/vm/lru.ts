/**
 * The LRU list of resident pages that memory pressure reclaims from: a
 * doubly linked list over a slab of typed arrays (no object per page), oldest
 * at the head. Only kept when memory is finite (`memory.pages` > 0).
 */
/** LRU order of resident pages of objects `O`. Node 0 is the list's sentinel. */
export class PageLru<O> {
  private prev = new Int32Array(1024);
  private next = new Int32Array(1024);
  private objOf: (O | undefined)[] = [undefined];
  private idxOf = new Float64Array(1024);
  private free: number[] = [];
  private top = 1;
  /** Pages in the list. */
  size = 0;

  private grow(): void {
    const n = this.prev.length * 2;
    const p = new Int32Array(n); p.set(this.prev); this.prev = p;
    const q = new Int32Array(n); q.set(this.next); this.next = q;
    const r = new Float64Array(n); r.set(this.idxOf); this.idxOf = r;
  }

  /** Appends a new node for (obj, idx) at the tail (most recently used); returns its id. */
  insert(obj: O, idx: number): number {
    let id = this.free.pop();
    if (id === undefined) {
      if (this.top >= this.prev.length) this.grow();
      id = this.top++;
    }
    this.objOf[id] = obj;
    this.idxOf[id] = idx;
    const last = this.prev[0];
    this.prev[id] = last;
    this.next[id] = 0;
    this.next[last] = id;
    this.prev[0] = id;
    this.size++;
    return id;
  }

  /** Moves node `id` to the tail. */
  touch(id: number): void {
    if (this.prev[0] === id) return;
    const p = this.prev[id], n = this.next[id];
    this.next[p] = n;
    this.prev[n] = p;
    const last = this.prev[0];
    this.prev[id] = last;
    this.next[id] = 0;
    this.next[last] = id;
    this.prev[0] = id;
  }

  /** Moves node `id` to the head (the next page pressure reclaims: the inactive end). */
  toHead(id: number): void {
    if (this.next[0] === id) return;
    const p = this.prev[id], n = this.next[id];
    this.next[p] = n;
    this.prev[n] = p;
    const first = this.next[0];
    this.next[id] = first;
    this.prev[id] = 0;
    this.prev[first] = id;
    this.next[0] = id;
  }

  /** Unlinks node `id`. */
  remove(id: number): void {
    const p = this.prev[id], n = this.next[id];
    this.next[p] = n;
    this.prev[n] = p;
    this.objOf[id] = undefined;
    this.free.push(id);
    this.size--;
  }

  /** The oldest node (0 when empty). */
  get head(): number {
    return this.next[0];
  }

  /** The node after `id` towards the tail (0 at the end). */
  after(id: number): number {
    return this.next[id];
  }

  /** Object and page of node `id`. */
  page(id: number): { obj: O; idx: number } {
    return { obj: this.objOf[id] as O, idx: this.idxOf[id] };
  }
}
