/*
 * Geo commands (Redis's geo.c): GEOADD GEOPOS GEODIST GEOHASH GEORADIUS GEORADIUSBYMEMBER (and
 * their _RO forms) GEOSEARCH GEOSEARCHSTORE.
 *
 * A geo set is a sorted set whose scores are 52-bit geohashes (types/geohash.ts). GEOADD is ZADD
 * on scores computed from the coordinates, and replays as that ZADD (Redis rewrites the command).
 * A search covers the centre's box and its eight neighbours with score ranges, keeps the members
 * inside the shape, sorts them by distance when asked (stable, as glibc's qsort; COUNT without ANY
 * uses Redis's partial quicksort, so ties are cut the same way) and replies or stores them.
 *
 * Replies: distances "%.4f" (WITHDIST, GEODIST) in the request's unit, coordinates the centre of
 * the member's box as "%.17Lf" without trailing zeros (RESP3: doubles), WITHHASH the score as an
 * integer. Replayed forms: GEORADIUS/GEORADIUSBYMEMBER with STORE and GEOSEARCHSTORE as sent, when
 * they changed the destination.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { doubleArgOrReply, intArgOrReply, isOpt, wrongType } from './args.js';
import { zaddCommand } from './zsets.js';
import { ERR_SYNTAX } from '../protocol/errors.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../keyspace/notify.js';
import { ZSet } from '../types/zset.js';
import { formatLongDoubleFixed, formatLongDoubleHuman, longDoubleFromDouble } from '../types/longdouble.js';
import {
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  boxScores,
  decodeScore,
  distance,
  distanceWithin,
  isNoBox,
  partialSort,
  positionScore,
  searchBoxes,
  standardGeohash,
  type Shape,
} from '../types/geohash.js';

const ERR_NO_MEMBER = 'ERR could not decode requested zset member';

// ---------------------------------------------------------------------------------------------
// Arguments and replies

/** The zset at key for reading: undefined when missing, null after a WRONGTYPE reply. */
function readGeoSet(c: Client, key: string): ZSet | undefined | null {
  const v = c.server.keyspace.lookupRead(c.db, key);
  if (v === undefined) return undefined;
  if (wrongType(c, v, 'zset')) return null;
  return v as ZSet;
}

/** extractLongLatOrReply: longitude and latitude at argv[at], within the limits. */
function lonLatOrReply(c: Client, argv: readonly string[], at: number): [number, number] | null {
  const lon = doubleArgOrReply(c, argv[at]);
  if (lon === null) return null;
  const lat = doubleArgOrReply(c, argv[at + 1]);
  if (lat === null) return null;
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    c.reply.error(`ERR invalid longitude,latitude pair ${printfF(lon)},${printfF(lat)}`);
    return null;
  }
  return [lon, lat];
}

/** C's "%f". */
function printfF(d: number): string {
  return formatLongDoubleFixed(longDoubleFromDouble(d), 6);
}

/** extractUnitOrReply: meters per unit, or null after the error. */
function unitOrReply(c: Client, arg: string): number | null {
  const u = arg.toLowerCase();
  if (u === 'm') return 1;
  if (u === 'km') return 1000;
  if (u === 'ft') return 0.3048;
  if (u === 'mi') return 1609.34;
  c.reply.error('ERR unsupported unit provided. please use M, KM, FT, MI');
  return null;
}

/** A non-negative distance argument; null after the error. */
function lengthOrReply(c: Client, arg: string, error: string, negativeError: string): number | null {
  const d = doubleArgOrReply(c, arg, error);
  if (d !== null && d < 0) {
    c.reply.error(negativeError);
    return null;
  }
  return d;
}

/** Redis's fixedpoint_d2string(d, 4): "%.4f" by rounding d * 10^4 to an integer, ties to even. */
function fixed4(d: number): string {
  if (d === 0) return '0.0000';
  const v = d * 10000;
  let r = Math.round(v);
  if (r - v === 0.5 && r % 2 !== 0) r -= 1;
  const digits = (Number.isSafeInteger(r) ? String(Math.abs(r)) : (r < 0 ? -BigInt(r) : BigInt(r)).toString()).padStart(5, '0');
  return `${r < 0 ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`;
}

