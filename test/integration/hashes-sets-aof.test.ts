import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';
import { parseReply, sortedReply } from '../helpers/differential.js';

/** Hashes and sets, field TTLs included, come back identical from the append-only log. */

const AOF = ['--appendonly', 'yes', '--appendfsync', 'always'];

describe('hashes and sets through the append-only log', () => {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];

  async function start(dir: string): Promise<RunningServer> {
    const s = await startServer({ dir, args: [...AOF, '--hash-max-listpack-entries', '8', '--set-max-intset-entries', '8'] });
    servers.push(s);
    return s;
  }

  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop('SIGKILL');
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  /** Everything observable about the keys, with unordered replies sorted. */
  async function snapshot(c: RawClient): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const k of ['h', 'hbig', 'httl', 'hfloat']) {
      out.push(sortedReply(parseReply(await c.call('HGETALL', k))));
      out.push(await c.call('HPEXPIRETIME', k, 'FIELDS', '3', 'a', 'f1', 'f'));
    }
    for (const k of ['s', 'sbig', 'spopped', 'dst', 'moved']) out.push(sortedReply(parseReply(await c.call('SMEMBERS', k))));
    return out;
  }

  it('every hash and set write replays to the same data after kill -9', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-hs-aof-'));
    dirs.push(dir);
    const s = await start(dir);
    const c = await RawClient.connect(s.port);
    const bin = Buffer.from([0, 13, 10, 255]).toString('latin1');
    await c.call('HSET', 'h', 'a', '1', 'b', '2', bin, bin);
    await c.call('HSETNX', 'h', 'c', '3');
    await c.call('HINCRBY', 'h', 'a', '41');
    await c.call('HDEL', 'h', 'b');
    for (let i = 0; i < 20; i++) await c.call('HSET', 'hbig', `f${i}`, 'v'.repeat(i));
    await c.call('HINCRBYFLOAT', 'hfloat', 'f', '10.5');
    await c.call('HINCRBYFLOAT', 'hfloat', 'f', '0.1');
    await c.call('HSET', 'httl', 'a', '1', 'f1', '2', 'f', '3');
    await c.call('HEXPIRE', 'httl', '1000', 'FIELDS', '2', 'a', 'f1');
    await c.call('HPERSIST', 'httl', 'FIELDS', '1', 'f1');
    await c.call('HPEXPIRE', 'hbig', '500000', 'FIELDS', '1', 'f1');
    await c.call('HEXPIREAT', 'h', '1', 'FIELDS', '1', 'c');
    await c.call('SADD', 's', '3', '1', '2', 'x');
    await c.call('SREM', 's', '2');
    const many = Array.from({ length: 30 }, (_, i) => `m${i}`);
    await c.call('SADD', 'sbig', ...many);
    await c.call('SADD', 'spopped', ...many);
    await c.call('SPOP', 'spopped');
    await c.call('SPOP', 'spopped', '3');
    await c.call('SPOP', 'spopped', '20');
    await c.call('SMOVE', 's', 'moved', 'x');
    await c.call('SUNIONSTORE', 'dst', 's', 'moved');
    const before = await snapshot(c);
    c.close();
    await s.stop('SIGKILL');

    const s2 = await start(dir);
    const c2 = await RawClient.connect(s2.port);
    expect(await snapshot(c2)).toEqual(before);
    expect(await c2.call('HGET', 'h', bin)).toBe(`$4\r\n${bin}\r\n`);
    c2.close();

    const log = fs
      .readdirSync(path.join(dir, 'appendonlydir'))
      .filter((f) => f.endsWith('.incr.aof'))
      .map((f) => fs.readFileSync(path.join(dir, 'appendonlydir', f), 'latin1'))
      .join('');
    expect(log).toContain('HPEXPIREAT');
    expect(log).not.toContain('HINCRBYFLOAT');
    expect(log).not.toContain('SPOP');
  });

  it('field expiry that happens while the server runs is logged, and the key stays gone after restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-hs-aof-'));
    dirs.push(dir);
    const s = await start(dir);
    const c = await RawClient.connect(s.port);
    await c.call('HSET', 'short', 'a', '1', 'b', '2');
    await c.call('HPEXPIRE', 'short', '30', 'FIELDS', '2', 'a', 'b');
    await c.call('HSET', 'long', 'a', '1');
    await c.call('HEXPIRE', 'long', '100000', 'FIELDS', '1', 'a');
    // Lazy or active expiry removes the fields (and logs HDELs); wait until they are gone.
    for (let i = 0; i < 500 && (await c.call('HLEN', 'short')) !== ':0\r\n'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await c.call('HLEN', 'short')).toBe(':0\r\n');
    c.close();
    await s.stop('SIGKILL');

    const s2 = await start(dir);
    const c2 = await RawClient.connect(s2.port);
    expect(await c2.call('HGETALL', 'short')).toBe('*0\r\n');
    expect(await c2.call('HGETALL', 'long')).toBe('*2\r\n$1\r\na\r\n$1\r\n1\r\n');
    const ttl = Number(/:(\d+)/.exec(await c2.call('HTTL', 'long', 'FIELDS', '1', 'a'))![1]);
    expect(ttl).toBeGreaterThan(99000);
    c2.close();
  });
});
