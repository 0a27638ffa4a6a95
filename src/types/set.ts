/*
 * The set type, with Redis 7.0's two encodings:
 *
 *   intset     every member is a canonical int64 (string2ll) and there are at most
 *              set-max-intset-entries of them: one sorted array of numbers (bigint beyond ±2^53),
 *              so members come out in ascending order as from Redis's intset.
 *   hashtable  anything else: a StringDict of the members' bytes.
 *
 * Conversion is one way (intset → hashtable), as in Redis; 7.2's listpack sets are not used (7.0).
 * Both encodings are dense arrays, so members are addressed by index 0..size-1 (memberAt), which
 * gives iteration and uniform random picks without allocating iterators.
 */

import type { CollectionObject } from './object.js';
import { ARRAY_SLOT_BYTES, OBJECT_BYTES, stringBytes } from './heapsize.js';
import { StringDict } from './strdict.js';
import { parseInt64, parseSafeInt } from './numbers.js';

type IntMember = number | bigint;

/** string2ll as a member of an intset: a number within ±2^53, a bigint beyond, null when not an int64. */
function asIntMember(s: string): IntMember | null {
  const n = parseSafeInt(s);
  if (n !== undefined) return n;
  const big = parseInt64(s);
  if (big === null) return null;
  return big;
}

/** Index of v in the sorted array, or -(insertion point) - 1. Mixed number/bigint compares exactly. */
function searchInts(a: readonly IntMember[], v: IntMember): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[mid];
    if (x < v) lo = mid + 1;
    else if (x > v) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

export class SetObject implements CollectionObject {
  /** Sorted members while intset-encoded; null once converted. */
  private ints: IntMember[] | null;
  private dict: StringDict | null;
  /** Σ stringBytes of the members while a hashtable (memoryBytes). */
  private elementBytes = 0;
  accountedBytes = 0;

  // On the prototype rather than per object: small sets are many.
  get type(): 'set' {
    return 'set';
  }

  /** An empty set: intset when `intset` (setTypeCreate with an integer, or a STORE target), else hashtable. */
  constructor(intset: boolean) {
    this.ints = intset ? [] : null;
    this.dict = intset ? null : new StringDict(false);
  }

  /** setTypeCreate: the encoding Redis picks for a set whose first member is `first`. */
  static forFirstMember(first: string): SetObject {
    return new SetObject(asIntMember(first) !== null);
  }

  encoding(): string {
    return this.ints !== null ? 'intset' : 'hashtable';
  }

  get size(): number {
    return this.ints !== null ? this.ints.length : this.dict!.size;
  }

  memoryBytes(): number {
    // An intset member is an array slot (doubles past 2^31 are boxed: 16 more, rare enough to ignore).
    return OBJECT_BYTES + (this.ints !== null ? this.ints.length * ARRAY_SLOT_BYTES : this.dict!.size * 32 + this.elementBytes);
  }

  has(member: string): boolean {
    if (this.ints === null) return this.dict!.has(member);
    const v = asIntMember(member);
    return v !== null && searchInts(this.ints, v) >= 0;
  }

  /** Adds a member; false when already present. `maxIntset` is set-max-intset-entries. */
  add(member: string, maxIntset: number): boolean {
    const ints = this.ints;
    if (ints === null) {
      if (!this.dict!.add(member)) return false;
      this.elementBytes += stringBytes(member.length);
      return true;
    }
    const v = asIntMember(member);
    if (v === null) {
      this.convert();
      this.dict!.insert(member);
      this.elementBytes += stringBytes(member.length);
      return true;
    }
    const at = searchInts(ints, v);
    if (at >= 0) return false;
    ints.splice(-at - 1, 0, v);
    if (ints.length > Math.min(maxIntset, 1 << 30)) this.convert();
    return true;
  }

  /** Removes a member; false when absent. */
  remove(member: string): boolean {
    if (this.ints === null) {
      if (!this.dict!.delete(member)) return false;
      this.elementBytes -= stringBytes(member.length);
      return true;
    }
    const v = asIntMember(member);
    if (v === null) return false;
    const at = searchInts(this.ints, v);
    if (at < 0) return false;
    this.ints.splice(at, 1);
    return true;
  }

  /** The member at index i (0 ≤ i < size): ascending for an intset, table order otherwise. */
  memberAt(i: number): string {
    return this.ints !== null ? String(this.ints[i]) : this.dict!.keyAt(i);
  }

  /** A uniformly random index (size > 0). */
  randomIndex(): number {
    return Math.floor(Math.random() * this.size);
  }

  /** Every member, in memberAt order. */
  members(): string[] {
    return this.ints !== null ? this.ints.map(String) : this.dict!.allKeys();
  }

  /**
   * SSCAN step: intsets return everything with cursor 0 (as Redis does for compact encodings);
   * hashtables walk buckets from `cursor` until `count` members were gathered or 10×count buckets
   * were visited. Returns the next cursor.
   */
  scan(cursor: number, count: number, out: string[]): number {
    if (this.ints !== null) {
      for (const v of this.ints) out.push(String(v));
      return 0;
    }
    const d = this.dict!;
    const emit = (i: number): void => {
      out.push(d.keyAt(i));
    };
    let budget = count * 10;
    do {
      cursor = d.scanStep(cursor, emit);
    } while (cursor !== 0 && budget-- > 0 && out.length < count);
    return cursor;
  }

  private convert(): void {
    const ints = this.ints!;
    const d = new StringDict(false, ints.length);
    for (const v of ints) {
      const member = String(v);
      d.insert(member);
      this.elementBytes += stringBytes(member.length);
    }
    this.dict = d;
    this.ints = null;
  }

  clone(): SetObject {
    const s = new SetObject(this.ints !== null);
    if (this.ints !== null) s.ints = this.ints.slice();
    else s.dict = this.dict!.clone();
    s.elementBytes = this.elementBytes;
    return s;
  }
}
