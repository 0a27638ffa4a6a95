/*
 * Set commands (Redis 7.0's t_set.c).
 *
 * A set never stays empty: commands that remove members delete the key with its last member.
 * Replayed forms: SPOP → SREM key member (one per popped member; the unit is wrapped in MULTI/EXEC
 * when there are several), or DEL key when SPOP with a count takes the whole set; a command that
 * changed nothing is not propagated; the rest as sent (the *STORE commands too: they are
 * deterministic).
 * Reply shapes as 7.0: SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count reply a set (RESP3 ~);
 * SRANDMEMBER with a count replies an array. Members of an intset come out in ascending order.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { isOpt, wrongType } from './args.js';
import { ERR_SYNTAX } from '../protocol/errors.js';
import { NOTIFY_GENERIC, NOTIFY_SET } from '../keyspace/notify.js';
import { SetObject } from '../types/set.js';
import { parseInt64 } from '../types/numbers.js';
import { collectionLimits, MAX_RANDOM_PICKS, parseCollectionCursor, parseRandomCount, parseScanOptions, pickDistinct, replyEmptyScan, replyScan } from './collections.js';
import { registerValueDigest, xorDigest } from '../keyspace/digest.js';

// ---------------------------------------------------------------------------------------------
// Lookup

/** The set at key; undefined when missing, null after a WRONGTYPE reply. */
function lookupSet(c: Client, key: string, write: boolean): SetObject | undefined | null {
  const ks = c.server.keyspace;
  const v = write ? ks.lookupWrite(c.db, key) : ks.lookupRead(c.db, key);
  if (v === undefined) return undefined;
  if (wrongType(c, v, 'set')) return null;
  return v as SetObject;
}

function maxIntset(c: Client): number {
  return collectionLimits(c).maxIntset;
}

/** The empty set reply: RESP3 ~0, RESP2 *0. */
function replyEmptySet(c: Client): void {
  c.reply.set(0);
}

function replyMembers(c: Client, set: SetObject): void {
  const n = set.size;
  c.reply.set(n);
  for (let i = 0; i < n; i++) c.reply.bulk(set.memberAt(i));
}

// ---------------------------------------------------------------------------------------------
// Single-set writes

function saddCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const key = argv[1];
  let set = lookupSet(c, key, true);
  if (set === null) return;
  if (set === undefined) {
    set = SetObject.forFirstMember(argv[2]);
    ks.setKey(c.db, key, set);
  }
  const max = maxIntset(c);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i], max)) added++;
  if (added > 0) {
    ks.effects.keyChanged(c.db, key, NOTIFY_SET, 'sadd');
    ks.effects.dirty += added - 1;
    ks.effects.propagate(c.db.id, argv);
  }
  c.reply.integer(added);
}

function sremCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const key = argv[1];
  const set = lookupSet(c, key, true);
  if (set === null) return;
  if (set === undefined) {
    c.reply.integer(0);
    return;
  }
  let deleted = 0;
  let keyRemoved = false;
  for (let i = 2; i < argv.length; i++) {
    if (!set.remove(argv[i])) continue;
    deleted++;
    if (set.size === 0) {
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    if (keyRemoved) ks.delete(c.db, key);
    ks.effects.keyChanged(c.db, key, NOTIFY_SET, 'srem');
    if (keyRemoved) ks.effects.notify(NOTIFY_GENERIC, 'del', key, c.db.id);
    ks.effects.dirty += deleted - 1;
    ks.effects.propagate(c.db.id, argv);
  }
  c.reply.integer(deleted);
}

function smoveCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const db = c.db;
  const [, srcKey, dstKey, member] = argv;
  const src = ks.lookupWrite(db, srcKey);
  const dst = ks.lookupWrite(db, dstKey);
  if (src === undefined) {
    c.reply.integer(0);
    return;
  }
  if (wrongType(c, src, 'set') || wrongType(c, dst, 'set')) return;
  const srcSet = src as SetObject;
  if (src === dst) {
    c.reply.integer(srcSet.has(member) ? 1 : 0);
    return;
  }
  if (!srcSet.remove(member)) {
    c.reply.integer(0);
    return;
  }
  const effects = ks.effects;
  effects.keyChanged(db, srcKey, NOTIFY_SET, 'srem');
  if (srcSet.size === 0) {
    ks.delete(db, srcKey);
    effects.notify(NOTIFY_GENERIC, 'del', srcKey, db.id);
  }
  let dstSet = dst as SetObject | undefined;
  if (dstSet === undefined) {
    dstSet = SetObject.forFirstMember(member);
    ks.setKey(db, dstKey, dstSet);
  }
  if (dstSet.add(member, maxIntset(c))) effects.keyChanged(db, dstKey, NOTIFY_SET, 'sadd');
  effects.propagate(db.id, argv);
  c.reply.integer(1);
}

