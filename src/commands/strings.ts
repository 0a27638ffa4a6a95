/*
 * String commands (Redis's t_string.c).
 *
 * Values are bytes as latin1 strings, or numbers for canonical integers (see types/object.ts); a
 * command that stores user bytes stores storedString(bytes), so "007", "-0", "+1", " 1" and
 * integers beyond 2^53 stay exact strings. The size limit is proto-max-bulk-len, checked by every
 * command that grows a value (APPEND, SETRANGE).
 *
 * Replayed forms (Redis 7.0): SET/SETEX/PSETEX with an expire → SET key value PXAT <ms>; SET ... GET
 * → the same SET without GET; GETSET → SET; GETDEL → DEL; GETEX → PEXPIREAT <ms>, PERSIST, or DEL
 * when an absolute time has already passed; INCRBYFLOAT → SET key <result> KEEPTTL. Commands that
 * change nothing propagate nothing.
 */

import { constants as bufferConstants } from 'node:buffer';
import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { intArgOrReply, isOpt, wrongType } from './args.js';
import { ERR_INVALID_EXPIRE, ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_OVERFLOW, ERR_STRING_TOO_LONG, ERR_SYNTAX, errWrongArity } from '../protocol/errors.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../keyspace/notify.js';
import { stringOf, storedString, type Value } from '../types/object.js';
import { INT64_MAX, INT64_MIN, MAX_SAFE, parseInt64, parseSafeInt } from '../types/numbers.js';
import { addLongDouble, formatLongDoubleHuman, longDoubleFromInteger, parseLongDouble } from '../types/longdouble.js';
import { lcsTableBytes, longestCommonSubsequence } from '../types/lcs.js';

// ---------------------------------------------------------------------------------------------
// Low level: reading a string value, size limits, expire arguments

/** The string bytes at key for a read, or undefined (missing) / null (wrong type, error replied). */
function readString(c: Client, key: string): string | undefined | null {
  const v = c.server.keyspace.lookupRead(c.db, key);
  if (v === undefined) return undefined;
  if (wrongType(c, v, 'string')) return null;
  return stringOf(v as string | number);
}

/**
 * Redis's checkStringLength: a value may not grow beyond proto-max-bulk-len. V8's own string limit
 * (2^29 - 24 chars) sits a few bytes under the default 512 MB; reaching it gets the same error.
 */
function tooLong(c: Client, total: number): boolean {
  if (total > c.server.protoMaxBulkLen || total > bufferConstants.MAX_STRING_LENGTH) {
    c.reply.error(ERR_STRING_TOO_LONG);
    return true;
  }
  return false;
}

const OPT_NX = 1 << 0;
const OPT_XX = 1 << 1;
const OPT_GET = 1 << 2;
const OPT_KEEPTTL = 1 << 3;
const OPT_PERSIST = 1 << 4;
const OPT_EX = 1 << 5;
const OPT_PX = 1 << 6;
const OPT_EXAT = 1 << 7;
const OPT_PXAT = 1 << 8;
const OPT_EXPIRE = OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT;
const OPT_SECONDS = OPT_EX | OPT_EXAT;
const OPT_RELATIVE = OPT_EX | OPT_PX;
const OPT_ABSOLUTE = OPT_EXAT | OPT_PXAT;

/** Result of parseStringOptions; one shared instance, read right after the call (no allocation). */
const parsed = { flags: 0, expire: '' };

/**
 * Redis's parseExtendedStringArgumentsOrReply from argv[from..]: SET takes NX|XX, GET, KEEPTTL;
 * GETEX takes PERSIST; both take one of EX|PX|EXAT|PXAT <n>. A flag may repeat, and so may the same
 * expire option (the last value wins); conflicting or unknown options are a syntax error (replied,
 * returns false). Fills `parsed`.
 */
