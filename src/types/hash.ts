/*
 * The hash type, with Redis's encodings and Redis 7.4's per-field expiry.
 *
 *   listpack    at most hash-max-listpack-entries fields, every field and value at most
 *               hash-max-listpack-value bytes: one flat array [f0, v0, f1, v1, ...], searched
 *               linearly like Redis's listpack (small and allocation-free).
 *   listpackex  the same once the hash supports field TTLs (7.4: the first H*EXPIRE* on it).
 *   hashtable   beyond the limits: a StringDict (O(1) lookups, Redis-style SCAN cursor).
 * Conversion is one way, as in Redis. Fields and values are latin1 strings (bytes).
 *
 * Field TTLs: `ttls` maps a field to its absolute expiry (unix ms); it exists once the hash supports
 * TTLs, even if empty (OBJECT ENCODING stays "listpackex"). A min-heap of (when, field) answers
 * "which fields are due" in O(log n) per field; its entries are checked against `ttls` when popped
 * (lazy deletion), and it is rebuilt when stale entries outnumber live ones. This module only
 * stores and finds; deciding that a field is gone, and reporting it, is keyspace/field-expire.ts.
 */

import type { CollectionObject } from './object.js';
import { MAP_ENTRY_BYTES, OBJECT_BYTES, stringBytes } from './heapsize.js';
import { StringDict } from './strdict.js';
import { TimeHeap } from './timeheap.js';

/** The listpack limits in force (hash-max-listpack-entries / -value), read from the config. */
export interface HashLimits {
  maxEntries: number;
  maxValue: number;
}

/** TTL state of a hash that supports field expiry; see the file comment. */
interface FieldTtls {
  /** Field → expiry (unix ms), for the fields that have one. */
  readonly map: Map<string, number>;
  /** (expiry, field) entries; stale when they no longer match `map`. */
  readonly heap: TimeHeap;
}

export class HashObject implements CollectionObject {
  /** listpack form: field, value, field, value...; null once converted. */
  private pairs: string[] | null = [];
  private dict: StringDict | null = null;
  /** Null until the hash supports TTLs (then "listpackex" while small). */
  private ttls: FieldTtls | null = null;
  /** Σ stringBytes of fields and values (memoryBytes). */
  private elementBytes = 0;
  accountedBytes = 0;

  // On the prototype rather than per object: small hashes are many.
  get type(): 'hash' {
    return 'hash';
  }

  encoding(): string {
    if (this.pairs !== null) return this.ttls !== null ? 'listpackex' : 'listpack';
    return 'hashtable';
  }

  get size(): number {
    return this.pairs !== null ? this.pairs.length >> 1 : this.dict!.size;
  }

  memoryBytes(): number {
    // A listpack pair is two array slots; a hashtable entry one slot plus field length, hash, chain and bucket.
    const perField = this.pairs !== null ? 24 : 28;
    const ttls = this.ttls === null ? 0 : OBJECT_BYTES + this.ttls.map.size * (MAP_ENTRY_BYTES + 32);
    return OBJECT_BYTES + this.size * perField + this.elementBytes + ttls;
  }

  private indexOf(field: string): number {
    const p = this.pairs;
    if (p === null) return this.dict!.indexOf(field);
    for (let i = 0; i < p.length; i += 2) if (p[i] === field) return i >> 1;
    return -1;
  }

  get(field: string): string | undefined {
    const p = this.pairs;
    if (p === null) return this.dict!.get(field);
    for (let i = 0; i < p.length; i += 2) if (p[i] === field) return p[i + 1];
    return undefined;
  }

  has(field: string): boolean {
    return this.indexOf(field) >= 0;
  }

  /** The field and value at index i (0 ≤ i < size), in encoding order. */
  fieldAt(i: number): string {
    return this.pairs !== null ? this.pairs[2 * i] : this.dict!.keyAt(i);
  }

  valueAt(i: number): string {
    return this.pairs !== null ? this.pairs[2 * i + 1] : this.dict!.valueAt(i);
  }

  /** A uniformly random index (size > 0). */
  randomIndex(): number {
    return Math.floor(Math.random() * this.size);
  }

  /**
   * hashTypeTryConversion: converts before a multi-field write when an argument in argv[from..to]
   * is longer than hash-max-listpack-value.
   */
  convertForArgs(argv: readonly string[], from: number, to: number, limits: HashLimits): void {
    if (this.pairs === null) return;
    for (let i = from; i <= to; i++) {
      if (argv[i].length > limits.maxValue) {
        this.convert();
        return;
      }
    }
  }

