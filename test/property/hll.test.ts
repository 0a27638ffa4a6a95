/*
 * The HyperLogLog building blocks: MurmurHash64A in 32-bit halves against a plain BigInt version
 * of the same algorithm, and any bytes behind an HLL header handled without an exception (corrupt
 * forms are reported, never trusted).
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Hll, looksLikeHll, murmurHash64A } from '../../src/types/hll.js';

const M = 0xc6a4a7935bd1e995n;
const MASK = (1n << 64n) - 1n;

/** MurmurHash64A, seed 0xadc83b19, little-endian blocks, in BigInt. */
function referenceHash(bytes: Uint8Array): bigint {
  const len = bytes.length;
  let h = (0xadc83b19n ^ (BigInt(len) * M)) & MASK;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(bytes[i + j]);
    k = (k * M) & MASK;
    k ^= k >> 47n;
    k = (k * M) & MASK;
    h ^= k;
    h = (h * M) & MASK;
  }
  if (len & 7) {
    for (let j = (len & 7) - 1; j >= 0; j--) h ^= BigInt(bytes[blocks + j]) << BigInt(8 * j);
    h = (h * M) & MASK;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK;
  h ^= h >> 47n;
  return h;
}

describe('MurmurHash64A', () => {
  it('equals the BigInt reference on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(murmurHash64A(Buffer.from(bytes).toString('latin1'))).toBe(referenceHash(bytes));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('HLL values of arbitrary bytes', () => {
  it('count, merge, convert and take elements without throwing', () => {
    const header = fc.constantFrom(0, 1).map((enc) => 'HYLL' + String.fromCharCode(enc) + '\0'.repeat(11));
    const body = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 12288, maxLength: 12288 }));
    fc.assert(
      fc.property(header, body, fc.array(fc.string(), { maxLength: 5 }), fc.integer({ min: 0, max: 300 }), (h, b, elements, maxBytes) => {
        const s = h + Buffer.from(b).toString('latin1');
        if (!looksLikeHll(s)) return;
        const hll = Hll.from(s);
        const count = hll.count();
        expect(count === -1 || count >= 0).toBe(true);
        const max = new Uint8Array(16384);
        hll.mergeInto(max);
        for (const e of elements) expect([1, 0, -1]).toContain(hll.add(e, maxBytes));
        hll.toDense();
        expect(typeof hll.toString()).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});
