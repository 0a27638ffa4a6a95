/*
 * Hash commands (Redis 7.0's t_hash.c), plus Redis 7.4's field expiration (HEXPIRE ... HPERSIST).
 *
 * Every command reaches its hash through `lookupHash`, which first removes the fields whose TTL has
 * passed (keyspace/field-expire.ts): expired fields are invisible to every hash command, and a hash
 * whose last field expired is gone. A hash never stays empty: commands that remove fields delete
 * the key with its last field.
 * Replayed forms: HINCRBYFLOAT → HSET key field <result> (Redis 7.0: no float drift on replay);
 * HEXPIRE/HPEXPIRE/HEXPIREAT → HPEXPIREAT key <abs ms> [cond] FIELDS n <fields that were set>,
 * preceded by HDEL for fields deleted because their time had passed (7.4); a command that changed
 * nothing is not propagated; the rest as sent.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { intArgOrReply, isOpt, wrongType } from './args.js';
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_SYNTAX, errWrongArity } from '../protocol/errors.js';
import { NOTIFY_GENERIC, NOTIFY_HASH } from '../keyspace/notify.js';
import { expireDueFields, trackFieldExpiry } from '../keyspace/field-expire.js';
import { HashObject } from '../types/hash.js';
import { addLongDouble, formatLongDoubleHuman, isFiniteLongDouble, parseLongDouble } from '../types/longdouble.js';
import { parseInt64, parseSafeInt } from '../types/numbers.js';
import { collectionLimits, LONG_MAX_HALF, MAX_RANDOM_PICKS, parseCollectionCursor, parseRandomCount, parseScanOptions, pickDistinct, replyEmptyScan, replyScan } from './collections.js';
import { mixDigest, newDigest, registerValueDigest, xorDigest } from '../keyspace/digest.js';

// ---------------------------------------------------------------------------------------------
// Lookup and limits

/**
 * The hash at key, after expiring its due fields; undefined when there is none, null after a
 * WRONGTYPE reply.
 */
function lookupHash(c: Client, key: string, write: boolean): HashObject | undefined | null {
  const ks = c.server.keyspace;
  const v = write ? ks.lookupWrite(c.db, key) : ks.lookupRead(c.db, key);
  if (v === undefined) return undefined;
  if (wrongType(c, v, 'hash')) return null;
  const hash = v as HashObject;
  if (hash.supportsTtls && expireDueFields(ks, c.db, key, hash)) return undefined;
  return hash;
}

/** The hash at key for a write, created (and stored) when missing; null after WRONGTYPE. */
function hashForWrite(c: Client, key: string): HashObject | null {
  const found = lookupHash(c, key, true);
  if (found !== undefined) return found;
  const hash = new HashObject();
  c.server.keyspace.setKey(c.db, key, hash);
  return hash;
}

// ---------------------------------------------------------------------------------------------
// Writes

function hsetCommand(c: Client, argv: string[]): void {
  if (argv.length % 2 === 1) {
    c.reply.error(errWrongArity(argv[0].toLowerCase()));
    return;
  }
  const key = argv[1];
  const hash = hashForWrite(c, key);
  if (hash === null) return;
  const limits = collectionLimits(c);
  hash.convertForArgs(argv, 2, argv.length - 1, limits);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (hash.set(argv[i], argv[i + 1], limits)) created++;
  // HMSET and HSET differ only in the reply (Redis tells them apart by the second letter).
  const cmd = argv[0];
  if (cmd.charCodeAt(1) === 115 || cmd.charCodeAt(1) === 83) c.reply.integer(created);
  else c.reply.ok();
  const effects = c.server.keyspace.effects;
  effects.keyChanged(c.db, key, NOTIFY_HASH, 'hset');
  effects.dirty += (argv.length - 2) / 2 - 1;
  effects.propagate(c.db.id, argv);
}

function hsetnxCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const hash = hashForWrite(c, key);
  if (hash === null) return;
  if (hash.has(argv[2])) {
    c.reply.integer(0);
    return;
  }
  const limits = collectionLimits(c);
  hash.convertForArgs(argv, 2, 3, limits);
  hash.set(argv[2], argv[3], limits);
  c.reply.integer(1);
  const effects = c.server.keyspace.effects;
  effects.keyChanged(c.db, key, NOTIFY_HASH, 'hset');
  effects.propagate(c.db.id, argv);
}

function hdelCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const hash = lookupHash(c, key, true);
  if (hash === null) return;
  if (hash === undefined) {
    c.reply.integer(0);
    return;
  }
  let deleted = 0;
  let keyRemoved = false;
  for (let i = 2; i < argv.length; i++) {
    if (!hash.delete(argv[i])) continue;
    deleted++;
    if (hash.size === 0) {
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    const effects = c.server.keyspace.effects;
    if (keyRemoved) c.server.keyspace.delete(c.db, key);
    effects.keyChanged(c.db, key, NOTIFY_HASH, 'hdel');
    if (keyRemoved) effects.notify(NOTIFY_GENERIC, 'del', key, c.db.id);
    effects.dirty += deleted - 1;
    effects.propagate(c.db.id, argv);
  }
  c.reply.integer(deleted);
}

/** The int64 text of a field value, or null when it is not one (string2ll). */
function int64Of(s: string): number | bigint | null {
  const n = parseSafeInt(s);
  return n !== undefined ? n : parseInt64(s);
}

function hincrbyCommand(c: Client, argv: string[]): void {
  const incr = int64Of(argv[3]);
  if (incr === null) {
    c.reply.error(ERR_NOT_INTEGER);
    return;
  }
  const key = argv[1];
  const hash = hashForWrite(c, key);
  if (hash === null) return;
  const field = argv[2];
  const current = hash.get(field);
  let value: number | bigint = 0;
  if (current !== undefined) {
    const parsed = int64Of(current);
    if (parsed === null) {
      c.reply.error('ERR hash value is not an integer');
      return;
    }
    value = parsed;
  }
  let next: number | bigint;
  if (typeof value === 'number' && typeof incr === 'number' && Number.isSafeInteger(value + incr)) {
    next = value + incr;
  } else {
    const sum = BigInt(value) + BigInt(incr);
    if (sum > 9223372036854775807n || sum < -9223372036854775808n) {
      c.reply.error('ERR increment or decrement would overflow');
      return;
    }
    next = sum;
  }
  hash.set(field, String(next), collectionLimits(c), true);
  c.reply.integer(next);
  const effects = c.server.keyspace.effects;
  effects.keyChanged(c.db, key, NOTIFY_HASH, 'hincrby');
  effects.propagate(c.db.id, argv);
}

/** Like INCRBYFLOAT, in emulated x87 long double (types/longdouble.ts), so the text equals Redis's. */
function hincrbyfloatCommand(c: Client, argv: string[]): void {
  const incr = parseLongDouble(argv[3]);
  if (incr === null) {
    c.reply.error(ERR_NOT_FLOAT);
    return;
  }
  if (!isFiniteLongDouble(incr)) {
    c.reply.error('ERR value is NaN or Infinity');
    return;
  }
  const key = argv[1];
  const hash = hashForWrite(c, key);
  if (hash === null) return;
  const field = argv[2];
  const current = hash.get(field);
  const base = current === undefined ? parseLongDouble('0')! : parseLongDouble(current);
  if (base === null) {
    c.reply.error('ERR hash value is not a float');
    return;
  }
  const sum = addLongDouble(base, incr);
  if (!isFiniteLongDouble(sum)) {
    c.reply.error('ERR increment would produce NaN or Infinity');
    return;
  }
  const result = formatLongDoubleHuman(sum);
  hash.set(field, result, collectionLimits(c), true);
  c.reply.bulk(result);
  const effects = c.server.keyspace.effects;
  effects.keyChanged(c.db, key, NOTIFY_HASH, 'hincrbyfloat');
  // Replayed as HSET with the result, so precision or formatting cannot drift on replay.
  effects.propagate(c.db.id, ['HSET', key, field, result]);
}

