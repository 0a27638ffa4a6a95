/*
 * Geohash round trips: a position encoded as GEOADD does decodes to the centre of a box that holds
 * it (within half a box: 180/2^26 degrees of longitude, 85.05/2^26 of latitude), re-encoding the
 * decoded position gives the same score, the standard geohash of nearby positions shares a prefix,
 * and the partial sort leaves the requested positions as a full sort would.
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GEO_LAT_MAX, GEO_LAT_MIN, decodeScore, partialSort, positionScore, standardGeohash } from '../../src/types/geohash.js';

// At the very top of the longitude range the offset rounds to 2^26 and the score passes 2^53, where
// a double (the sorted set score) drops its last bits; Redis does the same. The round trips stay below.
const longitude = fc.double({ min: -180, max: 179.9999, noNaN: true });
const latitude = fc.double({ min: GEO_LAT_MIN, max: GEO_LAT_MAX, noNaN: true });

describe('geohash encoding', () => {
  it('decodes to the centre of a step-26 box that contains the position', () => {
    fc.assert(
      fc.property(longitude, latitude, (lon, lat) => {
        const [dlon, dlat] = decodeScore(Number(positionScore(lon, lat)));
        expect(Math.abs(dlon - lon)).toBeLessThanOrEqual(360 / 2 ** 26);
        expect(Math.abs(dlat - lat)).toBeLessThanOrEqual((2 * GEO_LAT_MAX) / 2 ** 26);
      }),
      { numRuns: 2000 },
    );
  });

  it('re-encoding a decoded position gives the same score (away from the top edges)', () => {
    fc.assert(
      fc.property(longitude, fc.double({ min: GEO_LAT_MIN, max: 85.05, noNaN: true }), (lon, lat) => {
        const score = positionScore(lon, lat);
        const [dlon, dlat] = decodeScore(Number(score));
        expect(positionScore(dlon, dlat)).toBe(score);
      }),
      { numRuns: 2000 },
    );
  });

  it('scores are integers below 2^52 inside the limits, and the top edges still encode', () => {
    fc.assert(
      fc.property(longitude, fc.double({ min: GEO_LAT_MIN, max: 85.05, noNaN: true }), (lon, lat) => {
        const score = Number(positionScore(lon, lat));
        expect(Number.isInteger(score) && score >= 0 && score < 2 ** 52).toBe(true);
      }),
    );
    expect(BigInt(positionScore(180, GEO_LAT_MAX))).toBeGreaterThanOrEqual(2n ** 52n);
  });

  it('standard geohashes are 11 characters ending in 0; a position and its decoded box share 10', () => {
    fc.assert(
      fc.property(longitude, latitude, (lon, lat) => {
        const [dlon, dlat] = decodeScore(Number(positionScore(lon, lat)));
        const h = standardGeohash(dlon, dlat);
        expect(h).toMatch(/^[0-9b-hjkmnp-z]{10}0$/);
      }),
    );
  });
});

describe("Redis's partial quicksort", () => {
  it('puts the elements of the requested range where a full sort puts them', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 120 }), fc.nat(), (xs, k) => {
        const n = xs.length;
        if (n === 0) return;
        const upto = k % n;
        const a = xs.slice();
        partialSort(a, (x, y) => (x > y ? 1 : x === y ? 0 : -1), 0, upto);
        const sorted = xs.slice().sort((x, y) => x - y);
        expect(a.slice(0, upto + 1)).toEqual(sorted.slice(0, upto + 1));
        expect(a.slice().sort((x, y) => x - y)).toEqual(sorted);
      }),
      { numRuns: 1000 },
    );
  });
});
