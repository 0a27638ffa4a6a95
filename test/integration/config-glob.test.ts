import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../helpers/server.js';
import { globMatch } from '../../src/types/glob.js';

/** Keys over a small alphabet that exercises sets, ranges, escapes and case. */
const KEYS = ['', 'a', 'b', 'A', 'ab', 'ba', 'a-b', 'a]', 'a\\', 'a*', '^a', 'aab', 'abab', 'b-a', 'aBa', '[a]', 'a?b'];

describe('globMatch agrees with redis-server (CONFIG GET patterns, KEYS)', () => {
  let redis: RunningServer;
  let client: Redis;

  beforeAll(async () => {
    redis = await startServer({ redis: true });
    client = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true });
    await client.connect();
    for (const k of KEYS) await client.set(k, '1');
  });

  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('matches exactly the keys KEYS returns, for generated patterns', async () => {
    const pattern = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '*', '?', '[', ']', '^', '-', '\\'), maxLength: 7 });
    await fc.assert(
      fc.asyncProperty(pattern, async (p) => {
        // KEYS treats a lone "*" as "everything" without matching; every other pattern goes through stringmatchlen.
        fc.pre(p !== '*');
        const theirs = (await client.keys(p)).sort();
        const mine = KEYS.filter((k) => globMatch(p, k)).sort();
        expect(mine).toEqual(theirs);
      }),
      { numRuns: 300 },
    );
  });
});
