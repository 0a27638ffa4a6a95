/*
 * The list type: a sequence of byte strings (latin1 JS strings), cheap at both ends and by index.
 *
 * Representation — a block deque (like C++'s std::deque):
 *
 *   dir:     [ ..slack.. | block0 | block1 | ... | blockN-1 ]   blocks live at dir[head .. head+count)
 *   blocks:  dense JS arrays of strings, at most BLOCK (= 128) elements each
 *
 * Invariants:
 *   - every block holds 1..BLOCK elements; there are no empty blocks (an empty list has none);
 *   - every block except the first and the last is full (exactly BLOCK elements).
 *
 * So an index maps to its block with one subtraction and a shift: elements 0..first.length-1 are in
 * the first block, the rest are in dir[head + 1 + (j >> 7)][j & 127] with j = i - first.length.
 * Pushing at the tail appends to the last block (a new block when it is full); pushing at the head
 * prepends to the first block (unshift, at most BLOCK moves) or starts a new first block in the
 * directory slack, which is refilled by doubling, so both ends are O(1) amortized. A small list is
 * one object, a directory and one block: no per-element wrappers, strings are stored bare.
 *
 * Middle edits (LINSERT, LREM) shift elements through `at`/`set` towards the nearer end, keeping the
 * invariants without a rebuild. OBJECT ENCODING is "quicklist" for every list, as Redis 7.0 reports it
 * (the listpack encoding of small lists arrived in 7.2).
 */

import type { CollectionObject } from './object.js';
import { ARRAY_SLOT_BYTES, OBJECT_BYTES, stringBytes } from './heapsize.js';

const BLOCK_SHIFT = 7;
const BLOCK = 1 << BLOCK_SHIFT;
const BLOCK_MASK = BLOCK - 1;

export class ListValue implements CollectionObject {
  readonly type = 'list' as const;
  private dir: string[][] = [];
  private head = 0;
  private count = 0;
  /** Number of elements. */
  length = 0;
  /** Σ stringBytes of the elements (memoryBytes). */
  private elementBytes = 0;
  accountedBytes = 0;

  encoding(): string {
    return 'quicklist';
  }

  clone(): ListValue {
    const copy = new ListValue();
    for (let b = 0; b < this.count; b++) copy.dir.push(this.dir[this.head + b].slice());
    copy.count = this.count;
    copy.length = this.length;
    copy.elementBytes = this.elementBytes;
    return copy;
  }

  memoryBytes(): number {
    return OBJECT_BYTES * (1 + this.count) + ARRAY_SLOT_BYTES * this.length + this.elementBytes;
  }

  static from(items: readonly string[]): ListValue {
    const list = new ListValue();
    for (const s of items) list.pushBack(s);
    return list;
  }

  // -------------------------------------------------------------------------------------------
  // Ends

  pushBack(s: string): void {
    const n = this.count;
    const last = n === 0 ? null : this.dir[this.head + n - 1];
    if (last !== null && last.length < BLOCK) last.push(s);
    else {
      this.dir[this.head + n] = [s];
      this.count = n + 1;
    }
    this.length++;
    this.elementBytes += stringBytes(s.length);
  }

  pushFront(s: string): void {
    const first = this.count === 0 ? null : this.dir[this.head];
    if (first !== null && first.length < BLOCK) first.unshift(s);
    else {
      if (this.head === 0) this.growFront();
      this.dir[--this.head] = [s];
      this.count++;
    }
    this.length++;
    this.elementBytes += stringBytes(s.length);
  }

  /** Removes and returns the first element (undefined when empty). */
  popFront(): string | undefined {
    if (this.count === 0) return undefined;
    const first = this.dir[this.head];
    const s = first.shift()!;
    if (first.length === 0) this.dropFirstBlock();
    this.length--;
    this.elementBytes -= stringBytes(s.length);
    return s;
  }

  /** Removes and returns the last element (undefined when empty). */
  popBack(): string | undefined {
    if (this.count === 0) return undefined;
    const last = this.dir[this.head + this.count - 1];
    const s = last.pop()!;
    if (last.length === 0) this.dropLastBlock();
    this.length--;
    this.elementBytes -= stringBytes(s.length);
    return s;
  }

