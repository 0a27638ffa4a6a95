import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, STRATA_BIN, type RunningServer } from '../helpers/server.js';
import { crc64 } from '../../storage/rdb/crc64.js';
import { RawClient, encodeCommand } from '../helpers/resp.js';

describe('RDB snapshots: SAVE, BGSAVE, loading at startup', () => {
  const servers: RunningServer[] = [];
  const dirs: string[] = [];

  function tempDir(): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-rdb-'));
    dirs.push(d);
    return d;
  }

  async function start(dir: string, opts: { redis?: boolean; args?: string[] } = {}): Promise<RunningServer> {
    const s = await startServer({ dir, redis: opts.redis, args: opts.args });
    servers.push(s);
    return s;
  }

  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop('SIGKILL');
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  async function waitForBgsave(c: RawClient): Promise<void> {
    for (let i = 0; i < 500; i++) {
      // LASTSAVE moves when a background save completes; poll a cheap command until the file exists.
      if (fs.existsSync(path.join(dirsLast(), 'dump.rdb'))) return;
      await c.call('PING');
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('BGSAVE did not finish');
  }
  const dirsLast = (): string => dirs[dirs.length - 1];

  it('SAVE writes dump.rdb, which a restart and redis-server both load', async () => {
    const dir = tempDir();
    const s = await start(dir);
    const c = await RawClient.connect(s.port);
    const bin = Buffer.from([0, 1, 2, 255, 13, 10]).toString('latin1');
    await c.call('SET', 'str', 'hello');
    await c.call('SET', 'bin', bin);
    await c.call('SET', 'int', '12345');
    await c.call('SET', 'ttl', 'x', 'PX', '100000000');
    await c.call('ZADD', 'z', '1.5', 'a', '-inf', 'b', '2', 'c');
    await c.call('SELECT', '3');
    await c.call('SET', 'in3', 'v');
    expect(await c.call('SAVE')).toBe('+OK\r\n');
    c.close();
    await s.stop('SIGKILL');
    expect(fs.existsSync(path.join(dir, 'dump.rdb'))).toBe(true);

    for (const redis of [false, true]) {
      const s2 = await start(dir, { redis });
      const c2 = await RawClient.connect(s2.port);
      expect(await c2.call('MGET', 'str', 'bin', 'int', 'ttl')).toBe(`*4\r\n$5\r\nhello\r\n$6\r\n${bin}\r\n$5\r\n12345\r\n$1\r\nx\r\n`);
      expect(await c2.call('ZRANGE', 'z', '0', '-1', 'WITHSCORES')).toBe('*6\r\n$1\r\nb\r\n$4\r\n-inf\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nc\r\n$1\r\n2\r\n');
      const pttl = Number((await c2.call('PTTL', 'ttl')).slice(1));
      expect(pttl).toBeGreaterThan(99000000);
      await c2.call('SELECT', '3');
      expect(await c2.call('GET', 'in3')).toBe('$1\r\nv\r\n');
      c2.close();
      await s2.stop(redis ? 'SIGTERM' : 'SIGKILL');
    }
  });

  it('strata loads a dump.rdb written by redis-server', async () => {
    const dir = tempDir();
    const r = await start(dir, { redis: true });
    const rc = await RawClient.connect(r.port);
    await rc.call('SET', 'from-redis', 'yes');
    await rc.call('ZADD', 'rz', '1', 'one', '2', 'two');
    await rc.call('SET', 'num', '-42');
    expect(await rc.call('SAVE')).toBe('+OK\r\n');
    rc.close();
    await r.stop();
    const s = await start(dir);
    const c = await RawClient.connect(s.port);
    expect(await c.call('MGET', 'from-redis', 'num')).toBe('*2\r\n$3\r\nyes\r\n$3\r\n-42\r\n');
    expect(await c.call('ZSCORE', 'rz', 'two')).toBe('$1\r\n2\r\n');
    c.close();
  });

  it('a dump.rdb holding a key twice is refused at startup, as Redis does; DEBUG RELOAD MERGE replaces', async () => {
    const dir = tempDir();
    // REDIS0010, SELECTDB 0, then string entries "k" → "a" and "k" → "b", EOF and the CRC.
    const entry = (value: string): number[] => [0x00, 1, 0x6b, 1, value.charCodeAt(0)];
    const body = Buffer.from([...Buffer.from('REDIS0010'), 0xfe, 0x00, ...entry('a'), ...entry('b'), 0xff]);
    const crc = Buffer.alloc(8);
    crc.writeBigUInt64LE(crc64(0n, body));
    fs.writeFileSync(path.join(dir, 'dump.rdb'), Buffer.concat([body, crc]));
    const r = spawnSync(STRATA_BIN, ['--port', '0', '--dir', dir, '--appendonly', 'no'], { encoding: 'latin1', timeout: 20000 });
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain("RDB has duplicated key 'k' in DB 0");

    // MERGE lets the file's keys replace those in memory; without it a reload into a live
    // dataset (NOFLUSH) meets its own keys and fails.
    fs.rmSync(path.join(dir, 'dump.rdb'));
    const s = await start(dir, { args: ['--appendonly', 'no', '--enable-debug-command', 'yes'] });
    const c = await RawClient.connect(s.port);
    await c.call('SET', 'k', 'saved');
    expect(await c.call('SAVE')).toBe('+OK\r\n');
    await c.call('SET', 'k', 'changed');
    await c.call('SET', 'other', 'kept');
    expect(await c.call('DEBUG', 'RELOAD', 'NOFLUSH', 'NOSAVE')).toBe('-ERR Error trying to load the RDB dump, check server logs.\r\n');
    expect(await c.call('DEBUG', 'RELOAD', 'NOFLUSH', 'MERGE', 'NOSAVE')).toBe('+OK\r\n');
    expect(await c.call('MGET', 'k', 'other')).toBe('*2\r\n$5\r\nsaved\r\n$4\r\nkept\r\n');
    c.close();
  });

  it('BGSAVE saves the dataset as it was when it started, while writes go on', async () => {
    const dir = tempDir();
    const s = await start(dir);
    const c = await RawClient.connect(s.port);
    const n = 50000;
    // Fill with a pipelined batch: key:i = v1
    const fill: Buffer[] = [];
    for (let i = 0; i < n; i++) fill.push(encodeCommand(['SET', `key:${i}`, `v1-${i}`]));
    c.write(Buffer.concat(fill));
    for (let i = 0; i < n; i++) await c.readReply();
    // Start the snapshot and, in the same write, change, delete and add keys behind it.
    const after: Buffer[] = [encodeCommand(['BGSAVE'])];
    for (let i = 0; i < n; i += 2) after.push(encodeCommand(['SET', `key:${i}`, 'v2']));
    for (let i = 1; i < n; i += 10) after.push(encodeCommand(['DEL', `key:${i}`]));
    for (let i = 0; i < 1000; i++) after.push(encodeCommand(['SET', `new:${i}`, 'x']));
    after.push(encodeCommand(['FLUSHALL']));
    c.write(Buffer.concat(after));
    expect(await c.readReply()).toBe('+Background saving started\r\n');
    for (let i = 1; i < after.length; i++) await c.readReply();
    await waitForBgsave(c);
    c.close();
    await s.stop('SIGKILL');

    const s2 = await start(dir);
    const c2 = await RawClient.connect(s2.port);
    expect(await c2.call('DBSIZE')).toBe(`:${n}\r\n`);
    for (const i of [0, 1, 2, 3, 11, n - 1]) expect(await c2.call('GET', `key:${i}`)).toBe(`$${`v1-${i}`.length}\r\nv1-${i}\r\n`);
    expect(await c2.call('EXISTS', 'new:0')).toBe(':0\r\n');
    c2.close();
  });

  it('SAVE refuses while BGSAVE runs; BGSAVE refuses a second one', async () => {
    const dir = tempDir();
    const s = await start(dir);
    const c = await RawClient.connect(s.port);
    const fill: Buffer[] = [];
    for (let i = 0; i < 100000; i++) fill.push(encodeCommand(['SET', `k${i}`, 'v']));
    c.write(Buffer.concat(fill));
    for (let i = 0; i < 100000; i++) await c.readReply();
    c.write(Buffer.concat([encodeCommand(['BGSAVE']), encodeCommand(['BGSAVE']), encodeCommand(['SAVE']), encodeCommand(['BGSAVE', 'SCHEDULE'])]));
    expect(await c.readReply()).toBe('+Background saving started\r\n');
    expect(await c.readReply()).toBe('-ERR Background save already in progress\r\n');
    expect(await c.readReply()).toBe('-ERR Background save already in progress\r\n');
    expect(await c.readReply()).toBe('-ERR Background save already in progress\r\n');
    expect(await c.call('BGSAVE', 'NOW')).toBe('-ERR syntax error\r\n');
    c.close();
  });
});
