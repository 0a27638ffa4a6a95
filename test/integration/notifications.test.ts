/*
 * Keyspace notifications over the wire, against redis-server 7.0.15: for each command family the
 * same command sequence runs on both servers while a subscriber listens on `__key*__:*`, and the
 * message sequences it receives (pattern, channel, payload, in order) must be equal. Several
 * notify-keyspace-events settings are tried, the 'n' (new) and 'm' (key miss) classes and 'x'
 * (expired, through lazy expiry after a DEBUG SLEEP) included. Active expiry is off on both so the
 * expired events come where the sequence reads the keys.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';
import { parseReply } from '../helpers/differential.js';

const END_CHANNEL = '__key__:end';

/** The sequences, by family. Each starts from an empty dataset. */
const FAMILIES: Record<string, string[][]> = {
  strings: [
    ['SET', 's', '1'],
    ['SET', 's', '2', 'NX'],
    ['SET', 's', '3', 'XX', 'EX', '100'],
    ['SET', 's', '4', 'KEEPTTL'],
    ['SET', 's', '5', 'GET'],
    ['SET', 'missing', '1', 'XX'],
    ['SETNX', 's', 'x'],
    ['SETNX', 's2', 'x'],
    ['SETEX', 's3', '100', 'v'],
    ['PSETEX', 's4', '100000', 'v'],
    ['GETSET', 's', 'gs'],
    ['GETSET', 'gs-new', 'v'],
    ['GETDEL', 's2'],
    ['GETDEL', 's2'],
    ['GETEX', 's', 'EX', '100'],
    ['GETEX', 's', 'PERSIST'],
    ['GETEX', 's', 'PX', '0'],
    ['GETEX', 'nokey', 'EX', '10'],
    ['GET', 'nokey'],
    ['MGET', 's3', 'nokey', 's4'],
    ['MSET', 'm1', 'a', 'm2', 'b'],
    ['MSETNX', 'm1', 'a', 'm3', 'c'],
    ['MSETNX', 'm4', 'a', 'm5', 'c'],
    ['INCR', 'n'],
    ['DECR', 'n'],
    ['INCRBY', 'n', '10'],
    ['DECRBY', 'n', '3'],
    ['INCRBYFLOAT', 'f', '1.5'],
    ['INCR', 'm1'],
    ['APPEND', 'a', 'x'],
    ['APPEND', 'a', 'y'],
    ['SETRANGE', 'r', '0', ''],
    ['SETRANGE', 'r', '3', 'abc'],
    ['SETRANGE', 'a', '0', ''],
    ['GETRANGE', 'nokey', '0', '1'],
    ['STRLEN', 'nokey'],
    ['SET', 'e', 'v', 'PX', '1'],
    ['SET', 'e2', 'v', 'PX', '1'],
    ['DEBUG', 'SLEEP', '0.01'],
    ['GET', 'e'],
    ['SET', 'e2', 'new'],
  ],
  keys: [
    ['MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4'],
    ['DEL', 'a', 'nokey'],
    ['UNLINK', 'b'],
    ['EXISTS', 'c', 'nokey'],
    ['TYPE', 'nokey'],
    ['TOUCH', 'c', 'nokey'],
    ['RENAME', 'c', 'c2'],
    ['RENAME', 'c2', 'c2'],
    ['RENAME', 'nokey', 'x'],
    ['SET', 'c3', 'x'],
    ['RENAME', 'c2', 'c3'],
    ['RENAMENX', 'c3', 'd'],
    ['RENAMENX', 'c3', 'c4'],
    ['MOVE', 'c4', '1'],
    ['MOVE', 'nokey', '1'],
    ['COPY', 'd', 'd2'],
    ['COPY', 'd', 'd2'],
    ['COPY', 'd', 'd2', 'REPLACE'],
    ['COPY', 'd', 'd3', 'DB', '2'],
    ['COPY', 'nokey', 'x'],
    ['EXPIRE', 'd', '100'],
    ['PEXPIRE', 'd', '100000'],
    ['EXPIREAT', 'd', '4000000000'],
    ['PEXPIREAT', 'd', '4000000000000'],
    ['EXPIRE', 'd', '100', 'NX'],
    ['EXPIRE', 'nokey', '100'],
    ['TTL', 'nokey'],
    ['PERSIST', 'd'],
    ['PERSIST', 'd'],
    ['EXPIRE', 'd2', '-1'],
    ['PEXPIREAT', 'd', '1'],
    ['SET', 'k', 'v'],
    ['SWAPDB', '0', '1'],
    ['SELECT', '1'],
    ['DEL', 'c4', 'k'],
    ['SELECT', '0'],
    ['SET', 'x', '1'],
    ['FLUSHDB'],
    ['SET', 'y', '1'],
    ['FLUSHALL'],
    ['SET', 'e', 'v', 'PX', '1'],
    ['SET', 'e2', 'v', 'PX', '1'],
    ['SET', 'e3', 'v', 'PX', '1'],
    ['DEBUG', 'SLEEP', '0.01'],
    ['EXISTS', 'e'],
    ['DEL', 'e2'],
    ['RENAME', 'e3', 'z'],
  ],
  hashes: [
    ['HSET', 'h', 'a', '1', 'b', '2'],
    ['HSET', 'h', 'a', '1'],
    ['HMSET', 'h', 'c', '3'],
    ['HSETNX', 'h', 'a', '9'],
    ['HSETNX', 'h', 'd', '4'],
    ['HSETNX', 'h2', 'a', '1'],
    ['HINCRBY', 'h', 'n', '5'],
    ['HINCRBYFLOAT', 'h', 'f', '1.5'],
    ['HGET', 'h', 'a'],
    ['HGET', 'nokey', 'a'],
    ['HGETALL', 'nokey'],
    ['HLEN', 'nokey'],
    ['HDEL', 'h', 'a', 'zz'],
    ['HDEL', 'h', 'zz'],
    ['HDEL', 'h2', 'a'],
    ['HDEL', 'nokey', 'a'],
    ['HINCRBY', 'h', 'a', '1'],
    ['HDEL', 'h', 'a', 'b', 'c', 'd', 'n', 'f'],
    ['HSET', 'e', 'f', 'v'],
    ['PEXPIRE', 'e', '1'],
    ['DEBUG', 'SLEEP', '0.01'],
    ['HGET', 'e', 'f'],
  ],
  sets: [
    ['SADD', 's', 'a', 'b', 'c'],
    ['SADD', 's', 'a'],
    ['SREM', 's', 'a', 'zz'],
    ['SREM', 's', 'zz'],
    ['SREM', 'nokey', 'a'],
    ['SISMEMBER', 'nokey', 'a'],
    ['SMEMBERS', 'nokey'],
    ['SADD', 't', 'x'],
    ['SMOVE', 's', 't', 'b'],
    ['SMOVE', 's', 't', 'zz'],
    ['SMOVE', 's', 'u', 'c'],
    ['SMOVE', 't', 't', 'x'],
    ['SADD', 'p', '1', '2', '3'],
    ['SPOP', 'p', '0'],
    ['SPOP', 'p', '3'],
    ['SADD', 'p', '1', '2', '3'],
    ['SPOP', 'p', '10'],
    ['SADD', 'p', '1'],
    ['SPOP', 'p'],
    ['SPOP', 'nokey'],
    ['SADD', 'a', '1', '2', '3'],
    ['SADD', 'b', '2', '3', '4'],
    ['SINTERSTORE', 'd', 'a', 'b'],
    ['SUNIONSTORE', 'd', 'a', 'b'],
    ['SDIFFSTORE', 'd', 'a', 'b'],
    ['SDIFFSTORE', 'd', 'a', 'a'],
    ['SINTERSTORE', 'd', 'a', 'nokey'],
    ['SUNIONSTORE', 'd', 'nokey'],
    ['SINTER', 'a', 'nokey'],
    ['SCARD', 'nokey'],
    ['SRANDMEMBER', 'nokey'],
  ],
  zsets: [
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'],
    ['ZADD', 'z', '1', 'a'],
    ['ZADD', 'z', 'XX', '5', 'new'],
    ['ZADD', 'z', 'INCR', '1', 'a'],
    ['ZADD', 'z', 'NX', 'GT', 'CH', '1', 'q'],
    ['ZINCRBY', 'z', '2', 'b'],
    ['ZINCRBY', 'z2', '2', 'b'],
    ['ZREM', 'z', 'a', 'zz'],
    ['ZREM', 'z', 'zz'],
    ['ZREM', 'z2', 'b'],
    ['ZSCORE', 'nokey', 'a'],
    ['ZRANGE', 'nokey', '0', '-1'],
    ['ZCARD', 'nokey'],
    ['ZADD', 'r', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f'],
    ['ZREMRANGEBYRANK', 'r', '0', '0'],
    ['ZREMRANGEBYRANK', 'r', '100', '200'],
    ['ZREMRANGEBYSCORE', 'r', '2', '3'],
    ['ZREMRANGEBYLEX', 'r', '[d', '[e'],
    ['ZREMRANGEBYSCORE', 'r', '-inf', '+inf'],
    ['ZADD', 'p', '1', 'a', '2', 'b', '3', 'c'],
    ['ZPOPMIN', 'p'],
    ['ZPOPMAX', 'p', '5'],
    ['ZPOPMIN', 'nokey'],
    ['ZADD', 'p', '1', 'a', '2', 'b', '3', 'c'],
    ['ZMPOP', '2', 'nokey', 'p', 'MIN', 'COUNT', '2'],
    ['ZMPOP', '1', 'p', 'MAX'],
    ['ZMPOP', '1', 'nokey', 'MAX'],
    ['ZADD', 'x', '1', 'a', '2', 'b'],
    ['ZADD', 'y', '1', 'b', '2', 'c'],
    ['ZUNIONSTORE', 'd', '2', 'x', 'y'],
    ['ZINTERSTORE', 'd', '2', 'x', 'y'],
    ['ZDIFFSTORE', 'd', '2', 'x', 'y'],
    ['ZDIFFSTORE', 'd', '2', 'x', 'x'],
    ['ZINTERSTORE', 'd2', '2', 'x', 'nokey'],
    ['ZRANGESTORE', 'd', 'x', '0', '-1'],
    ['ZRANGESTORE', 'd', 'x', '5', '10'],
    ['ZRANGESTORE', 'd3', 'nokey', '0', '-1'],
    ['ZUNION', '2', 'x', 'nokey'],
  ],
  transactions: [
    ['MULTI'],
    ['SET', 'a', '1'],
    ['INCR', 'a'],
    ['SADD', 's', 'x'],
    ['EXEC'],
    ['MULTI'],
    ['DEL', 'a', 's'],
    ['GET', 'nokey'],
    ['EXEC'],
  ],
};

/** notify-keyspace-events settings tried on every family. */
const SETTINGS = ['KEA', 'KEAnm', 'Eh$s', 'Kgxz', 'Em', 'En'];

interface Side {
  server: RunningServer;
  worker: RawClient;
  subscriber: RawClient;
}

async function openSide(redis: boolean): Promise<Side> {
  const server = await startServer({ redis, args: ['--enable-debug-command', 'yes'] });
  const worker = await RawClient.connect(server.port);
  const subscriber = await RawClient.connect(server.port);
  await worker.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
  await subscriber.call('PSUBSCRIBE', '__key*__:*');
  return { server, worker, subscriber };
}

/** Runs the sequence (pipelined) and returns what the subscriber got, one "channel message" per event. */
async function eventsOf(side: Side, setting: string, requests: readonly string[][]): Promise<string[]> {
  await side.worker.call('CONFIG', 'SET', 'notify-keyspace-events', setting);
  await side.worker.call('FLUSHALL');
  for (const argv of requests) side.worker.send(...argv);
  await side.worker.readReplies(requests.length);
  await side.worker.call('PUBLISH', END_CHANNEL, 'end');
  const events: string[] = [];
  for (;;) {
    const msg = parseReply(await side.subscriber.readReply());
    const [kind, pattern, channel, payload] = msg.items!.map((i) => i.text);
    expect([kind, pattern]).toEqual(['pmessage', '__key*__:*']);
    if (channel === END_CHANNEL) return events;
    events.push(`${channel} ${payload}`);
  }
}

describe('keyspace notifications against redis-server', () => {
  let strata: Side;
  let redis: Side;

  beforeAll(async () => {
    [strata, redis] = await Promise.all([openSide(false), openSide(true)]);
  });

  afterAll(async () => {
    for (const side of [strata, redis]) {
      side.worker.close();
      side.subscriber.close();
      await side.server.stop();
    }
  });

  for (const setting of SETTINGS) {
    for (const [family, requests] of Object.entries(FAMILIES)) {
      it(`${family} commands publish the same events as redis-server with notify-keyspace-events ${setting}`, async () => {
        const expected = await eventsOf(redis, setting, requests);
        const actual = await eventsOf(strata, setting, requests);
        expect(actual).toEqual(expected);
      });
    }
  }

  it('hash field expiry (a Redis 7.4 addition) publishes hexpire, then hexpired and del when the last field goes', async () => {
    const requests = [
      ['HSET', 'h', 'f', 'v', 'g', 'w'],
      // TTLs long enough that no field expires before the sleep, even on a loaded machine.
      ['HPEXPIRE', 'h', '100', 'FIELDS', '1', 'f'],
      ['HPEXPIRE', 'h', '100000', 'FIELDS', '1', 'g'],
      ['HPERSIST', 'h', 'FIELDS', '1', 'g'],
      ['HPEXPIRE', 'h', '100', 'FIELDS', '1', 'g'],
      ['DEBUG', 'SLEEP', '0.2'],
      ['HGETALL', 'h'],
    ];
    expect(await eventsOf(strata, 'Eghn', requests)).toEqual([
      '__keyevent@0__:new h',
      '__keyevent@0__:hset h',
      '__keyevent@0__:hexpire h',
      '__keyevent@0__:hexpire h',
      '__keyevent@0__:hpersist h',
      '__keyevent@0__:hexpire h',
      '__keyevent@0__:hexpired h',
      '__keyevent@0__:del h',
    ]);
  });

  it('every family sequence produces events with KEA (the comparison is not vacuous)', async () => {
    for (const requests of Object.values(FAMILIES)) expect((await eventsOf(redis, 'KEA', requests)).length).toBeGreaterThan(4);
  });
});
