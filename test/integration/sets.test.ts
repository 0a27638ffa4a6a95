import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, parseReply, sortedReply, replyShape, type Pair } from '../helpers/differential.js';

/**
 * Set commands, reply for reply against redis-server 7.0. Replies of intsets are ordered (ascending)
 * in both servers and compared byte for byte; hashtable-encoded results are compared sorted.
 */

let pair: Pair;
let prefix = 0;

beforeAll(async () => {
  pair = await startPair();
});

afterAll(async () => {
  await pair.stop();
});

const KEYS = new Set(['s', 's2', 's3', 'd', 'str', 'nokey']);

/** Runs the script on both servers with per-run key names; `sorted` commands compare unordered. */
async function same(script: string[][], resp: 2 | 3 = 2, sorted: string[] = []): Promise<void> {
  const p = `s${prefix++}:`;
  await pair.both('HELLO', String(resp));
  for (const argv of script) {
    const sent = [argv[0], ...argv.slice(1).map((a) => (KEYS.has(a) ? p + a : a))];
    const [s, r] = await pair.both(...sent);
    if (sorted.includes(argv[0].toUpperCase())) expect(sortedReply(parseReply(s)), sent.join(' ')).toEqual(sortedReply(parseReply(r)));
    else expect(s, sent.join(' ')).toBe(r);
  }
}