  /** Removes the first n elements (n ≤ length). */
  dropFront(n: number): void {
    this.length -= n;
    while (n > 0) {
      const first = this.dir[this.head];
      const k = first.length <= n ? first.length : n;
      for (let i = 0; i < k; i++) this.elementBytes -= stringBytes(first[i].length);
      if (first.length <= n) {
        n -= first.length;
        this.dropFirstBlock();
      } else {
        first.splice(0, n);
        n = 0;
      }
    }
  }

  /** Removes the last n elements (n ≤ length). */
  dropBack(n: number): void {
    this.length -= n;
    while (n > 0) {
      const last = this.dir[this.head + this.count - 1];
      for (let i = last.length <= n ? 0 : last.length - n; i < last.length; i++) this.elementBytes -= stringBytes(last[i].length);
      if (last.length <= n) {
        n -= last.length;
        this.dropLastBlock();
      } else {
        last.length -= n;
        n = 0;
      }
    }
  }

  private dropFirstBlock(): void {
    this.dir[this.head] = EMPTY_BLOCK;
    this.head++;
    if (--this.count === 0) this.reset();
  }

  private dropLastBlock(): void {
    this.count--;
    this.dir.length = this.head + this.count;
    if (this.count === 0) this.reset();
  }

  private reset(): void {
    this.dir = [];
    this.head = 0;
    this.count = 0;
  }

  /** Makes room for new first blocks: slack in front as large as the used part (amortized O(1)). */
  private growFront(): void {
    const slack = Math.max(4, this.count);
    const dir: string[][] = new Array<string[]>(slack).fill(EMPTY_BLOCK);
    for (let b = 0; b < this.count; b++) dir.push(this.dir[this.head + b]);
    this.dir = dir;
    this.head = slack;
  }

  // -------------------------------------------------------------------------------------------
  // By index (0 ≤ i < length; callers convert negative indexes)

  at(i: number): string {
    const dir = this.dir;
    const first = dir[this.head];
    if (i < first.length) return first[i];
    const j = i - first.length;
    return dir[this.head + 1 + (j >>> BLOCK_SHIFT)][j & BLOCK_MASK];
  }

  set(i: number, s: string): void {
    const dir = this.dir;
    const first = dir[this.head];
    let block = first;
    let at = i;
    if (i >= first.length) {
      const j = i - first.length;
      block = dir[this.head + 1 + (j >>> BLOCK_SHIFT)];
      at = j & BLOCK_MASK;
    }
    this.elementBytes += stringBytes(s.length) - stringBytes(block[at].length);
    block[at] = s;
  }

  /** Inserts s so that it lands at index i (0 ≤ i ≤ length), shifting towards the nearer end. */
  insertAt(i: number, s: string): void {
    const n = this.length;
    if (i <= n >>> 1) {
      if (i === 0) {
        this.pushFront(s);
        return;
      }
      this.pushFront(this.at(0));
      for (let k = 1; k < i; k++) this.set(k, this.at(k + 1));
      this.set(i, s);
    } else {
      if (i === n) {
        this.pushBack(s);
        return;
      }
      this.pushBack(this.at(n - 1));
      for (let k = n - 1; k > i; k--) this.set(k, this.at(k - 1));
      this.set(i, s);
    }
  }

  /**
   * Removes the elements at the given indexes (ascending, distinct, within range), compacting
   * towards the head in one pass from the first removed index.
   */
  removeSorted(indexes: readonly number[]): void {
    const k = indexes.length;
    if (k === 0) return;
    const n = this.length;
    let write = indexes[0];
    let next = 0;
    for (let read = write; read < n; read++) {
      if (next < k && indexes[next] === read) {
        next++;
        continue;
      }
      this.set(write++, this.at(read));
    }
    this.dropBack(k);
  }

  /** Every element, head to tail (tests, snapshots). */
  toArray(): string[] {
    const out: string[] = [];
    for (let b = 0; b < this.count; b++) for (const s of this.dir[this.head + b]) out.push(s);
    return out;
  }
}

/** Placeholder for unused directory slots, so the directory stays an array of arrays. */
const EMPTY_BLOCK: string[] = [];

/** Redis's index normalization: negative counts from the tail; -1 when out of range. */
export function listIndex(list: ListValue, index: number): number {
  const i = index < 0 ? list.length + index : index;
  return i >= 0 && i < list.length ? i : -1;
}
