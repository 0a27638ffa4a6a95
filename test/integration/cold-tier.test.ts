/*
 * The cold tier (DESIGN.md §5, keyspace/tier.ts): with maxmemory a few MB above what the server
 * uses at startup, ten times that of mixed types goes in; everything reads back byte for byte
 * (each read promoting a cold key and demoting others), cold keys of every type take writes, expire,
 * move and show in SCAN/KEYS/DBSIZE/RANDOMKEY; a restart (log replay) spills while loading and
 * brings the same dataset back (DEBUG DIGEST). Cold keys expire without being read, as redis-server
 * expires keys in memory: same counts, events and logged deletions.
 */

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/server.js';
import { loggedArgv } from '../helpers/aof-files.js';
import { RawClient } from '../helpers/resp.js';

const HEADROOM = 2 * 1024 * 1024;
/** Groups of six keys (one per type), about 6 KB of data each: ~21 MB, ten times the headroom. */
const GROUPS = 3500;
const LONG_KEYS = 40;

function infoField(info: string, name: string): number {
  const m = new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(info);
  if (m === null) throw new Error(`no ${name} in INFO`);
  return Number(m[1]);
}

/** `len` deterministic bytes of any value 0..255 (binary-safe payloads). */
function bytes(seed: number, len: number): Buffer {
  const b = Buffer.allocUnsafe(len);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

const item = (i: number, j: number): Buffer => Buffer.concat([Buffer.from(`${j}:`), bytes(i * 64 + j, 100)]);
const longKey = (i: number): Buffer => Buffer.concat([Buffer.from(`long:${i}:`), bytes(1e6 + i, 2500)]);
const binaryKey = (i: number): Buffer => Buffer.concat([Buffer.from([0, 255, 10, 13]), Buffer.from(`bin:${i}`)]);

async function fill(r: Redis): Promise<void> {
  for (let from = 0; from < GROUPS; from += 250) {
    const p = r.pipeline();
    for (let i = from; i < Math.min(GROUPS, from + 250); i++) {
      p.set(`s:${i}`, bytes(i, 1000));
      p.rpush(`l:${i}`, ...Array.from({ length: 10 }, (_, j) => item(i, j)));
      p.hset(`h:${i}`, ...Array.from({ length: 10 }, (_, j) => [Buffer.from(`f${j}`), item(i, j)]).flat());
      p.sadd(`t:${i}`, ...Array.from({ length: 10 }, (_, j) => item(i, j)));
      p.zadd(`z:${i}`, ...Array.from({ length: 10 }, (_, j) => [String(j * 1.5), item(i, j)]).flat());
      for (let j = 0; j < 5; j++) p.xadd(`x:${i}`, `${j + 1}-0`, 'a', item(i, j), 'b', item(i, j + 10));
    }
    if (from === 0) {
      for (let i = 0; i < LONG_KEYS; i++) {
        p.set(longKey(i), bytes(i, 50));
        p.set(binaryKey(i), bytes(i, 60));
      }
    }
    const res = (await p.exec())!;
    for (const [err] of res) if (err) throw err;
  }
}

/** Writes `HEADROOM` twice over of fresh strings, so that every key not touched since goes cold. */
async function pushOut(r: Redis, tag: string): Promise<void> {
  const p = r.pipeline();
  for (let i = 0; i < (2 * HEADROOM) / 1000; i++) p.set(`pad:${tag}:${i}`, bytes(i, 1000));
  await p.exec();
}

const hex = (bs: Buffer[]): string => bs.map((b) => b.toString('hex')).join(',');

/** Reads group `i` back and compares every byte with what fill() wrote. */
async function checkGroup(r: Redis, i: number): Promise<void> {
  expect((await r.getBuffer(`s:${i}`))!.equals(bytes(i, 1000)), `s:${i}`).toBe(true);
  const expected = Array.from({ length: 10 }, (_, j) => item(i, j));
  expect(hex(await r.lrangeBuffer(`l:${i}`, 0, -1))).toBe(hex(expected));
  const h = await r.hgetallBuffer(`h:${i}`);
  expect(Object.keys(h).length).toBe(10);
  for (let j = 0; j < 10; j++) expect(h[`f${j}`].equals(item(i, j))).toBe(true);
  const members = (await r.smembersBuffer(`t:${i}`)).sort(Buffer.compare);
  expect(hex(members)).toBe(hex([...expected].sort(Buffer.compare)));
  const z = await r.zrangeBuffer(`z:${i}`, '0', '-1', 'WITHSCORES');
  expect(hex(z)).toBe(hex(expected.flatMap((m, j) => [m, Buffer.from(String(j * 1.5))])));
  const x = await r.xrangeBuffer(`x:${i}`, '-', '+');
  expect(x.map(([id]) => id.toString())).toEqual(['1-0', '2-0', '3-0', '4-0', '5-0']);
  x.forEach(([, fields], j) => expect(hex(fields)).toBe(hex([Buffer.from('a'), item(i, j), Buffer.from('b'), item(i, j + 10)])));
}

async function scanAll(r: Redis): Promise<Set<string>> {
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await r.scanBuffer(cursor, 'COUNT', 500);
    cursor = next.toString();
    for (const k of keys) seen.add(k.toString('latin1'));
  } while (cursor !== '0');
  return seen;
}

