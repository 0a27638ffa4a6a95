/*
 * Keyspace commands through the real server, replies compared byte for byte with redis-server.
 * (SCAN: keys-scan.test.ts; expiry: keys-expire.test.ts; propagation, notifications and WATCH:
 * keys-effects.test.ts.)
 */

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ServerPair } from './keys-pair.js';
import { CommandTable } from '../../src/commands/registry.js';
import { commands as keyCommands } from '../../src/commands/keys.js';
import { RawClient } from '../helpers/resp.js';
import { startServer } from '../helpers/server.js';

let pair: ServerPair;

beforeAll(async () => {
  pair = await ServerPair.start();
});

afterAll(async () => {
  await pair.stop();
});

beforeEach(async () => {
  await pair.same('SELECT', '0');
  await pair.same('FLUSHALL');
});

describe('DEL, UNLINK, EXISTS, TOUCH, TYPE', () => {
  it('DEL and UNLINK count the keys they removed, once each, across many keys', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    await pair.same('MSET', ...keys.flatMap((k) => [k, 'v']));
    expect(await pair.same('DEL', 'k0', 'k0', 'missing', 'k1')).toBe(':2\r\n');
    expect(await pair.same('UNLINK', ...keys.slice(0, 100))).toBe(':98\r\n');
    expect(await pair.same('DEL', ...keys)).toBe(':100\r\n');
    expect(await pair.same('DBSIZE')).toBe(':0\r\n');
    await pair.same('DEL');
    await pair.same('UNLINK');
  });

  it('EXISTS and TOUCH count duplicates', async () => {
    await pair.same('SET', 'a', '1');
    expect(await pair.same('EXISTS', 'a', 'a', 'b', 'a')).toBe(':3\r\n');
    expect(await pair.same('TOUCH', 'a', 'b', 'a')).toBe(':2\r\n');
    await pair.same('EXISTS');
    await pair.same('TOUCH');
  });

  it('TYPE names the type of a key, or none', async () => {
    await pair.same('SET', 'a', '12');
    await pair.same('SET', 'b', 'text');
    expect(await pair.same('TYPE', 'a')).toBe('+string\r\n');
    await pair.same('TYPE', 'b');
    expect(await pair.same('TYPE', 'missing')).toBe('+none\r\n');
    await pair.same('TYPE');
    await pair.same('TYPE', 'a', 'b');
  });

  it('binary keys round-trip through DEL and EXISTS', async () => {
    const key = '\x00\xff\r\n\x80key';
    await pair.same('SET', key, 'v');
    expect(await pair.same('EXISTS', key)).toBe(':1\r\n');
    expect(await pair.same('KEYS', '*')).toBe(`*1\r\n$${key.length}\r\n${key}\r\n`);
    expect(await pair.same('DEL', key)).toBe(':1\r\n');
  });
});

describe('RENAME and RENAMENX', () => {
  it('report a missing source key', async () => {
    expect(await pair.same('RENAME', 'nokey', 'b')).toBe('-ERR no such key\r\n');
    await pair.same('RENAMENX', 'nokey', 'b');
    await pair.same('RENAME', 'nokey', 'nokey');
    await pair.same('RENAMENX', 'nokey', 'nokey');
  });

  it('renaming a key to itself is OK (RENAMENX: 0) and changes nothing', async () => {
    await pair.same('SET', 'a', 'v');
    await pair.same('PEXPIRE', 'a', '100000');
    expect(await pair.same('RENAME', 'a', 'a')).toBe('+OK\r\n');
    expect(await pair.same('RENAMENX', 'a', 'a')).toBe(':0\r\n');
    await pair.same('GET', 'a');
    const [ttlA, ttlB] = await pair.both('PTTL', 'a');
    expect(Number(ttlA.slice(1))).toBeGreaterThan(0);
    expect(Number(ttlB.slice(1))).toBeGreaterThan(0);
  });

  it('RENAME overwrites the destination and carries the TTL over', async () => {
    await pair.same('SET', 'a', 'va');
    await pair.same('SET', 'b', 'vb');
    await pair.same('EXPIRE', 'a', '1000');
    await pair.same('EXPIRE', 'b', '5000');
    expect(await pair.same('RENAME', 'a', 'b')).toBe('+OK\r\n');
    await pair.same('EXISTS', 'a');
    expect(await pair.same('GET', 'b')).toBe('$2\r\nva\r\n');
    expect(await pair.same('TTL', 'b')).toBe(':1000\r\n');
    // A key without TTL renamed over a volatile one is persistent.
    await pair.same('SET', 'c', 'vc');
    await pair.same('RENAME', 'c', 'b');
    expect(await pair.same('TTL', 'b')).toBe(':-1\r\n');
  });

  it('RENAMENX refuses an existing destination', async () => {
    await pair.same('SET', 'a', 'va');
    await pair.same('SET', 'b', 'vb');
    expect(await pair.same('RENAMENX', 'a', 'b')).toBe(':0\r\n');
    await pair.same('GET', 'b');
    expect(await pair.same('RENAMENX', 'a', 'c')).toBe(':1\r\n');
    await pair.same('MGET', 'a', 'b', 'c');
    await pair.same('RENAME', 'a');
    await pair.same('RENAMENX', 'a', 'b', 'c');
  });
});

