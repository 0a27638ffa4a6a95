/*
 * SCAN through the real server: arguments and errors as redis-server, COUNT / MATCH / TYPE, and the
 * guarantee that every key present for the whole iteration is returned, under concurrent inserts
 * and deletes, abandoned and reused cursors, SELECT, FLUSHDB and SWAPDB.
 */

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import fc from 'fast-check';
import { ServerPair } from './keys-pair.js';

let pair: ServerPair;
let r: Redis;

beforeAll(async () => {
  pair = await ServerPair.start();
  r = new Redis({ port: pair.strata.port, lazyConnect: true });
  await r.connect();
});

afterAll(async () => {
  r.disconnect();
  await pair.stop();
});

beforeEach(async () => {
  await r.select(0);
  await r.flushall();
});

async function fill(n: number, prefix = 'key:'): Promise<string[]> {
  const keys = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  for (let i = 0; i < n; i += 1000) await r.mset(...keys.slice(i, i + 1000).flatMap((k) => [k, '1']));
  return keys;
}

/** A complete iteration from `start`: every key returned, and the number of calls. */
async function scanAll(start = '0', ...opts: string[]): Promise<{ keys: string[]; calls: number }> {
  const keys: string[] = [];
  let cursor = start;
  let calls = 0;
  do {
    const [next, batch] = (await r.call('SCAN', cursor, ...opts)) as [string, string[]];
    keys.push(...batch);
    cursor = next;
    calls++;
    expect(calls).toBeLessThan(100000);
  } while (cursor !== '0');
  return { keys, calls };
}

describe('SCAN arguments', () => {
  it('accepts any unsigned 64-bit cursor and rejects the rest, as strtoul', async () => {
    await pair.same('SET', 'k', 'v');
    for (const cursor of ['', '-', '+', '+1', '-1', ' 1', '1 ', '18446744073709551615', '18446744073709551616', '-18446744073709551615', '-18446744073709551616', '0x1', 'abc', '00', '-0', '1.5']) {
      const [mine, theirs] = await pair.both('SCAN', cursor);
      if (theirs.startsWith('-')) expect(mine, JSON.stringify(cursor)).toBe(theirs);
      else expect(mine, JSON.stringify(cursor)).toMatch(/^\*2\r\n\$\d+\r\n\d+\r\n\*[01]\r\n/);
    }
  });

  it('checks options with Redis errors', async () => {
    const cases = [
      ['SCAN', '0', 'COUNT', '0'],
      ['SCAN', '0', 'COUNT', '-1'],
      ['SCAN', '0', 'COUNT', 'x'],
      ['SCAN', '0', 'COUNT', '99999999999999999999'],
      ['SCAN', '0', 'COUNT'],
      ['SCAN', '0', 'MATCH'],
      ['SCAN', '0', 'TYPE'],
      ['SCAN', '0', 'BOGUS', 'x'],
      ['SCAN', 'x', 'BOGUS'],
      ['SCAN', '0', 'MATCH', '*', 'COUNT', '0'],
      ['SCAN'],
    ];
    for (const argv of cases) await pair.same(...argv);
  });

  it('replies cursor 0 and everything when the db is small', async () => {
    await pair.same('MSET', 'a', '1', 'b', '2', 'c', '3');
    const reply = await pair.a.call('SCAN', '0');
    expect(reply.startsWith('*2\r\n$1\r\n0\r\n*3\r\n')).toBe(true);
    expect(await pair.same('SCAN', '0', 'MATCH', 'b')).toBe('*2\r\n$1\r\n0\r\n*1\r\n$1\r\nb\r\n');
    expect(await pair.same('SCAN', '0', 'TYPE', 'list')).toBe('*2\r\n$1\r\n0\r\n*0\r\n');
  });
});

