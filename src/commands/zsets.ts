/*
 * Sorted set commands (Redis's t_zset.c), on the ZSet type of src/types/zset.ts.
 *
 * Scores are doubles parsed with Redis's rules and replied with "%.17g" (RESP3: doubles).
 * Replayed forms: every command here is deterministic and replays as sent, except ZMPOP and
 * BZMPOP, which replay as ZPOPMIN/ZPOPMAX key <count actually popped>, and BZPOPMIN/BZPOPMAX, as
 * ZPOPMIN/ZPOPMAX key (as Redis 7.0), whether answered at once or served later. Nothing is
 * propagated when nothing changed (Redis propagates only when the command made the dataset dirty).
 *
 * Blocking: BZPOPMIN BZPOPMAX BZMPOP park the client through server/blocking.ts with ZSET_BLOCK as
 * handler; inside EXEC they answer a null array on empty keys. A new zset wakes waiters through
 * Keyspace.setKey; ZADD adding to an existing one signals the key itself.
 * Sets are accepted as inputs of the set-algebra commands (members with score 1).
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { doubleArgOrReply, intArgOrReply, isOpt, wrongType } from './args.js';
import { ERR_SYNTAX, ERR_WRONGTYPE } from '../protocol/errors.js';
import { blockTimeoutOrReply, type BlockHandler } from '../server/blocking.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../keyspace/notify.js';
import { parseDouble } from '../types/numbers.js';
import { isCSpace } from '../config/cnumbers.js';
import { ZSet, type LexRange, type ScoreRange, type ScoredMember } from '../types/zset.js';
import type { CollectionObject, Value } from '../types/object.js';
import { mixDigest, newDigest, registerValueDigest, xorDigest } from '../keyspace/digest.js';
import { formatDouble, listpackScore } from '../types/numbers.js';
import { parseScanCursor } from './keys.js';
import { LONG_MAX_HALF, MAX_RANDOM_PICKS, parseRandomCount, parseScanOptions, pickDistinct, replyEmptyScan, replyScan } from './collections.js';

const ERR_NAN = 'ERR resulting score is not a number (NaN)';
const ERR_SCORE_RANGE = 'ERR min or max is not a float';
const ERR_LEX_RANGE = 'ERR min or max not valid string range item';

// ---------------------------------------------------------------------------------------------
// Helpers: lookup, limits, range parsing, replies

/** The zset at key for reading: undefined when missing, null after a WRONGTYPE reply. */
function readZset(c: Client, key: string): ZSet | undefined | null {
  const v = c.server.keyspace.lookupRead(c.db, key);
  if (v === undefined) return undefined;
  if (wrongType(c, v, 'zset')) return null;
  return v as ZSet;
}

function writeZset(c: Client, key: string): ZSet | undefined | null {
  const v = c.server.keyspace.lookupWrite(c.db, key);
  if (v === undefined) return undefined;
  if (wrongType(c, v, 'zset')) return null;
  return v as ZSet;
}

function listpackLimits(c: Client): [number, number] {
  const cfg = c.server.config;
  return [cfg.getNumber('zset-max-listpack-entries'), cfg.getNumber('zset-max-listpack-value')];
}

/** Deletes the key when the zset became empty, with Redis's "del" event. */
function deleteIfEmpty(c: Client, key: string, z: ZSet): void {
  if (z.size > 0) return;
  const ks = c.server.keyspace;
  ks.delete(c.db, key);
  ks.effects.notify(NOTIFY_GENERIC, 'del', key, c.db.id);
}

/** zslParseRange: "(1.5" exclusive, "-inf"/"+inf", plain numbers. */
function parseScoreRange(minArg: string, maxArg: string): ScoreRange | null {
  const min = parseScoreBound(minArg);
  const max = parseScoreBound(maxArg);
  if (min === null || max === null) return null;
  return { min: min.value, minex: min.ex, max: max.value, maxex: max.ex };
}

/**
 * One bound as zslParseRange reads it, with strtod on a C string: nothing after a NUL byte counts,
 * leading white space is skipped, and text with no number at all reads as 0 when it is empty
 * (strtod stops at its start, on the terminating NUL) but fails otherwise.
 */
function parseScoreBound(s: string): { value: number; ex: boolean } | null {
  const ex = s.charCodeAt(0) === 40; // '('
  let text = ex ? s.slice(1) : s;
  const nul = text.indexOf('\0');
  if (nul >= 0) text = text.slice(0, nul);
  if (text === '') return { value: 0, ex };
  let start = 0;
  while (start < text.length && isCSpace(text.charCodeAt(start))) start++;
  const v = parseDouble(start === 0 ? text : text.slice(start));
  return v === null ? null : { value: v, ex };
}

/** zslParseLexRange: "[a" inclusive, "(a" exclusive, "-" and "+". */
function parseLexRange(minArg: string, maxArg: string): LexRange | null {
  const r: LexRange = { min: null, max: null, minInf: false, maxInf: false, minex: false, maxex: false };
  if (minArg === '-') r.min = null;
  else if (minArg === '+') r.minInf = true;
  else if (minArg[0] === '[' || minArg[0] === '(') {
    r.min = minArg.slice(1);
    r.minex = minArg[0] === '(';
  } else return null;
  if (maxArg === '+') r.max = null;
  else if (maxArg === '-') r.maxInf = true;
  else if (maxArg[0] === '[' || maxArg[0] === '(') {
    r.max = maxArg.slice(1);
    r.maxex = maxArg[0] === '(';
  } else return null;
  return r;
}

