/**
 * A map from page index to a time (ns): the durability tracker's per-object
 * record of page versions. It is held in two typed arrays (open addressing,
 * linear probing), or, once it holds many entries whose indices lie close
 * together (a file's dirty pages), in one array indexed by page (dense: no
 * hashing or probing). Memory follows the entries held, never the spread of
 * the indices alone: an empty table holds no arrays, a small one that
 * empties gives them back, and the dense form is taken only when its array
 * is at most {@link DENSE_SPREAD} times the slots the hashed form would
 * hold. Setting or deleting an entry allocates nothing once the table has
 * grown to the peak number of entries. Both forms answer alike.
 */

const EMPTY = -1;
/** Slots of a table's first arrays (half of them usable). */
const MIN_CAPACITY = 4;
/** A table that empties keeps arrays larger than this (it is likely to fill again). */
const KEEP_ABOVE = 64;
const NO_SLOTS = new Float64Array(0);
/** The dense form is taken when a growing table reaches this many slots (half of them entries) or more... */
const DENSE_MIN_SLOTS = 256;
/** ...and every index held is below this many times its slots (the dense array's length). */
const DENSE_SPREAD = 16;

/** Page index → time (ns, never negative), for non-negative integer page indices. */
export class PageTimes {
  /** Page index by slot, {@link EMPTY} when free. */
  private keys = NO_SLOTS;
  private vals = NO_SLOTS;
  private mask = -1;
  private n = 0;
  /** The dense form: the time by page index, {@link EMPTY} when none (undefined: the hashed form). */
  private dense: Float64Array | undefined = undefined;

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

  /** Calls `fn(idx, t)` for every entry, in no particular order (the table must not change meanwhile). */
  forEach(fn: (idx: number, t: number) => void): void {
    if (this.n === 0) return;
    const d = this.dense;
    if (d !== undefined) {
      for (let i = 0; i < d.length; i++) if (d[i] !== EMPTY) fn(i, d[i]);
      return;
    }
    const keys = this.keys, vals = this.vals;
    for (let s = 0; s < keys.length; s++) if (keys[s] !== EMPTY) fn(keys[s], vals[s]);
  }

  /** The time of `idx`, or undefined. */
  get(idx: number): number | undefined {
    if (this.n === 0) return undefined;
    const d = this.dense;
    if (d !== undefined) {
      const t = inDense(idx, d) ? d[idx] : EMPTY;
      return t === EMPTY ? undefined : t;
    }
    const s = this.slot(idx);
    return this.keys[s] === EMPTY ? undefined : this.vals[s];
  }

  /** Whether `idx` has a time. */
  has(idx: number): boolean {
    if (this.n === 0) return false;
    const d = this.dense;
    if (d !== undefined) return inDense(idx, d) && d[idx] !== EMPTY;
    return this.keys[this.slot(idx)] !== EMPTY;
  }

  /** Sets the time of `idx`. */
  set(idx: number, t: number): void {
    if (this.denseHolds(idx)) {
      const d = this.dense!;
      if (d[idx] === EMPTY) this.n++;
      d[idx] = t;
      return;
    }
    if (this.keys.length === 0) this.grow(idx);
    let s = this.slot(idx);
    if (this.keys[s] === EMPTY) s = this.insert(idx, s);
    if (s < 0) this.dense![idx] = t; // the growth went dense
    else this.vals[s] = t;
  }

  /** Sets the time of `idx` when it has none (one lookup for both); whether it was set. */
  setNew(idx: number, t: number): boolean {
    if (this.denseHolds(idx)) {
      const d = this.dense!;
      if (d[idx] !== EMPTY) return false;
      d[idx] = t;
      this.n++;
      return true;
    }
    if (this.keys.length === 0) this.grow(idx);
    const s = this.slot(idx);
    if (this.keys[s] !== EMPTY) return false;
    const at = this.insert(idx, s); // before reading this.vals: a grow replaces it
    if (at < 0) this.dense![idx] = t; // the growth went dense
    else this.vals[at] = t;
    return true;
  }

