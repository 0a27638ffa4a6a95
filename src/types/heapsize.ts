/*
 * What values cost in the V8 heap (64-bit, no pointer compression: Node's default build), as
 * cheap estimates for used_memory and eviction. They are not exact: V8 does not say what one
 * object costs, and hash tables grow in powers of two. test/integration/memory-accounting.test.ts
 * keeps them within a sane factor of real RSS growth.
 *
 * Collections keep the sum of stringBytes() of their elements as they change (O(1) per mutation)
 * and price themselves as base + per-entry overhead × size + that sum (memoryBytes()).
 */

/** A sequential one-byte string: map + hash + length (16 bytes), then the bytes, 8-aligned. */
export function stringBytes(len: number): number {
  return (16 + len + 7) & ~7;
}

/** A number: a small integer lives in the pointer itself; any other is a 16-byte HeapNumber. */
export function numberBytes(n: number): number {
  return (n | 0) === n ? 0 : 16;
}

/** One entry of a JS Map (key, value, chain = 3 words) plus its share of buckets and growth slack. */
export const MAP_ENTRY_BYTES = 40;

/** A plain object or array header with a few fields (collections' own objects). */
export const OBJECT_BYTES = 64;

/** One slot of a JS array, with the slack of amortized growth. */
export const ARRAY_SLOT_BYTES = 12;