function spopCommand(c: Client, argv: string[]): void {
  if (argv.length === 3) {
    spopWithCount(c, argv);
    return;
  }
  if (argv.length > 3) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const ks = c.server.keyspace;
  const key = argv[1];
  const set = lookupSet(c, key, true);
  if (set === null) return;
  if (set === undefined) {
    c.reply.nullBulk();
    return;
  }
  const member = set.memberAt(set.randomIndex());
  set.remove(member);
  const effects = ks.effects;
  effects.notify(NOTIFY_SET, 'spop', key, c.db.id);
  // Replayed as SREM of the member that was picked: a replay must not pick again.
  effects.propagate(c.db.id, ['SREM', key, member]);
  c.reply.bulk(member);
  if (set.size === 0) {
    ks.delete(c.db, key);
    effects.notify(NOTIFY_GENERIC, 'del', key, c.db.id);
  }
  effects.touchWatchedKey(c.db, key);
  effects.dirty++;
}

/** Redis's SPOP_MOVE_STRATEGY_MUL: beyond this ratio, build the remainder rather than pop. */
const SPOP_MOVE_STRATEGY_MUL = 5;

function spopWithCount(c: Client, argv: string[]): void {
  const n = parseInt64(argv[2]);
  if (n === null || n < 0n) {
    c.reply.error('ERR value is out of range, must be positive');
    return;
  }
  const ks = c.server.keyspace;
  const db = c.db;
  const key = argv[1];
  const set = lookupSet(c, key, true);
  if (set === null) return;
  if (set === undefined || n === 0n) {
    replyEmptySet(c);
    return;
  }
  const size = set.size;
  const count = n >= BigInt(size) ? size : Number(n);
  const effects = ks.effects;
  effects.notify(NOTIFY_SET, 'spop', key, db.id);
  effects.dirty += count;
  if (count === size) {
    // The whole set: reply it and replay as DEL.
    replyMembers(c, set);
    ks.delete(db, key);
    effects.notify(NOTIFY_GENERIC, 'del', key, db.id);
    effects.propagate(db.id, ['DEL', key]);
    effects.touchWatchedKey(db, key);
    return;
  }
  c.reply.set(count);
  const remaining = size - count;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let k = 0; k < count; k++) {
      const member = set.memberAt(set.randomIndex());
      set.remove(member);
      c.reply.bulk(member);
      effects.propagate(db.id, ['SREM', key, member]);
    }
  } else {
    // Most members go: pick the ones that stay into a new set, pop everything else.
    const keep = pickDistinct(size, remaining).map((i) => set.memberAt(i));
    const kept = SetObject.forFirstMember(keep[0]);
    const max = maxIntset(c);
    for (const m of keep) {
      kept.add(m, max);
      set.remove(m);
    }
    for (let i = 0; i < set.size; i++) {
      const member = set.memberAt(i);
      c.reply.bulk(member);
      effects.propagate(db.id, ['SREM', key, member]);
    }
    ks.setKey(db, key, kept, true);
  }
  effects.touchWatchedKey(db, key);
}

// ---------------------------------------------------------------------------------------------
// Single-set reads

function sismemberCommand(c: Client, argv: string[]): void {
  const set = lookupSet(c, argv[1], false);
  if (set === null) return;
  c.reply.integer(set !== undefined && set.has(argv[2]) ? 1 : 0);
}

function smismemberCommand(c: Client, argv: string[]): void {
  const set = lookupSet(c, argv[1], false);
  if (set === null) return;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.integer(set !== undefined && set.has(argv[i]) ? 1 : 0);
}

function scardCommand(c: Client, argv: string[]): void {
  const set = lookupSet(c, argv[1], false);
  if (set === null) return;
  c.reply.integer(set === undefined ? 0 : set.size);
}

function srandmemberCommand(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  if (argv.length === 2) {
    const set = lookupSet(c, argv[1], false);
    if (set === null) return;
    if (set === undefined) c.reply.nullBulk();
    else c.reply.bulk(set.memberAt(set.randomIndex()));
    return;
  }
  const big = parseRandomCount(c, argv[2]);
  if (big === null) return;
  const set = lookupSet(c, argv[1], false);
  if (set === null) return;
  const l = Number(big);
  if (set === undefined || l === 0) {
    c.reply.array(0);
    return;
  }
  const size = set.size;
  if (l < 0 || l === 1) {
    // Repetitions allowed: independent picks, in random order.
    const count = Math.abs(l);
    if (count > MAX_RANDOM_PICKS) {
      c.reply.error('ERR value is out of range');
      return;
    }
    c.reply.array(count);
    for (let k = 0; k < count; k++) c.reply.bulk(set.memberAt(set.randomIndex()));
    return;
  }
  if (l >= size) {
    c.reply.array(size);
    for (let i = 0; i < size; i++) c.reply.bulk(set.memberAt(i));
    return;
  }
  c.reply.array(l);
  for (const i of pickDistinct(size, l)) c.reply.bulk(set.memberAt(i));
}

