/*
 * The cold tier under the keyspace, in process: any key bytes (empty, binary, longer than LMDB's
 * key limit) and values survive a demotion and a promotion, a SCAN that runs while keys move
 * between the tiers still returns every key present throughout, and active expiry removes exactly
 * the cold keys whose TTL passed, with the effects of any expiry, without reading them back.
 */

import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Keyspace } from '../../src/keyspace/db.js';
import { ActiveExpire } from '../../src/keyspace/expire.js';
import { NOTIFY_ALL, NOTIFY_KEYEVENT } from '../../src/keyspace/notify.js';
import { ColdTier } from '../../src/keyspace/tier.js';
import { stringOf } from '../../src/types/object.js';

const LIMITS = {
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  hash: { maxEntries: 512, maxValue: 64 },
  setMaxIntsetEntries: 512,
  streamNodeMaxBytes: 4096,
  streamNodeMaxEntries: 100,
};

const dirs: string[] = [];

function tieredKeyspace(): Keyspace {
  const ks = new Keyspace(4);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cold-prop-'));
  dirs.push(dir);
  const cold = new ColdTier(ks.dbs, () => LIMITS, (m) => {
    throw new Error(m);
  });
  cold.dir = path.join(dir, 'tier');
  ks.cold = cold;
  return ks;
}

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a).toString('latin1'));
/** Keys short and long: past 1973 bytes they are stored under a hash. */
const key = fc.oneof(bytes(40), bytes(3000).map((s) => 'L'.repeat(1974) + s));

function scanAll(ks: Keyspace, during: (step: number) => void): Set<string> {
  const seen = new Set<string>();
  let cursor = 0;
  let step = 0;
  do {
    const out: string[] = [];
    cursor = ks.scan(ks.dbs[0], cursor, 3, out);
    for (const k of out) seen.add(k);
    during(step++);
  } while (cursor !== 0);
  return seen;
}