function parseStringOptions(c: Client, argv: readonly string[], from: number, forSet: boolean): boolean {
  let flags = 0;
  let expire = '';
  for (let j = from; j < argv.length; j++) {
    const opt = argv[j];
    let flag = 0;
    if (isOpt(opt, 'EX')) flag = OPT_EX;
    else if (isOpt(opt, 'PX')) flag = OPT_PX;
    else if (isOpt(opt, 'EXAT')) flag = OPT_EXAT;
    else if (isOpt(opt, 'PXAT')) flag = OPT_PXAT;
    if (flag !== 0) {
      if (j + 1 === argv.length || flags & (OPT_KEEPTTL | OPT_PERSIST | (OPT_EXPIRE & ~flag))) flag = 0;
      else expire = argv[++j];
    } else if (forSet) {
      if (isOpt(opt, 'NX')) flag = flags & OPT_XX ? 0 : OPT_NX;
      else if (isOpt(opt, 'XX')) flag = flags & OPT_NX ? 0 : OPT_XX;
      else if (isOpt(opt, 'GET')) flag = OPT_GET;
      else if (isOpt(opt, 'KEEPTTL')) flag = flags & OPT_EXPIRE ? 0 : OPT_KEEPTTL;
    } else if (isOpt(opt, 'PERSIST')) {
      flag = flags & OPT_EXPIRE ? 0 : OPT_PERSIST;
    }
    if (flag === 0) {
      c.reply.error(ERR_SYNTAX);
      return false;
    }
    flags |= flag;
  }
  parsed.flags = flags;
  parsed.expire = expire;
  return true;
}

/**
 * getExpireMillisecondsOrReply: the absolute unix time in ms an EX/PX/EXAT/PXAT argument means, or
 * null after replying the error (not an integer; ≤ 0; overflowing int64). A number when exact in a
 * double, else a bigint (absurd but valid times are propagated digit for digit).
 */
function expireTimeOrReply(c: Client, name: string, flags: number, arg: string): number | bigint | null {
  const fast = parseSafeInt(arg);
  if (fast !== undefined && fast > 0) {
    // Rounding is monotonic: a result ≤ 2^53 - 1 was computed exactly.
    const ms = (flags & OPT_SECONDS ? fast * 1000 : fast) + (flags & OPT_RELATIVE ? c.server.keyspace.now : 0);
    if (ms <= MAX_SAFE) return ms;
  }
  const n = parseInt64(arg);
  if (n === null) {
    c.reply.error(ERR_NOT_INTEGER);
    return null;
  }
  let ms = flags & OPT_SECONDS ? n * 1000n : n;
  if (flags & OPT_RELATIVE) ms += BigInt(c.server.keyspace.now);
  if (n <= 0n || (flags & OPT_SECONDS && n > INT64_MAX / 1000n) || ms > INT64_MAX) {
    c.reply.error(ERR_INVALID_EXPIRE(name));
    return null;
  }
  return ms;
}

// ---------------------------------------------------------------------------------------------
// SET and friends

function setCommand(c: Client, argv: string[]): void {
  if (!parseStringOptions(c, argv, 3, true)) return;
  setGeneric(c, 'set', argv, parsed.flags, argv[1], argv[2], parsed.flags & OPT_EXPIRE ? parsed.expire : null);
}

/**
 * setGenericCommand, for SET, SETEX and PSETEX. Order as Redis: the expire is validated first, then
 * GET replies the old value (or the type error), then NX/XX decide.
 */
function setGeneric(c: Client, name: string, argv: string[], flags: number, key: string, value: string, expireArg: string | null): void {
  const ks = c.server.keyspace;
  const db = c.db;
  let when: number | bigint = -1;
  if (expireArg !== null) {
    const ms = expireTimeOrReply(c, name, flags, expireArg);
    if (ms === null) return;
    when = ms;
  }
  if (flags & OPT_GET) {
    const old = readString(c, key);
    if (old === null) return;
    c.reply.bulkOrNull(old);
  }
  // Looking the key up first only matters for NX/XX, and for a stale key (in memory or cold) that
  // must expire, propagating its DEL, before the SET; otherwise setKey's own lookup is enough.
  const found = ((flags & (OPT_NX | OPT_XX)) !== 0 || db.expires.size !== 0 || db.coldVolatile !== 0) && ks.lookupWrite(db, key) !== undefined;
  if ((flags & OPT_NX && found) || (flags & OPT_XX && !found)) {
    if (!(flags & OPT_GET)) c.reply.nullBulk();
    return;
  }
  ks.setKey(db, key, storedString(value), (flags & OPT_KEEPTTL) !== 0);
  ks.effects.keyChanged(db, key, NOTIFY_STRING, 'set');
  if (expireArg !== null) {
    ks.setExpire(db, key, Number(when));
    ks.effects.notify(NOTIFY_GENERIC, 'expire', key, db.id);
    // Absolute, so that a replay later does not extend the TTL.
    ks.effects.propagate(db.id, ['SET', key, value, 'PXAT', String(when)]);
  } else if (flags & OPT_GET) {
    ks.effects.propagate(db.id, withoutGet(argv));
  } else {
    ks.effects.propagate(db.id, argv);
  }
  if (!(flags & OPT_GET)) c.reply.ok();
}

