import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

describe('SLOWLOG', () => {
  let strata: RunningServer;
  let redis: RunningServer;

  beforeAll(async () => {
    // Every command is "slow" with a threshold of 0.
    const args = ['--slowlog-log-slower-than', '0', '--slowlog-max-len', '5'];
    [strata, redis] = await Promise.all([startServer({ args }), startServer({ redis: true, args })]);
  });

  afterAll(async () => {
    await Promise.all([strata.stop(), redis.stop()]);
  });

  it('answers HELP and bad input exactly as redis-server', async () => {
    const [s, r] = await Promise.all([RawClient.connect(strata.port), RawClient.connect(redis.port)]);
    for (const argv of [['SLOWLOG', 'HELP'], ['SLOWLOG'], ['SLOWLOG', 'GET', 'x'], ['SLOWLOG', 'GET', '-2'], ['SLOWLOG', 'GET', '1', '2'], ['SLOWLOG', 'LEN', 'x'], ['SLOWLOG', 'NOPE']]) {
      expect(await s.call(...argv), argv.join(' ')).toBe(await r.call(...argv));
    }
    s.close();
    r.close();
  });

  it('GET lists the newest entries first with id, time, duration, args, client address and name', async () => {
    const c = await RawClient.connect(strata.port);
    await c.call('CLIENT', 'SETNAME', 'slowpoke');
    expect(await c.call('SLOWLOG', 'RESET')).toBe('+OK\r\n');
    await c.call('SET', 'slow:k', 'v');
    const reply = await c.call('SLOWLOG', 'GET', '1');
    const addr = `127.0.0.1:${c.socket.localPort}`;
    const m = new RegExp(`^\\*1\\r\\n\\*6\\r\\n:(\\d+)\\r\\n:(\\d+)\\r\\n:(\\d+)\\r\\n\\*3\\r\\n\\$3\\r\\nSET\\r\\n\\$6\\r\\nslow:k\\r\\n\\$1\\r\\nv\\r\\n\\$${addr.length}\\r\\n${addr}\\r\\n\\$8\\r\\nslowpoke\\r\\n$`).exec(reply);
    expect(m, reply).not.toBeNull();
    expect(Math.abs(Number(m![2]) - Date.now() / 1000)).toBeLessThan(60);
    c.close();
  });

  it('keeps at most slowlog-max-len entries, LEN counts them, RESET empties, GET -1 returns all', async () => {
    const c = await RawClient.connect(strata.port);
    for (let i = 0; i < 8; i++) await c.call('PING');
    expect(await c.call('SLOWLOG', 'LEN')).toBe(':5\r\n');
    expect((await c.call('SLOWLOG', 'GET', '-1')).startsWith('*5\r\n')).toBe(true);
    expect((await c.call('SLOWLOG', 'GET', '2')).startsWith('*2\r\n')).toBe(true);
    expect((await c.call('SLOWLOG', 'GET', '0'))).toBe('*0\r\n');
    await c.call('SLOWLOG', 'RESET');
    // SLOWLOG RESET itself is logged after it ran.
    expect(await c.call('SLOWLOG', 'LEN')).toBe(':1\r\n');
    c.close();
  });

  it('trims long argument lists and long arguments as Redis does', async () => {
    const [s, r] = await Promise.all([RawClient.connect(strata.port), RawClient.connect(redis.port)]);
    const args = ['ECHO', 'x'.repeat(200)];
    const many = ['PING', ...Array.from({ length: 40 }, (_, i) => `a${i}`)];
    for (const c of [s, r]) {
      await c.call(...args);
      await c.call(...many);
    }
    // The entries' argument arrays (field 4) must match byte for byte.
    const argsOf = (reply: string): string[] => reply.split('\r\n').filter((l) => !l.startsWith(':') && !/127\.0\.0\.1/.test(l));
    expect(argsOf(await s.call('SLOWLOG', 'GET', '2'))).toEqual(argsOf(await r.call('SLOWLOG', 'GET', '2')));
    s.close();
    r.close();
  });
});
