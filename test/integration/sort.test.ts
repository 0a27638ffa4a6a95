/*
 * SORT and SORT_RO against redis-server 7.0: generated lists, sets and sorted sets of numbers and
 * strings, BY and GET patterns over string and hash keys, LIMIT, ASC/DESC, ALPHA and STORE, with
 * replies (and stored lists) compared byte for byte. BY values are distinct per element in ALPHA
 * mode, where Redis leaves the order of ties to its qsort.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import fc from 'fast-check';
import { DifferentialPair, formatMismatch, parseReply } from '../helpers/differential.js';

const ELEMENTS = ['1', '2', '10', '-3', '1.5', '007', 'inf', '-inf', '1e3', 'a', 'B', 'b', 'abc', '', ' 4', 'x y', '\xe9', '0x10'];
const NUMERIC = ['1', '2', '10', '-3', '1.5', '007', '-inf', '1e3', '0', ' 4', '0x10', '3.25'];

describe('SORT against redis-server', () => {
  let pair: DifferentialPair;

  beforeAll(async () => {
    pair = await DifferentialPair.start();
  });

  afterAll(async () => {
    await pair.stop();
  });

  it('sorts lists, sets and sorted sets with BY, GET, LIMIT, DESC, ALPHA and STORE as Redis', async () => {
    const source = fc.oneof(
      fc.array(fc.constantFrom(...ELEMENTS), { maxLength: 10 }).map((els) => ({ type: 'list', els })),
      fc.uniqueArray(fc.constantFrom(...ELEMENTS), { maxLength: 10 }).map((els) => ({ type: 'set', els })),
      fc.uniqueArray(fc.constantFrom(...ELEMENTS), { maxLength: 10 }).map((els) => ({ type: 'zset', els })),
      fc.uniqueArray(fc.constantFrom(...NUMERIC), { maxLength: 10 }).map((els) => ({ type: 'list', els })),
    );
    const options = fc.record({
      by: fc.constantFrom(null, 'w_*', 'h_*->f', 'nosort'),
      gets: fc.array(fc.constantFrom('#', 'w_*', 'h_*->f', 'h_*->g', 'w_*->', 'const', 'p*q'), { maxLength: 3 }),
      limit: fc.option(fc.tuple(fc.integer({ min: -2, max: 12 }), fc.integer({ min: -2, max: 12 })), { nil: null }),
      desc: fc.constantFrom(null, 'ASC', 'DESC'),
      alpha: fc.boolean(),
      store: fc.boolean(),
      ro: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(source, options, fc.boolean(), fc.boolean(), async (src, o, numericWeights, withWeights) => {
        await pair.flushAll();
        const setup: string[][] = [];
        if (src.els.length > 0) {
          if (src.type === 'list') setup.push(['RPUSH', 'k', ...src.els]);
          else if (src.type === 'set') setup.push(['SADD', 'k', ...src.els]);
          else setup.push(['ZADD', 'k', ...src.els.flatMap((e, i) => [String((i * 7) % 5), e])]);
        }
        // Distinct BY values (ALPHA ties are left to qsort); numeric ones or words.
        const distinct = [...new Set(src.els)];
        distinct.forEach((e, i) => {
          if (!withWeights && i % 3 === 0 && !o.alpha) return;
          const w = numericWeights ? String((i * 37) % 101 - 50) : `w${String.fromCharCode(122 - i)}`;
          setup.push(['SET', `w_${e}`, w]);
          setup.push(['HSET', `h_${e}`, 'f', w, 'g', e]);
        });
        const argv = [o.ro ? 'SORT_RO' : 'SORT', 'k'];
        if (o.by !== null) argv.push('BY', o.by);
        for (const g of o.gets) argv.push('GET', g);
        if (o.limit !== null) argv.push('LIMIT', String(o.limit[0]), String(o.limit[1]));
        if (o.desc !== null) argv.push(o.desc);
        if (o.alpha) argv.push('ALPHA');
        if (o.store) argv.push('STORE', 'dst');
        // A set's own order is its hash order (and LIMIT picks from it): only the count is compared.
        const unordered = src.type === 'set' && o.by === 'nosort' && !(o.store && !o.ro);
        const requests = [...setup, argv, ['LRANGE', 'dst', '0', '-1'], ['EXISTS', 'dst']];
        const m = await pair.compare(requests, {
          normalize: (reply, a) => (unordered && a === argv && reply.startsWith('*') ? String(parseReply(reply).items!.length) : reply),
        });
        if (m !== null) throw new Error(formatMismatch(m));
      }),
      { numRuns: 150 },
    );
  });

  it('refuses bad arguments and wrong types as Redis', async () => {
    await pair.flushAll();
    const requests = [
      ['RPUSH', 'l', 'b', 'a'],
      ['SET', 's', 'x'],
      ['SORT', 's'],
      ['SORT', 'l'],
      ['SORT', 'l', 'LIMIT', '0'],
      ['SORT', 'l', 'LIMIT', 'x', '1'],
      ['SORT', 'l', 'BY'],
      ['SORT', 'l', 'FOO'],
      ['SORT_RO', 'l', 'STORE', 'd'],
      ['SORT', 'l', 'STORE', 'd'],
      ['EXISTS', 'd'],
      ['SORT', 'l', 'ALPHA', 'STORE', 'd'],
      ['LRANGE', 'd', '0', '-1'],
      ['SORT', 'missing', 'STORE', 'd'],
      ['EXISTS', 'd'],
      ['SORT', 'missing', 'GET', '#', 'GET', 'x*'],
    ];
    const m = await pair.compare(requests);
    if (m !== null) throw new Error(formatMismatch(m));
  });
});
