/*
 * List commands against redis-server 7.0: the same requests to both servers, the same bytes back.
 * strata has no DEL/FLUSHALL yet here, so every case and every generated run uses fresh keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

let strata: RunningServer;
let redis: RunningServer;
const clients: RawClient[] = [];
let s2: RawClient;
let r2: RawClient;
let s3: RawClient;
let r3: RawClient;

async function pair(resp: 2 | 3): Promise<[RawClient, RawClient]> {
  const s = await RawClient.connect(strata.port);
  const r = await RawClient.connect(redis.port);
  clients.push(s, r);
  if (resp === 3) {
    await s.call('HELLO', '3');
    await r.call('HELLO', '3');
  }
  return [s, r];
}

beforeAll(async () => {
  [strata, redis] = await Promise.all([startServer(), startServer({ redis: true })]);
  [s2, r2] = await pair(2);
  [s3, r3] = await pair(3);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all([strata.stop(), redis.stop()]);
});

let unique = 0;
/** A key prefix no earlier case used. */
function fresh(): string {
  return `k${unique++}:`;
}

/** Sends to both servers (RESP2 and RESP3 connections), expects identical replies, returns strata's RESP2 reply. */
async function same(...argv: string[]): Promise<string> {
  const [a, b, c, d] = await Promise.all([s2.call(...argv), r2.call(...argv), s3.call(...argv), r3.call(...argv)]);
  expect(a, `RESP2 ${JSON.stringify(argv)}`).toBe(b);
  expect(c, `RESP3 ${JSON.stringify(argv)}`).toBe(d);
  return a;
}

/** Runs a script of commands; each line's keys are written as {a} {b} {s} and get a fresh prefix. */
async function script(lines: string[][]): Promise<void> {
  const p2 = fresh();
  const p3 = fresh();
  for (const line of lines) {
    const at = (p: string): string[] => line.map((x) => x.replace(/\{(\w)\}/g, (_, k: string) => p + k));
    const a2 = at(p2);
    const a3 = at(p3);
    const [a, b, c, d] = await Promise.all([s2.call(...a2), r2.call(...a2), s3.call(...a3), r3.call(...a3)]);
    expect(a, `RESP2 ${JSON.stringify(line)}`).toBe(b);
    expect(c, `RESP3 ${JSON.stringify(line)}`).toBe(d);
  }
}