describe('SCAN iteration', () => {
  it('returns every key exactly once on a db at rest, COUNT keys per call', async () => {
    const keys = await fill(1000);
    const { keys: seen, calls } = await scanAll('0', 'COUNT', '7');
    expect(seen.length).toBe(1000);
    expect(new Set(seen)).toEqual(new Set(keys));
    expect(calls).toBe(Math.ceil(1000 / 7));
    expect((await scanAll()).keys.length).toBe(1000);
  });

  it('MATCH filters the keys of each batch', async () => {
    await fill(300, 'user:');
    await fill(300, 'item:');
    const { keys } = await scanAll('0', 'MATCH', 'user:*1', 'COUNT', '50');
    const expected = Array.from({ length: 300 }, (_, i) => `user:${i}`).filter((k) => k.endsWith('1'));
    expect(keys.sort()).toEqual(expected.sort());
  });

  it('TYPE filters by type name, case-insensitively; unknown types match nothing', async () => {
    await fill(100);
    expect((await scanAll('0', 'TYPE', 'string')).keys.length).toBe(100);
    expect((await scanAll('0', 'TYPE', 'STRING')).keys.length).toBe(100);
    expect((await scanAll('0', 'TYPE', 'hash')).keys.length).toBe(0);
    expect((await scanAll('0', 'TYPE', 'nosuchtype')).keys.length).toBe(0);
  });

  it('never returns logically expired keys', async () => {
    await fill(50, 'live:');
    for (let i = 0; i < 50; i++) await r.set(`gone:${i}`, '1', 'PX', 1);
    // Every TTL ends at most 1 ms after the last SET was answered: wait past that.
    const lastSet = Date.now();
    while (Date.now() <= lastSet + 2) await new Promise((res) => setImmediate(res));
    const { keys } = await scanAll('0', 'COUNT', '13');
    expect(keys.filter((k) => k.startsWith('gone:'))).toEqual([]);
    expect(keys.length).toBe(50);
  });

  it('an unknown or already used cursor restarts the walk, so nothing is missed', async () => {
    const keys = await fill(100);
    expect(new Set((await scanAll('123456789')).keys)).toEqual(new Set(keys));
    expect(new Set((await scanAll('18446744073709551615')).keys)).toEqual(new Set(keys));
    const [cursor, first] = (await r.call('SCAN', '0', 'COUNT', '30')) as [string, string[]];
    // Two callers continue from the same cursor: each sees the whole keyspace over its iteration.
    const one = await scanAll(cursor, 'COUNT', '30');
    const two = await scanAll(cursor, 'COUNT', '30');
    expect(new Set([...first, ...one.keys])).toEqual(new Set(keys));
    expect(new Set([...first, ...two.keys])).toEqual(new Set(keys));
  });

  it('keeps working when thousands of iterations are abandoned', async () => {
    const keys = await fill(50);
    const [oldest] = (await r.call('SCAN', '0', 'COUNT', '10')) as [string, string[]];
    const pipe = r.pipeline();
    for (let i = 0; i < 5000; i++) pipe.call('SCAN', '0', 'COUNT', '1');
    await pipe.exec();
    // The oldest cursor was dropped from the bounded table: it restarts and still completes.
    expect(new Set((await scanAll(oldest, 'COUNT', '10')).keys)).toEqual(new Set(keys));
  });

  it('a cursor follows the db it is used in', async () => {
    await fill(40, 'db0:');
    const [cursor] = (await r.call('SCAN', '0', 'COUNT', '5')) as [string, string[]];
    await r.select(1);
    const db1 = await fill(20, 'db1:');
    expect(new Set((await scanAll(cursor, 'COUNT', '5')).keys)).toEqual(new Set(db1));
  });

  it('ends normally across FLUSHDB and SWAPDB', async () => {
    await fill(100);
    let [cursor] = (await r.call('SCAN', '0', 'COUNT', '10')) as [string, string[]];
    await r.flushdb();
    const after = await fill(30, 'new:');
    expect(new Set((await scanAll(cursor, 'COUNT', '10')).keys)).toEqual(new Set(after));
    [cursor] = (await r.call('SCAN', '0', 'COUNT', '10')) as [string, string[]];
    await r.select(1);
    const other = await fill(25, 'other:');
    await r.swapdb(0, 1);
    await r.select(0);
    expect(new Set((await scanAll(cursor, 'COUNT', '10')).keys)).toEqual(new Set(other));
  });
});

type Op = { kind: 'scan'; count: number } | { kind: 'add'; key: number } | { kind: 'del'; key: number };

describe('SCAN guarantee under writes', () => {
  it('every key present for the whole iteration is returned, and only keys that existed', async () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('scan' as const), count: fc.integer({ min: 1, max: 25 }) }),
      fc.record({ kind: fc.constant('add' as const), key: fc.integer({ min: 0, max: 400 }) }),
      fc.record({ kind: fc.constant('del' as const), key: fc.integer({ min: 0, max: 400 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 200 }), fc.array(op, { maxLength: 80 }), async (initial, ops) => {
        await r.flushall();
        const initialKeys = Array.from({ length: initial }, (_, i) => `k${i}`);
        if (initial > 0) await r.mset(...initialKeys.flatMap((k) => [k, '1']));
        const everPresent = new Set(initialKeys);
        const deleted = new Set<string>();
        const returned = new Set<string>();
        let cursor = '0';
        let done = false;
        const step = async (count: number): Promise<void> => {
          const [next, batch] = (await r.call('SCAN', cursor, 'COUNT', String(count))) as [string, string[]];
          for (const k of batch) returned.add(k);
          cursor = next;
          done = next === '0';
        };
        await step(5);
        for (const o of ops) {
          if (o.kind === 'scan') {
            if (!done) await step(o.count);
          } else if (o.kind === 'add') {
            await r.set(`k${o.key}`, '2');
            everPresent.add(`k${o.key}`);
          } else {
            await r.del(`k${o.key}`);
            deleted.add(`k${o.key}`);
          }
        }
        while (!done) await step(10);
        for (const k of initialKeys) if (!deleted.has(k)) expect(returned.has(k), k).toBe(true);
        for (const k of returned) expect(everPresent.has(k), k).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
