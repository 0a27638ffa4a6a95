/*
 * Number parsing as Redis's strtod-based checks accept it: the fast path for plain decimal text
 * must accept and reject exactly what the full pattern does.
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDouble } from '../../src/types/numbers.js';

/** strtod's decimal form, as Redis accepts it for a double argument (no spaces, no words). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

describe('parseDouble', () => {
  it('reads any string of digits, signs, dots and exponent marks as the decimal pattern does', () => {
    const text = fc.array(fc.constantFrom(...'0123456789.+-eE'), { minLength: 1, maxLength: 12 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, (s) => {
        expect(parseDouble(s)).toBe(DECIMAL.test(s) ? Number(s) : null);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads numbers formatted every way JS writes them', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        for (const s of [String(d), d.toExponential(), d.toFixed(3)]) expect(parseDouble(s)).toBe(Number(s));
      }),
    );
    expect(parseDouble('inf')).toBe(Infinity);
    expect(parseDouble('-Infinity')).toBe(-Infinity);
    expect(parseDouble('nan')).toBeNull();
    expect(parseDouble(' 1')).toBeNull();
    expect(parseDouble('1 ')).toBeNull();
    expect(parseDouble('0x1p3')).toBe(8);
  });
});
