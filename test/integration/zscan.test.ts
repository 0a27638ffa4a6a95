/*
 * ZSCAN: small sets (listpack) compared byte for byte with redis-server, which returns them whole
 * with cursor 0; large sets (skiplist) walk with SCAN's cursors, checked for SCAN's guarantee under
 * changes between calls with fast-check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DifferentialPair, formatMismatch } from '../helpers/differential.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';
import { parseReply } from '../helpers/differential.js';

const SCORES = ['0', '-0', '1', '-1', '1.5', '0.1', '1e20', '-2.5e-7', 'inf', '-inf', '123456789012345678', '3.0000000000000004'];
const MEMBERS = ['a', 'b', 'ab', 'abc', 'x1', 'x2', '', 'caf\xe9', '\x00\xff', '*', '10'];

describe('ZSCAN of small sorted sets against redis-server', () => {
  let pair: DifferentialPair;

  beforeAll(async () => {
    pair = await DifferentialPair.start();
  });

  afterAll(async () => {
    await pair.stop();
  });

  it('replies, filters and errors as Redis, in RESP2 and RESP3', async () => {
    const zadd = fc.tuple(fc.constantFrom(...SCORES), fc.constantFrom(...MEMBERS)).map(([s, m]) => ['ZADD', 'z', s, m]);
    const zscan = fc
      .tuple(
        fc.constantFrom('0', '17', '18446744073709551615', '-1', 'x', '1.5'),
        fc.option(fc.constantFrom('a*', '*', 'x?', '[a-b]*', '\x00*'), { nil: undefined }),
        fc.option(fc.constantFrom('1', '5', '0', '-3', 'y'), { nil: undefined }),
        fc.constantFrom('z', 'missing', 's'),
      )
      .map(([cursor, match, count, key]) => {
        const argv = ['ZSCAN', key, cursor];
        if (match !== undefined) argv.push('MATCH', match);
        if (count !== undefined) argv.push('COUNT', count);
        return argv;
      });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(zadd, zscan, fc.constant<string[]>(['ZSCAN', 'z', '0', 'COUNT'])), { maxLength: 25 }), fc.boolean(), async (ops, resp3) => {
        await pair.flushAll();
        const requests = [['HELLO', resp3 ? '3' : '2'], ['SET', 's', 'v'], ...ops, ['ZSCAN', 'z', '0']];
        const m = await pair.compare(requests, { normalize: (reply, argv) => (argv[0] === 'HELLO' ? '' : reply) });
        if (m !== null) throw new Error(formatMismatch(m));
      }),
      { numRuns: 60 },
    );
  });
});

describe('ZSCAN of large sorted sets', () => {
  let server: RunningServer;
  let c: RawClient;

  beforeAll(async () => {
    server = await startServer({ args: ['--zset-max-listpack-entries', '8'] });
    c = await RawClient.connect(server.port);
  });

  afterAll(async () => {
    c.close();
    await server.stop();
  });

  async function zscan(key: string, cursor: string, count: number): Promise<[string, string[]]> {
    const r = parseReply(await c.call('ZSCAN', key, cursor, 'COUNT', String(count)));
    return [r.items![0].text!, r.items![1].items!.map((x) => x.text!)];
  }

  it('returns every member present for the whole scan, with its score, whatever changes between calls', async () => {
    const change = fc.oneof(
      fc.tuple(fc.constant('add' as const), fc.integer({ min: 0, max: 400 })),
      fc.tuple(fc.constant('rem' as const), fc.integer({ min: 0, max: 400 })),
    );
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 9, max: 300 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.array(change, { maxLength: 6 })), { minLength: 1, maxLength: 80 }),
        async (size, steps) => {
          const key = `big:${round++}`;
          const args: string[] = [];
          for (let i = 0; i < size; i++) args.push(String(i % 7), `m${i}`);
          await c.call('ZADD', key, ...args);
          // Members 0..size-1 start in the set; a removed one (or one added later) is not stable.
          const unstable = new Set<string>();
          const seen = new Map<string, string>();
          let cursor = '0';
          let calls = 0;
          for (;;) {
            const [count, changes] = steps[calls % steps.length];
            const [next, items] = await zscan(key, cursor, count);
            for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
            calls++;
            if (next === '0') break;
            cursor = next;
            for (const [op, n] of changes) {
              const member = `m${n}`;
              unstable.add(member);
              if (op === 'add') await c.call('ZADD', key, '100', member);
              else await c.call('ZREM', key, member);
            }
          }
          for (let i = 0; i < size; i++) {
            const member = `m${i}`;
            if (unstable.has(member)) continue;
            expect(seen.get(member), member).toBe(String(i % 7));
          }
          await c.call('DEL', key);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('walks in COUNT-sized steps and ends with cursor 0; an unknown cursor starts over', async () => {
    const args: string[] = [];
    for (let i = 0; i < 25; i++) args.push(String(i), `e${i}`);
    await c.call('ZADD', 'steps', ...args);
    expect(await c.call('OBJECT', 'ENCODING', 'steps')).toBe('$8\r\nskiplist\r\n');
    const [c1, first] = await zscan('steps', '0', 10);
    expect(first.length).toBe(20);
    expect(c1).not.toBe('0');
    const [c2, second] = await zscan('steps', c1, 10);
    const [c3, third] = await zscan('steps', c2, 10);
    expect(c3).toBe('0');
    expect(new Set([...first, ...second, ...third].filter((_, i) => i % 2 === 0)).size).toBe(25);
    expect(third.length).toBe(10);
    // A used cursor is retired: presenting it again starts a fresh walk.
    const [, again] = await zscan('steps', c1, 100);
    expect(again.length).toBe(50);
    const matched = parseReply(await c.call('ZSCAN', 'steps', '0', 'MATCH', 'e1*', 'COUNT', '100'));
    expect(matched.items![1].items!.map((x) => x.text)).toEqual(expect.arrayContaining(['e1', '1', 'e10', '10']));
    expect(matched.items![1].items!.length).toBe(22);
  });
});