/** Members, with scores as Redis replies them: flat in RESP2, [member, score] pairs in RESP3. */
function replyMembers(c: Client, items: readonly ScoredMember[], withScores: boolean): void {
  const r = c.reply;
  if (!withScores) {
    r.array(items.length);
    for (const m of items) r.bulk(m.member);
    return;
  }
  const nested = r.resp === 3;
  r.array(nested ? items.length : items.length * 2);
  for (const m of items) {
    if (nested) r.array(2);
    r.bulk(m.member);
    r.double(m.score);
  }
}

/** Rank clamping of ZRANGE / ZREMRANGEBYRANK: [start, end] within the set, or null when empty. */
function clampRanks(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

// ---------------------------------------------------------------------------------------------
// ZADD, ZINCRBY, ZREM

const ZADD_NX = 1;
const ZADD_XX = 2;
const ZADD_GT = 4;
const ZADD_LT = 8;
const ZADD_INCR = 16;
const ZADD_CH = 32;

function zaddGeneric(c: Client, argv: string[], initialFlags: number): void {
  const key = argv[1];
  let flags = initialFlags;
  let idx = 2;
  for (; idx < argv.length; idx++) {
    const opt = argv[idx].toUpperCase();
    if (opt === 'NX') flags |= ZADD_NX;
    else if (opt === 'XX') flags |= ZADD_XX;
    else if (opt === 'CH') flags |= ZADD_CH;
    else if (opt === 'INCR') flags |= ZADD_INCR;
    else if (opt === 'GT') flags |= ZADD_GT;
    else if (opt === 'LT') flags |= ZADD_LT;
    else break;
  }
  const pairs = argv.length - idx;
  if (pairs === 0 || pairs % 2 !== 0) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const nx = (flags & ZADD_NX) !== 0;
  const xx = (flags & ZADD_XX) !== 0;
  const gt = (flags & ZADD_GT) !== 0;
  const lt = (flags & ZADD_LT) !== 0;
  const incr = (flags & ZADD_INCR) !== 0;
  if (nx && xx) {
    c.reply.error('ERR XX and NX options at the same time are not compatible');
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    c.reply.error('ERR GT, LT, and/or NX options at the same time are not compatible');
    return;
  }
  if (incr && pairs > 2) {
    c.reply.error('ERR INCR option supports a single increment-element pair');
    return;
  }
  // All scores are parsed before anything changes: the command runs fully or not at all.
  const scores: number[] = [];
  for (let j = idx; j < argv.length; j += 2) {
    const s = doubleArgOrReply(c, argv[j]);
    if (s === null) return;
    scores.push(s);
  }
  const ks = c.server.keyspace;
  let z = writeZset(c, key);
  if (z === null) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let lastScore = 0;
  let nanError = false;
  if (z === undefined && !xx) {
    z = new ZSet();
    ks.setKey(c.db, key, z);
  }
  if (z !== undefined) {
    const [maxEntries, maxValue] = listpackLimits(c);
    for (let p = 0; p < scores.length; p++) {
      const member = argv[idx + 1 + p * 2];
      let score = scores[p];
      const cur = z.score(member);
      if (cur !== undefined) {
        if (nx) continue;
        if (incr) {
          score += cur;
          if (Number.isNaN(score)) {
            nanError = true;
            break;
          }
        }
        if ((lt && score >= cur) || (gt && score <= cur)) continue;
        lastScore = score;
        processed++;
        if (score !== cur) {
          z.update(member, score);
          updated++;
        }
      } else if (!xx) {
        z.insert(member, score);
        z.noteLimits(maxEntries, maxValue, member);
        lastScore = score;
        processed++;
        added++;
      }
    }
    // A key created for nothing (NaN on the first pair cannot happen for a new member) is removed.
    if (z.size === 0) ks.delete(c.db, key);
  }
  if (nanError) c.reply.error(ERR_NAN);
  else if (incr) {
    if (processed > 0) c.reply.double(lastScore);
    else c.reply.nullBulk();
  } else c.reply.integer(flags & ZADD_CH ? added + updated : added);
  if (added + updated > 0) {
    // setKey announced a new zset; growth in place is announced too (as later Redis versions do),
    // so no way of adding members depends on how the zset was made to wake waiters.
    if (added > 0) ks.signalKeyAsReady(c.db, key);
    ks.effects.keyChanged(c.db, key, NOTIFY_ZSET, incr ? 'zincr' : 'zadd');
    ks.effects.dirty += added + updated - 1;
    ks.effects.propagate(c.db.id, argv);
  }
}

/** ZADD; GEOADD runs it on its rewritten arguments (geo.ts), as Redis does. */
export function zaddCommand(c: Client, argv: string[]): void {
  zaddGeneric(c, argv, 0);
}

function zincrbyCommand(c: Client, argv: string[]): void {
  zaddGeneric(c, argv, ZADD_INCR);
}

function zremCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const z = writeZset(c, key);
  if (z === null) return;
  if (z === undefined) {
    c.reply.integer(0);
    return;
  }
  let deleted = 0;
  for (let j = 2; j < argv.length && z.size > 0; j++) if (z.remove(argv[j])) deleted++;
  if (deleted > 0) {
    const effects = c.server.keyspace.effects;
    effects.keyChanged(c.db, key, NOTIFY_ZSET, 'zrem');
    deleteIfEmpty(c, key, z);
    effects.propagate(c.db.id, argv);
  }
  c.reply.integer(deleted);
}

// ---------------------------------------------------------------------------------------------
// Reads: ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT

function zcardCommand(c: Client, argv: string[]): void {
  const z = readZset(c, argv[1]);
  if (z === null) return;
  c.reply.integer(z === undefined ? 0 : z.size);
}

