import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/server.js';
import { pairForSuite } from '../helpers/differential.js';
import { RawClient } from '../helpers/resp.js';

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

function infoField(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(info);
  if (m === null) throw new Error(`no ${name} in INFO`);
  return m[1];
}

async function usedMemory(r: Redis): Promise<number> {
  return Number(infoField(await r.info('memory'), 'used_memory'));
}

/** Sets maxmemory `headroom` bytes above what is in use now. */
async function limitAbove(r: Redis, headroom: number): Promise<number> {
  const limit = (await usedMemory(r)) + headroom;
  await r.config('SET', 'maxmemory', String(limit));
  return limit;
}

/** Writes `n` fresh 100-byte string keys named prefix:i (each write may evict). */
async function fill(r: Redis, prefix: string, n: number): Promise<void> {
  const p = r.pipeline();
  for (let i = 0; i < n; i++) p.set(`${prefix}:${i}`, 'v'.repeat(100));
  await p.exec();
}

async function surviving(r: Redis, prefix: string, n: number): Promise<number> {
  const p = r.pipeline();
  for (let i = 0; i < n; i++) p.exists(`${prefix}:${i}`);
  const res = (await p.exec())!;
  return res.reduce((sum, [, v]) => sum + (v as number), 0);
}

/**
 * A strata started with `args` for the enclosing suite, it and a connection handed to `connected`;
 * after each test it has no limit, no policy and no keys again.
 */
function strataForSuite(args: string[], connected: (r: Redis, server: RunningServer) => void): void {
  let server: RunningServer;
  let r: Redis;
  beforeAll(async () => {
    server = await startServer({ args });
    r = new Redis(server.port, { lazyConnect: true });
    await r.connect();
    connected(r, server);
  });
  afterEach(async () => {
    await r.config('SET', 'maxmemory', '0');
    await r.config('SET', 'maxmemory-policy', 'noeviction');
    await r.flushall();
  });
  afterAll(async () => {
    r.disconnect();
    await server.stop();
  });
}

/** 500 keys without a TTL and 500 with, then maxmemory at what is in use and 200 more without. */
async function plainAndVolatileKeysPastLimit(r: Redis, policy: string): Promise<void> {
  await r.config('SET', 'maxmemory-policy', policy);
  await fill(r, 'plain', 500);
  const p = r.pipeline();
  for (let i = 0; i < 500; i++) p.set(`ttl:${i}`, 'v'.repeat(100), 'EX', 1000 + i);
  await p.exec();
  await limitAbove(r, 0);
  await fill(r, 'more', 200);
}

/**
 * `n` "old" keys (idle 10000 s), the even ones then read five times; then maxmemory is set to what
 * is in use and 200 new keys go in: the policy must make room, ideally from the unread old keys.
 */
async function oldKeysWithHalfRead(r: Redis, policy: string, n: number): Promise<void> {
  await r.config('SET', 'maxmemory-policy', policy);
  await r.set('model', 'v'.repeat(100));
  const payload = await r.dumpBuffer('model');
  await r.del('model');
  const p = r.pipeline();
  for (let i = 0; i < n; i++) p.restore(`old:${i}`, 0, payload, 'IDLETIME', 10000);
  await p.exec();
  const q = r.pipeline();
  for (let i = 0; i < n; i += 2) for (let j = 0; j < 5; j++) q.get(`old:${i}`);
  await q.exec();
  await limitAbove(r, 0);
  await fill(r, 'new', 200);
}

