import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, parseReply, sortedReply, replyShape, type Pair } from '../helpers/differential.js';

/**
 * Hash commands, reply for reply against redis-server 7.0. Each script runs on a fresh key prefix
 * on both servers; replies are compared byte for byte (small hashes keep insertion order in both).
 */

let pair: Pair;
let prefix = 0;

beforeAll(async () => {
  pair = await startPair();
});

afterAll(async () => {
  await pair.stop();
});

/** Runs the script on both servers (keys `k`, `k2`, `str` renamed per run) and compares replies. */
async function same(script: string[][], resp: 2 | 3 = 2): Promise<void> {
  const p = `h${prefix++}:`;
  const rename = (a: string): string => (a === 'k' || a === 'k2' || a === 'str' || a === 'nokey' ? p + a : a);
  await pair.both('HELLO', String(resp));
  for (const argv of script) {
    const sent = [argv[0], ...argv.slice(1).map(rename)];
    const [s, r] = await pair.both(...sent);
    expect(s, sent.join(' ')).toBe(r);
  }
}

const BIN = Buffer.from([0, 13, 10, 255, 36, 42]).toString('latin1');

describe('hash commands match redis-server byte for byte', () => {
  it('HSET / HGET / HMGET / HSETNX / HLEN / HSTRLEN / HEXISTS / HDEL basics', async () => {
    await same([
      ['HSET', 'k', 'f', 'v'],
      ['HSET', 'k', 'f', 'v2', 'g', '123', BIN, BIN],
      ['HGET', 'k', 'f'],
      ['HGET', 'k', BIN],
      ['HGET', 'k', 'nope'],
      ['HGET', 'nokey', 'f'],
      ['HMGET', 'k', 'f', 'nope', 'g'],
      ['HMGET', 'nokey', 'a', 'b'],
      ['HSETNX', 'k', 'f', 'x'],
      ['HSETNX', 'k', 'n', 'x'],
      ['HSETNX', 'k2', 'n', 'x'],
      ['HLEN', 'k'],
      ['HLEN', 'nokey'],
      ['HSTRLEN', 'k', 'g'],
      ['HSTRLEN', 'k', 'f'],
      ['HSTRLEN', 'k', 'nope'],
      ['HEXISTS', 'k', 'f'],
      ['HEXISTS', 'k', 'nope'],
      ['HEXISTS', 'nokey', 'f'],
      ['HMSET', 'k', 'm', '1', 'n', '2'],
      ['HKEYS', 'k'],
      ['HVALS', 'k'],
      ['HGETALL', 'k'],
      ['HDEL', 'k', 'f', 'nope', 'f'],
      ['HDEL', 'nokey', 'f'],
      ['HDEL', 'k', 'g', BIN, 'm', 'n'],
      ['HLEN', 'k'],
      ['HGETALL', 'k'],
      ['HKEYS', 'k'],
    ]);
  });

  it('errors: arity, odd pairs, WRONGTYPE', async () => {
    await same([
      ['HSET', 'k', 'f'],
      ['HSET', 'k', 'a', 'b', 'c'],
      ['HMSET', 'k', 'a', 'b', 'c'],
      ['hset', 'k', 'a', 'b', 'c'],
      ['HGET', 'k'],
      ['HDEL', 'k'],
      ['SET', 'str', 'x'],
      ['HGET', 'str', 'f'],
      ['HMGET', 'str', 'f'],
      ['HSET', 'str', 'a', 'b'],
      ['HSETNX', 'str', 'a', 'b'],
      ['HDEL', 'str', 'a'],
      ['HLEN', 'str'],
      ['HSTRLEN', 'str', 'a'],
      ['HEXISTS', 'str', 'a'],
      ['HKEYS', 'str'],
      ['HVALS', 'str'],
      ['HGETALL', 'str'],
      ['HINCRBY', 'str', 'a', '1'],
      ['HINCRBYFLOAT', 'str', 'a', '1'],
      ['HRANDFIELD', 'str'],
      ['HRANDFIELD', 'str', '2'],
      ['HSCAN', 'str', '0'],
      ['GET', 'str'],
    ]);
  });

  it('HINCRBY: creation, limits and errors', async () => {
    await same([
      ['HINCRBY', 'k', 'n', '5'],
      ['HINCRBY', 'k', 'n', '-7'],
      ['HINCRBY', 'k', 'n', 'x'],
      ['HINCRBY', 'k', 'n', '1.5'],
      ['HINCRBY', 'k', 'n', '9223372036854775807'],
      ['HSET', 'k', 'big', '9223372036854775806'],
      ['HINCRBY', 'k', 'big', '1'],
      ['HINCRBY', 'k', 'big', '1'],
      ['HINCRBY', 'k', 'big', '-9223372036854775807'],
      ['HSET', 'k', 'neg', '-9223372036854775807'],
      ['HINCRBY', 'k', 'neg', '-1'],
      ['HINCRBY', 'k', 'neg', '-1'],
      ['HSET', 'k', 's', 'abc', 'sp', ' 1', 'z', '007'],
      ['HINCRBY', 'k', 's', '1'],
      ['HINCRBY', 'k', 'sp', '1'],
      ['HINCRBY', 'k', 'z', '1'],
      ['HINCRBY', 'nokey', 'f', 'x'],
      ['HGETALL', 'k'],
    ]);
  });

  it('HINCRBYFLOAT: ordinary values format like long double, errors', async () => {
    await same([
      ['HINCRBYFLOAT', 'k', 'f', '10.5'],
      ['HINCRBYFLOAT', 'k', 'f', '0.1'],
      ['HINCRBYFLOAT', 'k', 'g', '0.1'],
      ['HINCRBYFLOAT', 'k', 'g', '0.2'],
      ['HINCRBYFLOAT', 'k', 'h', '5.0e3'],
      ['HINCRBYFLOAT', 'k', 'h', '-5000'],
      ['HINCRBYFLOAT', 'k', 'i', '1e20'],
      ['HINCRBYFLOAT', 'k', 'i', '1'],
      ['HINCRBYFLOAT', 'k', 'j', '0x10'],
      ['HINCRBYFLOAT', 'k', 'l', '-1.5'],
      ['HINCRBYFLOAT', 'k', 'l', '1.5'],
      ['HINCRBYFLOAT', 'k', 'm', '1.23456789012345678901234'],
      ['HINCRBYFLOAT', 'k', 'n', '.5'],
      ['HINCRBYFLOAT', 'k', 'n', '5.'],
      ['HINCRBYFLOAT', 'k', 'o', '1.1e-5'],
      ['HINCRBYFLOAT', 'k', 'f', 'abc'],
      ['HINCRBYFLOAT', 'k', 'f', ''],
      ['HINCRBYFLOAT', 'k', 'f', ' 1'],
      ['HINCRBYFLOAT', 'k', 'f', '1 '],
      ['HINCRBYFLOAT', 'k', 'f', 'inf'],
      ['HINCRBYFLOAT', 'k', 'f', '-inf'],
      ['HINCRBYFLOAT', 'k', 'f', 'nan'],
      ['HINCRBYFLOAT', 'k', 'f', '1e5000'],
      ['HSET', 'k', 's', 'abc', 'inf', 'inf'],
      ['HINCRBYFLOAT', 'k', 's', '1'],
      ['HINCRBYFLOAT', 'k', 'inf', '1'],
      ['HSET', 'k', 'int', '17179869184'],
      ['HINCRBYFLOAT', 'k', 'int', '1.5'],
      ['HGETALL', 'k'],
    ]);
  });

  it('HRANDFIELD: arguments, errors and the deterministic cases', async () => {
    await same([
      ['HRANDFIELD', 'nokey'],
      ['HRANDFIELD', 'nokey', '5'],
      ['HRANDFIELD', 'nokey', '-5', 'WITHVALUES'],
      ['HSET', 'k', 'a', '1', 'b', '2', 'c', '3'],
      ['HRANDFIELD', 'k', '0'],
      ['HRANDFIELD', 'k', '3'],
      ['HRANDFIELD', 'k', '10', 'WITHVALUES'],
      ['HRANDFIELD', 'k', '10', 'withvalues'],
      ['HRANDFIELD', 'k', '1', 'WITHVALUE'],
      ['HRANDFIELD', 'k', '1', 'WITHVALUES', 'x'],
      ['HRANDFIELD', 'k', 'x'],
      ['HRANDFIELD', 'k', '-9223372036854775808'],
      ['HRANDFIELD', 'k', '9223372036854775807'],
      ['HRANDFIELD', 'k', '4611686018427387904', 'WITHVALUES'],
      ['HRANDFIELD', 'k', '-4611686018427387904', 'WITHVALUES'],
      ['HRANDFIELD', 'k', '4611686018427387903', 'WITHVALUES'],
    ]);
  });

  it('RESP3: HGETALL is a map, HRANDFIELD WITHVALUES nests pairs, nulls are _', async () => {
    await same(
      [
        ['HGETALL', 'nokey'],
        ['HGET', 'nokey', 'f'],
        ['HRANDFIELD', 'nokey'],
        ['HMGET', 'nokey', 'a'],
        ['HSET', 'k', 'a', '1', 'b', '2'],
        ['HGETALL', 'k'],
        ['HRANDFIELD', 'k', '5', 'WITHVALUES'],
        ['HRANDFIELD', 'k', '0', 'WITHVALUES'],
        ['HSCAN', 'k', '0'],
        ['HINCRBYFLOAT', 'k', 'a', '2.5'],
      ],
      3,
    );
  });

  it('HRANDFIELD with repetitions and sampling: same shapes, fields from the hash', async () => {
    for (const resp of ['2', '3']) {
      await pair.both('HELLO', resp);
      await pair.both('HSET', 'rf', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5');
      for (const count of ['-7', '1', '2', '4', '-1']) {
        for (const extra of [[], ['WITHVALUES']]) {
          const [s, r] = await pair.both('HRANDFIELD', 'rf', count, ...extra);
          expect(replyShape(parseReply(s)), `${resp} ${count} ${extra}`).toEqual(replyShape(parseReply(r)));
          const texts = JSON.stringify(parseReply(s)).match(/"text":"[^"]*"/g) ?? [];
          for (const t of texts) expect(['a', 'b', 'c', 'd', 'e', '1', '2', '3', '4', '5']).toContain(JSON.parse(`{${t}}`).text);
        }
      }
      // Distinct picks are distinct.
      const [s] = await pair.both('HRANDFIELD', 'rf', '4');
      const fields = parseReply(s).items!.map((i) => i.text);
      expect(new Set(fields).size).toBe(4);
    }
    await pair.both('HELLO', '2');
  });

  it('HSCAN: small hashes return everything with cursor 0; options and errors', async () => {
    await same([
      ['HSCAN', 'nokey', '0'],
      ['HSCAN', 'nokey', '0', 'COUNT', '0'],
      ['HSCAN', 'nokey', 'abc'],
      ['HSET', 'k', 'a1', '1', 'b1', '2', 'a2', '3'],
      ['HSCAN', 'k', '0'],
      ['HSCAN', 'k', '0', 'MATCH', 'a*'],
      ['HSCAN', 'k', '0', 'match', '*1', 'count', '1'],
      ['HSCAN', 'k', '0', 'MATCH', '*'],
      ['HSCAN', 'k', '0', 'COUNT', '0'],
      ['HSCAN', 'k', '0', 'COUNT', 'x'],
      ['HSCAN', 'k', '0', 'COUNT'],
      ['HSCAN', 'k', '0', 'TYPE', 'hash'],
      ['HSCAN', 'k', 'abc'],
      ['HSCAN', 'k', ''],
      ['HSCAN', 'k', '-1'],
      ['HSCAN', 'k', '18446744073709551615'],
      ['HSCAN', 'k', '18446744073709551616'],
      ['HSCAN', 'k', ' 1'],
    ]);
  });

  it('hashes past hash-max-listpack-value and -entries keep every field (hashtable encoding)', async () => {
    const long = 'x'.repeat(65);
    await same([
      ['HSET', 'k', 'f', long],
      ['HSET', 'k', long, 'v'],
      ['HGET', 'k', 'f'],
      ['HGET', 'k', long],
      ['HSTRLEN', 'k', 'f'],
      ['HLEN', 'k'],
    ]);
    const argv = ['HSET', 'big'];
    for (let i = 0; i < 600; i++) argv.push(`f${i}`, `v${i}`);
    const [s, r] = await pair.both(...argv);
    expect(s).toBe(r);
    for (const cmd of [['HLEN', 'big'], ['HGET', 'big', 'f599'], ['HMGET', 'big', 'f0', 'f300', 'nope']]) {
      const [a, b] = await pair.both(...cmd);
      expect(a).toBe(b);
    }
    for (const cmd of [['HGETALL', 'big'], ['HKEYS', 'big'], ['HVALS', 'big']]) {
      const [a, b] = await pair.both(...cmd);
      expect(sortedReply(parseReply(a))).toEqual(sortedReply(parseReply(b)));
    }
  });

  it('HSCAN over a hashtable: a full iteration returns every field present throughout, despite changes', async () => {
    const c = pair.strata;
    await c.call('HELLO', '2');
    const fill = ['HSET', 'scan'];
    for (let i = 0; i < 1000; i++) fill.push(`keep${i}`, String(i), `drop${i}`, String(i));
    await c.call(...fill);
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const reply = parseReply(await c.call('HSCAN', 'scan', cursor, 'COUNT', '25'));
      cursor = reply.items![0].text!;
      const items = reply.items![1].items!;
      expect(items.length % 2).toBe(0);
      for (let i = 0; i < items.length; i += 2) seen.set(items[i].text!, items[i + 1].text!);
      // Grow and shrink the table while the scan is under way.
      if (calls < 40) await c.call('HSET', 'scan', ...Array.from({ length: 50 }, (_, i) => [`new${calls}_${i}`, 'n']).flat());
      else if (calls < 80) await c.call('HDEL', 'scan', ...Array.from({ length: 50 }, (_, i) => `drop${(calls - 40) * 25 + i}`));
      calls++;
    } while (cursor !== '0');
    for (let i = 0; i < 1000; i++) expect(seen.get(`keep${i}`)).toBe(String(i));
    const matched = parseReply(await c.call('HSCAN', 'scan', '0', 'MATCH', 'keep1*', 'COUNT', '100000'));
    const fields = matched.items![1].items!.filter((_, i) => i % 2 === 0).map((r) => r.text!);
    expect(matched.items![0].text).toBe('0');
    expect(fields.every((f) => f.startsWith('keep1'))).toBe(true);
    expect(fields.length).toBe(111);
  });
});