// ---------------------------------------------------------------------------------------------
// Reads

function hgetCommand(c: Client, argv: string[]): void {
  const hash = lookupHash(c, argv[1], false);
  if (hash === null) return;
  c.reply.bulkOrNull(hash?.get(argv[2]));
}

function hmgetCommand(c: Client, argv: string[]): void {
  const hash = lookupHash(c, argv[1], false);
  if (hash === null) return;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.bulkOrNull(hash?.get(argv[i]));
}

function hlenCommand(c: Client, argv: string[]): void {
  const hash = lookupHash(c, argv[1], false);
  if (hash === null) return;
  c.reply.integer(hash === undefined ? 0 : hash.size);
}

function hstrlenCommand(c: Client, argv: string[]): void {
  const hash = lookupHash(c, argv[1], false);
  if (hash === null) return;
  c.reply.integer(hash?.get(argv[2])?.length ?? 0);
}

function hexistsCommand(c: Client, argv: string[]): void {
  const hash = lookupHash(c, argv[1], false);
  if (hash === null) return;
  c.reply.integer(hash !== undefined && hash.has(argv[2]) ? 1 : 0);
}

const KEYS = 1;
const VALUES = 2;

/** HKEYS, HVALS, HGETALL (a map in RESP3 when both keys and values are asked for). */
function getAll(c: Client, key: string, what: number): void {
  const hash = lookupHash(c, key, false);
  if (hash === null) return;
  const n = hash === undefined ? 0 : hash.size;
  if (what === (KEYS | VALUES)) c.reply.map(n);
  else c.reply.array(n);
  for (let i = 0; i < n; i++) {
    if (what & KEYS) c.reply.bulk(hash!.fieldAt(i));
    if (what & VALUES) c.reply.bulk(hash!.valueAt(i));
  }
}

function hkeysCommand(c: Client, argv: string[]): void {
  getAll(c, argv[1], KEYS);
}

function hvalsCommand(c: Client, argv: string[]): void {
  getAll(c, argv[1], VALUES);
}

function hgetallCommand(c: Client, argv: string[]): void {
  getAll(c, argv[1], KEYS | VALUES);
}

function hscanCommand(c: Client, argv: string[]): void {
  const cursor = parseCollectionCursor(c, argv[2]);
  if (cursor === null) return;
  const hash = lookupHash(c, argv[1], false);
  if (hash === null) return;
  if (hash === undefined) {
    replyEmptyScan(c);
    return;
  }
  const opts = parseScanOptions(c, argv);
  if (opts === null) return;
  const items: string[] = [];
  const next = hash.scan(cursor, opts.count, items);
  replyScan(c, next, items, opts.pattern, true);
}

/** One field (and its value) of HRANDFIELD's reply: RESP3 nests each pair in a 2-array. */
function replyRandomField(c: Client, hash: HashObject, i: number, withValues: boolean): void {
  if (withValues && c.reply.resp === 3) c.reply.array(2);
  c.reply.bulk(hash.fieldAt(i));
  if (withValues) c.reply.bulk(hash.valueAt(i));
}


