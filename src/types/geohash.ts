/*
 * Redis's geohash (geohash.c, geohash_helper.c): positions as 52-bit interleaved integers, the
 * boxes that cover a search area, and distances on a sphere.
 *
 * Format facts: a position is encoded at step 26 as 26 bits of latitude in the even bit positions
 * and 26 bits of longitude in the odd ones, each the coordinate's offset within its range scaled to
 * 2^26 and truncated; latitudes are limited to ±85.05112878 (the Web Mercator square). The sorted
 * set score of a member is that integer (as a double). A box of `step` bits per coordinate covers
 * the scores from hash << (52 - 2*step) up to (hash + 1) << (52 - 2*step), excluded.
 *
 * Every computation follows Redis's order of floating point operations, so replies agree to the
 * last digit, with one exception: V8's sin/cos/asin and glibc's differ in the last bit for a few
 * percent of arguments, so a distance may differ by an ulp. "%.4f" replies never show it in
 * practice; a STOREDIST score (all 17 digits) or a point exactly on a search's edge can. Hash bits
 * of search boxes are bigints: uint64 arithmetic with wrap-around, as in C.
 */

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

const D_R = Math.PI / 180.0;
/** Earth's quadratic mean radius for WGS-84, in meters. */
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;

export interface Range {
  min: number;
  max: number;
}

/**
 * A box: its hash bits and its precision in bits per coordinate (both 0: no box). The bits are at
 * most 2 × 26 = 52, so a double holds them exactly; bitwise operations go through 32-bit halves.
 */
export interface HashBits {
  bits: number;
  step: number;
}

const TWO32 = 4294967296;
/** 2^i for i in 0..64, exact. */
const POW2 = Array.from({ length: 65 }, (_, i) => 2 ** i);

/** a & b for integers below 2^53. */
function and53(a: number, b: number): number {
  const hi = (Math.floor(a / TWO32) & Math.floor(b / TWO32)) >>> 0;
  return hi * TWO32 + ((a & b) >>> 0);
}

export interface Area {
  longitude: Range;
  latitude: Range;
}

export const WGS84_LONG: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
export const WGS84_LAT: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };

// ---------------------------------------------------------------------------------------------
// Interleaving: in 32-bit halves for speed where the values are small, bigints elsewhere

/** Spreads the low 16 bits of v to the even bit positions of a 32-bit word. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v >>> 0;
}

/** Gathers the even bit positions of a 32-bit word into 16 bits. */
function squeeze16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** interleave64(lat, long) as two 32-bit halves: lat bits even, long bits odd. */
function interleave(lat: number, lon: number): [hi: number, lo: number] {
  const lo = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  const hi = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  return [hi, lo];
}

/**
 * geohashEncode: the hash of a position at `step` bits per coordinate within the ranges, or null
 * when the position is outside the WGS84 limits or the ranges. The offsets are converted to
 * uint32 by truncation, as C does (a coordinate at the top of its range gives 2^step).
 */
export function encodeHalves(lonRange: Range, latRange: Range, longitude: number, latitude: number, step: number): [hi: number, lo: number] | null {
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latRange.min || latitude > latRange.max || longitude < lonRange.min || longitude > lonRange.max) return null;
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let lonOffset = (longitude - lonRange.min) / (lonRange.max - lonRange.min);
  latOffset *= 2 ** step;
  lonOffset *= 2 ** step;
  return interleave(Math.trunc(latOffset) >>> 0, Math.trunc(lonOffset) >>> 0);
}

export function encode(lonRange: Range, latRange: Range, longitude: number, latitude: number, step: number): HashBits | null {
  const h = encodeHalves(lonRange, latRange, longitude, latitude, step);
  return h === null ? null : { bits: h[0] * TWO32 + h[1], step };
}

/**
 * GEOADD's score: the step-26 hash of a valid position, as the decimal integer Redis hands to ZADD
 * (exact even where it exceeds 2^53, at the very top of the ranges).
 */