describe('list commands, byte for byte with redis-server', () => {
  it('pushes create the key, X variants only push to existing lists, replies are the new length', async () => {
    await script([
      ['LPUSHX', '{a}', 'x'],
      ['RPUSHX', '{a}', 'x'],
      ['LPUSH', '{a}', '1', '2', '3'],
      ['RPUSH', '{a}', '4', '', '\x00\xff\r\n'],
      ['LPUSHX', '{a}', 'x', 'y'],
      ['RPUSHX', '{a}', 'z'],
      ['LRANGE', '{a}', '0', '-1'],
      ['LLEN', '{a}'],
      ['LLEN', '{b}'],
      ['LPUSH', '{a}'],
    ]);
  });

  it('LPOP/RPOP with and without count, on missing keys, with count 0 and bad counts', async () => {
    await script([
      ['LPOP', '{a}'],
      ['RPOP', '{a}'],
      ['LPOP', '{a}', '2'],
      ['RPOP', '{a}', '0'],
      ['RPUSH', '{a}', 'a', 'b', 'c', 'd', 'e'],
      ['LPOP', '{a}', '0'],
      ['LPOP', '{a}', '-1'],
      ['LPOP', '{a}', 'abc'],
      ['LPOP', '{a}', '1', '2'],
      ['RPOP', '{a}', '1', '2'],
      ['LPOP', '{a}'],
      ['RPOP', '{a}', '2'],
      ['LPOP', '{a}', '10'],
      ['LLEN', '{a}'],
      ['LPOP', '{a}'],
      ['LPOP', '{a}', '1'],
    ]);
  });

  it('WRONGTYPE for every list command against a string key', async () => {
    const lines: string[][] = [
      ['SET', '{s}', 'v'],
      ['LPUSH', '{s}', 'x'],
      ['RPUSH', '{s}', 'x'],
      ['LPUSHX', '{s}', 'x'],
      ['RPUSHX', '{s}', 'x'],
      ['LPOP', '{s}'],
      ['RPOP', '{s}', '2'],
      ['LLEN', '{s}'],
      ['LRANGE', '{s}', '0', '-1'],
      ['LINDEX', '{s}', '0'],
      ['LINDEX', '{s}', 'x'],
      ['LSET', '{s}', '0', 'x'],
      ['LINSERT', '{s}', 'BEFORE', 'a', 'b'],
      ['LREM', '{s}', '0', 'x'],
      ['LTRIM', '{s}', '0', '1'],
      ['LPOS', '{s}', 'x'],
      ['RPOPLPUSH', '{s}', '{a}'],
      ['RPUSH', '{a}', 'x'],
      ['RPOPLPUSH', '{a}', '{s}'],
      ['LMOVE', '{a}', '{s}', 'LEFT', 'RIGHT'],
      ['LMOVE', '{s}', '{a}', 'LEFT', 'RIGHT'],
      ['LMPOP', '2', '{b}', '{s}', 'LEFT'],
      ['BLPOP', '{b}', '{s}', '0'],
      ['BRPOP', '{s}', '0'],
      ['BLMOVE', '{s}', '{a}', 'LEFT', 'LEFT', '0'],
      ['BLMOVE', '{a}', '{s}', 'LEFT', 'LEFT', '0'],
      ['BRPOPLPUSH', '{s}', '{a}', '0'],
      ['BLMPOP', '0', '1', '{s}', 'RIGHT'],
      ['LRANGE', '{a}', '0', '-1'],
    ];
    await script(lines);
  });

  it('LINDEX, LSET and LRANGE with negative and out-of-range indexes', async () => {
    await script([
      ['LINDEX', '{a}', '0'],
      ['LSET', '{a}', '0', 'x'],
      ['LRANGE', '{a}', '0', '-1'],
      ['LRANGE', '{a}', 'x', '1'],
      ['RPUSH', '{a}', 'a', 'b', 'c', 'd'],
      ['LINDEX', '{a}', '-1'],
      ['LINDEX', '{a}', '-5'],
      ['LINDEX', '{a}', '4'],
      ['LINDEX', '{a}', '1.5'],
      ['LSET', '{a}', '-1', 'D'],
      ['LSET', '{a}', '4', 'x'],
      ['LSET', '{a}', 'x', 'x'],
      ['LRANGE', '{a}', '-100', '100'],
      ['LRANGE', '{a}', '2', '1'],
      ['LRANGE', '{a}', '-2', '-1'],
      ['LRANGE', '{a}', '5', '10'],
      ['LRANGE', '{a}', '0', '9223372036854775807'],
      ['LRANGE', '{a}', '-9223372036854775808', '1'],
      ['LRANGE', '{a}', '0', '9223372036854775808'],
    ]);
  });

  it('LINSERT before/after a pivot, missing pivot, syntax error first', async () => {
    await script([
      ['LINSERT', '{a}', 'BEFORE', 'x', 'y'],
      ['LINSERT', '{a}', 'middle', 'x', 'y'],
      ['RPUSH', '{a}', 'a', 'b', 'c', 'b'],
      ['LINSERT', '{a}', 'before', 'b', '1'],
      ['LINSERT', '{a}', 'AFTER', 'b', '2'],
      ['LINSERT', '{a}', 'AFTER', 'c', 'end'],
      ['LINSERT', '{a}', 'before', 'a', 'start'],
      ['LINSERT', '{a}', 'before', 'zz', 'q'],
      ['LINSERT', '{b}', 'sideways', 'zz', 'q'],
      ['LRANGE', '{a}', '0', '-1'],
    ]);
  });

  it('LREM from the head, from the tail, all; emptying deletes the key', async () => {
    await script([
      ['LREM', '{a}', '0', 'x'],
      ['LREM', '{a}', 'x', 'x'],
      ['RPUSH', '{a}', 'x', 'a', 'x', 'b', 'x', 'c', 'x'],
      ['LREM', '{a}', '2', 'x'],
      ['LRANGE', '{a}', '0', '-1'],
      ['LREM', '{a}', '-1', 'x'],
      ['LRANGE', '{a}', '0', '-1'],
      ['LREM', '{a}', '0', 'nothere'],
      ['LREM', '{a}', '0', 'a'],
      ['LREM', '{a}', '-10', 'b'],
      ['LREM', '{a}', '0', 'x'],
      ['LREM', '{a}', '1', 'c'],
      ['LLEN', '{a}'],
      ['RPUSH', '{a}', 'new'],
      ['LRANGE', '{a}', '0', '-1'],
    ]);
  });

  it('LTRIM keeps a range, an empty range deletes the key', async () => {
    await script([
      ['LTRIM', '{a}', '0', '1'],
      ['LTRIM', '{a}', 'a', '1'],
      ['RPUSH', '{a}', '1', '2', '3', '4', '5', '6'],
      ['LTRIM', '{a}', '1', '-2'],
      ['LRANGE', '{a}', '0', '-1'],
      ['LTRIM', '{a}', '-100', '100'],
      ['LRANGE', '{a}', '0', '-1'],
      ['LTRIM', '{a}', '2', '1'],
      ['LLEN', '{a}'],
      ['RPUSH', '{b}', 'x'],
      ['LTRIM', '{b}', '5', '10'],
      ['LLEN', '{b}'],
    ]);
  });

  it('LPOS with RANK, COUNT and MAXLEN, and their errors', async () => {
    await script([
      ['LPOS', '{a}', 'x'],
      ['LPOS', '{a}', 'x', 'COUNT', '0'],
      ['LPOS', '{a}', 'x', 'RANK', '0'],
      ['RPUSH', '{a}', 'a', 'b', 'c', 'b', 'd', 'b', 'e'],
      ['LPOS', '{a}', 'b'],
      ['LPOS', '{a}', 'b', 'RANK', '2'],
      ['LPOS', '{a}', 'b', 'RANK', '-1'],
      ['LPOS', '{a}', 'b', 'RANK', '-2', 'COUNT', '2'],
      ['LPOS', '{a}', 'b', 'COUNT', '0'],
      ['LPOS', '{a}', 'b', 'COUNT', '2', 'RANK', '2'],
      ['LPOS', '{a}', 'b', 'COUNT', '0', 'MAXLEN', '4'],
      ['LPOS', '{a}', 'b', 'RANK', '-1', 'MAXLEN', '1'],
      ['LPOS', '{a}', 'b', 'RANK', '4'],
      ['LPOS', '{a}', 'b', 'RANK', '4', 'COUNT', '1'],
      ['LPOS', '{a}', 'zz', 'COUNT', '1'],
      ['LPOS', '{a}', 'b', 'RANK', '0'],
      ['LPOS', '{a}', 'b', 'RANK', 'x'],
      ['LPOS', '{a}', 'b', 'COUNT', '-1'],
      ['LPOS', '{a}', 'b', 'COUNT', 'x'],
      ['LPOS', '{a}', 'b', 'MAXLEN', '-1'],
      ['LPOS', '{a}', 'b', 'MAXLEN'],
      ['LPOS', '{a}', 'b', 'FOO', '1'],
      ['LPOS', '{a}', 'b', 'RANK', '-9223372036854775808'],
      ['LPOS', '{a}', 'b', 'RANK', '-9223372036854775808', 'COUNT', '1'],
      ['LPOS', '{a}', 'b', 'RANK', '-9223372036854775807', 'COUNT', '1'],
      ['LPOS', '{a}', 'b', 'RANK', '9223372036854775807'],
    ]);
  });

  it('RPOPLPUSH and LMOVE between lists, onto themselves, and into new keys', async () => {
    await script([
      ['RPOPLPUSH', '{a}', '{b}'],
      ['LMOVE', '{a}', '{b}', 'LEFT', 'RIGHT'],
      ['LMOVE', '{a}', '{b}', 'UP', 'RIGHT'],
      ['LMOVE', '{a}', '{b}', 'LEFT', 'DOWN'],
      ['RPUSH', '{a}', '1', '2', '3'],
      ['RPOPLPUSH', '{a}', '{b}'],
      ['LMOVE', '{a}', '{b}', 'left', 'right'],
      ['LMOVE', '{b}', '{b}', 'LEFT', 'RIGHT'],
      ['LRANGE', '{b}', '0', '-1'],
      ['LMOVE', '{a}', '{a}', 'RIGHT', 'LEFT'],
      ['LMOVE', '{a}', '{c}', 'RIGHT', 'LEFT'],
      ['LLEN', '{a}'],
      ['LRANGE', '{c}', '0', '-1'],
    ]);
  });

  it('LMPOP picks the first non-empty key, with COUNT, and checks its arguments', async () => {
    await script([
      ['LMPOP', '2', '{a}', '{b}', 'LEFT'],
      ['RPUSH', '{b}', '1', '2', '3'],
      ['LMPOP', '2', '{a}', '{b}', 'LEFT'],
      ['LMPOP', '2', '{a}', '{b}', 'RIGHT', 'COUNT', '10'],
      ['LMPOP', '0', '{a}', 'LEFT'],
      ['LMPOP', 'x', '{a}', 'LEFT'],
      ['LMPOP', '2', '{a}', 'LEFT'],
      ['LMPOP', '1', '{a}', 'MIDDLE'],
      ['LMPOP', '1', '{a}', 'LEFT', 'COUNT'],
      ['LMPOP', '1', '{a}', 'LEFT', 'COUNT', '0'],
      ['LMPOP', '1', '{a}', 'LEFT', 'COUNT', '1', 'COUNT', '1'],
      ['LMPOP', '1', '{a}', 'LEFT', 'FOO'],
      ['LMPOP', '1', '{a}'],
      ['LMPOP', '99999999999', '{a}', 'LEFT'],
    ]);
  });

  it('blocking commands answer at once when data is there, and check timeouts and arguments', async () => {
    await script([
      ['RPUSH', '{a}', '1', '2', '3', '4', '5', '6'],
      ['BLPOP', '{b}', '{a}', '0'],
      ['BRPOP', '{a}', '{b}', '0'],
      ['BLMPOP', '0', '2', '{b}', '{a}', 'RIGHT', 'COUNT', '2'],
      ['BLMOVE', '{a}', '{c}', 'LEFT', 'RIGHT', '0'],
      ['BRPOPLPUSH', '{c}', '{a}', '1.5'],
      ['BLPOP', '{a}', 'x'],
      ['BLPOP', '{a}', '-1'],
      ['BLPOP', '{a}', 'inf'],
      ['BLPOP', '{a}', '1e400'],
      ['BLPOP', '{a}', '1e5000'],
      ['BLPOP', '{a}', 'nan'],
      ['BLPOP', '{a}', ' 1'],
      ['BLPOP', '{a}', ''],
      ['BLMOVE', '{a}', '{c}', 'LEFT', 'UP', 'x'],
      ['BLMOVE', '{a}', '{c}', 'LEFT', 'LEFT', 'x'],
      ['BLMPOP', 'x', '0', '{a}', 'LEFT'],
      ['BLMPOP', 'x', '1', '{a}', 'LEFT'],
      ['BLMPOP', '0', '1', '{a}', 'LEFT', 'COUNT', '0'],
      ['BLMPOP', '0', '1', '{a}'],
      ['BRPOPLPUSH', '{a}', '{c}', '-0.5'],
      ['LRANGE', '{a}', '0', '-1'],
      ['LRANGE', '{c}', '0', '-1'],
    ]);
  });

  it('blocking commands on empty keys inside MULTI answer like their non-blocking forms', async () => {
    await script([
      ['MULTI'],
      ['BLPOP', '{a}', '0'],
      ['BRPOP', '{a}', '{b}', '0'],
      ['BLMPOP', '0', '1', '{a}', 'LEFT'],
      ['BLMOVE', '{a}', '{b}', 'LEFT', 'LEFT', '0'],
      ['BRPOPLPUSH', '{a}', '{b}', '0'],
      ['RPUSH', '{a}', 'x', 'y'],
      ['BLPOP', '{a}', '0'],
      ['BLMOVE', '{a}', '{b}', 'LEFT', 'LEFT', '0'],
      ['EXEC'],
      ['LRANGE', '{b}', '0', '-1'],
    ]);
  });

  it('arity and syntax errors, and COMMAND INFO rows, match', async () => {
    for (const argv of [['LPUSH', 'x'], ['LLEN'], ['LRANGE', 'x', '0'], ['LINSERT', 'x', 'BEFORE', 'a'], ['BLPOP', 'x'], ['BLMOVE', 'a', 'b', 'LEFT', 'LEFT'], ['LMPOP', '1', 'a'], ['BLMPOP', '0', '1', 'a'], ['RPOPLPUSH', 'a']]) {
      await same(...argv);
    }
  });
});

