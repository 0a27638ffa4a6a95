/*
 * The list type: a sequence of byte strings (latin1 JS strings), cheap at both ends and by index.
 *
 * Representation — a block deque (like C++'s std::deque):
 *
 *   dir:     [ ..slack.. | block0 | block1 | ... | blockN-1 ]   blocks live at dir[head .. head+count)
 *   blocks:  at most BLOCK (= 128) elements each, in one of two forms:
 *            - an array of strings, the form every block is edited in;
 *            - packed: one string holding every element behind its length (a varint, 7 bits per
 *              char, high bit = more), as Redis's quicklist nodes are listpacks.
 *
 * Invariants:
 *   - every block holds 1..BLOCK elements; there are no empty blocks (an empty list has none);
 *   - every block except the first and the last is full (exactly BLOCK elements);
 *   - a packed block is full, and is never edited: an edit unpacks it first.
 *
 * So an index maps to its block with one subtraction and a shift: elements 0..first.length-1 are in
 * the first block, the rest are in dir[head + 1 + (j >> 7)][j & 127] with j = i - first.length.
 * Pushing at the tail appends to the last block (a new block when it is full); pushing at the head
 * prepends to the first block (unshift, at most BLOCK moves) or starts a new first block in the
 * directory slack, which is refilled by doubling, so both ends are O(1) amortized.
 *
 * Packing: a block that stops being an end block (a new block went past it) or is left full in
 * the middle by an edit is packed, unless its elements add up to more than PACK_MAX_BYTES (Redis's
 * 8 kB list-max-listpack-size default; large elements gain nothing from it). A string costs 16
 * bytes of header and an array slot 8 more, so a list of short elements takes about a third of
 * the memory packed. Reading a packed block decodes its element positions once into a scratch
 * table shared by every list (the last block read), so walks in either direction stay O(1) per
 * element. A packed block that becomes an end block again is unpacked when an end operation
 * reaches into it.
 *
 * Middle edits (LINSERT, LREM) shift elements through `at`/`assign` towards the nearer end, keeping
 * the invariants without a rebuild, and pack the blocks they leave full. OBJECT ENCODING is
 * "quicklist" for every list, as Redis 7.0 reports it (the listpack encoding of small lists arrived
 * in 7.2).
 */

import type { CollectionObject } from './object.js';
import { ARRAY_SLOT_BYTES, OBJECT_BYTES, stringBytes } from './heapsize.js';

const BLOCK_SHIFT = 7;
const BLOCK = 1 << BLOCK_SHIFT;
const BLOCK_MASK = BLOCK - 1;
/** Element bytes above which a full block stays an array. */
const PACK_MAX_BYTES = 8192;

/** An array of elements, or a packed block (a string: see the header). */
type Block = string[] | string;

export class ListValue implements CollectionObject {
  readonly type = 'list' as const;
  private dir: Block[] = [];
  private head = 0;
  private count = 0;
  /** Number of elements. */
  length = 0;
  /** Σ stringBytes of the elements held in arrays. */
  private elementBytes = 0;
  /** Σ stringBytes of the packed blocks, and how many there are. */
  private packedBytes = 0;
  private packedBlocks = 0;
  /** Changes whenever a dir slot may get another packed block (the decoded positions' key). */
  private layout = 0;
  accountedBytes = 0;

  encoding(): string {
    return 'quicklist';
  }

  clone(): ListValue {
    const copy = new ListValue();
    for (let b = 0; b < this.count; b++) {
      const block = this.dir[this.head + b];
      // A packed block is an immutable string: the copy shares it.
      copy.dir.push(typeof block === 'string' ? block : block.slice());
    }
    copy.count = this.count;
    copy.length = this.length;
    copy.elementBytes = this.elementBytes;
    copy.packedBytes = this.packedBytes;
    copy.packedBlocks = this.packedBlocks;
    return copy;
  }