/** addReplyHumanLongDouble: "%.17Lf" without trailing zeros; a double in RESP3. */
function replyCoordinate(c: Client, d: number): void {
  const s = formatLongDoubleHuman(longDoubleFromDouble(d));
  if (c.reply.resp === 3) c.reply.raw(',' + s + '\r\n');
  else c.reply.bulk(s);
}

/** (long long) of a score, as x86-64 converts: out of range gives INT64_MIN. */
function scoreAsInteger(score: number): number | bigint {
  const t = Math.trunc(score);
  if (Number.isSafeInteger(t)) return t;
  return t > -9223372036854775808 && t < 9223372036854775808 ? BigInt(t) : -9223372036854775808n;
}

// ---------------------------------------------------------------------------------------------
// GEOADD GEOPOS GEODIST GEOHASH

/** GEOADD key [NX|XX] [CH] lon lat member ...: ZADD key [options] score member ... */
function geoaddCommand(c: Client, argv: string[]): void {
  let nx = false;
  let xx = false;
  let at = 2;
  for (; at < argv.length; at++) {
    const opt = argv[at];
    if (isOpt(opt, 'NX')) nx = true;
    else if (isOpt(opt, 'XX')) xx = true;
    else if (!isOpt(opt, 'CH')) break;
  }
  if ((argv.length - at) % 3 !== 0 || (nx && xx)) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const zadd = ['zadd', ...argv.slice(1, at)];
  for (let j = at; j < argv.length; j += 3) {
    const xy = lonLatOrReply(c, argv, j);
    if (xy === null) return;
    zadd.push(positionScore(xy[0], xy[1]), argv[j + 2]);
  }
  zaddCommand(c, zadd);
}

function geoposCommand(c: Client, argv: string[]): void {
  const z = readGeoSet(c, argv[1]);
  if (z === null) return;
  c.reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = z?.score(argv[j]);
    if (score === undefined) {
      c.reply.nullArray();
      continue;
    }
    const [lon, lat] = decodeScore(score);
    c.reply.array(2);
    replyCoordinate(c, lon);
    replyCoordinate(c, lat);
  }
}

function geodistCommand(c: Client, argv: string[]): void {
  let toMeters = 1;
  if (argv.length === 5) {
    const u = unitOrReply(c, argv[4]);
    if (u === null) return;
    toMeters = u;
  } else if (argv.length > 5) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const z = readGeoSet(c, argv[1]);
  if (z === null) return;
  const s1 = z?.score(argv[2]);
  const s2 = s1 === undefined ? undefined : z!.score(argv[3]);
  if (s1 === undefined || s2 === undefined) {
    c.reply.nullBulk();
    return;
  }
  const [lon1, lat1] = decodeScore(s1);
  const [lon2, lat2] = decodeScore(s2);
  c.reply.bulk(fixed4(distance(lon1, lat1, lon2, lat2) / toMeters));
}

function geohashCommand(c: Client, argv: string[]): void {
  const z = readGeoSet(c, argv[1]);
  if (z === null) return;
  c.reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = z?.score(argv[j]);
    if (score === undefined) {
      c.reply.nullBulk();
      continue;
    }
    const [lon, lat] = decodeScore(score);
    c.reply.bulk(standardGeohash(lon, lat));
  }
}

// ---------------------------------------------------------------------------------------------
// Searches

const RADIUS_COORDS = 1 << 0;
const RADIUS_MEMBER = 1 << 1;
const RADIUS_NOSTORE = 1 << 2;
const GEOSEARCH = 1 << 3;
const GEOSEARCHSTORE = 1 << 4;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

interface GeoPoint {
  member: string;
  score: number;
  lon: number;
  lat: number;
  /** Meters while searching; in the request's unit once replied or stored. */
  dist: number;
}

function byDistanceAsc(a: GeoPoint, b: GeoPoint): number {
  return a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1;
}

