/*
 * StringDict: the "hashtable" encoding of hashes and sets. A chained hash table over latin1 string
 * keys (optionally with string values), laid out in a few flat arrays instead of one object per
 * entry, so a large collection costs about what a Map would and still scans like Redis's dict.
 *
 * Layout (n = size, every array dense over 0..n-1):
 *   keys[i], vals[i]   the entry (vals is null for sets)
 *   hashes[i]          the key's 32-bit hash, kept so resizing never rehashes strings
 *   next[i]            the next entry of the same bucket, or -1
 *   heads[b]           the first entry of bucket b (b = hash & mask), or -1
 * Deleting entry i moves the last entry into slot i, so the arrays stay dense: iteration is a plain
 * loop and a uniformly random entry is one random index.
 *
 * Buckets double when size exceeds them and halve below 1/8 fill (Redis resizes below 10%). The
 * rehash is done at once, which is O(n) on the rare resize instead of Redis's incremental one.
 *
 * SCAN: see `scanCursorNext` below — the cursor logic is kept in that one function so the keyspace
 * SCAN can share it.
 */

const NONE = -1;
const MIN_BUCKETS = 4;

/** Per-process random seed: bucket placement is not predictable from outside (hash flooding). */
const SEED = (Math.random() * 0x100000000) >>> 0;