describe('MOVE', () => {
  it('moves a key with its TTL to another db', async () => {
    await pair.same('SET', 'k', 'v');
    await pair.same('EXPIRE', 'k', '300');
    expect(await pair.same('MOVE', 'k', '3')).toBe(':1\r\n');
    await pair.same('EXISTS', 'k');
    await pair.same('SELECT', '3');
    expect(await pair.same('GET', 'k')).toBe('$1\r\nv\r\n');
    expect(await pair.same('TTL', 'k')).toBe(':300\r\n');
  });

  it('replies 0 when the key is missing or exists in the target db', async () => {
    expect(await pair.same('MOVE', 'k', '1')).toBe(':0\r\n');
    await pair.same('SET', 'k', 'here');
    await pair.same('SELECT', '1');
    await pair.same('SET', 'k', 'there');
    await pair.same('SELECT', '0');
    expect(await pair.same('MOVE', 'k', '1')).toBe(':0\r\n');
    await pair.same('GET', 'k');
  });

  it('rejects the same db, bad and out of range indexes', async () => {
    await pair.same('SET', 'k', 'v');
    expect(await pair.same('MOVE', 'k', '0')).toBe('-ERR source and destination objects are the same\r\n');
    for (const db of ['x', '16', '-1', '4294967296', '-2147483649', '2147483647', '1.5', '']) await pair.same('MOVE', 'k', db);
    await pair.same('MOVE', 'k');
  });
});

describe('COPY', () => {
  it('copies value and TTL, within a db or to another', async () => {
    await pair.same('SET', 'src', 'value');
    await pair.same('EXPIRE', 'src', '700');
    expect(await pair.same('COPY', 'src', 'dst')).toBe(':1\r\n');
    await pair.same('GET', 'dst');
    expect(await pair.same('TTL', 'dst')).toBe(':700\r\n');
    expect(await pair.same('COPY', 'src', 'dst', 'DB', '2')).toBe(':1\r\n');
    await pair.same('SELECT', '2');
    await pair.same('GET', 'dst');
    await pair.same('TTL', 'dst');
  });

  it('needs REPLACE to overwrite, and copies a persistent key as persistent', async () => {
    await pair.same('SET', 'src', '123');
    await pair.same('SET', 'dst', 'old');
    await pair.same('EXPIRE', 'dst', '100');
    expect(await pair.same('COPY', 'src', 'dst')).toBe(':0\r\n');
    expect(await pair.same('COPY', 'src', 'dst', 'replace')).toBe(':1\r\n');
    await pair.same('GET', 'dst');
    expect(await pair.same('TTL', 'dst')).toBe(':-1\r\n');
    await pair.same('OBJECT', 'ENCODING', 'dst');
    expect(await pair.same('COPY', 'missing', 'dst', 'REPLACE')).toBe(':0\r\n');
  });

  it('rejects bad options with Redis errors', async () => {
    await pair.same('SET', 'a', 'v');
    const cases = [
      ['COPY', 'a', 'a'],
      ['COPY', 'a', 'a', 'DB', '0'],
      ['COPY', 'a', 'b', 'DB'],
      ['COPY', 'a', 'b', 'DB', 'x'],
      ['COPY', 'a', 'b', 'DB', '16'],
      ['COPY', 'a', 'b', 'DB', '99999999999'],
      ['COPY', 'a', 'b', 'DB', 'x', 'BOGUS'],
      ['COPY', 'a', 'b', 'BOGUS', 'DB', 'x'],
      ['COPY', 'a', 'b', 'REPLACE', 'REPLACE', 'DB', '1', 'DB', '0'],
      ['COPY', 'a'],
    ];
    for (const argv of cases) await pair.same(...argv);
    expect(await pair.same('EXISTS', 'a', 'b')).toBe(':2\r\n');
  });
});

