/*
 * Pub/sub over the wire: byte-for-byte transcripts against redis-server 7.0.15 (RESP2 subscribed
 * mode, RESP3 pushes, patterns, sharded channels, PUBSUB introspection, bad input), ioredis in
 * RESP2 and RESP3, and the output buffer limit that disconnects a subscriber that does not
 * read.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';
import { transcriptsForSuite } from '../helpers/transcripts.js';
import { InProcessServer } from '../helpers/inprocess.js';

describe('pub/sub transcripts against redis-server', () => {
  const pair = transcriptsForSuite();

  it('a RESP2 subscriber may only (un)subscribe, PING, QUIT or RESET, with Redis 7.0 replies', async () => {
    await pair.expectSame(
      ['sub'],
      [
        [
          'sub',
          [
            ['SUBSCRIBE', 'a', 'b', 'a'],
            ['PSUBSCRIBE', 'a*'],
            ['SSUBSCRIBE', 's1', 's1'],
            ['PING'],
            ['PING', 'hello'],
            ['PING', 'a', 'b'],
            ['GET', 'k'],
            ['CLIENT', 'ID'],
            ['CONFIG', 'GET', 'port'],
            ['MULTI'],
            ['SUBSCRIBE'],
            ['UNSUBSCRIBE', 'a', 'never'],
            ['PUNSUBSCRIBE', 'zz*'],
            ['PUNSUBSCRIBE'],
            ['PUNSUBSCRIBE'],
            ['UNSUBSCRIBE'],
            ['UNSUBSCRIBE'],
            ['PING'],
            ['SUNSUBSCRIBE', 'zz'],
            ['SUNSUBSCRIBE'],
            ['SUNSUBSCRIBE'],
            ['GET', 'k'],
          ],
        ],
      ],
    );
  });

  it('messages reach channel and pattern subscribers; PUBLISH counts every delivery', async () => {
    await pair.expectSame(
      ['sub1', 'sub2', 'sub3', 'pub'],
      [
        ['sub1', [['SUBSCRIBE', 'news.tech', 'news.art'], ['PSUBSCRIBE', 'news.*']]],
        // One pattern per subscriber: Redis walks its patterns in hash order, which is not defined.
        ['sub2', [['PSUBSCRIBE', 'n?ws.[st]*'], ['SUBSCRIBE', '']]],
        ['sub3', [['PSUBSCRIBE', '*']]],
        [
          'pub',
          [
            ['PUBLISH', 'news.tech', 'first'],
            ['PUBLISH', 'news.art', 'second'],
            ['PUBLISH', 'news.sport', ''],
            ['PUBLISH', 'other', 'x'],
            ['PUBLISH', '', 'to the empty channel'],
            ['PUBSUB', 'NUMSUB', 'news.tech', 'news.art', 'nobody', ''],
            ['PUBSUB', 'NUMPAT'],
            ['PUBSUB', 'CHANNELS', 'news.t*'],
            ['PUBSUB', 'CHANNELS', 'x*'],
            ['PUBSUB', 'NUMSUB'],
          ],
        ],
        ['sub1', []],
        ['sub2', []],
        ['sub3', []],
      ],
    );
  });

  it('channel names and messages are binary-safe', async () => {
    const bin = 'ch\x00\xff\r\n';
    await pair.expectSame(
      ['sub', 'pub'],
      [
        ['sub', [['SUBSCRIBE', bin], ['PSUBSCRIBE', 'ch\x00*']]],
        ['pub', [['PUBLISH', bin, '\x00\x01\xfe\r\n'], ['PUBSUB', 'NUMSUB', bin]]],
        ['sub', [['UNSUBSCRIBE', bin]]],
      ],
    );
  });

  it('a RESP3 subscriber gets pushes and may run any command, its own keyspace events included', async () => {
    await pair.expectSame(
      ['sub', 'pub'],
      [
        ['sub', [['HELLO', '3', 'SETNAME', 'x'], ['CONFIG', 'SET', 'notify-keyspace-events', 'KA'], ['SUBSCRIBE', 'a'], ['PSUBSCRIBE', '__keyspace@0__:*']]],
        ['pub', [['PUBLISH', 'a', 'from another client']]],
        [
          'sub',
          [
            ['PUBLISH', 'a', 'to myself'],
            ['SET', 'k', 'v'],
            ['GET', 'k'],
            ['DEL', 'k'],
            ['PING'],
            ['UNSUBSCRIBE'],
            ['PUNSUBSCRIBE'],
            ['CONFIG', 'SET', 'notify-keyspace-events', ''],
          ],
        ],
      ],
    );
  });

  it('sharded channels: SSUBSCRIBE, SPUBLISH, PUBSUB SHARDCHANNELS and SHARDNUMSUB, no pattern delivery', async () => {
    await pair.expectSame(
      ['sub', 'pub'],
      [
        ['sub', [['SSUBSCRIBE', 'orders', 'users'], ['PSUBSCRIBE', '*'], ['SUBSCRIBE', 'orders']]],
        [
          'pub',
          [
            ['SPUBLISH', 'orders', 'o1'],
            ['SPUBLISH', 'nobody', 'x'],
            ['PUBLISH', 'orders', 'classic'],
            ['PUBSUB', 'SHARDCHANNELS', 'ord*'],
            ['PUBSUB', 'SHARDNUMSUB', 'orders', 'nobody'],
            ['PUBSUB', 'NUMSUB', 'orders'],
            ['PUBSUB', 'SHARDCHANNELS', 'a', 'b'],
          ],
        ],
        ['sub', [['SUNSUBSCRIBE', 'orders'], ['SUNSUBSCRIBE', 'orders']]],
      ],
    );
  });

  it('in MULTI, SUBSCRIBE runs at EXEC but SSUBSCRIBE is refused (deny-blocking)', async () => {
    await pair.expectSame(
      ['c'],
      [
        [
          'c',
          [
            ['MULTI'],
            ['SSUBSCRIBE', 's'],
            ['SUBSCRIBE', 'x'],
            ['PSUBSCRIBE', 'p*'],
            ['EXEC'],
            ['MULTI'],
          ],
        ],
      ],
    );
  });

  it('RESET leaves every subscription and ends subscribed mode', async () => {
    await pair.expectSame(
      ['sub', 'pub'],
      [
        ['sub', [['SUBSCRIBE', 'a'], ['PSUBSCRIBE', 'b*'], ['SSUBSCRIBE', 'c'], ['RESET'], ['GET', 'k']]],
        ['pub', [['PUBSUB', 'NUMSUB', 'a'], ['PUBSUB', 'NUMPAT'], ['PUBSUB', 'SHARDNUMSUB', 'c'], ['PUBLISH', 'a', 'x']]],
      ],
    );
  });

  it('under CLIENT REPLY OFF, subscription replies and messages (pushes) still arrive', async () => {
    await pair.expectSame(
      ['sub', 'pub'],
      [
        ['sub', [['CLIENT', 'REPLY', 'OFF'], ['SUBSCRIBE', 'a'], ['PING'], ['UNSUBSCRIBE', 'a'], ['CLIENT', 'REPLY', 'ON']]],
        ['sub', [['HELLO', '3'], ['CLIENT', 'REPLY', 'OFF'], ['SUBSCRIBE', 'b'], ['GET', 'k'], ['PUBLISH', 'b', 'to myself'], ['CLIENT', 'REPLY', 'ON']]],
        ['pub', [['PUBLISH', 'b', 'm']]],
        ['sub', []],
      ],
    );
  });

  it('PUBSUB and the subscribing commands reject bad arguments with Redis errors', async () => {
    await pair.expectSame(
      ['c'],
      [
        [
          'c',
          [
            ['PUBSUB'],
            ['PUBSUB', 'FOO'],
            ['PUBSUB', 'CHANNELS', 'a', 'b'],
            ['PUBSUB', 'NUMPAT', 'x'],
            ['PUBSUB', 'HELP'],
            ['PUBSUB', 'HELP', 'x'],
            ['SUBSCRIBE'],
            ['PSUBSCRIBE'],
            ['SSUBSCRIBE'],
            ['PUBLISH', 'a'],
            ['SPUBLISH', 'a', 'b', 'c'],
          ],
        ],
      ],
    );
  });

  it('a disconnected subscriber is forgotten', async () => {
    for (const server of [pair.strata, pair.redis]) {
      const sub = await RawClient.connect(server.port);
      const other = await RawClient.connect(server.port);
      await sub.call('SUBSCRIBE', 'gone');
      sub.close();
      let count = '';
      // The server notices the close when the socket event arrives; await that, not a timer.
      for (let i = 0; i < 1000 && count !== '*2\r\n$4\r\ngone\r\n:0\r\n'; i++) count = await other.call('PUBSUB', 'NUMSUB', 'gone');
      expect(count).toBe('*2\r\n$4\r\ngone\r\n:0\r\n');
      expect(await other.call('PUBLISH', 'gone', 'x')).toBe(':0\r\n');
      other.close();
    }
  });
});

for (const protocol of [2, 3] as const) {
  describe(`pub/sub with ioredis (RESP${protocol})`, () => {
    let server: RunningServer;
    let sub: Redis;
    let pub: Redis;

    beforeAll(async () => {
      server = await startServer();
      sub = new Redis({ port: server.port, host: '127.0.0.1', protocol });
      pub = new Redis({ port: server.port, host: '127.0.0.1', protocol });
    });

    afterAll(async () => {
      sub.disconnect();
      pub.disconnect();
      await server.stop();
    });

    it('delivers messages and pattern messages in publish order', async () => {
      const got: string[] = [];
      const done = new Promise<void>((resolve) => {
        sub.on('message', (channel: string, message: string) => {
          got.push(`message ${channel} ${message}`);
          if (got.length === 4) resolve();
        });
        sub.on('pmessage', (pattern: string, channel: string, message: string) => {
          got.push(`pmessage ${pattern} ${channel} ${message}`);
          if (got.length === 4) resolve();
        });
      });
      expect(await sub.subscribe('chat', 'alerts')).toBe(2);
      expect(await sub.psubscribe('al*')).toBe(3);
      expect(await pub.publish('chat', 'hello')).toBe(1);
      expect(await pub.publish('alerts', 'fire')).toBe(2);
      expect(await pub.publish('nobody', 'x')).toBe(0);
      expect(await pub.publish('almost', 'y')).toBe(1);
      await done;
      expect(got).toEqual(['message chat hello', 'message alerts fire', 'pmessage al* alerts fire', 'pmessage al* almost y']);
      expect(await pub.pubsub('NUMSUB', 'chat', 'alerts')).toEqual(['chat', 1, 'alerts', 1]);
      expect(await pub.pubsub('NUMPAT')).toBe(1);
      expect((await pub.pubsub('CHANNELS')) as string[]).toEqual(expect.arrayContaining(['chat', 'alerts']));
      await sub.unsubscribe('chat', 'alerts');
      await sub.punsubscribe('al*');
      expect(await pub.pubsub('NUMSUB', 'chat')).toEqual(['chat', 0]);
    });

    it('INFO counts channels and patterns, CLIENT LIST marks subscribers', async () => {
      const other = new Redis({ port: server.port, host: '127.0.0.1', protocol });
      try {
        await other.subscribe('i1', 'i2');
        await other.psubscribe('p*');
        await other.ssubscribe('s1');
        const info = await pub.info('stats');
        expect(info).toContain('pubsub_channels:2\r\n');
        expect(info).toContain('pubsub_patterns:1\r\n');
        expect(info).toContain('pubsubshard_channels:1\r\n');
        const list = (await pub.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
        expect(list).toMatch(/flags=P .*sub=2 psub=1 ssub=1/);
      } finally {
        other.disconnect();
      }
    });
  });
}

describe('PUBLISH and the log', () => {
  it('PUBLISH and SPUBLISH change no data and are not propagated (Redis sends them to replicas only, never to the AOF)', () => {
    const ips = new InProcessServer();
    const capture = ips.capturePropagation();
    const sub = ips.connect();
    const pub = ips.connect();
    expect(sub.call('SUBSCRIBE', 'ch')).toBe('*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n');
    expect(pub.call('PUBLISH', 'ch', 'm')).toBe(':1\r\n');
    expect(pub.call('SPUBLISH', 'ch', 'm')).toBe(':0\r\n');
    expect(pub.call('SET', 'k', 'v')).toBe('+OK\r\n');
    expect(capture.commands()).toEqual([['SET', 'k', 'v']]);
    expect(sub.takeOutput()).toBe('*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n');
  });
});

describe('slow subscribers and client-output-buffer-limit pubsub', () => {
  /**
   * Publishes 1 KB messages in pipelined batches until the subscriber (which never reads) has been
   * disconnected, as PUBSUB NUMSUB shows; returns the number of batches it took.
   */
  async function publishUntilDropped(pub: RawClient, channel: string, maxBatches: number): Promise<number> {
    const payload = 'x'.repeat(1024);
    for (let batch = 1; batch <= maxBatches; batch++) {
      for (let i = 0; i < 256; i++) pub.send('PUBLISH', channel, payload);
      await pub.readReplies(256, 20_000);
      if ((await pub.call('PUBSUB', 'NUMSUB', channel)).endsWith(':0\r\n')) return batch;
    }
    throw new Error(`subscriber still connected after ${maxBatches} batches`);
  }

  for (const kind of ['strata', 'redis'] as const) {
    it(`${kind}: a subscriber that does not read is disconnected at the hard limit, and the publisher keeps going`, async () => {
      const server = await startServer({ redis: kind === 'redis', args: ['--client-output-buffer-limit', 'pubsub 256kb 0 0'] });
      const sub = await RawClient.connect(server.port);
      const pub = await RawClient.connect(server.port);
      try {
        await sub.call('SUBSCRIBE', 'firehose');
        sub.socket.pause();
        // Loopback socket buffers hold a few MB before the server sees any backlog.
        await publishUntilDropped(pub, 'firehose', 400);
        expect(await pub.call('PUBLISH', 'firehose', 'x')).toBe(':0\r\n');
        expect(await pub.call('PING')).toBe('+PONG\r\n');
      } finally {
        sub.close();
        pub.close();
        await server.stop();
      }
    });
  }

  it('one message larger than the hard limit disconnects its subscriber at once, as in Redis', async () => {
    for (const redis of [false, true]) {
      const server = await startServer({ redis, args: ['--client-output-buffer-limit', 'pubsub 64kb 0 0'] });
      const sub = await RawClient.connect(server.port);
      const pub = await RawClient.connect(server.port);
      try {
        await sub.call('SUBSCRIBE', 'big');
        expect(await pub.call('PUBLISH', 'big', 'y'.repeat(200 * 1024))).toBe(':1\r\n');
        expect(await sub.readToClose()).toBe('');
        expect(await pub.call('PUBSUB', 'NUMSUB', 'big')).toBe('*2\r\n$3\r\nbig\r\n:0\r\n');
      } finally {
        sub.close();
        pub.close();
        await server.stop();
      }
    }
  });

  for (const kind of ['strata', 'redis'] as const) {
    it(`${kind}: the soft limit disconnects a subscriber that stays over it for longer than its seconds`, async () => {
      const server = await startServer({ redis: kind === 'redis', args: ['--client-output-buffer-limit', 'pubsub 0 128kb 0'] });
      const sub = await RawClient.connect(server.port);
      const pub = await RawClient.connect(server.port);
      try {
        await sub.call('SUBSCRIBE', 'soft');
        sub.socket.pause();
        await publishUntilDropped(pub, 'soft', 4000);
      } finally {
        sub.close();
        pub.close();
        await server.stop();
      }
    });
  }
});
