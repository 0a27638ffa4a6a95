import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, ROOT, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

/**
 * Streams in RDB files: a dump written by redis-server loads into strata with the same entries,
 * node layout (tombstones included), Redis 7 counters, groups, PELs and consumers; a dump written
 * by strata loads into redis-server the same way. Delivery and seen times are stored in the file,
 * so after a load they compare exactly too (only XINFO CONSUMERS' idle, measured from now, does not).
 */

/** The shared fixtures sit beside the checkout (../shared), or beside the worktrees' folder. */
const FIXTURE = [path.resolve(ROOT, '../shared'), path.resolve(ROOT, '../../shared')]
  .map((d) => path.join(d, 'rdb-fixtures/7.0.15-small.rdb'))
  .find((f) => fs.existsSync(f))!;
const FIXTURE_STREAMS = ['stream:main', 'stream:small', 'stream:trimmed', 'stream:emptied', 'stream:mkstream', 'expire:stream'];

const dirs: string[] = [];
const servers: RunningServer[] = [];
const clients: RawClient[] = [];

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-streams-rdb-'));
  dirs.push(d);
  return d;
}

async function start(dir: string, redis = false): Promise<RawClient> {
  const s = await startServer({ dir, redis, args: ['--enable-debug-command', 'yes'] });
  servers.push(s);
  const c = await RawClient.connect(s.port);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Every reply that describes the stream at `key` (groups and consumers included). */
async function describeStream(c: RawClient, key: string): Promise<string[]> {
  const out = [await c.call('XINFO', 'STREAM', key, 'FULL', 'COUNT', '0'), await c.call('XINFO', 'STREAM', key), await c.call('XRANGE', key, '-', '+'), await c.call('XREVRANGE', key, '+', '-', 'COUNT', '3')];
  out.push(await c.call('XINFO', 'GROUPS', key), await c.call('TYPE', key), await c.call('OBJECT', 'ENCODING', key), await c.call('DEBUG', 'DIGEST-VALUE', key));
  const groups = (await c.call('XINFO', 'GROUPS', key)).match(/\$4\r\nname\r\n\$\d+\r\n([^\r]*)\r\n/g) ?? [];
  for (const g of groups) {
    const name = g.split('\r\n')[3];
    out.push(await c.call('XPENDING', key, name), await c.call('XPENDING', key, name, '-', '+', '1000'));
  }
  return out;
}

/** XPENDING's idle column is measured from now: mask it. */
function maskIdle(replies: string[]): string[] {
  return replies.map((r) => r.replace(/(\*4\r\n\$\d+\r\n[0-9]+-[0-9]+\r\n\$\d+\r\n[^\r]*\r\n):\d+\r\n/g, '$1:IDLE\r\n'));
}

async function selectDb(c: RawClient, db: number): Promise<void> {
  expect(await c.call('SELECT', String(db))).toBe('+OK\r\n');
}

describe('streams in RDB files', () => {
  it("the fixture's streams load as redis-server loads them (a streams-only dump of 7.0.15-small.rdb)", async () => {
    // redis-server loads the full fixture; every key that is not a stream goes, and it saves.
    const src = tempDir();
    fs.copyFileSync(FIXTURE, path.join(src, 'dump.rdb'));
    const full = await start(src, true);
    const dbsWithStreams: number[] = [];
    for (let db = 0; db < 16; db++) {
      await selectDb(full, db);
      const keys = (await full.call('KEYS', '*')).split('\r\n').filter((_, i, a) => i > 0 && a[i - 1].startsWith('$'));
      let streams = 0;
      for (const k of keys) {
        if ((await full.call('TYPE', k)) === '+stream\r\n') streams++;
        else await full.call('DEL', k);
      }
      if (streams > 0) dbsWithStreams.push(db);
    }
    expect(await full.call('FUNCTION', 'FLUSH')).toBe('+OK\r\n');
    expect(await full.call('SAVE')).toBe('+OK\r\n');

    const a = tempDir();
    const b = tempDir();
    fs.copyFileSync(path.join(src, 'dump.rdb'), path.join(a, 'dump.rdb'));
    fs.copyFileSync(path.join(src, 'dump.rdb'), path.join(b, 'dump.rdb'));
    const redis = await start(a, true);
    const strata = await start(b);
    let compared = 0;
    for (const db of dbsWithStreams) {
      await selectDb(redis, db);
      await selectDb(strata, db);
      for (const key of FIXTURE_STREAMS) {
        if ((await redis.call('EXISTS', key)) !== ':1\r\n') continue;
        expect(maskIdle(await describeStream(strata, key)), `${key} in db ${db}`).toEqual(maskIdle(await describeStream(redis, key)));
        compared++;
      }
      expect(await strata.call('DEBUG', 'DIGEST')).toBe(await redis.call('DEBUG', 'DIGEST'));
    }
    expect(compared).toBeGreaterThanOrEqual(FIXTURE_STREAMS.length);
  });

  it('a dump written by strata (tombstones, trimmed nodes, groups, PELs) loads into redis-server unchanged', async () => {
    const dir = tempDir();
    const strata = await start(dir);
    const setup: string[][] = [['CONFIG', 'SET', 'stream-node-max-entries', '5']];
    for (let i = 1; i <= 23; i++) setup.push(['XADD', 's', `${i}-${i}`, 'f', String(i), ...(i % 4 === 0 ? ['extra', '\u0000\u00ff'] : [])]);
    setup.push(['XDEL', 's', '2-2', '3-3', '7-7', '8-8', '9-9', '10-10', '22-22'], ['XTRIM', 's', 'MINID', '4']);
    setup.push(['XGROUP', 'CREATE', 's', 'g', '0'], ['XGROUP', 'CREATE', 's', 'g2', '$', 'ENTRIESREAD', '3'], ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '4', 'STREAMS', 's', '>']);
    setup.push(['XCLAIM', 's', 'g', 'bob', '0', '5-5', '6-6', 'TIME', '1700000000000', 'RETRYCOUNT', '9'], ['XGROUP', 'CREATECONSUMER', 's', 'g', 'carol']);
    setup.push(['XADD', 'big', '18446744073709551614-18446744073709551615', 'a', 'b'], ['XADD', 'big', '18446744073709551615-0', 'a', 'b'], ['XSETID', 'big', '18446744073709551615-7', 'ENTRIESADDED', '99', 'MAXDELETEDID', '3-0']);
    setup.push(['XGROUP', 'CREATE', 'empty', 'g', '$', 'MKSTREAM'], ['XADD', 'gone', '1', 'a', 'b'], ['XDEL', 'gone', '1']);
    for (const argv of setup) expect(await strata.call(...argv)).not.toMatch(/^-/);
    const before: string[][] = [];
    for (const key of ['s', 'big', 'empty', 'gone']) before.push(await describeStream(strata, key));
    const digest = await strata.call('DEBUG', 'DIGEST');

    expect(await strata.call('SAVE')).toBe('+OK\r\n');
    const copies = [tempDir(), tempDir()];
    for (const d of copies) fs.copyFileSync(path.join(dir, 'dump.rdb'), path.join(d, 'dump.rdb'));
    // strata restarted on its own dump: the same streams, node layout included.
    const restarted = await start(copies[0]);
    for (const [i, key] of ['s', 'big', 'empty', 'gone'].entries()) expect(maskIdle(await describeStream(restarted, key))).toEqual(maskIdle(before[i]));
    const redis = await start(copies[1], true);
    expect(await redis.call('DEBUG', 'DIGEST')).toBe(digest);
    for (const [i, key] of ['s', 'big', 'empty', 'gone'].entries()) expect(maskIdle(await describeStream(redis, key))).toEqual(maskIdle(before[i]));
    // Both go on the same way from there: the node layout decides what an approximate trim removes.
    for (const c of [strata, redis]) await c.call('CONFIG', 'SET', 'stream-node-max-entries', '5');
    for (const argv of [['XADD', 's', '30', 'f', 'x'], ['XTRIM', 's', 'MAXLEN', '~', '3'], ['XINFO', 'STREAM', 's', 'FULL']]) {
      expect(await strata.call(...argv)).toBe(await redis.call(...argv));
    }
  });
});
