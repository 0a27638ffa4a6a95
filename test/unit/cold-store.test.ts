/*
 * The cold tier's LMDB store (storage/tier/store.ts): removals are deferred but hidden at once,
 * go out with the next batch or flush, and never hide a record written again.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ColdStore, storedBytes } from '../../storage/tier/store.js';

const dirs: string[] = [];
const stores: ColdStore[] = [];

function freshStore(): ColdStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cold-store-'));
  dirs.push(dir);
  const store = ColdStore.open(path.join(dir, 'tier'));
  stores.push(store);
  return store;
}

const record = (key: string, fill: number) => ({ key, expire: -1, stamp: 7, payload: Buffer.alloc(100, fill) });

function keysOf(store: ColdStore, space: number): string[] {
  return [...store.entries(space, null)].map(({ rec }) => rec.key);
}

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('cold store', () => {
  it('hides a removed record at once and deletes it with the next batch', () => {
    const store = freshStore();
    store.batch(() => ['a', 'b', 'c'].forEach((k, i) => store.put(0, record(k, i))));
    expect(store.remove(0, 'b')).toBeGreaterThan(100);
    expect(store.removalsPending).toBe(true);
    expect(store.get(0, 'b')).toBeUndefined();
    // Removed twice counts once.
    expect(store.remove(0, 'b')).toBe(0);
    store.batch(() => store.put(0, record('d', 4)));
    expect(store.removalsPending).toBe(false);
    expect(keysOf(store, 0)).toEqual(['a', 'c', 'd']);
  });

  it('a walk does not see removed records, nor lose its place because of them', () => {
    const store = freshStore();
    store.batch(() => ['a', 'b', 'c', 'd'].forEach((k, i) => store.put(1, record(k, i))));
    store.remove(1, 'a');
    store.remove(1, 'c');
    const page = [...store.entries(1, null, 1)];
    expect(page.map(({ rec }) => rec.key)).toEqual(['b']);
    expect([...store.entries(1, page[0].at, 5)].map(({ rec }) => rec.key)).toEqual(['d']);
  });

  it('a record written again after its removal stays', () => {
    const store = freshStore();
    store.batch(() => store.put(0, record('k', 1)));
    store.remove(0, 'k');
    store.batch(() => store.put(0, record('k', 2)));
    store.flushRemovals();
    expect(store.get(0, 'k')!.payload[0]).toBe(2);
  });

  it('reports the bytes a record takes before it is written (the disk bound is checked with them)', () => {
    const store = freshStore();
    for (const key of ['k', 'x'.repeat(5000)]) {
      const rec = record(key, 1);
      store.batch(() => expect(store.put(0, rec)).toBe(storedBytes(key, rec.payload.length)));
    }
  });

  it('keeps the file pages it maps bounded, reopening between batches, and loses no record', () => {
    const store = freshStore();
    const before = mappedFileBytes();
    let peak = 0;
    // 160k random keys of 1 KiB: the file grows past 200 MB, every page of it touched.
    const keyOf = (i: number): string => `k:${((i * 2654435761) >>> 0).toString(16)}:${i}`;
    const payload = Buffer.alloc(1024, 7);
    for (let b = 0; b < 800; b++) {
      store.batch(() => {
        for (let i = b * 200; i < (b + 1) * 200; i++) store.put(0, { key: keyOf(i), expire: -1, stamp: 1, payload });
      });
      peak = Math.max(peak, mappedFileBytes() - before);
    }
    // A budget of 32 MB plus what one batch of 200 maps (the whole file, without the reopening).
    expect(peak).toBeLessThan(120 << 20);
    for (let i = 0; i < 160_000; i += 997) expect(store.get(0, keyOf(i))?.payload.equals(payload)).toBe(true);
  }, 60_000);

  it('writes on after reopening, while keys are read, removed and demoted again (lmdb free-list failures)', async () => {
    const store = freshStore();
    const keyOf = (i: number): string => `key:${String(i).padStart(12, '0')}`;
    const payload = (i: number): Buffer => Buffer.alloc(1040, i & 255);
    const cold: number[] = [];
    const promoted: number[] = [];
    let next = 0;
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const failures: string[] = [];
    for (let round = 0; round < 250; round++) {
      // A demotion batch: new keys and keys promoted earlier, as eviction writes them.
      try {
        store.batch(() => {
          for (let j = 0; j < 1000; j++) {
            const i = promoted.length > 0 && j % 2 === 0 ? promoted.pop()! : next++;
            store.put(0, { key: keyOf(i), expire: -1, stamp: 0, payload: payload(i) });
            cold.push(i);
          }
        });
      } catch (err) {
        failures.push(`batch: ${(err as Error).message}`);
      }
      // Reads, a third of them promotions (the record is removed).
      for (let r = 0; r < 300; r++) {
        const at = random(cold.length);
        const i = cold[at];
        expect(store.get(0, keyOf(i))?.payload.equals(payload(i))).toBe(true);
        if (r % 3 === 0) {
          store.remove(0, keyOf(i));
          cold[at] = cold[cold.length - 1];
          cold.pop();
          promoted.push(i);
        }
      }
      // The removals go out at the end of the event-loop turn, as ColdTier flushes them.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        store.flushRemovals();
      } catch (err) {
        failures.push(`flush: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it('a read view stays valid while batches go on (the environment is not reopened under it)', () => {
    const store = freshStore();
    store.batch(() => store.put(0, record('before', 1)));
    const view = store.readView();
    const payload = Buffer.alloc(1024, 3);
    for (let b = 0; b < 200; b++) store.batch(() => {
      for (let i = 0; i < 200; i++) store.put(0, { key: `later:${b}:${i}`, expire: -1, stamp: 1, payload });
    });
    expect([...store.entries(0, null, Infinity, 0, view.txn)].map(({ rec }) => rec.key)).toEqual(['before']);
    view.done();
    expect(store.get(0, 'later:199:199')?.payload.equals(payload)).toBe(true);
  }, 60_000);
});

/** File-backed resident memory of this process, as the store measures it. */
function mappedFileBytes(): number {
  return Number(fs.readFileSync('/proc/self/statm', 'latin1').split(' ')[2]) * 4096;
}