describe('eviction under maxmemory', () => {
  let r!: Redis;
  let server!: RunningServer;
  // Redis's deleting eviction: the cold tier (on by default) demotes instead (cold-tier.test.ts).
  strataForSuite(['--cold-tier', 'no'], (c, s) => {
    r = c;
    server = s;
  });

  it('INFO reports maxmemory settings, used_memory growing with data, and evicted_keys', async () => {
    const before = await usedMemory(r);
    await fill(r, 'k', 1000);
    const after = await usedMemory(r);
    // 1000 keys of ~10 + 100 bytes: at least their bytes, within a few hundred bytes of overhead each.
    expect(after - before).toBeGreaterThan(110_000);
    expect(after - before).toBeLessThan(1_000_000);
    await r.config('SET', 'maxmemory', '100mb');
    await r.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const info = await r.info('memory');
    expect(infoField(info, 'maxmemory')).toBe(String(100 * 1024 * 1024));
    expect(infoField(info, 'maxmemory_human')).toBe('100.00M');
    expect(infoField(info, 'maxmemory_policy')).toBe('allkeys-lru');
    expect(Number(infoField(info, 'mem_fragmentation_ratio'))).toBeGreaterThan(0);
    expect(infoField(info, 'used_memory_human')).toMatch(/^\d+\.\d\dM$/);
    expect(infoField(await r.info('stats'), 'evicted_keys')).toBe('0');
  });

  it('used_memory goes back down when keys of every type are deleted', async () => {
    const before = await usedMemory(r);
    for (let i = 0; i < 200; i++) {
      await r.hset('h', `f${i}`, 'x'.repeat(50));
      await r.rpush('l', 'x'.repeat(50));
      await r.sadd('s', `m${i}`);
      await r.zadd('z', i, `m${i}`);
      await r.set(`s${i}`, i);
      await r.expire(`s${i}`, 100);
    }
    const full = await usedMemory(r);
    expect(full - before).toBeGreaterThan(200 * (50 + 50 + 2 * 4));
    for (const type of ['hash', 'list', 'set', 'zset']) {
      const usage = Number(await r.memory('USAGE', type[0]));
      expect(usage, type).toBeGreaterThan(200 * 4);
    }
    await r.hdel('h', 'f0', 'f1');
    await r.lpop('l', 10);
    const shrunk = await usedMemory(r);
    expect(shrunk).toBeLessThan(full);
    await r.flushall();
    expect(await usedMemory(r)).toBe(before);
  });

  it('noeviction refuses denyoom commands with the OOM error; reads and DEL still work', async () => {
    await fill(r, 'k', 100);
    await r.config('SET', 'maxmemory', '1');
    await expect(r.set('x', 'y')).rejects.toThrow(OOM);
    await expect(r.lpush('l', 'a')).rejects.toThrow(OOM);
    expect(await r.get('k:1')).toBe('v'.repeat(100));
    expect(await r.del('k:1')).toBe(1);
    expect(await r.dbsize()).toBe(99);
    await r.config('SET', 'maxmemory', '0');
    expect(await r.set('x', 'y')).toBe('OK');
  });

  it('under OOM any command queued in MULTI is refused and EXEC aborts', async () => {
    await r.config('SET', 'maxmemory', '1');
    const raw = await RawClient.connect(server.port);
    expect(await raw.call('MULTI')).toBe('+OK\r\n');
    expect(await raw.call('GET', 'a')).toBe(`-${OOM}\r\n`);
    expect(await raw.call('EXEC')).toBe('-EXECABORT Transaction discarded because of previous errors.\r\n');
    raw.close();
  });

  it('allkeys-random keeps used memory under maxmemory by evicting, counting evicted_keys', async () => {
    await r.config('SET', 'maxmemory-policy', 'allkeys-random');
    const limit = await limitAbove(r, 200_000);
    await fill(r, 'k', 5000);
    expect(await usedMemory(r)).toBeLessThanOrEqual(limit + 1000);
    const evicted = Number(infoField(await r.info('stats'), 'evicted_keys'));
    expect(evicted).toBeGreaterThan(1000);
    expect(await r.dbsize()).toBe(5000 - evicted);
  });

  for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
    it(`${policy} evicts only keys with a TTL`, async () => {
      await plainAndVolatileKeysPastLimit(r, policy);
      expect(await surviving(r, 'plain', 500)).toBe(500);
      expect(await surviving(r, 'ttl', 500)).toBeLessThan(500);
    });
  }

  it('a volatile policy with no TTL keys left refuses writes with OOM', async () => {
    await r.config('SET', 'maxmemory-policy', 'volatile-lru');
    await fill(r, 'plain', 100);
    await r.config('SET', 'maxmemory', '1');
    await expect(r.set('x', 'y')).rejects.toThrow(OOM);
  });

  it('volatile-ttl evicts the keys that expire soonest first', async () => {
    await r.config('SET', 'maxmemory-policy', 'volatile-ttl');
    const p = r.pipeline();
    for (let i = 0; i < 1000; i++) p.set(`ttl:${i}`, 'v'.repeat(100), 'EX', 1000 + i * 10);
    await p.exec();
    await limitAbove(r, 0);
    await fill(r, 'more', 200);
    const soon = await surviving(r, 'ttl', 300);
    const late = (await surviving(r, 'ttl', 1000)) - soon;
    // Sampling is approximate: the soonest third loses far more than the latest two thirds.
    expect(300 - soon).toBeGreaterThan(3 * (700 - late));
  });

  /** After oldKeysWithHalfRead: how many of the read and of the unread old keys are left. */
  async function survivingOldKeys(policy: string): Promise<{ read: number; unread: number }> {
    await oldKeysWithHalfRead(r, policy, 500);
    let read = 0;
    let unread = 0;
    const e = r.pipeline();
    for (let i = 0; i < 500; i++) e.exists(`old:${i}`);
    const res = (await e.exec())!;
    res.forEach(([, v], i) => {
      if (i % 2 === 0) read += v as number;
      else unread += v as number;
    });
    return { read, unread };
  }

  it('allkeys-lru evicts untouched keys much more than recently read ones', async () => {
    const { read, unread } = await survivingOldKeys('allkeys-lru');
    expect(250 - unread).toBeGreaterThan(3 * (250 - read));
  });

  it('allkeys-lfu evicts rarely read keys much more than frequently read ones', async () => {
    await r.config('SET', 'lfu-log-factor', '0');
    try {
      const { read, unread } = await survivingOldKeys('allkeys-lfu');
      expect(250 - unread).toBeGreaterThan(3 * (250 - read));
    } finally {
      await r.config('SET', 'lfu-log-factor', '10');
    }
  });
});

