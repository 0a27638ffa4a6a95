/*
 * INCRBYFLOAT byte for byte against redis-server 7.0.15, whose result comes from C long double
 * arithmetic: random operands of every scale (doubles, int64s, long decimals, hex floats, exponents
 * near the long double limits, values that overflow a double but not a long double, invalid text)
 * are pipelined on one connection to both servers, and to the emulation in types/longdouble.ts.
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pairForSuite } from '../helpers/differential.js';
import { RawClient } from '../helpers/resp.js';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../../src/types/longdouble.js';

const digits = (min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));
const sign = fc.constantFrom('', '-', '+');
const exponent = fc.oneof(fc.integer({ min: -30, max: 30 }), fc.integer({ min: -4960, max: 4940 }), fc.integer({ min: 300, max: 320 }));

const operand: fc.Arbitrary<string> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map(String),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.tuple(sign, digits(1, 6), digits(0, 22)).map(([s, i, f]) => `${s}${i}.${f}`),
  fc.tuple(sign, digits(1, 40), digits(0, 40), exponent).map(([s, i, f, e]) => `${s}${i}.${f}e${e}`),
  fc.tuple(sign, fc.bigInt({ min: 1n, max: (1n << 70n) - 1n }), fc.integer({ min: -16500, max: 16400 })).map(([s, m, e]) => `${s}0x${m.toString(16)}p${e}`),
  fc.tuple(digits(1, 3), fc.integer({ min: 308, max: 330 })).map(([d, e]) => `${d}e${e}`),
  fc.constantFrom('0', '-0', '1e308', '1e309', '1e4932', '1.18973149535723176502e+4932', '3.6e-4951', '1e-5000', 'inf', '-inf', 'nan', 'abc', ' 1', '1.', '.5', '0x', '5e-324'),
);

describe('INCRBYFLOAT against redis-server', () => {
  const pair = pairForSuite();

  /** SET key value; INCRBYFLOAT key incr, pipelined for every pair; returns the INCRBYFLOAT replies. */
  async function incrbyfloatAll(client: RawClient, prefix: string, pairs: Array<[string, string]>): Promise<string[]> {
    pairs.forEach(([value, incr], i) => {
      client.send('SET', `${prefix}${i}`, value);
      client.send('INCRBYFLOAT', `${prefix}${i}`, incr);
    });
    const out: string[] = [];
    for (let i = 0; i < pairs.length; i++) {
      await client.readReply();
      out.push(await client.readReply());
    }
    return out;
  }

  /** The reply the emulation predicts. */
  function predicted(value: string, incr: string): string {
    const a = parseLongDouble(value);
    const b = a === null ? null : parseLongDouble(incr);
    if (a === null || b === null) return '-ERR value is not a valid float\r\n';
    const sum = addLongDouble(a, b);
    if (sum.kind !== 'finite') return '-ERR increment would produce NaN or Infinity\r\n';
    const text = formatLongDoubleHuman(sum);
    return `$${text.length}\r\n${text}\r\n`;
  }

  it('random operands give the same replies as redis-server, and as the emulation predicts', async () => {
    let runNo = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(operand, operand), { minLength: 50, maxLength: 200 }), async (pairs) => {
        const prefix = `ibf${runNo++}:`;
        const [mine, theirs] = await Promise.all([incrbyfloatAll(pair.strata, prefix, pairs), incrbyfloatAll(pair.redis, prefix, pairs)]);
        pairs.forEach(([value, incr], i) => {
          expect({ value, incr, reply: mine[i] }).toEqual({ value, incr, reply: theirs[i] });
          expect({ value, incr, reply: predicted(value, incr) }).toEqual({ value, incr, reply: theirs[i] });
        });
      }),
      { numRuns: 40 },
    );
  });

  it('repeated increments on one key accumulate through the stored text as in redis-server', async () => {
    let runNo = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(operand, { minLength: 1, maxLength: 60 }), async (incrs) => {
        const key = `chain${runNo++}`;
        const replies = await Promise.all(
          [pair.strata, pair.redis].map(async (client) => {
            for (const incr of incrs) client.send('INCRBYFLOAT', key, incr);
            client.send('GET', key);
            const out: string[] = [];
            for (let i = 0; i <= incrs.length; i++) out.push(await client.readReply());
            return out;
          }),
        );
        expect(replies[0]).toEqual(replies[1]);
      }),
      { numRuns: 40 },
    );
  });
});
