/*
 * Every string command, its options and its errors, as raw RESP. Each case runs on strata and on
 * redis-server 7.0.15 and both must give exactly the replies written here, so the expectations
 * are Redis's own. Keys are unique per case, so cases share the two servers without a flush.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

const OK = '+OK\r\n';
const NIL = '$-1\r\n';
const EMPTY = '$0\r\n\r\n';
const SYNTAX = '-ERR syntax error\r\n';
const NOT_INT = '-ERR value is not an integer or out of range\r\n';
const NOT_FLOAT = '-ERR value is not a valid float\r\n';
const TOO_BIG = '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n';
const bulk = (s: string): string => `$${s.length}\r\n${s}\r\n`;
const int = (n: number | string): string => `:${n}\r\n`;
const err = (s: string): string => `-ERR ${s}\r\n`;
const arity = (cmd: string): string => err(`wrong number of arguments for '${cmd}' command`);
const invalidExpire = (cmd: string): string => err(`invalid expire time in '${cmd}' command`);

type Step = [argv: string[], reply: string];

describe('string commands', () => {
  const servers: RunningServer[] = [];
  const clients: RawClient[] = [];

  beforeAll(async () => {
    servers.push(...(await Promise.all([startServer(), startServer({ redis: true })])));
    clients.push(...(await Promise.all(servers.map((s) => RawClient.connect(s.port)))));
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.stop()));
  });

  /** Runs the steps in order on both servers; each reply must be the one written in the step. */
  async function check(steps: Step[]): Promise<void> {
    for (const [i, client] of clients.entries()) {
      for (const [argv, expected] of steps) {
        expect({ server: i === 0 ? 'strata' : 'redis', argv, reply: await client.call(...argv) }).toEqual({
          server: i === 0 ? 'strata' : 'redis',
          argv,
          reply: expected,
        });
      }
    }
  }

  it('SET and GET round-trip any bytes, including CR LF and NUL', async () => {
    const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
    await check([
      [['SET', 'bin', all], OK],
      [['GET', 'bin'], bulk(all)],
      [['SET', 'bin', 'a\r\nb\r\n'], OK],
      [['GET', 'bin'], bulk('a\r\nb\r\n')],
      [['SET', 'bin', ''], OK],
      [['GET', 'bin'], EMPTY],
      [['GET', 'no-such-key'], NIL],
    ]);
  });

  it('integer-looking values keep their exact bytes', async () => {
    const steps: Step[] = [];
    for (const v of ['007', '-0', '+1', ' 1', '1 ', '0', '-1', '9007199254740991', '9007199254740993', '-9007199254740993', '9223372036854775808', '1e3', '0x10']) {
      steps.push([['SET', 'num', v], OK], [['GET', 'num'], bulk(v)], [['STRLEN', 'num'], int(v.length)], [['APPEND', 'num', 'x'], int(v.length + 1)]);
      steps.push([['MSET', 'num', v], OK], [['MGET', 'num'], `*1\r\n${bulk(v)}`], [['GETSET', 'num', v], bulk(v)], [['GETRANGE', 'num', '0', '-1'], bulk(v)]);
    }
    await check(steps);
  });

  it('SET options: NX, XX, GET (also with NX), KEEPTTL, and which combinations are a syntax error', async () => {
    await check([
      [['SET', 'o', '1', 'NX'], OK],
      [['SET', 'o', '2', 'NX'], NIL],
      [['SET', 'o', '3', 'XX'], OK],
      [['SET', 'o-missing', '3', 'XX'], NIL],
      [['SET', 'o', '4', 'GET'], bulk('3')],
      [['SET', 'o', '5', 'NX', 'GET'], bulk('4')],
      [['GET', 'o'], bulk('4')],
      [['SET', 'o-new', '1', 'NX', 'GET'], NIL],
      [['GET', 'o-new'], bulk('1')],
      [['SET', 'o-missing', '1', 'XX', 'GET'], NIL],
      [['GET', 'o-missing'], NIL],
      [['SET', 'o', '6', 'get', 'GET', 'nx', 'NX'], bulk('4')],
      [['SET', 'o', '7', 'KEEPTTL', 'keepttl'], OK],
      [['SET', 'o', '8', 'EX', '100', 'ex', '200'], OK],
      [['SET', 'o', 'v', 'NX', 'XX'], SYNTAX],
      [['SET', 'o', 'v', 'XX', 'NX'], SYNTAX],
      [['SET', 'o', 'v', 'EX', '10', 'PX', '10'], SYNTAX],
      [['SET', 'o', 'v', 'EXAT', '10', 'PXAT', '10'], SYNTAX],
      [['SET', 'o', 'v', 'KEEPTTL', 'EX', '10'], SYNTAX],
      [['SET', 'o', 'v', 'PX', '10', 'KEEPTTL'], SYNTAX],
      [['SET', 'o', 'v', 'EX'], SYNTAX],
      [['SET', 'o', 'v', 'PERSIST'], SYNTAX],
      [['SET', 'o', 'v', 'FOO'], SYNTAX],
      [['SET', 'o'], arity('set')],
      [['GET', 'o'], bulk('8')],
    ]);
  });

  it('SET, SETEX, PSETEX expire arguments: invalid times and overflows', async () => {
    await check([
      [['SET', 'e', 'v', 'EX', '0'], invalidExpire('set')],
      [['SET', 'e', 'v', 'PX', '-1'], invalidExpire('set')],
      [['SET', 'e', 'v', 'EX', '1.5'], NOT_INT],
      [['SET', 'e', 'v', 'EX', ''], NOT_INT],
      [['SET', 'e', 'v', 'EX', '9223372036854775807'], invalidExpire('set')],
      [['SET', 'e', 'v', 'EX', '9223372036854775'], invalidExpire('set')],
      [['SET', 'e', 'v', 'PX', '9223372036854775807'], invalidExpire('set')],
      [['SET', 'e', 'v', 'EXAT', '9223372036854775'], OK],
      [['SET', 'e', 'v', 'PXAT', '9223372036854775807'], OK],
      [['SET', 'e', 'v', 'EXAT', '9223372036854776'], invalidExpire('set')],
      [['SETEX', 'e', '0', 'v'], invalidExpire('setex')],
      [['SETEX', 'e', 'x', 'v'], NOT_INT],
      [['PSETEX', 'e', '-5', 'v'], invalidExpire('psetex')],
      [['SETEX', 'e', '100', 'w'], OK],
      [['PSETEX', 'e', '100000', 'x'], OK],
      [['GET', 'e'], bulk('x')],
      [['SETEX', 'e', '100'], arity('setex')],
    ]);
  });

  it('a key set with an expire time already past is gone on the next read', async () => {
    await check([
      [['SET', 'past', 'v', 'EXAT', '1'], OK],
      [['GET', 'past'], NIL],
      [['SET', 'past', 'v', 'PXAT', '1', 'GET'], NIL],
      [['STRLEN', 'past'], int(0)],
    ]);
  });

  it('SETNX, GETSET, GETDEL', async () => {
    await check([
      [['SETNX', 'n', 'a'], int(1)],
      [['SETNX', 'n', 'b'], int(0)],
      [['GETSET', 'n', 'c'], bulk('a')],
      [['GETSET', 'n-new', 'c'], NIL],
      [['GETDEL', 'n'], bulk('c')],
      [['GETDEL', 'n'], NIL],
      [['GET', 'n'], NIL],
      [['SETNX', 'n'], arity('setnx')],
      [['GETDEL', 'n', 'x'], arity('getdel')],
    ]);
  });

  it('GETEX: options, errors, and a missing key answering nil before its expire is checked', async () => {
    await check([
      [['SET', 'gx', 'v'], OK],
      [['GETEX', 'gx'], bulk('v')],
      [['GETEX', 'gx', 'EX', '100'], bulk('v')],
      [['GETEX', 'gx', 'PX', '100000'], bulk('v')],
      [['GETEX', 'gx', 'EXAT', '4102444800'], bulk('v')],
      [['GETEX', 'gx', 'PXAT', '4102444800000'], bulk('v')],
      [['GETEX', 'gx', 'PERSIST'], bulk('v')],
      [['GETEX', 'gx', 'persist', 'PERSIST'], bulk('v')],
      [['GETEX', 'gx', 'EX', '0'], invalidExpire('getex')],
      [['GETEX', 'gx', 'EX', 'abc'], NOT_INT],
      [['GETEX', 'gx', 'PX', '9223372036854775807'], invalidExpire('getex')],
      [['GETEX', 'gx', 'PERSIST', 'EX', '10'], SYNTAX],
      [['GETEX', 'gx', 'EX', '10', 'PERSIST'], SYNTAX],
      [['GETEX', 'gx', 'EX', '10', 'PX', '10'], SYNTAX],
      [['GETEX', 'gx', 'KEEPTTL'], SYNTAX],
      [['GETEX', 'gx', 'NX'], SYNTAX],
      [['GETEX', 'gx', 'GET'], SYNTAX],
      [['GETEX', 'gx', 'EX'], SYNTAX],
      [['GETEX', 'gx-missing', 'EX', 'abc'], NIL],
      [['GETEX', 'gx-missing', 'EX', '0'], NIL],
      [['GETEX', 'gx-missing', 'BOGUS'], SYNTAX],
      [['GETEX', 'gx', 'EXAT', '1'], bulk('v')],
      [['GET', 'gx'], NIL],
      [['GETEX'], arity('getex')],
    ]);
  });

  it('MGET, MSET, MSETNX', async () => {
    await check([
      [['MSET', 'm1', 'a', 'm2', 'b', 'm1', 'c'], OK],
      [['MGET', 'm1', 'm2', 'm3'], `*3\r\n${bulk('c')}${bulk('b')}${NIL}`],
      [['MSETNX', 'm3', 'x', 'm1', 'y'], int(0)],
      [['MGET', 'm3'], `*1\r\n${NIL}`],
      [['MSETNX', 'm3', 'x', 'm4', 'y'], int(1)],
      [['MGET', 'm3', 'm4'], `*2\r\n${bulk('x')}${bulk('y')}`],
      [['MSET', 'm1', 'a', 'm2'], arity('mset')],
      [['MSETNX', 'm1'], arity('msetnx')],
      [['MSETNX', 'm1', 'a', 'm2'], arity('msetnx')],
      [['MGET'], arity('mget')],
    ]);
  });

  it('INCR, DECR, INCRBY, DECRBY: int64 limits, non-integers and overflow', async () => {
    await check([
      [['INCR', 'i'], int(1)],
      [['INCRBY', 'i', '41'], int(42)],
      [['DECR', 'i'], int(41)],
      [['DECRBY', 'i', '-9'], int(50)],
      [['INCRBY', 'i', '-50'], int(0)],
      [['DECR', 'i-new'], int(-1)],
      [['SET', 'i', '9007199254740991'], OK],
      [['INCR', 'i'], int('9007199254740992')],
      [['INCR', 'i'], int('9007199254740993')],
      [['GET', 'i'], bulk('9007199254740993')],
      [['DECRBY', 'i', '9007199254740993'], int(0)],
      [['SET', 'i', '9223372036854775806'], OK],
      [['INCR', 'i'], int('9223372036854775807')],
      [['INCR', 'i'], err('increment or decrement would overflow')],
      [['INCRBY', 'i', '-9223372036854775808'], int(-1)],
      [['SET', 'i', '-9223372036854775807'], OK],
      [['DECR', 'i'], int('-9223372036854775808')],
      [['DECR', 'i'], err('increment or decrement would overflow')],
      [['DECRBY', 'i', '-9223372036854775808'], err('decrement would overflow')],
      [['INCRBY', 'i', '9223372036854775808'], NOT_INT],
      [['INCRBY', 'i', '1.5'], NOT_INT],
      [['INCRBY', 'i', ' 1'], NOT_INT],
      [['INCRBY', 'i', '+1'], NOT_INT],
      [['INCRBY', 'i', '01'], NOT_INT],
      [['INCRBY', 'i', ''], NOT_INT],
      [['GET', 'i'], bulk('-9223372036854775808')],
      ...['007', '-0', '+1', ' 1', '1 ', '1.0', 'abc', '', '9223372036854775808', '1\x00'].map((v): Step[] => [
        [['SET', 'iv', v], OK],
        [['INCR', 'iv'], NOT_INT],
        [['GET', 'iv'], bulk(v)],
      ]).flat(),
      [['INCR'], arity('incr')],
      [['INCRBY', 'i'], arity('incrby')],
    ]);
  });

  it('INCRBYFLOAT computes in long double and formats as Redis', async () => {
    await check([
      [['SET', 'f', '10.5'], OK],
      [['INCRBYFLOAT', 'f', '1.1'], bulk('11.6')],
      [['INCRBYFLOAT', 'f-new', '0.1'], bulk('0.1')],
      [['INCRBYFLOAT', 'f-new', '0.2'], bulk('0.3')],
      [['INCRBYFLOAT', 'f-new', '-0.3'], bulk('0')],
      [['INCRBYFLOAT', 'f-new', '5.0e3'], bulk('5000')],
      [['INCRBYFLOAT', 'f-new', '-1e-30'], bulk('5000')],
      [['INCRBYFLOAT', 'f-new', '0x10'], bulk('5016')],
      [['SET', 'f', '1e308'], OK],
      [['INCRBYFLOAT', 'f', '1e308'], bulk(`19999999999999999999337175931169129132112019969483113441559409598984346973767612374420025384377707864089349445010802644630426949918792116719484162886039283753591820003920638155732621920901421333587830679157787782912108712612253672980323726043417317850688976324758260171151463628484902090545651009268785715609${6}`)],
      [['SET', 'f-max', '1.18e4932'], OK],
      [['INCRBYFLOAT', 'f-max', '1e4931'], err('increment would produce NaN or Infinity')],
      [['INCRBYFLOAT', 'f-max', '-inf'], err('increment would produce NaN or Infinity')],
      [['GET', 'f-max'], bulk('1.18e4932')],
      [['INCRBYFLOAT', 'f', 'inf'], err('increment would produce NaN or Infinity')],
      [['INCRBYFLOAT', 'f', 'nan'], NOT_FLOAT],
      [['INCRBYFLOAT', 'f', 'abc'], NOT_FLOAT],
      [['INCRBYFLOAT', 'f', ' 1'], NOT_FLOAT],
      [['INCRBYFLOAT', 'f', ''], NOT_FLOAT],
      [['SET', 'f', 'abc'], OK],
      [['INCRBYFLOAT', 'f', '1'], NOT_FLOAT],
      [['SET', 'f', '5'], OK],
      [['INCRBYFLOAT', 'f', '-5'], bulk('0')],
      [['INCRBYFLOAT', 'f', '1e-5000'], NOT_FLOAT],
      [['INCRBYFLOAT', 'f'], arity('incrbyfloat')],
    ]);
  });

  it('APPEND and STRLEN', async () => {
    await check([
      [['APPEND', 'ap', 'hello'], int(5)],
      [['APPEND', 'ap', ' world\r\n\x00'], int(14)],
      [['GET', 'ap'], bulk('hello world\r\n\x00')],
      [['STRLEN', 'ap'], int(14)],
      [['STRLEN', 'ap-missing'], int(0)],
      [['APPEND', 'ap-int', '12'], int(2)],
      [['APPEND', 'ap-int', '34'], int(4)],
      [['INCR', 'ap-int'], int(1235)],
      [['APPEND', 'ap-empty', ''], int(0)],
      [['GET', 'ap-empty'], EMPTY],
      [['APPEND', 'ap'], arity('append')],
    ]);
  });

  it('GETRANGE and SUBSTR: negative indexes and clamping', async () => {
    const s = 'Hello World';
    const steps: Step[] = [[['SET', 'gr', s], OK]];
    const range: Array<[string, string, string]> = [
      ['0', '3', 'Hell'],
      ['0', '-1', s],
      ['-3', '-1', 'rld'],
      ['5', '3', ''],
      ['5', '5000', ' World'],
      ['-5000', '2', 'Hel'],
      ['-5000', '-5000', 'H'],
      ['-1', '-5', ''],
      ['-3', '-3', 'r'],
      ['20', '30', ''],
      ['0', '-100', 'H'],
      ['9223372036854775807', '9223372036854775807', ''],
      ['-9223372036854775808', '9223372036854775807', s],
    ];
    for (const [start, end, out] of range) {
      steps.push([['GETRANGE', 'gr', start, end], bulk(out)], [['SUBSTR', 'gr', start, end], bulk(out)]);
    }
    steps.push(
      [['GETRANGE', 'gr-missing', '0', '-1'], EMPTY],
      [['SET', 'gr-empty', ''], OK],
      [['GETRANGE', 'gr-empty', '0', '-1'], EMPTY],
      [['GETRANGE', 'gr-empty', '-1', '0'], EMPTY],
      [['SET', 'gr-int', '12345'], OK],
      [['GETRANGE', 'gr-int', '1', '-2'], bulk('234')],
      [['GETRANGE', 'gr', 'a', '1'], NOT_INT],
      [['GETRANGE', 'gr', '0', '9223372036854775808'], NOT_INT],
      [['GETRANGE', 'gr-missing', 'x', '1'], NOT_INT],
      [['GETRANGE', 'gr', '0'], arity('getrange')],
      [['SUBSTR', 'gr', '0', '1', '2'], arity('substr')],
    );
    await check(steps);
  });

  it('SETRANGE: zero padding, overwrite, offset limits, empty values', async () => {
    await check([
      [['SETRANGE', 'sr', '5', 'x'], int(6)],
      [['GET', 'sr'], bulk('\0\0\0\0\0x')],
      [['SETRANGE', 'sr', '0', 'ab'], int(6)],
      [['SETRANGE', 'sr', '4', 'WXYZ'], int(8)],
      [['GET', 'sr'], bulk('ab\0\0WXYZ')],
      [['SETRANGE', 'sr', '1', ''], int(8)],
      [['SETRANGE', 'sr', '100', ''], int(8)],
      [['SETRANGE', 'sr-missing', '0', ''], int(0)],
      [['SETRANGE', 'sr-missing', '9223372036854775807', ''], int(0)],
      [['GET', 'sr-missing'], NIL],
      [['SET', 'sr-int', '12345'], OK],
      [['SETRANGE', 'sr-int', '2', '9'], int(5)],
      [['INCR', 'sr-int'], int(12946)],
      [['SETRANGE', 'sr', '-1', 'x'], err('offset is out of range')],
      [['SETRANGE', 'sr', 'x', 'x'], NOT_INT],
      [['SETRANGE', 'sr', '9223372036854775808', 'x'], NOT_INT],
      [['SETRANGE', 'sr', '536870912', 'x'], TOO_BIG],
      [['SETRANGE', 'sr', '9223372036854775807', 'x'], TOO_BIG],
      [['SETRANGE', 'sr-missing', '536870912', 'x'], TOO_BIG],
      [['GET', 'sr-missing'], NIL],
      [['SETRANGE', 'sr', '0'], arity('setrange')],
    ]);
  });

  it('LCS: the subsequence, LEN, IDX with MINMATCHLEN and WITHMATCHLEN, and its errors', async () => {
    const idx = (matches: Array<[number, number, number, number, number?]>, len: number): string =>
      `*4\r\n${bulk('matches')}*${matches.length}\r\n` +
      matches
        .map(([a0, a1, b0, b1, ml]) => `*${ml === undefined ? 2 : 3}\r\n*2\r\n:${a0}\r\n:${a1}\r\n*2\r\n:${b0}\r\n:${b1}\r\n${ml === undefined ? '' : `:${ml}\r\n`}`)
        .join('') +
      `${bulk('len')}:${len}\r\n`;
    await check([
      [['MSET', 'lcs1', 'ohmytext', 'lcs2', 'mynewtext'], OK],
      [['LCS', 'lcs1', 'lcs2'], bulk('mytext')],
      [['LCS', 'lcs1', 'lcs2', 'LEN'], int(6)],
      [['LCS', 'lcs1', 'lcs2', 'IDX'], idx([[4, 7, 5, 8], [2, 3, 0, 1]], 6)],
      [['LCS', 'lcs1', 'lcs2', 'IDX', 'WITHMATCHLEN'], idx([[4, 7, 5, 8, 4], [2, 3, 0, 1, 2]], 6)],
      [['LCS', 'lcs1', 'lcs2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'], idx([[4, 7, 5, 8, 4]], 6)],
      [['LCS', 'lcs1', 'lcs2', 'idx', 'minmatchlen', '-5'], idx([[4, 7, 5, 8], [2, 3, 0, 1]], 6)],
      [['LCS', 'lcs1', 'lcs2', 'MINMATCHLEN', '4'], bulk('mytext')],
      [['LCS', 'lcs1', 'lcs2', 'LEN', 'WITHMATCHLEN'], int(6)],
      [['LCS', 'lcs1', 'lcs-missing'], EMPTY],
      [['LCS', 'lcs-missing', 'lcs2', 'IDX'], idx([], 0)],
      [['LCS', 'lcs1', 'lcs1', 'IDX', 'WITHMATCHLEN'], idx([[0, 7, 0, 7, 8]], 8)],
      [['LCS', 'lcs1', 'lcs2', 'LEN', 'IDX'], err('If you want both the length and indexes, please just use IDX.')],
      [['LCS', 'lcs1', 'lcs2', 'MINMATCHLEN'], SYNTAX],
      [['LCS', 'lcs1', 'lcs2', 'MINMATCHLEN', 'x'], NOT_INT],
      [['LCS', 'lcs1', 'lcs2', 'FOO'], SYNTAX],
      [['LCS', 'lcs1'], arity('lcs')],
    ]);
  });

  it('LCS matches Redis on repetitive and binary strings', async () => {
    const pairs: Array<[string, string]> = [
      ['aaaaaaaaaa', 'aaaa'],
      ['abcabcabc', 'cbacbacba'],
      ['\x00\xff\x00\xff', '\xff\x00\xff'],
      ['ACCGGTCGAGTGCGCGGAAGCCGGCCGAA', 'GTCGTTCGGAATGCCGTTGCTCTGTAAA'],
      ['x'.repeat(300) + 'y', 'y' + 'x'.repeat(299)],
    ];
    const replies: string[][] = [[], []];
    for (const [i, client] of clients.entries()) {
      for (const [n, [a, b]] of pairs.entries()) {
        await client.call('MSET', `lcs-a${n}`, a, `lcs-b${n}`, b);
        for (const opts of [[], ['LEN'], ['IDX'], ['IDX', 'WITHMATCHLEN', 'MINMATCHLEN', '2']]) {
          replies[i].push(await client.call('LCS', `lcs-a${n}`, `lcs-b${n}`, ...opts));
        }
      }
    }
    expect(replies[0]).toEqual(replies[1]);
  });

  it('LCS and IDX in RESP3 reply a map', async () => {
    for (const client of clients) {
      await client.call('HELLO', '3');
      await client.call('MSET', 'r3a', 'ohmytext', 'r3b', 'mynewtext');
      expect(await client.call('LCS', 'r3a', 'r3b', 'IDX', 'MINMATCHLEN', '3')).toBe(
        `%2\r\n${bulk('matches')}*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n${bulk('len')}:6\r\n`,
      );
      expect(await client.call('GET', 'r3-missing')).toBe('_\r\n');
      await client.call('HELLO', '2');
    }
  });
});