  /**
   * In the dense form, whether `idx` has a slot in the dense array, lengthened for it when it lies
   * past the end ({@link beyond}); false in the hashed form, or when `idx` has just made it hashed.
   */
  private denseHolds(idx: number): boolean {
    const d = this.dense;
    return d !== undefined && (inDense(idx, d) || this.beyond(idx));
  }

  /**
   * Makes `idx`, absent, a key in its empty slot `s` (growing the table first when it would pass
   * half full); its slot, or -1 when the growth took the dense form (the caller stores at `idx` there).
   */
  private insert(idx: number, s: number): number {
    if (2 * (this.n + 1) > this.keys.length) {
      this.grow(idx);
      if (this.dense !== undefined) {
        this.n++;
        return -1;
      }
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
    const d = this.dense;
    if (d !== undefined) {
      if (!inDense(idx, d)) return -1;
      const t = d[idx];
      if (t === EMPTY) return -1;
      d[idx] = EMPTY;
      this.n--; // the array stays when the table empties: it is likely to fill again
      return t;
    }
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

  /**
   * Doubles the hashed form, or takes the dense form instead when the new size is at least
   * {@link DENSE_MIN_SLOTS} and every index held, and `adding`, is below {@link DENSE_SPREAD}
   * times it.
   */
  private grow(adding: number): void {
    const oldKeys = this.keys, oldVals = this.vals;
    const cap = Math.max(MIN_CAPACITY, oldKeys.length * 2);
    if (cap >= DENSE_MIN_SLOTS && isIndex(adding)) {
      let top = adding; // the highest index held or added (an empty slot's EMPTY is below every index)
      for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] > top) top = oldKeys[i];
      if (top < DENSE_SPREAD * cap) {
        const d = new Float64Array(denseLength(top, cap)).fill(EMPTY);
        for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] !== EMPTY) d[oldKeys[i]] = oldVals[i];
        this.dense = d;
        this.keys = this.vals = NO_SLOTS;
        this.mask = -1;
        return;
      }
    }
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

  /**
   * An index at or past the dense array's end is to be added: a longer dense array when the
   * index is below {@link DENSE_SPREAD} times the slots the hashed form would have (true: the
   * caller stores it there), else the hashed form, with room for it (false).
   */
  private beyond(idx: number): boolean {
    const d = this.dense!;
    let cap = DENSE_MIN_SLOTS;
    while (2 * (this.n + 1) > cap) cap *= 2;
    if (isIndex(idx) && idx < DENSE_SPREAD * cap) {
      const longer = new Float64Array(denseLength(idx, cap)).fill(EMPTY);
      longer.set(d);
      this.dense = longer;
      return true;
    }
    this.dense = undefined;
    // room for twice the entries: the table goes dense again only once it has doubled, not after
    // every far index that comes and goes (each change of form costs the size of the table)
    cap = MIN_CAPACITY;
    while (2 * (this.n + 1) > cap) cap *= 2;
    cap *= 2;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.vals = new Float64Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < d.length; i++) {
      if (d[i] === EMPTY) continue;
      const s = this.slot(i);
      this.keys[s] = i;
      this.vals[s] = d[i];
    }
    return false;
  }
}

/** Whether `idx` is a page index a dense array can hold: a non-negative integer. */
function isIndex(idx: number): boolean {
  return Number.isInteger(idx) && idx >= 0;
}

/** Whether `idx` is a slot of the dense array `d`: a non-negative integer below its length (any other index is not held there). */
function inDense(idx: number, d: Float64Array): boolean {
  return (idx >>> 0) === idx && idx < d.length;
}

/** The dense array's length for indices up to `top` and a hashed size of `cap` slots: room to twice `top`, within {@link DENSE_SPREAD} × `cap`. */
function denseLength(top: number, cap: number): number {
  return Math.max(top + 1, Math.min(DENSE_SPREAD * cap, 2 * (top + 1)));
}
