import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

describe('TIME, LASTSAVE, SHUTDOWN errors', () => {
  let strata: RunningServer;
  let redis: RunningServer;

  beforeAll(async () => {
    [strata, redis] = await Promise.all([startServer(), startServer({ redis: true })]);
  });

  afterAll(async () => {
    await Promise.all([strata.stop(), redis.stop()]);
  });

  it('TIME answers unix seconds and microseconds as two bulk strings', async () => {
    const c = await RawClient.connect(strata.port);
    const m = /^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n$/.exec(await c.call('TIME'))!;
    expect(Math.abs(Number(m[1]) - Date.now() / 1000)).toBeLessThan(60);
    expect(Number(m[2])).toBeLessThan(1e6);
    c.close();
  });

  it('LASTSAVE is the start time until something is saved, as Redis at startup', async () => {
    const c = await RawClient.connect(strata.port);
    const lastsave = Number((await c.call('LASTSAVE')).slice(1, -2));
    const info = await c.call('INFO', 'persistence');
    expect(info).toContain(`rdb_last_save_time:${lastsave}\r\n`);
    expect(Math.abs(lastsave - Date.now() / 1000)).toBeLessThan(600);
    c.close();
  });

  it('rejects bad SHUTDOWN options exactly as redis-server, and ABORT without a shutdown', async () => {
    const [s, r] = await Promise.all([RawClient.connect(strata.port), RawClient.connect(redis.port)]);
    const cases = [
      ['SHUTDOWN', 'bogus'],
      ['SHUTDOWN', 'SAVE', 'NOSAVE'],
      ['SHUTDOWN', 'ABORT', 'NOW'],
      ['SHUTDOWN', 'ABORT'],
      ['TIME', 'x'],
      ['LASTSAVE', 'x'],
    ];
    for (const argv of cases) expect(await s.call(...argv), argv.join(' ')).toBe(await r.call(...argv));
    s.close();
    r.close();
  });
});

describe('SHUTDOWN', () => {
  it.each([[['SHUTDOWN']], [['SHUTDOWN', 'NOSAVE', 'NOW']], [['shutdown', 'save', 'force']]])('%j stops the server with exit code 0', async (argv) => {
    const server = await startServer();
    const exited = new Promise<number | null>((resolve) => server.proc.once('exit', (code) => resolve(code)));
    const c = await RawClient.connect(server.port);
    c.send(...argv);
    expect(await c.waitClosed()).toBe(true);
    expect(await exited).toBe(0);
    await server.stop();
  });
});

describe('client limits', () => {
  it('timeout closes idle clients but not monitors', async () => {
    const server = await startServer({ args: ['--timeout', '1'] });
    const idle = await RawClient.connect(server.port);
    const monitor = await RawClient.connect(server.port);
    expect(await monitor.call('MONITOR')).toBe('+OK\r\n');
    expect(await idle.call('PING')).toBe('+PONG\r\n');
    expect(await idle.waitClosed(10000)).toBe(true);
    expect(monitor.closed).toBe(false);
    monitor.close();
    await server.stop();
  });

  it('maxclients refuses the connection beyond the limit with Redis error', async () => {
    const server = await startServer({ args: ['--maxclients', '2'] });
    const a = await RawClient.connect(server.port);
    const b = await RawClient.connect(server.port);
    expect(await a.call('PING')).toBe('+PONG\r\n');
    expect(await b.call('PING')).toBe('+PONG\r\n');
    const c = await RawClient.connect(server.port);
    expect(await c.readReply()).toBe('-ERR max number of clients reached\r\n');
    expect(await c.waitClosed()).toBe(true);
    expect(await a.call('INFO', 'stats')).toMatch(/rejected_connections:1\r\n/);
    a.close();
    b.close();
    await server.stop();
  });
});