function sscanCommand(c: Client, argv: string[]): void {
  const cursor = parseCollectionCursor(c, argv[2]);
  if (cursor === null) return;
  const set = lookupSet(c, argv[1], false);
  if (set === null) return;
  if (set === undefined) {
    replyEmptyScan(c);
    return;
  }
  const opts = parseScanOptions(c, argv);
  if (opts === null) return;
  const items: string[] = [];
  const next = set.scan(cursor, opts.count, items);
  replyScan(c, next, items, opts.pattern, false);
}

// ---------------------------------------------------------------------------------------------
// Algebra: SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE

/**
 * The sets at keys for an algebra command (missing keys are null: empty sets); undefined after a
 * WRONGTYPE reply. Every key is looked up and type-checked, as Redis does.
 */
function lookupSets(c: Client, keys: readonly string[]): Array<SetObject | null> | undefined {
  const out: Array<SetObject | null> = [];
  for (const key of keys) {
    const s = lookupSet(c, key, false);
    if (s === null) return undefined;
    out.push(s ?? null);
  }
  return out;
}

/**
 * Stores `result` at dst (or deletes dst when it is empty) and replies its size, with SINTERSTORE's
 * family of effects: `event` on store, "del" when an existing dst goes away.
 */
function storeResult(c: Client, argv: string[], dst: string, result: SetObject, event: string): void {
  const ks = c.server.keyspace;
  const db = c.db;
  if (result.size > 0) {
    ks.setKey(db, dst, result);
    ks.effects.keyChanged(db, dst, NOTIFY_SET, event);
    ks.effects.propagate(db.id, argv);
    c.reply.integer(result.size);
    return;
  }
  c.reply.integer(0);
  if (ks.lookupWrite(db, dst) !== undefined && ks.delete(db, dst)) {
    ks.effects.keyChanged(db, dst, NOTIFY_GENERIC, 'del');
    ks.effects.propagate(db.id, argv);
  }
}

/**
 * sinterGenericCommand. `dst` set: SINTERSTORE; `cardinalityOnly`: SINTERCARD (stopping at
 * `limit` when it is not 0); otherwise SINTER/SMEMBERS.
 */
function sinterGeneric(c: Client, argv: string[], keys: readonly string[], dst: string | null, cardinalityOnly: boolean, limit: number): void {
  const found = lookupSets(c, keys);
  if (found === undefined) return;
  if (found.includes(null)) {
    // An intersection with an empty set is empty.
    if (dst !== null) storeResult(c, argv, dst, new SetObject(true), 'sinterstore');
    else if (cardinalityOnly) c.reply.integer(0);
    else replyEmptySet(c);
    return;
  }
  const sets = (found as SetObject[]).slice().sort((a, b) => a.size - b.size);
  const first = sets[0];
  const result = dst !== null ? new SetObject(true) : null;
  const members: string[] = [];
  const max = maxIntset(c);
  let cardinality = 0;
  for (let i = 0; i < first.size; i++) {
    const m = first.memberAt(i);
    let inAll = true;
    for (let j = 1; j < sets.length && inAll; j++) if (sets[j] !== first && !sets[j].has(m)) inAll = false;
    if (!inAll) continue;
    cardinality++;
    if (result !== null) result.add(m, max);
    else if (!cardinalityOnly) members.push(m);
    else if (limit !== 0 && cardinality >= limit) break;
  }
  if (result !== null) storeResult(c, argv, dst!, result, 'sinterstore');
  else if (cardinalityOnly) c.reply.integer(cardinality);
  else {
    c.reply.set(members.length);
    for (const m of members) c.reply.bulk(m);
  }
}

function sinterCommand(c: Client, argv: string[]): void {
  sinterGeneric(c, argv, argv.slice(1), null, false, 0);
}

function smembersCommand(c: Client, argv: string[]): void {
  const set = lookupSet(c, argv[1], false);
  if (set === null) return;
  if (set === undefined) replyEmptySet(c);
  else replyMembers(c, set);
}

function sinterstoreCommand(c: Client, argv: string[]): void {
  sinterGeneric(c, argv, argv.slice(2), argv[1], false, 0);
}