/** SET's argv without its GET options: a replica has no one to answer. */
function withoutGet(argv: readonly string[]): string[] {
  const out = argv.slice(0, 3);
  for (let j = 3; j < argv.length; j++) if (!isOpt(argv[j], 'GET')) out.push(argv[j]);
  return out;
}

function setnxCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const key = argv[1];
  if (ks.lookupWrite(c.db, key) !== undefined) {
    c.reply.integer(0);
    return;
  }
  ks.setKey(c.db, key, storedString(argv[2]));
  ks.effects.keyChanged(c.db, key, NOTIFY_STRING, 'set');
  ks.effects.propagate(c.db.id, argv);
  c.reply.integer(1);
}

function setexCommand(c: Client, argv: string[]): void {
  setGeneric(c, 'setex', argv, OPT_EX, argv[1], argv[3], argv[2]);
}

function psetexCommand(c: Client, argv: string[]): void {
  setGeneric(c, 'psetex', argv, OPT_PX, argv[1], argv[3], argv[2]);
}

function getCommand(c: Client, argv: string[]): void {
  const s = readString(c, argv[1]);
  if (s === null) return;
  c.reply.bulkOrNull(s);
}

/**
 * GETEX: GET that also sets or removes the TTL. Options are checked before the key, the expire
 * value only for an existing string key (a missing key answers nil whatever the value).
 */
function getexCommand(c: Client, argv: string[]): void {
  if (!parseStringOptions(c, argv, 2, false)) return;
  const flags = parsed.flags;
  const expireArg = parsed.expire;
  const ks = c.server.keyspace;
  const db = c.db;
  const key = argv[1];
  const s = readString(c, key);
  if (s === null) return;
  if (s === undefined) {
    c.reply.nullBulk();
    return;
  }
  let when: number | bigint = -1;
  if (flags & OPT_EXPIRE) {
    const ms = expireTimeOrReply(c, 'getex', flags, expireArg);
    if (ms === null) return;
    when = ms;
  }
  c.reply.bulk(s);
  if (flags & OPT_ABSOLUTE && when <= ks.now) {
    // A time already past deletes the key, as an expiry would.
    ks.delete(db, key);
    ks.effects.keyChanged(db, key, NOTIFY_GENERIC, 'del');
    ks.effects.propagate(db.id, [ks.lazyExpireUnlink ? 'UNLINK' : 'DEL', key]);
  } else if (flags & OPT_EXPIRE) {
    ks.setExpire(db, key, Number(when));
    ks.effects.keyChanged(db, key, NOTIFY_GENERIC, 'expire');
    ks.effects.propagate(db.id, ['PEXPIREAT', key, String(when)]);
  } else if (flags & OPT_PERSIST && ks.removeExpire(db, key)) {
    ks.effects.keyChanged(db, key, NOTIFY_GENERIC, 'persist');
    ks.effects.propagate(db.id, ['PERSIST', key]);
  }
}

function getsetCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const key = argv[1];
  const old = readString(c, key);
  if (old === null) return;
  c.reply.bulkOrNull(old);
  ks.setKey(c.db, key, storedString(argv[2]));
  ks.effects.keyChanged(c.db, key, NOTIFY_STRING, 'set');
  ks.effects.propagate(c.db.id, ['SET', key, argv[2]]);
}

function getdelCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const key = argv[1];
  const s = readString(c, key);
  if (s === null) return;
  c.reply.bulkOrNull(s);
  if (s === undefined) return;
  ks.delete(c.db, key);
  ks.effects.keyChanged(c.db, key, NOTIFY_GENERIC, 'del');
  ks.effects.propagate(c.db.id, ['DEL', key]);
}

function mgetCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  c.reply.array(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const v = ks.lookupRead(c.db, argv[i]);
    if (v === undefined || typeof v === 'object') c.reply.nullBulk();
    else c.reply.bulk(stringOf(v));
  }
}