describe('cold tier', () => {
  it('gives back any key with its value and TTL after a demotion', () => {
    const ks = tieredKeyspace();
    const db = ks.dbs[1];
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, bytes(100), fc.boolean()), { selector: ([k]) => k, minLength: 1, maxLength: 20 }), (entries) => {
        ks.flushDb(db);
        const at = Date.now() + 1e7;
        for (const [k, v, ttl] of entries) {
          ks.setKey(db, k, v);
          if (ttl) ks.setExpire(db, k, at);
        }
        expect(ks.demote(db, entries.map(([k]) => k))).toBe(true);
        expect(db.dict.size).toBe(0);
        expect(db.size).toBe(entries.length);
        const listed: string[] = [];
        ks.coldKeysAfter(db, null, Infinity, listed);
        expect(new Set(listed)).toEqual(new Set(entries.map(([k]) => k)));
        for (const [k, v, ttl] of entries) {
          // A canonical integer comes back as a number (the int encoding), with the same bytes.
          // A string without a TTL is read in place at first; the second read brings it back.
          for (let read = 0; read < 2; read++) expect(stringOf(ks.lookupRead(db, k) as string | number)).toBe(v);
          expect(ks.getExpire(db, k)).toBe(ttl ? at : -1);
        }
        expect(db.coldKeys).toBe(0);
        expect(db.coldBytes).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('a string without a TTL is read in place the first time, and promoted when read again', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, bytes(50)), { selector: ([k]) => k, minLength: 1, maxLength: 10 }), (generated) => {
        const entries = generated.filter(([k]) => k !== 'volatile' && k !== 'absent');
        const ks = tieredKeyspace();
        const db = ks.dbs[0];
        try {
          for (const [k, v] of entries) ks.setKey(db, k, v);
          ks.setKey(db, 'volatile', 'x');
          ks.setExpire(db, 'volatile', Date.now() + 1e7);
          expect(ks.demote(db, [...entries.map(([k]) => k), 'volatile'])).toBe(true);
          for (const [k, v] of entries) expect(stringOf(ks.lookupRead(db, k) as string | number)).toBe(v);
          expect(db.coldKeys).toBe(entries.length + 1);
          const misses = ks.stats.keyspaceMisses;
          expect(ks.lookupRead(db, 'absent')).toBeUndefined();
          expect(ks.stats.keyspaceMisses).toBe(misses + 1);
          for (const [k, v] of entries) expect(stringOf(ks.lookupRead(db, k) as string | number)).toBe(v);
          expect(db.coldKeys).toBe(1);
          // A key with a TTL comes back on its first read (its expiry is then kept in memory).
          expect(ks.lookupRead(db, 'volatile')).toBe('x');
          expect(db.coldKeys).toBe(0);
        } finally {
          ks.cold!.close();
        }
      }),
      { numRuns: 20 },
    );
  });

  it('SCAN returns every key present throughout while keys move between the tiers', () => {
    const ks = tieredKeyspace();
    const db = ks.dbs[0];
    fc.assert(
      fc.property(
        fc.uniqueArray(bytes(12), { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 30 }),
        fc.nat(),
        (keys, moves, split) => {
          ks.flushDb(db);
          for (const k of keys) ks.setKey(db, k, `v:${k}`);
          ks.demote(db, keys.slice(0, split % (keys.length + 1)));
          const seen = scanAll(ks, (step) => {
            // Each step promotes or demotes one key, as reads and eviction would.
            const move = moves[step];
            if (move === undefined) return;
            const k = keys[move[0] % keys.length];
            if (move[1]) ks.lookupRead(db, k);
            else if (db.dict.has(k)) ks.demote(db, [k]);
          });
          for (const k of keys) expect(seen.has(k)).toBe(true);
          expect(db.size).toBe(keys.length);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('active expiry deletes the cold keys whose TTL passed, as it does keys in memory', () => {
    const ks = tieredKeyspace();
    const db = ks.dbs[2];
    const logged: string[][] = [];
    ks.effects.addSink({ write: (ops) => logged.push(...ops.map((op) => [String(op.db), ...op.argv])) });
    const events: string[] = [];
    ks.effects.notifyFlags = NOTIFY_ALL | NOTIFY_KEYEVENT;
    ks.effects.publisher = (channel, key) => {
      if (channel === '__keyevent@2__:expired') events.push(key);
    };
    const expire = new ActiveExpire(ks);
    fc.assert(
      fc.property(
        // Per key: its TTL (none, passed, or to come), and whether it goes back and forth between the tiers first.
        fc.uniqueArray(fc.tuple(key, fc.constantFrom('none', 'passed', 'later'), fc.boolean()), { selector: ([k]) => k, minLength: 1, maxLength: 30 }),
        (entries) => {
          ks.flushDb(db);
          logged.length = 0;
          events.length = 0;
          const now = Date.now();
          for (const [k, ttl] of entries) {
            ks.setKey(db, k, `v:${k}`);
            if (ttl !== 'none') ks.setExpire(db, k, ttl === 'passed' ? now - 1000 : now + 1e7);
          }
          const keys = entries.map(([k]) => k);
          ks.demote(db, keys);
          const bounced = entries.filter(([, , bounce]) => bounce).map(([k]) => k);
          for (const k of bounced) ks.storedValue(db, k);
          ks.demote(db, bounced);
          const expiredBefore = ks.stats.expiredKeys;
          const promotionsBefore = ks.cold!.stats.promotions;
          expire.cycle(1000);
          const passed = entries.filter(([, ttl]) => ttl === 'passed').map(([k]) => k);
          expect(db.size).toBe(entries.length - passed.length);
          expect(db.coldVolatile).toBe(entries.filter(([, ttl]) => ttl === 'later').length);
          expect(ks.stats.expiredKeys - expiredBefore).toBe(passed.length);
          expect(ks.cold!.stats.promotions).toBe(promotionsBefore);
          expect(new Set(events)).toEqual(new Set(passed));
          expect(events.length).toBe(passed.length);
          expect(logged.sort()).toEqual(passed.map((k) => ['2', 'DEL', k]).sort());
          const listed: string[] = [];
          ks.coldKeysAfter(db, null, Infinity, listed);
          expect(new Set(listed)).toEqual(new Set(keys.filter((k) => !passed.includes(k))));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('active expiry during a snapshot shows the snapshot the cold value before it goes', () => {
    const ks = tieredKeyspace();
    const db = ks.dbs[0];
    const seen: Array<string | number | undefined> = [];
    ks.observer = { beforeChange: (id, k) => seen.push(ks.dbs[id].dict.get(k) as string | undefined), beforeReplaceAll: () => {} };
    ks.setKey(db, 'k', 'value');
    ks.setExpire(db, 'k', Date.now() - 1);
    ks.demote(db, ['k']);
    seen.length = 0;
    new ActiveExpire(ks).cycle(1000);
    expect(seen).toEqual(['value']);
    expect(db.size).toBe(0);
    expect(ks.stats.expiredKeys).toBe(1);
  });
});