function sintercardCommand(c: Client, argv: string[]): void {
  const numkeys = parseInt64(argv[1]);
  if (numkeys === null || numkeys < 1n) {
    c.reply.error('ERR numkeys should be greater than 0');
    return;
  }
  if (numkeys > BigInt(argv.length - 2)) {
    c.reply.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  const n = Number(numkeys);
  let limit = 0;
  for (let j = 2 + n; j < argv.length; j++) {
    if (isOpt(argv[j], 'LIMIT') && j + 1 < argv.length) {
      const l = parseInt64(argv[++j]);
      if (l === null || l < 0n) {
        c.reply.error("ERR LIMIT can't be negative");
        return;
      }
      limit = l > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(l);
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  sinterGeneric(c, argv, argv.slice(2, 2 + n), null, true, limit);
}

/** sunionDiffGenericCommand: the union, or the first set minus the others. */
function sunionDiffGeneric(c: Client, argv: string[], keys: readonly string[], dst: string | null, union: boolean): void {
  const sets = lookupSets(c, keys);
  if (sets === undefined) return;
  const result = new SetObject(true);
  const max = maxIntset(c);
  const first = sets[0];
  if (union) {
    for (const s of sets) if (s !== null) for (let i = 0; i < s.size; i++) result.add(s.memberAt(i), max);
  } else if (first !== null && !sets.includes(first, 1)) {
    // A key repeated from the first one empties the difference (Redis's "sameset").
    for (let i = 0; i < first.size; i++) {
      const m = first.memberAt(i);
      let elsewhere = false;
      for (let j = 1; j < sets.length && !elsewhere; j++) elsewhere = sets[j] !== null && sets[j]!.has(m);
      if (!elsewhere) result.add(m, max);
    }
  }
  if (dst !== null) storeResult(c, argv, dst, result, union ? 'sunionstore' : 'sdiffstore');
  else replyMembers(c, result);
}

function sunionCommand(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv, argv.slice(1), null, true);
}

function sunionstoreCommand(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv, argv.slice(2), argv[1], true);
}

function sdiffCommand(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv, argv.slice(1), null, false);
}

function sdiffstoreCommand(c: Client, argv: string[]): void {
  sunionDiffGeneric(c, argv, argv.slice(2), argv[1], false);
}

// DEBUG DIGEST (xorObjectDigest): members are xored in, so their order does not matter.
registerValueDigest('set', (digest, value) => {
  for (const m of (value as SetObject).members()) xorDigest(digest, m);
});

export const commands = [
  { name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: ['set'], keys: [1, 1, 1], run: saddCommand },
  { name: 'srem', arity: -3, flags: ['write', 'fast'], acl: ['set'], keys: [1, 1, 1], run: sremCommand },
  { name: 'smove', arity: 4, flags: ['write', 'fast'], acl: ['set'], keys: [1, 2, 1], run: smoveCommand },
  { name: 'spop', arity: -2, flags: ['write', 'fast'], acl: ['set'], keys: [1, 1, 1], run: spopCommand },
  { name: 'sismember', arity: 3, flags: ['readonly', 'fast'], acl: ['set'], keys: [1, 1, 1], run: sismemberCommand },
  { name: 'smismember', arity: -3, flags: ['readonly', 'fast'], acl: ['set'], keys: [1, 1, 1], run: smismemberCommand },
  { name: 'scard', arity: 2, flags: ['readonly', 'fast'], acl: ['set'], keys: [1, 1, 1], run: scardCommand },
  { name: 'smembers', arity: 2, flags: ['readonly'], acl: ['set'], keys: [1, 1, 1], run: smembersCommand },
  { name: 'srandmember', arity: -2, flags: ['readonly'], acl: ['set'], keys: [1, 1, 1], run: srandmemberCommand },
  { name: 'sscan', arity: -3, flags: ['readonly'], acl: ['set'], keys: [1, 1, 1], run: sscanCommand },
  { name: 'sinter', arity: -2, flags: ['readonly'], acl: ['set'], keys: [1, -1, 1], run: sinterCommand },
  { name: 'sintercard', arity: -3, flags: ['readonly', 'movablekeys'], acl: ['set'], run: sintercardCommand },
  { name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], acl: ['set'], keys: [1, -1, 1], run: sinterstoreCommand },
  { name: 'sunion', arity: -2, flags: ['readonly'], acl: ['set'], keys: [1, -1, 1], run: sunionCommand },
  { name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], acl: ['set'], keys: [1, -1, 1], run: sunionstoreCommand },
  { name: 'sdiff', arity: -2, flags: ['readonly'], acl: ['set'], keys: [1, -1, 1], run: sdiffCommand },
  { name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], acl: ['set'], keys: [1, -1, 1], run: sdiffstoreCommand },
] satisfies CommandSpec[];
