/*
 * String commands (Redis's t_string.c).
 *
 * Values are bytes as latin1 strings, or numbers for canonical integers (see types/object.ts).
 * The 512 MB limit is proto-max-bulk-len, checked on every command that grows a value.
 * Replayed forms: SET with a relative expire → SET ... PXAT, SETEX/PSETEX → SET ... PXAT,
 * INCRBYFLOAT → SET ... KEEPTTL, GETEX → PEXPIREAT or PERSIST, GETDEL → DEL.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { intArgOrReply, wrongType } from './args.js';
import { ERR_INVALID_EXPIRE, ERR_NOT_INTEGER, ERR_OVERFLOW, ERR_STRING_TOO_LONG, ERR_SYNTAX } from '../protocol/errors.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../keyspace/notify.js';
import { stringOf, storedString, type Value } from '../types/object.js';
import { INT64_MAX, INT64_MIN, parseInt64 } from '../types/numbers.js';

// ---------------------------------------------------------------------------------------------
// Low level: reading a string value

/** The string bytes at key for a read, or undefined (missing) / null (wrong type, error replied). */
function readString(c: Client, key: string): string | undefined | null {
  const v = c.server.keyspace.lookupRead(c.db, key);
  if (v === undefined) return undefined;
  if (wrongType(c, v, 'string')) return null;
  return stringOf(v as string | number);
}

