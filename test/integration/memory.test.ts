import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pairForSuite } from '../helpers/differential.js';

/** MEMORY STATS (RESP2 flat array of pairs) → its field names, with nested db maps' names. */
function statsFields(reply: string): string[] {
  return reply
    .split('\r\n')
    .filter((_, i, lines) => i > 0 && lines[i - 1].startsWith('$'))
    .filter((l) => /^[a-z]/.test(l));
}

describe('MEMORY', () => {
  const pair = pairForSuite();

  it('answers HELP and bad input exactly as redis-server', async () => {
    for (const argv of [
      ['MEMORY', 'HELP'],
      ['MEMORY', 'USAGE'],
      ['MEMORY', 'USAGE', 'nokey'],
      ['MEMORY', 'USAGE', 'nokey', 'SAMPLES'],
      ['MEMORY', 'USAGE', 'nokey', 'SAMPLES', 'x'],
      ['MEMORY', 'USAGE', 'nokey', 'SAMPLES', '-1'],
      ['MEMORY', 'USAGE', 'nokey', 'SAMPLES', '0'],
      ['MEMORY', 'USAGE', 'nokey', 'BOGUS', '1'],
      ['MEMORY', 'STATS', 'x'],
      ['MEMORY', 'NOPE'],
      ['MEMORY', 'PURGE'],
    ]) {
      expect(await pair.strata.call(...argv), argv.join(' ')).toBe(await pair.redis.call(...argv));
    }
  });

  it('USAGE of a string key matches redis-server for int, embstr and raw encodings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 70 }),
        fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 300 }), fc.integer().map(String), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String)),
        async (key, value) => {
          const k = Buffer.from(key, 'latin1');
          for (const c of [pair.strata, pair.redis]) await c.call('SET', k, Buffer.from(value, 'latin1'));
          expect(await pair.strata.call('MEMORY', 'USAGE', k)).toBe(await pair.redis.call('MEMORY', 'USAGE', k));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('STATS has the field names of redis-server, one db.N map per non-empty db', async () => {
    for (const c of [pair.strata, pair.redis]) {
      await c.call('SET', 'mem:a', '1');
      await c.call('SELECT', '3');
      await c.call('SET', 'mem:b', '2');
      await c.call('SELECT', '0');
    }
    const mine = statsFields(await pair.strata.call('MEMORY', 'STATS'));
    expect(mine).toEqual(statsFields(await pair.redis.call('MEMORY', 'STATS')));
    expect(mine).toContain('db.3');
  });

  it('DOCTOR has Redis texts, MALLOC-STATS says the allocator has no stats', async () => {
    expect(await pair.strata.call('MEMORY', 'DOCTOR')).toMatch(/^\$\d+\r\nHi Sam, /);
    expect(await pair.strata.call('MEMORY', 'MALLOC-STATS')).toBe('$45\r\nStats not supported for the current allocator\r\n');
  });
});
