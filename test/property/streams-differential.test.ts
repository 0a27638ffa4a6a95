import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DifferentialPair, formatMismatch } from '../helpers/differential.js';

/**
 * Generated sequences of stream commands on strata and redis-server side by side, replies compared
 * byte for byte. Ids are explicit (small ms and seq parts, so that sequences collide, trim and
 * delete each other's entries); small node limits make the sequences cross node boundaries, so that
 * approximate trims and XINFO's node counts are exercised. Times are masked: XINFO STREAM FULL's
 * delivery and seen times, XPENDING's idle column.
 */

const LIMITS = ['--stream-node-max-entries', '3', '--stream-node-max-bytes', '120'];

let pair: DifferentialPair;

beforeAll(async () => {
  pair = await DifferentialPair.start({ args: LIMITS });
});

afterAll(async () => {
  await pair.stop();
});

const key = fc.constantFrom('s', 't');
const group = fc.constantFrom('g', 'h');
const consumer = fc.constantFrom('alice', 'bob', 'carol');
const idText = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 3 })).map(([ms, seq]) => `${ms}-${seq}`),
  fc.integer({ min: 0, max: 12 }).map(String),
  fc.constantFrom('-', '+', '(3', '(5-1', 'x', '18446744073709551615'),
);
/** NEXT is replaced by an id above every earlier one, so that most XADDs succeed and streams grow. */
const addId = fc.oneof(
  { weight: 8, arbitrary: fc.constant('NEXT') },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 3 })).map(([ms, seq]) => `${ms}-${seq}`) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 40 }).map((ms) => `${ms}-*`) },
  { weight: 1, arbitrary: fc.constantFrom('0-0', '1', 'x') },
);
const fieldValues = fc
  .array(fc.tuple(fc.constantFrom('f', 'g', 'long-field-name'), fc.constantFrom('1', '200', '-5', 'v', 'x'.repeat(70), '')), { minLength: 1, maxLength: 3 })
  .map((pairs) => pairs.flat());
const trim = fc.oneof(
  fc.constant<string[]>([]),
  fc.tuple(fc.constantFrom('MAXLEN', 'MINID'), fc.constantFrom([], ['~'], ['=']), fc.integer({ min: 0, max: 12 })).map(([s, m, n]) => [s, ...m, String(n)]),
  fc.integer({ min: 0, max: 12 }).map((n) => ['MAXLEN', '~', String(n), 'LIMIT', '3']),
);
const count = fc.constantFrom([], ['COUNT', '1'], ['COUNT', '2'], ['COUNT', '0']);

const command: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(key, trim, addId, fieldValues).map(([k, t, id, fv]) => ['XADD', k, ...t, id, ...fv]) },
  { weight: 2, arbitrary: fc.tuple(key, fc.array(idText, { minLength: 1, maxLength: 3 })).map(([k, ids]) => ['XDEL', k, ...ids]) },
  { weight: 1, arbitrary: fc.tuple(key, trim.filter((t) => t.length > 0)).map(([k, t]) => ['XTRIM', k, ...t]) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('XRANGE', 'XREVRANGE'), key, idText, idText, count).map(([c, k, a, b, n]) => [c, k, a, b, ...n]) },
  { weight: 2, arbitrary: fc.tuple(key, group, fc.constantFrom('0', '$', '5')).map(([k, g, id]) => ['XGROUP', 'CREATE', k, g, id, 'MKSTREAM']) },
  { weight: 1, arbitrary: fc.tuple(key, group, idText).map(([k, g, id]) => ['XGROUP', 'SETID', k, g, id]) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(group, consumer, count, fc.boolean(), key, fc.constantFrom('>', '>', '0', '3'))
      .map(([g, c, n, noack, k, id]) => ['XREADGROUP', 'GROUP', g, c, ...n, ...(noack ? ['NOACK'] : []), 'STREAMS', k, id]),
  },
  { weight: 2, arbitrary: fc.tuple(key, group, fc.array(idText, { minLength: 1, maxLength: 3 })).map(([k, g, ids]) => ['XACK', k, g, ...ids]) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(key, group, consumer, fc.array(idText, { minLength: 1, maxLength: 3 }), fc.subarray(['FORCE', 'JUSTID']), fc.constantFrom([], ['RETRYCOUNT', '4'], ['LASTID', '9']))
      .map(([k, g, c, ids, flags, extra]) => ['XCLAIM', k, g, c, '0', ...ids, ...flags, ...extra]),
  },
  { weight: 1, arbitrary: fc.tuple(key, group, consumer, idText, fc.boolean()).map(([k, g, c, id, j]) => ['XAUTOCLAIM', k, g, c, '0', id, 'COUNT', '2', ...(j ? ['JUSTID'] : [])]) },
  { weight: 1, arbitrary: fc.tuple(key, group).map(([k, g]) => ['XPENDING', k, g]) },
  { weight: 1, arbitrary: fc.tuple(key, group, consumer).map(([k, g, c]) => ['XGROUP', 'DELCONSUMER', k, g, c]) },
  { weight: 1, arbitrary: fc.tuple(key, fc.constantFrom('0', '3-1', '$')).map(([k, id]) => ['XREAD', 'COUNT', '2', 'STREAMS', k, id]) },
  { weight: 1, arbitrary: key.map((k) => ['XINFO', 'GROUPS', k]) },
  { weight: 1, arbitrary: key.map((k) => ['XINFO', 'STREAM', k]) },
);

/** Delivery, seen and idle times are the servers' clocks: masked. */
function maskTimes(reply: string, argv: readonly string[]): string {
  const name = argv[0].toUpperCase();
  if (name === 'XPENDING' && argv.length > 3) return reply.replace(/(\*4\r\n\$\d+\r\n[^\r]*\r\n\$\d+\r\n[^\r]*\r\n):\d+\r\n/g, '$1:T\r\n');
  if (name === 'XINFO') return reply.replace(/:\d{13}\r\n/g, ':T\r\n');
  return reply;
}

describe('stream command sequences against redis-server', () => {
  it('give byte-equal replies and equal streams (XINFO STREAM FULL, digests)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 60 }), async (seq) => {
        await pair.flushAll();
        let next = 40;
        seq = seq.map((argv) => argv.map((a) => (a === 'NEXT' ? `${++next}-${next % 3}` : a)));
        const requests = [...seq, ['XINFO', 'STREAM', 's', 'FULL'], ['XINFO', 'STREAM', 't', 'FULL'], ['XPENDING', 's', 'g', '-', '+', '100']];
        const m = await pair.compare(requests, { normalize: maskTimes });
        if (m !== null) expect.fail(formatMismatch(m));
      }),
      { numRuns: 150 },
    );
  });
});
