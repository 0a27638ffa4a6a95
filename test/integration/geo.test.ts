/*
 * Geo commands against redis-server 7.0.15: scores GEOADD stores, positions, distances, geohashes
 * and searches (every option, RESP2 and RESP3) byte for byte, every error, generated sets and
 * searches, and the effects of GEOADD and the storing searches.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startPair, type Pair } from '../helpers/differential.js';
import { inProcess } from '../helpers/inprocess.js';

let pair: Pair;
let run = 0;

beforeAll(async () => {
  pair = await startPair(['--zset-max-listpack-entries', '4']);
});

afterAll(async () => {
  await pair.stop();
});

const SICILY = ['GEOADD', 'Sicily', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania', '13.583333', '37.316667', 'Agrigento', '12.758489', '38.788135', 'edge1', '17.241510', '38.788135', 'edge2'];

describe('geo commands reply as redis-server does', () => {
  it('GEOADD stores Redis scores (NX XX CH, the limits, bad coordinates) and GEOPOS GEODIST GEOHASH read them', async () => {
    await pair.expectSame([
      SICILY,
      ['GEOADD', 'Sicily', '13.361389', '38.115556', 'Palermo2', '13.361389', '38.115556', 'Palermo3'],
      ['GEOADD', 'Sicily', '180', '85.05112878', 'top', '-180', '-85.05112878', 'bottom', '0', '0', 'origin'],
      ['ZRANGE', 'Sicily', '0', '-1', 'WITHSCORES'],
      ['GEOADD', 'Sicily', 'CH', 'XX', '13.36', '38.11', 'Palermo', '1', '1', 'notadded'],
      ['GEOADD', 'Sicily', 'NX', 'ch', '13', '38', 'Palermo', '1', '1', 'added'],
      ['GEOADD', 'Sicily', 'NX', 'XX', '0', '0', 'x'],
      ['GEOADD', 'Sicily', 'CH', '0', '0', 'x', '0', '0'],
      ['GEOADD', 'Sicily', 'CH', 'NX', 'XX'],
      ['GEOADD', 'Sicily', '181', '0', 'x'],
      ['GEOADD', 'Sicily', '0', '85.06', 'x'],
      ['GEOADD', 'Sicily', '1e300', '-1e300', 'x'],
      ['GEOADD', 'Sicily', 'inf', '0', 'x'],
      ['GEOADD', 'Sicily', 'x', '0', 'x'],
      ['GEOADD', 'Sicily', '0', 'nan', 'x'],
      ['GEOPOS', 'Sicily', 'Palermo', 'Catania', 'nope', 'top', 'bottom', 'origin'],
      ['GEOPOS', 'missing', 'a', 'b'],
      ['GEODIST', 'Sicily', 'Palermo', 'Catania'],
      ['GEODIST', 'Sicily', 'Palermo', 'Catania', 'KM'],
      ['GEODIST', 'Sicily', 'Palermo', 'Catania', 'mi'],
      ['GEODIST', 'Sicily', 'Palermo', 'Catania', 'ft'],
      ['GEODIST', 'Sicily', 'top', 'bottom', 'm'],
      ['GEODIST', 'Sicily', 'Palermo', 'Palermo2'],
      ['GEODIST', 'Sicily', 'Palermo', 'nope'],
      ['GEODIST', 'missing', 'a', 'b'],
      ['GEODIST', 'Sicily', 'Palermo', 'Catania', 'yards'],
      ['GEODIST', 'Sicily', 'Palermo', 'Catania', 'km', 'extra'],
      ['GEOHASH', 'Sicily', 'Palermo', 'Catania', 'nope', 'top', 'bottom'],
      ['GEOHASH', 'missing', 'a'],
      ['ZADD', 'weird', '-5', 'neg', '1e30', 'huge', '2.5', 'frac', 'inf', 'inf', '-inf', 'ninf', '4503599627370496', 'big'],
      ['GEOPOS', 'weird', 'neg', 'huge', 'frac', 'inf', 'ninf', 'big'],
      ['GEOHASH', 'weird', 'neg', 'huge', 'frac', 'inf', 'ninf', 'big'],
      ['GEODIST', 'weird', 'neg', 'huge'],
      ['GEOSEARCH', 'weird', 'FROMMEMBER', 'frac', 'BYRADIUS', '20000', 'km', 'WITHHASH', 'WITHCOORD', 'ASC'],
      ['SET', 'str', 'x'],
      ['GEOADD', 'str', '0', '0', 'x'],
      ['GEOPOS', 'str', 'x'],
      ['GEODIST', 'str', 'a', 'b'],
      ['GEOHASH', 'str', 'x'],
    ]);
  });

  it('GEORADIUS and GEORADIUSBYMEMBER (and _RO): options, sorting, COUNT [ANY], STORE, STOREDIST, errors', async () => {
    await pair.expectSame([
      SICILY,
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'withhash', 'withcoord', 'withdist', 'DESC'],
      ['GEORADIUS', 'Sicily', '15', '37', '200000', 'm', 'WITHDIST', 'ASC'],
      ['GEORADIUS', 'Sicily', '15', '37', '124.27', 'mi', 'WITHDIST', 'COUNT', '2'],
      ['GEORADIUS', 'Sicily', '15', '37', '656168', 'ft', 'WITHDIST', 'COUNT', '2', 'DESC'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', '1', 'ANY'],
      ['GEORADIUS', 'Sicily', '15', '37', '0', 'km'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'dst'],
      ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STOREDIST', 'dst2', 'COUNT', '2'],
      ['ZRANGE', 'dst2', '0', '-1', 'WITHSCORES'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'km', 'STORE', 'dst2'],
      ['EXISTS', 'dst2'],
      ['GEORADIUS', 'missing', '15', '37', '200', 'km', 'STORE', 'dst'],
      ['EXISTS', 'dst'],
      ['GEORADIUS', 'missing', '15', '37', '200', 'km'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'dst', 'WITHDIST'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'ANY'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', '0'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', 'x'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'BOGUS'],
      ['GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE'],
      ['GEORADIUS', 'Sicily', '15', '37', '-1', 'km'],
      ['GEORADIUS', 'Sicily', '15', '37', 'x', 'km'],
      ['GEORADIUS', 'Sicily', '15', '37', '1', 'yd'],
      ['GEORADIUS', 'Sicily', '190', '37', '1', 'km'],
      ['GEORADIUS', 'str', '15', '37', '1', 'km'],
      ['GEORADIUS_RO', 'Sicily', '15', '37', '200', 'km', 'WITHDIST', 'ASC'],
      ['GEORADIUS_RO', 'Sicily', '15', '37', '200', 'km', 'STORE', 'dst'],
      ['GEORADIUSBYMEMBER', 'Sicily', 'Agrigento', '100', 'km', 'WITHDIST', 'ASC'],
      ['GEORADIUSBYMEMBER', 'Sicily', 'Agrigento', '100', 'km', 'STORE', 'dst3'],
      ['ZRANGE', 'dst3', '0', '-1', 'WITHSCORES'],
      ['GEORADIUSBYMEMBER', 'Sicily', 'nope', '100', 'km'],
      ['GEORADIUSBYMEMBER', 'missing', 'nope', '-100', 'yd'],
      ['GEORADIUSBYMEMBER', 'missing', 'nope', '100', 'km', 'STORE', 'dst3'],
      ['EXISTS', 'dst3'],
      ['GEORADIUSBYMEMBER_RO', 'Sicily', 'Palermo', '300', 'km', 'WITHCOORD', 'COUNT', '3', 'DESC'],
      ['GEORADIUSBYMEMBER_RO', 'Sicily', 'Palermo', '300', 'km', 'STOREDIST', 'x'],
    ]);
  });

  it('GEOSEARCH and GEOSEARCHSTORE: FROMMEMBER/FROMLONLAT, BYRADIUS/BYBOX, and every error', async () => {
    await pair.expectSame([
      SICILY,
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'ASC', 'WITHDIST'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '400', 'km', 'ASC', 'WITHDIST', 'WITHCOORD', 'WITHHASH'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '100', 'km', 'DESC'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '400', 'km', 'COUNT', '3', 'DESC'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '400', 'km', 'COUNT', '2', 'ANY'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '0', '0', 'BYRADIUS', '20000', 'km', 'ASC', 'COUNT', '4'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '0', '0', 'BYRADIUS', 'inf', 'km', 'ASC'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '179.9', '85', 'BYRADIUS', '5000', 'km', 'WITHCOORD'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '-179.9', '-85', 'BYBOX', '1', '1', 'km'],
      ['GEOSEARCH', 'missing', 'FROMMEMBER', 'x', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'BYBOX', '400', '400', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo'],
      ['geosearch', 'Sicily', 'FROMMEMBER', 'Palermo', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'BYBOX', '1', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'nope', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYBOX', '-1', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYBOX', 'x', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', 'y', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', '1', 'parsec'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '100', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STORE', 'x'],
      ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST'],
      ['GEOSEARCH', 'str', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'],
      ['GEOSEARCHSTORE', 'gdst', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST'],
      ['ZRANGE', 'gdst', '0', '-1', 'WITHSCORES'],
      ['GEOSEARCHSTORE', 'gdst', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYBOX', '500', '500', 'km', 'COUNT', '2', 'DESC'],
      ['ZRANGE', 'gdst', '0', '-1', 'WITHSCORES'],
      ['OBJECT', 'ENCODING', 'gdst'],
      ['GEOSEARCHSTORE', 'gdst', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'WITHDIST'],
      ['GEOSEARCHSTORE', 'gdst', 'missing', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'],
      ['EXISTS', 'gdst'],
      ['GEOSEARCHSTORE', 'gdst', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STORE', 'x'],
      ['GEOSEARCHSTORE', 'gdst', 'str', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'],
    ]);
  });

  it('searches centred on the top edge (longitude 180, latitude 85.05112878) find the boxes next to it', async () => {
    await pair.expectSame([
      ['FLUSHALL'],
      ['GEOADD', 'edge', '179.5', '0', 'b', '179.9867985', '0.5254042', 'a', '180', '0', 'am', '-179.5', '0', 'w', '0', '85', 'n'],
      ['GEOSEARCH', 'edge', 'FROMLONLAT', '180', '0', 'BYRADIUS', '100', 'km', 'ASC'],
      ['GEOSEARCH', 'edge', 'FROMMEMBER', 'am', 'BYRADIUS', '100', 'km', 'ASC'],
      ['GEOSEARCH', 'edge', 'FROMLONLAT', '-180', '0', 'BYRADIUS', '200', 'km', 'ASC'],
      ['GEOSEARCH', 'edge', 'FROMLONLAT', '180', '0', 'BYBOX', '300', '300', 'km', 'ASC'],
      ['GEOSEARCH', 'edge', 'FROMLONLAT', '180', '45', 'BYRADIUS', '20000', 'km', 'ASC'],
      ['GEOSEARCH', 'edge', 'FROMLONLAT', '0', '85.05112878', 'BYRADIUS', '50', 'km', 'WITHDIST'],
      ['GEOSEARCH', 'edge', 'FROMLONLAT', '-180', '85.05112878', 'BYRADIUS', '5000', 'km', 'WITHDIST', 'ASC'],
      ['GEORADIUS', 'edge', '180', '0', '100', 'km', 'ASC'],
    ]);
  });

  it('in RESP3: coordinates are doubles', async () => {
    await pair.both('HELLO', '3');
    try {
      await pair.expectSame([
        SICILY,
        ['GEOPOS', 'Sicily', 'Palermo', 'nope'],
        ['GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'WITHCOORD', 'WITHDIST', 'WITHHASH', 'ASC'],
        ['GEODIST', 'missing', 'a', 'b'],
        ['GEOHASH', 'Sicily', 'nope'],
      ]);
    } finally {
      await pair.both('HELLO', '2');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Generated sets and searches

const coordinate = (limit: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.double({ min: -limit, max: limit, noNaN: true }).map((d) => String(d)),
    fc.integer({ min: -limit, max: limit }).map(String),
    fc.integer({ min: -limit * 1000, max: limit * 1000 }).map((n) => (n / 1000).toFixed(3)),
  );
const longitude = coordinate(180);
const latitude = coordinate(85);
/** Members cluster around a few places, so that searches find some and ties happen. */
const place = fc.oneof(
  fc.tuple(longitude, latitude),
  fc.tuple(fc.constantFrom('13.361389', '15.087269', '0', '-179.99'), fc.constantFrom('38.115556', '37.502669', '0', '-84.9')),
);
const member = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
const unit = fc.constantFrom('m', 'km', 'mi', 'ft');
const radius = fc.oneof(fc.integer({ min: 0, max: 5000 }).map(String), fc.constantFrom('0.5', '20000', '100000'));
const options = fc.subarray(['WITHDIST', 'WITHCOORD', 'WITHHASH']).chain((w) =>
  fc.tuple(fc.constant(w), fc.constantFrom([], ['ASC'], ['DESC']), fc.constantFrom([], ['COUNT', '1'], ['COUNT', '3'], ['COUNT', '2', 'ANY'])).map(([a, b, c]) => [...a, ...b, ...c]),
);
const geoCommand = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.tuple(place, member), { minLength: 1, maxLength: 4 }).map((ps) => ['GEOADD', 'k', ...ps.flatMap(([[lon, lat], m]) => [lon, lat, m])]) },
  { weight: 2, arbitrary: fc.tuple(place, radius, unit, options).map(([[lon, lat], r, u, o]) => ['GEORADIUS', 'k', lon, lat, r, u, ...o]) },
  { weight: 2, arbitrary: fc.tuple(member, radius, unit, options).map(([m, r, u, o]) => ['GEOSEARCH', 'k', 'FROMMEMBER', m, 'BYRADIUS', r, u, ...o]) },
  { weight: 2, arbitrary: fc.tuple(place, radius, radius, unit, options).map(([[lon, lat], w, h, u, o]) => ['GEOSEARCH', 'k', 'FROMLONLAT', lon, lat, 'BYBOX', w, h, u, ...o]) },
  // Without STOREDIST: a stored distance shows all 17 digits, and V8's sin/cos/asin differ from
  // glibc's in the last bit for a few percent of arguments (the "%.4f" replies do not show it).
  { weight: 1, arbitrary: fc.tuple(member, radius, unit).map(([m, r, u]) => ['GEOSEARCHSTORE', 'dst', 'k', 'FROMMEMBER', m, 'BYRADIUS', r, u]) },
  { weight: 1, arbitrary: fc.tuple(member, member, unit).map(([a, b, u]) => ['GEODIST', 'k', a, b, u]) },
  { weight: 1, arbitrary: fc.array(member, { minLength: 1, maxLength: 3 }).map((ms) => ['GEOPOS', 'k', ...ms]) },
  { weight: 1, arbitrary: fc.array(member, { minLength: 1, maxLength: 3 }).map((ms) => ['GEOHASH', 'k', ...ms]) },
);