async function rewritesDone(r: Redis): Promise<void> {
  for (;;) {
    const info = await r.info('persistence');
    if (infoField(info, 'aof_rewrite_in_progress') === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

describe('cold tier', () => {
  let server: RunningServer;
  let r: Redis;
  let tiering: () => Promise<string>;
  // Kept across the restart (a server started on a dir of its own removes it when stopped).
  const dir = mkdtempSync(path.join(tmpdir(), 'strata-cold-'));

  async function start(args: string[] = []): Promise<void> {
    server = await startServer({
      dir,
      // rdbcompression off: LZF over random bytes is slow and beside the point here.
      args: ['--appendonly', 'yes', '--appendfsync', 'no', '--rdbcompression', 'no', '--maxmemory-policy', 'allkeys-lru', '--enable-debug-command', 'yes', ...args],
    });
    r = new Redis(server.port, { lazyConnect: true });
    await r.connect();
  }

  beforeAll(async () => {
    await start();
    tiering = async () => (await r.info('tiering')) as string;
    const used = infoField(await r.info('memory'), 'used_memory');
    await r.config('SET', 'maxmemory', String(used + HEADROOM));
    await fill(r);
  }, 120_000);

  afterAll(async () => {
    r.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps memory under maxmemory by demoting, and counts every key', async () => {
    const info = await tiering();
    expect(infoField(info, 'cold_tier_enabled')).toBe(1);
    expect(infoField(info, 'cold_keys')).toBeGreaterThan(infoField(info, 'hot_keys'));
    const memory = await r.info('memory');
    expect(infoField(memory, 'used_memory')).toBeLessThanOrEqual(infoField(memory, 'maxmemory') + 1024 * 1024);
    expect(await r.dbsize()).toBe(6 * GROUPS + 2 * LONG_KEYS);
    // Demotion is not a deletion: nothing counts as evicted.
    expect(infoField(await r.info('stats'), 'evicted_keys')).toBe(0);
  });

  it('reads every value of every type back byte for byte', async () => {
    for (let i = 0; i < GROUPS; i += 5) await checkGroup(r, i);
    for (let i = 0; i < LONG_KEYS; i++) {
      expect((await r.getBuffer(longKey(i)))!.equals(bytes(i, 50))).toBe(true);
      expect((await r.getBuffer(binaryKey(i)))!.equals(bytes(i, 60))).toBe(true);
    }
    expect(infoField(await tiering(), 'promotions')).toBeGreaterThan(1000);
  }, 120_000);

  it('SCAN, KEYS, DBSIZE and RANDOMKEY see both tiers', async () => {
    const seen = await scanAll(r);
    expect(seen.size).toBe(6 * GROUPS + 2 * LONG_KEYS);
    for (const prefix of ['s', 'l', 'h', 't', 'z', 'x']) for (let i = 0; i < GROUPS; i += 97) expect(seen.has(`${prefix}:${i}`)).toBe(true);
    for (let i = 0; i < LONG_KEYS; i++) expect(seen.has(longKey(i).toString('latin1'))).toBe(true);
    expect((await r.keys('s:*')).length).toBe(GROUPS);
    expect((await r.keysBuffer('long:*')).length).toBe(LONG_KEYS);
    for (let n = 0; n < 20; n++) expect(await r.exists((await r.randomkeyBuffer())!)).toBe(1);
  }, 60_000);

  it('parks reads of cold keys while a pool thread reads them (cold-tier-async-reads yes), replies in order', async () => {
    expect(await r.config('GET', 'cold-tier-async-reads')).toEqual(['cold-tier-async-reads', 'auto']);
    await expect(r.config('SET', 'cold-tier-async-reads', 'sometimes')).rejects.toThrow(/cold-tier-async-reads/);
    await pushOut(r, 'parked');
    await r.config('SET', 'cold-tier-async-reads', 'yes');
    const parked = async (): Promise<number> => infoField(await tiering(), 'cold_reads_parked');
    try {
      const before = await parked();
      // Pipelined on one connection: parked reads between writes and reads of keys in memory.
      const res = (await r
        .pipeline()
        .getBuffer('s:10')
        .set('hot:parked', 'v')
        .lrangeBuffer('l:11', 0, -1)
        .get('hot:parked')
        .exists('s:12', 'no:such:key')
        .strlen('s:13')
        .exec())!;
      for (const [err] of res) expect(err).toBeNull();
      expect((res[0][1] as Buffer).equals(bytes(10, 1000))).toBe(true);
      expect(hex(res[2][1] as Buffer[])).toBe(hex(Array.from({ length: 10 }, (_, j) => item(11, j))));
      expect(res.map(([, v]) => v).filter((_, i) => i !== 0 && i !== 2)).toEqual(['OK', 'v', 1, 1000]);
      // Every type, and several clients at once (their reads share prefetches).
      const others = await Promise.all(Array.from({ length: 4 }, async () => {
        const c = new Redis(server.port, { lazyConnect: true });
        await c.connect();
        return c;
      }));
      try {
        await Promise.all(others.map((c, k) => checkGroup(c, 20 + k)));
      } finally {
        for (const c of others) c.disconnect();
      }
      expect(await parked()).toBeGreaterThanOrEqual(before + 4 + 4 * 6);
      // EXEC reads synchronously: nothing parks.
      const atExec = await parked();
      const [[, value]] = (await r.multi().getBuffer('s:40').exec())!;
      expect((value as Buffer).equals(bytes(40, 1000))).toBe(true);
      expect(await parked()).toBe(atExec);

      // CLIENT REPLY SKIP drops the reply of the parked command only; a client gone while parked is forgotten.
      const raw = await RawClient.connect(server.port);
      raw.send('CLIENT', 'REPLY', 'SKIP');
      raw.send('STRLEN', 's:41');
      expect(await raw.call('STRLEN', 's:42')).toBe(':1000\r\n');
      raw.send('GET', 's:43');
      raw.close();
      expect(await r.ping()).toBe('PONG');
      expect(infoField(await tiering(), 'cold_read_errors')).toBe(0);
    } finally {
      await r.config('SET', 'cold-tier-async-reads', 'auto');
    }
  });

  it('takes writes on cold keys of every type', async () => {
    await pushOut(r, 'writes');
    const i = 1;
    const before = infoField(await tiering(), 'promotions');
    expect(await r.append(`s:${i}`, 'tail')).toBe(1004);
    expect(await r.rpush(`l:${i}`, 'new')).toBe(11);
    expect(await r.hset(`h:${i}`, 'new', 'v')).toBe(1);
    expect(await r.sadd(`t:${i}`, 'new')).toBe(1);
    expect(await r.zincrby(`z:${i}`, 100, item(i, 0))).toBe('100');
    expect(await r.xadd(`x:${i}`, '9-0', 'a', 'b')).toBe('9-0');
    expect(infoField(await tiering(), 'promotions')).toBeGreaterThanOrEqual(before + 6);
    expect((await r.getBuffer(`s:${i}`))!.equals(Buffer.concat([bytes(i, 1000), Buffer.from('tail')]))).toBe(true);
    expect(await r.llen(`l:${i}`)).toBe(11);
    expect(await r.hget(`h:${i}`, 'new')).toBe('v');
    expect(await r.scard(`t:${i}`)).toBe(11);
    expect(await r.zscore(`z:${i}`, item(i, 0))).toBe('100');
    expect(await r.xlen(`x:${i}`)).toBe(6);
    // Key-level commands on cold keys.
    await pushOut(r, 'keys');
    expect(await r.type(`z:2`)).toBe('zset');
    expect(await r.rename(`s:2`, 'renamed')).toBe('OK');
    expect((await r.getBuffer('renamed'))!.equals(bytes(2, 1000))).toBe(true);
    expect(await r.copy(`l:2`, 'copied')).toBe(1);
    expect(hex(await r.lrangeBuffer('copied', 0, -1))).toBe(hex(Array.from({ length: 10 }, (_, j) => item(2, j))));
    expect(await r.move(`h:2`, '1')).toBe(1);
    expect(await r.exists(`h:2`)).toBe(0);
    await r.select(1);
    expect(await r.hlen(`h:2`)).toBe(10);
    await r.select(0);
    const dump = await r.dumpBuffer(`t:3`);
    expect(await r.restore('restored', '0', dump!)).toBe('OK');
    expect(await r.scard('restored')).toBe(10);
    expect(await r.del(`x:3`, `z:3`)).toBe(2);
  }, 120_000);

  it('expires cold keys and keeps the TTL of those that have not expired', async () => {
    await r.set('short', 'v', 'PX', 300);
    await r.set('long', 'v', 'EX', 1000);
    await pushOut(r, 'expiry');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await scanAll(r)).has('short')).toBe(false);
    expect(await r.keys('short')).toEqual([]);
    expect(await r.get('short')).toBe(null);
    expect(await r.ttl('short')).toBe(-2);
    const ttl = await r.ttl('long');
    expect(ttl).toBeGreaterThan(900);
    expect(ttl).toBeLessThanOrEqual(1000);
  }, 120_000);

  it('stays within a loose RSS bound while holding ten times maxmemory', () => {
    // Node's heap, LMDB's mapped pages and garbage not yet collected: generous, but far below the dataset kept in memory.
    expect(rssBytes(server.proc.pid!)).toBeLessThan(600 * 1024 * 1024);
  });

  it('brings the same dataset back after a log rewrite and a restart, spilling while loading', async () => {
    const digest = await r.call('DEBUG', 'DIGEST');
    const size = await r.dbsize();
    // An automatic rewrite may be running already (the log grew): wait for it, then start ours.
    await rewritesDone(r);
    expect(await r.bgrewriteaof()).toMatch(/started/);
    await rewritesDone(r);
    const [, maxmemory] = (await r.config('GET', 'maxmemory')) as string[];
    r.disconnect();
    await server.stop();
    await start(['--maxmemory', maxmemory]);
    expect(await r.dbsize()).toBe(size);
    expect(infoField(await tiering(), 'cold_keys')).toBeGreaterThan(0);
    expect(await r.call('DEBUG', 'DIGEST')).toBe(digest);
    await checkGroup(r, 5);
  }, 120_000);

  it('DEBUG RELOAD and SAVE keep cold data', async () => {
    const digest = await r.call('DEBUG', 'DIGEST');
    await rewritesDone(r);
    expect(await r.call('DEBUG', 'RELOAD')).toBe('OK');
    expect(await r.call('DEBUG', 'DIGEST')).toBe(digest);
  }, 120_000);

  it('SWAPDB and FLUSHDB/FLUSHALL reach the cold tier', async () => {
    const size = await r.dbsize();
    await r.swapdb(0, 2);
    expect(await r.dbsize()).toBe(0);
    await r.select(2);
    expect(await r.dbsize()).toBe(size);
    await checkGroup(r, 7);
    await r.flushdb();
    expect(await r.dbsize()).toBe(0);
    await r.select(0);
    await pushOut(r, 'a');
    await pushOut(r, 'b');
    expect(infoField(await tiering(), 'cold_keys')).toBeGreaterThan(0);
    await r.flushall();
    expect(await r.dbsize()).toBe(0);
    expect(infoField(await tiering(), 'cold_keys')).toBe(0);
    expect(await r.get('s:1')).toBe(null);
  }, 120_000);
});

describe('cold tier directives', () => {
  let server: RunningServer;
  let r: Redis;

  beforeAll(async () => {
    server = await startServer({ args: ['--maxmemory-policy', 'allkeys-lru', '--cold-tier', 'no', '--cold-tier-dir', 'spill'] });
    r = new Redis(server.port, { lazyConnect: true });
    await r.connect();
  });

  afterAll(async () => {
    r.disconnect();
    await server.stop();
  });

  it('are read from the command line and CONFIG SET, and cold-tier no deletes as Redis does', async () => {
    expect(await r.config('GET', 'cold-tier*')).toEqual(['cold-tier', 'no', 'cold-tier-dir', 'spill', 'cold-tier-max-disk-bytes', '0', 'cold-tier-async-reads', 'auto']);
    const used = infoField(await r.info('memory'), 'used_memory');
    await r.config('SET', 'maxmemory', String(used + 1024 * 1024));
    const p = r.pipeline();
    for (let i = 0; i < 5000; i++) p.set(`k:${i}`, bytes(i, 1000));
    await p.exec();
    expect(infoField(await r.info('stats'), 'evicted_keys')).toBeGreaterThan(0);
    expect(infoField(await r.info('tiering'), 'cold_keys')).toBe(0);
  });

  it('a full tier keeps keys in memory and refuses writes with the OOM error', async () => {
    await r.flushall();
    await r.config('SET', 'cold-tier', 'yes', 'cold-tier-max-disk-bytes', '200000');
    let refused = 0;
    for (let i = 0; i < 5000 && refused === 0; i++) {
      try {
        await r.set(`k:${i}`, bytes(i, 1000));
      } catch (err) {
        expect((err as Error).message).toMatch(/^OOM /);
        refused = i;
      }
    }
    expect(refused).toBeGreaterThan(0);
    const info = await r.info('tiering');
    expect(infoField(info, 'demotion_failures')).toBeGreaterThan(0);
    expect(infoField(info, 'cold_bytes')).toBeLessThanOrEqual(200000);
    // Every acknowledged write is there.
    expect(await r.dbsize()).toBe(refused);
    for (let i = 0; i < refused; i += 50) expect((await r.getBuffer(`k:${i}`))!.equals(bytes(i, 1000))).toBe(true);
  });
});

describe('cold tier active expiry', () => {
  const TTL_KEYS = 1500;
  const KEPT_KEYS = 300;
  const servers: RunningServer[] = [];
  const clients: Redis[] = [];

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    for (const s of servers) await s.stop();
  });

  async function connect(port: number): Promise<Redis> {
    const c = new Redis(port, { lazyConnect: true });
    await c.connect();
    clients.push(c);
    return c;
  }

  /**
   * Keys with a short TTL, then keys without; waits (reading nothing but DBSIZE) until the former
   * are gone. Returns the expired events seen and the commands the server logged.
   */
  async function expireUnread(server: RunningServer, r: Redis): Promise<{ events: Set<string>; logged: string[][] }> {
    const subscriber = await connect(server.port);
    const events = new Set<string>();
    subscriber.on('message', (_channel: string, key: string) => events.add(key));
    await subscriber.subscribe('__keyevent@0__:expired');
    const p = r.pipeline();
    for (let i = 0; i < TTL_KEYS; i++) p.set(`ttl:${i}`, bytes(i, 1000), 'PX', 1500);
    for (let i = 0; i < KEPT_KEYS; i++) p.set(`kept:${i}`, bytes(i, 1000));
    for (const [err] of (await p.exec())!) if (err) throw err;
    // Waits at most 20 s: the assertions then say what is missing.
    for (let n = 0; n < 200 && ((await r.dbsize()) > KEPT_KEYS || events.size < TTL_KEYS); n++) await new Promise((resolve) => setTimeout(resolve, 100));
    return { events, logged: loggedArgv(server.dir).filter(([name]) => !/^(select|set)$/i.test(name)) };
  }

  it('deletes cold keys whose TTL passed without a read, with the effects redis-server gives keys in memory', async () => {
    const args = ['--appendonly', 'yes', '--appendfsync', 'always', '--notify-keyspace-events', 'Ex'];
    // volatile-lru: only the keys with a TTL can go cold.
    const strata = await startServer({ args: [...args, '--maxmemory-policy', 'volatile-lru'] });
    const redis = await startServer({ redis: true, args });
    servers.push(strata, redis);
    const [s, r] = [await connect(strata.port), await connect(redis.port)];
    const used = infoField(await s.info('memory'), 'used_memory');
    await s.config('SET', 'maxmemory', String(used + 1024 * 1024));

    const [fromStrata, fromRedis] = await Promise.all([
      expireUnread(strata, s).then(async (run) => ({ ...run, tiering: await s.info('tiering') })),
      expireUnread(redis, r),
    ]);

    const tiering = fromStrata.tiering;
    expect(infoField(tiering, 'demotions')).toBeGreaterThan(TTL_KEYS / 4);
    expect(infoField(tiering, 'promotions')).toBe(0);
    expect(infoField(tiering, 'cold_keys')).toBe(0);
    for (const c of [s, r]) {
      expect(await c.info('keyspace')).toMatch(new RegExp(`^db0:keys=${KEPT_KEYS},expires=0,`, 'm'));
      expect(infoField(await c.info('stats'), 'expired_keys')).toBe(TTL_KEYS);
    }
    expect(fromStrata.events).toEqual(fromRedis.events);
    expect(fromStrata.events.size).toBe(TTL_KEYS);
    const sorted = (log: string[][]) => log.map((argv) => argv.join(' ')).sort();
    expect(sorted(fromStrata.logged)).toEqual(sorted(fromRedis.logged));
    expect(fromStrata.logged.length).toBe(TTL_KEYS);
  }, 60_000);
});

describe('cold tier directory', () => {
  it("is wiped at startup, before anything is demoted: a previous run's records are stale", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strata-cold-wipe-'));
    mkdirSync(path.join(dir, 'tier'));
    writeFileSync(path.join(dir, 'tier', 'data.mdb'), 'a previous run');
    const server = await startServer({ dir, args: ['--maxmemory', '100mb', '--maxmemory-policy', 'allkeys-lru'] });
    try {
      expect(existsSync(path.join(dir, 'tier', 'data.mdb'))).toBe(false);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is left alone while the tier is off', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strata-cold-wipe-'));
    mkdirSync(path.join(dir, 'tier'));
    writeFileSync(path.join(dir, 'tier', 'notes'), 'not ours');
    const server = await startServer({ dir });
    try {
      expect(existsSync(path.join(dir, 'tier', 'notes'))).toBe(true);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