  memoryBytes(): number {
    const inArrays = this.length - this.packedBlocks * BLOCK;
    return OBJECT_BYTES * (1 + this.count) + ARRAY_SLOT_BYTES * inArrays + this.elementBytes + this.packedBytes;
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
    const lastAt = this.head + n - 1;
    const last = n === 0 ? null : this.dir[lastAt];
    // A packed block is full: no need to unpack it to find that out.
    if (last !== null && typeof last !== 'string' && last.length < BLOCK) last.push(s);
    else {
      this.dir[this.head + n] = [s];
      this.count = n + 1;
      this.settle(lastAt);
    }
    this.length++;
    this.elementBytes += stringBytes(s.length);
  }

  pushFront(s: string): void {
    const first = this.count === 0 ? null : this.dir[this.head];
    if (first !== null && typeof first !== 'string' && first.length < BLOCK) first.unshift(s);
    else {
      if (this.head === 0) this.growFront();
      this.dir[--this.head] = [s];
      this.count++;
      this.settle(this.head + 1);
    }
    this.length++;
    this.elementBytes += stringBytes(s.length);
  }

  /** Removes and returns the first element (undefined when empty). */
  popFront(): string | undefined {
    if (this.count === 0) return undefined;
    const first = this.arrayAt(this.head);
    const s = first.shift()!;
    if (first.length === 0) this.dropFirstBlock();
    this.length--;
    this.elementBytes -= stringBytes(s.length);
    return s;
  }

  /** Removes and returns the last element (undefined when empty). */
  popBack(): string | undefined {
    if (this.count === 0) return undefined;
    const last = this.arrayAt(this.head + this.count - 1);
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
      if (n >= BLOCK && typeof this.dir[this.head] === 'string') {
        this.forgetPacked(this.dir[this.head] as string);
        n -= BLOCK;
        this.dropFirstBlock();
        continue;
      }
      const first = this.arrayAt(this.head);
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
      const lastAt = this.head + this.count - 1;
      if (n >= BLOCK && typeof this.dir[lastAt] === 'string') {
        this.forgetPacked(this.dir[lastAt] as string);
        n -= BLOCK;
        this.dropLastBlock();
        continue;
      }
      const last = this.arrayAt(lastAt);
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
    this.layout++;
  }

  /** Makes room for new first blocks: slack in front as large as the used part (amortized O(1)). */
  private growFront(): void {
    const slack = Math.max(4, this.count);
    const dir: Block[] = new Array<Block>(slack).fill(EMPTY_BLOCK);
    for (let b = 0; b < this.count; b++) dir.push(this.dir[this.head + b]);
    this.dir = dir;
    this.head = slack;
    this.layout++;
  }

  // -------------------------------------------------------------------------------------------
  // Packing

  /** The block at dir index `d` as an array, unpacking it in place when packed. */
  private arrayAt(d: number): string[] {
    const block = this.dir[d];
    if (typeof block !== 'string') return block;
    this.decode(d, block);
    const items = new Array<string>(BLOCK);
    for (let j = 0; j < BLOCK; j++) {
      items[j] = block.slice(starts[j], starts[j] + lengths[j]);
      this.elementBytes += stringBytes(lengths[j]);
    }
    this.forgetPacked(block);
    this.dir[d] = items;
    this.layout++;
    return items;
  }

  /** Fills `starts`/`lengths` for the packed block at dir index `d`, unless they hold it already. */
  private decode(d: number, block: string): void {
    if (decodedList === this && decodedAt === d && decodedLayout === this.layout) return;
    let pos = 0;
    for (let j = 0; j < BLOCK; j++) {
      let c = block.charCodeAt(pos++);
      let len = c & 0x7f;
      for (let shift = 128; c >= 0x80; shift *= 128) {
        c = block.charCodeAt(pos++);
        len += (c & 0x7f) * shift;
      }
      starts[j] = pos;
      lengths[j] = len;
      pos += len;
    }
    decodedList = this;
    decodedAt = d;
    decodedLayout = this.layout;
  }

  private forgetPacked(block: string): void {
    this.packedBytes -= stringBytes(block.length);
    this.packedBlocks--;
  }