export function positionScore(longitude: number, latitude: number): string {
  const [hi, lo] = encodeHalves(WGS84_LONG, WGS84_LAT, longitude, latitude, GEO_STEP_MAX)!;
  return hi < 1 << 20 ? String(hi * TWO32 + lo) : ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/**
 * (uint64_t) of a double as x86-64 code compiled by GCC does it: truncation for [0, 2^64); a
 * negative value above -2^63 wraps (two's complement); anything else gives the "integer
 * indefinite" 2^63 (or 0 for 2^64 and above, after GCC's subtraction of 2^63).
 */
function doubleToUint64(d: number): [hi: number, lo: number] {
  const t = Math.trunc(d);
  if (t >= 0 && t < 18446744073709551616) {
    const hi = Math.floor(t / 4294967296);
    return [hi, t - hi * 4294967296];
  }
  if (t < 0 && t > -9223372036854775808) {
    const u = BigInt.asUintN(64, BigInt(t));
    return [Number(u >> 32n), Number(u & 0xffffffffn)];
  }
  return d >= 18446744073709551616 ? [0, 0] : [0x80000000, 0];
}

/** The lower edge of cell `i` of `div` along a range ([min, max) of the cell: cells i and i + 1). */
function cellEdge(range: Range, i: number, div: number): number {
  return range.min + (i / div) * (range.max - range.min);
}

function decodeArea(lonRange: Range, latRange: Range, ilato: number, ilono: number, step: number): Area {
  const div = POW2[step];
  // The + 1 is uint32 arithmetic in C: it wraps at 2^32.
  return {
    latitude: { min: cellEdge(latRange, ilato, div), max: cellEdge(latRange, (ilato + 1) >>> 0, div) },
    longitude: { min: cellEdge(lonRange, ilono, div), max: cellEdge(lonRange, (ilono + 1) >>> 0, div) },
  };
}

/** geohashDecode of a box hash. */
export function decode(lonRange: Range, latRange: Range, hash: HashBits): Area {
  const hi = Math.floor(hash.bits / TWO32);
  const lo = hash.bits >>> 0;
  return decodeArea(lonRange, latRange, deinterleaveLat(hi, lo), deinterleaveLon(hi, lo), hash.step);
}

function deinterleaveLat(hi: number, lo: number): number {
  return (squeeze16(lo) | (squeeze16(hi) << 16)) >>> 0;
}

function deinterleaveLon(hi: number, lo: number): number {
  return (squeeze16(lo >>> 1) | (squeeze16(hi >>> 1) << 16)) >>> 0;
}

/**
 * The position a sorted set score stands for (decodeGeohash): the centre of its step-26 box,
 * clamped to the limits. Any score decodes, as in Redis, even one no GEOADD produced.
 */
export function decodeScore(score: number): [longitude: number, latitude: number] {
  const [hi, lo] = doubleToUint64(score);
  const ilato = deinterleaveLat(hi, lo);
  const ilono = deinterleaveLon(hi, lo);
  const div = POW2[GEO_STEP_MAX];
  // The centre of the step-26 box, as (min + max) / 2 of decodeArea's edges.
  let lon = (cellEdge(WGS84_LONG, ilono, div) + cellEdge(WGS84_LONG, (ilono + 1) >>> 0, div)) / 2;
  if (lon > GEO_LONG_MAX) lon = GEO_LONG_MAX;
  if (lon < GEO_LONG_MIN) lon = GEO_LONG_MIN;
  let lat = (cellEdge(WGS84_LAT, ilato, div) + cellEdge(WGS84_LAT, (ilato + 1) >>> 0, div)) / 2;
  if (lat > GEO_LAT_MAX) lat = GEO_LAT_MAX;
  if (lat < GEO_LAT_MIN) lat = GEO_LAT_MIN;
  return [lon, lat];
}

const GEOALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/**
 * GEOHASH's 11-character standard geohash of a position: re-encoded with latitudes over ±90 (the
 * internal ranges differ), 52 bits in 10 characters, and a final '0'.
 */
export function standardGeohash(longitude: number, latitude: number): string {
  const h = encode({ min: -180, max: 180 }, { min: -90, max: 90 }, longitude, latitude, GEO_STEP_MAX);
  const bits = h === null ? 0 : h.bits;
  let out = '';
  for (let i = 0; i < 10; i++) out += GEOALPHABET[Math.floor(bits / 2 ** (52 - (i + 1) * 5)) % 32];
  return out + '0';
}

// ---------------------------------------------------------------------------------------------
// Neighbouring boxes

/**
 * geohash_move_x / geohash_move_y: one box along one axis, forward for d > 0, back for d < 0,
 * wrapping around. In the 2 × step bits, the odd bits are longitude and the even bits latitude;
 * `odd` selects the moving axis. The other axis's bits are filled with ones so that the carry or
 * borrow runs through them.
 */
function moveAlong(h: HashBits, d: number, odd: boolean): HashBits {
  const size = POW2[h.step * 2];
  const even = (size - 1) / 3; // 0b0101…01 over the 2 × step bits
  const moving = odd ? even * 2 : even;
  const fill = odd ? even : even * 2;
  const m = and53(h.bits, moving);
  // A point on the top edge (longitude 180, latitude 85.05112878) encodes with a bit just above
  // the 2 × step bits. As geohash_move_x/y, the moving axis is cut back to 2 × step bits (the
  // wrap below) and the other axis keeps all of its bits, that one included.
  const fixed = and53(h.bits, odd ? fill + size : fill + size * 2);
  // m and fill have no bit in common, so m | fill is their sum: forward, m + fill + 1 (at most
  // size); back, (m | fill) - (fill + 1) = m - 1 (at least -1). Both wrap modulo size.
  let moved = d > 0 ? m + fill + 1 : m - 1;
  if (moved === size) moved = 0;
  else if (moved < 0) moved = size - 1;
  return { bits: and53(moved, moving) + fixed, step: h.step };
}

/** One box east (d > 0) or west (d < 0). */
export function moveX(h: HashBits, d: number): HashBits {
  return moveAlong(h, d, true);
}

/** One box north (d > 0) or south (d < 0). */
export function moveY(h: HashBits, d: number): HashBits {
  return moveAlong(h, d, false);
}

const NO_BOX: HashBits = { bits: 0, step: 0 };

export function isNoBox(h: HashBits): boolean {
  return h.bits === 0 && h.step === 0;
}

// ---------------------------------------------------------------------------------------------
// Search areas and distances

/** A search: around (x, y) = (longitude, latitude), a radius or a width × height box, in units of `conversion` meters. */
export interface Shape {
  circle: boolean;
  xy: [number, number];
  conversion: number;
  radius: number;
  width: number;
  height: number;
}

function degRad(ang: number): number {
  return ang * D_R;
}

function radDeg(ang: number): number {
  return ang / D_R;
}

/** geohashEstimateStepsByRadius: the precision whose boxes are about the size of the radius. */
function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  // Boxes get narrower towards the poles.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** geohashBoundingBox: [min lon, min lat, max lon, max lat] of the shape. */
function boundingBox(shape: Shape): [number, number, number, number] {
  const [longitude, latitude] = shape.xy;
  const height = shape.conversion * (shape.circle ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.circle ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude - latDelta)));
  // The box is widest at the edge nearer the equator.
  const southern = latitude < 0;
  return [
    southern ? longitude - lonDeltaBottom : longitude - lonDeltaTop,
    latitude - latDelta,
    southern ? longitude + lonDeltaBottom : longitude + lonDeltaTop,
    latitude + latDelta,
  ];
}

