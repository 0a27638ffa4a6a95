/*
 * List commands (Redis's t_list.c), blocking ones included.
 *
 * Values are ListValue (types/list.ts); a list key never holds an empty list: the command that
 * removes the last element deletes the key and notifies "del". Argument errors are checked in
 * Redis's order (some before the key lookup, some after), since the first error wins.
 *
 * Replayed forms: pushes, LSET, LINSERT, LREM, LTRIM, LPOP/RPOP, LMOVE, RPOPLPUSH as sent (only when
 * they changed something); LMPOP → LPOP|RPOP key <count actually popped>; a blocking command that
 * is answered at once or served later → its non-blocking form: BLPOP/BRPOP → LPOP/RPOP key,
 * BLMPOP → LPOP|RPOP key <count>, BLMOVE → LMOVE, BRPOPLPUSH → RPOPLPUSH.
 *
 * Blocking: BLPOP BRPOP BLMPOP BLMOVE BRPOPLPUSH park the client through server/blocking.ts with
 * LIST_BLOCK as handler; inside EXEC they answer as their non-blocking form would on empty keys.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import type { Db } from '../keyspace/db.js';
import { intArgOrReply, isOpt, wrongType } from './args.js';
import { blockTimeoutOrReply, type BlockHandler } from '../server/blocking.js';
import { ERR_NO_SUCH_KEY, ERR_NOT_INTEGER, ERR_OUT_OF_RANGE, ERR_SYNTAX, errWrongArity } from '../protocol/errors.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../keyspace/notify.js';
import { ListValue, listIndex } from '../types/list.js';
import { parseInt64 } from '../types/numbers.js';
import type { Value } from '../types/object.js';
import { mixDigest, registerValueDigest } from '../keyspace/digest.js';

const HEAD = 0;
const TAIL = 1;
type End = typeof HEAD | typeof TAIL;

const ERR_POSITIVE = 'ERR value is out of range, must be positive';
const ERR_RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

// ---------------------------------------------------------------------------------------------
// Low level: lookups, the shared effects of removing elements, replies of ranges

/** The list at key; undefined when missing; null after replying WRONGTYPE. */
function listAt(c: Client, v: Value | undefined): ListValue | undefined | null {
  if (v === undefined) return undefined;
  if (wrongType(c, v, 'list')) return null;
  return v as ListValue;
}

function readList(c: Client, key: string): ListValue | undefined | null {
  return listAt(c, c.server.keyspace.lookupRead(c.db, key));
}

function writeList(c: Client, key: string): ListValue | undefined | null {
  return listAt(c, c.server.keyspace.lookupWrite(c.db, key));
}

/** A new empty list stored at key (it is filled before the command ends). */
function createList(c: Client, db: Db, key: string): ListValue {
  const list = new ListValue();
  c.server.keyspace.setKey(db, key, list);
  return list;
}

function popEnd(list: ListValue, where: End): string {
  return (where === HEAD ? list.popFront() : list.popBack())!;
}

/** Deletes the key when its list became empty, with the "del" event. */
function deleteIfEmpty(c: Client, db: Db, key: string, list: ListValue): void {
  if (list.length !== 0) return;
  c.server.keyspace.delete(db, key);
  c.server.keyspace.effects.notify(NOTIFY_GENERIC, 'del', key, db.id);
}

/** listElementsRemoved: the pop event, deletion of an emptied key, WATCH, dirty. */
function elementsRemoved(c: Client, db: Db, key: string, where: End, list: ListValue, count: number): void {
  const effects = c.server.keyspace.effects;
  effects.notify(NOTIFY_LIST, where === HEAD ? 'lpop' : 'rpop', key, db.id);
  deleteIfEmpty(c, db, key, list);
  effects.touchWatchedKey(db, key);
  effects.dirty += count;
}

/** addListRangeReply: elements start..end (inclusive, negative from the tail), optionally reversed. */
function replyRange(c: Client, list: ListValue, start: number, end: number, reverse: boolean): void {
  const n = list.length;
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (start > end || start >= n) {
    c.reply.array(0);
    return;
  }
  if (end >= n) end = n - 1;
  const reply = c.reply;
  reply.array(end - start + 1);
  if (reverse) for (let i = end; i >= start; i--) reply.bulk(list.at(i));
  else for (let i = start; i <= end; i++) reply.bulk(list.at(i));
}