describe('OBJECT ENCODING of strings changed in place', () => {
  it('is raw after APPEND, SETRANGE, SETBIT, BITFIELD, BITOP and the HyperLogLog commands, as Redis says, until the value is replaced', async () => {
    await pair.same('FLUSHALL');
    const steps: string[][] = [
      ['SET', 'k', 'abc'], ['APPEND', 'k', 'def'],
      ['SET', 'r', 'abc'], ['SETRANGE', 'r', '0', 'x'], ['SETRANGE', 'new', '0', '123'],
      ['SET', 'same', 'abc'], ['SETRANGE', 'same', '0', ''],
      ['SET', 'int', '123'], ['SETBIT', 'int', '0', '0'], ['SETBIT', 'b', '7', '1'],
      ['SET', 'g', 'abc'], ['BITFIELD', 'g', 'GET', 'u8', '0'], ['BITFIELD', 'bf', 'SET', 'u8', '0', '255'], ['BITOP', 'OR', 'bo', 'b', 'b'],
      ['PFADD', 'h', 'a'], ['PFADD', 'empty'], ['PFMERGE', 'merged', 'h'],
      ['EVAL', "redis.call('set', 'hs', redis.call('get', 'h')) return 1", '0'], ['PFCOUNT', 'hs', 'h'],
      ['EVAL', "redis.call('set', 'one', redis.call('get', 'h')) return 1", '0'], ['PFCOUNT', 'one'],
      ['SET', 'a', 'abc'], ['APPEND', 'a', 'd'], ['COPY', 'a', 'copied'], ['RENAME', 'a', 'renamed'], ['APPEND', 'fresh', '12'],
      ['SET', 'replaced', 'x'], ['APPEND', 'replaced', 'y'], ['SET', 'replaced', 'z'],
      ['SET', 'counter', '1'], ['APPEND', 'counter', '2'], ['INCR', 'counter'],
    ];
    for (const step of steps) await pair.same(...step);
    for (const key of ['k', 'r', 'new', 'same', 'int', 'b', 'g', 'bf', 'bo', 'h', 'empty', 'merged', 'hs', 'one', 'copied', 'renamed', 'fresh', 'replaced', 'counter']) {
      await pair.same('OBJECT', 'ENCODING', key);
    }
    await pair.same('SET', 'moved', 'a');
    await pair.same('APPEND', 'moved', 'b');
    await pair.same('MOVE', 'moved', '1');
    await pair.same('SWAPDB', '0', '1');
    expect(await pair.same('OBJECT', 'ENCODING', 'moved')).toBe('$3\r\nraw\r\n');
    await pair.same('SWAPDB', '0', '1');
  });
});