/**
 * geohashCalculateAreasByShapeWGS84: the box of the centre and its eight neighbours, in the order
 * Redis searches them (centre, N, S, E, W, NE, NW, SE, SW); boxes that cannot hold a match are
 * "no box".
 */
export function searchBoxes(shape: Shape): HashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const [longitude, latitude] = shape.xy;
  let radiusMeters = shape.circle ? shape.radius : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radiusMeters *= shape.conversion;

  let steps = estimateSteps(radiusMeters, latitude);
  let hash = encode(WGS84_LONG, WGS84_LAT, longitude, latitude, steps)!;
  let n = neighbours(hash);
  let area = decode(WGS84_LONG, WGS84_LAT, hash);

  // Near the edge of a box the estimate may be too fine for a neighbour to reach the whole area.
  const north = decode(WGS84_LONG, WGS84_LAT, n.north);
  const south = decode(WGS84_LONG, WGS84_LAT, n.south);
  const east = decode(WGS84_LONG, WGS84_LAT, n.east);
  const west = decode(WGS84_LONG, WGS84_LAT, n.west);
  const decrease = north.latitude.max < maxLat || south.latitude.min > minLat || east.longitude.max < maxLon || west.longitude.min > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = encode(WGS84_LONG, WGS84_LAT, longitude, latitude, steps)!;
    n = neighbours(hash);
    area = decode(WGS84_LONG, WGS84_LAT, hash);
  }

  // Neighbours on a side the area does not reach are left out.
  if (steps >= 2) {
    if (area.latitude.min < minLat) n.south = n.southWest = n.southEast = NO_BOX;
    if (area.latitude.max > maxLat) n.north = n.northEast = n.northWest = NO_BOX;
    if (area.longitude.min < minLon) n.west = n.southWest = n.northWest = NO_BOX;
    if (area.longitude.max > maxLon) n.east = n.southEast = n.northEast = NO_BOX;
  }
  return [hash, n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest];
}

interface Neighbours {
  north: HashBits;
  south: HashBits;
  east: HashBits;
  west: HashBits;
  northEast: HashBits;
  northWest: HashBits;
  southEast: HashBits;
  southWest: HashBits;
}