  /**
   * hashTypeSet: sets field to value; true when the field is new. A TTL on an existing field is
   * dropped unless `keepTtl` (HINCRBY and HINCRBYFLOAT keep it, HSET does not).
   */
  set(field: string, value: string, limits: HashLimits, keepTtl = false): boolean {
    if (this.pairs !== null && (field.length > limits.maxValue || value.length > limits.maxValue)) this.convert();
    let added: boolean;
    const p = this.pairs;
    if (p !== null) {
      let i = 0;
      while (i < p.length && p[i] !== field) i += 2;
      added = i === p.length;
      if (added) {
        p.push(field, value);
        this.elementBytes += stringBytes(field.length) + stringBytes(value.length);
      } else {
        this.elementBytes += stringBytes(value.length) - stringBytes(p[i + 1].length);
        p[i + 1] = value;
      }
      if (added && p.length >> 1 > limits.maxEntries) this.convert();
    } else {
      const d = this.dict!;
      const i = d.indexOf(field);
      added = i < 0;
      if (added) {
        d.insert(field, value);
        this.elementBytes += stringBytes(field.length + value.length);
      } else {
        this.elementBytes += stringBytes(field.length + value.length) - stringBytes(field.length + d.valueLengthAt(i));
        d.setValueAt(i, field, value);
      }
    }
    if (!added && !keepTtl && this.ttls !== null) this.ttls.map.delete(field);
    return added;
  }

  /** Removes a field (and its TTL); true when it was there. */
  delete(field: string): boolean {
    const p = this.pairs;
    let removed: boolean;
    if (p !== null) {
      const i = this.indexOf(field);
      removed = i >= 0;
      if (removed) {
        this.elementBytes -= stringBytes(field.length) + stringBytes(p[2 * i + 1].length);
        p.splice(2 * i, 2);
      }
    } else {
      const d = this.dict!;
      const i = d.indexOf(field);
      removed = i >= 0;
      if (removed) {
        this.elementBytes -= stringBytes(field.length + d.valueLengthAt(i));
        d.deleteAt(i);
      }
    }
    if (removed && this.ttls !== null) this.ttls.map.delete(field);
    return removed;
  }

  private convert(): void {
    const p = this.pairs!;
    const d = new StringDict(true, p.length >> 1);
    // A hashtable keeps a field and its value in one string (StringDict).
    this.elementBytes = 0;
    for (let i = 0; i < p.length; i += 2) {
      d.insert(p[i], p[i + 1]);
      this.elementBytes += stringBytes(p[i].length + p[i + 1].length);
    }
    this.dict = d;
    this.pairs = null;
  }

  /**
   * HSCAN step: a listpack returns every field and value with cursor 0, as Redis does; a
   * hashtable walks buckets from `cursor` (see StringDict.scanStep) until `count` fields were
   * gathered or 10×count buckets were visited. Pushes field, value pairs; returns the next cursor.
   */
  scan(cursor: number, count: number, out: string[]): number {
    const p = this.pairs;
    if (p !== null) {
      for (const s of p) out.push(s);
      return 0;
    }
    const d = this.dict!;
    const emit = (i: number): void => {
      out.push(d.keyAt(i), d.valueAt(i));
    };
    let budget = count * 10;
    const want = count * 2;
    do {
      cursor = d.scanStep(cursor, emit);
    } while (cursor !== 0 && budget-- > 0 && out.length < want);
    return cursor;
  }

  // -------------------------------------------------------------------------------------------
  // Field TTLs

  /** True once the hash supports field TTLs (listpackex, or a hashtable that had them). */
  get supportsTtls(): boolean {
    return this.ttls !== null;
  }

  /** hashTypeSetExInit: from now on the hash can hold field TTLs (listpack becomes listpackex). */
  enableTtls(): void {
    if (this.ttls === null) this.ttls = { map: new Map(), heap: new TimeHeap() };
  }

  /** The field's expiry (unix ms), or -1 when it has none. */
  getExpire(field: string): number {
    const when = this.ttls?.map.get(field);
    return when === undefined ? -1 : when;
  }

  /** Sets an existing field's expiry; enableTtls must have been called. */
  setExpire(field: string, when: number): void {
    const t = this.ttls!;
    t.map.set(field, when);
    t.heap.push(when, field);
    if (t.heap.size > 2 * t.map.size + 16) {
      t.heap.clear();
      for (const [f, w] of t.map) t.heap.push(w, f);
    }
  }

  /** Removes a field's TTL; true when it had one. */
  persist(field: string): boolean {
    return this.ttls !== null && this.ttls.map.delete(field);
  }

  /** The earliest field expiry, or Infinity when no field has a TTL. Drops stale heap entries. */
  minExpire(): number {
    const t = this.ttls;
    if (t === null) return Infinity;
    const heap = t.heap;
    while (heap.size > 0 && t.map.get(heap.names[0]) !== heap.times[0]) heap.pop();
    return heap.size > 0 ? heap.times[0] : Infinity;
  }

  /**
   * Removes up to `max` fields whose expiry is before `now` (7.4 expires a field when
   * expiry < now), earliest first, appending their names to `out`. Returns how many were removed.
   */
  expireFields(now: number, max: number, out: string[]): number {
    let n = 0;
    while (n < max && this.minExpire() < now) {
      const heap = this.ttls!.heap;
      const field = heap.names[0];
      heap.pop();
      this.delete(field);
      out.push(field);
      n++;
    }
    return n;
  }

  clone(): HashObject {
    const h = new HashObject();
    h.pairs = this.pairs === null ? null : this.pairs.slice();
    h.dict = this.dict === null ? null : this.dict.clone();
    if (this.ttls !== null) {
      h.ttls = { map: new Map(this.ttls.map), heap: this.ttls.heap.clone() };
    }
    h.elementBytes = this.elementBytes;
    return h;
  }
}