function byDistanceDesc(a: GeoPoint, b: GeoPoint): number {
  return -byDistanceAsc(a, b);
}

/**
 * membersOfAllNeighbors: the members inside the shape, box after box. A box equal to the one
 * searched before it is skipped (except after the centre box, a quirk kept for equal replies).
 * With a limit (ANY) the search stops once it has that many.
 */
function membersInShape(z: ZSet, shape: Shape, limit: number): GeoPoint[] {
  const out: GeoPoint[] = [];
  const boxes = searchBoxes(shape);
  let lastProcessed = 0;
  for (let i = 0; i < boxes.length; i++) {
    const box = boxes[i];
    if (isNoBox(box)) continue;
    const prev = boxes[lastProcessed];
    if (lastProcessed !== 0 && box.bits === prev.bits && box.step === prev.step) continue;
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
    const [min, max] = boxScores(box);
    for (const m of z.rangeByScore({ min, max, minex: false, maxex: true }, false)) {
      const [lon, lat] = decodeScore(m.score);
      const dist = distanceWithin(shape, lon, lat);
      if (!(dist < 0)) out.push({ member: m.member, score: m.score, lon, lat, dist });
      if (out.length > 0 && limit > 0 && out.length >= limit) break;
    }
    lastProcessed = i;
  }
  return out;
}

/**
 * georadiusGeneric: GEORADIUS[_RO] key lon lat radius unit, GEORADIUSBYMEMBER[_RO] key member
 * radius unit, GEOSEARCH key, GEOSEARCHSTORE dst key, then the options. Checks in Redis's order:
 * the type of the source, the centre and radius of the GEORADIUS forms, each option as it comes,
 * then the combinations; a missing source answers empty (or deletes the destination).
 */
