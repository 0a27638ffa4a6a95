/*
 * BITFIELD arithmetic against a BigInt model: the bitmap as one big integer (bit 0 = its most
 * significant bit), fields read and written by shifting and masking, overflow by exact comparison
 * with the type's range. The model is the documented semantics; Redis's int64 quirks (a SET far
 * below a signed type, a negative SET of an unsigned one) are covered by the differential tests
 * instead, so SET values here stay within ±2^62 and are not negative for unsigned types.
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countBits, fieldResult, findBit, getSignedField, getUnsignedField, setField, type FieldType, type Overflow } from '../../src/types/bitfield.js';

/** A bitmap of `bytes` bytes as a BigInt, most significant bit first. */
class ModelBitmap {
  constructor(
    public value: bigint,
    public readonly bytes: number,
  ) {}

  get(offset: number, bits: number): bigint {
    const shift = BigInt(this.bytes * 8 - offset - bits);
    return (this.value >> shift) & ((1n << BigInt(bits)) - 1n);
  }

  set(offset: number, bits: number, v: bigint): void {
    const shift = BigInt(this.bytes * 8 - offset - bits);
    const mask = ((1n << BigInt(bits)) - 1n) << shift;
    this.value = (this.value & ~mask) | ((BigInt.asUintN(bits, v) << shift) & mask);
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    for (let i = 0; i < this.bytes; i++) out[i] = Number((this.value >> BigInt((this.bytes - 1 - i) * 8)) & 0xffn);
    return out;
  }
}

function modelResult(t: FieldType, old: bigint, value: bigint, incr: boolean, policy: Overflow): bigint | null {
  const b = BigInt(t.bits);
  const max = t.signed ? (1n << (b - 1n)) - 1n : (1n << b) - 1n;
  const min = t.signed ? -(1n << (b - 1n)) : 0n;
  const target = incr ? old + value : value;
  if (target >= min && target <= max) return target;
  if (policy === 'fail') return null;
  if (policy === 'sat') return target > max ? max : min;
  const wrapped = ((target - min) % (max - min + 1n) + (max - min + 1n)) % (max - min + 1n);
  return wrapped + min;
}

const fieldType = fc.oneof(
  fc.integer({ min: 1, max: 64 }).map((bits): FieldType => ({ signed: true, bits })),
  fc.integer({ min: 1, max: 63 }).map((bits): FieldType => ({ signed: false, bits })),
);
const policy = fc.constantFrom<Overflow>('wrap', 'sat', 'fail');
const op = fc.record({
  type: fieldType,
  offset: fc.integer({ min: 0, max: 120 }),
  incr: fc.boolean(),
  value: fc.oneof(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), fc.integer({ min: -300, max: 300 }).map(BigInt)),
  incrValue: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.integer({ min: -300, max: 300 }).map(BigInt)),
  policy,
});

describe('BITFIELD arithmetic matches a BigInt model', () => {
  it('SET and INCRBY of every type and overflow policy, then GET, leave the same bits and results', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 20 }), (ops) => {
        const bytes = 25;
        const buf = new Uint8Array(bytes);
        const model = new ModelBitmap(0n, bytes);
        for (const o of ops) {
          const { bits, signed } = o.type;
          const old = signed ? getSignedField(buf, o.offset, bits) : getUnsignedField(buf, o.offset, bits);
          const modelOld = signed ? BigInt.asIntN(bits, model.get(o.offset, bits)) : model.get(o.offset, bits);
          expect(old).toBe(modelOld);
          const value = o.incr ? o.incrValue : !signed && o.value < 0n ? -o.value : o.value;
          const next = fieldResult(o.type, old, value, o.incr, o.policy);
          expect(next).toBe(modelResult(o.type, modelOld, value, o.incr, o.policy));
          if (next === null) continue;
          setField(buf, o.offset, bits, next);
          model.set(o.offset, bits, next);
          expect(Buffer.from(buf).equals(Buffer.from(model.toBytes()))).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('fields read from a string past its end see zero bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 10 }), fieldType, fc.integer({ min: 0, max: 150 }), (bytes, t, offset) => {
        const s = Buffer.from(bytes).toString('latin1');
        const padded = new Uint8Array(40);
        padded.set(bytes);
        expect(getUnsignedField(s, offset, t.bits)).toBe(getUnsignedField(padded, offset, t.bits));
      }),
    );
  });

  it('BITCOUNT and BITPOS bit ranges agree with a bit-by-bit scan', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.nat(), fc.nat(), fc.constantFrom<0 | 1>(0, 1), (bytes, a, b, bit) => {
        const s = Buffer.from(bytes).toString('latin1');
        const total = bytes.length * 8;
        const start = a % total;
        const end = start + (b % (total - start));
        let count = 0;
        let first = -1;
        for (let i = start; i <= end; i++) {
          const v = (bytes[i >> 3] >> (7 - (i & 7))) & 1;
          count += v;
          if (first < 0 && v === bit) first = i;
        }
        expect(countBits(s, start, end)).toBe(count);
        expect(findBit(s, bit, start, end)).toBe(first);
      }),
      { numRuns: 500 },
    );
  });
});
