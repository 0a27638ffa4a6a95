import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pairForSuite } from '../helpers/differential.js';

/** The payload of a DUMP reply ($len\r\n<bytes>\r\n) as raw bytes. */
function payloadOf(reply: string): string {
  const lf = reply.indexOf('\n');
  return reply.slice(lf + 1, reply.length - 2);
}

describe('DUMP and RESTORE', () => {
  const pair = pairForSuite();

  const build: string[][] = [
    ['SET', 'str', 'hello\x00\xff'],
    ['SET', 'int', '-12345'],
    ['SET', 'long', 'x'.repeat(1000)],
    ['ZADD', 'z', '1.5', 'a', '-inf', 'b', '3', 'c'],
    ['HSET', 'h', 'f1', 'v1', 'f2', '2'],
    ['HSET', 'hbig', ...Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`]).flat()],
    ['SADD', 'si', '1', '2', '3'],
    ['SADD', 'ss', 'a', 'b'],
  ];
  const keys = ['str', 'int', 'long', 'z', 'h', 'hbig', 'si', 'ss'];

  it('a payload from strata restores in redis-server, and one from redis-server in strata, with equal digests', async () => {
    for (const cmd of build) {
      await pair.strata.call(...cmd);
      await pair.redis.call(...cmd);
    }
    for (const key of keys) {
      const fromStrata = payloadOf(await pair.strata.call('DUMP', key));
      const fromRedis = payloadOf(await pair.redis.call('DUMP', key));
      expect(await pair.redis.call('RESTORE', `copy:${key}`, '0', fromStrata)).toBe('+OK\r\n');
      expect(await pair.strata.call('RESTORE', `copy:${key}`, '0', fromRedis)).toBe('+OK\r\n');
      const [ds, dr] = await Promise.all([pair.strata.call('DEBUG', 'DIGEST-VALUE', `copy:${key}`), pair.redis.call('DEBUG', 'DIGEST-VALUE', `copy:${key}`)]);
      expect(ds, key).toBe(dr);
      expect(await pair.strata.call('DEBUG', 'DIGEST-VALUE', key)).toBe(ds);
    }
  });

  it('DUMP compresses strings into the bytes Redis makes (the same LZF, the same cases left uncompressed)', async () => {
    const pieces = fc.constantFrom('a', 'b', 'ab', 'abc', 'hello ', 'world', '\x00', '\xff', '1', '12');
    const text = fc.oneof(
      fc.array(pieces, { minLength: 8, maxLength: 400 }).map((p) => p.join('')),
      fc.string({ minLength: 21, maxLength: 300 }),
      fc.stringMatching(/^[0-9]{21,40}$/),
    );
    await fc.assert(
      fc.asyncProperty(text, async (value) => {
        await pair.both('SET', 'lzf', value);
        const [mine, theirs] = await pair.both('DUMP', 'lzf');
        expect(mine).toBe(theirs);
      }),
      { numRuns: 300 },
    );
  });

  it('DUMP of small collections is Redis 7.0 bytes: quicklist of listpacks, intsets, listpack hashes and zsets, a skiplist from its tail', async () => {
    const build: string[][] = [
      ['RPUSH', 'list', 'a', 'b', '1', '300', '-5', '70000', '99999999999', 'x'.repeat(100)],
      ['LPUSH', 'pushed', 'x', 'y', 'z'],
      ['SADD', 'ints16', '3', '1', '2'],
      ['SADD', 'ints32', '1', '70000', '-3'],
      ['SADD', 'ints64', '1', '9999999999'],
      ['ZADD', 'zlp', '1', 'a', '2', 'b', '3.5', 'c', '-0', 'd', '1e300', 'e', '-7', 'f'],
      ['HSET', 'hlp', 'f1', 'v1', 'f2', '2', 'f3', '300', 'long', 'y'.repeat(60)],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '2'],
      ['ZADD', 'zsl', '1', 'a', '2', 'b', '3', 'c', '-1.5', 'd'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
    ];
    for (const argv of build) await pair.both(...argv);
    for (const key of ['list', 'pushed', 'ints16', 'ints32', 'ints64', 'zlp', 'hlp', 'zsl']) {
      const [mine, theirs] = await pair.both('DUMP', key);
      expect(mine, key).toBe(theirs);
    }
  });

  it('DUMP leaves strings uncompressed under rdbcompression no, byte for byte as Redis', async () => {
    for (const value of ['a'.repeat(30), 'abcabcabcabcabcabcabcabcabcabc', 'x'.repeat(1000)]) {
      await pair.both('CONFIG', 'SET', 'rdbcompression', 'no');
      await pair.both('SET', 'plain', value);
      const [mine, theirs] = await pair.both('DUMP', 'plain');
      expect(mine).toBe(theirs);
    }
    await pair.both('CONFIG', 'SET', 'rdbcompression', 'yes');
  });

  it('RESTORE options and errors are those of Redis', async () => {
    const payload = payloadOf(await pair.redis.call('DUMP', 'str'));
    const cases: string[][] = [
      ['RESTORE', 'str', '0', payload],
      ['RESTORE', 'str', '0', payload, 'REPLACE'],
      ['RESTORE', 'fresh', '-1', payload],
      ['RESTORE', 'fresh', 'x', payload],
      ['RESTORE', 'fresh', '0', 'garbage'],
      ['RESTORE', 'fresh', '0', payload.slice(0, -1) + String.fromCharCode(payload.charCodeAt(payload.length - 1) ^ 1)],
      ['RESTORE', 'fresh', '0', payload, 'IDLETIME', '-1'],
      ['RESTORE', 'fresh', '0', payload, 'FREQ', '256'],
      ['RESTORE', 'fresh', '0', payload, 'IDLETIME', '1', 'FREQ', '1'],
      ['RESTORE', 'fresh', '0', payload, 'BOGUS'],
      ['RESTORE', 'withttl', '100000', payload],
      ['RESTORE', 'expired', String(Date.now() - 1000), payload, 'ABSTTL'],
      ['EXISTS', 'expired'],
      ['DUMP', 'nokey'],
    ];
    for (const c of cases) {
      const [a, b] = await Promise.all([pair.strata.call(...c), pair.redis.call(...c)]);
      expect(a, c[0] + ' ' + c.slice(4).join(' ')).toBe(b);
    }
    const pttl = Number((await pair.strata.call('PTTL', 'withttl')).slice(1));
    expect(pttl).toBeGreaterThan(90000);
  });
});
