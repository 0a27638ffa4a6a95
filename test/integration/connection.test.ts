import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

describe('connection commands', () => {
  let server: RunningServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await startServer();
    redis = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
    await redis.connect();
  });

  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('PING answers PONG, or echoes its argument', async () => {
    expect(await redis.ping()).toBe('PONG');
    expect(await redis.ping('hello')).toBe('hello');
  });

  it('ECHO returns binary payloads unchanged', async () => {
    const payload = Buffer.from([0, 1, 2, 13, 10, 255, 128]);
    expect(await redis.echoBuffer(payload)).toEqual(payload);
  });

  it('unknown commands get Redis exact error text', async () => {
    const c = await RawClient.connect(server.port);
    expect(await c.call('FOO', 'a', 'b')).toBe("-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n");
    expect(await c.call('GET')).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    c.close();
  });

  it('SELECT switches databases and rejects out of range indexes', async () => {
    const c = await RawClient.connect(server.port);
    expect(await c.call('SELECT', '1')).toBe('+OK\r\n');
    expect(await c.call('SET', 'k', 'in-db1')).toBe('+OK\r\n');
    expect(await c.call('SELECT', '16')).toBe('-ERR DB index is out of range\r\n');
    expect(await c.call('SELECT', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await c.call('SELECT', '0')).toBe('+OK\r\n');
    expect(await c.call('GET', 'k')).toBe('$-1\r\n');
    c.close();
  });

  it('HELLO 3 switches the connection to RESP3', async () => {
    const c = await RawClient.connect(server.port);
    const hello = await c.call('HELLO', '3');
    expect(hello.startsWith('%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n')).toBe(true);
    expect(await c.call('GET', 'nokey')).toBe('_\r\n');
    expect(await c.call('HELLO', '4')).toBe('-NOPROTO unsupported protocol version\r\n');
    c.close();
  });

  it('QUIT replies OK and closes', async () => {
    const c = await RawClient.connect(server.port);
    expect(await c.call('QUIT')).toBe('+OK\r\n');
    expect(await c.waitClosed()).toBe(true);
  });
});
