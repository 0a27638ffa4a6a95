import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { freePort, startServer, STRATA_BIN, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';
import { RecordBuffer } from '../../storage/aof/records.js';

const AOF = ['--appendonly', 'yes', '--appendfsync', 'always'];

function encode(...commands: string[][]): Buffer {
  const rb = new RecordBuffer();
  for (const c of commands) rb.command(c);
  return Buffer.from(rb.view());
}

describe('append-only log', () => {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];

  function tempDir(): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-aof-'));
    dirs.push(d);
    return d;
  }

  async function start(dir: string, opts: { redis?: boolean; args?: string[] } = {}): Promise<RunningServer> {
    const s = await startServer({ dir, redis: opts.redis, args: [...AOF, ...(opts.args ?? [])] });
    servers.push(s);
    return s;
  }

  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop('SIGKILL');
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('acknowledged writes survive kill -9 with appendfsync always', async () => {
    const dir = tempDir();
    const s = await start(dir);
    const c = await RawClient.connect(s.port);
    const value = Buffer.from([0, 13, 10, 255, 36, 42]).toString('latin1');
    expect(await c.call('SET', 'bin', value)).toBe('+OK\r\n');
    expect(await c.call('INCR', 'n')).toBe(':1\r\n');
    expect(await c.call('SELECT', '5')).toBe('+OK\r\n');
    expect(await c.call('SET', 'in5', 'x', 'EX', '1000')).toBe('+OK\r\n');
    await c.call('MULTI');
    await c.call('INCR', 'n5');
    await c.call('INCR', 'n5');
    expect(await c.call('EXEC')).toBe('*2\r\n:1\r\n:2\r\n');
    c.close();
    await s.stop('SIGKILL');

    const s2 = await start(dir);
    const c2 = await RawClient.connect(s2.port);
    expect(await c2.call('GET', 'bin')).toBe(`$${value.length}\r\n${value}\r\n`);
    expect(await c2.call('GET', 'n')).toBe('$1\r\n1\r\n');
    await c2.call('SELECT', '5');
    expect(await c2.call('GET', 'in5')).toBe('$1\r\nx\r\n');
    expect(await c2.call('GET', 'n5')).toBe('$1\r\n2\r\n');
    c2.close();
  });

  it('writes the Redis 7 multi-part layout, which redis-server loads, and loads what redis-server wrote', async () => {
    const dir = tempDir();
    const s = await start(dir);
    const c = await RawClient.connect(s.port);
    await c.call('SET', 'from-strata', '1');
    await c.call('SET', 'ttl', 'v', 'PX', '100000');
    c.close();
    await s.stop('SIGTERM');
    const aofDir = path.join(dir, 'appendonlydir');
    expect(fs.readFileSync(path.join(aofDir, 'appendonly.aof.manifest'), 'latin1')).toBe('file appendonly.aof.1.incr.aof seq 1 type i\n');

    const r = await start(dir, { redis: true, args: ['--save', ''] });
    const rc = await RawClient.connect(r.port);
    expect(await rc.call('GET', 'from-strata')).toBe('$1\r\n1\r\n');
    expect(await rc.call('SET', 'from-redis', '2')).toBe('+OK\r\n');
    rc.close();
    await r.stop('SIGTERM');

    const s2 = await start(dir);
    const c2 = await RawClient.connect(s2.port);
    expect(await c2.call('MGET', 'from-strata', 'from-redis', 'ttl')).toBe('*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\nv\r\n');
    c2.close();
  });

  it('a torn tail is cut back to the last whole record, and later writes survive the next restart', async () => {
    const dir = tempDir();
    const aofDir = path.join(dir, 'appendonlydir');
    fs.mkdirSync(aofDir);
    fs.writeFileSync(path.join(aofDir, 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
    const whole = encode(['SELECT', '0'], ['SET', 'a', '1']);
    const torn = encode(['SET', 'b', '2']).subarray(0, 9);
    fs.writeFileSync(path.join(aofDir, 'appendonly.aof.1.incr.aof'), Buffer.concat([whole, torn]));

    const s = await start(dir);
    const c = await RawClient.connect(s.port);
    expect(await c.call('MGET', 'a', 'b')).toBe('*2\r\n$1\r\n1\r\n$-1\r\n');
    expect(await c.call('SET', 'after', 'yes')).toBe('+OK\r\n');
    c.close();
    await s.stop('SIGKILL');
    expect(s.output()).toMatch(/truncated/);

    const s2 = await start(dir);
    const c2 = await RawClient.connect(s2.port);
    expect(await c2.call('MGET', 'a', 'after')).toBe('*2\r\n$1\r\n1\r\n$3\r\nyes\r\n');
    c2.close();
  });

  it('a tail cut inside MULTI/EXEC is cut back to before the MULTI, so the next acknowledged write is kept', async () => {
    const dir = tempDir();
    const aofDir = path.join(dir, 'appendonlydir');
    fs.mkdirSync(aofDir);
    fs.writeFileSync(path.join(aofDir, 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
    // Whole records up to inside the transaction: MULTI and one SET made it, EXEC did not.
    const data = encode(['SELECT', '0'], ['SET', 'before', '1'], ['MULTI'], ['SET', 'in-tx', '1']);
    fs.writeFileSync(path.join(aofDir, 'appendonly.aof.1.incr.aof'), data);

    const s = await start(dir);
    const c = await RawClient.connect(s.port);
    expect(await c.call('MGET', 'before', 'in-tx')).toBe('*2\r\n$1\r\n1\r\n$-1\r\n');
    expect(await c.call('SET', 'acked', '1')).toBe('+OK\r\n');
    c.close();
    await s.stop('SIGKILL');

    const s2 = await start(dir);
    const c2 = await RawClient.connect(s2.port);
    expect(await c2.call('MGET', 'before', 'in-tx', 'acked')).toBe('*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n1\r\n');
    c2.close();
  });

  it('is on by default, with appendfsync always: strata is durable out of the box', async () => {
    const dir = tempDir();
    const port = await freePort();
    const proc = spawn(STRATA_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: 'ignore' });
    try {
      let c: RawClient | null = null;
      for (let i = 0; i < 400 && c === null; i++) {
        c = await RawClient.connect(port).catch(() => null);
        if (c === null) await new Promise((r) => setTimeout(r, 25));
      }
      expect(await c!.call('CONFIG', 'GET', 'appendonly')).toBe('*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n');
      expect(await c!.call('CONFIG', 'GET', 'appendfsync')).toBe('*2\r\n$11\r\nappendfsync\r\n$6\r\nalways\r\n');
      expect(await c!.call('SET', 'k', 'v')).toBe('+OK\r\n');
      c!.close();
      expect(fs.readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1')).toContain('$1\r\nk\r\n$1\r\nv\r\n');
    } finally {
      proc.kill('SIGKILL');
    }
  });

  it('corruption in the middle of the log stops startup with a message naming the file and offset', () => {
    const dir = tempDir();
    const aofDir = path.join(dir, 'appendonlydir');
    fs.mkdirSync(aofDir);
    fs.writeFileSync(path.join(aofDir, 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
    const good = encode(['SET', 'a', '1']);
    const file = path.join(aofDir, 'appendonly.aof.1.incr.aof');
    const bytes = Buffer.concat([good, Buffer.from('garbage\r\n'), encode(['SET', 'b', '2'])]);
    fs.writeFileSync(file, bytes);
    const r = spawnSync(STRATA_BIN, ['--port', '0', '--dir', dir, ...AOF], { encoding: 'latin1', timeout: 20000 });
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain(`appendonly.aof.1.incr.aof at offset ${good.length}`);
    // Nothing was changed on disk.
    expect(fs.readFileSync(file)).toEqual(bytes);
  });
});
