import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient, encodeCommand } from '../helpers/resp.js';

const AOF = ['--appendonly', 'yes', '--appendfsync', 'always'];

describe('BGREWRITEAOF: new incr at the cut, RDB base, manifest swap', () => {
  const servers: RunningServer[] = [];
  const dirs: string[] = [];

  function tempDir(): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-rewrite-'));
    dirs.push(d);
    return d;
  }

  async function start(dir: string, opts: { redis?: boolean } = {}): Promise<RunningServer> {
    const s = await startServer({ dir, redis: opts.redis, args: [...AOF, '--enable-debug-command', 'yes'] });
    servers.push(s);
    return s;
  }

  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop('SIGKILL');
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  async function fill(c: RawClient, n: number, prefix: string): Promise<void> {
    const batch: Buffer[] = [];
    for (let i = 0; i < n; i++) batch.push(encodeCommand(['SET', `${prefix}${i}`, `value-${i}`]));
    c.write(Buffer.concat(batch));
    for (let i = 0; i < n; i++) await c.readReply();
  }

  async function rewritesDone(c: RawClient, count: number): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      const info = await c.call('INFO', 'persistence');
      if (info.includes('aof_rewrite_in_progress:0') && info.includes(`aof_rewrites:${count}`)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('rewrite did not finish');
  }

  it('folds the log into an RDB base; restarts and redis-server load the result with the same digest', async () => {
    const dir = tempDir();
    const s = await start(dir);
    const c = await RawClient.connect(s.port);
    await fill(c, 20000, 'k');
    await c.call('ZADD', 'z', '1', 'a', '2', 'b');
    await c.call('HSET', 'h', 'f', 'v');
    await c.call('SADD', 'set', 'x', 'y');
    await c.call('SET', 'ttl', 'v', 'EX', '100000');
    expect(await c.call('BGREWRITEAOF')).toBe('+Background append only file rewriting started\r\n');
    // Writes during the rewrite go to the new incr file.
    await c.call('SET', 'during', '1');
    await c.call('DEL', 'k0');
    await rewritesDone(c, 1);
    await c.call('SET', 'after', '2');
    const digest = await c.call('DEBUG', 'DIGEST');
    c.close();
    await s.stop('SIGKILL');

    const aofDir = path.join(dir, 'appendonlydir');
    expect(fs.readFileSync(path.join(aofDir, 'appendonly.aof.manifest'), 'latin1')).toBe(
      'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
    );
    expect(fs.readdirSync(aofDir).sort()).toEqual(['appendonly.aof.1.base.rdb', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
    expect(fs.readFileSync(path.join(aofDir, 'appendonly.aof.1.base.rdb')).toString('latin1', 0, 9)).toBe('REDIS0010');

    for (const redis of [false, true]) {
      const s2 = await start(dir, { redis });
      const c2 = await RawClient.connect(s2.port);
      expect(await c2.call('DEBUG', 'DIGEST')).toBe(digest);
      expect(await c2.call('MGET', 'k0', 'k1', 'during', 'after')).toBe('*4\r\n$-1\r\n$7\r\nvalue-1\r\n$1\r\n1\r\n$1\r\n2\r\n');
      c2.close();
      await s2.stop(redis ? 'SIGTERM' : 'SIGKILL');
    }
  });

  it('kill -9 during a rewrite loses no acknowledged write', async () => {
    const dir = tempDir();
    const s = await start(dir);
    const c = await RawClient.connect(s.port);
    await fill(c, 100000, 'big');
    c.write(Buffer.concat([encodeCommand(['BGREWRITEAOF']), encodeCommand(['SET', 'acked-during', 'yes'])]));
    expect(await c.readReply()).toBe('+Background append only file rewriting started\r\n');
    expect(await c.readReply()).toBe('+OK\r\n');
    const info = await c.call('INFO', 'persistence');
    c.close();
    await s.stop('SIGKILL');
    // The point of the test is a kill while the rewrite runs; say so if the machine was too fast.
    expect(info).toContain('aof_rewrite_in_progress:1');

    const s2 = await start(dir);
    const c2 = await RawClient.connect(s2.port);
    expect(await c2.call('DBSIZE')).toBe(':100001\r\n');
    expect(await c2.call('GET', 'acked-during')).toBe('$3\r\nyes\r\n');
    c2.close();
  });

  it('BGREWRITEAOF while one runs, and inside MULTI, answers as Redis', async () => {
    const dir = tempDir();
    const s = await start(dir);
    const c = await RawClient.connect(s.port);
    await fill(c, 100000, 'x');
    c.write(Buffer.concat([encodeCommand(['BGREWRITEAOF']), encodeCommand(['BGREWRITEAOF']), encodeCommand(['BGSAVE'])]));
    expect(await c.readReply()).toBe('+Background append only file rewriting started\r\n');
    expect(await c.readReply()).toBe('-ERR Background append only file rewriting already in progress\r\n');
    expect(await c.readReply()).toBe(
      "-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n",
    );
    c.close();
  });
});
