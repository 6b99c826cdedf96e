/**
 * A map from page index to a time (ns) held in two typed arrays (open
 * addressing, linear probing): the durability tracker's per-object record
 * of page versions. Memory follows the entries held (never the spread of
 * the indices; an empty table holds no arrays, and a small one that empties
 * gives them back), and setting or deleting an entry allocates nothing once
 * the table has grown to the peak number of entries.
 */

const EMPTY = -1;
/** Slots of a table's first arrays (half of them usable). */
const MIN_CAPACITY = 4;
/** A table that empties keeps arrays larger than this (it is likely to fill again). */
const KEEP_ABOVE = 64;
const NO_SLOTS = new Float64Array(0);

/** Page index → time (ns, never negative), for non-negative integer page indices. */
export class PageTimes {
  /** Page index by slot, {@link EMPTY} when free. */
  private keys = NO_SLOTS;
  private vals = NO_SLOTS;
  private mask = -1;
  private n = 0;

  /** Entries held. */
  get size(): number {
    return this.n;
  }

  /** The slot of `idx`, or the free slot where it would go. */
  private slot(idx: number): number {
    const keys = this.keys, mask = this.mask;
    // low and high 32 bits mixed (indices reach 2^41 with 4 KiB pages)
    let s = Math.imul((idx | 0) ^ ((idx / 4294967296) | 0), 0x9e3779b1);
    s = (s ^ (s >>> 15)) & mask;
    for (;;) {
      const k = keys[s];
      if (k === idx || k === EMPTY) return s;
      s = (s + 1) & mask;
    }
  }

  /** The time of `idx`, or undefined. */
  get(idx: number): number | undefined {
    if (this.n === 0) return undefined;
    const s = this.slot(idx);
    return this.keys[s] === EMPTY ? undefined : this.vals[s];
  }

  /** Whether `idx` has a time. */
  has(idx: number): boolean {
    return this.n !== 0 && this.keys[this.slot(idx)] !== EMPTY;
  }

  /** Sets the time of `idx`. */
  set(idx: number, t: number): void {
    if (this.keys.length === 0) this.grow();
    let s = this.slot(idx);
    if (this.keys[s] === EMPTY) s = this.insert(idx, s);
    this.vals[s] = t;
  }

  /** Sets the time of `idx` when it has none (one lookup for both); whether it was set. */
  setNew(idx: number, t: number): boolean {
    if (this.keys.length === 0) this.grow();
    const s = this.slot(idx);
    if (this.keys[s] !== EMPTY) return false;
    const at = this.insert(idx, s); // before reading this.vals: a grow replaces it
    this.vals[at] = t;
    return true;
  }

  /** Makes `idx`, absent, a key in its empty slot `s` (growing the table first when it would pass half full); its slot. */
  private insert(idx: number, s: number): number {
    if (2 * (this.n + 1) > this.keys.length) {
      this.grow();
      s = this.slot(idx);
    }
    this.keys[s] = idx;
    this.n++;
    return s;
  }

  /** Removes `idx`; whether it was there. */
  delete(idx: number): boolean {
    return this.take(idx) >= 0;
  }

  /** Removes `idx` and returns its time (one lookup for both), or -1 when it had none: times are never negative. */
  take(idx: number): number {
    if (this.n === 0) return -1;
    const keys = this.keys, vals = this.vals, mask = this.mask;
    let s = this.slot(idx);
    if (keys[s] === EMPTY) return -1;
    const t = vals[s];
    if (--this.n === 0 && keys.length <= KEEP_ABOVE) {
      this.keys = this.vals = NO_SLOTS;
      this.mask = -1;
      return t;
    }
    // backward-shift deletion: entries after the hole that probed past it move into it
    for (let j = (s + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const k = keys[j];
      let h = Math.imul((k | 0) ^ ((k / 4294967296) | 0), 0x9e3779b1);
      h = (h ^ (h >>> 15)) & mask;
      // the entry at j stays when its home h lies cyclically in (s, j]
      if (s <= j ? s < h && h <= j : s < h || h <= j) continue;
      keys[s] = k;
      vals[s] = vals[j];
      s = j;
    }
    keys[s] = EMPTY;
    return t;
  }

  private grow(): void {
    const oldKeys = this.keys, oldVals = this.vals;
    const cap = Math.max(MIN_CAPACITY, oldKeys.length * 2);
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.vals = new Float64Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i];
      if (k === EMPTY) continue;
      const s = this.slot(k);
      this.keys[s] = k;
      this.vals[s] = oldVals[i];
    }
  }
}