/** Redis's checkStringLength: appending `add` bytes to `base` must stay within proto-max-bulk-len. */
function tooLong(c: Client, total: number): boolean {
  if (total > c.server.config.getNumber('proto-max-bulk-len')) {
    c.reply.error(ERR_STRING_TOO_LONG);
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// SET and friends

const SET_NX = 1 << 0;
const SET_XX = 1 << 1;
const SET_GET = 1 << 2;
const SET_KEEPTTL = 1 << 3;
const SET_EX = 1 << 4;
const SET_PX = 1 << 5;
const SET_EXAT = 1 << 6;
const SET_PXAT = 1 << 7;
const SET_EXPIRE_MASK = SET_EX | SET_PX | SET_EXAT | SET_PXAT;

/**
 * Parses [NX|XX] [GET] [EX|PX|EXAT|PXAT n|KEEPTTL] (and PERSIST for GETEX) from argv[from..] into
 * flags and the expire argument (parseExtendedStringArgumentsOrReply). Returns null on syntax error.
 */
export function parseSetOptions(argv: readonly string[], from: number, forGetex: boolean): { flags: number; expire: string | null; persist: boolean } | null {
  let flags = 0;
  let expire: string | null = null;
  let persist = false;
  for (let j = from; j < argv.length; j++) {
    const opt = argv[j].toUpperCase();
    const next = j + 1 < argv.length ? argv[j + 1] : null;
    if (!forGetex && opt === 'NX' && !(flags & SET_XX)) flags |= SET_NX;
    else if (!forGetex && opt === 'XX' && !(flags & SET_NX)) flags |= SET_XX;
    else if (!forGetex && opt === 'GET') flags |= SET_GET;
    else if (!forGetex && opt === 'KEEPTTL' && !(flags & SET_EXPIRE_MASK)) flags |= SET_KEEPTTL;
    else if (forGetex && opt === 'PERSIST' && !(flags & SET_EXPIRE_MASK)) persist = true;
    else if ((opt === 'EX' || opt === 'PX' || opt === 'EXAT' || opt === 'PXAT') && !(flags & (SET_KEEPTTL | SET_EXPIRE_MASK)) && !persist && next !== null) {
      flags |= opt === 'EX' ? SET_EX : opt === 'PX' ? SET_PX : opt === 'EXAT' ? SET_EXAT : SET_PXAT;
      expire = next;
      j++;
    } else return null;
  }
  return { flags, expire, persist };
}

/**
 * The absolute expire time in ms for an EX/PX/EXAT/PXAT argument, or null after replying Redis's
 * error (not an integer; ≤ 0 or overflowing → invalid expire time).
 */
export function absoluteExpire(c: Client, flags: number, arg: string, cmdName: string): number | null {
  const n = intArgOrReply(c, arg);
  if (n === null) return null;
  const seconds = (flags & (SET_EX | SET_EXAT)) !== 0;
  if (n <= 0 || (seconds && n > Number(INT64_MAX / 1000n))) {
    c.reply.error(ERR_INVALID_EXPIRE(cmdName));
    return null;
  }
  let ms = seconds ? n * 1000 : n;
  if (flags & (SET_EX | SET_PX)) ms += c.server.keyspace.now;
  if (ms > Number(INT64_MAX)) {
    c.reply.error(ERR_INVALID_EXPIRE(cmdName));
    return null;
  }
  return ms;
}

function setCommand(c: Client, argv: string[]): void {
  const opts = parseSetOptions(argv, 3, false);
  if (opts === null) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  setGeneric(c, argv, opts.flags, argv[1], argv[2], opts.expire, false);
}

/**
 * setGenericCommand. `fromSetex` is true for SETEX/PSETEX, whose reply and replay differ slightly.
 * Replays relative expires as SET key value PXAT <ms> so a later replay does not extend the TTL.
 */
function setGeneric(c: Client, argv: string[], flags: number, key: string, value: string, expireArg: string | null, fromSetex: boolean): void {
  const ks = c.server.keyspace;
  const db = c.db;
  let when = -1;
  if (expireArg !== null) {
    const ms = absoluteExpire(c, flags, expireArg, fromSetex ? argv[0].toLowerCase() : 'set');
    if (ms === null) return;
    when = ms;
  }
  if (flags & SET_GET) {
    const old = readString(c, key);
    if (old === null) return;
    c.reply.bulkOrNull(old);
  }
  const found = ks.lookupWrite(db, key) !== undefined;
  if ((flags & SET_NX && found) || (flags & SET_XX && !found)) {
    if (!(flags & SET_GET)) c.reply.nullBulk();
    return;
  }
  ks.setKey(db, key, storedString(value), (flags & SET_KEEPTTL) !== 0);
  const effects = ks.effects;
  effects.keyChanged(db, key, NOTIFY_STRING, 'set');
  if (when >= 0) {
    ks.setExpire(db, key, when);
    effects.notify(NOTIFY_GENERIC, 'expire', key, db.id);
  }
  if (when >= 0 && !(flags & SET_PXAT)) effects.propagate(db.id, ['SET', key, value, 'PXAT', String(when)]);
  else effects.propagate(db.id, argv);
  if (!(flags & SET_GET)) c.reply.ok();
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
  setGeneric(c, argv, SET_EX, argv[1], argv[3], argv[2], true);
}

function psetexCommand(c: Client, argv: string[]): void {
  setGeneric(c, argv, SET_PX, argv[1], argv[3], argv[2], true);
}

function getCommand(c: Client, argv: string[]): void {
  const s = readString(c, argv[1]);
  if (s === null) return;
  c.reply.bulkOrNull(s);
}

function getsetCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const key = argv[1];
  const old = readString(c, key);
  if (old === null) return;
  c.reply.bulkOrNull(old);
  ks.setKey(c.db, key, storedString(argv[2]));
  ks.effects.keyChanged(c.db, key, NOTIFY_STRING, 'set');
  // Replayed as SET: GETSET's reply is irrelevant to a replica and SET is what it means.
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
    c.reply.error(`ERR wrong number of arguments for '${argv[0].toLowerCase()}' command`);
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

/** incrDecrCommand: adds `by` (int64) to the integer at key. */
function incrDecr(c: Client, argv: string[], by: bigint | number): void {
  const ks = c.server.keyspace;
  const db = c.db;
  const key = argv[1];
  const v = ks.lookupWrite(db, key);
  if (wrongType(c, v, 'string')) return;
  let next: number | bigint;
  if (v === undefined) {
    next = by;
  } else if (typeof v === 'number' && typeof by === 'number') {
    next = v + by;
  } else {
    const cur = typeof v === 'number' ? BigInt(v) : parseInt64(v as string);
    if (cur === null) {
      c.reply.error(ERR_NOT_INTEGER);
      return;
    }
    next = cur + BigInt(by);
  }
  if (typeof next === 'number' && !Number.isSafeInteger(next)) next = BigInt(v as number) + BigInt(by);
  if (typeof next === 'bigint') {
    if (next > INT64_MAX || next < INT64_MIN) {
      c.reply.error(ERR_OVERFLOW);
      return;
    }
    if (next <= BigInt(Number.MAX_SAFE_INTEGER) && next >= BigInt(-Number.MAX_SAFE_INTEGER)) next = Number(next);
  }
  const stored: Value = typeof next === 'number' ? next : next.toString();
  ks.setKey(db, key, stored, true);
  ks.effects.keyChanged(db, key, NOTIFY_STRING, 'incrby');
  ks.effects.propagate(db.id, argv);
  c.reply.integer(next);
}

function incrCommand(c: Client, argv: string[]): void {
  incrDecr(c, argv, 1);
}

function decrCommand(c: Client, argv: string[]): void {
  incrDecr(c, argv, -1);
}

function incrbyCommand(c: Client, argv: string[]): void {
  const by = parseInt64(argv[2]);
  if (by === null) {
    c.reply.error(ERR_NOT_INTEGER);
    return;
  }
  incrDecr(c, argv, Number.isSafeInteger(Number(by)) ? Number(by) : by);
}

function decrbyCommand(c: Client, argv: string[]): void {
  const by = parseInt64(argv[2]);
  if (by === null) {
    c.reply.error(ERR_NOT_INTEGER);
    return;
  }
  if (by === INT64_MIN) {
    c.reply.error('ERR decrement would overflow');
    return;
  }
  incrDecr(c, argv, Number.isSafeInteger(Number(by)) ? -Number(by) : -by);
}

// ---------------------------------------------------------------------------------------------
// Byte operations

function appendCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const db = c.db;
  const key = argv[1];
  const v = ks.lookupWrite(db, key);
  if (wrongType(c, v, 'string')) return;
  let next: string;
  if (v === undefined) {
    next = argv[2];
  } else {
    const cur = stringOf(v as string | number);
    if (tooLong(c, cur.length + argv[2].length)) return;
    next = cur + argv[2];
  }
  ks.setKey(db, key, next, true);
  ks.effects.keyChanged(db, key, NOTIFY_STRING, 'append');
  ks.effects.propagate(db.id, argv);
  c.reply.integer(next.length);
}

function strlenCommand(c: Client, argv: string[]): void {
  const s = readString(c, argv[1]);
  if (s === null) return;
  c.reply.integer(s === undefined ? 0 : s.length);
}

export const commands = [
  { name: 'get', arity: 2, flags: ['readonly', 'fast'], acl: ['string'], keys: [1, 1, 1], run: getCommand },
  { name: 'set', arity: -3, flags: ['write', 'denyoom'], acl: ['string'], keys: [1, 1, 1], run: setCommand },
  { name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: setnxCommand },
  { name: 'setex', arity: 4, flags: ['write', 'denyoom'], acl: ['string'], keys: [1, 1, 1], run: setexCommand },
  { name: 'psetex', arity: 4, flags: ['write', 'denyoom'], acl: ['string'], keys: [1, 1, 1], run: psetexCommand },
  { name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: getsetCommand },
  { name: 'getdel', arity: 2, flags: ['write', 'fast'], acl: ['string'], keys: [1, 1, 1], run: getdelCommand },
  { name: 'mget', arity: -2, flags: ['readonly', 'fast'], acl: ['string'], keys: [1, -1, 1], run: mgetCommand },
  { name: 'mset', arity: -3, flags: ['write', 'denyoom'], acl: ['string'], keys: [1, -1, 2], run: msetCommand },
  { name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], acl: ['string'], keys: [1, -1, 2], run: msetnxCommand },
  { name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: incrCommand },
  { name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: decrCommand },
  { name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: incrbyCommand },
  { name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: decrbyCommand },
  { name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], keys: [1, 1, 1], run: appendCommand },
  { name: 'strlen', arity: 2, flags: ['readonly', 'fast'], acl: ['string'], keys: [1, 1, 1], run: strlenCommand },
] satisfies CommandSpec[];