function georadiusGeneric(c: Client, argv: string[], srcIndex: number, flags: number): void {
  const ks = c.server.keyspace;
  const z = readGeoSet(c, argv[srcIndex]);
  if (z === null) return;
  const shape: Shape = { circle: true, xy: [0, 0], conversion: 0, radius: 0, width: 0, height: 0 };
  let storeKey: string | null = null;
  let storeDist = false;
  let baseArgs: number;
  if (flags & RADIUS_COORDS) {
    baseArgs = 6;
    const xy = lonLatOrReply(c, argv, 2);
    if (xy === null) return;
    shape.xy = xy;
    if (!radiusOrReply(c, argv, 4, shape)) return;
  } else if (flags & RADIUS_MEMBER) {
    baseArgs = 5;
    // Without a source there is nothing to decode; the arguments are still parsed for the reply form.
    if (z !== undefined) {
      const score = z.score(argv[2]);
      if (score === undefined) {
        c.reply.error(ERR_NO_MEMBER);
        return;
      }
      shape.xy = decodeScore(score);
      if (!radiusOrReply(c, argv, 3, shape)) return;
    }
  } else {
    baseArgs = flags & GEOSEARCHSTORE ? 3 : 2;
    if (flags & GEOSEARCHSTORE) storeKey = argv[1];
  }

  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLonLat = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const canStore = !(flags & RADIUS_NOSTORE) && !(flags & GEOSEARCH);
  const search = (flags & GEOSEARCH) !== 0;
  for (let i = baseArgs; i < argv.length; i++) {
    const arg = argv[i];
    const remaining = argv.length - i - 1;
    if (isOpt(arg, 'WITHDIST')) withDist = true;
    else if (isOpt(arg, 'WITHHASH')) withHash = true;
    else if (isOpt(arg, 'WITHCOORD')) withCoords = true;
    else if (isOpt(arg, 'ANY')) any = true;
    else if (isOpt(arg, 'ASC')) sort = SORT_ASC;
    else if (isOpt(arg, 'DESC')) sort = SORT_DESC;
    else if (isOpt(arg, 'COUNT') && remaining >= 1) {
      const n = intArgOrReply(c, argv[++i]);
      if (n === null) return;
      if (n <= 0) {
        c.reply.error('ERR COUNT must be > 0');
        return;
      }
      count = n;
    } else if ((isOpt(arg, 'STORE') || isOpt(arg, 'STOREDIST')) && remaining >= 1 && canStore) {
      storeDist = arg.length === 9;
      storeKey = argv[++i];
    } else if (isOpt(arg, 'STOREDIST') && flags & GEOSEARCHSTORE) {
      storeDist = true;
    } else if (isOpt(arg, 'FROMMEMBER') && remaining >= 1 && search && !fromLonLat) {
      const member = argv[++i];
      if (z !== undefined) {
        const score = z.score(member);
        if (score === undefined) {
          c.reply.error(ERR_NO_MEMBER);
          return;
        }
        shape.xy = decodeScore(score);
      }
      fromMember = true;
    } else if (isOpt(arg, 'FROMLONLAT') && remaining >= 2 && search && !fromMember) {
      const xy = lonLatOrReply(c, argv, i + 1);
      if (xy === null) return;
      shape.xy = xy;
      fromLonLat = true;
      i += 2;
    } else if (isOpt(arg, 'BYRADIUS') && remaining >= 2 && search && !byBox) {
      if (!radiusOrReply(c, argv, i + 1, shape)) return;
      byRadius = true;
      i += 2;
    } else if (isOpt(arg, 'BYBOX') && remaining >= 3 && search && !byRadius) {
      if (!boxOrReply(c, argv, i + 1, shape)) return;
      byBox = true;
      i += 3;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }

  if (storeKey !== null && (withDist || withHash || withCoords)) {
    const what = flags & GEOSEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS';
    c.reply.error(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
    return;
  }
  if (search && !(fromMember || fromLonLat)) {
    c.reply.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`);
    return;
  }
  if (search && !(byRadius || byBox)) {
    c.reply.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`);
    return;
  }
  if (any && count === 0) {
    c.reply.error('ERR the ANY argument requires COUNT argument');
    return;
  }

  if (z === undefined) {
    if (storeKey === null) c.reply.array(0);
    else {
      if (ks.delete(c.db, storeKey)) {
        ks.effects.keyChanged(c.db, storeKey, NOTIFY_GENERIC, 'del');
        ks.effects.propagate(c.db.id, argv);
      }
      c.reply.integer(0);
    }
    return;
  }

  // COUNT needs an order to pick the nearest: ascending unless ANY says any will do.
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;
  const points = membersInShape(z, shape, any ? count : 0);
  const returned = count === 0 || points.length < count ? points.length : count;
  if (sort !== SORT_NONE) {
    const cmp = sort === SORT_ASC ? byDistanceAsc : byDistanceDesc;
    if (returned === points.length) points.sort(cmp);
    else partialSort(points, cmp, 0, returned - 1);
  }

  if (storeKey === null) {
    replyPoints(c, points, returned, shape.conversion, withDist, withHash, withCoords);
    return;
  }
  const result = new ZSet();
  let maxLen = 0;
  for (let i = 0; i < returned; i++) {
    const p = points[i];
    result.set(p.member, storeDist ? p.dist / shape.conversion : p.score);
    if (p.member.length > maxLen) maxLen = p.member.length;
  }
  if (returned > 0) {
    const cfg = c.server.config;
    // Stored in the compact encoding when it fits (zsetConvertToListpackIfNeeded).
    result.settle(returned > cfg.getNumber('zset-max-listpack-entries') || maxLen > cfg.getNumber('zset-max-listpack-value'));
    ks.setKey(c.db, storeKey, result);
    ks.effects.keyChanged(c.db, storeKey, NOTIFY_ZSET, search ? 'geosearchstore' : 'georadiusstore');
    ks.effects.dirty += returned - 1;
    ks.effects.propagate(c.db.id, argv);
  } else if (ks.delete(c.db, storeKey)) {
    ks.effects.keyChanged(c.db, storeKey, NOTIFY_GENERIC, 'del');
    ks.effects.propagate(c.db.id, argv);
  }
  c.reply.integer(returned);
}

/** extractDistanceOrReply: <radius> <unit> at argv[at] into the shape. */
function radiusOrReply(c: Client, argv: readonly string[], at: number, shape: Shape): boolean {
  const radius = lengthOrReply(c, argv[at], 'ERR need numeric radius', 'ERR radius cannot be negative');
  if (radius === null) return false;
  const unit = unitOrReply(c, argv[at + 1]);
  if (unit === null) return false;
  shape.circle = true;
  shape.radius = radius;
  shape.conversion = unit;
  return true;
}

/** extractBoxOrReply: <width> <height> <unit> at argv[at] into the shape. */
function boxOrReply(c: Client, argv: readonly string[], at: number, shape: Shape): boolean {
  const width = doubleArgOrReply(c, argv[at], 'ERR need numeric width');
  if (width === null) return false;
  const height = doubleArgOrReply(c, argv[at + 1], 'ERR need numeric height');
  if (height === null) return false;
  if (height < 0 || width < 0) {
    c.reply.error('ERR height or width cannot be negative');
    return false;
  }
  const unit = unitOrReply(c, argv[at + 2]);
  if (unit === null) return false;
  shape.circle = false;
  shape.width = width;
  shape.height = height;
  shape.conversion = unit;
  return true;
}

/** The first `returned` points, bare or as [member, dist?, hash?, [lon, lat]?]. */
function replyPoints(c: Client, points: GeoPoint[], returned: number, conversion: number, withDist: boolean, withHash: boolean, withCoords: boolean): void {
  const r = c.reply;
  const options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoords ? 1 : 0);
  r.array(returned);
  for (let i = 0; i < returned; i++) {
    const p = points[i];
    if (options > 0) r.array(options + 1);
    r.bulk(p.member);
    if (withDist) r.bulk(fixed4(p.dist / conversion));
    if (withHash) r.integer(scoreAsInteger(p.score));
    if (withCoords) {
      r.array(2);
      replyCoordinate(c, p.lon);
      replyCoordinate(c, p.lat);
    }
  }
}

