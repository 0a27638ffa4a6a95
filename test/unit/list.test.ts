import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ListValue, listIndex } from '../../src/types/list.js';

/** Operations on a ListValue mirrored on a plain array. */
type Op =
  | { op: 'pushFront' | 'pushBack'; value: string }
  | { op: 'popFront' | 'popBack' }
  | { op: 'dropFront' | 'dropBack'; n: number }
  | { op: 'insertAt'; at: number; value: string }
  | { op: 'set'; at: number; value: string }
  | { op: 'removeEvery'; value: string }
  | { op: 'pushMany'; n: number; front: boolean };

// Long elements: a two-char length in a packed block, and blocks too large to pack (over 8 kB).
const value = fc.constantFrom('a', 'b', 'c', '', '\x00\xff', 'x'.repeat(200), 'y'.repeat(70));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constantFrom('pushFront' as const, 'pushBack' as const), value }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('popFront' as const, 'popBack' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('dropFront' as const, 'dropBack' as const), n: fc.nat(300) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('insertAt' as const), at: fc.nat(1000), value }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(1000), value }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('removeEvery' as const), value }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pushMany' as const), n: fc.nat(400), front: fc.boolean() }) },
);

function apply(list: ListValue, model: string[], o: Op): void {
  switch (o.op) {
    case 'pushFront':
      list.pushFront(o.value);
      model.unshift(o.value);
      break;
    case 'pushBack':
      list.pushBack(o.value);
      model.push(o.value);
      break;
    case 'popFront':
      expect(list.popFront()).toBe(model.shift());
      break;
    case 'popBack':
      expect(list.popBack()).toBe(model.pop());
      break;
    case 'dropFront': {
      const n = Math.min(o.n, model.length);
      list.dropFront(n);
      model.splice(0, n);
      break;
    }
    case 'dropBack': {
      const n = Math.min(o.n, model.length);
      list.dropBack(n);
      model.length -= n;
      break;
    }
    case 'insertAt': {
      const at = o.at % (model.length + 1);
      list.insertAt(at, o.value);
      model.splice(at, 0, o.value);
      break;
    }
    case 'set':
      if (model.length === 0) break;
      list.set(o.at % model.length, o.value);
      model[o.at % model.length] = o.value;
      break;
    case 'pushMany':
      for (let i = 0; i < o.n; i++) {
        const v = i % 50 === 49 ? 'z'.repeat(130) : String(i % 7);
        if (o.front) {
          list.pushFront(v);
          model.unshift(v);
        } else {
          list.pushBack(v);
          model.push(v);
        }
      }
      break;
    case 'removeEvery': {
      const hits: number[] = [];
      model.forEach((v, i) => v === o.value && hits.push(i));
      list.removeSorted(hits);
      for (let i = hits.length - 1; i >= 0; i--) model.splice(hits[i], 1);
      break;
    }
  }
}

describe('ListValue', () => {
  it('behaves as an array under any sequence of end and middle operations', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const list = new ListValue();
        const model: string[] = [];
        for (const o of ops) {
          apply(list, model, o);
          expect(list.length).toBe(model.length);
        }
        expect(list.toArray()).toEqual(model);
        for (let i = 0; i < model.length; i++) expect(list.at(i)).toBe(model[i]);
        for (let i = model.length - 1; i >= 0; i--) expect(list.at(i)).toBe(model[i]);
        const copy = list.clone();
        expect(copy.toArray()).toEqual(model);
        // The memory estimate follows every element in and out, packed or not.
        while (copy.length > 0) copy.popBack();
        expect(copy.memoryBytes()).toBe(new ListValue().memoryBytes());
        expect(list.toArray()).toEqual(model);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps both ends and indexes right across many blocks', () => {
    const list = new ListValue();
    const model: string[] = [];
    for (let i = 0; i < 5000; i++) {
      if (i % 3 === 0) {
        list.pushFront(`f${i}`);
        model.unshift(`f${i}`);
      } else {
        list.pushBack(`b${i}`);
        model.push(`b${i}`);
      }
    }
    for (const i of [0, 1, 127, 128, 129, 2500, 4998, 4999]) expect(list.at(i)).toBe(model[i]);
    list.dropFront(1000);
    list.dropBack(1000);
    expect(list.toArray()).toEqual(model.slice(1000, 4000));
    while (list.length > 0) list.popFront();
    expect(list.popFront()).toBeUndefined();
    expect(list.popBack()).toBeUndefined();
    list.pushBack('again');
    expect(list.toArray()).toEqual(['again']);
  });

  it('a clone is independent of the original', () => {
    const list = ListValue.from(['a', 'b', 'c']);
    const copy = list.clone();
    copy.set(0, 'z');
    copy.pushBack('d');
    expect(list.toArray()).toEqual(['a', 'b', 'c']);
    expect(copy.toArray()).toEqual(['z', 'b', 'c', 'd']);
  });

  it('reports the quicklist encoding of Redis 7.0 and normalizes negative indexes', () => {
    const list = ListValue.from(['a', 'b', 'c']);
    expect(list.type).toBe('list');
    expect(list.encoding()).toBe('quicklist');
    expect(listIndex(list, -1)).toBe(2);
    expect(listIndex(list, -3)).toBe(0);
    expect(listIndex(list, -4)).toBe(-1);
    expect(listIndex(list, 3)).toBe(-1);
  });
});