function msetGeneric(c: Client, argv: string[], nx: boolean): void {
  if (argv.length % 2 === 0) {
    c.reply.error(errWrongArity(nx ? 'msetnx' : 'mset'));
    return;
  }
  const ks = c.server.keyspace;
  if (nx) {
    for (let i = 1; i < argv.length; i += 2) {
      if (ks.lookupWrite(c.db, argv[i]) !== undefined) {
        c.reply.integer(0);
        return;
      }
    }
  }
  for (let i = 1; i < argv.length; i += 2) {
    ks.setKey(c.db, argv[i], storedString(argv[i + 1]));
    ks.effects.keyChanged(c.db, argv[i], NOTIFY_STRING, 'set');
  }
  ks.effects.propagate(c.db.id, argv);
  if (nx) c.reply.integer(1);
  else c.reply.ok();
}

function msetCommand(c: Client, argv: string[]): void {
  msetGeneric(c, argv, false);
}

function msetnxCommand(c: Client, argv: string[]): void {
  msetGeneric(c, argv, true);
}

// ---------------------------------------------------------------------------------------------
// Counters

const MAX_SAFE_BIG = BigInt(MAX_SAFE);

/**
 * incrDecrCommand: adds `by` (an int64; a number when within ±2^53) to the integer at key, keeping
 * its TTL. JS numbers carry the common case; sums beyond 2^53 are redone exactly in bigint.
 */
function incrDecr(c: Client, argv: string[], by: bigint | number): void {
  const ks = c.server.keyspace;
  const db = c.db;
  const key = argv[1];
  const v = ks.lookupWrite(db, key);
  if (wrongType(c, v, 'string')) return;
  const base = v === undefined ? 0 : v;
  let next: number | bigint;
  if (typeof base === 'number' && typeof by === 'number' && Number.isSafeInteger(base + by)) {
    next = base + by;
  } else {
    const cur = v === undefined ? 0n : typeof v === 'number' ? BigInt(v) : parseInt64(v as string);
    if (cur === null) {
      c.reply.error(ERR_NOT_INTEGER);
      return;
    }
    const sum = cur + BigInt(by);
    if (sum > INT64_MAX || sum < INT64_MIN) {
      c.reply.error(ERR_OVERFLOW);
      return;
    }
    next = sum >= -MAX_SAFE_BIG && sum <= MAX_SAFE_BIG ? Number(sum) : sum;
  }
  const stored: Value = typeof next === 'number' ? next : next.toString();
  ks.overwrite(db, key, v, stored);
  ks.effects.keyChanged(db, key, NOTIFY_STRING, 'incrby');
  ks.effects.propagate(db.id, argv);
  c.reply.integer(next);
}

/** The int64 increment argument, as a number when exact; null after replying the error. */
function incrementOrReply(c: Client, arg: string): number | bigint | null {
  const fast = parseSafeInt(arg);
  if (fast !== undefined) return fast;
  const big = parseInt64(arg);
  if (big === null) c.reply.error(ERR_NOT_INTEGER);
  return big;
}

function incrCommand(c: Client, argv: string[]): void {
  incrDecr(c, argv, 1);
}

function decrCommand(c: Client, argv: string[]): void {
  incrDecr(c, argv, -1);
}

function incrbyCommand(c: Client, argv: string[]): void {
  const by = incrementOrReply(c, argv[2]);
  if (by !== null) incrDecr(c, argv, by);
}

function decrbyCommand(c: Client, argv: string[]): void {
  const by = incrementOrReply(c, argv[2]);
  if (by === null) return;
  if (by === INT64_MIN) {
    // -INT64_MIN does not exist in int64.
    c.reply.error('ERR decrement would overflow');
    return;
  }
  incrDecr(c, argv, typeof by === 'number' ? 0 - by : -by);
}

/**
 * INCRBYFLOAT computes in C long double (80-bit x87) and stores "%.17Lf" without trailing zeros,
 * so it is emulated exactly (types/longdouble.ts): 10.5 + 1.1 is "11.6", not a double's text.
 */
function incrbyfloatCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const db = c.db;
  const key = argv[1];
  const v = ks.lookupWrite(db, key);
  if (wrongType(c, v, 'string')) return;
  const cur = v === undefined ? longDoubleFromInteger(0) : typeof v === 'number' ? longDoubleFromInteger(v) : parseLongDouble(v as string);
  const incr = cur === null ? null : parseLongDouble(argv[2]);
  if (cur === null || incr === null) {
    c.reply.error(ERR_NOT_FLOAT);
    return;
  }
  const sum = addLongDouble(cur, incr);
  if (sum.kind !== 'finite') {
    c.reply.error('ERR increment would produce NaN or Infinity');
    return;
  }
  const text = formatLongDoubleHuman(sum);
  // Kept as text: Redis stores the result unencoded (embstr), never as an "int".
  ks.setKey(db, key, text, true);
  ks.effects.keyChanged(db, key, NOTIFY_STRING, 'incrbyfloat');
  // Replayed as the result, so float formatting can never make a replica or a reload differ.
  ks.effects.propagate(db.id, ['SET', key, text, 'KEEPTTL']);
  c.reply.bulk(text);
}

// ---------------------------------------------------------------------------------------------
// Byte operations

function appendCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const db = c.db;
  const key = argv[1];
  const v = ks.lookupWrite(db, key);
  if (wrongType(c, v, 'string')) return;
  let length: number;
  if (v === undefined) {
    ks.setKey(db, key, storedString(argv[2]));
    length = argv[2].length;
  } else {
    const cur = stringOf(v as string | number);
    if (tooLong(c, cur.length + argv[2].length)) return;
    const next = cur + argv[2];
    ks.overwrite(db, key, v, next);
    ks.markRaw(db, key);
    length = next.length;
  }
  ks.effects.keyChanged(db, key, NOTIFY_STRING, 'append');
  ks.effects.propagate(db.id, argv);
  c.reply.integer(length);
}

function strlenCommand(c: Client, argv: string[]): void {
  const s = readString(c, argv[1]);
  if (s === null) return;
  c.reply.integer(s === undefined ? 0 : s.length);
}

/** GETRANGE (and its old name SUBSTR): inclusive range, negative indexes from the end, clamped. */
function getrangeCommand(c: Client, argv: string[]): void {
  let start = intArgOrReply(c, argv[2]);
  if (start === null) return;
  let end = intArgOrReply(c, argv[3]);
  if (end === null) return;
  const s = readString(c, argv[1]);
  if (s === null) return;
  if (s === undefined || (start < 0 && end < 0 && start > end)) {
    c.reply.bulk('');
    return;
  }
  const len = s.length;
  if (start < 0) start = Math.max(len + start, 0);
  if (end < 0) end = Math.max(len + end, 0);
  if (end >= len) end = len - 1;
  c.reply.bulk(start > end || len === 0 ? '' : s.slice(start, end + 1));
}

/** SETRANGE: overwrites from offset, zero-padding a shorter (or missing) value first. */
function setrangeCommand(c: Client, argv: string[]): void {
  const offset = intArgOrReply(c, argv[2]);
  if (offset === null) return;
  if (offset < 0) {
    c.reply.error('ERR offset is out of range');
    return;
  }
  const ks = c.server.keyspace;
  const db = c.db;
  const key = argv[1];
  const value = argv[3];
  const v = ks.lookupWrite(db, key);
  if (wrongType(c, v, 'string')) return;
  const cur = v === undefined ? '' : stringOf(v as string | number);
  // Writing nothing changes nothing, and creates no key.
  if (value.length === 0) {
    c.reply.integer(cur.length);
    return;
  }
  if (tooLong(c, offset + value.length)) return;
  const next =
    offset >= cur.length ? cur + '\0'.repeat(offset - cur.length) + value : cur.slice(0, offset) + value + cur.slice(offset + value.length);
  ks.overwrite(db, key, v, next);
  ks.markRaw(db, key);
  ks.effects.keyChanged(db, key, NOTIFY_STRING, 'setrange');
  ks.effects.propagate(db.id, argv);
  c.reply.integer(next.length);
}

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]. Missing keys are empty strings. The
 * table is bounded by proto-max-bulk-len as in Redis, and a failed allocation is an error reply.
 */
function lcsCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const va = ks.lookupRead(c.db, argv[1]);
  const vb = ks.lookupRead(c.db, argv[2]);
  if ((va !== undefined && typeof va === 'object') || (vb !== undefined && typeof vb === 'object')) {
    c.reply.error('ERR The specified keys must contain string values');
    return;
  }
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    if (isOpt(opt, 'IDX')) getIdx = true;
    else if (isOpt(opt, 'LEN')) getLen = true;
    else if (isOpt(opt, 'WITHMATCHLEN')) withMatchLen = true;
    else if (isOpt(opt, 'MINMATCHLEN') && j + 1 < argv.length) {
      const n = intArgOrReply(c, argv[++j]);
      if (n === null) return;
      minMatchLen = Math.max(n, 0);
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  if (getLen && getIdx) {
    c.reply.error('ERR If you want both the length and indexes, please just use IDX.');
    return;
  }
  const a = va === undefined ? '' : stringOf(va);
  const b = vb === undefined ? '' : stringOf(vb);
  if (lcsTableBytes(a.length, b.length) > c.server.protoMaxBulkLen) {
    c.reply.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
    return;
  }
  let result;
  try {
    result = longestCommonSubsequence(a, b, !getLen && !getIdx, getIdx, minMatchLen);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    c.reply.error('ERR Insufficient memory, failed allocating transient memory for LCS');
    return;
  }
  if (getLen) {
    c.reply.integer(result.length);
  } else if (getIdx) {
    const ranges = result.ranges!;
    c.reply.map(2);
    c.reply.bulk('matches');
    c.reply.array(ranges.length);
    for (const r of ranges) {
      c.reply.array(withMatchLen ? 3 : 2);
      c.reply.array(2);
      c.reply.integer(r.aStart);
      c.reply.integer(r.aEnd);
      c.reply.array(2);
      c.reply.integer(r.bStart);
      c.reply.integer(r.bEnd);
      if (withMatchLen) c.reply.integer(r.aEnd - r.aStart + 1);
    }
    c.reply.bulk('len');
    c.reply.integer(result.length);
  } else {
    c.reply.bulk(result.text!);
  }
}

export const commands = [
  { name: 'get', arity: 2, flags: ['readonly', 'fast'], acl: ['string'], keys: [1, 1, 1], run: getCommand },
  { name: 'set', arity: -3, flags: ['write', 'denyoom'], acl: ['string'], keys: [1, 1, 1], run: setCommand },
  { name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: setnxCommand },
  { name: 'setex', arity: 4, flags: ['write', 'denyoom'], acl: ['string'], keys: [1, 1, 1], run: setexCommand },
  { name: 'psetex', arity: 4, flags: ['write', 'denyoom'], acl: ['string'], keys: [1, 1, 1], run: psetexCommand },
  { name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: getsetCommand },
  { name: 'getdel', arity: 2, flags: ['write', 'fast'], acl: ['string'], keys: [1, 1, 1], run: getdelCommand },
  { name: 'getex', arity: -2, flags: ['write', 'fast'], acl: ['string'], keys: [1, 1, 1], run: getexCommand },
  { name: 'mget', arity: -2, flags: ['readonly', 'fast'], acl: ['string'], keys: [1, -1, 1], run: mgetCommand },
  { name: 'mset', arity: -3, flags: ['write', 'denyoom'], acl: ['string'], keys: [1, -1, 2], run: msetCommand },
  { name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], acl: ['string'], keys: [1, -1, 2], run: msetnxCommand },
  { name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: incrCommand },
  { name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: decrCommand },
  { name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: incrbyCommand },
  { name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: decrbyCommand },
  { name: 'incrbyfloat', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: incrbyfloatCommand },
  { name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: appendCommand },
  { name: 'strlen', arity: 2, flags: ['readonly', 'fast'], acl: ['string'], keys: [1, 1, 1], run: strlenCommand },
  { name: 'getrange', arity: 4, flags: ['readonly'], acl: ['string'], keys: [1, 1, 1], run: getrangeCommand },
  { name: 'substr', arity: 4, flags: ['readonly'], acl: ['string'], keys: [1, 1, 1], run: getrangeCommand },
  { name: 'setrange', arity: 4, flags: ['write', 'denyoom'], acl: ['string'], keys: [1, 1, 1], run: setrangeCommand },
  { name: 'lcs', arity: -3, flags: ['readonly'], acl: ['string'], keys: [1, 2, 1], run: lcsCommand },
] satisfies CommandSpec[];