function zscoreCommand(c: Client, argv: string[]): void {
  const z = readZset(c, argv[1]);
  if (z === null) return;
  const s = z?.score(argv[2]);
  if (s === undefined) c.reply.nullBulk();
  else c.reply.double(s);
}

function zmscoreCommand(c: Client, argv: string[]): void {
  const z = readZset(c, argv[1]);
  if (z === null) return;
  c.reply.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(argv[j]);
    if (s === undefined) c.reply.nullBulk();
    else c.reply.double(s);
  }
}

/** ZRANK / ZREVRANK key member [WITHSCORE] (WITHSCORE is Redis 7.2's). */
function zrankGeneric(c: Client, argv: string[], reverse: boolean): void {
  if (argv.length > 4) {
    c.reply.error(`ERR wrong number of arguments for '${reverse ? 'zrevrank' : 'zrank'}' command`);
    return;
  }
  const withScore = argv.length === 4;
  if (withScore && !isOpt(argv[3], 'WITHSCORE')) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const z = readZset(c, argv[1]);
  if (z === null) return;
  const rank = z === undefined ? -1 : z.rank(argv[2], reverse);
  if (rank < 0) {
    if (withScore) c.reply.nullArray();
    else c.reply.nullBulk();
    return;
  }
  if (withScore) c.reply.array(2);
  c.reply.integer(rank);
  if (withScore) c.reply.double(z!.score(argv[2])!);
}

function zrankCommand(c: Client, argv: string[]): void {
  zrankGeneric(c, argv, false);
}

function zrevrankCommand(c: Client, argv: string[]): void {
  zrankGeneric(c, argv, true);
}

function zcountCommand(c: Client, argv: string[]): void {
  const range = parseScoreRange(argv[2], argv[3]);
  if (range === null) {
    c.reply.error(ERR_SCORE_RANGE);
    return;
  }
  const z = readZset(c, argv[1]);
  if (z === null) return;
  c.reply.integer(z === undefined ? 0 : z.countByScore(range));
}

function zlexcountCommand(c: Client, argv: string[]): void {
  const range = parseLexRange(argv[2], argv[3]);
  if (range === null) {
    c.reply.error(ERR_LEX_RANGE);
    return;
  }
  const z = readZset(c, argv[1]);
  if (z === null) return;
  c.reply.integer(z === undefined ? 0 : z.countByLex(range));
}

// ---------------------------------------------------------------------------------------------
// Ranges: ZRANGE (and its old forms), ZRANGESTORE

type RangeKind = 'auto' | 'rank' | 'score' | 'lex';

interface RangeRequest {
  kind: 'rank' | 'score' | 'lex';
  reverse: boolean;
  withScores: boolean;
  /** The selected members, in reply order. */
  items: ScoredMember[];
}

/**
 * zrangeGenericCommand: parses `<src> <min> <max> [BYSCORE|BYLEX] [REV] [WITHSCORES] [LIMIT o c]`
 * from argv[at] and selects the members. Returns null after replying an error.
 */
