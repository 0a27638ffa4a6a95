/*
 * isOpt (src/commands/args.ts): an option matches whatever the case of its ASCII letters, as
 * Redis's strcasecmp, and nothing else does.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOpt } from '../../src/commands/args.js';

const OPTIONS = ['WITHSCORES', 'NX', 'XX', 'GT', 'LT', 'CH', 'INCR', 'COUNT', 'STOREDIST', 'FROMLONLAT', 'BYRADIUS', 'ASC', 'DESC', 'ANY', 'MAXLEN', '~', '='];

/** ASCII-only upper case, as C's toupper in the C locale. */
const asciiUpper = (s: string): string => s.replace(/[a-z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 32));

describe('isOpt', () => {
  it('matches an option in any mix of cases, and only it', () => {
    const variant = fc
      .tuple(fc.constantFrom(...OPTIONS), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }))
      .map(([opt, lower]) => [...opt].map((ch, i) => (lower[i] ? ch.toLowerCase() : ch)).join(''));
    // Near misses: latin1 bytes, letters one case-bit away ('@' vs '`', '[' vs '{'), other lengths.
    const bytes = fc.array(fc.constantFrom('a', 'A', 's', 'S', 'c', 'C', '`', '@', '{', '[', '\xe1', '\xc1', '\xff', 'x', 'X', '~', '='), { maxLength: 11 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.oneof(variant, bytes), fc.constantFrom(...OPTIONS), (arg, opt) => {
        expect(isOpt(arg, opt)).toBe(asciiUpper(arg) === opt);
      }),
      { numRuns: 3000 },
    );
  });
});
