/*
 * Geohash round trips: a position encoded as GEOADD does decodes to the centre of a box that holds
 * it (within half a box: 180/2^26 degrees of longitude, 85.05/2^26 of latitude), re-encoding the
 * decoded position gives the same score, the standard geohash of nearby positions shares a prefix,
 * the partial sort leaves the requested positions as a full sort would, and a step east, west,
 * north or south lands on the adjacent box.
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GEO_LAT_MAX, GEO_LAT_MIN, WGS84_LAT, WGS84_LONG, decode, decodeScore, encode, moveX, moveY, partialSort, positionScore, standardGeohash } from '../../src/types/geohash.js';

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

describe('geohash neighbours', () => {
  /** geohash_move_x / _y as Redis writes them, on 64-bit integers (bigint). */
  function referenceMove(bits: bigint, step: number, d: number, alongX: boolean): bigint {
    const [moving, fixed] = alongX ? [0xaaaaaaaaaaaaaaaan, 0x5555555555555555n] : [0x5555555555555555n, 0xaaaaaaaaaaaaaaaan];
    let m = bits & moving;
    const f = bits & fixed;
    const shift = BigInt(64 - step * 2);
    const fill = fixed >> shift;
    m = d > 0 ? m + (fill + 1n) : (m | fill) - (fill + 1n);
    return (BigInt.asUintN(64, m) & (moving >> shift)) | f;
  }

  it('moves as the 64-bit reference for any box hash, carries and wrap-arounds included', () => {
    const hash = fc.integer({ min: 1, max: 26 }).chain((step) =>
      fc.tuple(fc.constant(step), fc.oneof(fc.bigInt({ min: 0n, max: 2n ** BigInt(2 * step) - 1n }), fc.constantFrom(0n, 2n ** BigInt(2 * step) - 1n))),
    );
    fc.assert(
      fc.property(hash, fc.constantFrom(1, -1), fc.boolean(), ([step, bits], d, alongX) => {
        const h = { bits: Number(bits), step };
        const moved = alongX ? moveX(h, d) : moveY(h, d);
        expect(moved.step).toBe(step);
        expect(BigInt(moved.bits)).toBe(referenceMove(bits, step, d, alongX));
      }),
      { numRuns: 3000 },
    );
  });

  it('one step east, west, north or south is the adjacent box of the same size', () => {
    fc.assert(
      // Below the top edges, where the offset can round up to the next box (as in Redis).
      fc.property(longitude, fc.double({ min: GEO_LAT_MIN, max: 85.05, noNaN: true }), fc.integer({ min: 1, max: 26 }), (lon, lat, step) => {
        const h = encode(WGS84_LONG, WGS84_LAT, lon, lat, step)!;
        const here = decode(WGS84_LONG, WGS84_LAT, h);
        const [east, west, north, south] = [moveX(h, 1), moveX(h, -1), moveY(h, 1), moveY(h, -1)].map((m) => decode(WGS84_LONG, WGS84_LAT, m));
        for (const side of [east, west]) expect(side.latitude).toEqual(here.latitude);
        for (const side of [north, south]) expect(side.longitude).toEqual(here.longitude);
        // At the edges a step wraps around to the other side.
        expect(east.longitude.min).toBe(here.longitude.max === WGS84_LONG.max ? WGS84_LONG.min : here.longitude.max);
        expect(west.longitude.max).toBe(here.longitude.min === WGS84_LONG.min ? WGS84_LONG.max : here.longitude.min);
        expect(north.latitude.min).toBe(here.latitude.max === WGS84_LAT.max ? WGS84_LAT.min : here.latitude.max);
        expect(south.latitude.max).toBe(here.latitude.min === WGS84_LAT.min ? WGS84_LAT.max : here.latitude.min);
      }),
      { numRuns: 2000 },
    );
  });
});