describe('string commands under a small proto-max-bulk-len', () => {
  const servers: RunningServer[] = [];
  const clients: RawClient[] = [];
  const limit = 1024 * 1024;

  beforeAll(async () => {
    const args = ['--proto-max-bulk-len', String(limit)];
    servers.push(...(await Promise.all([startServer({ args }), startServer({ redis: true, args })])));
    clients.push(...(await Promise.all(servers.map((s) => RawClient.connect(s.port)))));
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('APPEND and SETRANGE stop at the limit; LCS refuses a table larger than it', async () => {
    const half = 'x'.repeat(limit / 2);
    for (const client of clients) {
      expect(await client.call('SET', 'big', half)).toBe(OK);
      expect(await client.call('APPEND', 'big', half)).toBe(int(limit));
      expect(await client.call('APPEND', 'big', 'y')).toBe(TOO_BIG);
      expect(await client.call('SETRANGE', 'big', String(limit - 1), 'z')).toBe(int(limit));
      expect(await client.call('SETRANGE', 'big', String(limit), 'z')).toBe(TOO_BIG);
      expect(await client.call('SETRANGE', 'new', String(limit - 2), 'zz')).toBe(int(limit));
      expect(await client.call('SETRANGE', 'new2', String(limit - 1), 'zz')).toBe(TOO_BIG);
      expect(await client.call('MSET', 'la', 'a'.repeat(600), 'lb', 'b'.repeat(600))).toBe(OK);
      expect(await client.call('LCS', 'la', 'lb')).toBe(err('Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len'));
      expect(await client.call('MSET', 'la', 'a'.repeat(400), 'lb', 'a'.repeat(400))).toBe(OK);
      expect(await client.call('LCS', 'la', 'lb', 'LEN')).toBe(int(400));
    }
  });
});
