/*
 * Blocking sorted-set pops (BZPOPMIN BZPOPMAX BZMPOP): every scenario runs against strata and
 * against redis-server 7.0, so the expectations are Redis's own replies. A client is known to be
 * blocked when the PING sent in the same write before its blocking command has been answered.
 */
import { describe, expect, it } from 'vitest';
import { serverForSuite } from '../helpers/server.js';
import { arr, bulk } from '../helpers/resp.js';

describe.each([['strata'], ['redis']])('blocking sorted-set pops on %s', (which) => {
  const { client } = serverForSuite(which === 'redis');
  let n = 0;

  function key(name: string): string {
    return `{z}${name}:${n++}`;
  }

  it('BZPOPMIN is served by a later ZADD with key, member and score', async () => {
    const [a, b] = [await client(), await client()];
    const k = key('q');
    await a.block('BZPOPMIN', k, '0');
    expect(await b.call('ZADD', k, '2', 'two', '1.5', 'one')).toBe(':2\r\n');
    expect(await a.readReply()).toBe(arr(bulk(k), bulk('one'), bulk('1.5')));
    expect(await b.call('ZRANGE', k, '0', '-1')).toBe(arr(bulk('two')));
  });

  it('BZPOPMAX answers at once from the first non-empty key, and errors on a wrong type', async () => {
    const a = await client();
    const [k1, k2, s] = [key('empty'), key('full'), key('str')];
    await a.call('ZADD', k2, '1', 'a', '3', 'c');
    expect(await a.call('BZPOPMAX', k1, k2, '0')).toBe(arr(bulk(k2), bulk('c'), bulk('3')));
    await a.call('SET', s, 'x');
    expect(await a.call('BZPOPMAX', k1, s, k2, '0')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    expect(await a.call('BZPOPMIN', k1, '-1')).toBe('-ERR timeout is negative\r\n');
    expect(await a.call('BZPOPMIN', k1, 'x')).toBe('-ERR timeout is not a float or out of range\r\n');
  });

  it('blocked clients are served in the order they blocked; BZMPOP takes at most its COUNT', async () => {
    const [a, b, c, pusher] = [await client(), await client(), await client(), await client()];
    const k = key('fifo');
    await a.block('BZPOPMAX', k, '0');
    await b.block('BZMPOP', '0', '2', 'other', k, 'MIN', 'COUNT', '2');
    await c.block('BZPOPMIN', k, '0');
    expect(await pusher.call('ZADD', k, '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e')).toBe(':5\r\n');
    expect(await a.readReply()).toBe(arr(bulk(k), bulk('e'), bulk('5')));
    expect(await b.readReply()).toBe(arr(bulk(k), arr(arr(bulk('a'), bulk('1')), arr(bulk('b'), bulk('2')))));
    expect(await c.readReply()).toBe(arr(bulk(k), bulk('c'), bulk('3')));
    expect(await pusher.call('ZRANGE', k, '0', '-1')).toBe(arr(bulk('d')));
  });

  it('BZMPOP answers at once like ZMPOP, and checks its arguments before the timeout', async () => {
    const a = await client();
    const k = key('m');
    await a.call('ZADD', k, '1', 'a', '2', 'b');
    expect(await a.call('BZMPOP', '0', '1', k, 'MAX', 'COUNT', '5')).toBe(arr(bulk(k), arr(arr(bulk('b'), bulk('2')), arr(bulk('a'), bulk('1')))));
    expect(await a.call('EXISTS', k)).toBe(':0\r\n');
    expect(await a.call('BZMPOP', '-1', '1', k, 'MAX')).toBe('-ERR timeout is negative\r\n');
    expect(await a.call('BZMPOP', 'x', '0', k, 'MAX')).toBe('-ERR numkeys should be greater than 0\r\n');
    expect(await a.call('BZMPOP', 'x', '1', k, 'MID')).toBe('-ERR syntax error\r\n');
    expect(await a.call('BZMPOP', '0', '1', k, 'MIN', 'COUNT', '0')).toBe('-ERR count should be greater than 0\r\n');
  });

  it('a timeout answers a null array, in RESP3 too', async () => {
    const a = await client();
    const k = key('t');
    expect(await a.call('BZPOPMIN', k, '0.01')).toBe('*-1\r\n');
    expect(await a.call('BZMPOP', '0.01', '1', k, 'MIN')).toBe('*-1\r\n');
    await a.call('HELLO', '3');
    expect(await a.call('BZPOPMAX', k, '0.01')).toBe('_\r\n');
  });

  it('RESP3 replies carry the score as a double', async () => {
    const [a, b] = [await client(), await client()];
    await a.call('HELLO', '3');
    const k = key('r3');
    await a.block('BZPOPMIN', k, '0');
    await b.call('ZADD', k, '2.5', 'x');
    expect(await a.readReply()).toBe(`*3\r\n${bulk(k)}${bulk('x')},2.5\r\n`);
    await b.call('ZADD', k, '7', 'y');
    expect(await a.call('BZMPOP', '0', '1', k, 'MIN')).toBe(`*2\r\n${bulk(k)}*1\r\n*2\r\n${bulk('y')},7\r\n`);
  });

  it('inside MULTI a blocking pop on empty keys answers a null array at once', async () => {
    const a = await client();
    const k = key('multi');
    await a.call('MULTI');
    await a.call('BZPOPMIN', k, '0');
    await a.call('BZMPOP', '0', '1', k, 'MAX');
    expect(await a.call('EXEC')).toBe(arr('*-1\r\n', '*-1\r\n'));
  });

  it('ZADD inside MULTI/EXEC and ZUNIONSTORE serve waiters with the set as the command left it', async () => {
    const [a, b, c] = [await client(), await client(), await client()];
    const [k, src] = [key('exec'), key('src')];
    await a.block('BZPOPMIN', k, '0');
    await c.call('MULTI');
    await c.call('ZADD', k, '1', 'a');
    await c.call('ZADD', k, '0', 'z');
    await c.call('ZREM', k, 'a');
    expect(await c.call('EXEC')).toBe(arr(':1\r\n', ':1\r\n', ':1\r\n'));
    expect(await a.readReply()).toBe(arr(bulk(k), bulk('z'), bulk('0')));
    await b.block('BZPOPMAX', k, '0');
    await c.call('ZADD', src, '4', 'four');
    expect(await c.call('ZUNIONSTORE', k, '1', src)).toBe(':1\r\n');
    expect(await b.readReply()).toBe(arr(bulk(k), bulk('four'), bulk('4')));
  });

  it('a zset waiter is not served by a list pushed to its key, and keeps waiting', async () => {
    const [a, b] = [await client(), await client()];
    const k = key('typed');
    await a.block('BZPOPMIN', k, '0');
    await b.call('RPUSH', k, 'x');
    await b.call('DEL', k);
    await b.call('ZADD', k, '1', 'm');
    expect(await a.readReply()).toBe(arr(bulk(k), bulk('m'), bulk('1')));
  });
});