describe('generated sequences of list commands, byte for byte with redis-server', () => {
  const keys = ['{a}', '{b}', '{c}', '{s}'];
  const key = fc.constantFrom(...keys);
  const element = fc.constantFrom('a', 'b', 'c', '', '1', '-1', '\x00\xff', 'a'.repeat(70));
  const index = fc.oneof(fc.integer({ min: -8, max: 8 }).map(String), fc.constantFrom('x', '9223372036854775807', '-9223372036854775808'));
  const end = fc.constantFrom('LEFT', 'RIGHT', 'left', 'MIDDLE');
  const count = fc.oneof(fc.integer({ min: -1, max: 6 }).map(String), fc.constant('x'));
  const command: fc.Arbitrary<string[]> = fc.oneof(
    fc.tuple(fc.constantFrom('LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX'), key, fc.array(element, { minLength: 1, maxLength: 5 })).map(([c, k, es]) => [c, k, ...es]),
    fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key, fc.option(count, { nil: undefined })).map(([c, k, n]) => (n === undefined ? [c, k] : [c, k, n])),
    key.map((k) => ['LLEN', k]),
    fc.tuple(key, index, index).map(([k, a, b]) => ['LRANGE', k, a, b]),
    fc.tuple(key, index).map(([k, i]) => ['LINDEX', k, i]),
    fc.tuple(key, index, element).map(([k, i, e]) => ['LSET', k, i, e]),
    fc.tuple(key, fc.constantFrom('BEFORE', 'after', 'x'), element, element).map(([k, w, p, e]) => ['LINSERT', k, w, p, e]),
    fc.tuple(key, index, element).map(([k, n, e]) => ['LREM', k, n, e]),
    fc.tuple(key, index, index).map(([k, a, b]) => ['LTRIM', k, a, b]),
    fc
      .tuple(key, element, fc.array(fc.tuple(fc.constantFrom('RANK', 'COUNT', 'MAXLEN'), index), { maxLength: 2 }))
      .map(([k, e, opts]) => ['LPOS', k, e, ...opts.flat()]),
    fc.tuple(key, key).map(([a, b]) => ['RPOPLPUSH', a, b]),
    fc.tuple(key, key, end, end).map(([a, b, f, t]) => ['LMOVE', a, b, f, t]),
    fc.tuple(fc.array(key, { minLength: 1, maxLength: 3 }), end, fc.option(count, { nil: undefined })).map(([ks, w, n]) => ['LMPOP', String(ks.length), ...ks, w, ...(n === undefined ? [] : ['COUNT', n])]),
    fc.tuple(key, fc.constantFrom('x', 'y')).map(([k, v]) => ['SET', k, v]),
    // Blocking forms only where they cannot block: on lists that have data, or failing.
    fc.tuple(fc.constantFrom('BLPOP', 'BRPOP'), key).map(([c, k]) => [c, k, '0']),
    fc.tuple(key, key, end, end).map(([a, b, f, t]) => ['BLMOVE', a, b, f, t, '0']),
  );
  const blocking = new Set(['BLPOP', 'BRPOP', 'BLMOVE']);

  it('RESP2 and RESP3 replies are identical', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 30 }), async (cmds) => {
        const p2 = fresh();
        const p3 = fresh();
        for (const cmd of cmds) {
          const name = cmd[0];
          const at = (p: string): string[] => cmd.map((x) => x.replace(/\{(\w)\}/g, (_, k: string) => p + k));
          const a2 = at(p2);
          const a3 = at(p3);
          if (blocking.has(name)) {
            // Would it block? Ask redis first (LLEN of the source), skip the command if so.
            const len = await r2.call('LLEN', a2[1]);
            if (len === ':0\r\n') continue;
          }
          const [a, b, c, d] = await Promise.all([s2.call(...a2), r2.call(...a2), s3.call(...a3), r3.call(...a3)]);
          expect(a, `RESP2 ${JSON.stringify(cmd)}`).toBe(b);
          expect(c, `RESP3 ${JSON.stringify(cmd)}`).toBe(d);
        }
        for (const k of keys) {
          await same('LRANGE', p2 + k[1], '0', '-1');
        }
      }),
      { numRuns: 60 },
    );
  });
});