/*
 * With the cold tier (on by default once maxmemory is set) the policies choose which keys are
 * demoted instead of deleted. Which keys went cold shows in INFO tiering's promotions counter when
 * they are read back: nothing is lost, so the probe is what a read costs.
 */
describe('eviction policies with the cold tier', () => {
  let r!: Redis;
  strataForSuite([], (c) => (r = c));

  /** Reads `keys` (all present); returns how many of them were cold (promotions meanwhile). */
  /** How many of `keys` are cold: each GET of one reads its record (in place or promoting it). */
  async function coldAmong(keys: string[]): Promise<number> {
    const coldReads = async () => Number(infoField(await r.info('tiering'), 'cold_reads'));
    const before = await coldReads();
    const p = r.pipeline();
    for (const key of keys) p.get(key);
    for (const [err, v] of (await p.exec())!) expect(err === null && v !== null).toBe(true);
    return (await coldReads()) - before;
  }

  const OLD = 1000;
  const oldKeys = (parity: number) => Array.from({ length: OLD / 2 }, (_, i) => `old:${2 * i + parity}`);

  for (const policy of ['allkeys-lru', 'allkeys-lfu']) {
    it(`${policy} keeps recently read keys hot and demotes untouched ones`, async () => {
      await r.config('SET', 'lfu-log-factor', '0');
      try {
        await oldKeysWithHalfRead(r, policy, OLD);
      } finally {
        await r.config('SET', 'lfu-log-factor', '10');
      }
      expect(await r.dbsize()).toBe(OLD + 200);
      // The read keys first: promotions would demote others, unread ones most likely.
      const read = await coldAmong(oldKeys(0));
      const unread = await coldAmong(oldKeys(1));
      expect(unread).toBeGreaterThan(OLD / 10);
      expect(unread).toBeGreaterThan(3 * read);
      expect(infoField(await r.info('stats'), 'evicted_keys')).toBe('0');
    });
  }

  for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
    it(`${policy} demotes only keys with a TTL, then refuses writes with the OOM error`, async () => {
      await plainAndVolatileKeysPastLimit(r, policy);
      const persistent = [...Array.from({ length: 500 }, (_, i) => `plain:${i}`), ...Array.from({ length: 200 }, (_, i) => `more:${i}`)];
      expect(await coldAmong(persistent)).toBe(0);
      expect(await coldAmong(Array.from({ length: 500 }, (_, i) => `ttl:${i}`))).toBeGreaterThan(0);
      // Only keys without a TTL can stay hot at last: then writes are refused, as by redis-server.
      let written = 0;
      let refusal: unknown = null;
      for (; written < 20_000 && refusal === null; written++) {
        await r.set(`last:${written}`, 'v'.repeat(100)).catch((err: unknown) => (refusal = err));
      }
      expect((refusal as Error | null)?.message).toBe(OOM);
      expect(await r.dbsize()).toBe(1200 + written - 1);
      expect(await r.info('keyspace')).toMatch(/^db0:keys=\d+,expires=500,/m);
      expect(infoField(await r.info('tiering'), 'cold_keys')).toBe('500');
      expect(infoField(await r.info('stats'), 'evicted_keys')).toBe('0');
    });
  }
});

describe('OBJECT IDLETIME / FREQ and RESTORE IDLETIME / FREQ as redis-server', () => {
  const pair = pairForSuite();

  async function both(...argv: Array<string | Buffer>): Promise<string> {
    const [a, b] = await Promise.all([pair.strata.call(...argv), pair.redis.call(...argv)]);
    expect(a, argv.join(' ')).toBe(b);
    return a;
  }

  it('agree on idle times, frequencies and the policy errors', async () => {
    await both('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    await both('SET', 'k', 'v');
    await both('OBJECT', 'IDLETIME', 'k');
    await both('OBJECT', 'FREQ', 'k');
    await both('OBJECT', 'IDLETIME', 'missing');
    const dump = await pair.strata.call('DUMP', 'k');
    const payload = Buffer.from(dump.slice(dump.indexOf('\r\n') + 2, -2), 'latin1');
    await both('RESTORE', 'idle', '0', payload, 'IDLETIME', '1234');
    expect(await both('OBJECT', 'IDLETIME', 'idle')).toBe(':1234\r\n');
    await both('GET', 'idle');
    expect(await both('OBJECT', 'IDLETIME', 'idle')).toBe(':0\r\n');
    await both('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
    await both('OBJECT', 'IDLETIME', 'k');
    await both('SET', 'fresh', 'v');
    expect(await both('OBJECT', 'FREQ', 'fresh')).toBe(':5\r\n');
    await both('RESTORE', 'freq', '0', payload, 'FREQ', '42');
    expect(await both('OBJECT', 'FREQ', 'freq')).toBe(':42\r\n');
    await both('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
  });
});
