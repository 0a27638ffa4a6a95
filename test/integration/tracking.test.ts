/*
 * Client-side caching (CLIENT TRACKING) over the wire, against redis-server 7.0.15: keys read by a
 * tracking client and then written by another client (or by itself, or expired, or flushed) give
 * the same invalidation pushes and __redis__:invalidate messages, in the same place among the
 * replies; BCAST, OPTIN/OPTOUT with CLIENT CACHING, NOLOOP, REDIRECT and its breaking; Redis's
 * errors for bad options; INFO's tracking fields; ioredis as a RESP2 redirect target.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';
import { parseReply } from '../helpers/differential.js';
import { transcriptsForSuite } from '../helpers/transcripts.js';

describe('client tracking transcripts against redis-server', () => {
  const pair = transcriptsForSuite(['--enable-debug-command', 'yes']);

  it('keys read by a RESP3 tracking client are invalidated once when another client writes them', async () => {
    await pair.expectSame(
      ['cache', 'writer'],
      [
        ['writer', [['FLUSHALL'], ['HSET', 'h', 'f', 'v'], ['SADD', 's', 'm'], ['ZADD', 'z', '1', 'm']]],
        [
          'cache',
          [
            ['HELLO', '3'],
            ['CLIENT', 'TRACKING', 'ON'],
            ['GET', 'a'],
            ['MGET', 'b', 'c'],
            ['HGET', 'h', 'f'],
            ['SISMEMBER', 's', 'm'],
            ['ZSCORE', 'z', 'm'],
            ['EXISTS', 'd', 'e'],
            ['TTL', 'f'],
            ['STRLEN', 'g'],
            ['CLIENT', 'TRACKINGINFO'],
          ],
        ],
        [
          'writer',
          [
            ['SET', 'a', '1'],
            ['SET', 'a', '2'],
            ['MSET', 'b', '1', 'c', '1'],
            ['HDEL', 'h', 'f'],
            ['SREM', 's', 'm'],
            ['ZINCRBY', 'z', '1', 'm'],
            ['DEL', 'd'],
            ['SET', 'e', '1'],
            ['EXPIRE', 'e', '100'],
            ['SET', 'f', '1'],
            ['APPEND', 'g', 'x'],
            ['SET', 'unread', '1'],
          ],
        ],
        ['cache', [['GET', 'a'], ['SET', 'a', 'mine'], ['GET', 'a']]],
        ['writer', [['RENAME', 'a', 'a2'], ['FLUSHDB']]],
        ['cache', [['GET', 'k'], ['FLUSHALL'], ['GET', 'k'], ['SET', 'k', 'v']]],
      ],
    );
  });

  it('a client sees the invalidations its own transaction caused after the EXEC reply', async () => {
    await pair.expectSame(
      ['cache'],
      [
        [
          'cache',
          [
            ['HELLO', '3'],
            ['CLIENT', 'TRACKING', 'ON'],
            ['GET', 'x'],
            ['GET', 'y'],
            ['MULTI'],
            ['SET', 'x', '1'],
            ['GET', 'z'],
            ['SET', 'y', '1'],
            ['SET', 'z', '1'],
            ['EXEC'],
          ],
        ],
      ],
    );
  });

  it('a client whose reply is skipped (CLIENT REPLY SKIP / OFF) still gets its invalidations', async () => {
    await pair.expectSame(
      ['cache'],
      [['cache', [['HELLO', '3'], ['CLIENT', 'TRACKING', 'ON'], ['GET', 'k'], ['CLIENT', 'REPLY', 'SKIP'], ['SET', 'k', '1'], ['GET', 'k'], ['CLIENT', 'REPLY', 'OFF'], ['DEL', 'k'], ['CLIENT', 'REPLY', 'ON']]]],
    );
  });

  it('NOLOOP leaves out the keys a client changed itself', async () => {
    await pair.expectSame(
      ['cache', 'writer'],
      [
        ['cache', [['HELLO', '3'], ['CLIENT', 'TRACKING', 'ON', 'NOLOOP'], ['GET', 'a'], ['GET', 'b'], ['SET', 'a', '1']]],
        ['writer', [['SET', 'b', '1'], ['SET', 'a', '2']]],
        ['cache', [['CLIENT', 'TRACKINGINFO']]],
      ],
    );
  });

  it('expired keys are invalidated when they are deleted', async () => {
    await pair.expectSame(
      ['cache', 'writer'],
      [
        // Long enough to be read alive on a loaded machine; the server-side sleep outlasts it.
        ['writer', [['DEBUG', 'SET-ACTIVE-EXPIRE', '0'], ['SET', 'e', 'v', 'PX', '500']]],
        ['cache', [['HELLO', '3'], ['CLIENT', 'TRACKING', 'ON'], ['GET', 'e'], ['DEBUG', 'SLEEP', '0.6']]],
        ['writer', [['GET', 'e'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '1']]],
        ['cache', []],
      ],
    );
  });

  it('OPTIN tracks only after CLIENT CACHING YES, OPTOUT tracks except after CLIENT CACHING NO', async () => {
    await pair.expectSame(
      ['in', 'out', 'writer'],
      [
        [
          'in',
          [
            ['HELLO', '3'],
            ['CLIENT', 'TRACKING', 'ON', 'OPTIN'],
            ['GET', 'a'],
            ['CLIENT', 'CACHING', 'YES'],
            ['CLIENT', 'TRACKINGINFO'],
            ['GET', 'b'],
            ['GET', 'c'],
            ['CLIENT', 'CACHING', 'YES'],
            ['CLIENT', 'GETNAME'],
            ['GET', 'd'],
            ['CLIENT', 'CACHING', 'YES'],
            ['MULTI'],
            ['GET', 'm1'],
            ['GET', 'm2'],
            ['EXEC'],
            ['GET', 'm3'],
          ],
        ],
        [
          'out',
          [
            ['HELLO', '3'],
            ['CLIENT', 'TRACKING', 'ON', 'OPTOUT'],
            ['CLIENT', 'CACHING', 'NO'],
            ['CLIENT', 'TRACKINGINFO'],
            ['GET', 'a'],
            ['GET', 'b'],
          ],
        ],
        ['writer', [['MSET', 'a', '1', 'b', '1', 'c', '1', 'd', '1', 'm1', '1', 'm2', '1', 'm3', '1']]],
        ['in', []],
        ['out', []],
      ],
    );
  });

  it('BCAST sends the changed keys under each prefix once per event-loop turn, in byte order', async () => {
    await pair.expectSame(
      ['cache', 'loop', 'writer'],
      [
        ['cache', [['HELLO', '3'], ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'order:'], ['CLIENT', 'TRACKINGINFO']]],
        ['loop', [['HELLO', '3'], ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'NOLOOP']]],
        ['writer', [['MSET', 'user:2', 'x', 'other', '1', 'order:9', 'x', 'user:10', 'y', 'user:1', 'z']]],
        ['writer', [['DEL', 'user:2', 'other']]],
        ['cache', []],
        ['loop', [['SET', 'mine', '1'], ['MSET', 'mine', '2', 'user:1', 'again']]],
        ['writer', [['SET', 'mine', '3']]],
        ['loop', []],
        ['cache', []],
      ],
    );
  });

  it('a RESP2 client redirects invalidations to a subscriber of __redis__:invalidate', async () => {
    await pair.expectSame(
      ['inv', 'cache', 'writer'],
      [
        ['inv', [['SUBSCRIBE', '__redis__:invalidate']]],
        ['cache', [['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$id:inv'], ['GET', 'a'], ['GET', 'b'], ['CLIENT', 'TRACKINGINFO']]],
        ['writer', [['SET', 'a', '1'], ['FLUSHALL']]],
        ['inv', []],
        ['cache', [['SET', 'b', '1']]],
      ],
    );
  });

  it('a RESP2 client without redirection is sent nothing, its keys are still forgotten', async () => {
    await pair.expectSame(
      ['cache', 'writer'],
      [
        ['cache', [['CLIENT', 'TRACKING', 'ON'], ['GET', 'a'], ['SET', 'a', '1']]],
        ['writer', [['SET', 'a', '2']]],
        ['cache', []],
      ],
    );
  });

  it('when the redirect client goes away the tracking client is told, and TRACKINGINFO shows it', async () => {
    await pair.expectSame(
      ['gone', 'cache', 'writer'],
      [
        ['cache', [['HELLO', '3'], ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$id:gone'], ['GET', 'a'], ['GET', 'b']]],
        ['writer', [['CLIENT', 'KILL', 'ID', '$id:gone'], ['SET', 'a', '1']]],
        ['cache', [['CLIENT', 'TRACKINGINFO'], ['SET', 'b', '1'], ['CLIENT', 'TRACKING', 'ON'], ['CLIENT', 'TRACKINGINFO']]],
      ],
    );
  });

  it('RESET and CLIENT TRACKING OFF stop tracking', async () => {
    await pair.expectSame(
      ['cache', 'writer'],
      [
        ['cache', [['HELLO', '3'], ['CLIENT', 'TRACKING', 'ON'], ['GET', 'a'], ['RESET'], ['HELLO', '3'], ['CLIENT', 'TRACKINGINFO'], ['CLIENT', 'GETREDIR']]],
        ['writer', [['SET', 'a', '1']]],
        ['cache', [['CLIENT', 'TRACKING', 'ON', 'BCAST'], ['CLIENT', 'TRACKING', 'OFF'], ['CLIENT', 'TRACKINGINFO']]],
        ['writer', [['SET', 'a', '2']]],
        ['cache', []],
      ],
    );
  });

  it('bad tracking options and CLIENT CACHING misuse get Redis 7.0 errors', async () => {
    await pair.expectSame(
      ['c'],
      [
        [
          'c',
          [
            ['CLIENT', 'TRACKING'],
            ['CLIENT', 'TRACKING', 'maybe'],
            ['CLIENT', 'TRACKING', 'ON', 'FOO'],
            ['CLIENT', 'TRACKING', 'ON', 'REDIRECT'],
            ['CLIENT', 'TRACKING', 'ON', 'PREFIX'],
            ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', 'abc'],
            ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '0'],
            ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '987654'],
            ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '$id:c', 'REDIRECT', '$id:c'],
            ['CLIENT', 'TRACKING', 'ON', 'PREFIX', 'a'],
            ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN'],
            ['CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT'],
            ['CLIENT', 'TRACKING', 'OFF', 'FOO'],
            ['CLIENT', 'CACHING', 'YES'],
            ['CLIENT', 'CACHING'],
            ['CLIENT', 'TRACKING', 'ON'],
            ['CLIENT', 'CACHING', 'YES'],
            ['CLIENT', 'CACHING', 'NO'],
            ['CLIENT', 'CACHING', 'MAYBE'],
            ['CLIENT', 'TRACKING', 'ON', 'BCAST'],
            ['CLIENT', 'TRACKING', 'ON', 'OPTIN'],
            ['CLIENT', 'TRACKING', 'ON', 'OPTOUT'],
            ['CLIENT', 'TRACKINGINFO'],
            ['CLIENT', 'TRACKING', 'OFF'],
            ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'ab'],
            ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'c', 'PREFIX', 'cd'],
            ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'bx'],
            ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'x', 'PREFIX', 'x'],
            ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'y'],
            ['CLIENT', 'TRACKING', 'ON'],
            ['CLIENT', 'TRACKINGINFO'],
            ['CLIENT', 'TRACKINGINFO', 'x'],
            ['CLIENT', 'GETREDIR', 'x'],
          ],
        ],
      ],
    );
  });

  it('INFO reports tracking clients, keys, items and prefixes as Redis does', async () => {
    const fields = async (server: RunningServer): Promise<string[]> => {
      const a = await RawClient.connect(server.port);
      const b = await RawClient.connect(server.port);
      const c = await RawClient.connect(server.port);
      try {
        await a.call('FLUSHALL');
        await a.call('CLIENT', 'TRACKING', 'ON');
        await b.call('CLIENT', 'TRACKING', 'ON');
        await c.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'p', 'PREFIX', 'q');
        for (const key of ['k1', 'k2', 'k3']) await a.call('GET', key);
        for (const key of ['k2', 'k3', 'k4']) await b.call('GET', key);
        await c.call('SET', 'k3', 'x');
        const info = parseReply(await a.call('INFO', 'everything')).text!;
        return info.split('\r\n').filter((line) => line.startsWith('tracking_'));
      } finally {
        for (const x of [a, b, c]) x.close();
      }
    };
    const expected = await fields(pair.redis);
    expect(expected).toEqual(['tracking_clients:3', 'tracking_total_keys:3', 'tracking_total_items:4', 'tracking_total_prefixes:2']);
    expect(await fields(pair.strata)).toEqual(expected);
  });
});

describe('client tracking on strata alone', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server.stop();
  });

  it('tracking-table-max-keys: beyond it, keys are dropped from the table and their clients told', async () => {
    const cache = await RawClient.connect(server.port);
    const admin = await RawClient.connect(server.port);
    try {
      await admin.call('CONFIG', 'SET', 'tracking-table-max-keys', '2');
      await cache.call('HELLO', '3');
      await cache.call('CLIENT', 'TRACKING', 'ON');
      expect(await cache.call('GET', 'k1')).toBe('_\r\n');
      expect(await cache.call('GET', 'k2')).toBe('_\r\n');
      expect(await cache.call('GET', 'k3')).toBe('_\r\n');
      const push = parseReply(await cache.readReply());
      expect(push.type).toBe('>');
      expect(push.items![0].text).toBe('invalidate');
      expect(['k1', 'k2', 'k3']).toContain(push.items![1].items![0].text);
      const info = parseReply(await admin.call('INFO', 'stats')).text!;
      expect(info).toContain('tracking_total_keys:2\r\n');
    } finally {
      await admin.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
      cache.close();
      admin.close();
    }
  });

  it('CLIENT LIST shows the tracking flags and the redirect id; CLIENT GETREDIR the id', async () => {
    const target = await RawClient.connect(server.port);
    const cache = await RawClient.connect(server.port);
    try {
      const id = (await target.call('CLIENT', 'ID')).slice(1, -2);
      expect(await cache.call('CLIENT', 'GETREDIR')).toBe(':-1\r\n');
      await cache.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'REDIRECT', id);
      expect(await cache.call('CLIENT', 'GETREDIR')).toBe(`:${id}\r\n`);
      expect(parseReply(await cache.call('CLIENT', 'INFO')).text).toMatch(new RegExp(`flags=tB .* redir=${id} resp=2`));
      target.close();
      await target.waitClosed();
      const writer = await RawClient.connect(server.port);
      await writer.call('SET', 'anything', '1');
      // The broken redirect is noticed when the broadcast is due, after the writer's tick.
      let info = '';
      for (let i = 0; i < 1000 && !/flags=tRB /.test(info); i++) info = parseReply(await cache.call('CLIENT', 'INFO')).text!;
      expect(info).toMatch(/flags=tRB /);
      writer.close();
    } finally {
      cache.close();
    }
  });

  it('ioredis as the RESP2 redirect target receives invalidated key names on __redis__:invalidate', async () => {
    // ioredis speaks RESP3 unless told otherwise, and passes no invalidation pushes on.
    const options = { port: server.port, host: '127.0.0.1', protocol: 2 } as const;
    const inv = new Redis(options);
    const cache = new Redis(options);
    const writer = new Redis(options);
    try {
      const id = (await inv.client('ID')) as number;
      const received = new Promise<unknown[]>((resolve) => inv.on('message', (channel: string, message: unknown) => resolve([channel, message])));
      await inv.subscribe('__redis__:invalidate');
      expect(await cache.client('TRACKING', 'ON', 'REDIRECT', String(id))).toBe('OK');
      expect(await cache.get('cached')).toBeNull();
      await writer.set('cached', 'v');
      const [channel, message] = await received;
      expect(channel).toBe('__redis__:invalidate');
      // ioredis turns the message (an array of keys) into text.
      expect(message).toBe('cached');
    } finally {
      inv.disconnect();
      cache.disconnect();
      writer.disconnect();
    }
  });
});
