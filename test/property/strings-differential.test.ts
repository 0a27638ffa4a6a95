/*
 * strata and redis-server 7.0.15 answer generated sequences of string commands byte for byte.
 * Each run works on fresh keys (a run prefix), so no flush is needed between runs. Expire options
 * are either far in the future or already past, so no reply depends on timing.
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pairForSuite } from '../helpers/differential.js';
import { RawClient } from '../helpers/resp.js';

const VALUES = [
  '',
  '0',
  '1',
  '-1',
  '007',
  '-0',
  '+1',
  ' 1',
  '1 ',
  '12',
  '9007199254740991',
  '9007199254740993',
  '9223372036854775806',
  '9223372036854775807',
  '-9223372036854775808',
  '18446744073709551616',
  '10.5',
  '1.1',
  '0.1',
  '-3.25',
  '1e3',
  '5e-324',
  '1.5e4000',
  '0x1p-3',
  'inf',
  'nan',
  'abc',
  'hello world',
  'ohmytext',
  'mynewtext',
  '\r\n',
  '\x00\xff\x80\r\nabc\x00',
];

const INTEGERS = ['0', '1', '-1', '2', '5', '-5', '100', '-100', '7', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '', 'x', '1.5', ' 1', '01'];

/** Relative expires large enough never to elapse during a run, absolute ones far ahead or past. */
const EXPIRE_OPTS: string[][] = [
  ['EX', '100000'],
  ['PX', '100000000'],
  ['EXAT', '4102444800'],
  ['PXAT', '4102444800000'],
  ['EXAT', '1'],
  ['PXAT', '1'],
  ['EX', '0'],
  ['PX', '-5'],
  ['EX', 'abc'],
  ['EX', '9223372036854775807'],
  ['EX', '9223372036854775'],
  ['PX', '9223372036854775807'],
  ['PXAT', '9223372036854775807'],
  ['EX'],
];

/** SETEX/PSETEX times: valid ones too long to elapse during a run, and invalid ones. */
const ttl = fc.constantFrom('100000', '100000000', '0', '-1', 'x', '', '1.5', '9223372036854775807', '9223372036854775', '-9223372036854775808');

const KEYS = ['a', 'b', 'c'];

function latin1String(): fc.Arbitrary<string> {
  return fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 12 }).map((codes) => String.fromCharCode(...codes));
}

const value = fc.oneof(fc.constantFrom(...VALUES), latin1String(), fc.integer().map(String), fc.double({ noNaN: true }).map(String));
const integer = fc.oneof(fc.constantFrom(...INTEGERS), fc.integer({ min: -20, max: 20 }).map(String));
const key = fc.constantFrom(...KEYS);
const setOption = fc.oneof(
  fc.constantFrom(['NX'], ['XX'], ['GET'], ['KEEPTTL'], ['get'], ['nx'], ['PERSIST'], ['BOGUS']),
  fc.constantFrom(...EXPIRE_OPTS),
);
const getexOption = fc.oneof(fc.constantFrom(['PERSIST'], ['persist'], ['NX'], ['KEEPTTL']), fc.constantFrom(...EXPIRE_OPTS));
const lcsOption = fc.oneof(
  fc.constantFrom(['LEN'], ['IDX'], ['WITHMATCHLEN'], ['idx'], ['MINMATCHLEN'], ['FOO']),
  integer.map((n) => ['MINMATCHLEN', n]),
);