describe('KEYS, DBSIZE, RANDOMKEY', () => {
  it('KEYS filters by glob pattern', async () => {
    await pair.same('MSET', 'hello', '1', 'hallo', '2', 'hxllo', '3', 'hllo', '4', 'heeeello', '5', 'a*b', '6', 'h[a]llo', '7');
    for (const p of ['h?llo', 'h*llo', 'h[ae]llo', 'h[^e]llo', 'h[a-b]llo', 'a\\*b', 'h\\[a\\]llo', 'H*', 'nomatch', '*']) {
      const [mine, theirs] = await pair.both('KEYS', p);
      expect(mine.split('\r\n').slice(1).sort(), p).toEqual(theirs.split('\r\n').slice(1).sort());
    }
    await pair.same('KEYS');
  });

  it('DBSIZE counts the keys of the selected db', async () => {
    await pair.same('MSET', 'a', '1', 'b', '2');
    expect(await pair.same('DBSIZE')).toBe(':2\r\n');
    await pair.same('SELECT', '1');
    expect(await pair.same('DBSIZE')).toBe(':0\r\n');
    await pair.same('DBSIZE', 'x');
  });

  it('RANDOMKEY returns null on an empty db, else one of the keys', async () => {
    expect(await pair.same('RANDOMKEY')).toBe('$-1\r\n');
    await pair.same('SET', 'only', 'v');
    expect(await pair.same('RANDOMKEY')).toBe('$4\r\nonly\r\n');
    await pair.same('RANDOMKEY', 'x');
  });

  it('RANDOMKEY eventually returns every key, on small and large dbs', async () => {
    const r = new Redis({ port: pair.strata.port, lazyConnect: true });
    await r.connect();
    for (const size of [3, 2000]) {
      await r.flushall();
      const keys = Array.from({ length: size }, (_, i) => `key:${i}`);
      for (let i = 0; i < keys.length; i += 500) await r.mset(...keys.slice(i, i + 500).flatMap((k) => [k, '1']));
      const seen = new Set<string>();
      const draws = size * 40;
      const pipe = r.pipeline();
      for (let i = 0; i < draws; i++) pipe.randomkey();
      for (const [err, key] of (await pipe.exec())!) {
        expect(err).toBeNull();
        seen.add(key as string);
      }
      expect(seen.size, `${size} keys`).toBe(size);
    }
    r.disconnect();
  });
});

describe('OBJECT', () => {
  it('ENCODING and REFCOUNT of string values, null for a missing key', async () => {
    await pair.same('MSET', 'int', '42', 'big', '123456', 'neg', '-5', 'short', 'hello', 'long', 'x'.repeat(45));
    for (const key of ['int', 'big', 'neg', 'short', 'long', 'missing']) {
      await pair.same('OBJECT', 'ENCODING', key);
      await pair.same('OBJECT', 'REFCOUNT', key);
    }
  });

  it('IDLETIME reads 0 for a fresh key; FREQ needs an LFU policy', async () => {
    await pair.same('SET', 'k', 'v');
    // Redis's LRU clock ticks in seconds, so it may already say 1 here.
    const [mine, theirs] = await pair.both('OBJECT', 'IDLETIME', 'k');
    expect(mine).toBe(':0\r\n');
    expect(theirs).toMatch(/^:[01]\r\n$/);
    await pair.same('OBJECT', 'FREQ', 'k');
    await pair.same('OBJECT', 'FREQ', 'missing');
    await pair.same('OBJECT', 'IDLETIME', 'missing');
  });

  it('HELP, unknown subcommands and arity errors', async () => {
    await pair.same('OBJECT', 'HELP');
    await pair.same('OBJECT', 'help');
    await pair.same('OBJECT', 'HELP', 'x');
    await pair.same('OBJECT', 'NOPE', 'k');
    await pair.same('OBJECT');
    await pair.same('OBJECT', 'ENCODING');
    await pair.same('OBJECT', 'ENCODING', 'a', 'b');
  });

  it('answers RESP3 nulls for missing keys', async () => {
    await pair.both('HELLO', '3');
    expect(await pair.same('OBJECT', 'ENCODING', 'missing')).toBe('_\r\n');
    expect(await pair.same('RANDOMKEY')).toBe('_\r\n');
    await pair.both('HELLO', '2');
  });
});

describe('OBJECT under an LFU policy', () => {
  let lfu: ServerPair;

  beforeAll(async () => {
    lfu = await ServerPair.start({ args: ['--maxmemory-policy', 'allkeys-lfu'] });
  });

  afterAll(async () => {
    await lfu.stop();
  });

  it('FREQ of a fresh key is the LFU initial value, IDLETIME is refused', async () => {
    await lfu.same('SET', 'k', 'v');
    expect(await lfu.same('OBJECT', 'FREQ', 'k')).toBe(':5\r\n');
    await lfu.same('OBJECT', 'IDLETIME', 'k');
    await lfu.same('OBJECT', 'FREQ', 'missing');
  });
});