function hrandfieldCommand(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    const hash = lookupHash(c, argv[1], false);
    if (hash === null) return;
    if (hash === undefined) c.reply.nullBulk();
    else c.reply.bulk(hash.fieldAt(hash.randomIndex()));
    return;
  }
  const big = parseRandomCount(c, argv[2]);
  if (big === null) return;
  if (argv.length > 4 || (argv.length === 4 && !isOpt(argv[3], 'WITHVALUES'))) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const withValues = argv.length === 4;
  if (withValues && (big < -LONG_MAX_HALF || big > LONG_MAX_HALF)) {
    c.reply.error('ERR value is out of range');
    return;
  }
  const l = Number(big);
  const hash = lookupHash(c, argv[1], false);
  if (hash === null) return;
  if (hash === undefined || l === 0) {
    c.reply.array(0);
    return;
  }
  const size = hash.size;
  const perEntry = withValues && c.reply.resp === 2 ? 2 : 1;
  if (l < 0 || l === 1) {
    // Repetitions allowed: `count` independent picks, in random order.
    const count = Math.abs(l);
    if (count > MAX_RANDOM_PICKS) {
      c.reply.error('ERR value is out of range');
      return;
    }
    c.reply.array(count * perEntry);
    for (let n = 0; n < count; n++) replyRandomField(c, hash, hash.randomIndex(), withValues);
    return;
  }
  if (l >= size) {
    c.reply.array(size * perEntry);
    for (let i = 0; i < size; i++) replyRandomField(c, hash, i, withValues);
    return;
  }
  const picked = pickDistinct(size, l);
  c.reply.array(l * perEntry);
  for (const i of picked) replyRandomField(c, hash, i, withValues);
}

// ---------------------------------------------------------------------------------------------
// Field expiration (Redis 7.4)

/** 7.4's HFE_MAX_ABS_TIME_MSEC: the latest absolute expiry a field can have. */
const MAX_FIELD_EXPIRE_MS = 70368744177663;

const COND_NONE = 0;
const COND_NX = 1;
const COND_XX = 2;
const COND_GT = 3;
const COND_LT = 4;

/** Per-field replies of H*EXPIRE* (and HTTL's / HPERSIST's -2 and -1). */
const NO_FIELD = -2;
const NO_TTL = -1;
const CONDITION_NOT_MET = 0;
const EXPIRE_SET = 1;
const DELETED_NOW = 2;

function conditionOf(arg: string): number {
  if (isOpt(arg, 'NX')) return COND_NX;
  if (isOpt(arg, 'XX')) return COND_XX;
  if (isOpt(arg, 'GT')) return COND_GT;
  if (isOpt(arg, 'LT')) return COND_LT;
  return COND_NONE;
}

/**
 * FIELDS numfields field...: checks the keyword at argv[at-1] and the count at argv[at] against
 * the arguments that follow. Returns the count, or null after replying Redis 7.4's error.
 */
function parseFields(c: Client, argv: readonly string[], at: number, countError: string): number | null {
  if (!isOpt(argv[at - 1], 'FIELDS')) {
    c.reply.error('ERR Mandatory argument FIELDS is missing or not at the right position');
    return null;
  }
  const n = parseInt64(argv[at]);
  if (n === null || n < 1n) {
    c.reply.error(countError);
    return null;
  }
  if (n !== BigInt(argv.length - at - 1)) {
    c.reply.error('ERR The `numfields` parameter must match the number of arguments');
    return null;
  }
  return Number(n);
}

/** Every field missing: numFields times -2. */
function replyAllMissing(c: Client, n: number): void {
  c.reply.array(n);
  for (let i = 0; i < n; i++) c.reply.integer(NO_FIELD);
}

/** HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT: `base` is now for the relative forms, else 0. */
function hexpireGeneric(c: Client, argv: string[], base: number, seconds: boolean): void {
  const ks = c.server.keyspace;
  const db = c.db;
  const key = argv[1];
  const hash = lookupHash(c, key, true);
  if (hash === null) return;
  let when = intArgOrReply(c, argv[2]);
  if (when === null) return;
  if (when < 0) {
    c.reply.error('ERR invalid expire time, must be >= 0');
    return;
  }
  const expireTimeError = `ERR invalid expire time in '${argv[0].toLowerCase()}' command`;
  if (seconds) {
    if (when > Math.floor(MAX_FIELD_EXPIRE_MS / 1000)) {
      c.reply.error(expireTimeError);
      return;
    }
    when *= 1000;
  }
  if (when > MAX_FIELD_EXPIRE_MS - base) {
    c.reply.error(expireTimeError);
    return;
  }
  when += base;
  const cond = conditionOf(argv[3]);
  const fieldsAt = cond === COND_NONE ? 4 : 5;
  const n = parseFields(c, argv, fieldsAt, 'ERR Parameter `numFields` should be greater than 0');
  if (n === null) return;
  if (hash === undefined) {
    replyAllMissing(c, n);
    return;
  }
  hash.enableTtls();
  const effects = ks.effects;
  // An expiry already in the past deletes the field (not while loading: the log has its HDEL).
  const pastDeletes = when <= ks.now && !ks.loading;
  const updated: string[] = [];
  let deleted = 0;
  c.reply.array(n);
  for (let i = fieldsAt + 1; i < argv.length; i++) {
    const field = argv[i];
    let res: number;
    if (!hash.has(field)) {
      res = NO_FIELD;
    } else {
      const prev = hash.getExpire(field);
      const met =
        prev === -1
          ? cond !== COND_XX && cond !== COND_GT
          : !(cond === COND_NX || (cond === COND_GT && prev >= when) || (cond === COND_LT && prev <= when));
      if (!met) {
        res = CONDITION_NOT_MET;
      } else if (pastDeletes) {
        effects.propagate(db.id, ['HDEL', key, field]);
        hash.delete(field);
        deleted++;
        res = DELETED_NOW;
      } else {
        hash.setExpire(field, when);
        updated.push(field);
        res = EXPIRE_SET;
      }
    }
    c.reply.integer(res);
  }
  if (deleted + updated.length === 0) return;
  if (deleted > 0 && hash.size === 0) {
    ks.delete(db, key);
    effects.keyChanged(db, key, NOTIFY_HASH, 'hdel');
    effects.notify(NOTIFY_GENERIC, 'del', key, db.id);
  } else {
    effects.keyChanged(db, key, NOTIFY_HASH, deleted > 0 ? 'hdel' : 'hexpire');
    trackFieldExpiry(db, key, hash);
  }
  effects.dirty += deleted + updated.length - 1;
  if (updated.length === 0) return;
  const replayed = ['HPEXPIREAT', key, String(when)];
  if (cond !== COND_NONE) replayed.push(argv[3]);
  replayed.push('FIELDS', String(updated.length), ...updated);
  effects.propagate(db.id, replayed);
}

function hexpireCommand(c: Client, argv: string[]): void {
  hexpireGeneric(c, argv, c.server.keyspace.now, true);
}

function hpexpireCommand(c: Client, argv: string[]): void {
  hexpireGeneric(c, argv, c.server.keyspace.now, false);
}

function hexpireatCommand(c: Client, argv: string[]): void {
  hexpireGeneric(c, argv, 0, true);
}

function hpexpireatCommand(c: Client, argv: string[]): void {
  hexpireGeneric(c, argv, 0, false);
}

/** HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME: `base` is now for the TTL forms, else 0. */
function httlGeneric(c: Client, argv: string[], base: number, seconds: boolean): void {
  const hash = lookupHash(c, argv[1], false);
  if (hash === null) return;
  const n = parseFields(c, argv, 3, 'ERR Number of fields must be a positive integer');
  if (n === null) return;
  if (hash === undefined) {
    replyAllMissing(c, n);
    return;
  }
  c.reply.array(n);
  for (let i = 4; i < argv.length; i++) {
    const field = argv[i];
    if (!hash.has(field)) {
      c.reply.integer(NO_FIELD);
      continue;
    }
    const when = hash.getExpire(field);
    if (when === -1) c.reply.integer(NO_TTL);
    else c.reply.integer(seconds ? Math.floor((when + 999 - base) / 1000) : when - base);
  }
}

function httlCommand(c: Client, argv: string[]): void {
  httlGeneric(c, argv, c.server.keyspace.now, true);
}

function hpttlCommand(c: Client, argv: string[]): void {
  httlGeneric(c, argv, c.server.keyspace.now, false);
}

function hexpiretimeCommand(c: Client, argv: string[]): void {
  httlGeneric(c, argv, 0, true);
}

function hpexpiretimeCommand(c: Client, argv: string[]): void {
  httlGeneric(c, argv, 0, false);
}

function hpersistCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const hash = lookupHash(c, key, true);
  if (hash === null) return;
  const n = parseFields(c, argv, 3, 'ERR Number of fields must be a positive integer');
  if (n === null) return;
  if (hash === undefined) {
    replyAllMissing(c, n);
    return;
  }
  let changed = false;
  c.reply.array(n);
  for (let i = 4; i < argv.length; i++) {
    const field = argv[i];
    if (!hash.has(field)) c.reply.integer(NO_FIELD);
    else if (!hash.persist(field)) c.reply.integer(NO_TTL);
    else {
      c.reply.integer(1);
      changed = true;
    }
  }
  if (!changed) return;
  const effects = c.server.keyspace.effects;
  effects.keyChanged(c.db, key, NOTIFY_HASH, 'hpersist');
  effects.propagate(c.db.id, argv);
}

// DEBUG DIGEST (xorObjectDigest): per field, a fresh digest of mix(field) mix(value).
registerValueDigest('hash', (digest, value) => {
  const h = value as HashObject;
  for (let i = 0; i < h.size; i++) {
    const ele = newDigest();
    mixDigest(ele, h.fieldAt(i));
    mixDigest(ele, h.valueAt(i));
    xorDigest(digest, ele);
  }
});

export const commands = [
  { name: 'hset', arity: -4, flags: ['write', 'denyoom', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hsetCommand },
  { name: 'hmset', arity: -4, flags: ['write', 'denyoom', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hsetCommand },
  { name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hsetnxCommand },
  { name: 'hget', arity: 3, flags: ['readonly', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hgetCommand },
  { name: 'hmget', arity: -3, flags: ['readonly', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hmgetCommand },
  { name: 'hdel', arity: -3, flags: ['write', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hdelCommand },
  { name: 'hlen', arity: 2, flags: ['readonly', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hlenCommand },
  { name: 'hstrlen', arity: 3, flags: ['readonly', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hstrlenCommand },
  { name: 'hexists', arity: 3, flags: ['readonly', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hexistsCommand },
  { name: 'hkeys', arity: 2, flags: ['readonly'], acl: ['hash'], keys: [1, 1, 1], run: hkeysCommand },
  { name: 'hvals', arity: 2, flags: ['readonly'], acl: ['hash'], keys: [1, 1, 1], run: hvalsCommand },
  { name: 'hgetall', arity: 2, flags: ['readonly'], acl: ['hash'], keys: [1, 1, 1], run: hgetallCommand },
  { name: 'hincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hincrbyCommand },
  { name: 'hincrbyfloat', arity: 4, flags: ['write', 'denyoom', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hincrbyfloatCommand },
  { name: 'hrandfield', arity: -2, flags: ['readonly'], acl: ['hash'], keys: [1, 1, 1], run: hrandfieldCommand },
  { name: 'hscan', arity: -3, flags: ['readonly'], acl: ['hash'], keys: [1, 1, 1], run: hscanCommand },
  // Redis 7.4 hash field expiration.
  { name: 'hexpire', arity: -6, flags: ['write', 'denyoom', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hexpireCommand },
  { name: 'hpexpire', arity: -6, flags: ['write', 'denyoom', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hpexpireCommand },
  { name: 'hexpireat', arity: -6, flags: ['write', 'denyoom', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hexpireatCommand },
  { name: 'hpexpireat', arity: -6, flags: ['write', 'denyoom', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hpexpireatCommand },
  { name: 'httl', arity: -5, flags: ['readonly', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: httlCommand },
  { name: 'hpttl', arity: -5, flags: ['readonly', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hpttlCommand },
  { name: 'hexpiretime', arity: -5, flags: ['readonly', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hexpiretimeCommand },
  { name: 'hpexpiretime', arity: -5, flags: ['readonly', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hpexpiretimeCommand },
  { name: 'hpersist', arity: -5, flags: ['write', 'fast'], acl: ['hash'], keys: [1, 1, 1], run: hpersistCommand },
] satisfies CommandSpec[];
