import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

/** The payload of a DUMP reply ($len\r\n<bytes>\r\n) as raw bytes. */
function payloadOf(reply: string): string {
  const lf = reply.indexOf('\n');
  return reply.slice(lf + 1, reply.length - 2);
}

describe('DUMP and RESTORE', () => {
  let strata: RunningServer;
  let redis: RunningServer;
  let s: RawClient;
  let r: RawClient;

  beforeAll(async () => {
    [strata, redis] = await Promise.all([startServer(), startServer({ redis: true })]);
    [s, r] = await Promise.all([RawClient.connect(strata.port), RawClient.connect(redis.port)]);
  });

  afterAll(async () => {
    s.close();
    r.close();
    await Promise.all([strata.stop(), redis.stop()]);
  });

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
      await s.call(...cmd);
      await r.call(...cmd);
    }
    for (const key of keys) {
      const fromStrata = payloadOf(await s.call('DUMP', key));
      const fromRedis = payloadOf(await r.call('DUMP', key));
      expect(await r.call('RESTORE', `copy:${key}`, '0', fromStrata)).toBe('+OK\r\n');
      expect(await s.call('RESTORE', `copy:${key}`, '0', fromRedis)).toBe('+OK\r\n');
      const [ds, dr] = await Promise.all([s.call('DEBUG', 'DIGEST-VALUE', `copy:${key}`), r.call('DEBUG', 'DIGEST-VALUE', `copy:${key}`)]);
      expect(ds, key).toBe(dr);
      expect(await s.call('DEBUG', 'DIGEST-VALUE', key)).toBe(ds);
    }
  });

  it('RESTORE options and errors are those of Redis', async () => {
    const payload = payloadOf(await r.call('DUMP', 'str'));
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
      const [a, b] = await Promise.all([s.call(...c), r.call(...c)]);
      expect(a, c[0] + ' ' + c.slice(4).join(' ')).toBe(b);
    }
    const pttl = Number((await s.call('PTTL', 'withttl')).slice(1));
    expect(pttl).toBeGreaterThan(90000);
  });
});
