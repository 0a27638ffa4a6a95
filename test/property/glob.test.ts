/*
 * globMatch against two references: a direct recursive model of stringmatchlen's definition (many
 * runs, nocase included), and redis-server itself (KEYS over random keys and patterns, compared with
 * strata's KEYS on the same data).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { globMatch } from '../../src/types/glob.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);
const signedChar = (c: number): number => (c >= 128 ? c - 256 : c);

/**
 * One class starting after '[' at `i`: [matched, index of its closing ']' or of the last pattern
 * byte when unterminated]. Written from the documented behaviour, independently of src/types/glob.ts.
 */
function modelClass(p: number[], i: number, ch: number, nocase: boolean): [boolean, number] {
  let negate = false;
  if (p[i] === 94) {
    negate = true;
    i++;
  }
  let hit = false;
  while (true) {
    const left = p.length - i;
    if (left >= 2 && p[i] === 92) {
      if (p[i + 1] === ch) hit = true;
      i += 2;
      continue;
    }
    if (left >= 1 && p[i] === 93) break;
    if (left === 0) {
      i = p.length - 1;
      break;
    }
    if (left >= 3 && p[i + 1] === 45) {
      const a = signedChar(p[i]);
      const b = signedChar(p[i + 2]);
      let lo = Math.min(a, b);
      let hi = Math.max(a, b);
      let c = signedChar(ch);
      if (nocase) [lo, hi, c] = [lower(lo), lower(hi), lower(c)];
      if (c >= lo && c <= hi) hit = true;
      i += 3;
      continue;
    }
    if (nocase ? lower(p[i]) === lower(ch) : p[i] === ch) hit = true;
    i++;
  }
  return [hit !== negate, i];
}

/** M(pi, si) with si < |s|: plain recursion over every way a star can be matched. */
function model(pattern: string, subject: string, nocase: boolean): boolean {
  const p = [...pattern].map((c) => c.charCodeAt(0));
  const s = [...subject].map((c) => c.charCodeAt(0));
  if (s.length === 0) return p.length === 0;
  const m = (pi: number, si: number): boolean => {
    if (pi === p.length) return false;
    if (p[pi] === 42) {
      while (p[pi + 1] === 42) pi++;
      if (pi === p.length - 1) return true;
      for (let k = si; k < s.length; k++) if (m(pi + 1, k)) return true;
      return false;
    }
    let ok: boolean;
    let next: number;
    if (p[pi] === 63) {
      ok = true;
      next = pi + 1;
    } else if (p[pi] === 91) {
      const [hit, end] = modelClass(p, pi + 1, s[si], nocase);
      ok = hit;
      next = end + 1;
    } else {
      const lit = p[pi] === 92 && pi + 1 < p.length ? pi + 1 : pi;
      ok = nocase ? lower(p[lit]) === lower(s[si]) : p[lit] === s[si];
      next = lit + 1;
    }
    if (!ok) return false;
    if (si + 1 === s.length) {
      while (p[next] === 42) next++;
      return next === p.length;
    }
    return m(next, si + 1);
  };
  return m(0, 0);
}

const patternChar = fc.constantFrom('a', 'b', 'A', 'z', '*', '*', '?', '[', ']', '^', '-', '\\', '\x00', '\x80', '\xff');
const subjectChar = fc.constantFrom('a', 'b', 'B', 'z', '-', ']', '\\', '*', '^', '\x00', '\x80', '\xff');
const pattern = fc.array(patternChar, { maxLength: 10 }).map((a) => a.join(''));
const subject = fc.array(subjectChar, { maxLength: 8 }).map((a) => a.join(''));

describe('globMatch agrees with a recursive model of stringmatchlen', () => {
  it('case-sensitive', () => {
    fc.assert(
      fc.property(pattern, subject, (p, s) => globMatch(p, s) === model(p, s, false)),
      { numRuns: 20000 },
    );
  });

  it('case-insensitive', () => {
    fc.assert(
      fc.property(pattern, subject, (p, s) => globMatch(p, s, true) === model(p, s, true)),
      { numRuns: 20000 },
    );
  });
});

describe('KEYS with random patterns matches redis-server', () => {
  let strata: RunningServer;
  let redis: RunningServer;
  let a: RawClient;
  let b: RawClient;

  beforeAll(async () => {
    [strata, redis] = await Promise.all([startServer(), startServer({ redis: true })]);
    a = await RawClient.connect(strata.port);
    b = await RawClient.connect(redis.port);
  });

  afterAll(async () => {
    a.close();
    b.close();
    await Promise.all([strata.stop(), redis.stop()]);
  });

  /** KEYS reply as a sorted list of keys (order differs between the two servers' dicts). */
  async function keysOn(c: RawClient, p: string): Promise<string[]> {
    const reply = await c.call('KEYS', p);
    const keys: string[] = [];
    const lines = reply.split('\r\n');
    for (let i = 1; i + 1 < lines.length; i += 2) keys.push(lines[i + 1]);
    return keys.sort();
  }

  it('returns the same keys for the same data', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(subject, { minLength: 1, maxLength: 12 }), fc.array(pattern, { minLength: 1, maxLength: 8 }), async (keys, patterns) => {
        for (const c of [a, b]) {
          expect(await c.call('FLUSHALL')).toBe('+OK\r\n');
          expect(await c.call('MSET', ...keys.flatMap((k) => [k, 'v']))).toBe('+OK\r\n');
        }
        for (const p of patterns) expect(await keysOn(a, p)).toEqual(await keysOn(b, p));
      }),
      { numRuns: 300 },
    );
  });
});