  /** Packs the block at dir index `d` if it is a full array between the two end blocks. */
  private settle(d: number): void {
    if (d <= this.head || d >= this.head + this.count - 1) return;
    const block = this.dir[d];
    if (typeof block === 'string' || block.length < BLOCK) return;
    let bytes = 0;
    for (let j = 0; j < BLOCK; j++) bytes += block[j].length;
    if (bytes > PACK_MAX_BYTES) return;
    const parts = new Array<string>(2 * BLOCK);
    for (let j = 0; j < BLOCK; j++) {
      const s = block[j];
      parts[2 * j] = varint(s.length);
      parts[2 * j + 1] = s;
      this.elementBytes -= stringBytes(s.length);
    }
    const packed = parts.join('');
    this.packedBytes += stringBytes(packed.length);
    this.packedBlocks++;
    this.dir[d] = packed;
    this.layout++;
  }

  /** Packs every middle block an edit left as an array. */
  private settleAll(): void {
    for (let d = this.head + 1; d < this.head + this.count - 1; d++) this.settle(d);
  }

  // -------------------------------------------------------------------------------------------
  // By index (0 ≤ i < length; callers convert negative indexes)

  /** The dir index of the block holding index i; the index within the block goes to `slotInBlock`. */
  private locate(i: number): number {
    const first = this.dir[this.head];
    const firstLength = typeof first === 'string' ? BLOCK : first.length;
    if (i < firstLength) {
      slotInBlock = i;
      return this.head;
    }
    const k = i - firstLength;
    slotInBlock = k & BLOCK_MASK;
    return this.head + 1 + (k >>> BLOCK_SHIFT);
  }

  at(i: number): string {
    const d = this.locate(i);
    const j = slotInBlock;
    const block = this.dir[d];
    if (typeof block !== 'string') return block[j];
    this.decode(d, block);
    return block.slice(starts[j], starts[j] + lengths[j]);
  }

  /** Replaces the element at index i (LSET). */
  set(i: number, s: string): void {
    this.settle(this.assign(i, s));
  }

  /** Replaces the element at index i, leaving its block unpacked; returns the block's dir index. */
  private assign(i: number, s: string): number {
    const d = this.locate(i);
    const j = slotInBlock;
    const block = this.arrayAt(d);
    this.elementBytes += stringBytes(s.length) - stringBytes(block[j].length);
    block[j] = s;
    return d;
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
      for (let k = 1; k < i; k++) this.assign(k, this.at(k + 1));
      this.assign(i, s);
    } else {
      if (i === n) {
        this.pushBack(s);
        return;
      }
      this.pushBack(this.at(n - 1));
      for (let k = n - 1; k > i; k--) this.assign(k, this.at(k - 1));
      this.assign(i, s);
    }
    this.settleAll();
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
      this.assign(write++, this.at(read));
    }
    this.dropBack(k);
    this.settleAll();
  }

  /** Every element, head to tail (tests, snapshots). */
  toArray(): string[] {
    const out: string[] = [];
    for (let b = 0; b < this.count; b++) {
      const block = this.dir[this.head + b];
      if (typeof block !== 'string') {
        for (const s of block) out.push(s);
        continue;
      }
      this.decode(this.head + b, block);
      for (let j = 0; j < BLOCK; j++) out.push(block.slice(starts[j], starts[j] + lengths[j]));
    }
    return out;
  }
}

/** ListValue.locate's second result (module-level: no allocation, read right after the call). */
let slotInBlock = 0;

/** Placeholder for unused directory slots, so that the directory holds blocks only. */
const EMPTY_BLOCK: string[] = [];

/**
 * Where the elements of the packed block decoded last are: element j is
 * block.slice(starts[j], starts[j] + lengths[j]). Shared by every list, keyed by list, dir index
 * and layout (strings have no identity to compare, and comparing their contents costs as much as
 * decoding).
 */
let decodedList: ListValue | null = null;
let decodedAt = -1;
let decodedLayout = -1;
const starts = new Int32Array(BLOCK);
const lengths = new Int32Array(BLOCK);

/** A length as a varint: 7 bits per char, low bits first, high bit set on all but the last. */
function varint(n: number): string {
  if (n < 0x80) return String.fromCharCode(n);
  let out = '';
  while (n >= 0x80) {
    out += String.fromCharCode((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  return out + String.fromCharCode(n);
}

/** Redis's index normalization: negative counts from the tail; -1 when out of range. */
export function listIndex(list: ListValue, index: number): number {
  const i = index < 0 ? list.length + index : index;
  return i >= 0 && i < list.length ? i : -1;
}
