import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareIds, ID_MAX, ID_ZERO, idPred, idString, idSucc, makeId, Stream, u64, U64_MAX, type StreamID } from '../../src/types/stream.js';

/**
 * The stream type against a plain sorted-array model: appends, deletions, exact trims and range
 * scans both ways, with ids whose halves cross 2^53 (numbers below, bigints above) and reach
 * 2^64 - 1.
 */

const LIMITS = { maxBytes: 200, maxEntries: 3 };

const half = fc.oneof(
  fc.integer({ min: 0, max: 20 }).map((n) => u64(BigInt(n))),
  fc.constantFrom(2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, U64_MAX - 1n, U64_MAX).map(u64),
);
const id = fc.tuple(half, half).map(([ms, seq]) => makeId(ms, seq));

type Op = { op: 'add'; id: StreamID } | { op: 'del'; id: StreamID } | { op: 'trim'; maxlen: number } | { op: 'minid'; id: StreamID };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: id.map((i) => ({ op: 'add' as const, id: i })) },
  { weight: 2, arbitrary: id.map((i) => ({ op: 'del' as const, id: i })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 10 }).map((n) => ({ op: 'trim' as const, maxlen: n })) },
  { weight: 1, arbitrary: id.map((i) => ({ op: 'minid' as const, id: i })) },
);

describe('Stream against a sorted-array model', () => {
  it('keeps the same live entries, length, first id and range answers', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), id, id, fc.integer({ min: 0, max: 4 }), (ops, a, b, count) => {
        const s = new Stream();
        let model: StreamID[] = [];
        for (const o of ops) {
          if (o.op === 'add') {
            if (compareIds(o.id, s.lastId) <= 0) continue;
            s.append(o.id, ['f', idString(o.id)], LIMITS);
            model.push(o.id);
          } else if (o.op === 'del') {
            const had = model.some((m) => compareIds(m, o.id) === 0);
            expect(s.deleteIds([o.id])).toBe(had ? 1 : 0);
            model = model.filter((m) => compareIds(m, o.id) !== 0);
          } else if (o.op === 'trim') {
            const removed = s.trim({ strategy: 'maxlen', maxlen: o.maxlen, minid: ID_ZERO, approx: false, limit: 0 });
            const keep = Math.min(model.length, o.maxlen);
            expect(removed).toBe(model.length - keep);
            model = model.slice(model.length - keep);
          } else {
            s.trim({ strategy: 'minid', maxlen: 0, minid: o.id, approx: false, limit: 0 });
            model = model.filter((m) => compareIds(m, o.id) >= 0);
          }
          expect(s.length).toBe(model.length);
          expect(s.firstId).toEqual(model.length > 0 ? model[0] : ID_ZERO);
        }
        const [lo, hi] = compareIds(a, b) <= 0 ? [a, b] : [b, a];
        const inRange = model.filter((m) => compareIds(m, lo) >= 0 && compareIds(m, hi) <= 0);
        const fwd = s.range(lo, hi, false, count).map((e) => e.id);
        const rev = s.range(lo, hi, true, count).map((e) => e.id);
        expect(fwd).toEqual(count > 0 ? inRange.slice(0, count) : inRange);
        expect(rev).toEqual(count > 0 ? [...inRange].reverse().slice(0, count) : [...inRange].reverse());
        expect(s.range(ID_ZERO, ID_MAX, false, 0).map((e) => e.id)).toEqual(model);
        for (const m of model) expect(s.get(m)?.fields[1]).toBe(idString(m));
        // A copy is deep: changing it leaves the original as it was.
        const copy = s.clone();
        copy.trim({ strategy: 'maxlen', maxlen: 0, minid: ID_ZERO, approx: false, limit: 0 });
        expect(s.length).toBe(model.length);
      }),
      { numRuns: 300 },
    );
  });

  it('id successor and predecessor carry across the halves and stop at the ends', () => {
    fc.assert(
      fc.property(id, (i) => {
        const next = idSucc(i);
        if (next === null) expect(i).toEqual(ID_MAX);
        else {
          expect(compareIds(next, i)).toBe(1);
          expect(idPred(next)).toEqual(i);
          expect(BigInt(next.ms) * 2n ** 64n + BigInt(next.seq)).toBe(BigInt(i.ms) * 2n ** 64n + BigInt(i.seq) + 1n);
        }
      }),
    );
    expect(idPred(ID_ZERO)).toBeNull();
    expect(idString(makeId(u64(2n ** 53n), u64(U64_MAX)))).toBe('9007199254740992-18446744073709551615');
  });
});