/** Pops up to count elements from one end, replying them as an array in pop order. */
function popRangeReply(c: Client, list: ListValue, where: End, count: number): number {
  const n = Math.min(count, list.length);
  if (where === HEAD) {
    replyRange(c, list, 0, n - 1, false);
    list.dropFront(n);
  } else {
    replyRange(c, list, -n, -1, true);
    list.dropBack(n);
  }
  return n;
}

/** listPopRangeAndReplyWithKey: [key, [elements]], then the removal effects. Returns the count. */
function popRangeWithKey(c: Client, db: Db, key: string, list: ListValue, where: End, count: number): number {
  c.reply.array(2);
  c.reply.bulk(key);
  const n = popRangeReply(c, list, where, count);
  elementsRemoved(c, db, key, where, list, n);
  return n;
}

/** LEFT / RIGHT, or null after a syntax error. */
function endArg(c: Client, arg: string): End | null {
  if (isOpt(arg, 'LEFT')) return HEAD;
  if (isOpt(arg, 'RIGHT')) return TAIL;
  c.reply.error(ERR_SYNTAX);
  return null;
}

/** getRangeLongFromObjectOrReply: an integer within [min, ∞), else `error` (for both failures). */
function rangeArgOrReply(c: Client, s: string, min: number, error: string): number | null {
  const n = intArgOrReply(c, s, error);
  if (n === null) return null;
  if (n < min) {
    c.reply.error(error);
    return null;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Pushes

function pushGeneric(c: Client, argv: string[], where: End, onlyIfExists: boolean): void {
  const db = c.db;
  const key = argv[1];
  let list = writeList(c, key);
  if (list === null) return;
  if (list === undefined) {
    if (onlyIfExists) {
      c.reply.integer(0);
      return;
    }
    list = createList(c, db, key);
  }
  if (where === HEAD) for (let j = 2; j < argv.length; j++) list.pushFront(argv[j]);
  else for (let j = 2; j < argv.length; j++) list.pushBack(argv[j]);
  c.reply.integer(list.length);
  const effects = c.server.keyspace.effects;
  effects.touchWatchedKey(db, key);
  effects.notify(NOTIFY_LIST, where === HEAD ? 'lpush' : 'rpush', key, db.id);
  effects.dirty += argv.length - 2;
  effects.propagate(db.id, argv);
}

function lpushCommand(c: Client, argv: string[]): void {
  pushGeneric(c, argv, HEAD, false);
}

function rpushCommand(c: Client, argv: string[]): void {
  pushGeneric(c, argv, TAIL, false);
}

function lpushxCommand(c: Client, argv: string[]): void {
  pushGeneric(c, argv, HEAD, true);
}

function rpushxCommand(c: Client, argv: string[]): void {
  pushGeneric(c, argv, TAIL, true);
}

// ---------------------------------------------------------------------------------------------
// Pops

/** LPOP/RPOP key [count]: a bulk without count, an array with it. */
function popGeneric(c: Client, argv: string[], where: End): void {
  if (argv.length > 3) {
    c.reply.error(errWrongArity(argv[0].toLowerCase()));
    return;
  }
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const n = rangeArgOrReply(c, argv[2], 0, ERR_POSITIVE);
    if (n === null) return;
    count = n;
  }
  const db = c.db;
  const key = argv[1];
  const list = writeList(c, key);
  if (list === null) return;
  if (list === undefined) {
    if (hasCount) c.reply.nullArray();
    else c.reply.nullBulk();
    return;
  }
  if (hasCount && count === 0) {
    c.reply.array(0);
    return;
  }
  let removed = 1;
  if (!hasCount) c.reply.bulk(popEnd(list, where));
  else removed = popRangeReply(c, list, where, count);
  elementsRemoved(c, db, key, where, list, removed);
  c.server.keyspace.effects.propagate(db.id, argv);
}

function lpopCommand(c: Client, argv: string[]): void {
  popGeneric(c, argv, HEAD);
}

function rpopCommand(c: Client, argv: string[]): void {
  popGeneric(c, argv, TAIL);
}

/**
 * Pops from the first non-empty list of keys[from..from+numkeys) (mpopGenericCommand), replying
 * [key, [elements]] and replaying LPOP|RPOP key <count popped>. False when all are empty (nothing
 * replied); null after WRONGTYPE.
 */
function popFirstNonEmpty(c: Client, argv: string[], from: number, numkeys: number, where: End, count: number): boolean | null {
  const db = c.db;
  for (let j = from; j < from + numkeys; j++) {
    const key = argv[j];
    const list = writeList(c, key);
    if (list === null) return null;
    if (list === undefined || list.length === 0) continue;
    const n = popRangeWithKey(c, db, key, list, where, count);
    c.server.keyspace.effects.propagate(db.id, [where === HEAD ? 'LPOP' : 'RPOP', key, String(n)]);
    return true;
  }
  return false;
}

interface MpopArgs {
  numkeys: number;
  where: End;
  count: number;
}

/** numkeys key... LEFT|RIGHT [COUNT n] starting at argv[numkeysAt]; null after an error. */
function parseMpop(c: Client, argv: string[], numkeysAt: number): MpopArgs | null {
  const numkeys = rangeArgOrReply(c, argv[numkeysAt], 1, 'ERR numkeys should be greater than 0');
  if (numkeys === null) return null;
  const whereAt = numkeysAt + numkeys + 1;
  if (whereAt >= argv.length) {
    c.reply.error(ERR_SYNTAX);
    return null;
  }
  const where = endArg(c, argv[whereAt]);
  if (where === null) return null;
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && isOpt(argv[j], 'COUNT') && j + 1 < argv.length) {
      const n = rangeArgOrReply(c, argv[++j], 1, 'ERR count should be greater than 0');
      if (n === null) return null;
      count = n;
    } else {
      c.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return { numkeys, where, count: count === -1 ? 1 : count };
}

/** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function lmpopCommand(c: Client, argv: string[]): void {
  const args = parseMpop(c, argv, 1);
  if (args === null) return;
  if (popFirstNonEmpty(c, argv, 2, args.numkeys, args.where, args.count) === false) c.reply.nullArray();
}

// ---------------------------------------------------------------------------------------------
// Reading and editing in place

function llenCommand(c: Client, argv: string[]): void {
  const list = readList(c, argv[1]);
  if (list === null) return;
  c.reply.integer(list === undefined ? 0 : list.length);
}

function lindexCommand(c: Client, argv: string[]): void {
  const list = readList(c, argv[1]);
  if (list === null) return;
  if (list === undefined) {
    c.reply.nullBulk();
    return;
  }
  const index = intArgOrReply(c, argv[2]);
  if (index === null) return;
  const i = listIndex(list, index);
  if (i < 0) c.reply.nullBulk();
  else c.reply.bulk(list.at(i));
}

function lsetCommand(c: Client, argv: string[]): void {
  const db = c.db;
  const key = argv[1];
  const list = writeList(c, key);
  if (list === null) return;
  if (list === undefined) {
    c.reply.error(ERR_NO_SUCH_KEY);
    return;
  }
  const index = intArgOrReply(c, argv[2]);
  if (index === null) return;
  const i = listIndex(list, index);
  if (i < 0) {
    c.reply.error(ERR_OUT_OF_RANGE);
    return;
  }
  list.set(i, argv[3]);
  c.reply.ok();
  const effects = c.server.keyspace.effects;
  effects.keyChanged(db, key, NOTIFY_LIST, 'lset');
  effects.propagate(db.id, argv);
}

function lrangeCommand(c: Client, argv: string[]): void {
  const start = intArgOrReply(c, argv[2]);
  if (start === null) return;
  const end = intArgOrReply(c, argv[3]);
  if (end === null) return;
  const list = readList(c, argv[1]);
  if (list === null) return;
  if (list === undefined) c.reply.array(0);
  else replyRange(c, list, start, end, false);
}

function ltrimCommand(c: Client, argv: string[]): void {
  let start = intArgOrReply(c, argv[2]);
  if (start === null) return;
  let end = intArgOrReply(c, argv[3]);
  if (end === null) return;
  const db = c.db;
  const key = argv[1];
  const list = writeList(c, key);
  if (list === null) return;
  if (list === undefined) {
    c.reply.ok();
    return;
  }
  const n = list.length;
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  let left: number;
  let right: number;
  if (start > end || start >= n) {
    left = n;
    right = 0;
  } else {
    if (end >= n) end = n - 1;
    left = start;
    right = n - end - 1;
  }
  list.dropFront(left);
  list.dropBack(right);
  const effects = c.server.keyspace.effects;
  effects.notify(NOTIFY_LIST, 'ltrim', key, db.id);
  deleteIfEmpty(c, db, key, list);
  effects.touchWatchedKey(db, key);
  effects.dirty += left + right;
  if (left + right > 0) effects.propagate(db.id, argv);
  c.reply.ok();
}

/** LINSERT key BEFORE|AFTER pivot element */
function linsertCommand(c: Client, argv: string[]): void {
  let after: boolean;
  if (isOpt(argv[2], 'AFTER')) after = true;
  else if (isOpt(argv[2], 'BEFORE')) after = false;
  else {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const db = c.db;
  const key = argv[1];
  const list = writeList(c, key);
  if (list === null) return;
  if (list === undefined) {
    c.reply.integer(0);
    return;
  }
  const pivot = argv[3];
  const n = list.length;
  let at = -1;
  for (let i = 0; i < n; i++) {
    if (list.at(i) === pivot) {
      at = i;
      break;
    }
  }
  if (at < 0) {
    c.reply.integer(-1);
    return;
  }
  list.insertAt(after ? at + 1 : at, argv[4]);
  const effects = c.server.keyspace.effects;
  effects.keyChanged(db, key, NOTIFY_LIST, 'linsert');
  effects.propagate(db.id, argv);
  c.reply.integer(list.length);
}

/** LREM key count element: count > 0 from the head, < 0 from the tail, 0 all. */
function lremCommand(c: Client, argv: string[]): void {
  const toRemove = intArgOrReply(c, argv[2]);
  if (toRemove === null) return;
  const db = c.db;
  const key = argv[1];
  const list = writeList(c, key);
  if (list === null) return;
  if (list === undefined) {
    c.reply.integer(0);
    return;
  }
  const element = argv[3];
  const limit = Math.abs(toRemove);
  const n = list.length;
  const hits: number[] = [];
  if (toRemove >= 0) {
    for (let i = 0; i < n && (limit === 0 || hits.length < limit); i++) if (list.at(i) === element) hits.push(i);
  } else {
    for (let i = n - 1; i >= 0 && hits.length < limit; i--) if (list.at(i) === element) hits.push(i);
    hits.reverse();
  }
  const removed = hits.length;
  const effects = c.server.keyspace.effects;
  if (removed > 0) {
    list.removeSorted(hits);
    effects.dirty += removed;
    effects.touchWatchedKey(db, key);
    effects.notify(NOTIFY_LIST, 'lrem', key, db.id);
    deleteIfEmpty(c, db, key, list);
    effects.propagate(db.id, argv);
  }
  c.reply.integer(removed);
}

const INT64_MIN = -9223372036854775808n;

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
function lposCommand(c: Client, argv: string[]): void {
  let rank = 1;
  // RANK -2^63 cannot be negated in C: every match then qualifies and COUNT never stops the scan.
  let rankUnbounded = false;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    const more = j + 1 < argv.length;
    if (more && isOpt(opt, 'RANK')) {
      const r = parseInt64(argv[++j]);
      if (r === null) {
        c.reply.error(ERR_NOT_INTEGER);
        return;
      }
      if (r === 0n) {
        c.reply.error(ERR_RANK_ZERO);
        return;
      }
      rank = Number(r);
      rankUnbounded = r === INT64_MIN;
    } else if (more && isOpt(opt, 'COUNT')) {
      const n = rangeArgOrReply(c, argv[++j], 0, "ERR COUNT can't be negative");
      if (n === null) return;
      count = n;
    } else if (more && isOpt(opt, 'MAXLEN')) {
      const n = rangeArgOrReply(c, argv[++j], 0, "ERR MAXLEN can't be negative");
      if (n === null) return;
      maxlen = n;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  if (rankUnbounded) rank = 1;
  const list = readList(c, argv[1]);
  if (list === null) return;
  if (list === undefined) {
    if (count !== -1) c.reply.array(0);
    else c.reply.nullBulk();
    return;
  }
  const element = argv[2];
  const n = list.length;
  const reply = c.reply;
  const deferred = count !== -1 ? reply.deferLength() : -1;
  let matches = 0;
  let found = -1;
  let emitted = 0;
  for (let step = 0; step < n && (maxlen === 0 || step < maxlen); step++) {
    const i = fromTail ? n - 1 - step : step;
    if (list.at(i) !== element) continue;
    matches++;
    if (matches < rank) continue;
    if (count === -1) {
      found = i;
      break;
    }
    emitted++;
    reply.integer(i);
    if (count !== 0 && !rankUnbounded && matches - rank + 1 >= count) break;
  }
  if (count !== -1) reply.setDeferredLength(deferred, emitted);
  else if (found >= 0) reply.integer(found);
  else reply.nullBulk();
}

// ---------------------------------------------------------------------------------------------
// Moves

/**
 * lmoveHandlePush: pushes `value` to the destination (creating it), WATCH and event, and replies
 * the value.
 */
function pushMoved(c: Client, db: Db, key: string, dst: ListValue | undefined, value: string, where: End): void {
  const list = dst ?? createList(c, db, key);
  const effects = c.server.keyspace.effects;
  effects.touchWatchedKey(db, key);
  if (where === HEAD) list.pushFront(value);
  else list.pushBack(value);
  effects.notify(NOTIFY_LIST, where === HEAD ? 'lpush' : 'rpush', key, db.id);
  c.reply.bulk(value);
}

/**
 * Moves one element from a non-empty source (lmoveGenericCommand once the source was found) and
 * propagates `replay`. Nothing changes when the destination has the wrong type.
 */
function moveElement(c: Client, src: string, srcList: ListValue, dst: string, from: End, to: End, replay: string[]): void {
  const db = c.db;
  const dstList = writeList(c, dst);
  if (dstList === null) return;
  const value = popEnd(srcList, from);
  pushMoved(c, db, dst, dstList, value, to);
  const effects = c.server.keyspace.effects;
  effects.notify(NOTIFY_LIST, from === HEAD ? 'lpop' : 'rpop', src, db.id);
  deleteIfEmpty(c, db, src, srcList);
  effects.touchWatchedKey(db, src);
  effects.dirty++;
  effects.propagate(db.id, replay);
}

/** LMOVE / RPOPLPUSH, replayed as sent. */
function moveGeneric(c: Client, argv: string[], from: End, to: End): void {
  const src = writeList(c, argv[1]);
  if (src === null) return;
  if (src === undefined) {
    c.reply.nullBulk();
    return;
  }
  moveElement(c, argv[1], src, argv[2], from, to, argv);
}

/** LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
function lmoveCommand(c: Client, argv: string[]): void {
  const from = endArg(c, argv[3]);
  if (from === null) return;
  const to = endArg(c, argv[4]);
  if (to === null) return;
  moveGeneric(c, argv, from, to);
}

function rpoplpushCommand(c: Client, argv: string[]): void {
  moveGeneric(c, argv, TAIL, HEAD);
}

// ---------------------------------------------------------------------------------------------
// Blocking pops and moves

/** What a client blocked on lists waits to do (Redis's bpop.blockpos, target, count). */
interface ListBlock {
  from: End;
  to: End;
  /** BLMOVE / BRPOPLPUSH destination; null for pops. */
  target: string | null;
  /** BLMPOP's COUNT; -1 for BLPOP/BRPOP (a single element, replied as [key, element]). */
  count: number;
  /** Served as RPOPLPUSH (BRPOPLPUSH) rather than LMOVE. */
  rpoplpush: boolean;
}

/** serveClientBlockedOnList, as the blocking framework's handler for every list command. */
const LIST_BLOCK: BlockHandler<ListBlock> = {
  serve(c, key, p) {
    const db = c.db;
    const ks = c.server.keyspace;
    const v = ks.lookupWrite(db, key);
    if (v === undefined || typeof v !== 'object' || v.type !== 'list') return false;
    const list = v as ListValue;
    if (list.length === 0) return false;
    const effects = ks.effects;
    if (p.target !== null) {
      const dst = ks.lookupWrite(db, p.target);
      if (dst !== undefined && wrongType(c, dst, 'list')) return true;
      const value = popEnd(list, p.from);
      pushMoved(c, db, p.target, dst as ListValue | undefined, value, p.to);
      // Redis names the ends in lower case here (its shared "left"/"right" objects).
      const replay = p.rpoplpush ? ['RPOPLPUSH', key, p.target] : ['LMOVE', key, p.target, p.from === HEAD ? 'left' : 'right', p.to === HEAD ? 'left' : 'right'];
      effects.propagate(db.id, replay);
      effects.notify(NOTIFY_LIST, p.from === HEAD ? 'lpop' : 'rpop', key, db.id);
      deleteIfEmpty(c, db, key, list);
      return true;
    }
    const pop = p.from === HEAD ? 'LPOP' : 'RPOP';
    if (p.count > 0) {
      effects.propagate(db.id, [pop, key, String(Math.min(p.count, list.length))]);
      popRangeWithKey(c, db, key, list, p.from, p.count);
      return true;
    }
    effects.propagate(db.id, [pop, key]);
    c.reply.array(2);
    c.reply.bulk(key);
    c.reply.bulk(popEnd(list, p.from));
    effects.notify(NOTIFY_LIST, p.from === HEAD ? 'lpop' : 'rpop', key, db.id);
    // The push that made the key ready already touched WATCH (as Redis, no signal here).
    deleteIfEmpty(c, db, key, list);
    return true;
  },
  timedOut(c) {
    c.reply.nullArray();
  },
};

/**
 * blockingPopGenericCommand: pops from the first non-empty key at once (replayed as the
 * non-blocking pop), or blocks on all keys. keys are argv[from..from+numkeys).
 */
function blockingPop(c: Client, argv: string[], from: number, numkeys: number, where: End, timeoutArg: string, count: number): void {
  const deadline = blockTimeoutOrReply(c, timeoutArg);
  if (deadline === null) return;
  const db = c.db;
  for (let j = from; j < from + numkeys; j++) {
    const key = argv[j];
    const list = writeList(c, key);
    if (list === null) return;
    if (list === undefined || list.length === 0) continue;
    const effects = c.server.keyspace.effects;
    if (count !== -1) {
      const n = popRangeWithKey(c, db, key, list, where, count);
      effects.propagate(db.id, [where === HEAD ? 'LPOP' : 'RPOP', key, String(n)]);
      return;
    }
    c.reply.array(2);
    c.reply.bulk(key);
    c.reply.bulk(popEnd(list, where));
    elementsRemoved(c, db, key, where, list, 1);
    effects.propagate(db.id, [where === HEAD ? 'LPOP' : 'RPOP', key]);
    return;
  }
  const blocking = c.server.blocking;
  if (!blocking.canBlock(c)) {
    c.reply.nullArray();
    return;
  }
  blocking.block<ListBlock>(c, argv.slice(from, from + numkeys), deadline, LIST_BLOCK, { from: where, to: HEAD, target: null, count, rpoplpush: false });
}

/** BLPOP key [key ...] timeout */
function blpopCommand(c: Client, argv: string[]): void {
  blockingPop(c, argv, 1, argv.length - 2, HEAD, argv[argv.length - 1], -1);
}

/** BRPOP key [key ...] timeout */
function brpopCommand(c: Client, argv: string[]): void {
  blockingPop(c, argv, 1, argv.length - 2, TAIL, argv[argv.length - 1], -1);
}

/** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function blmpopCommand(c: Client, argv: string[]): void {
  const args = parseMpop(c, argv, 2);
  if (args === null) return;
  blockingPop(c, argv, 3, args.numkeys, args.where, argv[1], args.count);
}

/** blmoveGenericCommand: moves at once when the source has data, else blocks on it. */
function blockingMove(c: Client, argv: string[], from: End, to: End, timeoutArg: string, rpoplpush: boolean): void {
  const deadline = blockTimeoutOrReply(c, timeoutArg);
  if (deadline === null) return;
  const src = writeList(c, argv[1]);
  if (src === null) return;
  if (src !== undefined) {
    const replay = rpoplpush ? ['RPOPLPUSH', argv[1], argv[2]] : ['LMOVE', argv[1], argv[2], argv[3], argv[4]];
    moveElement(c, argv[1], src, argv[2], from, to, replay);
    return;
  }
  const blocking = c.server.blocking;
  if (!blocking.canBlock(c)) {
    c.reply.nullBulk();
    return;
  }
  blocking.block<ListBlock>(c, [argv[1]], deadline, LIST_BLOCK, { from, to, target: argv[2], count: -1, rpoplpush });
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
function blmoveCommand(c: Client, argv: string[]): void {
  const from = endArg(c, argv[3]);
  if (from === null) return;
  const to = endArg(c, argv[4]);
  if (to === null) return;
  blockingMove(c, argv, from, to, argv[5], false);
}

/** BRPOPLPUSH source destination timeout */
function brpoplpushCommand(c: Client, argv: string[]): void {
  blockingMove(c, argv, TAIL, HEAD, argv[3], true);
}

// DEBUG DIGEST (xorObjectDigest): list elements are mixed in order.
registerValueDigest('list', (digest, value) => {
  const list = value as ListValue;
  for (let i = 0; i < list.length; i++) mixDigest(digest, list.at(i));
});

export const commands = [
  { name: 'lpush', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: ['list'], keys: [1, 1, 1], run: lpushCommand },
  { name: 'rpush', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: ['list'], keys: [1, 1, 1], run: rpushCommand },
  { name: 'lpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: ['list'], keys: [1, 1, 1], run: lpushxCommand },
  { name: 'rpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: ['list'], keys: [1, 1, 1], run: rpushxCommand },
  { name: 'lpop', arity: -2, flags: ['write', 'fast'], acl: ['list'], keys: [1, 1, 1], run: lpopCommand },
  { name: 'rpop', arity: -2, flags: ['write', 'fast'], acl: ['list'], keys: [1, 1, 1], run: rpopCommand },
  { name: 'llen', arity: 2, flags: ['readonly', 'fast'], acl: ['list'], keys: [1, 1, 1], run: llenCommand },
  { name: 'lrange', arity: 4, flags: ['readonly'], acl: ['list'], keys: [1, 1, 1], run: lrangeCommand },
  { name: 'lindex', arity: 3, flags: ['readonly'], acl: ['list'], keys: [1, 1, 1], run: lindexCommand },
  { name: 'lset', arity: 4, flags: ['write', 'denyoom'], acl: ['list'], keys: [1, 1, 1], run: lsetCommand },
  { name: 'linsert', arity: 5, flags: ['write', 'denyoom'], acl: ['list'], keys: [1, 1, 1], run: linsertCommand },
  { name: 'lrem', arity: 4, flags: ['write'], acl: ['list'], keys: [1, 1, 1], run: lremCommand },
  { name: 'ltrim', arity: 4, flags: ['write'], acl: ['list'], keys: [1, 1, 1], run: ltrimCommand },
  { name: 'lpos', arity: -3, flags: ['readonly'], acl: ['list'], keys: [1, 1, 1], run: lposCommand },
  { name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], acl: ['list'], keys: [1, 2, 1], run: rpoplpushCommand },
  { name: 'lmove', arity: 5, flags: ['write', 'denyoom'], acl: ['list'], keys: [1, 2, 1], run: lmoveCommand },
  // LMPOP and BLMPOP find their keys through numkeys (movablekeys): no fixed key range.
  { name: 'lmpop', arity: -4, flags: ['write', 'movablekeys'], acl: ['list'], run: lmpopCommand },
  { name: 'blpop', arity: -3, flags: ['write', 'noscript', 'blocking'], acl: ['list'], keys: [1, -2, 1], run: blpopCommand },
  { name: 'brpop', arity: -3, flags: ['write', 'noscript', 'blocking'], acl: ['list'], keys: [1, -2, 1], run: brpopCommand },
  { name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], acl: ['list'], keys: [1, 2, 1], run: brpoplpushCommand },
  { name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], acl: ['list'], keys: [1, 2, 1], run: blmoveCommand },
  { name: 'blmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], acl: ['list'], run: blmpopCommand },
] satisfies CommandSpec[];