describe('generated geo sets and searches', () => {
  it('get the same replies and stored sets as on redis-server', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(geoCommand, { minLength: 1, maxLength: 20 }), async (script) => {
        const p = `g${run++}:`;
        for (const argv of script) {
          const sent = argv.map((a, i) => (i > 0 && (a === 'k' || a === 'dst') && i <= 2 ? p + a : a));
          const [s, r] = await pair.both(...sent);
          expect(s, sent.join(' ')).toBe(r);
        }
        for (const k of ['k', 'dst']) {
          const [s, r] = await pair.both('ZRANGE', p + k, '0', '-1', 'WITHSCORES');
          expect(s, `ZRANGE ${k}`).toBe(r);
        }
      }),
      { numRuns: 80 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Effects

describe('geo writes replay and notify as Redis does', () => {
  it('GEOADD replays as the ZADD it runs, with the "zadd" event', () => {
    const s = inProcess();
    s.run('GEOADD', 'g', 'CH', '13.361389', '38.115556', 'Palermo');
    s.run('GEOADD', 'g', 'NX', '13.361389', '38.115556', 'Palermo');
    expect(s.propagated).toEqual([['zadd', 'g', 'CH', '3479099956230698', 'Palermo']]);
    expect(s.events).toEqual(['zadd g']);
  });

  it('storing searches replay as sent, announce "georadiusstore" / "geosearchstore", and delete an empty result', () => {
    const s = inProcess();
    s.run('GEOADD', 'g', '13.361389', '38.115556', 'Palermo');
    s.reset();
    s.run('GEORADIUS', 'g', '13', '38', '100', 'km', 'STORE', 'd1');
    s.run('GEOSEARCHSTORE', 'd2', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km');
    s.run('GEOSEARCHSTORE', 'd2', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km');
    s.run('GEOSEARCHSTORE', 'd2', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km');
    s.run('GEORADIUS_RO', 'g', '13', '38', '100', 'km');
    expect(s.propagated).toEqual([
      ['GEORADIUS', 'g', '13', '38', '100', 'km', 'STORE', 'd1'],
      ['GEOSEARCHSTORE', 'd2', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCHSTORE', 'd2', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
    ]);
    expect(s.events).toEqual(['georadiusstore d1', 'geosearchstore d2', 'del d2']);
  });
});
