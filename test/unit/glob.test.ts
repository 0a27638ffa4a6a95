import { describe, expect, it } from 'vitest';
import { globMatch } from '../../src/types/glob.js';

// [pattern, subject, match]: every row was checked against redis-server 7.0.15 (KEYS on a db
// holding only the subject). Strings are latin1: '\xff' is the byte 0xff.
const REDIS_VERIFIED: Array<[string, string, boolean]> = [
  ['**', '', false],
  ['', '', true],
  ['a*', 'a', true],
  ['a**', 'a', true],
  ['a*?', 'a', false],
  ['*?', 'a', true],
  ['?*', 'a', true],
  ['h?llo', 'hello', true],
  ['h*o', 'ho', true],
  ['*a*b', 'xaxb', true],
  ['*a*b', 'xaxbx', false],
  ['a*', 'b', false],
  ['\\', '\\', true],
  ['a\\', 'a\\', true],
  ['\\*', '*', true],
  ['\\*', 'a', false],
  ['[^a-c]', 'b', false],
  ['[^a-c]', 'd', true],
  ['[z-a]', 'm', true],
  ['[-a]', '-', true],
  ['[a-]', ']', true],
  ['[a-]', 'b', false],
  ['[a-]x]', 'bx', false],
  ['[a-]x]', 'b', false],
  ['[a-', 'a', true],
  ['[a-', '-', true],
  ['[]', ']', false],
  ['[]]', ']', false],
  ['[\\]]', ']', true],
  ['[\\', '\\', true],
  ['[abc', 'a', true],
  ['[abc', 'ab', false],
  ['[^', 'z', true],
  ['[^', '', false],
  ['[', 'x', false],
  ['[\x01-\xff]', '\xff', true],
  ['[\x01-\xff]', '\x00', true],
  ['[\x01-\xff]', 'a', false],
  ['[\xff-\x01]', '\x00', true],
  ['[\x80-\x90]', '\x85', true],
  ['[\x7f-\x80]', 'a', true],
  ['\x00*', '\x00ab', true],
  ['*\x00', 'a\x00', true],
];

describe('globMatch (stringmatchlen)', () => {
  it.each(REDIS_VERIFIED)('%j against %j is %s, as in Redis', (pattern, subject, expected) => {
    expect(globMatch(pattern, subject)).toBe(expected);
  });

  it('an empty subject matches only the empty pattern, even "*"', () => {
    expect(globMatch('*', '')).toBe(false);
    expect(globMatch('', '')).toBe(true);
    expect(globMatch('', 'a')).toBe(false);
  });

  it('nocase folds A-Z only, and not inside a class escape', () => {
    expect(globMatch('HeLLo', 'hello', true)).toBe(true);
    expect(globMatch('HeLLo', 'hello')).toBe(false);
    expect(globMatch('[A-C]x', 'bX', true)).toBe(true);
    expect(globMatch('[\\A]', 'a', true)).toBe(false);
    expect(globMatch('[A]', 'a', true)).toBe(true);
    expect(globMatch('\xc0', '\xe0', true)).toBe(false);
  });

  it('survives patterns with many stars and long subjects without deep recursion', () => {
    const pattern = '*a'.repeat(50000) + '*b';
    expect(globMatch(pattern, 'a'.repeat(60000))).toBe(false);
    expect(globMatch(pattern, 'a'.repeat(50000) + 'b')).toBe(true);
  });
});
