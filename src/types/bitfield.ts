/*
 * Bit-level access to string values, as Redis's bitops.c: SETBIT/GETBIT, BITCOUNT, BITPOS and
 * BITFIELD's integers.
 *
 * Format facts: bit 0 is the most significant bit of byte 0 (the order of SETBIT), so an integer
 * at a byte-aligned offset is big endian. Reads past the end of a value see zero bytes; writes
 * happen on a zero-padded copy (the caller grows the value first). Inputs are latin1 strings (one
 * char per byte) for reads and Uint8Arrays for writes. Offsets are bit positions below 2^32 * 8, so
 * they stay exact in a JS number; integers up to 64 bits are bigints.
 */

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/** The byte at `i`, zero past the end. */
function byteAt(s: string, i: number): number {
  return i < s.length ? s.charCodeAt(i) : 0;
}

/** Mask of the bits of a byte from bit `from` to bit `to` (0 = most significant), inclusive. */
function bitsMask(from: number, to: number): number {
  return (0xff >> from) & (0xff << (7 - to)) & 0xff;
}

/** Number of set bits from bit `startBit` to bit `endBit` inclusive (both within the string). */
export function countBits(s: string, startBit: number, endBit: number): number {
  if (startBit > endBit) return 0;
  const first = Math.floor(startBit / 8);
  const last = Math.floor(endBit / 8);
  if (first === last) return POPCOUNT[s.charCodeAt(first) & bitsMask(startBit & 7, endBit & 7)];
  let n = POPCOUNT[s.charCodeAt(first) & bitsMask(startBit & 7, 7)] + POPCOUNT[s.charCodeAt(last) & bitsMask(0, endBit & 7)];
  for (let i = first + 1; i < last; i++) n += POPCOUNT[s.charCodeAt(i)];
  return n;
}

/**
 * Position of the first bit equal to `bit` from `startBit` to `endBit` inclusive (within the
 * string), or -1 when there is none.
 */
export function findBit(s: string, bit: 0 | 1, startBit: number, endBit: number): number {
  const first = Math.floor(startBit / 8);
  const last = Math.floor(endBit / 8);
  // A byte with no wanted bit in the range reads as `skip`.
  const flip = bit === 1 ? 0 : 0xff;
  for (let i = first; i <= last; i++) {
    let mask = 0xff;
    if (i === first) mask &= bitsMask(startBit & 7, 7);
    if (i === last) mask &= bitsMask(0, endBit & 7);
    const hits = (s.charCodeAt(i) ^ flip) & mask;
    if (hits !== 0) return i * 8 + Math.clz32(hits) - 24;
  }
  return -1;
}

/** The `bits`-wide unsigned integer at bit `offset` (bytes past the end read as zero). */
export function getUnsignedField(src: string | Uint8Array, offset: number, bits: number): bigint {
  let value = 0n;
  let pending = 0;
  let pendingBits = 0;
  for (let j = 0; j < bits; j++, offset++) {
    const byte = Math.floor(offset / 8);
    const b = typeof src === 'string' ? byteAt(src, byte) : byte < src.length ? src[byte] : 0;
    pending = pending * 2 + ((b >> (7 - (offset & 7))) & 1);
    // Gather up to 32 bits in a number before folding them into the bigint.
    if (++pendingBits === 32) {
      value = (value << 32n) | BigInt(pending);
      pending = 0;
      pendingBits = 0;
    }
  }
  return pendingBits === 0 ? value : (value << BigInt(pendingBits)) | BigInt(pending);
}

/** The `bits`-wide two's complement integer at bit `offset`. */
export function getSignedField(src: string | Uint8Array, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsignedField(src, offset, bits));
}

/** Writes the low `bits` bits of `value` at bit `offset`; `buf` must reach offset + bits - 1. */
export function setField(buf: Uint8Array, offset: number, bits: number, value: bigint): void {
  const u = BigInt.asUintN(bits, value);
  for (let j = bits - 1; j >= 0; j--, offset++) {
    const bitval = Number((u >> BigInt(j)) & 1n);
    const byte = Math.floor(offset / 8);
    const shift = 7 - (offset & 7);
    buf[byte] = (buf[byte] & ~(1 << shift)) | (bitval << shift);
  }
}

/** OVERFLOW WRAP | SAT | FAIL. */
export type Overflow = 'wrap' | 'sat' | 'fail';

/** A BITFIELD integer type: i1..i64 or u1..u63. */
export interface FieldType {
  signed: boolean;
  bits: number;
}

const INT64_MAX = (1n << 63n) - 1n;

/**
 * The value to store for `value` (SET) or `old + value` (INCRBY) in a field of type `t`, under the
 * overflow policy; null when it overflows and the policy is FAIL.
 *
 * This follows Redis's checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow to the letter,
 * int64 wrap-around included: an INCRBY is exact (the old value lies within the type), but a SET of
 * a value so far below a signed type that max - value wraps counts as an overflow upwards (SAT
 * stores the maximum), and a negative SET of an unsigned type is read as a huge uint64.
 */
export function fieldResult(t: FieldType, old: bigint, value: bigint, incr: boolean, policy: Overflow): bigint | null {
  const bits = BigInt(t.bits);
  // C's (value, incr) pair: SET checks its value with an increment of 0.
  const v = incr ? old : t.signed ? value : BigInt.asUintN(64, value);
  const inc = incr ? value : 0n;
  let max: bigint;
  let min: bigint;
  let overflow = 0;
  if (t.signed) {
    max = t.bits === 64 ? INT64_MAX : (1n << (bits - 1n)) - 1n;
    min = -max - 1n;
    const maxIncr = BigInt.asIntN(64, max - v);
    const minIncr = BigInt.asIntN(64, min - v);
    if (v > max || (t.bits !== 64 && inc > maxIncr) || (v >= 0n && inc > 0n && inc > maxIncr)) overflow = 1;
    else if (v < min || (t.bits !== 64 && inc < minIncr) || (v < 0n && inc < 0n && inc < minIncr)) overflow = -1;
  } else {
    max = (1n << bits) - 1n;
    min = 0n;
    if (v > max || (inc > 0n && inc > BigInt.asIntN(64, max - v))) overflow = 1;
    else if (inc < 0n && inc < BigInt.asIntN(64, -v)) overflow = -1;
  }
  const sum = v + inc;
  if (overflow === 0) return t.signed ? BigInt.asIntN(64, sum) : BigInt.asUintN(64, sum);
  if (policy === 'fail') return null;
  if (policy === 'sat') return overflow > 0 ? max : min;
  return t.signed ? BigInt.asIntN(t.bits, sum) : BigInt.asUintN(t.bits, sum);
}