/** A command over symbolic keys ('a'..'c'); keys are prefixed per run before sending. */
const command: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(key, value, fc.array(setOption, { maxLength: 3 })).map(([k, v, opts]) => ['SET', k, v, ...opts.flat()]),
  key.map((k) => ['GET', k]),
  fc.tuple(key, fc.array(getexOption, { maxLength: 2 })).map(([k, opts]) => ['GETEX', k, ...opts.flat()]),
  fc.tuple(key, value).map(([k, v]) => ['SETNX', k, v]),
  fc.tuple(fc.constantFrom('SETEX', 'PSETEX'), key, ttl, value).map(([c, k, t, v]) => [c, k, t, v]),
  fc.tuple(key, value).map(([k, v]) => ['GETSET', k, v]),
  key.map((k) => ['GETDEL', k]),
  fc.array(key, { minLength: 1, maxLength: 4 }).map((ks) => ['MGET', ...ks]),
  fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }).map((kv) => ['MSET', ...kv.flat()]),
  fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 3 }).map((kv) => ['MSETNX', ...kv.flat()]),
  fc.tuple(fc.constantFrom('INCR', 'DECR'), key).map(([c, k]) => [c, k]),
  fc.tuple(fc.constantFrom('INCRBY', 'DECRBY'), key, integer).map(([c, k, n]) => [c, k, n]),
  fc.tuple(key, value).map(([k, v]) => ['INCRBYFLOAT', k, v]),
  fc.tuple(key, value).map(([k, v]) => ['APPEND', k, v]),
  key.map((k) => ['STRLEN', k]),
  fc.tuple(fc.constantFrom('GETRANGE', 'SUBSTR'), key, integer, integer).map(([c, k, s, e]) => [c, k, s, e]),
  fc.tuple(key, integer, value).map(([k, o, v]) => ['SETRANGE', k, o, v]),
  fc.tuple(key, key, fc.array(lcsOption, { maxLength: 3 })).map(([a, b, opts]) => ['LCS', a, b, ...opts.flat()]),
  fc.constantFrom<string[]>(['MSET', 'a'], ['MSETNX', 'a', 'x', 'b'], ['GET'], ['SET', 'a'], ['GETRANGE', 'a', '0'], ['LCS', 'a']),
);

const KEYED_ARGS: Record<string, (i: number, argc: number) => boolean> = {
  MGET: (i) => i >= 1,
  MSET: (i) => i % 2 === 1,
  MSETNX: (i) => i % 2 === 1,
  LCS: (i) => i === 1 || i === 2,
};

function withPrefix(argv: string[], prefix: string): string[] {
  const isKey = KEYED_ARGS[argv[0]] ?? ((i: number) => i === 1);
  return argv.map((a, i) => (i > 0 && isKey(i, argv.length) && KEYS.includes(a) ? prefix + a : a));
}

async function run(client: RawClient, cmds: string[][]): Promise<string[]> {
  for (const argv of cmds) client.send(...argv);
  const out: string[] = [];
  for (let i = 0; i < cmds.length; i++) out.push(await client.readReply());
  return out;
}

describe('string commands against redis-server', () => {
  const pair = pairForSuite();

  it('generated sequences of string commands get identical replies', async () => {
    let runNo = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 30 }), async (cmds) => {
        const prefix = `run${runNo++}:`;
        const sent = cmds.map((argv) => withPrefix(argv, prefix));
        // Read every key back at the end, so state differences show even without a read command.
        sent.push(['MGET', ...KEYS.map((k) => prefix + k)], ...KEYS.map((k) => ['STRLEN', prefix + k]));
        const [mine, theirs] = await Promise.all([run(pair.strata, sent), run(pair.redis, sent)]);
        for (let i = 0; i < sent.length; i++) expect({ argv: sent[i], reply: mine[i] }).toEqual({ argv: sent[i], reply: theirs[i] });
      }),
      { numRuns: 300 },
    );
  });

  it('LCS of random strings over small alphabets gives the same subsequence and ranges', async () => {
    const text = (alphabet: string): fc.Arbitrary<string> =>
      fc.array(fc.constantFrom(...alphabet), { maxLength: 80 }).map((chars) => chars.join(''));
    const options = fc.constantFrom([], ['LEN'], ['IDX'], ['IDX', 'WITHMATCHLEN'], ['IDX', 'MINMATCHLEN', '2', 'WITHMATCHLEN'], ['IDX', 'MINMATCHLEN', '4']);
    const strings = fc.constantFrom('ab', 'abc', 'acgt', '\x00\xff').chain((alphabet) => fc.tuple(text(alphabet), text(alphabet)));
    let runNo = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(strings, options), { minLength: 1, maxLength: 20 }), async (cases) => {
        const sent: string[][] = [];
        for (const [[a, b], opts] of cases) {
          const prefix = `lcs${runNo++}:`;
          sent.push(['MSET', `${prefix}a`, a, `${prefix}b`, b], ['LCS', `${prefix}a`, `${prefix}b`, ...opts]);
        }
        const [mine, theirs] = await Promise.all([run(pair.strata, sent), run(pair.redis, sent)]);
        for (let i = 0; i < sent.length; i++) expect({ argv: sent[i], reply: mine[i] }).toEqual({ argv: sent[i], reply: theirs[i] });
      }),
      { numRuns: 100 },
    );
  });
});