function neighbours(h: HashBits): Neighbours {
  return {
    east: moveX(h, 1),
    west: moveX(h, -1),
    south: moveY(h, -1),
    north: moveY(h, 1),
    northWest: moveY(moveX(h, -1), 1),
    northEast: moveY(moveX(h, 1), 1),
    southEast: moveY(moveX(h, 1), -1),
    southWest: moveY(moveX(h, -1), -1),
  };
}

/** The score range [min, max) of the members inside a box. */
export function boxScores(h: HashBits): [number, number] {
  const scale = POW2[52 - h.step * 2];
  return [h.bits * scale, (h.bits + 1) * scale];
}

/** Great-circle distance in meters along a meridian. */
function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** geohashGetDistance: haversine distance in meters. */
export function distance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = Math.sin((lon2r - lon1r) / 2);
  // Same meridian: asin(sin(x)) is x.
  if (v === 0) return latDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/**
 * geoWithinShape for a decoded position: its distance from the centre in meters, or -1 when it
 * lies outside (a box tests the latitude span first, then the longitude span at the point's
 * latitude).
 */
export function distanceWithin(shape: Shape, lon: number, lat: number): number {
  const [cx, cy] = shape.xy;
  if (shape.circle) {
    const d = distance(cx, cy, lon, lat);
    return d > shape.radius * shape.conversion ? -1 : d;
  }
  const width = shape.width * shape.conversion;
  const height = shape.height * shape.conversion;
  if (latDistance(lat, cy) > height / 2) return -1;
  if (distance(lon, lat, cx, lat) > width / 2) return -1;
  return distance(cx, cy, lon, lat);
}

// ---------------------------------------------------------------------------------------------
// Partial sort

/**
 * Redis's pqsort (Bentley & McIlroy's quicksort that only recurses into partitions overlapping
 * positions lrange..rrange), element for element, so that a COUNT that cuts through equal
 * distances keeps the same members as Redis.
 */
export function partialSort<T>(a: T[], cmp: (x: T, y: T) => number, lrange: number, rrange: number): void {
  const swap = (i: number, j: number): void => {
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  };
  const vecswap = (i: number, j: number, n: number): void => {
    for (let k = 0; k < n; k++) swap(i + k, j + k);
  };
  const med3 = (i: number, j: number, k: number): number =>
    cmp(a[i], a[j]) < 0 ? (cmp(a[j], a[k]) < 0 ? j : cmp(a[i], a[k]) < 0 ? k : i) : cmp(a[j], a[k]) > 0 ? j : cmp(a[i], a[k]) < 0 ? i : k;
  const outside = (from: number, count: number): boolean => {
    const last = from + count - 1;
    return (lrange < from && rrange < from) || (lrange > last && rrange > last);
  };

  const sort = (base: number, n: number): void => {
    for (;;) {
      if (n < 7) {
        for (let pm = base + 1; pm < base + n; pm++) for (let pl = pm; pl > base && cmp(a[pl - 1], a[pl]) > 0; pl--) swap(pl, pl - 1);
        return;
      }
      let pm = base + Math.floor(n / 2);
      if (n > 7) {
        let pl = base;
        let pn = base + n - 1;
        if (n > 40) {
          const d = Math.floor(n / 8);
          pl = med3(pl, pl + d, pl + 2 * d);
          pm = med3(pm - d, pm, pm + d);
          pn = med3(pn - 2 * d, pn - d, pn);
        }
        pm = med3(pl, pm, pn);
      }
      swap(base, pm);
      let pa = base + 1;
      let pb = pa;
      let pc = base + n - 1;
      let pd = pc;
      for (;;) {
        let r: number;
        while (pb <= pc && (r = cmp(a[pb], a[base])) <= 0) {
          if (r === 0) swap(pa++, pb);
          pb++;
        }
        while (pb <= pc && (r = cmp(a[pc], a[base])) >= 0) {
          if (r === 0) swap(pc, pd--);
          pc--;
        }
        if (pb > pc) break;
        swap(pb++, pc--);
      }
      const pn = base + n;
      let r = Math.min(pa - base, pb - pa);
      vecswap(base, pb - r, r);
      r = Math.min(pd - pc, pn - pd - 1);
      vecswap(pb, pn - r, r);
      r = pb - pa;
      if (r > 1 && !outside(base, r)) sort(base, r);
      r = pd - pc;
      if (r > 1 && !outside(pn - r, r)) {
        base = pn - r;
        n = r;
        continue;
      }
      return;
    }
  };
  sort(0, a.length);
}