/** 32-bit hash of a latin1 string: FNV-1a over the bytes, seeded, with murmur3's final mix. */
export function hashString(s: string): number {
  let h = SEED ^ 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

// ---------------------------------------------------------------------------------------------
// The scan cursor (Redis's dictScan reverse-binary iteration)

/** Reverses the 32 bits of v. */
function reverseBits(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return ((v >>> 16) | (v << 16)) >>> 0;
}

/**
 * The cursor after visiting bucket `cursor & mask` of a table of mask+1 buckets; 0 when the walk is
 * complete. The cursor counts buckets with its bits reversed (high bits incremented first), so a
 * bucket's position in the walk depends only on the low bits of the hash it holds. When the table
 * doubles or halves between two calls, the buckets still to visit in the new size are exactly the
 * expansions (or merges) of the ones still to visit in the old size. Hence the guarantee, as
 * Redis's: every element present for the whole scan is returned at least once; an element may be
 * returned more than once (after a shrink); elements added or removed meanwhile may or may not be.
 * Cursors are below 2^32; a larger cursor from a client is taken modulo 2^32.
 */
export function scanCursorNext(cursor: number, mask: number): number {
  let v = (cursor | ~mask) >>> 0;
  v = reverseBits(v);
  v = (v + 1) >>> 0;
  return reverseBits(v);
}

// ---------------------------------------------------------------------------------------------
// The table

export class StringDict {
  keys: string[] = [];
  /** Values, parallel to keys; null for a set. */
  vals: string[] | null;
  private hashes: Int32Array;
  private next: Int32Array;
  private heads: Int32Array;
  private mask: number;

  constructor(withValues: boolean, expected = 0) {
    this.vals = withValues ? [] : null;
    let buckets = MIN_BUCKETS;
    while (buckets < expected) buckets *= 2;
    this.heads = new Int32Array(buckets).fill(NONE);
    this.mask = buckets - 1;
    this.hashes = new Int32Array(buckets);
    this.next = new Int32Array(buckets);
  }

  get size(): number {
    return this.keys.length;
  }

  /** The entry index of key, or -1. */
  indexOf(key: string): number {
    const h = hashString(key);
    const keys = this.keys;
    for (let i = this.heads[h & this.mask]; i !== NONE; i = this.next[i]) {
      if (this.hashes[i] === h && keys[i] === key) return i;
    }
    return NONE;
  }

  has(key: string): boolean {
    return this.indexOf(key) !== NONE;
  }

  /** Appends a key known to be absent; returns its index. */
  insert(key: string, value?: string): number {
    const i = this.keys.length;
    if (i === this.hashes.length) this.growEntries();
    const h = hashString(key);
    this.keys.push(key);
    if (this.vals !== null) this.vals.push(value as string);
    this.hashes[i] = h;
    const b = h & this.mask;
    this.next[i] = this.heads[b];
    this.heads[b] = i;
    if (i + 1 > this.mask + 1) this.rehash((this.mask + 1) * 2);
    return i;
  }

  /** Adds a set member; false when it was already there. */
  add(key: string): boolean {
    if (this.indexOf(key) !== NONE) return false;
    this.insert(key);
    return true;
  }

  /** Sets a hash field; true when the field is new. */
  set(key: string, value: string): boolean {
    const i = this.indexOf(key);
    if (i !== NONE) {
      this.vals![i] = value;
      return false;
    }
    this.insert(key, value);
    return true;
  }

  get(key: string): string | undefined {
    const i = this.indexOf(key);
    return i === NONE ? undefined : this.vals![i];
  }

  /** Removes a key; true when it was there. */
  delete(key: string): boolean {
    const h = hashString(key);
    const b = h & this.mask;
    let prev = NONE;
    let i = this.heads[b];
    while (i !== NONE && !(this.hashes[i] === h && this.keys[i] === key)) {
      prev = i;
      i = this.next[i];
    }
    if (i === NONE) return false;
    if (prev === NONE) this.heads[b] = this.next[i];
    else this.next[prev] = this.next[i];
    this.moveLastInto(i);
    const buckets = this.mask + 1;
    if (buckets > MIN_BUCKETS && this.keys.length * 8 < buckets) this.rehash(buckets / 2);
    return true;
  }

  /** Removes the entry at index i (iteration helpers, SPOP). */
  deleteAt(i: number): void {
    this.delete(this.keys[i]);
  }

  /** Fills the hole at i with the last entry, relinking the chain that pointed to it. */
  private moveLastInto(i: number): void {
    const last = this.keys.length - 1;
    if (i !== last) {
      const b = this.hashes[last] & this.mask;
      if (this.heads[b] === last) {
        this.heads[b] = i;
      } else {
        let p = this.heads[b];
        while (this.next[p] !== last) p = this.next[p];
        this.next[p] = i;
      }
      this.keys[i] = this.keys[last];
      if (this.vals !== null) this.vals[i] = this.vals[last];
      this.hashes[i] = this.hashes[last];
      this.next[i] = this.next[last];
    }
    this.keys.pop();
    if (this.vals !== null) this.vals.pop();
  }

  private growEntries(): void {
    const cap = Math.max(MIN_BUCKETS, this.hashes.length * 2);
    const hashes = new Int32Array(cap);
    hashes.set(this.hashes);
    const next = new Int32Array(cap);
    next.set(this.next);
    this.hashes = hashes;
    this.next = next;
  }

  private rehash(buckets: number): void {
    const heads = new Int32Array(buckets).fill(NONE);
    const mask = buckets - 1;
    const n = this.keys.length;
    for (let i = 0; i < n; i++) {
      const b = this.hashes[i] & mask;
      this.next[i] = heads[b];
      heads[b] = i;
    }
    this.heads = heads;
    this.mask = mask;
    // Entry arrays shrink with the table, so a big set emptied by SREM gives its memory back.
    if (this.hashes.length > buckets * 4) {
      this.hashes = this.hashes.slice(0, buckets * 2);
      this.next = this.next.slice(0, buckets * 2);
    }
  }

  /**
   * One step of SCAN: calls `emit(i)` for every entry of the bucket the cursor names and returns
   * the next cursor (0 at the end). The caller loops while it wants more.
   */
  scanStep(cursor: number, emit: (i: number) => void): number {
    for (let i = this.heads[cursor & this.mask]; i !== NONE; i = this.next[i]) emit(i);
    return scanCursorNext(cursor, this.mask);
  }

  /** A uniformly random entry index (size must be > 0). */
  randomIndex(): number {
    return Math.floor(Math.random() * this.keys.length);
  }

  clone(): StringDict {
    const d = new StringDict(this.vals !== null, 0);
    d.keys = this.keys.slice();
    d.vals = this.vals === null ? null : this.vals.slice();
    d.hashes = this.hashes.slice();
    d.next = this.next.slice();
    d.heads = this.heads.slice();
    d.mask = this.mask;
    return d;
  }
}
