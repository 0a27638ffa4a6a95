/*
 * Keyspace commands (Redis's db.c, expire.c and OBJECT from object.c): DEL UNLINK EXISTS TOUCH TYPE,
 * RENAME RENAMENX MOVE COPY, KEYS SCAN RANDOMKEY DBSIZE, OBJECT, the EXPIRE and TTL families,
 * PERSIST, SWAPDB FLUSHDB FLUSHALL.
 *
 * As in Redis, a command is propagated only when it changed something (dirty went up), except
 * FLUSHDB / FLUSHALL, which are always propagated (forceCommandPropagation). Replayed forms:
 * EXPIRE / PEXPIRE / EXPIREAT → PEXPIREAT <absolute ms> (a replay must not move the deadline), or
 * DEL / UNLINK when the time is already past; every other command as sent (DEL stays DEL, UNLINK
 * stays UNLINK, FLUSHALL keeps its ASYNC/SYNC, MOVE and COPY name their target db).
 *
 * Dirty accounting follows Redis: one per key for DEL/UNLINK, one per command for RENAME, MOVE,
 * COPY, SWAPDB and the expiry commands, the number of removed keys for the flushes.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import type { Db } from '../keyspace/db.js';
import { intArgOrReply, isOpt } from './args.js';
import { ERR_DB_INDEX, ERR_INVALID_EXPIRE, ERR_NO_SUCH_KEY, ERR_NOT_INTEGER, ERR_SAME_OBJECT, ERR_SYNTAX } from '../protocol/errors.js';
import { NOTIFY_GENERIC, NOTIFY_NEW } from '../keyspace/notify.js';
import { typeOfValue, type Value } from '../types/object.js';
import { INT64_MAX, INT64_MIN, parseInt64, parseSafeInt } from '../types/numbers.js';
import { globMatch } from '../types/glob.js';
import { dumpPayload } from '../../storage/rdb/writer.js';
import { RdbCursor, readValue } from '../../storage/rdb/reader.js';
import { openPayload } from '../../storage/rdb/payload.js';
import { fromRdbValue, toRdbValue } from '../keyspace/rdb-values.js';
import { HashObject } from '../types/hash.js';
import { trackFieldExpiry } from '../keyspace/field-expire.js';

// ---------------------------------------------------------------------------------------------
// Arguments

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * A database index argument (getIntFromObjectOrReply, then selectDb): the Db, or null after
 * replying the error. `custom` replaces both the not-an-integer and the not-an-int32 errors.
 */
function dbArgOrReply(c: Client, arg: string, custom?: string): Db | null {
  const id = intArgOrReply(c, arg, custom ?? ERR_NOT_INTEGER);
  if (id === null) return null;
  if (id < INT32_MIN || id > INT32_MAX) {
    c.reply.error(custom ?? `ERR value is out of range, value must between ${INT32_MIN} and ${INT32_MAX}`);
    return null;
  }
  const dbs = c.server.keyspace.dbs;
  if (id < 0 || id >= dbs.length) {
    c.reply.error(ERR_DB_INDEX);
    return null;
  }
  return dbs[id];
}

// ---------------------------------------------------------------------------------------------
// Existence and deletion

/** DEL and UNLINK: memory is reclaimed by the GC either way, so they differ only in name. */
function delCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const db = c.db;
  let deleted = 0;
  for (let j = 1; j < argv.length; j++) {
    const key = argv[j];
    if (ks.lookupWrite(db, key) === undefined) continue;
    ks.delete(db, key);
    ks.effects.keyChanged(db, key, NOTIFY_GENERIC, 'del');
    deleted++;
  }
  if (deleted > 0) ks.effects.propagate(db.id, argv);
  c.reply.integer(deleted);
}

/**
 * EXISTS and TOUCH: the number of arguments naming a live key, duplicates counted. They differ
 * only in that TOUCH updates the access time (LRU/LFU), which the eviction issue adds to lookupRead.
 */
function existsCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  let count = 0;
  for (let j = 1; j < argv.length; j++) if (ks.lookupRead(c.db, argv[j]) !== undefined) count++;
  c.reply.integer(count);
}

function typeCommand(c: Client, argv: string[]): void {
  const v = c.server.keyspace.lookupRead(c.db, argv[1]);
  c.reply.simple(v === undefined ? 'none' : typeOfValue(v));
}

// ---------------------------------------------------------------------------------------------
// Renaming, moving, copying

/**
 * RENAME / RENAMENX. The TTL travels with the value. Renaming a key to itself is a no-op that
 * still requires the key (Redis 7.0: OK, or 0 for RENAMENX, and nothing is propagated).
 */
function renameGeneric(c: Client, argv: string[], nx: boolean): void {
  const ks = c.server.keyspace;
  const db = c.db;
  const from = argv[1];
  const to = argv[2];
  if (ks.lookupWrite(db, from) === undefined) {
    c.reply.error(ERR_NO_SUCH_KEY);
    return;
  }
  if (from === to) {
    if (nx) c.reply.integer(0);
    else c.reply.ok();
    return;
  }
  if (ks.lookupWrite(db, to) !== undefined) {
    if (nx) {
      c.reply.integer(0);
      return;
    }
    ks.delete(db, to);
  }
  ks.moveKey(db, from, db, to);
  const effects = ks.effects;
  effects.notify(NOTIFY_NEW, 'new', to, db.id);
  // Both keys are signalled and notified, but the command counts as one change (dirty + 1).
  effects.keyChanged(db, from, NOTIFY_GENERIC, 'rename_from');
  effects.touchWatchedKey(db, to);
  effects.notify(NOTIFY_GENERIC, 'rename_to', to, db.id);
  effects.propagate(db.id, argv);
  if (nx) c.reply.integer(1);
  else c.reply.ok();
}

function renameCommand(c: Client, argv: string[]): void {
  renameGeneric(c, argv, false);
}

function renamenxCommand(c: Client, argv: string[]): void {
  renameGeneric(c, argv, true);
}

/** MOVE key db: 1 when moved; 0 when the key is missing here or already exists there. */
function moveCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const src = c.db;
  const key = argv[1];
  const dst = dbArgOrReply(c, argv[2]);
  if (dst === null) return;
  if (dst === src) {
    c.reply.error(ERR_SAME_OBJECT);
    return;
  }
  if (ks.lookupWrite(src, key) === undefined || ks.lookupWrite(dst, key) !== undefined) {
    c.reply.integer(0);
    return;
  }
  ks.moveKey(src, key, dst, key);
  const effects = ks.effects;
  effects.notify(NOTIFY_NEW, 'new', key, dst.id);
  effects.keyChanged(src, key, NOTIFY_GENERIC, 'move_from');
  effects.touchWatchedKey(dst, key);
  effects.notify(NOTIFY_GENERIC, 'move_to', key, dst.id);
  effects.propagate(src.id, argv);
  c.reply.integer(1);
}

/** COPY source destination [DB db] [REPLACE]. The copy is deep and keeps the TTL. */
function copyCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const src = c.db;
  let dst = c.db;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    if (isOpt(argv[j], 'REPLACE')) {
      replace = true;
    } else if (isOpt(argv[j], 'DB') && j + 1 < argv.length) {
      const db = dbArgOrReply(c, argv[++j]);
      if (db === null) return;
      dst = db;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const from = argv[1];
  const to = argv[2];
  if (src === dst && from === to) {
    c.reply.error(ERR_SAME_OBJECT);
    return;
  }
  // The source is read (hit/miss statistics), the destination looked up for writing.
  if (ks.lookupRead(src, from) === undefined) {
    c.reply.integer(0);
    return;
  }
  if (ks.lookupWrite(dst, to) !== undefined) {
    if (!replace) {
      c.reply.integer(0);
      return;
    }
    ks.delete(dst, to);
  }
  ks.copyKey(src, from, dst, to);
  ks.effects.notify(NOTIFY_NEW, 'new', to, dst.id);
  ks.effects.keyChanged(dst, to, NOTIFY_GENERIC, 'copy_to');
  ks.effects.propagate(src.id, argv);
  c.reply.integer(1);
}