describe('set commands match redis-server byte for byte', () => {
  it('SADD / SREM / SISMEMBER / SMISMEMBER / SCARD / SMEMBERS on intsets', async () => {
    await same([
      ['SADD', 's', '3', '1', '2', '-5', '9223372036854775807', '-9223372036854775808'],
      ['SADD', 's', '2', '3'],
      ['SMEMBERS', 's'],
      ['SISMEMBER', 's', '2'],
      ['SISMEMBER', 's', '02'],
      ['SISMEMBER', 's', 'x'],
      ['SISMEMBER', 'nokey', 'x'],
      ['SMISMEMBER', 's', '1', 'x', '-5'],
      ['SMISMEMBER', 'nokey', '1', '2'],
      ['SCARD', 's'],
      ['SCARD', 'nokey'],
      ['SREM', 's', '1', 'x', '1'],
      ['SREM', 'nokey', '1'],
      ['SMEMBERS', 's'],
      ['SREM', 's', '2', '3', '-5', '9223372036854775807', '-9223372036854775808', '7'],
      ['SCARD', 's'],
      ['SMEMBERS', 's'],
      ['SMEMBERS', 'nokey'],
    ]);
  });

  it('members that are not canonical integers make a hashtable set; all members stay', async () => {
    await same(
      [
        ['SADD', 's', '1', '2'],
        ['SADD', 's', 'a', '007', '-0', '1.0', '9223372036854775808'],
        ['SCARD', 's'],
        ['SMEMBERS', 's'],
        ['SISMEMBER', 's', '007'],
        ['SISMEMBER', 's', '7'],
        ['SREM', 's', 'a', '1'],
        ['SMEMBERS', 's'],
      ],
      2,
      ['SMEMBERS'],
    );
  });

  it('errors and WRONGTYPE', async () => {
    await same([
      ['SADD', 's'],
      ['SREM', 's'],
      ['SET', 'str', 'x'],
      ['SADD', 'str', 'a'],
      ['SREM', 'str', 'a'],
      ['SISMEMBER', 'str', 'a'],
      ['SMISMEMBER', 'str', 'a'],
      ['SCARD', 'str'],
      ['SMEMBERS', 'str'],
      ['SPOP', 'str'],
      ['SPOP', 'str', '2'],
      ['SRANDMEMBER', 'str'],
      ['SRANDMEMBER', 'str', '2'],
      ['SSCAN', 'str', '0'],
      ['SINTER', 's', 'str'],
      ['SINTER', 'nokey', 'str'],
      ['SUNION', 'nokey', 'str'],
      ['SDIFF', 'nokey', 'str'],
      ['SINTERSTORE', 'd', 'str'],
      ['SINTERCARD', '1', 'str'],
    ]);
  });

  it('SPOP and SRANDMEMBER: arguments, errors, missing keys, whole-set cases', async () => {
    await same([
      ['SPOP', 'nokey'],
      ['SPOP', 'nokey', '3'],
      ['SPOP', 'nokey', '0'],
      ['SPOP', 's', '-1'],
      ['SPOP', 's', 'x'],
      ['SPOP', 's', '1', '2'],
      ['SRANDMEMBER', 'nokey'],
      ['SRANDMEMBER', 'nokey', '5'],
      ['SRANDMEMBER', 'nokey', '-5'],
      ['SRANDMEMBER', 's', 'x'],
      ['SRANDMEMBER', 's', '1', '2'],
      ['SRANDMEMBER', 's', '-9223372036854775808'],
      ['SADD', 's', '5', '1', '3'],
      ['SRANDMEMBER', 's', '0'],
      ['SRANDMEMBER', 's', '3'],
      ['SRANDMEMBER', 's', '100'],
      ['SPOP', 's', '0'],
      ['SPOP', 's', '3'],
      ['SCARD', 's'],
      ['SADD', 's', '7'],
      ['SPOP', 's'],
      ['SCARD', 's'],
    ]);
  });

  it('SPOP and SRANDMEMBER with counts: same shapes, members from the set, pops remove', async () => {
    for (const resp of ['2', '3']) {
      await pair.both('HELLO', resp);
      const members = Array.from({ length: 20 }, (_, i) => `m${i}`);
      for (const [count, distinct] of [['-30', false], ['5', true], ['15', true], ['1', true]] as const) {
        await pair.both('SADD', 'rs', ...members);
        const [s, r] = await pair.both('SRANDMEMBER', 'rs', count);
        expect(replyShape(parseReply(s))).toEqual(replyShape(parseReply(r)));
        const got = parseReply(s).items!.map((i) => i.text!);
        for (const m of got) expect(members).toContain(m);
        if (distinct) expect(new Set(got).size).toBe(got.length);
      }
      for (const count of ['3', '17']) {
        const [s, r] = await pair.both('SPOP', 'rs', count);
        expect(replyShape(parseReply(s))).toEqual(replyShape(parseReply(r)));
        const popped = parseReply(s).items!.map((i) => i.text!);
        expect(new Set(popped).size).toBe(Number(count));
        const [card] = await pair.both('SCARD', 'rs');
        expect(card).toBe(`:${20 - Number(count)}\r\n`);
        for (const m of popped) expect(await pair.strata.call('SISMEMBER', 'rs', m)).toBe(':0\r\n');
        await pair.both('SADD', 'rs', ...members);
      }
    }
    await pair.both('HELLO', '2');
  });

  it('SMOVE: every path', async () => {
    await same([
      ['SET', 'str', 'x'],
      ['SMOVE', 'nokey', 'str', 'm'],
      ['SMOVE', 'str', 's', 'm'],
      ['SADD', 's', '1', '2'],
      ['SMOVE', 's', 'str', '1'],
      ['SMOVE', 's', 's', '1'],
      ['SMOVE', 's', 's', '9'],
      ['SMOVE', 's', 's2', '9'],
      ['SMOVE', 's', 's2', '1'],
      ['SMEMBERS', 's'],
      ['SMEMBERS', 's2'],
      ['SADD', 's3', '2'],
      ['SMOVE', 's', 's3', '2'],
      ['SCARD', 's'],
      ['SMEMBERS', 's3'],
      ['SMOVE', 's3', 's2', '2'],
      ['SMEMBERS', 's2'],
    ]);
  });

  it('SINTER / SUNION / SDIFF and their STORE forms on intsets (ordered replies)', async () => {
    await same([
      ['SADD', 's', '1', '2', '3', '4', '5'],
      ['SADD', 's2', '4', '5', '6'],
      ['SADD', 's3', '5', '7'],
      ['SINTER', 's', 's2'],
      ['SINTER', 's', 's2', 's3'],
      ['SINTER', 's', 'nokey'],
      ['SINTER', 's', 's'],
      ['SUNION', 's', 's2', 'nokey', 's3'],
      ['SUNION', 'nokey'],
      ['SDIFF', 's', 's2'],
      ['SDIFF', 's', 's2', 's3'],
      ['SDIFF', 's', 's2', 's'],
      ['SDIFF', 'nokey', 's'],
      ['SDIFF', 's', 'nokey'],
      ['SINTERSTORE', 'd', 's', 's2'],
      ['SMEMBERS', 'd'],
      ['SUNIONSTORE', 'd', 's2', 's3'],
      ['SMEMBERS', 'd'],
      ['SDIFFSTORE', 'd', 's', 's2'],
      ['SMEMBERS', 'd'],
      ['SINTERSTORE', 'd', 's', 'nokey'],
      ['SCARD', 'd'],
      ['SINTERSTORE', 'd', 's', 'nokey'],
      ['SET', 'str', 'x'],
      ['SUNIONSTORE', 'str', 's3'],
      ['SMEMBERS', 'str'],
      ['SDIFFSTORE', 'str', 's3', 's3'],
      ['SCARD', 'str'],
      ['SINTERCARD', '2', 's', 's2'],
      ['SINTERCARD', '3', 's', 's2', 's3'],
      ['SINTERCARD', '2', 's', 'nokey'],
      ['SINTERCARD', '1', 's', 'LIMIT', '2'],
      ['SINTERCARD', '1', 's', 'LIMIT', '0'],
      ['SINTERCARD', '1', 's', 'limit', '100'],
      ['SINTERCARD', '0', 's'],
      ['SINTERCARD', 'x', 's'],
      ['SINTERCARD', '3', 's', 's2'],
      ['SINTERCARD', '1', 's', 'LIMIT', '-1'],
      ['SINTERCARD', '1', 's', 'LIMIT', 'x'],
      ['SINTERCARD', '1', 's', 'LIMIT'],
      ['SINTERCARD', '1', 's', 'FOO', '1'],
      ['SINTERCARD', '2', 's'],
    ]);
  });

  it('set algebra with strings (unordered replies compared sorted)', async () => {
    await same(
      [
        ['SADD', 's', 'a', 'b', 'c', '1'],
        ['SADD', 's2', 'b', 'c', 'd', '1'],
        ['SINTER', 's', 's2'],
        ['SUNION', 's', 's2'],
        ['SDIFF', 's', 's2'],
        ['SDIFF', 's2', 's'],
        ['SINTERSTORE', 'd', 's', 's2'],
        ['SMEMBERS', 'd'],
        ['SUNIONSTORE', 'd', 's', 's2'],
        ['SCARD', 'd'],
        ['SINTERCARD', '2', 's', 's2', 'LIMIT', '1'],
      ],
      2,
      ['SINTER', 'SUNION', 'SDIFF', 'SMEMBERS'],
    );
  });

  it('RESP3: SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count reply sets', async () => {
    await same(
      [
        ['SMEMBERS', 'nokey'],
        ['SINTER', 'nokey', 's'],
        ['SUNION', 'nokey'],
        ['SDIFF', 'nokey'],
        ['SPOP', 'nokey', '2'],
        ['SPOP', 'nokey'],
        ['SRANDMEMBER', 'nokey'],
        ['SRANDMEMBER', 'nokey', '2'],
        ['SADD', 's', '3', '1', '2'],
        ['SADD', 's2', '2', '3'],
        ['SMEMBERS', 's'],
        ['SINTER', 's', 's2'],
        ['SUNION', 's', 's2'],
        ['SDIFF', 's', 's2'],
        ['SMISMEMBER', 's', '1', '9'],
        ['SRANDMEMBER', 's', '5'],
        ['SSCAN', 's', '0'],
        ['SPOP', 's', '5'],
      ],
      3,
    );
  });

  it('SSCAN: intsets return everything with cursor 0; options and errors', async () => {
    await same([
      ['SSCAN', 'nokey', '0'],
      ['SADD', 's', '10', '1', '11', '2'],
      ['SSCAN', 's', '0'],
      ['SSCAN', 's', '0', 'MATCH', '1*'],
      ['SSCAN', 's', '0', 'COUNT', '1'],
      ['SSCAN', 's', '0', 'COUNT', '0'],
      ['SSCAN', 's', '0', 'MATCH'],
      ['SSCAN', 's', 'x'],
    ]);
  });

  it('a set past set-max-intset-entries keeps all its members', async () => {
    const members = Array.from({ length: 600 }, (_, i) => String(i * 7));
    const [a, b] = await pair.both('SADD', 'many', ...members);
    expect(a).toBe(b);
    for (const cmd of [['SCARD', 'many'], ['SISMEMBER', 'many', '4193'], ['SISMEMBER', 'many', '4194']]) {
      const [s, r] = await pair.both(...cmd);
      expect(s).toBe(r);
    }
    const [s, r] = await pair.both('SMEMBERS', 'many');
    expect(sortedReply(parseReply(s))).toEqual(sortedReply(parseReply(r)));
  });

  it('SSCAN over a hashtable: a full iteration returns every member present throughout, despite changes', async () => {
    const c = pair.strata;
    await c.call('HELLO', '2');
    await c.call('SADD', 'scan', ...Array.from({ length: 2000 }, (_, i) => `m${i}`));
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const reply = parseReply(await c.call('SSCAN', 'scan', cursor, 'COUNT', '30'));
      cursor = reply.items![0].text!;
      for (const m of reply.items![1].items!) seen.add(m.text!);
      if (calls < 30) await c.call('SADD', 'scan', ...Array.from({ length: 60 }, (_, i) => `n${calls}_${i}`));
      else if (calls < 60) await c.call('SREM', 'scan', ...Array.from({ length: 60 }, (_, i) => `m${1000 + (calls - 30) * 30 + i}`));
      calls++;
    } while (cursor !== '0');
    for (let i = 0; i < 1000; i++) expect(seen.has(`m${i}`)).toBe(true);
  });
});