function georadiusCommand(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_COORDS);
}

function georadiusbymemberCommand(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_MEMBER);
}

function georadiusRoCommand(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_COORDS | RADIUS_NOSTORE);
}

function georadiusbymemberRoCommand(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_MEMBER | RADIUS_NOSTORE);
}

function geosearchCommand(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, GEOSEARCH);
}

function geosearchstoreCommand(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 2, GEOSEARCH | GEOSEARCHSTORE);
}

export const commands = [
  { name: 'geoadd', arity: -5, flags: ['write', 'denyoom'], acl: ['geo'], keys: [1, 1, 1], run: geoaddCommand },
  { name: 'geopos', arity: -2, flags: ['readonly'], acl: ['geo'], keys: [1, 1, 1], run: geoposCommand },
  { name: 'geodist', arity: -4, flags: ['readonly'], acl: ['geo'], keys: [1, 1, 1], run: geodistCommand },
  { name: 'geohash', arity: -2, flags: ['readonly'], acl: ['geo'], keys: [1, 1, 1], run: geohashCommand },
  { name: 'georadius', arity: -6, flags: ['write', 'denyoom', 'movablekeys'], acl: ['geo'], keys: [1, 1, 1], run: georadiusCommand },
  { name: 'georadius_ro', arity: -6, flags: ['readonly'], acl: ['geo'], keys: [1, 1, 1], run: georadiusRoCommand },
  { name: 'georadiusbymember', arity: -5, flags: ['write', 'denyoom', 'movablekeys'], acl: ['geo'], keys: [1, 1, 1], run: georadiusbymemberCommand },
  { name: 'georadiusbymember_ro', arity: -5, flags: ['readonly'], acl: ['geo'], keys: [1, 1, 1], run: georadiusbymemberRoCommand },
  { name: 'geosearch', arity: -7, flags: ['readonly'], acl: ['geo'], keys: [1, 1, 1], run: geosearchCommand },
  { name: 'geosearchstore', arity: -8, flags: ['write', 'denyoom'], acl: ['geo'], keys: [1, 2, 1], run: geosearchstoreCommand },
] satisfies CommandSpec[];
