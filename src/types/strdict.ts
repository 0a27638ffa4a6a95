/*
 * StringDict: the "hashtable" encoding of hashes and sets. A chained hash table over latin1 string
 * keys (optionally with string values), laid out in a few flat arrays instead of one object per
 * entry, so a large collection costs about what a Map would and still scans like Redis's dict.
 *
 * Layout (n = size, every array dense over 0..n-1):
 *   entries[i]         the entry: a set's member, or a hash's field and value in one string
 *   fieldLengths[i]    (hashes) where the field ends in entries[i]
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
  /** The entries: a key (a set), or a hash's field and value in one flat string (see fieldLengths). */
  private entries: string[] = [];
  /**
   * With values: the field's length in each entry, the value being the rest. One string per entry
   * instead of two saves a string header and an array slot (about 24 bytes of ~100 per field).
   */
  private fieldLengths: Int32Array | null;
  private hashes: Int32Array;
  private next: Int32Array;
  private heads: Int32Array;
  private mask: number;

  constructor(withValues: boolean, expected = 0) {
    let buckets = MIN_BUCKETS;
    while (buckets < expected) buckets *= 2;
    this.heads = new Int32Array(buckets).fill(NONE);
    this.mask = buckets - 1;
    this.hashes = new Int32Array(buckets);
    this.next = new Int32Array(buckets);
    this.fieldLengths = withValues ? new Int32Array(buckets) : null;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Is entry i the key `key` (of hash h)? */
  private holds(i: number, key: string, h: number): boolean {
    if (this.hashes[i] !== h) return false;
    const fl = this.fieldLengths;
    return fl === null ? this.entries[i] === key : fl[i] === key.length && this.entries[i].startsWith(key);
  }

  /** The entry index of key, or -1. */
  indexOf(key: string): number {
    const h = hashString(key);
    for (let i = this.heads[h & this.mask]; i !== NONE; i = this.next[i]) {
      if (this.holds(i, key, h)) return i;
    }
    return NONE;
  }

  has(key: string): boolean {
    return this.indexOf(key) !== NONE;
  }

  /** The key (member, field) of entry i. */
  keyAt(i: number): string {
    const fl = this.fieldLengths;
    return fl === null ? this.entries[i] : this.entries[i].slice(0, fl[i]);
  }

  /** The value of entry i (with values only). */
  valueAt(i: number): string {
    return this.entries[i].slice(this.fieldLengths![i]);
  }

  /** The length of entry i's value (with values only), without slicing it out. */
  valueLengthAt(i: number): number {
    return this.entries[i].length - this.fieldLengths![i];
  }

  /** Every key, in entry order. */
  allKeys(): string[] {
    if (this.fieldLengths === null) return this.entries.slice();
    const out = new Array<string>(this.entries.length);
    for (let i = 0; i < out.length; i++) out[i] = this.keyAt(i);
    return out;
  }

  /** Appends a key known to be absent; returns its index. */
  insert(key: string, value?: string): number {
    const i = this.entries.length;
    if (i === this.hashes.length) this.growEntries();
    const h = hashString(key);
    const fl = this.fieldLengths;
    if (fl === null) this.entries.push(key);
    else {
      this.entries.push(joined(key, value!));
      fl[i] = key.length;
    }
    this.hashes[i] = h;
    const b = h & this.mask;
    this.next[i] = this.heads[b];
    this.heads[b] = i;
    if (i + 1 > this.mask + 1) this.rehash((this.mask + 1) * 2);
    return i;
  }

  /** Replaces the value of entry i, whose key is `key`. */
  setValueAt(i: number, key: string, value: string): void {
    this.entries[i] = joined(key, value);
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
      this.setValueAt(i, key, value);
      return false;
    }
    this.insert(key, value);
    return true;
  }

  get(key: string): string | undefined {
    const i = this.indexOf(key);
    return i === NONE ? undefined : this.valueAt(i);
  }

  /** Removes a key; true when it was there. */
  delete(key: string): boolean {
    const h = hashString(key);
    const b = h & this.mask;
    let prev = NONE;
    let i = this.heads[b];
    while (i !== NONE && !this.holds(i, key, h)) {
      prev = i;
      i = this.next[i];
    }
    if (i === NONE) return false;
    if (prev === NONE) this.heads[b] = this.next[i];
    else this.next[prev] = this.next[i];
    this.moveLastInto(i);
    const buckets = this.mask + 1;
    if (buckets > MIN_BUCKETS && this.entries.length * 8 < buckets) this.rehash(buckets / 2);
    return true;
  }

  /** Removes the entry at index i (iteration helpers, SPOP). */
  deleteAt(i: number): void {
    this.delete(this.keyAt(i));
  }

  /** Fills the hole at i with the last entry, relinking the chain that pointed to it. */
  private moveLastInto(i: number): void {
    const last = this.entries.length - 1;
    if (i !== last) {
      const b = this.hashes[last] & this.mask;
      if (this.heads[b] === last) {
        this.heads[b] = i;
      } else {
        let p = this.heads[b];
        while (this.next[p] !== last) p = this.next[p];
        this.next[p] = i;
      }
      this.entries[i] = this.entries[last];
      if (this.fieldLengths !== null) this.fieldLengths[i] = this.fieldLengths[last];
      this.hashes[i] = this.hashes[last];
      this.next[i] = this.next[last];
    }
    this.entries.pop();
  }

  private growEntries(): void {
    const cap = Math.max(MIN_BUCKETS, this.hashes.length * 2);
    this.hashes = grown(this.hashes, cap);
    this.next = grown(this.next, cap);
    if (this.fieldLengths !== null) this.fieldLengths = grown(this.fieldLengths, cap);
  }

  private rehash(buckets: number): void {
    const heads = new Int32Array(buckets).fill(NONE);
    const mask = buckets - 1;
    const n = this.entries.length;
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
      if (this.fieldLengths !== null) this.fieldLengths = this.fieldLengths.slice(0, buckets * 2);
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
    return Math.floor(Math.random() * this.entries.length);
  }

  clone(): StringDict {
    const d = new StringDict(false, 0);
    d.entries = this.entries.slice();
    d.fieldLengths = this.fieldLengths === null ? null : this.fieldLengths.slice();
    d.hashes = this.hashes.slice();
    d.next = this.next.slice();
    d.heads = this.heads.slice();
    d.mask = this.mask;
    return d;
  }
}

function grown(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

/** Scratch for joined(): join builds one flat string, where `+` would build a rope keeping both parts. */
const PAIR: string[] = ['', ''];

/** A field and its value as one flat string. */
function joined(field: string, value: string): string {
  PAIR[0] = field;
  PAIR[1] = value;
  const s = PAIR.join('');
  PAIR[0] = PAIR[1] = '';
  return s;
}
