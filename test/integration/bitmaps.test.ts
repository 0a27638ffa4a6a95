/*
 * Bitmap commands against redis-server 7.0.15: the same requests to both, replies compared byte
 * for byte (every error included), generated SETBIT / BITFIELD / BITOP sequences leaving the same
 * bytes (GET), and the effects (replayed commands, keyspace events) of the writes.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startPair, type Pair } from '../helpers/differential.js';
import { inProcess } from '../helpers/inprocess.js';

let pair: Pair;
let run = 0;

beforeAll(async () => {
  pair = await startPair();
});

afterAll(async () => {
  await pair.stop();
});

/** Sends each request to both servers and expects the same raw reply. */
describe('bitmap commands reply as redis-server does', () => {
  it('SETBIT and GETBIT, including growth, integers as strings, and bad offsets and bits', async () => {
    await pair.expectSame([
      ['SETBIT', 'sb', '7', '1'],
      ['SETBIT', 'sb', '100', '1'],
      ['SETBIT', 'sb', '100', '1'],
      ['SETBIT', 'sb', '3', '0'],
      ['GET', 'sb'],
      ['GETBIT', 'sb', '100'],
      ['GETBIT', 'sb', '101'],
      ['GETBIT', 'sb', '99999'],
      ['GETBIT', 'missing', '0'],
      ['SET', 'num', '12'],
      ['SETBIT', 'num', '6', '0'],
      ['GET', 'num'],
      ['GETBIT', 'num', '2'],
      ['SETBIT', 'sb', '-1', '1'],
      ['SETBIT', 'sb', '4294967296', '1'],
      ['SETBIT', 'sb', 'x', '1'],
      ['SETBIT', 'sb', '#1', '1'],
      ['SETBIT', 'sb', '1', '2'],
      ['SETBIT', 'sb', '1', '-1'],
      ['SETBIT', 'sb', '1', 'x'],
      ['GETBIT', 'sb', '-1'],
      ['ZADD', 'zs', '1', 'a'],
      ['SETBIT', 'zs', '1', '1'],
      ['GETBIT', 'zs', '1'],
    ]);
  });

  it('BITCOUNT with BYTE and BIT ranges, negative indexes and bad arguments', async () => {
    await pair.expectSame([
      ['SET', 'bc', 'foobar\xff\x01'],
      ['BITCOUNT', 'bc'],
      ['BITCOUNT', 'bc', '0', '0'],
      ['BITCOUNT', 'bc', '1', '1'],
      ['BITCOUNT', 'bc', '1', '-2', 'BYTE'],
      ['BITCOUNT', 'bc', '5', '30', 'BIT'],
      ['BITCOUNT', 'bc', '5', '30', 'bit'],
      ['BITCOUNT', 'bc', '-3', '-1', 'BIT'],
      ['BITCOUNT', 'bc', '-100', '100'],
      ['BITCOUNT', 'bc', '7', '3'],
      ['BITCOUNT', 'bc', '-1', '-5', 'BOGUS'],
      ['BITCOUNT', 'bc', '0', '1', 'BOGUS'],
      ['BITCOUNT', 'bc', '0'],
      ['BITCOUNT', 'bc', '0', '1', 'BIT', 'x'],
      ['BITCOUNT', 'bc', 'x', '1'],
      ['BITCOUNT', 'missing', 'x'],
      ['SET', 'empty', ''],
      ['BITCOUNT', 'empty'],
      ['BITCOUNT', 'empty', '0', '-1', 'BIT'],
      ['SET', 'n', '-12345'],
      ['BITCOUNT', 'n', '1', '2'],
      ['ZADD', 'zs2', '1', 'a'],
      ['BITCOUNT', 'zs2'],
    ]);
  });

  it('BITPOS finds set and clear bits, with and without an end, and answers -1 as Redis does', async () => {
    await pair.expectSame([
      ['SET', 'bp', '\x00\xff\xf0'],
      ['BITPOS', 'bp', '1'],
      ['BITPOS', 'bp', '0'],
      ['BITPOS', 'bp', '1', '2'],
      ['BITPOS', 'bp', '1', '2', '-1'],
      ['BITPOS', 'bp', '0', '1', '1'],
      ['BITPOS', 'bp', '0', '1'],
      ['BITPOS', 'bp', '1', '7', '15', 'BIT'],
      ['BITPOS', 'bp', '0', '8', '15', 'BIT'],
      ['BITPOS', 'bp', '0', '8', '-1', 'bit'],
      ['BITPOS', 'bp', '1', '9', '11', 'BIT'],
      ['BITPOS', 'bp', '0', '100'],
      ['BITPOS', 'bp', '0', '2', '1'],
      ['SET', 'ones', '\xff\xff'],
      ['BITPOS', 'ones', '0'],
      ['BITPOS', 'ones', '0', '0'],
      ['BITPOS', 'ones', '0', '0', '-1'],
      ['BITPOS', 'ones', '0', '3', 'BIT'],
      ['BITPOS', 'ones', '0', '3', '12', 'BIT'],
      ['BITPOS', 'missing', '0'],
      ['BITPOS', 'missing', '1'],
      ['BITPOS', 'missing', '1', 'x'],
      ['BITPOS', 'bp', '2'],
      ['BITPOS', 'bp', 'x'],
      ['BITPOS', 'bp', '1', 'x'],
      ['BITPOS', 'bp', '1', '0', 'x'],
      ['BITPOS', 'bp', '1', '0', '1', 'BOGUS'],
      ['BITPOS', 'bp', '1', '0', '1', 'BIT', 'x'],
      ['SET', 'empty', ''],
      ['BITPOS', 'empty', '0'],
      ['BITPOS', 'empty', '1'],
    ]);
  });

  it('BITOP AND OR XOR NOT over keys of different lengths, and an empty result deletes the destination', async () => {
    await pair.expectSame([
      ['SET', 'o1', '\x0f\xf0abc'],
      ['SET', 'o2', '\xff'],
      ['BITOP', 'AND', 'dest', 'o1', 'o2', 'missing'],
      ['GET', 'dest'],
      ['BITOP', 'or', 'dest', 'o1', 'o2'],
      ['GET', 'dest'],
      ['BITOP', 'XOR', 'dest', 'o1', 'o2', 'o1'],
      ['GET', 'dest'],
      ['BITOP', 'NOT', 'dest', 'o1'],
      ['GET', 'dest'],
      ['EXPIRE', 'dest', '100'],
      ['BITOP', 'AND', 'dest', 'o1'],
      ['TTL', 'dest'],
      ['BITOP', 'OR', 'dest', 'missing', 'missing2'],
      ['EXISTS', 'dest'],
      ['BITOP', 'NOT', 'dest', 'o1', 'o2'],
      ['BITOP', 'NAND', 'dest', 'o1'],
      ['ZADD', 'zs3', '1', 'a'],
      ['BITOP', 'AND', 'dest', 'o1', 'zs3'],
      ['BITOP', 'AND', 'zs3', 'o1'],
      ['TYPE', 'zs3'],
    ]);
  });

  it('BITFIELD and BITFIELD_RO: types, # offsets, overflow policies and every error', async () => {
    await pair.expectSame([
      ['BITFIELD', 'bf', 'SET', 'i8', '0', '-100', 'GET', 'u4', '0', 'INCRBY', 'i5', '3', '100', 'OVERFLOW', 'SAT', 'INCRBY', 'u3', '#5', '100'],
      ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '64', '-9223372036854775808', 'INCRBY', 'i64', '64', '-1'],
      ['BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-1', 'GET', 'u8', '0', 'OVERFLOW', 'WRAP', 'SET', 'u8', '0', '-1', 'SET', 'i8', '0', '200'],
      ['BITFIELD', 'bf', 'GET', 'u63', '1', 'GET', 'i64', '3', 'get', 'i1', '#7'],
      // Redis's int64 wrap-around in its overflow check: far below the type saturates upwards.
      ['BITFIELD', 'sat', 'OVERFLOW', 'SAT', 'SET', 'i1', '#0', '-9223372036854775808', 'SET', 'i8', '8', '-9223372036854775808', 'GET', 'i8', '8'],
      ['BITFIELD', 'sat', 'OVERFLOW', 'SAT', 'SET', 'i8', '8', '9223372036854775807', 'INCRBY', 'i8', '8', '-9223372036854775808', 'SET', 'u8', '0', '-5'],
      ['GET', 'sat'],
      ['GET', 'bf'],
      ['BITFIELD', 'bf'],
      ['BITFIELD_RO', 'bf', 'GET', 'i8', '0', 'GET', 'u2', '#100000'],
      ['BITFIELD_RO', 'missing', 'GET', 'i8', '0'],
      ['BITFIELD_RO', 'bf', 'SET', 'i8', '0', '1'],
      ['BITFIELD_RO', 'bf', 'INCRBY', 'i8', '0', '1'],
      ['BITFIELD', 'bf', 'GET', 'u64', '0'],
      ['BITFIELD', 'bf', 'GET', 'i65', '0'],
      ['BITFIELD', 'bf', 'GET', 'i0', '0'],
      ['BITFIELD', 'bf', 'GET', 'x8', '0'],
      ['BITFIELD', 'bf', 'GET', 'i08', '0'],
      ['BITFIELD', 'bf', 'GET', '', '0'],
      ['BITFIELD', 'bf', 'GET', 'i8', '-1'],
      ['BITFIELD', 'bf', 'GET', 'i8', '#-1'],
      ['BITFIELD', 'bf', 'GET', 'i8', '4294967296'],
      ['BITFIELD', 'bf', 'GET', 'u4', '#4611686018427387905'],
      ['BITFIELD', 'bf', 'SET', 'i8', '0', 'x'],
      ['BITFIELD', 'bf', 'SET', 'i8', '0'],
      ['BITFIELD', 'bf', 'GET', 'i8'],
      ['BITFIELD', 'bf', 'OVERFLOW', 'BOGUS', 'GET', 'i8', '0'],
      ['BITFIELD', 'bf', 'OVERFLOW'],
      ['BITFIELD', 'bf', 'BOGUS'],
      ['BITFIELD', 'bf', 'GET', 'i8', '0', 'SET', 'i8', '0', 'x'],
      ['GET', 'bf'],
      ['BITFIELD', 'failed', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '100', '10'],
      ['STRLEN', 'failed'],
      ['ZADD', 'zs4', '1', 'a'],
      ['BITFIELD', 'zs4', 'GET', 'i8', '0'],
      ['BITFIELD', 'zs4', 'SET', 'i8', '0', '1'],
      ['BITFIELD_RO', 'zs4', 'GET', 'i8', '0'],
    ]);
  });

  it('in RESP3 too (BITFIELD FAIL answers a null)', async () => {
    await pair.both('HELLO', '3');
    try {
      await pair.expectSame([
        ['BITFIELD', 'r3', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '10', 'GET', 'u2', '0'],
        ['BITCOUNT', 'r3'],
      ]);
    } finally {
      await pair.both('HELLO', '2');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Generated sequences

const keyName = fc.constantFrom('a', 'b', 'c');
const offset = fc.oneof(fc.integer({ min: 0, max: 200 }).map(String), fc.integer({ min: 0, max: 25 }).map((n) => `#${n}`));
const fieldType = fc.oneof(
  fc.tuple(fc.constantFrom('i', 'u'), fc.integer({ min: 1, max: 64 })).map(([s, b]) => `${s}${s === 'u' && b === 64 ? 63 : b}`),
  fc.constantFrom('i64', 'u63', 'i1', 'u1'),
);
const int64 = fc.oneof(
  fc.integer({ min: -300, max: 300 }).map(String),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  fc.constantFrom('9223372036854775807', '-9223372036854775808'),
);
const fieldOp = fc.oneof(
  fc.tuple(fieldType, offset).map(([t, o]) => ['GET', t, o]),
  fc.tuple(fieldType, offset, int64).map(([t, o, v]) => ['SET', t, o, v]),
  fc.tuple(fieldType, offset, int64).map(([t, o, v]) => ['INCRBY', t, o, v]),
  fc.constantFrom(['OVERFLOW', 'WRAP'], ['OVERFLOW', 'SAT'], ['OVERFLOW', 'FAIL']),
);
const bitCommand = fc.oneof(
  fc.tuple(keyName, fc.integer({ min: 0, max: 300 }), fc.constantFrom('0', '1')).map(([k, o, v]) => ['SETBIT', k, String(o), v]),
  fc.tuple(keyName, fc.array(fieldOp, { minLength: 1, maxLength: 5 })).map(([k, ops]) => ['BITFIELD', k, ...ops.flat()]),
  fc.tuple(fc.constantFrom('AND', 'OR', 'XOR'), keyName, fc.array(keyName, { minLength: 1, maxLength: 3 })).map(([op, d, ks]) => ['BITOP', op, d, ...ks]),
  fc.tuple(keyName, keyName).map(([d, s]) => ['BITOP', 'NOT', d, s]),
  fc.tuple(keyName, fc.integer({ min: -40, max: 40 }), fc.integer({ min: -40, max: 40 }), fc.constantFrom([], ['BIT'], ['BYTE'])).map(([k, s, e, u]) => ['BITCOUNT', k, String(s), String(e), ...u]),
  fc.tuple(keyName, fc.constantFrom('0', '1'), fc.constantFrom([], ['2'], ['-3', '-1'], ['3', '200', 'BIT'], ['0', '-1', 'BYTE'])).map(([k, b, r]) => ['BITPOS', k, b, ...r]),
  fc.tuple(keyName, fc.uint8Array({ maxLength: 6 })).map(([k, bytes]) => ['APPEND', k, Buffer.from(bytes).toString('latin1')]),
  fc.tuple(keyName, fc.integer({ min: -50, max: 50 })).map(([k, n]) => ['SET', k, String(n)]),
);

describe('generated bitmap sequences', () => {
  it('leave the same bytes and get the same replies as on redis-server', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bitCommand, { minLength: 1, maxLength: 25 }), async (script) => {
        const p = `g${run++}:`;
        const keyed = (argv: string[]): string[] => argv.map((a, i) => (i > 0 && ['a', 'b', 'c'].includes(a) && !(argv[0] === 'BITFIELD' && i > 1) ? p + a : a));
        for (const argv of script) {
          const sent = keyed(argv);
          const [s, r] = await pair.both(...sent);
          expect(s, sent.join(' ')).toBe(r);
        }
        for (const k of ['a', 'b', 'c']) {
          const [s, r] = await pair.both('GET', p + k);
          expect(s, `GET ${k}`).toBe(r);
        }
      }),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Effects

describe('bitmap writes replay and notify as Redis does', () => {
  it('SETBIT propagates only a change, with the "setbit" event', () => {
    const s = inProcess();
    s.run('SETBIT', 'k', '9', '1');
    s.run('SETBIT', 'k', '9', '1');
    s.run('SETBIT', 'k', '1', '0');
    s.run('SETBIT', 'k', '20', '0');
    expect(s.propagated).toEqual([
      ['SETBIT', 'k', '9', '1'],
      ['SETBIT', 'k', '20', '0'],
    ]);
    expect(s.events).toEqual(['setbit k', 'setbit k']);
  });

  it('BITFIELD propagates as sent when it changed something; a write that only failed leaves the padded value, unannounced', () => {
    const s = inProcess();
    s.run('BITFIELD', 'k', 'SET', 'u8', '0', '5', 'GET', 'u8', '0');
    s.run('BITFIELD', 'k', 'SET', 'u8', '0', '5');
    s.run('BITFIELD', 'k', 'GET', 'u8', '0');
    s.run('BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '100', '10');
    expect(s.propagated).toEqual([['BITFIELD', 'k', 'SET', 'u8', '0', '5', 'GET', 'u8', '0']]);
    expect(s.events).toEqual(['setbit k']);
    expect(s.run('STRLEN', 'f')).toBe(':13\r\n');
  });

  it('BITOP stores with "set" (dropping the TTL) and deletes with "del"', () => {
    const s = inProcess();
    s.run('SET', 'src', 'ab');
    s.run('SET', 'dst', 'x', 'EX', '100');
    s.reset();
    s.run('BITOP', 'NOT', 'dst', 'src');
    expect(s.run('TTL', 'dst')).toBe(':-1\r\n');
    s.run('BITOP', 'AND', 'dst', 'nothing');
    s.run('BITOP', 'AND', 'dst', 'nothing');
    expect(s.propagated).toEqual([
      ['BITOP', 'NOT', 'dst', 'src'],
      ['BITOP', 'AND', 'dst', 'nothing'],
    ]);
    expect(s.events).toEqual(['set dst', 'del dst']);
  });
});
