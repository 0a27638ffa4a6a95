import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StringDict, scanCursorNext } from '../../src/types/strdict.js';
import { HashObject } from '../../src/types/hash.js';
import { SetObject } from '../../src/types/set.js';

/** The pure types against models, and the SCAN cursor's guarantee under concurrent changes. */

const key = fc.oneof(fc.integer({ min: -50, max: 50 }).map(String), fc.string({ maxLength: 4 }), fc.constantFrom('', '\u0000', '\u00ff\r\n'));

type Op = { op: 'set' | 'del'; k: string; v: string };
const ops = fc.array(fc.record({ op: fc.constantFrom<'set' | 'del'>('set', 'set', 'del'), k: key, v: fc.string({ maxLength: 3 }) }), { maxLength: 300 });

describe('StringDict', () => {
  it('behaves like a Map through inserts, updates, deletes and resizes', () => {
    fc.assert(
      fc.property(ops, (list: Op[]) => {
        const d = new StringDict(true);
        const m = new Map<string, string>();
        for (const { op, k, v } of list) {
          if (op === 'set') expect(d.set(k, v)).toBe(!m.has(k));
          else expect(d.delete(k)).toBe(m.delete(k));
          if (op === 'set') m.set(k, v);
        }
        expect(d.size).toBe(m.size);
        for (const [k, v] of m) expect(d.get(k)).toBe(v);
        const seen = new Map<string, string>();
        for (let i = 0; i < d.size; i++) seen.set(d.keyAt(i), d.valueAt(i));
        expect(seen).toEqual(m);
        expect(d.clone().get(list[0]?.k ?? 'x')).toBe(m.get(list[0]?.k ?? 'x'));
      }),
    );
  });

  it('a full scan returns every key present throughout, while keys are added and removed between steps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.boolean()), { maxLength: 200 }),
        fc.integer({ min: 1, max: 5 }),
        (initial, churn, stepsPerChange) => {
          const d = new StringDict(false);
          for (let i = 0; i < initial; i++) d.add(`k${i}`);
          const removed = new Set<string>();
          const seen = new Set<string>();
          let cursor = 0;
          let steps = 0;
          let c = 0;
          do {
            cursor = d.scanStep(cursor, (i) => seen.add(d.keyAt(i)));
            if (++steps % stepsPerChange === 0 && c < churn.length) {
              const [n, add] = churn[c++];
              // Changes grow and shrink the table between steps; removals only touch keys we then
              // exclude from the guarantee.
              if (add) d.add(`n${n}`);
              else if (n < initial) {
                d.delete(`k${n}`);
                removed.add(`k${n}`);
              }
            }
          } while (cursor !== 0);
          for (let i = 0; i < initial; i++) if (!removed.has(`k${i}`)) expect(seen.has(`k${i}`)).toBe(true);
        },
      ),
    );
  });

  it('the cursor visits every bucket once and ends at 0', () => {
    for (const mask of [0, 1, 3, 255]) {
      const visited = new Set<number>();
      let v = 0;
      do {
        visited.add(v & mask);
        v = scanCursorNext(v, mask);
      } while (v !== 0);
      expect(visited.size).toBe(mask + 1);
    }
  });
});

describe('SetObject', () => {
  it('matches a Set model and keeps intsets sorted until conversion', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), key), { maxLength: 200 }), fc.integer({ min: 1, max: 20 }), (list, maxIntset) => {
        const s = SetObject.forFirstMember(list[0]?.[1] ?? '1');
        const m = new Set<string>();
        for (const [add, k] of list) {
          if (add) expect(s.add(k, maxIntset)).toBe(!m.has(k));
          else expect(s.remove(k)).toBe(m.delete(k));
          if (add) m.add(k);
        }
        expect(s.size).toBe(m.size);
        expect(new Set(s.members())).toEqual(m);
        for (const k of m) expect(s.has(k)).toBe(true);
        if (s.encoding() === 'intset') {
          const nums = s.members().map(BigInt);
          for (let i = 1; i < nums.length; i++) expect(nums[i - 1] < nums[i]).toBe(true);
          expect(s.size).toBeLessThanOrEqual(maxIntset);
        }
      }),
    );
  });
});

describe('HashObject', () => {
  it('matches a Map model across listpack and hashtable, with TTLs', () => {
    fc.assert(
      fc.property(ops, fc.integer({ min: 1, max: 20 }), (list: Op[], maxEntries) => {
        const limits = { maxEntries, maxValue: 2 };
        const h = new HashObject();
        const m = new Map<string, string>();
        h.enableTtls();
        let t = 0;
        for (const { op, k, v } of list) {
          if (op === 'set') {
            expect(h.set(k, v, limits)).toBe(!m.has(k));
            m.set(k, v);
            if (v.length === 1) h.setExpire(k, ++t);
          } else expect(h.delete(k)).toBe(m.delete(k));
        }
        expect(h.size).toBe(m.size);
        for (const [k, v] of m) expect(h.get(k)).toBe(v);
        if (h.size > maxEntries) expect(h.encoding()).toBe('hashtable');
        // Expiring everything due removes exactly the fields with a TTL, earliest first.
        const due = [...m.keys()].filter((k) => h.getExpire(k) !== -1).sort((a, b) => h.getExpire(a) - h.getExpire(b));
        const out: string[] = [];
        h.expireFields(Infinity, Infinity, out);
        expect(out).toEqual(due);
        expect(h.size).toBe(m.size - due.length);
        expect(h.minExpire()).toBe(Infinity);
      }),
    );
  });
});
