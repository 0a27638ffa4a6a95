import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startPair, parseReply, sortedReply, replyShape, type Pair } from '../helpers/differential.js';

/**
 * Generated command sequences on strata and redis-server side by side. Deterministic replies are
 * compared byte for byte, replies in no defined order sorted, random ones by shape. Small limits
 * (via startup arguments) make the sequences cross the encoding conversions often.
 */

const LIMITS = ['--hash-max-listpack-entries', '4', '--hash-max-listpack-value', '6', '--set-max-intset-entries', '4'];

let pair: Pair;
let run = 0;

beforeAll(async () => {
  pair = await startPair(LIMITS);
});

afterAll(async () => {
  await pair.stop();
});

const key = fc.constantFrom('a', 'b', 'c');
const elem = fc.oneof(fc.constantFrom('1', '2', '3', '-7', '10', '007', 'x', 'y', 'longer-than-6', '', '\u0000\u00ff'), fc.integer({ min: -20, max: 20 }).map(String));
const elems = fc.array(elem, { minLength: 1, maxLength: 6 });
const count = fc.oneof(fc.integer({ min: -8, max: 8 }).map(String), fc.constantFrom('x', '100'));

const UNORDERED = new Set(['HGETALL', 'HKEYS', 'HVALS', 'SMEMBERS', 'SINTER', 'SUNION', 'SDIFF']);
const RANDOM = new Set(['HRANDFIELD', 'SRANDMEMBER']);

const command = fc.oneof(
  fc.tuple(key, elems).map(([k, e]) => ['HSET', k, ...e.flatMap((x, i) => [x, String(i)])]),
  fc.tuple(key, elem, elem).map(([k, f, v]) => ['HSETNX', k, f, v]),
  fc.tuple(key, elems).map(([k, e]) => ['HDEL', k, ...e]),
  fc.tuple(key, elem).map(([k, f]) => ['HGET', k, f]),
  fc.tuple(key, elems).map(([k, e]) => ['HMGET', k, ...e]),
  fc.tuple(key, elem, fc.constantFrom('1', '-3', '9223372036854775807', 'x')).map(([k, f, n]) => ['HINCRBY', k, f, n]),
  fc.tuple(key, elem, fc.constantFrom('1.5', '-0.25', '0.1', 'x', '3e2')).map(([k, f, n]) => ['HINCRBYFLOAT', k, f, n]),
  fc.tuple(fc.constantFrom('HLEN', 'HGETALL', 'HKEYS', 'HVALS', 'SCARD', 'SMEMBERS'), key).map(([c, k]) => [c, k]),
  fc.tuple(fc.constantFrom('HSTRLEN', 'HEXISTS', 'SISMEMBER'), key, elem).map(([c, k, f]) => [c, k, f]),
  fc.tuple(key, count, fc.boolean()).map(([k, n, wv]) => (wv ? ['HRANDFIELD', k, n, 'WITHVALUES'] : ['HRANDFIELD', k, n])),
  fc.tuple(key, elems).map(([k, e]) => ['SADD', k, ...e]),
  fc.tuple(key, elems).map(([k, e]) => ['SREM', k, ...e]),
  fc.tuple(key, elems).map(([k, e]) => ['SMISMEMBER', k, ...e]),
  fc.tuple(key, count).map(([k, n]) => ['SRANDMEMBER', k, n]),
  fc.tuple(key, key, elem).map(([a, b, m]) => ['SMOVE', a, b, m]),
  fc.tuple(fc.constantFrom('SINTER', 'SUNION', 'SDIFF'), fc.array(key, { minLength: 1, maxLength: 3 })).map(([c, ks]) => [c, ...ks]),
  fc.tuple(fc.constantFrom('SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'), key, fc.array(key, { minLength: 1, maxLength: 3 })).map(([c, d, ks]) => [c, d, ...ks]),
  fc.tuple(fc.array(key, { minLength: 1, maxLength: 3 }), fc.constantFrom([], ['LIMIT', '1'], ['LIMIT', '0'])).map(([ks, l]) => ['SINTERCARD', String(ks.length), ...ks, ...l]),
  // SPOP taking the whole set (or nothing) is deterministic.
  fc.tuple(key, fc.constantFrom('0', '100')).map(([k, n]) => ['SPOP', k, n]),
);

const KEYED: Record<string, (argv: string[]) => number[]> = {
  SINTERCARD: (argv) => Array.from({ length: Number(argv[1]) }, (_, i) => i + 2),
};

/** Indexes of argv that are keys. */
function keyIndexes(argv: string[]): number[] {
  const c = argv[0];
  if (KEYED[c]) return KEYED[c](argv);
  if (['SINTER', 'SUNION', 'SDIFF', 'SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'].includes(c)) return argv.map((_, i) => i).slice(1);
  if (c === 'SMOVE') return [1, 2];
  return [1];
}

describe('generated hash and set sequences reply as redis-server does', () => {
  it('in RESP2 and RESP3', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), fc.constantFrom('2', '3'), async (script, resp) => {
        const p = `d${run++}:`;
        await pair.both('HELLO', resp);
        for (const argv of script) {
          const sent = argv.slice();
          for (const i of keyIndexes(argv)) sent[i] = p + argv[i];
          const [s, r] = await pair.both(...sent);
          const label = sent.join(' ');
          if (RANDOM.has(argv[0])) expect(replyShape(parseReply(s)), label).toEqual(replyShape(parseReply(r)));
          else if (UNORDERED.has(argv[0]) || (argv[0] === 'SPOP' && argv[2] === '100')) expect(sortedReply(parseReply(s)), label).toEqual(sortedReply(parseReply(r)));
          else expect(s, label).toBe(r);
        }
        for (const k of ['a', 'b', 'c']) {
          for (const c of ['HGETALL', 'SMEMBERS']) {
            const [s, r] = await pair.both(c, p + k);
            expect(sortedReply(parseReply(s)), `${c} ${k}`).toEqual(sortedReply(parseReply(r)));
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