describe('SWAPDB, FLUSHDB, FLUSHALL', () => {
  it('SWAPDB exchanges the contents of two dbs, TTLs included', async () => {
    await pair.same('SET', 'a', 'in0');
    await pair.same('EXPIRE', 'a', '900');
    await pair.same('SELECT', '1');
    await pair.same('SET', 'b', 'in1');
    expect(await pair.same('SWAPDB', '0', '1')).toBe('+OK\r\n');
    await pair.same('MGET', 'a', 'b');
    expect(await pair.same('TTL', 'a')).toBe(':900\r\n');
    await pair.same('SELECT', '0');
    await pair.same('MGET', 'a', 'b');
    expect(await pair.same('SWAPDB', '0', '0')).toBe('+OK\r\n');
    await pair.same('MGET', 'a', 'b');
  });

  it('SWAPDB rejects bad indexes', async () => {
    for (const [x, y] of [['x', '0'], ['0', 'x'], ['x', 'y'], ['0', '16'], ['-1', '0'], ['0', '99999999999'], ['99999999999', 'x']]) await pair.same('SWAPDB', x, y);
    await pair.same('SWAPDB', '0');
  });

  it('FLUSHDB empties the selected db only', async () => {
    await pair.same('SET', 'a', '1');
    await pair.same('SELECT', '1');
    await pair.same('SET', 'b', '1');
    expect(await pair.same('FLUSHDB')).toBe('+OK\r\n');
    await pair.same('DBSIZE');
    await pair.same('SELECT', '0');
    expect(await pair.same('DBSIZE')).toBe(':1\r\n');
    expect(await pair.same('FLUSHDB', 'ASYNC')).toBe('+OK\r\n');
    await pair.same('DBSIZE');
  });

  it('FLUSHALL empties every db, with SYNC or ASYNC', async () => {
    for (const mode of [[], ['SYNC'], ['async']]) {
      await pair.same('SELECT', '0');
      await pair.same('SET', 'a', '1');
      await pair.same('SELECT', '5');
      await pair.same('SET', 'b', '1');
      expect(await pair.same('FLUSHALL', ...mode)).toBe('+OK\r\n');
      await pair.same('DBSIZE');
      await pair.same('SELECT', '0');
      await pair.same('DBSIZE');
    }
  });

  it('flush options are checked', async () => {
    for (const cmd of ['FLUSHDB', 'FLUSHALL']) {
      await pair.same(cmd, 'LAZY');
      await pair.same(cmd, 'ASYNC', 'SYNC');
      await pair.same(cmd, 'SYNC', 'x');
    }
  });
});

describe('command table', () => {
  it('matches COMMAND INFO of redis-server 7.0.15 for every keyspace command', async () => {
    const r = new Redis({ port: pair.redis.port, lazyConnect: true });
    await r.connect();
    const table = new CommandTable([keyCommands]);
    type Info = [string, number, string[], number, number, number, string[], unknown, unknown, Info[]];
    const infos = (await r.call('COMMAND', 'INFO', ...table.commands.keys())) as Info[];
    const check = (info: Info, fullname: string): void => {
      const entry = [...table.all()].find((e) => e.fullname === fullname)!;
      expect(entry, fullname).toBeDefined();
      expect({ arity: entry.arity, flags: [...entry.flags].sort(), acl: entry.acl.map((a) => `@${a}`), keys: entry.spec.keys ?? [0, 0, 0] }, fullname).toEqual({
        arity: info[1],
        flags: [...info[2]].sort(),
        acl: info[6],
        keys: [info[3], info[4], info[5]],
      });
      for (const sub of info[9]) check(sub, sub[0]);
    };
    for (const info of infos) check(info, info[0]);
    expect(infos.length).toBe(table.commands.size);
    r.disconnect();
  });
});

describe('robustness', () => {
  it('a client cannot crash the server with hostile patterns and cursors', async () => {
    const server = await startServer();
    const c = await RawClient.connect(server.port);
    await c.call('SET', 'a'.repeat(1000), 'v');
    expect(await c.call('KEYS', '*a'.repeat(20000) + '*b')).toBe('*0\r\n');
    expect(await c.call('KEYS', '['.repeat(5000))).toBe('*0\r\n');
    expect((await c.call('SCAN', '18446744073709551615', 'MATCH', '\\'.repeat(9999), 'COUNT', '9223372036854775807')).startsWith('*2\r\n$1\r\n0\r\n')).toBe(true);
    expect(await c.call('PING')).toBe('+PONG\r\n');
    c.close();
    await server.stop();
  });
});
