import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pairForSuite } from '../helpers/differential.js';

/** Sends the same commands to strata and redis-server and expects byte-equal replies. */
describe('sorted sets', () => {
  const pair = pairForSuite();

  async function both(...argv: string[]): Promise<string> {
    const [a, b] = await Promise.all([pair.strata.call(...argv), pair.redis.call(...argv)]);
    expect(a, `reply to ${JSON.stringify(argv)}`).toBe(b);
    return a;
  }

  it('ZADD options, scores and errors match Redis', async () => {
    await both('FLUSHALL');
    await both('ZADD', 'z', '1', 'a', '2', 'b', '2', 'c', '-inf', 'm', '+inf', 'p');
    await both('ZADD', 'z', 'NX', '10', 'a', '5', 'n');
    await both('ZADD', 'z', 'XX', 'CH', '3', 'a', '7', 'q');
    await both('ZADD', 'z', 'GT', 'CH', '1', 'a', '9', 'b');
    await both('ZADD', 'z', 'LT', 'CH', '100', 'a', '0.5', 'c');
    await both('ZADD', 'z', 'INCR', '1.5', 'a');
    await both('ZADD', 'z', 'INCR', 'NX', '1', 'a');
    await both('ZADD', 'z', 'XX', 'NX', '1', 'a');
    await both('ZADD', 'z', 'GT', 'LT', '1', 'a');
    await both('ZADD', 'z', 'INCR', '1', 'a', '2', 'b');
    await both('ZADD', 'z', 'abc', 'a');
    await both('ZADD', 'z', '1');
    await both('ZADD', 'z', 'nan', 'a');
    await both('ZINCRBY', 'z', '1e308', 'p');
    await both('ZINCRBY', 'z', '-inf', 'p');
    await both('ZINCRBY', 'z', '0.1', 'c');
    await both('ZRANGE', 'z', '0', '-1', 'WITHSCORES');
    await both('ZSCORE', 'z', 'c');
    await both('ZMSCORE', 'z', 'c', 'nope', 'a');
    await both('SET', 'str', 'x');
    await both('ZADD', 'str', '1', 'a');
    await both('ZSCORE', 'str', 'a');
  });

  it('a double argument that overflows or underflows to 0 is refused as Redis refuses it; a range bound is not', async () => {
    await both('FLUSHALL');
    for (const score of ['1e400', '-1e400', '1e-400', '0x1p-2000', '4.9e-324', '0e999', '0.0e-999', '0x0p-2000', 'inf']) {
      await both('ZADD', 'z', score, `m:${score}`);
    }
    await both('ZINCRBY', 'z', '1e400', 'm:inf');
    await both('ZRANGEBYSCORE', 'z', '1e400', '+inf', 'WITHSCORES');
    await both('ZRANGEBYSCORE', 'z', '-1', '1e-400', 'WITHSCORES');
    await both('ZUNIONSTORE', 'd', '1', 'z', 'WEIGHTS', '1e400');
    await both('GEOADD', 'g', '1e-400', '0', 'x');
    await both('GEOSEARCH', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1e400', 'm');
    await both('RPUSH', 'l', '1e400', '1e-400', '4.9e-324', '2');
    await both('SORT', 'l');
  });

  it('score bounds read as strtod reads a C string: leading blanks, empty text, a NUL', async () => {
    await both('FLUSHALL');
    await both('ZADD', 'z', '0', 'zero', '1', 'a', '2', 'b', '3', 'c');
    for (const bound of ['(', '', '  ', ' 1', '\t2', '( 2', '2 ', '2\0junk', '(\0', 'x']) {
      await both('ZRANGEBYSCORE', 'z', bound, '+inf');
      await both('ZCOUNT', 'z', '-inf', bound);
    }
    await both('SET', 'str', 'x');
    await both('ZCOUNT', 'str', ' 1', '2');
  });

  it('-0 reads back as 0 from a listpack and as -0 from a skiplist', async () => {
    await both('FLUSHALL');
    await both('ZADD', 'small', '-0', 'a');
    await both('ZSCORE', 'small', 'a');
    await both('ZINCRBY', 'small', '-0', 'a');
    await both('ZADD', 'n', '0', 'a');
    await both('ZUNIONSTORE', 'flipped', '1', 'n', 'WEIGHTS', '-1');
    await both('ZRANGE', 'flipped', '0', '-1', 'WITHSCORES');
    await both('CONFIG', 'SET', 'zset-max-listpack-entries', '2');
    await both('ZADD', 'big', '1', 'x', '2', 'y', '3', 'z', '-0', 'w');
    await both('ZRANGE', 'big', '0', '-1', 'WITHSCORES');
    await both('ZADD', 'n', '1', 'b', '2', 'c');
    await both('ZUNIONSTORE', 'flipped', '1', 'n', 'WEIGHTS', '-1');
    await both('ZRANGE', 'flipped', '0', '-1', 'WITHSCORES');
    await both('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
  });

  it('ZRANDMEMBER counts: limits, the whole set highest first, and no crash on -2^63', async () => {
    await both('FLUSHALL');
    await both('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    await both('ZRANDMEMBER', 'z', '3');
    await both('ZRANDMEMBER', 'z', '5', 'WITHSCORES');
    await both('ZRANDMEMBER', 'z', '-9223372036854775808');
    await both('ZRANDMEMBER', 'nokey', '-9223372036854775808');
    await both('ZRANDMEMBER', 'z', '-9223372036854775808', 'WITHSCORES');
    await both('ZRANDMEMBER', 'z', '4611686018427387903', 'WITHSCORES');
    await both('ZRANDMEMBER', 'z', '4611686018427387904', 'WITHSCORES');
    await both('ZRANDMEMBER', 'z', '1.5');
    // Past strata's cap on repeated picks (Redis would build the 2^25 + 1 element reply).
    expect(await pair.strata.call('ZRANDMEMBER', 'z', '-33554433')).toBe('-ERR value is out of range\r\n');
    expect(await pair.strata.call('PING')).toBe('+PONG\r\n');
  });

  it('ZINTERCARD numkeys and LIMIT errors match Redis', async () => {
    await both('FLUSHALL');
    await both('ZADD', 'z', '1', 'a');
    for (const numkeys of ['0', '-1', '2', '99999999999999', 'x']) await both('ZINTERCARD', numkeys, 'z');
    for (const limit of ['x', '-1', '+5', '05', '', '1']) await both('ZINTERCARD', '1', 'z', 'LIMIT', limit);
  });

  it('range commands (rank, score, lex, REV, LIMIT, WITHSCORES) match Redis', async () => {
    await both('FLUSHALL');
    await both('ZADD', 'z', '1', 'a', '1', 'b', '2', 'c', '3', 'd', '3', 'e', '4', 'f', '10', 'g');
    await both('ZADD', 'lex', '0', 'alpha', '0', 'bar', '0', 'cool', '0', 'down', '0', 'elephant', '0', 'foo');
    const queries: string[][] = [
      ['ZRANGE', 'z', '0', '-1'],
      ['ZRANGE', 'z', '-3', '100', 'WITHSCORES'],
      ['ZRANGE', 'z', '5', '1'],
      ['ZRANGE', 'z', '(1', '3', 'BYSCORE', 'WITHSCORES'],
      ['ZRANGE', 'z', '3', '(1', 'BYSCORE', 'REV'],
      ['ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '1', '3'],
      ['ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '-1', '3'],
      ['ZRANGE', 'z', '-inf', '+inf', 'BYSCORE', 'LIMIT', '100', '3'],
      ['ZRANGE', 'z', '0', '-1', 'LIMIT', '1', '1'],
      ['ZRANGE', 'lex', '[b', '(e', 'BYLEX'],
      ['ZRANGE', 'lex', '+', '-', 'BYLEX', 'REV', 'LIMIT', '1', '2'],
      ['ZRANGE', 'lex', '-', '+', 'BYLEX', 'WITHSCORES'],
      ['ZRANGE', 'lex', 'a', 'b', 'BYLEX'],
      ['ZRANGE', 'z', 'x', '1', 'BYSCORE'],
      ['ZRANGE', 'z', '0', '1', 'BYSCORE', 'BYLEX'],
      ['ZREVRANGE', 'z', '0', '2', 'WITHSCORES'],
      ['ZRANGEBYSCORE', 'z', '2', '3', 'WITHSCORES', 'LIMIT', '0', '1'],
      ['ZREVRANGEBYSCORE', 'z', '+inf', '(3'],
      ['ZRANGEBYLEX', 'lex', '(bar', '[foo', 'LIMIT', '1', '10'],
      ['ZREVRANGEBYLEX', 'lex', '[foo', '-'],
      ['ZCOUNT', 'z', '(1', '3'],
      ['ZCOUNT', 'z', '5', '1'],
      ['ZLEXCOUNT', 'lex', '-', '+'],
      ['ZLEXCOUNT', 'lex', '[c', '(e'],
      ['ZRANK', 'z', 'd'],
      ['ZREVRANK', 'z', 'd'],
      ['ZRANK', 'z', 'nope'],
      ['ZCARD', 'z'],
      ['ZCARD', 'nokey'],
      ['ZRANGE', 'nokey', '0', '-1'],
    ];
    for (const q of queries) await both(...q);
  });

  it('lex ranges over members of different scores walk a small set as Redis walks its listpack', async () => {
    await both('FLUSHALL');
    await both('ZADD', 'z2', '1.5', '', '0', 'a', '0.5', 'b', '3', 'c');
    await both('ZINCRBY', 'z2', '1.5', 'd');
    for (const argv of [
      ['ZRANGEBYLEX', 'z2', '[a', '+'],
      ['ZREVRANGEBYLEX', 'z2', '+', '[a'],
      ['ZRANGEBYLEX', 'z2', '-', '+', 'LIMIT', '1', '2'],
      ['ZREVRANGEBYLEX', 'z2', '[c', '-', 'LIMIT', '1', '5'],
      ['ZRANGEBYLEX', 'z2', '[c', '[b'],
      ['ZRANGEBYLEX', 'z2', '(b', '(b'],
      ['ZLEXCOUNT', 'z2', '[b', '[d'],
      ['ZRANGE', 'z2', '(a', '[c', 'BYLEX'],
      ['ZRANGESTORE', 'dst', 'z2', '[b', '+', 'BYLEX'],
      ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
      ['ZREMRANGEBYLEX', 'z2', '(a', '[c'],
      ['ZRANGE', 'z2', '0', '-1', 'WITHSCORES'],
    ]) {
      await both(...argv);
    }
  });

  it('removal, pops and stores match Redis, including key deletion when emptied', async () => {
    await both('FLUSHALL');
    await both('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f');
    await both('ZREM', 'z', 'a', 'nope');
    await both('ZREMRANGEBYRANK', 'z', '0', '0');
    await both('ZREMRANGEBYSCORE', 'z', '(5', '+inf');
    await both('ZREMRANGEBYLEX', 'z', '-', '+');
    await both('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    await both('ZPOPMIN', 'z');
    await both('ZPOPMAX', 'z', '5');
    await both('EXISTS', 'z');
    await both('ZPOPMIN', 'z', '-1');
    await both('ZADD', 'k1', '1', 'a', '2', 'b');
    await both('ZADD', 'k2', '5', 'b', '6', 'c');
    await both('ZMPOP', '2', 'nokey', 'k1', 'MAX', 'COUNT', '10');
    await both('ZMPOP', '2', 'nokey', 'k1', 'MIN');
    await both('ZMPOP', '0', 'k1', 'MIN');
    await both('ZMPOP', '1', 'k2', 'MIDDLE');
    await both('ZADD', 'k1', '1', 'a', '2', 'b', '3', 'x');
    await both('SADD', 'set', 'a', 'c', 'z');
    await both('ZUNION', '3', 'k1', 'k2', 'set', 'WITHSCORES');
    await both('ZUNION', '2', 'k1', 'k2', 'WEIGHTS', '2', '0.5', 'AGGREGATE', 'MAX', 'WITHSCORES');
    await both('ZINTER', '2', 'k1', 'k2', 'WITHSCORES');
    await both('ZINTER', '2', 'k1', 'set', 'AGGREGATE', 'MIN', 'WITHSCORES');
    await both('ZDIFF', '2', 'k1', 'k2', 'WITHSCORES');
    await both('ZUNIONSTORE', 'dst', '2', 'k1', 'k2');
    await both('ZRANGE', 'dst', '0', '-1', 'WITHSCORES');
    await both('ZINTERSTORE', 'dst', '2', 'k1', 'nokey');
    await both('EXISTS', 'dst');
    await both('ZDIFFSTORE', 'dst', '1', 'k1');
    await both('ZINTERCARD', '2', 'k1', 'k2');
    await both('ZINTERCARD', '2', 'k1', 'k2', 'LIMIT', '-1');
    await both('ZRANGESTORE', 'dst2', 'k1', '1', '2', 'BYSCORE');
    await both('ZRANGE', 'dst2', '0', '-1', 'WITHSCORES');
    await both('ZUNION', '0', 'k1');
    await both('ZUNION', '3', 'k1');
    await both('ZUNIONSTORE', 'd', '1', 'k1', 'WEIGHTS', 'x');
    await both('ZADD', 'inf', '+inf', 'a');
    await both('ZADD', 'ninf', '-inf', 'a');
    await both('ZUNION', '2', 'inf', 'ninf', 'WITHSCORES');
  });

  it('RESP3 replies for scores and pairs match Redis', async () => {
    await Promise.all([pair.strata.call('HELLO', '3'), pair.redis.call('HELLO', '3')]);
    await both('FLUSHALL');
    await both('ZADD', 'z', '1.5', 'a', '2', 'b');
    await both('ZSCORE', 'z', 'a');
    await both('ZRANGE', 'z', '0', '-1', 'WITHSCORES');
    await both('ZPOPMIN', 'z', '1');
    await both('ZPOPMIN', 'z');
    await both('ZMSCORE', 'z', 'a', 'b');
    await both('ZINCRBY', 'z', '1', 'x');
    await Promise.all([pair.strata.call('HELLO', '2'), pair.redis.call('HELLO', '2')]);
  });

  it('ZRANDMEMBER picks members with Redis\'s reply shapes and count rules', async () => {
    await both('FLUSHALL');
    await both('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    const one = await pair.strata.call('ZRANDMEMBER', 'z');
    expect(['$1\r\na\r\n', '$1\r\nb\r\n', '$1\r\nc\r\n']).toContain(one);
    // A positive count gives distinct members, at most all of them.
    const all = await pair.strata.call('ZRANDMEMBER', 'z', '10');
    expect(all.split('\r\n').filter((l) => /^[abc]$/.test(l)).sort()).toEqual(['a', 'b', 'c']);
    const two = (await pair.strata.call('ZRANDMEMBER', 'z', '2', 'WITHSCORES')).split('\r\n');
    expect(two[0]).toBe('*4');
    expect(new Set([two[2], two[6]]).size).toBe(2);
    // A negative count may repeat members and always gives that many.
    expect((await pair.strata.call('ZRANDMEMBER', 'z', '-7')).startsWith('*7\r\n')).toBe(true);
    for (const q of [['ZRANDMEMBER', 'nokey'], ['ZRANDMEMBER', 'nokey', '3'], ['ZRANDMEMBER', 'z', '0'], ['ZRANDMEMBER', 'z', 'x'], ['ZRANDMEMBER', 'z', '1', 'bad']]) await both(...q);
  });

  it('random command sequences give the same replies as Redis', async () => {
    const member = fc.constantFrom('a', 'b', 'c', 'd', 'e', '', 'a\x00b', '\xff');
    const score = fc.oneof(fc.integer({ min: -5, max: 5 }).map(String), fc.constantFrom('1.5', '-inf', '+inf', '0.1', '1e3', '(2', 'x'));
    const bound = fc.oneof(score, fc.constantFrom('-inf', '+inf', '(1', '(-1'));
    const lex = fc.constantFrom('-', '+', '[a', '(b', '[c', '(e', 'x');
    const key = fc.constantFrom('z1', 'z2');
    // 's' holds a set: a valid input of the set-algebra commands.
    const source = fc.constantFrom('z1', 'z2', 's');
    const cmd = fc.oneof(
      fc.tuple(key, fc.subarray(['NX', 'XX', 'GT', 'LT', 'CH']), fc.array(fc.tuple(score, member), { minLength: 1, maxLength: 3 })).map(([k, opts, pairs]) => ['ZADD', k, ...opts, ...pairs.flat()]),
      fc.tuple(key, score, member).map(([k, s, m]) => ['ZINCRBY', k, s, m]),
      fc.tuple(key, member).map(([k, m]) => ['ZREM', k, m]),
      fc.tuple(key, fc.integer({ min: -4, max: 4 }), fc.integer({ min: -4, max: 4 })).map(([k, a, b]) => ['ZRANGE', k, String(a), String(b), 'WITHSCORES']),
      fc.tuple(key, bound, bound).map(([k, a, b]) => ['ZRANGEBYSCORE', k, a, b, 'WITHSCORES']),
      fc.tuple(key, bound, bound).map(([k, a, b]) => ['ZCOUNT', k, a, b]),
      fc.tuple(key, lex, lex).map(([k, a, b]) => ['ZRANGEBYLEX', k, a, b]),
      fc.tuple(key, lex, lex).map(([k, a, b]) => ['ZREMRANGEBYLEX', k, a, b]),
      fc.tuple(key, bound, bound).map(([k, a, b]) => ['ZREMRANGEBYSCORE', k, a, b]),
      fc.tuple(key, fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 })).map(([k, a, b]) => ['ZREMRANGEBYRANK', k, String(a), String(b)]),
      fc.tuple(key, member).map(([k, m]) => ['ZRANK', k, m]),
      fc.tuple(key, fc.integer({ min: 0, max: 3 })).map(([k, n]) => ['ZPOPMAX', k, String(n)]),
      fc.tuple(source, source).map(([a, b]) => ['ZUNIONSTORE', 'z2', '2', a, b, 'AGGREGATE', 'MIN']),
      fc.tuple(source, source).map(([a, b]) => ['ZINTER', '2', a, b, 'WITHSCORES']),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { maxLength: 25 }), async (cmds) => {
        await both('FLUSHALL');
        await both('SADD', 's', 'a', 'c');
        for (const c of cmds) await both(...c);
      }),
      { numRuns: 60 },
    );
  });
});