// ---------------------------------------------------------------------------------------------
// Iteration

/**
 * KEYS pattern, over both tiers: logically expired keys are skipped but, as in Redis, not deleted
 * here (cold keys are not brought back either).
 */
function keysCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const db = c.db;
  const pattern = argv[1];
  const all = pattern === '*';
  const found: string[] = [];
  for (const key of db.dict.keys()) {
    if ((all || globMatch(pattern, key)) && !ks.isExpired(db, key)) found.push(key);
  }
  const cold: string[] = [];
  let at: Buffer | null = null;
  do {
    cold.length = 0;
    at = ks.coldKeysAfter(db, at, 1024, cold);
    for (const key of cold) if (all || globMatch(pattern, key)) found.push(key);
  } while (at !== null);
  c.reply.bulks(found);
}

const UINT64_MAX = 18446744073709551615n;

/**
 * parseScanCursorOrReply, which is C's strtoul: optional sign then decimal digits ("" is 0, a
 * negative value wraps modulo 2^64), no leading space, nothing after, at most 2^64-1 in magnitude.
 * Returns the cursor (values beyond 2^53 only need to be "not one of ours") or null.
 */
export function parseScanCursor(s: string): number | null {
  const fast = parseSafeInt(s);
  if (fast !== undefined && fast >= 0) return fast;
  if (s === '') return 0;
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  const negative = s.charCodeAt(0) === 45;
  const magnitude = BigInt(negative ? s.slice(1) : s);
  if (magnitude > UINT64_MAX) return null;
  return Number(negative && magnitude !== 0n ? UINT64_MAX + 1n - magnitude : magnitude);
}

/**
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. The keyspace walks `count` keys (the
 * cursor scheme and its guarantee are described at ScanCursors in keyspace/db.ts); the filters run
 * afterwards, as in Redis, so a call may return fewer keys than COUNT, even none, before the end.
 */