function selectRange(c: Client, argv: string[], at: number, store: boolean, kind: RangeKind, reverseFixed: boolean | null): RangeRequest | null {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  let reverse = reverseFixed ?? false;
  for (let j = at + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const opt = argv[j];
    if (!store && isOpt(opt, 'WITHSCORES')) withScores = true;
    else if (isOpt(opt, 'LIMIT') && left >= 2) {
      const o = intArgOrReply(c, argv[j + 1]);
      if (o === null) return null;
      const l = intArgOrReply(c, argv[j + 2]);
      if (l === null) return null;
      offset = o;
      limit = l;
      j += 2;
    } else if (reverseFixed === null && isOpt(opt, 'REV')) reverse = true;
    else if (kind === 'auto' && isOpt(opt, 'BYLEX')) kind = 'lex';
    else if (kind === 'auto' && isOpt(opt, 'BYSCORE')) kind = 'score';
    else {
      c.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  const k = kind === 'auto' ? 'rank' : kind;
  if (limit !== -1 && k === 'rank') {
    c.reply.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
    return null;
  }
  if (withScores && k === 'lex') {
    c.reply.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
    return null;
  }
  // Reversed score and lex ranges are given as max, min.
  const minArg = reverse && k !== 'rank' ? argv[at + 2] : argv[at + 1];
  const maxArg = reverse && k !== 'rank' ? argv[at + 1] : argv[at + 2];
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (k === 'rank') {
    const s = intArgOrReply(c, minArg);
    if (s === null) return null;
    const e = intArgOrReply(c, maxArg);
    if (e === null) return null;
    start = s;
    end = e;
  } else if (k === 'score') {
    scoreRange = parseScoreRange(minArg, maxArg);
    if (scoreRange === null) {
      c.reply.error(ERR_SCORE_RANGE);
      return null;
    }
  } else {
    lexRange = parseLexRange(minArg, maxArg);
    if (lexRange === null) {
      c.reply.error(ERR_LEX_RANGE);
      return null;
    }
  }
  const z = readZset(c, argv[at]);
  if (z === null) return null;
  const req: RangeRequest = { kind: k, reverse, withScores, items: [] };
  if (z === undefined) return req;
  if (k === 'rank') {
    const r = clampRanks(start, end, z.size);
    if (r !== null) req.items = z.rangeByRank(r[0], r[1], reverse);
  } else if (offset >= 0 && !(offset > 0 && offset >= z.size)) {
    // A negative offset selects nothing, as in Redis.
    req.items = k === 'score' ? z.rangeByScore(scoreRange!, reverse, offset, limit) : z.rangeByLex(lexRange!, reverse, offset, limit);
  }
  return req;
}

function zrangeCommand(c: Client, argv: string[]): void {
  const req = selectRange(c, argv, 1, false, 'auto', null);
  if (req !== null) replyMembers(c, req.items, req.withScores);
}

function zrevrangeCommand(c: Client, argv: string[]): void {
  const req = selectRange(c, argv, 1, false, 'rank', true);
  if (req !== null) replyMembers(c, req.items, req.withScores);
}

function zrangebyscoreCommand(c: Client, argv: string[]): void {
  const req = selectRange(c, argv, 1, false, 'score', false);
  if (req !== null) replyMembers(c, req.items, req.withScores);
}

function zrevrangebyscoreCommand(c: Client, argv: string[]): void {
  const req = selectRange(c, argv, 1, false, 'score', true);
  if (req !== null) replyMembers(c, req.items, req.withScores);
}

function zrangebylexCommand(c: Client, argv: string[]): void {
  const req = selectRange(c, argv, 1, false, 'lex', false);
  if (req !== null) replyMembers(c, req.items, false);
}

function zrevrangebylexCommand(c: Client, argv: string[]): void {
  const req = selectRange(c, argv, 1, false, 'lex', true);
  if (req !== null) replyMembers(c, req.items, false);
}

/** Stores a computed zset at dst (or deletes dst when empty); replies the size. */
function storeResult(c: Client, dst: string, items: Iterable<ScoredMember>, event: string): void {
  const ks = c.server.keyspace;
  const z = new ZSet();
  // Built as doubles (a skiplist in Redis); settle() decides the encoding and what it keeps.
  z.converted = true;
  let maxLen = 0;
  for (const m of items) {
    z.set(m.member, m.score);
    if (m.member.length > maxLen) maxLen = m.member.length;
  }
  const [maxEntries, maxValue] = listpackLimits(c);
  // A stored result starts in the compact encoding when it fits (zsetConvertToListpackIfNeeded).
  z.settle(z.size > maxEntries || maxLen > maxValue);
  if (z.size > 0) {
    ks.setKey(c.db, dst, z);
    ks.effects.keyChanged(c.db, dst, NOTIFY_ZSET, event);
  } else if (ks.delete(c.db, dst)) {
    ks.effects.keyChanged(c.db, dst, NOTIFY_GENERIC, 'del');
  } else {
    c.reply.integer(0);
    return;
  }
  c.reply.integer(z.size);
}

function zrangestoreCommand(c: Client, argv: string[]): void {
  const req = selectRange(c, argv, 2, true, 'auto', null);
  if (req === null) return;
  const ks = c.server.keyspace;
  const dirty = ks.effects.dirty;
  storeResult(c, argv[1], req.items, 'zrangestore');
  if (ks.effects.dirty !== dirty) ks.effects.propagate(c.db.id, argv);
}

// ---------------------------------------------------------------------------------------------
// Removal by range: ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX

function zremrangeGeneric(c: Client, argv: string[], kind: 'rank' | 'score' | 'lex'): void {
  const key = argv[1];
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (kind === 'rank') {
    const s = intArgOrReply(c, argv[2]);
    if (s === null) return;
    const e = intArgOrReply(c, argv[3]);
    if (e === null) return;
    start = s;
    end = e;
  } else if (kind === 'score') {
    scoreRange = parseScoreRange(argv[2], argv[3]);
    if (scoreRange === null) {
      c.reply.error(ERR_SCORE_RANGE);
      return;
    }
  } else {
    lexRange = parseLexRange(argv[2], argv[3]);
    if (lexRange === null) {
      c.reply.error(ERR_LEX_RANGE);
      return;
    }
  }
  const z = writeZset(c, key);
  if (z === null) return;
  if (z === undefined) {
    c.reply.integer(0);
    return;
  }
  let victims: ScoredMember[] = [];
  if (kind === 'rank') {
    const r = clampRanks(start, end, z.size);
    if (r !== null) victims = z.rangeByRank(r[0], r[1], false);
  } else if (kind === 'score') victims = z.rangeByScore(scoreRange!, false);
  else victims = z.rangeByLex(lexRange!, false);
  const deleted = z.removeAll(victims);
  if (deleted > 0) {
    const effects = c.server.keyspace.effects;
    effects.keyChanged(c.db, key, NOTIFY_ZSET, `zremrangeby${kind}`);
    effects.dirty += deleted - 1;
    deleteIfEmpty(c, key, z);
    effects.propagate(c.db.id, argv);
  }
  c.reply.integer(deleted);
}

function zremrangebyrankCommand(c: Client, argv: string[]): void {
  zremrangeGeneric(c, argv, 'rank');
}

function zremrangebyscoreCommand(c: Client, argv: string[]): void {
  zremrangeGeneric(c, argv, 'score');
}

function zremrangebylexCommand(c: Client, argv: string[]): void {
  zremrangeGeneric(c, argv, 'lex');
}

// ---------------------------------------------------------------------------------------------
// Pops: ZPOPMIN ZPOPMAX ZMPOP

/**
 * Reply shapes of genericZpopCommand: `flat` member, score... (ZPOPMIN; RESP2 with a count);
 * `nested` [member, score]... (RESP3 with a count); `keyedFlat` key, member, score (BZPOPMIN);
 * `keyed` [key, [[member, score]...]] (ZMPOP, BZMPOP).
 */
type PopShape = 'flat' | 'nested' | 'keyedFlat' | 'keyed';

/**
 * genericZpopCommand for one key that holds a non-empty zset: pops up to `count` and replies in
 * `shape`. Returns how many were popped.
 */
function popFrom(c: Client, key: string, z: ZSet, max: boolean, count: number, shape: PopShape): number {
  const popped = z.pop(count, max);
  const r = c.reply;
  if (shape === 'flat') r.array(popped.length * 2);
  else if (shape === 'nested') r.array(popped.length);
  else if (shape === 'keyedFlat') {
    r.array(popped.length * 2 + 1);
    r.bulk(key);
  } else {
    r.array(2);
    r.bulk(key);
    r.array(popped.length);
  }
  const nested = shape === 'nested' || shape === 'keyed';
  for (const m of popped) {
    if (nested) r.array(2);
    r.bulk(m.member);
    r.double(m.score);
  }
  const effects = c.server.keyspace.effects;
  effects.keyChanged(c.db, key, NOTIFY_ZSET, max ? 'zpopmax' : 'zpopmin');
  effects.dirty += popped.length - 1;
  deleteIfEmpty(c, key, z);
  return popped.length;
}

/** The replayed form of a pop from a blocking or multi-key command (Redis 7.0's rewrite). */
function propagatePop(c: Client, key: string, max: boolean, popped: number, withCount: boolean): void {
  const cmd = max ? 'ZPOPMAX' : 'ZPOPMIN';
  c.server.keyspace.effects.propagate(c.db.id, withCount ? [cmd, key, String(popped)] : [cmd, key]);
}

function zpopGeneric(c: Client, argv: string[], max: boolean): void {
  if (argv.length > 3) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  let count = -1;
  if (argv.length === 3) {
    const n = intArgOrReply(c, argv[2], 'ERR value is out of range, must be positive');
    if (n === null) return;
    if (n < 0) {
      c.reply.error('ERR value is out of range, must be positive');
      return;
    }
    count = n;
  }
  const z = writeZset(c, argv[1]);
  if (z === null) return;
  if (z === undefined || count === 0) {
    c.reply.array(0);
    return;
  }
  // RESP3 nests pairs when a count was given; RESP2 (and the plain form) is flat.
  popFrom(c, argv[1], z, max, count === -1 ? 1 : count, c.reply.resp === 3 && count !== -1 ? 'nested' : 'flat');
  c.server.keyspace.effects.propagate(c.db.id, argv);
}

function zpopminCommand(c: Client, argv: string[]): void {
  zpopGeneric(c, argv, false);
}

function zpopmaxCommand(c: Client, argv: string[]): void {
  zpopGeneric(c, argv, true);
}

interface MpopArgs {
  numkeys: number;
  max: boolean;
  count: number;
}

/** zmpopGenericCommand's parsing: numkeys at argv[at], keys, MIN|MAX, [COUNT n]; null after an error. */
function parseMpop(c: Client, argv: string[], at: number): MpopArgs | null {
  const numkeys = intArgOrReply(c, argv[at], 'ERR numkeys should be greater than 0');
  if (numkeys === null) return null;
  if (numkeys < 1) {
    c.reply.error('ERR numkeys should be greater than 0');
    return null;
  }
  const whereIdx = at + 1 + numkeys;
  if (whereIdx >= argv.length) {
    c.reply.error(ERR_SYNTAX);
    return null;
  }
  const where = argv[whereIdx].toUpperCase();
  if (where !== 'MIN' && where !== 'MAX') {
    c.reply.error(ERR_SYNTAX);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && isOpt(argv[j], 'COUNT') && j + 1 < argv.length) {
      const n = intArgOrReply(c, argv[++j], 'ERR count should be greater than 0');
      if (n === null) return null;
      if (n < 1) {
        c.reply.error('ERR count should be greater than 0');
        return null;
      }
      count = n;
    } else {
      c.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return { numkeys, max: where === 'MAX', count: count === -1 ? 1 : count };
}

function zmpopCommand(c: Client, argv: string[]): void {
  const args = parseMpop(c, argv, 1);
  if (args === null) return;
  for (let j = 2; j < 2 + args.numkeys; j++) {
    const z = writeZset(c, argv[j]);
    if (z === null) return;
    if (z === undefined || z.size === 0) continue;
    const popped = popFrom(c, argv[j], z, args.max, args.count, 'keyed');
    // Replayed as ZPOPMIN/ZPOPMAX with the count actually popped (Redis 7.0).
    propagatePop(c, argv[j], args.max, popped, true);
    return;
  }
  c.reply.nullArray();
}

// ---------------------------------------------------------------------------------------------
// Blocking pops: BZPOPMIN BZPOPMAX BZMPOP

/** What a client blocked on sorted sets waits to do (Redis's bpop.blockpos and count). */
interface ZsetBlock {
  max: boolean;
  /** BZMPOP's COUNT; -1 for BZPOPMIN/BZPOPMAX (one member, replied as key, member, score). */
  count: number;
}

/** serveClientsBlockedOnSortedSetKey, as the blocking framework's handler. */
const ZSET_BLOCK: BlockHandler<ZsetBlock> = {
  serve(c, key, p) {
    const v = c.server.keyspace.lookupWrite(c.db, key);
    if (v === undefined || typeof v !== 'object' || v.type !== 'zset') return false;
    const z = v as ZSet;
    if (z.size === 0) return false;
    popBlocking(c, key, z, p);
    return true;
  },
  timedOut(c) {
    c.reply.nullArray();
  },
};

/** Pops for a blocking command from a non-empty zset, replayed as ZPOPMIN/ZPOPMAX key [count]. */
function popBlocking(c: Client, key: string, z: ZSet, p: ZsetBlock): void {
  const single = p.count === -1;
  const popped = popFrom(c, key, z, p.max, single ? 1 : p.count, single ? 'keyedFlat' : 'keyed');
  propagatePop(c, key, p.max, popped, !single);
}

/**
 * blockingGenericZpopCommand: pops from the first non-empty key of argv[from..from+numkeys) at
 * once, or blocks on all of them (inside EXEC: a null array).
 */
function blockingZpop(c: Client, argv: string[], from: number, numkeys: number, timeoutArg: string, p: ZsetBlock): void {
  const deadline = blockTimeoutOrReply(c, timeoutArg);
  if (deadline === null) return;
  for (let j = from; j < from + numkeys; j++) {
    const z = writeZset(c, argv[j]);
    if (z === null) return;
    if (z === undefined || z.size === 0) continue;
    popBlocking(c, argv[j], z, p);
    return;
  }
  const blocking = c.server.blocking;
  if (!blocking.canBlock(c)) {
    c.reply.nullArray();
    return;
  }
  blocking.block<ZsetBlock>(c, argv.slice(from, from + numkeys), deadline, ZSET_BLOCK, p);
}

/** BZPOPMIN key [key ...] timeout */
function bzpopminCommand(c: Client, argv: string[]): void {
  blockingZpop(c, argv, 1, argv.length - 2, argv[argv.length - 1], { max: false, count: -1 });
}

/** BZPOPMAX key [key ...] timeout */
function bzpopmaxCommand(c: Client, argv: string[]): void {
  blockingZpop(c, argv, 1, argv.length - 2, argv[argv.length - 1], { max: true, count: -1 });
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
function bzmpopCommand(c: Client, argv: string[]): void {
  const args = parseMpop(c, argv, 2);
  if (args === null) return;
  blockingZpop(c, argv, 3, args.numkeys, argv[1], { max: args.max, count: args.count });
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER

function zrandmemberCommand(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    const z = readZset(c, argv[1]);
    if (z === null) return;
    if (z === undefined) {
      c.reply.nullBulk();
      return;
    }
    c.reply.bulk(pick(z).member);
    return;
  }
  const big = parseRandomCount(c, argv[2]);
  if (big === null) return;
  if (argv.length > 4 || (argv.length === 4 && !isOpt(argv[3], 'WITHSCORES'))) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const withScores = argv.length === 4;
  if (withScores && (big < -LONG_MAX_HALF || big > LONG_MAX_HALF)) {
    c.reply.error('ERR value is out of range');
    return;
  }
  const count = Number(big);
  const z = readZset(c, argv[1]);
  if (z === null) return;
  if (z === undefined || count === 0) {
    c.reply.array(0);
    return;
  }
  let items: ScoredMember[];
  if (count < 0) {
    // Repetitions allowed: -count independent picks.
    if (-count > MAX_RANDOM_PICKS) {
      c.reply.error('ERR value is out of range');
      return;
    }
    items = [];
    for (let i = 0; i < -count; i++) items.push(pick(z));
  } else if (count >= z.size) {
    // The whole set, highest score first, as Redis answers it.
    items = z.rangeByRank(0, z.size - 1, true);
  } else {
    items = [];
    for (const i of pickDistinct(z.size, count)) items.push(z.rangeByRank(i, i, false)[0]);
  }
  replyMembers(c, items, withScores);
}

function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}

function pick(z: ZSet): ScoredMember {
  const i = randomIndex(z.size);
  return z.rangeByRank(i, i, false)[0];
}

// ---------------------------------------------------------------------------------------------
// Set algebra: ZUNION ZINTER ZDIFF (and STORE), ZINTERCARD

type Aggregate = 'sum' | 'min' | 'max';

/** A zset or set input, read as member → score (sets score 1). */
function sourceScores(v: Value | undefined): ReadonlyMap<string, number> | null {
  if (v === undefined) return new Map();
  if (typeof v !== 'object') return null;
  if (v.type === 'zset') return (v as ZSet).members();
  if (v.type === 'set') return setAsScores(v);
  return null;
}

/** The set type's members with score 1. Sets expose `members()` (an iterable of members). */
function setAsScores(v: CollectionObject): ReadonlyMap<string, number> {
  const out = new Map<string, number>();
  for (const m of (v as unknown as { members(): Iterable<string> }).members()) out.set(m, 1);
  return out;
}

function aggregate(a: number, b: number, how: Aggregate): number {
  if (how === 'sum') {
    const s = a + b;
    return Number.isNaN(s) ? 0 : s; // inf + -inf is 0 in Redis
  }
  return how === 'min' ? Math.min(a, b) : Math.max(a, b);
}

/**
 * zunionInterDiffGenericCommand. `numkeysIdx` points at numkeys; `dst` is the destination for the
 * STORE forms; `cardOnly` is ZINTERCARD.
 */
function setAlgebra(c: Client, argv: string[], numkeysIdx: number, op: 'union' | 'inter' | 'diff', dst: string | null, cardOnly: boolean): void {
  const fullname = argv[0].toLowerCase();
  const setnum = intArgOrReply(c, argv[numkeysIdx]);
  if (setnum === null) return;
  if (setnum < 1) {
    c.reply.error(`ERR at least 1 input key is needed for '${fullname}' command`);
    return;
  }
  if (setnum > argv.length - numkeysIdx - 1) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const ks = c.server.keyspace;
  const sources: Array<ReadonlyMap<string, number>> = [];
  let j = numkeysIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const s = sourceScores(ks.lookupRead(c.db, argv[j]));
    if (s === null) {
      c.reply.error(ERR_WRONGTYPE);
      return;
    }
    sources.push(s);
  }
  const weights = new Array<number>(setnum).fill(1);
  let how: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const opt = argv[j];
    if (op !== 'diff' && !cardOnly && remaining >= setnum + 1 && isOpt(opt, 'WEIGHTS')) {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = doubleArgOrReply(c, argv[j], 'ERR weight value is not a float');
        if (w === null) return;
        weights[i] = w;
      }
    } else if (op !== 'diff' && !cardOnly && remaining >= 2 && isOpt(opt, 'AGGREGATE')) {
      const a = argv[j + 1].toLowerCase();
      if (a !== 'sum' && a !== 'min' && a !== 'max') {
        c.reply.error(ERR_SYNTAX);
        return;
      }
      how = a;
      j += 2;
    } else if (remaining >= 1 && dst === null && !cardOnly && isOpt(opt, 'WITHSCORES')) {
      withScores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && isOpt(opt, 'LIMIT')) {
      // getPositiveLongFromObjectOrReply: any bad value gets this one message.
      const l = intArgOrReply(c, argv[j + 1], "ERR LIMIT can't be negative");
      if (l === null) return;
      if (l < 0) {
        c.reply.error("ERR LIMIT can't be negative");
        return;
      }
      limit = l;
      j += 2;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const result = new Map<string, number>();
  if (op === 'union') {
    sources.forEach((src, i) => {
      for (const [m, s] of src) {
        let score = weights[i] * s;
        if (Number.isNaN(score)) score = 0;
        const cur = result.get(m);
        result.set(m, cur === undefined ? score : aggregate(cur, score, how));
      }
    });
  } else if (op === 'inter') {
    // Walk the smallest input; weights follow their sources.
    const order = sources.map((_, i) => i).sort((a, b) => sources[a].size - sources[b].size);
    const first = order[0];
    outer: for (const [m, s0] of sources[first]) {
      let score = weights[first] * s0;
      if (Number.isNaN(score)) score = 0;
      for (let k = 1; k < order.length; k++) {
        const s = sources[order[k]].get(m);
        if (s === undefined) continue outer;
        let w = weights[order[k]] * s;
        if (Number.isNaN(w)) w = 0;
        score = aggregate(score, w, how);
      }
      result.set(m, score);
      if (cardOnly && limit > 0 && result.size >= limit) break;
    }
  } else {
    outer: for (const [m, s] of sources[0]) {
      for (let k = 1; k < sources.length; k++) if (sources[k].has(m)) continue outer;
      result.set(m, s);
    }
  }
  if (cardOnly) {
    c.reply.integer(result.size);
    return;
  }
  const items: ScoredMember[] = [];
  for (const [member, score] of result) items.push({ member, score });
  items.sort((a, b) => (a.score < b.score || (a.score === b.score && a.member < b.member) ? -1 : 1));
  if (dst !== null) {
    const dirty = ks.effects.dirty;
    storeResult(c, dst, items, `z${op}store`);
    if (ks.effects.dirty !== dirty) ks.effects.propagate(c.db.id, argv);
    return;
  }
  replyMembers(c, items, withScores);
}

function zunionCommand(c: Client, argv: string[]): void {
  setAlgebra(c, argv, 1, 'union', null, false);
}

function zinterCommand(c: Client, argv: string[]): void {
  setAlgebra(c, argv, 1, 'inter', null, false);
}

function zdiffCommand(c: Client, argv: string[]): void {
  setAlgebra(c, argv, 1, 'diff', null, false);
}

function zunionstoreCommand(c: Client, argv: string[]): void {
  setAlgebra(c, argv, 2, 'union', argv[1], false);
}

function zinterstoreCommand(c: Client, argv: string[]): void {
  setAlgebra(c, argv, 2, 'inter', argv[1], false);
}

function zdiffstoreCommand(c: Client, argv: string[]): void {
  setAlgebra(c, argv, 2, 'diff', argv[1], false);
}

function zintercardCommand(c: Client, argv: string[]): void {
  setAlgebra(c, argv, 1, 'inter', null, true);
}

// ---------------------------------------------------------------------------------------------
// ZSCAN


/**
 * ZSCAN key cursor [MATCH pattern] [COUNT count]: member, score pairs (scores as bulk strings, in
 * RESP3 too). A set in the listpack encoding is returned whole with cursor 0, in order, whatever
 * the cursor, as Redis does; a larger one walks its member Map with the keyspace SCAN's cursors
 * (Keyspace.scanMap), and so with SCAN's guarantee across changes between calls.
 */
function zscanCommand(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) {
    c.reply.error('ERR invalid cursor');
    return;
  }
  const z = readZset(c, argv[1]);
  if (z === null) return;
  if (z === undefined) {
    replyEmptyScan(c);
    return;
  }
  const opts = parseScanOptions(c, argv);
  if (opts === null) return;
  const items: string[] = [];
  let next = 0;
  if (!z.converted) {
    for (const m of z.entries()) items.push(m.member, listpackScore(m.score));
  } else {
    next = c.server.keyspace.scanMap(c.db, z.members(), cursor, opts.count, items);
    // The walk gave members; interleave their scores from the end so each slot is read once.
    const n = items.length;
    items.length = n * 2;
    for (let i = n - 1; i >= 0; i--) {
      const member = items[i];
      items[i * 2] = member;
      items[i * 2 + 1] = formatDouble(z.score(member)!);
    }
  }
  replyScan(c, next, items, opts.pattern, true);
}

// DEBUG DIGEST (xorObjectDigest): per member, a fresh digest of mix(member) mix(score as %.17g).
registerValueDigest('zset', (digest, value) => {
  for (const m of (value as ZSet).entries()) {
    const ele = newDigest();
    mixDigest(ele, m.member);
    mixDigest(ele, formatDouble(m.score));
    xorDigest(digest, ele);
  }
});

export const commands = [
  { name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], acl: ['sortedset'], keys: [1, 1, 1], run: zaddCommand },
  { name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], acl: ['sortedset'], keys: [1, 1, 1], run: zincrbyCommand },
  { name: 'zrem', arity: -3, flags: ['write', 'fast'], acl: ['sortedset'], keys: [1, 1, 1], run: zremCommand },
  { name: 'zcard', arity: 2, flags: ['readonly', 'fast'], acl: ['sortedset'], keys: [1, 1, 1], run: zcardCommand },
  { name: 'zscore', arity: 3, flags: ['readonly', 'fast'], acl: ['sortedset'], keys: [1, 1, 1], run: zscoreCommand },
  { name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], acl: ['sortedset'], keys: [1, 1, 1], run: zmscoreCommand },
  { name: 'zrank', arity: -3, flags: ['readonly', 'fast'], acl: ['sortedset'], keys: [1, 1, 1], run: zrankCommand },
  { name: 'zrevrank', arity: -3, flags: ['readonly', 'fast'], acl: ['sortedset'], keys: [1, 1, 1], run: zrevrankCommand },
  { name: 'zcount', arity: 4, flags: ['readonly', 'fast'], acl: ['sortedset'], keys: [1, 1, 1], run: zcountCommand },
  { name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], acl: ['sortedset'], keys: [1, 1, 1], run: zlexcountCommand },
  { name: 'zrange', arity: -4, flags: ['readonly'], acl: ['sortedset'], keys: [1, 1, 1], run: zrangeCommand },
  { name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'], acl: ['sortedset'], keys: [1, 2, 1], run: zrangestoreCommand },
  { name: 'zrevrange', arity: -4, flags: ['readonly'], acl: ['sortedset'], keys: [1, 1, 1], run: zrevrangeCommand },
  { name: 'zrangebyscore', arity: -4, flags: ['readonly'], acl: ['sortedset'], keys: [1, 1, 1], run: zrangebyscoreCommand },
  { name: 'zrevrangebyscore', arity: -4, flags: ['readonly'], acl: ['sortedset'], keys: [1, 1, 1], run: zrevrangebyscoreCommand },
  { name: 'zrangebylex', arity: -4, flags: ['readonly'], acl: ['sortedset'], keys: [1, 1, 1], run: zrangebylexCommand },
  { name: 'zrevrangebylex', arity: -4, flags: ['readonly'], acl: ['sortedset'], keys: [1, 1, 1], run: zrevrangebylexCommand },
  { name: 'zremrangebyrank', arity: 4, flags: ['write'], acl: ['sortedset'], keys: [1, 1, 1], run: zremrangebyrankCommand },
  { name: 'zremrangebyscore', arity: 4, flags: ['write'], acl: ['sortedset'], keys: [1, 1, 1], run: zremrangebyscoreCommand },
  { name: 'zremrangebylex', arity: 4, flags: ['write'], acl: ['sortedset'], keys: [1, 1, 1], run: zremrangebylexCommand },
  { name: 'zpopmin', arity: -2, flags: ['write', 'fast'], acl: ['sortedset'], keys: [1, 1, 1], run: zpopminCommand },
  { name: 'zpopmax', arity: -2, flags: ['write', 'fast'], acl: ['sortedset'], keys: [1, 1, 1], run: zpopmaxCommand },
  { name: 'zmpop', arity: -4, flags: ['write', 'movablekeys'], acl: ['sortedset'], keys: [0, 0, 0], run: zmpopCommand },
  { name: 'bzpopmin', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], acl: ['sortedset'], keys: [1, -2, 1], run: bzpopminCommand },
  { name: 'bzpopmax', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], acl: ['sortedset'], keys: [1, -2, 1], run: bzpopmaxCommand },
  { name: 'bzmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], acl: ['sortedset'], keys: [0, 0, 0], run: bzmpopCommand },
  { name: 'zrandmember', arity: -2, flags: ['readonly'], acl: ['sortedset'], keys: [1, 1, 1], run: zrandmemberCommand },
  { name: 'zscan', arity: -3, flags: ['readonly'], acl: ['sortedset'], keys: [1, 1, 1], run: zscanCommand },
  { name: 'zunion', arity: -3, flags: ['readonly', 'movablekeys'], acl: ['sortedset'], keys: [0, 0, 0], run: zunionCommand },
  { name: 'zinter', arity: -3, flags: ['readonly', 'movablekeys'], acl: ['sortedset'], keys: [0, 0, 0], run: zinterCommand },
  { name: 'zdiff', arity: -3, flags: ['readonly', 'movablekeys'], acl: ['sortedset'], keys: [0, 0, 0], run: zdiffCommand },
  { name: 'zunionstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], acl: ['sortedset'], keys: [1, 1, 1], run: zunionstoreCommand },
  { name: 'zinterstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], acl: ['sortedset'], keys: [1, 1, 1], run: zinterstoreCommand },
  { name: 'zdiffstore', arity: -4, flags: ['write', 'denyoom', 'movablekeys'], acl: ['sortedset'], keys: [1, 1, 1], run: zdiffstoreCommand },
  { name: 'zintercard', arity: -3, flags: ['readonly', 'movablekeys'], acl: ['sortedset'], keys: [0, 0, 0], run: zintercardCommand },
] satisfies CommandSpec[];
