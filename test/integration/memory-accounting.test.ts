import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/server.js';

function field(info: string, name: string): number {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  if (m === null) throw new Error(`no ${name} in INFO`);
  return Number(m[1]);
}

describe('used_memory estimates', () => {
  let server: RunningServer;
  let r: Redis;

  beforeAll(async () => {
    server = await startServer();
    r = new Redis(server.port);
  });

  afterAll(async () => {
    r.disconnect();
    await server.stop();
  });

  it('grow within a sane factor of real RSS growth for 200k keys of several types', async () => {
    const before = await r.info('memory');
    let p = r.pipeline();
    for (let i = 0; i < 200_000; i++) {
      const k = `key:${i}`;
      switch (i % 5) {
        case 0:
          p.set(k, `value-${i}-${'x'.repeat(i % 40)}`);
          break;
        case 1:
          p.set(k, i);
          break;
        case 2:
          p.hset(k, 'a', `${i}`, 'b', 'x'.repeat(20));
          break;
        case 3:
          p.rpush(k, 'one', 'two', `${i}`);
          break;
        default:
          p.zadd(k, i, 'm1', i + 1, 'm2');
      }
      if (i % 5000 === 4999) {
        await p.exec();
        p = r.pipeline();
      }
    }
    await p.exec();
    const after = await r.info('memory');
    const estimated = field(after, 'used_memory') - field(before, 'used_memory');
    const rss = field(after, 'used_memory_rss') - field(before, 'used_memory_rss');
    // RSS also holds V8's garbage and growth slack, so the estimate is lower, but not by much.
    expect(estimated / rss).toBeGreaterThan(0.25);
    expect(estimated / rss).toBeLessThan(2);
  }, 60_000);
});