function scanCommand(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(argv[1]);
  if (cursor === null) {
    c.reply.error('ERR invalid cursor');
    return;
  }
  let count = 10;
  let pattern: string | null = null;
  let type: string | null = null;
  for (let i = 2; i < argv.length; i += 2) {
    const hasValue = i + 1 < argv.length;
    if (isOpt(argv[i], 'COUNT') && hasValue) {
      const n = intArgOrReply(c, argv[i + 1]);
      if (n === null) return;
      if (n < 1) {
        c.reply.error(ERR_SYNTAX);
        return;
      }
      count = n;
    } else if (isOpt(argv[i], 'MATCH') && hasValue) {
      // "*" matches everything: no filtering at all.
      pattern = argv[i + 1] === '*' ? null : argv[i + 1];
    } else if (isOpt(argv[i], 'TYPE') && hasValue) {
      type = argv[i + 1].toLowerCase();
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const ks = c.server.keyspace;
  const db = c.db;
  const keys: string[] = [];
  const next = ks.scan(db, cursor, count, keys);
  let kept = 0;
  for (const key of keys) {
    if (pattern !== null && !globMatch(pattern, key)) continue;
    if (type !== null) {
      const v = ks.lookupRead(db, key);
      if ((v === undefined ? 'none' : typeOfValue(v)) !== type) continue;
    }
    if (ks.expireIfNeeded(db, key)) continue;
    keys[kept++] = key;
  }
  keys.length = kept;
  c.reply.array(2);
  c.reply.bulk(String(next));
  c.reply.bulks(keys);
}

function randomkeyCommand(c: Client): void {
  c.reply.bulkOrNull(c.server.keyspace.randomKey(c.db));
}

/** Keys in the dict, logically expired ones included (as Redis's dictSize). */
function dbsizeCommand(c: Client): void {
  c.reply.integer(c.db.size);
}

// ---------------------------------------------------------------------------------------------
// OBJECT

/** OBJECT's lookup (LOOKUP_NOTOUCH | LOOKUP_NONOTIFY); replies null when the key is missing. */
function objectLookupOrReply(c: Client, key: string): Value | undefined {
  const v = c.server.keyspace.lookupRead(c.db, key, false);
  if (v === undefined) c.reply.nullBulk();
  return v;
}


function objectEncodingCommand(c: Client, argv: string[]): void {
  const v = objectLookupOrReply(c, argv[2]);
  if (v === undefined) return;
  c.reply.bulk(typeof v === 'object' ? v.encoding() : c.server.keyspace.stringEncoding(c.db, argv[2], v));
}

/** Redis's OBJ_SHARED_REFCOUNT: what a shared object (the integers 0..9999) reports. */
const SHARED_REFCOUNT = INT32_MAX;
const SHARED_INTEGERS = 10000;

/**
 * Redis shares the objects of the integers 0..9999 unless maxmemory is set with an LRU/LFU policy
 * (each key then needs its own access data). This decides by the current config; Redis decides
 * when the value is created.
 */
function objectRefcountCommand(c: Client, argv: string[]): void {
  const v = objectLookupOrReply(c, argv[2]);
  if (v === undefined) return;
  const cfg = c.server.config;
  const sharedAllowed = cfg.getNumber('maxmemory') === 0 || !/-(lru|lfu)$/.test(cfg.getString('maxmemory-policy'));
  const shared = sharedAllowed && typeof v === 'number' && v >= 0 && v < SHARED_INTEGERS;
  c.reply.integer(shared ? SHARED_REFCOUNT : 1);
}

function objectIdletimeCommand(c: Client, argv: string[]): void {
  if (objectLookupOrReply(c, argv[2]) === undefined) return;
  const ks = c.server.keyspace;
  if (ks.lfu) {
    c.reply.error(
      'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
    return;
  }
  c.reply.integer(ks.idleSeconds(c.db, argv[2]));
}

function objectFreqCommand(c: Client, argv: string[]): void {
  if (objectLookupOrReply(c, argv[2]) === undefined) return;
  const ks = c.server.keyspace;
  if (!ks.lfu) {
    c.reply.error(
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
    return;
  }
  c.reply.integer(ks.frequency(c.db, argv[2]));
}

const OBJECT_HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

/** addReplyHelp: a header naming the command, the lines, then HELP itself, as status replies. */
function replyHelp(c: Client, command: string, lines: readonly string[]): void {
  c.reply.array(lines.length + 3);
  c.reply.simple(`${command.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) c.reply.simple(line);
  c.reply.simple('HELP');
  c.reply.simple('    Prints this help.');
}

function objectHelpCommand(c: Client, argv: string[]): void {
  replyHelp(c, argv[0], OBJECT_HELP);
}

// ---------------------------------------------------------------------------------------------
// Expiry

const EXPIRE_NX = 1 << 0;
const EXPIRE_XX = 1 << 1;
const EXPIRE_GT = 1 << 2;
const EXPIRE_LT = 1 << 3;

/** Below this magnitude, `n * 1000 + now` is exact in a double and within int64. */
const EXACT_EXPIRE_ARG = 2 ** 42;

/**
 * The absolute unix time in ms that the time argument of an EXPIRE-family command names, computed
 * with Redis's int64 overflow checks; null after replying the error. A bigint only beyond 2^53: the
 * TTL is then stored rounded to a double (TTL replies may differ from Redis's in the last digits,
 * for deadlines hundreds of thousands of years away) but propagated exactly.
 */
function expireTimeOrReply(c: Client, argv: string[], seconds: boolean, basetime: number): number | bigint | null {
  const arg = argv[2];
  const n = parseSafeInt(arg);
  if (n !== undefined && Math.abs(n) < EXACT_EXPIRE_ARG) return (seconds ? n * 1000 : n) + basetime;
  let when = parseInt64(arg);
  if (when === null) {
    c.reply.error(ERR_NOT_INTEGER);
    return null;
  }
  if (seconds) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) {
      c.reply.error(ERR_INVALID_EXPIRE(argv[0].toLowerCase()));
      return null;
    }
    when *= 1000n;
  }
  const base = BigInt(basetime);
  if (when > INT64_MAX - base) {
    c.reply.error(ERR_INVALID_EXPIRE(argv[0].toLowerCase()));
    return null;
  }
  when += base;
  return Number.isSafeInteger(Number(when)) ? Number(when) : when;
}

/**
 * expireGenericCommand. `basetime` is 0 for the *AT variants, now for relative ones. A time not
 * after now deletes the key (replayed as DEL, or UNLINK under lazyfree-lazy-expire); otherwise the
 * TTL is set and replayed as PEXPIREAT with the absolute time, options kept.
 */
function expireGeneric(c: Client, argv: string[], basetime: number, seconds: boolean): void {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    if (isOpt(opt, 'NX')) flags |= EXPIRE_NX;
    else if (isOpt(opt, 'XX')) flags |= EXPIRE_XX;
    else if (isOpt(opt, 'GT')) flags |= EXPIRE_GT;
    else if (isOpt(opt, 'LT')) flags |= EXPIRE_LT;
    else {
      c.reply.error(`ERR Unsupported option ${opt}`);
      return;
    }
  }
  if (flags & EXPIRE_NX && flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) {
    c.reply.error('ERR NX and XX, GT or LT options at the same time are not compatible');
    return;
  }
  if (flags & EXPIRE_GT && flags & EXPIRE_LT) {
    c.reply.error('ERR GT and LT options at the same time are not compatible');
    return;
  }
  const when = expireTimeOrReply(c, argv, seconds, basetime);
  if (when === null) return;
  const ks = c.server.keyspace;
  const db = c.db;
  const key = argv[1];
  if (ks.lookupWrite(db, key) === undefined) {
    c.reply.integer(0);
    return;
  }
  if (flags !== 0) {
    const current = ks.getExpire(db, key);
    const noTtl = current === -1;
    // GT and LT treat "no TTL" as an infinite one.
    if ((flags & EXPIRE_NX && !noTtl) || (flags & EXPIRE_XX && noTtl) || (flags & EXPIRE_GT && (noTtl || when <= current)) || (flags & EXPIRE_LT && !noTtl && when >= current)) {
      c.reply.integer(0);
      return;
    }
  }
  const effects = ks.effects;
  // checkAlreadyExpired: never while loading (a replayed PEXPIREAT in the past waits for its DEL).
  if (when <= ks.now && !ks.loading) {
    ks.delete(db, key);
    effects.keyChanged(db, key, NOTIFY_GENERIC, 'del');
    effects.propagate(db.id, [ks.lazyExpireUnlink ? 'UNLINK' : 'DEL', key]);
    c.reply.integer(1);
    return;
  }
  ks.setExpire(db, key, Number(when));
  effects.keyChanged(db, key, NOTIFY_GENERIC, 'expire');
  if (basetime === 0 && !seconds) {
    effects.propagate(db.id, argv);
  } else {
    const replayed = argv.slice();
    replayed[0] = 'PEXPIREAT';
    replayed[2] = String(when);
    effects.propagate(db.id, replayed);
  }
  c.reply.integer(1);
}

function expireCommand(c: Client, argv: string[]): void {
  expireGeneric(c, argv, c.server.keyspace.now, true);
}

function pexpireCommand(c: Client, argv: string[]): void {
  expireGeneric(c, argv, c.server.keyspace.now, false);
}

function expireatCommand(c: Client, argv: string[]): void {
  expireGeneric(c, argv, 0, true);
}

function pexpireatCommand(c: Client, argv: string[]): void {
  expireGeneric(c, argv, 0, false);
}

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for a missing key, -1 without TTL; seconds are rounded. */
function ttlGeneric(c: Client, argv: string[], ms: boolean, absolute: boolean): void {
  const ks = c.server.keyspace;
  const key = argv[1];
  if (ks.lookupRead(c.db, key) === undefined) {
    c.reply.integer(-2);
    return;
  }
  const when = ks.getExpire(c.db, key);
  if (when === -1) {
    c.reply.integer(-1);
    return;
  }
  const ttl = Math.max(0, absolute ? when : when - ks.now);
  c.reply.integer(ms ? ttl : Math.floor((ttl + 500) / 1000));
}

function ttlCommand(c: Client, argv: string[]): void {
  ttlGeneric(c, argv, false, false);
}

function pttlCommand(c: Client, argv: string[]): void {
  ttlGeneric(c, argv, true, false);
}

function expiretimeCommand(c: Client, argv: string[]): void {
  ttlGeneric(c, argv, false, true);
}

function pexpiretimeCommand(c: Client, argv: string[]): void {
  ttlGeneric(c, argv, true, true);
}

function persistCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const key = argv[1];
  if (ks.lookupWrite(c.db, key) === undefined || !ks.removeExpire(c.db, key)) {
    c.reply.integer(0);
    return;
  }
  ks.effects.keyChanged(c.db, key, NOTIFY_GENERIC, 'persist');
  ks.effects.propagate(c.db.id, argv);
  c.reply.integer(1);
}

// ---------------------------------------------------------------------------------------------
// Whole databases

/**
 * SWAPDB: the contents trade places; clients stay on their db index and WATCHes on a key that
 * exists on either side are touched.
 */
function swapdbCommand(c: Client, argv: string[]): void {
  const a = dbArgOrReply(c, argv[1], 'ERR invalid first DB index');
  if (a === null) return;
  const b = dbArgOrReply(c, argv[2], 'ERR invalid second DB index');
  if (b === null) return;
  const ks = c.server.keyspace;
  if (a !== b) {
    ks.effects.touchAllWatched(a, b, ks.holds);
    ks.effects.touchAllWatched(b, a, ks.holds);
    ks.swap(a, b);
  }
  ks.effects.dirty++;
  ks.effects.propagate(c.db.id, argv);
  c.reply.ok();
}

/**
 * getFlushCommandFlags: no argument, SYNC or ASYNC. Both modes empty the db at once; ASYNC in Redis
 * only frees memory in the background, which the GC does here anyway.
 */
function flushArgsOk(c: Client, argv: string[]): boolean {
  if (argv.length === 1 || (argv.length === 2 && (isOpt(argv[1], 'SYNC') || isOpt(argv[1], 'ASYNC')))) return true;
  c.reply.error(ERR_SYNTAX);
  return false;
}

/** Empties one db with its effects (signalFlushedDb: WATCHes on existing keys); returns the count. */
function flushOne(c: Client, db: Db): number {
  const ks = c.server.keyspace;
  ks.effects.touchAllWatched(db, null, ks.holds);
  return ks.flushDb(db);
}

function flushdbCommand(c: Client, argv: string[]): void {
  if (!flushArgsOk(c, argv)) return;
  const effects = c.server.keyspace.effects;
  effects.dirty += flushOne(c, c.db);
  effects.flushed();
  // Propagated even when the db was already empty (forceCommandPropagation).
  effects.propagate(c.db.id, argv);
  c.reply.ok();
}

/**
 * FLUSHALL. Redis also kills a running RDB child and, when save points are configured, saves the
 * empty dataset at once (which resets dirty); that belongs to the persistence issue.
 */
function flushallCommand(c: Client, argv: string[]): void {
  if (!flushArgsOk(c, argv)) return;
  const effects = c.server.keyspace.effects;
  for (const db of c.server.keyspace.dbs) effects.dirty += flushOne(c, db);
  effects.flushed();
  effects.propagate(c.db.id, argv);
  c.reply.ok();
}

// ---------------------------------------------------------------------------------------------
// DUMP and RESTORE: values as RDB payloads (storage/rdb), the same serializer as snapshots.

function dumpCommand(c: Client, argv: string[]): void {
  const v = c.server.keyspace.lookupRead(c.db, argv[1]);
  if (v === undefined) {
    c.reply.nullBulk();
    return;
  }
  c.reply.bulkBuffer(dumpPayload(toRdbValue(v), c.server.config.getBool('rdbcompression')));
}

/** RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f] (restoreCommand). */
function restoreCommand(c: Client, argv: string[]): void {
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < argv.length; j++) {
    const more = argv.length - j - 1;
    if (isOpt(argv[j], 'REPLACE')) replace = true;
    else if (isOpt(argv[j], 'ABSTTL')) absttl = true;
    else if (isOpt(argv[j], 'IDLETIME') && more >= 1 && freq === -1) {
      const n = intArgOrReply(c, argv[++j]);
      if (n === null) return;
      if (n < 0) {
        c.reply.error('ERR Invalid IDLETIME value, must be >= 0');
        return;
      }
      idle = n;
    } else if (isOpt(argv[j], 'FREQ') && more >= 1 && idle === -1) {
      const n = intArgOrReply(c, argv[++j]);
      if (n === null) return;
      if (n < 0 || n > 255) {
        c.reply.error('ERR Invalid FREQ value, must be >= 0 and <= 255');
        return;
      }
      freq = n;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const ks = c.server.keyspace;
  const db = c.db;
  const key = argv[1];
  if (!replace && ks.lookupWrite(db, key) !== undefined) {
    c.reply.error('BUSYKEY Target key name already exists.');
    return;
  }
  let ttl = intArgOrReply(c, argv[2]);
  if (ttl === null) return;
  if (ttl < 0) {
    c.reply.error('ERR Invalid TTL value, must be >= 0');
    return;
  }
  const payload = Buffer.from(argv[3], 'latin1');
  const frame = openPayload(payload);
  if (frame === null) {
    c.reply.error('ERR DUMP payload version or checksum are wrong');
    return;
  }
  let value: Value;
  try {
    const cur = new RdbCursor(payload.subarray(0, frame.bodyEnd));
    const rdb = readValue(cur, cur.u8());
    if (rdb === null || cur.pos !== cur.buf.length) throw new Error('empty or trailing data');
    value = fromRdbValue(rdb, c.server.snapshots.encodingLimits());
  } catch {
    c.reply.error('ERR Bad data format');
    return;
  }
  const deleted = replace && ks.delete(db, key);
  if (ttl !== 0 && !absttl) ttl += ks.now;
  // Already expired, or (relative) past 2^63 - 1, where Redis's sum wraps negative: nothing is
  // created; a replaced key is simply gone (replayed as DEL).
  if (ttl !== 0 && (ttl <= ks.now || (!absttl && ttl >= 2 ** 63)) && !ks.loading) {
    if (deleted) {
      ks.effects.keyChanged(db, key, NOTIFY_GENERIC, 'del');
      ks.effects.propagate(db.id, ['DEL', key]);
    }
    c.reply.ok();
    return;
  }
  ks.setKey(db, key, value);
  if (value instanceof HashObject && value.supportsTtls) trackFieldExpiry(db, key, value);
  if (ttl !== 0) ks.setExpire(db, key, ttl);
  ks.restoreAccess(db, key, idle, freq);
  ks.effects.keyChanged(db, key, NOTIFY_GENERIC, 'restore');
  // A relative TTL is replayed as an absolute one, so a late replay does not extend it.
  ks.effects.propagate(db.id, ttl !== 0 && !absttl ? [...argv.slice(0, 2), String(ttl), ...argv.slice(3), 'ABSTTL'] : argv);
  c.reply.ok();
}

export const commands = [
  { name: 'dump', arity: 2, flags: ['readonly'], acl: ['keyspace'], keys: [1, 1, 1], run: dumpCommand },
  { name: 'restore', arity: -4, flags: ['write', 'denyoom'], acl: ['keyspace', 'dangerous'], keys: [1, 1, 1], run: restoreCommand },
  { name: 'del', arity: -2, flags: ['write'], acl: ['keyspace'], keys: [1, -1, 1], run: delCommand },
  { name: 'unlink', arity: -2, flags: ['write', 'fast'], acl: ['keyspace'], keys: [1, -1, 1], run: delCommand },
  { name: 'exists', arity: -2, flags: ['readonly', 'fast'], acl: ['keyspace'], keys: [1, -1, 1], run: existsCommand },
  { name: 'touch', arity: -2, flags: ['readonly', 'fast'], acl: ['keyspace'], keys: [1, -1, 1], run: existsCommand },
  { name: 'type', arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], keys: [1, 1, 1], run: typeCommand },
  { name: 'rename', arity: 3, flags: ['write'], acl: ['keyspace'], keys: [1, 2, 1], run: renameCommand },
  { name: 'renamenx', arity: 3, flags: ['write', 'fast'], acl: ['keyspace'], keys: [1, 2, 1], run: renamenxCommand },
  { name: 'move', arity: 3, flags: ['write', 'fast'], acl: ['keyspace'], keys: [1, 1, 1], run: moveCommand },
  { name: 'copy', arity: -3, flags: ['write', 'denyoom'], acl: ['keyspace'], keys: [1, 2, 1], run: copyCommand },
  { name: 'keys', arity: 2, flags: ['readonly'], acl: ['keyspace', 'dangerous'], run: keysCommand },
  { name: 'scan', arity: -2, flags: ['readonly'], acl: ['keyspace'], run: scanCommand },
  { name: 'randomkey', arity: 1, flags: ['readonly'], acl: ['keyspace'], run: randomkeyCommand },
  { name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], acl: ['keyspace'], run: dbsizeCommand },
  {
    name: 'object',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['keyspace'], run: objectHelpCommand },
      { name: 'encoding', arity: 3, flags: ['readonly'], acl: ['keyspace'], keys: [2, 2, 1], run: objectEncodingCommand },
      { name: 'freq', arity: 3, flags: ['readonly'], acl: ['keyspace'], keys: [2, 2, 1], run: objectFreqCommand },
      { name: 'idletime', arity: 3, flags: ['readonly'], acl: ['keyspace'], keys: [2, 2, 1], run: objectIdletimeCommand },
      { name: 'refcount', arity: 3, flags: ['readonly'], acl: ['keyspace'], keys: [2, 2, 1], run: objectRefcountCommand },
    ],
  },
  { name: 'expire', arity: -3, flags: ['write', 'fast'], acl: ['keyspace'], keys: [1, 1, 1], run: expireCommand },
  { name: 'pexpire', arity: -3, flags: ['write', 'fast'], acl: ['keyspace'], keys: [1, 1, 1], run: pexpireCommand },
  { name: 'expireat', arity: -3, flags: ['write', 'fast'], acl: ['keyspace'], keys: [1, 1, 1], run: expireatCommand },
  { name: 'pexpireat', arity: -3, flags: ['write', 'fast'], acl: ['keyspace'], keys: [1, 1, 1], run: pexpireatCommand },
  { name: 'ttl', arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], keys: [1, 1, 1], run: ttlCommand },
  { name: 'pttl', arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], keys: [1, 1, 1], run: pttlCommand },
  { name: 'expiretime', arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], keys: [1, 1, 1], run: expiretimeCommand },
  { name: 'pexpiretime', arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], keys: [1, 1, 1], run: pexpiretimeCommand },
  { name: 'persist', arity: 2, flags: ['write', 'fast'], acl: ['keyspace'], keys: [1, 1, 1], run: persistCommand },
  { name: 'swapdb', arity: 3, flags: ['write', 'fast'], acl: ['keyspace', 'dangerous'], run: swapdbCommand },
  { name: 'flushdb', arity: -1, flags: ['write'], acl: ['keyspace', 'dangerous'], run: flushdbCommand },
  { name: 'flushall', arity: -1, flags: ['write'], acl: ['keyspace', 'dangerous'], run: flushallCommand },
] satisfies CommandSpec[];
