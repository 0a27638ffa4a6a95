import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

/** Redis 7.4's hash field expiration read commands, through the real server. */
describe('hash field TTL reads: HTTL HPTTL HEXPIRETIME HPEXPIRETIME', () => {
  let server: RunningServer;
  let c: RawClient;

  beforeAll(async () => {
    server = await startServer();
    c = await RawClient.connect(server.port);
  });

  afterAll(async () => {
    c.close();
    await server.stop();
  });

  it('report -2 for missing fields, -1 for fields without a TTL, and the time left or the deadline otherwise', async () => {
    await c.call('HSET', 'h', 'a', '1', 'b', '2');
    const at = Date.now() + 100000;
    expect(await c.call('HPEXPIREAT', 'h', String(at), 'FIELDS', '1', 'a')).toBe('*1\r\n:1\r\n');
    expect(await c.call('HPEXPIRETIME', 'h', 'FIELDS', '3', 'a', 'b', 'nope')).toBe(`*3\r\n:${at}\r\n:-1\r\n:-2\r\n`);
    // Seconds round up, as 7.4 does: (ms + 999) / 1000.
    expect(await c.call('HEXPIRETIME', 'h', 'FIELDS', '1', 'a')).toBe(`*1\r\n:${Math.floor((at + 999) / 1000)}\r\n`);
    const pttl = Number((await c.call('HPTTL', 'h', 'FIELDS', '1', 'a')).split('\r\n')[1].slice(1));
    expect(pttl).toBeGreaterThan(90000);
    expect(pttl).toBeLessThanOrEqual(100000);
    const ttl = Number((await c.call('HTTL', 'h', 'FIELDS', '1', 'a')).split('\r\n')[1].slice(1));
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(await c.call('HPTTL', 'nokey', 'FIELDS', '1', 'a')).toBe('*1\r\n:-2\r\n');
  });
});
