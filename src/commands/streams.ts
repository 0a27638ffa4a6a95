/*
 * Stream commands (Redis 7.0's t_stream.c): XADD XRANGE XREVRANGE XLEN XDEL XTRIM XREAD XREADGROUP
 * XGROUP XACK XPENDING XCLAIM XAUTOCLAIM XINFO XSETID.
 *
 * Replayed forms, as Redis 7.0 propagates them:
 *   - XADD: the generated id replaces `*` / `<ms>-*`; approximate trimming (`~`, LIMIT) becomes exact
 *     with the threshold it reached: `MAXLEN = <length after>` or `MINID = <first id left, tombstones
 *     included>` (streamRewriteApproxSpecifier / streamRewriteTrimArgument). XTRIM the same.
 *   - XREADGROUP, XCLAIM, XAUTOCLAIM are never replayed as sent: each entry they hand to a consumer
 *     (or drop from a PEL because it no longer exists) becomes
 *     `XCLAIM key group consumer 0 id TIME <ms> RETRYCOUNT <n> FORCE JUSTID LASTID <group last id>`;
 *     a group whose last id moved without such an XCLAIM (NOACK reads, XCLAIM LASTID alone) gets
 *     `XGROUP SETID key group id ENTRIESREAD n`; a consumer created by a NOACK read gets
 *     `XGROUP CREATECONSUMER` (streamPropagateXCLAIM / GroupID / ConsumerCreation).
 *   - everything else as sent, when it changed something.
 * Redis calls signalModifiedKey (WATCH) only in XADD, XDEL, XTRIM and XGROUP CREATE MKSTREAM; the
 * group commands notify their events without it, and so here.
 *
 * Ids are parsed as Redis does (string2ull, with strtoull's leniency: " 7", "+7", "007").
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import type { Db } from '../keyspace/db.js';
import { intArgOrReply, isOpt, wrongType } from './args.js';
import { replyHelp, replySubcommandSyntaxError } from './help.js';
import { errWrongArity, ERR_NO_SUCH_KEY, ERR_SYNTAX } from '../protocol/errors.js';
import { NOTIFY_STREAM } from '../keyspace/notify.js';
import { mixDigest, registerValueDigest } from '../keyspace/digest.js';
import { parseInt64 } from '../types/numbers.js';
import { isCSpace } from '../config/cnumbers.js';
import {
  compareIds,
  Consumer,
  ConsumerGroup,
  ENTRIES_READ_INVALID,
  ID_MAX,
  ID_ZERO,
  idPred,
  idString,
  idSucc,
  LISTPACK_MAX_SIZE,
  makeId,
  Stream,
  u64,
  U64_MAX,
  type NodeLimits,
  type PendingEntry,
  type StreamEntry,
  type StreamID,
  type TrimArgs,
  type U64,
} from '../types/stream.js';
import type { BlockHandler } from '../server/blocking.js';

// ---------------------------------------------------------------------------------------------
// Ids

const ERR_INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

/** Redis's string2ull: string2ll when it is a non-negative int64, else strtoull(s, 10) taking all of it. */
function parseU64(s: string): U64 | null {
  const canonical = parseInt64(s);
  if (canonical !== null) return canonical < 0n ? null : u64(canonical);
  let i = 0;
  const n = s.length;
  while (i < n && isCSpace(s.charCodeAt(i))) i++;
  let negative = false;
  if (i < n && (s[i] === '+' || s[i] === '-')) negative = s[i++] === '-';
  const digitsStart = i;
  while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === digitsStart || i !== n) return null;
  let v = BigInt(s.slice(digitsStart, n));
  if (v > U64_MAX) return null; // ERANGE
  if (negative && v !== 0n) v = U64_MAX + 1n - v;
  return u64(v);
}

interface ParsedId {
  id: StreamID;
  /** False for the `<ms>-*` form (XADD). */
  seqGiven: boolean;
}

/**
 * streamGenericParseIDOrReply: "<ms>[-<seq>]", "-" and "+" (not when strict), "<ms>-*" when
 * `seqStar`. The text is read as a C string: it ends at a NUL byte.
 */
function parseIdText(text: string, missingSeq: U64, strict: boolean, seqStar: boolean): ParsedId | null {
  if (text.length > 127) return null;
  const nul = text.indexOf('\0');
  const s = nul >= 0 ? text.slice(0, nul) : text;
  if (s === '-') return strict ? null : { id: ID_ZERO, seqGiven: true };
  if (s === '+') return strict ? null : { id: ID_MAX, seqGiven: true };
  const dash = s.indexOf('-');
  const ms = parseU64(dash >= 0 ? s.slice(0, dash) : s);
  if (ms === null) return null;
  if (dash < 0) return { id: makeId(ms, missingSeq), seqGiven: true };
  const rest = s.slice(dash + 1);
  if (seqStar && rest === '*') return { id: makeId(ms, 0), seqGiven: false };
  const seq = parseU64(rest);
  return seq === null ? null : { id: makeId(ms, seq), seqGiven: true };
}

/** streamParseIDOrReply / streamParseStrictIDOrReply. */
function idOrReply(c: Client, s: string, missingSeq: U64 = 0, strict = true): StreamID | null {
  const p = parseIdText(s, missingSeq, strict, false);
  if (p === null) {
    c.reply.error(ERR_INVALID_ID);
    return null;
  }
  return p.id;
}

/** Every argument from argv[from] on as an id, or null after replying the error for the first bad one. */
function idListOrReply(c: Client, argv: readonly string[], from: number): StreamID[] | null {
  const ids: StreamID[] = [];
  for (let j = from; j < argv.length; j++) {
    const id = idOrReply(c, argv[j]);
    if (id === null) return null;
    ids.push(id);
  }
  return ids;
}

/**
 * streamParseIntervalIDOrReply plus the interval adjustment: "(" makes the bound exclusive, which
 * moves it one id inward (XRANGE, XREVRANGE, XPENDING, XAUTOCLAIM).
 */
function intervalOrReply(c: Client, s: string, isStart: boolean): StreamID | null {
  const exclusive = s.length > 1 && s.charCodeAt(0) === 40;
  const missingSeq: U64 = isStart ? 0 : U64_MAX;
  const id = exclusive ? idOrReply(c, s.slice(1), missingSeq, true) : idOrReply(c, s, missingSeq, false);
  if (id === null || !exclusive) return id;
  const moved = isStart ? idSucc(id) : idPred(id);
  if (moved === null) c.reply.error(isStart ? 'ERR invalid start ID for the interval' : 'ERR invalid end ID for the interval');
  return moved;
}

// ---------------------------------------------------------------------------------------------
// Lookups and replies

/** The stream at key; undefined when missing, null after a WRONGTYPE reply. */
function lookupStream(c: Client, key: string, write: boolean): Stream | undefined | null {
  const ks = c.server.keyspace;
  const v = write ? ks.lookupWrite(c.db, key) : ks.lookupRead(c.db, key);
  if (v === undefined) return undefined;
  if (wrongType(c, v, 'stream')) return null;
  return v as Stream;
}

/**
 * A stream that a read-looked-up command (XACK, XCLAIM, XREADGROUP, ...) is about to change: the
 * snapshot in progress must copy it first.
 */
function forWrite(c: Client, key: string): void {
  c.server.keyspace.lookupWrite(c.db, key);
}

function nodeLimits(c: Client): NodeLimits {
  const cfg = c.server.config;
  return { maxBytes: cfg.getNumber('stream-node-max-bytes'), maxEntries: cfg.getNumber('stream-node-max-entries') };
}

function replyId(c: Client, id: StreamID): void {
  c.reply.bulk(idString(id));
}

/** One entry: [id, [field, value, ...]]. */
function replyEntry(c: Client, e: StreamEntry): void {
  const r = c.reply;
  r.array(2);
  r.bulk(idString(e.id));
  r.bulks(e.fields);
}

function replyEntries(c: Client, entries: readonly StreamEntry[]): void {
  c.reply.array(entries.length);
  for (const e of entries) replyEntry(c, e);
}

/** A user string as C's "%s" prints it: up to its first NUL byte. */
function cstr(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

function noGroupError(c: Client, key: string, group: string, tail = ''): void {
  c.reply.error(`NOGROUP No such key '${cstr(key)}' or consumer group '${cstr(group)}'${tail}`);
}

function noSuchGroupError(c: Client, group: string, key: string): void {
  c.reply.error(`NOGROUP No such consumer group '${cstr(group)}' for key name '${cstr(key)}'`);
}

function notifyStream(c: Client, event: string, key: string): void {
  c.server.keyspace.effects.notify(NOTIFY_STREAM, event, key, c.db.id);
}

// ---------------------------------------------------------------------------------------------
// Consumers and propagation

/** streamLookupConsumer with the seen-time refresh (SLC_DEFAULT). */
function touchConsumer(c: Client, group: ConsumerGroup, name: string): Consumer | undefined {
  const consumer = group.consumers.get(name);
  if (consumer !== undefined) consumer.seenTime = Date.now();
  return consumer;
}

/** streamCreateConsumer (SCC_DEFAULT): dirty and the xgroup-createconsumer event. */
function createConsumer(c: Client, group: ConsumerGroup, name: string, key: string, db: Db): Consumer {
  const consumer = new Consumer(name, Date.now());
  group.consumers.set(name, consumer);
  const effects = c.server.keyspace.effects;
  effects.dirty++;
  effects.notify(NOTIFY_STREAM, 'xgroup-createconsumer', key, db.id);
  return consumer;
}

function consumerFor(c: Client, group: ConsumerGroup, name: string, key: string, db: Db): Consumer {
  return touchConsumer(c, group, name) ?? createConsumer(c, group, name, key, db);
}

/** streamPropagateXCLAIM: the idempotent XCLAIM that recreates `nack` as it is now. */
function propagateClaim(c: Client, db: Db, key: string, group: ConsumerGroup, idArg: string, nack: PendingEntry): void {
  c.server.keyspace.effects.propagate(db.id, [
    'XCLAIM', key, group.name, nack.consumer.name, '0', idArg,
    'TIME', String(nack.deliveryTime), 'RETRYCOUNT', String(nack.deliveryCount), 'FORCE', 'JUSTID', 'LASTID', idString(group.lastId),
  ]);
}

/** streamPropagateGroupID. */
function propagateGroupId(c: Client, db: Db, key: string, group: ConsumerGroup): void {
  c.server.keyspace.effects.propagate(db.id, ['XGROUP', 'SETID', key, group.name, idString(group.lastId), 'ENTRIESREAD', String(group.entriesRead)]);
}

// ---------------------------------------------------------------------------------------------
// XADD, XTRIM

interface AddTrimArgs {
  trim: TrimArgs | null;
  /** Index of the MAXLEN/MINID threshold argument, rewritten for approximate trims. */
  trimArgIndex: number;
  id: ParsedId | null;
  noMkStream: boolean;
  /** Index of the id argument (XADD). */
  idIndex: number;
}

/** streamParseAddOrTrimArgsOrReply. Null after an error reply. */
function parseAddTrimArgs(c: Client, argv: readonly string[], xadd: boolean): AddTrimArgs | null {
  const out: AddTrimArgs = { trim: null, trimArgIndex: 0, id: null, noMkStream: false, idIndex: 0 };
  let approx = false;
  let limit = 0;
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && opt.charCodeAt(0) === 42 && (opt.length === 1 || opt.charCodeAt(1) === 0)) break; // "*"
    const maxlen = isOpt(opt, 'MAXLEN');
    if ((maxlen || isOpt(opt, 'MINID')) && more > 0) {
      if (out.trim !== null) {
        c.reply.error('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
        return null;
      }
      approx = false;
      const next = argv[i + 1];
      if (more >= 2 && isCChar(next, '~')) {
        approx = true;
        i++;
      } else if (more >= 2 && isCChar(next, '=')) {
        i++;
      }
      let threshold = 0;
      let minid = ID_ZERO;
      if (maxlen) {
        const n = intArgOrReply(c, argv[i + 1]);
        if (n === null) return null;
        if (n < 0) {
          c.reply.error('ERR The MAXLEN argument must be >= 0.');
          return null;
        }
        threshold = n;
      } else {
        const id = idOrReply(c, argv[i + 1]);
        if (id === null) return null;
        minid = id;
      }
      i++;
      out.trim = { strategy: maxlen ? 'maxlen' : 'minid', maxlen: threshold, minid, approx: false, limit: 0 };
      out.trimArgIndex = i;
    } else if (isOpt(opt, 'LIMIT') && more > 0) {
      const n = intArgOrReply(c, argv[i + 1]);
      if (n === null) return null;
      if (n < 0) {
        c.reply.error('ERR The LIMIT argument must be >= 0.');
        return null;
      }
      limit = n;
      limitGiven = true;
      i++;
    } else if (xadd && isOpt(opt, 'NOMKSTREAM')) {
      out.noMkStream = true;
    } else if (xadd) {
      const id = parseIdText(opt, 0, true, true);
      if (id === null) {
        c.reply.error(ERR_INVALID_ID);
        return null;
      }
      out.id = id;
      break;
    } else {
      c.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  out.idIndex = i;
  if (limit && out.trim === null) {
    c.reply.error('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
    return null;
  }
  if (!xadd && out.trim === null) {
    c.reply.error('ERR syntax error, XTRIM must be called with a trimming strategy');
    return null;
  }
  if (c.server.keyspace.loading) {
    // Replayed commands were rewritten to exact thresholds: never limit them.
    limit = 0;
  } else if (limitGiven) {
    if (!approx) {
      c.reply.error('ERR syntax error, LIMIT cannot be used without the special ~ option');
      return null;
    }
  } else if (approx) {
    limit = 100 * c.server.config.getNumber('stream-node-max-entries');
    if (limit <= 0) limit = 10000;
    if (limit > 1000000) limit = 1000000;
  } else {
    limit = 0;
  }
  if (out.trim !== null) {
    out.trim.approx = approx;
    out.trim.limit = limit;
  }
  return out;
}

/** A C-string comparison with a one-character option ("~", "="). */
function isCChar(s: string, ch: string): boolean {
  return s[0] === ch && (s.length === 1 || s.charCodeAt(1) === 0);
}

/**
 * After an approximate trim, the replayed command carries the exact threshold it reached
 * (streamRewriteApproxSpecifier + streamRewriteTrimArgument).
 */
function rewriteApproxTrim(out: string[], s: Stream, trim: TrimArgs, index: number): void {
  out[index - 1] = '=';
  out[index] = trim.strategy === 'maxlen' ? String(s.length) : idString(s.edgeId(true, false));
}

function xaddCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const key = argv[1];
  const args = parseAddTrimArgs(c, argv, true);
  if (args === null) return;
  const fieldPos = args.idIndex + 1;
  const nfields = argv.length - fieldPos;
  if (nfields < 2 || nfields % 2 === 1) {
    c.reply.error(errWrongArity('xadd'));
    return;
  }
  const given = args.id;
  if (given !== null && given.seqGiven && given.id.ms === 0 && given.id.seq === 0) {
    c.reply.error('ERR The ID specified in XADD must be greater than 0-0');
    return;
  }
  let s = lookupStream(c, key, true);
  if (s === null) return;
  if (s === undefined) {
    if (args.noMkStream) {
      c.reply.nullBulk();
      return;
    }
    s = new Stream();
    ks.setKey(c.db, key, s);
  }
  if (s.lastId.ms === U64_MAX && s.lastId.seq === U64_MAX) {
    c.reply.error('ERR The stream has exhausted the last possible ID, unable to add more items');
    return;
  }
  const id = s.nextId(given === null ? null : given.id, given === null || given.seqGiven, Date.now());
  if (typeof id === 'string') {
    // A sequence that would overflow fails without setting errno to EDOM in Redis, so it reads as ERANGE.
    c.reply.error(id === 'edom' ? 'ERR The ID specified in XADD is equal or smaller than the target stream top item' : 'ERR Elements are too large to be stored');
    return;
  }
  const fields = argv.slice(fieldPos);
  let total = 0;
  for (const f of fields) total += f.length;
  if (total > LISTPACK_MAX_SIZE) {
    c.reply.error('ERR Elements are too large to be stored');
    return;
  }
  s.append(id, fields, nodeLimits(c));
  const idText = idString(id);
  c.reply.bulk(idText);
  ks.effects.keyChanged(c.db, key, NOTIFY_STREAM, 'xadd');
  const trim = args.trim;
  const rewriteId = given === null || !given.seqGiven;
  const out = rewriteId || trim?.approx === true ? argv.slice() : argv;
  if (trim !== null) {
    if (s.trim(trim) > 0) notifyStream(c, 'xtrim', key);
    if (trim.approx) rewriteApproxTrim(out, s, trim, args.trimArgIndex);
  }
  if (rewriteId) out[args.idIndex] = idText;
  ks.effects.propagate(c.db.id, out);
  c.server.keyspace.signalKeyAsReady(c.db, key);
}

function xtrimCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const key = argv[1];
  const args = parseAddTrimArgs(c, argv, false);
  if (args === null) return;
  const s = lookupStream(c, key, true);
  if (s === null) return;
  if (s === undefined) {
    c.reply.integer(0);
    return;
  }
  const trim = args.trim!;
  const deleted = s.trim(trim);
  if (deleted > 0) {
    const out = argv.slice();
    if (trim.approx) rewriteApproxTrim(out, s, trim, args.trimArgIndex);
    ks.effects.keyChanged(c.db, key, NOTIFY_STREAM, 'xtrim');
    ks.effects.dirty += deleted - 1;
    ks.effects.propagate(c.db.id, out);
  }
  c.reply.integer(deleted);
}

// ---------------------------------------------------------------------------------------------
// XRANGE, XREVRANGE, XLEN, XDEL

function xrangeGeneric(c: Client, argv: string[], rev: boolean): void {
  const start = intervalOrReply(c, rev ? argv[3] : argv[2], true);
  if (start === null) return;
  const end = intervalOrReply(c, rev ? argv[2] : argv[3], false);
  if (end === null) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (isOpt(argv[j], 'COUNT') && j + 1 < argv.length) {
      const n = intArgOrReply(c, argv[j + 1]);
      if (n === null) return;
      count = n < 0 ? 0 : n;
      j++;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const s = lookupStream(c, argv[1], false);
  if (s === null) return;
  if (s === undefined) {
    c.reply.array(0);
    return;
  }
  if (count === 0) {
    c.reply.nullArray();
    return;
  }
  replyEntries(c, s.range(start, end, rev, count === -1 ? 0 : count));
}

function xrangeCommand(c: Client, argv: string[]): void {
  xrangeGeneric(c, argv, false);
}

function xrevrangeCommand(c: Client, argv: string[]): void {
  xrangeGeneric(c, argv, true);
}

function xlenCommand(c: Client, argv: string[]): void {
  const s = lookupStream(c, argv[1], false);
  if (s === null) return;
  c.reply.integer(s === undefined ? 0 : s.length);
}

function xdelCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const key = argv[1];
  const s = lookupStream(c, key, true);
  if (s === null) return;
  if (s === undefined) {
    c.reply.integer(0);
    return;
  }
  const ids = idListOrReply(c, argv, 2);
  if (ids === null) return;
  const deleted = s.deleteIds(ids);
  if (deleted > 0) {
    ks.effects.keyChanged(c.db, key, NOTIFY_STREAM, 'xdel');
    ks.effects.dirty += deleted - 1;
    ks.effects.propagate(c.db.id, argv);
  }
  c.reply.integer(deleted);
}

// ---------------------------------------------------------------------------------------------
// XREAD, XREADGROUP

/** Entries a blocked read without COUNT gets at most (XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000;

function xreadCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const group = argv[0].length === 10; // XREADGROUP
  let timeout = -1;
  let count = 0;
  let streamsArg = 0;
  let nstreams = 0;
  let noack = false;
  let groupName: string | null = null;
  let consumerName: string | null = null;
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = argv[i];
    if (isOpt(o, 'BLOCK') && more > 0) {
      if (c.isScript) {
        c.reply.error(`ERR ${argv[0]} command is not allowed with BLOCK option from scripts`);
        return;
      }
      i++;
      const n = intArgOrReply(c, argv[i], 'ERR timeout is not an integer or out of range');
      if (n === null) return;
      if (n < 0) {
        c.reply.error('ERR timeout is negative');
        return;
      }
      timeout = n > 0 ? n + Date.now() : 0;
    } else if (isOpt(o, 'COUNT') && more > 0) {
      i++;
      const n = intArgOrReply(c, argv[i]);
      if (n === null) return;
      count = n < 0 ? 0 : n;
    } else if (isOpt(o, 'STREAMS') && more > 0) {
      streamsArg = i + 1;
      nstreams = argv.length - streamsArg;
      if (nstreams % 2 !== 0) {
        c.reply.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        return;
      }
      nstreams /= 2;
      break;
    } else if (isOpt(o, 'GROUP') && more >= 2) {
      if (!group) {
        c.reply.error('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
        return;
      }
      groupName = argv[i + 1];
      consumerName = argv[i + 2];
      i += 2;
    } else if (isOpt(o, 'NOACK')) {
      if (!group) {
        c.reply.error('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
        return;
      }
      noack = true;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  if (streamsArg === 0) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  if (group && groupName === null) {
    c.reply.error('ERR Missing GROUP option for XREADGROUP');
    return;
  }
  const keys = argv.slice(streamsArg, streamsArg + nstreams);
  const ids: StreamID[] = [];
  const groups: ConsumerGroup[] = [];
  for (let k = 0; k < nstreams; k++) {
    const key = keys[k];
    const arg = argv[streamsArg + nstreams + k];
    const s = lookupStream(c, key, false);
    if (s === null) return;
    if (groupName !== null) {
      const g = s?.groups.get(groupName);
      if (g === undefined) {
        noGroupError(c, key, groupName, ' in XREADGROUP with GROUP option');
        return;
      }
      groups.push(g);
    }
    if (arg === '$') {
      if (group) {
        c.reply.error(
          'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
        );
        return;
      }
      ids.push(s === undefined ? ID_ZERO : s.lastId);
      continue;
    }
    if (arg === '>') {
      if (!group) {
        c.reply.error('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
        return;
      }
      // The largest id stands for ">": the group's last id, resolved when served.
      ids.push(ID_MAX);
      continue;
    }
    const id = idOrReply(c, arg);
    if (id === null) return;
    ids.push(id);
  }

  // Serve synchronously what can be served.
  const r = c.reply;
  let served = 0;
  let header = -1;
  for (let k = 0; k < nstreams; k++) {
    const key = keys[k];
    const s = lookupStream(c, key, false) as Stream | undefined;
    if (s === undefined) continue;
    let gt = ids[k];
    let history = false;
    let ready = false;
    if (groupName !== null) {
      if (compareIds(gt, ID_MAX) !== 0) {
        ready = true;
        history = true;
      } else if (s.length > 0 && compareIds(s.lastValidId(), groups[k].lastId) > 0) {
        ready = true;
        gt = groups[k].lastId;
      }
    } else if (s.length > 0 && compareIds(s.lastValidId(), gt) > 0) {
      ready = true;
    }
    if (!ready) continue;
    if (++served === 1) header = r.deferLength(r.resp === 2 ? 'array' : 'map');
    if (r.resp === 2) r.array(2);
    r.bulk(key);
    const start = idSucc(gt) ?? ID_ZERO;
    if (groupName === null) {
      replyEntries(c, s.range(start, ID_MAX, false, count));
      continue;
    }
    forWrite(c, key);
    const g = groups[k];
    let consumer = touchConsumer(c, g, consumerName!);
    if (consumer === undefined) {
      consumer = createConsumer(c, g, consumerName!, key, c.db);
      if (noack) ks.effects.propagate(c.db.id, ['XGROUP', 'CREATECONSUMER', key, groupName, consumerName!]);
    }
    if (history) replyConsumerHistory(c, s, consumer, start, count);
    else deliverToConsumer(c, c.db, key, s, g, consumer, start, count, noack);
    ks.effects.dirty++;
  }
  if (served > 0) {
    r.setDeferredLength(header, served);
    return;
  }
  if (timeout !== -1) {
    if (!c.server.blocking.canBlock(c)) {
      r.nullArray();
      return;
    }
    const wait: XreadWait = { keys, ids, count: count || BLOCKED_DEFAULT_COUNT, group: groupName, consumer: consumerName, noack };
    c.server.blocking.block(c, keys, timeout, XREAD_BLOCKED, wait);
    return;
  }
  r.nullArray();
}

/**
 * streamReplyWithRange with a group: new entries go to the consumer (a PEL entry each, unless
 * NOACK; an entry pending elsewhere changes owner), the group's last id and read counter move on,
 * and each delivery is propagated as an XCLAIM (a NOACK read as one XGROUP SETID at the end).
 */
function deliverToConsumer(c: Client, db: Db, key: string, s: Stream, g: ConsumerGroup, consumer: Consumer, start: StreamID, count: number, noack: boolean): void {
  const entries = s.range(start, ID_MAX, false, count);
  const now = Date.now();
  let lastIdMoved = false;
  c.reply.array(entries.length);
  for (const e of entries) {
    if (compareIds(e.id, g.lastId) > 0) {
      s.advanceGroup(g, e.id);
      if (noack) lastIdMoved = true;
    }
    replyEntry(c, e);
    if (noack) continue;
    let nack = g.pel.get(e.id);
    if (nack === undefined) {
      nack = { id: e.id, deliveryTime: now, deliveryCount: 1, consumer };
      g.pel.insert(nack);
      consumer.pel.insert(nack);
    } else {
      g.assign(nack, consumer);
      nack.deliveryTime = now;
      nack.deliveryCount = 1;
    }
    propagateClaim(c, db, key, g, idString(e.id), nack);
  }
  if (lastIdMoved) propagateGroupId(c, db, key, g);
}

/**
 * streamReplyWithRangeFromConsumerPEL: the consumer's own pending entries from `start`; an entry
 * deleted from the stream meanwhile is reported as [id, nil]. Re-delivery counts, but it is not
 * propagated (Redis does not either).
 */
function replyConsumerHistory(c: Client, s: Stream, consumer: Consumer, start: StreamID, count: number): void {
  const r = c.reply;
  const items = consumer.pel.items;
  const from = consumer.pel.lowerBound(start);
  const end = count > 0 ? Math.min(items.length, from + count) : items.length;
  const now = Date.now();
  r.array(end - from);
  for (let i = from; i < end; i++) {
    const nack = items[i];
    const e = s.get(nack.id);
    if (e === undefined) {
      r.array(2);
      replyId(c, nack.id);
      r.nullArray();
      continue;
    }
    replyEntry(c, e);
    nack.deliveryTime = now;
    nack.deliveryCount++;
  }
}

/**
 * serveClientsBlockedOnStreamKey for one blocked XREAD/XREADGROUP: true when it was answered (with
 * entries, or an error because its group or stream went away).
 */
/** What a blocked XREAD / XREADGROUP waits for. */
interface XreadWait {
  keys: string[];
  /** Per key: serve entries after this id (the largest id stands for ">"). */
  ids: StreamID[];
  count: number;
  group: string | null;
  consumer: string | null;
  noack: boolean;
}

/** XREAD / XREADGROUP BLOCK on the shared blocking framework (server/blocking.ts). */
const XREAD_BLOCKED: BlockHandler<XreadWait> = {
  serve: (c, key, wait) => serveBlockedRead(c, key, wait),
  timedOut: (c) => c.reply.nullArray(),
};

function serveBlockedRead(c: Client, key: string, wait: XreadWait): boolean {
  const ks = c.server.keyspace;
  const v = ks.lookupWrite(c.db, key);
  if (v === undefined || typeof v !== 'object' || v.type !== 'stream') {
    if (wait.group === null) return false;
    c.reply.error('UNBLOCKED the stream key no longer exists');
    return true;
  }
  const s = v as Stream;
  const k = wait.keys.indexOf(key);
  let gt = wait.ids[k];
  let g: ConsumerGroup | undefined;
  if (wait.group !== null) {
    g = s.groups.get(wait.group);
    if (g === undefined) {
      c.reply.error('NOGROUP the consumer group this client was blocked on no longer exists');
      return true;
    }
    gt = g.lastId;
  }
  if (compareIds(s.lastId, gt) <= 0) return false;
  const start = idSucc(gt) ?? ID_ZERO;
  const r = c.reply;
  if (r.resp === 2) {
    r.array(1);
    r.array(2);
  } else {
    r.map(1);
  }
  r.bulk(key);
  if (g === undefined) {
    replyEntries(c, s.range(start, ID_MAX, false, wait.count));
    return true;
  }
  let consumer = touchConsumer(c, g, wait.consumer!);
  if (consumer === undefined) {
    consumer = createConsumer(c, g, wait.consumer!, key, c.db);
    if (wait.noack) ks.effects.propagate(c.db.id, ['XGROUP', 'CREATECONSUMER', key, g.name, consumer.name]);
  }
  deliverToConsumer(c, c.db, key, s, g, consumer, start, wait.count, wait.noack);
  return true;
}

// ---------------------------------------------------------------------------------------------
// XGROUP

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

function xgroupCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const effects = ks.effects;
  const sub = argv[1];
  const argc = argv.length;
  const isCreate = isOpt(sub, 'CREATE');
  const isSetId = isOpt(sub, 'SETID');
  let mkstream = false;
  let entriesRead = ENTRIES_READ_INVALID;
  let s: Stream | undefined;
  let g: ConsumerGroup | undefined;
  const key = argv[2];
  const groupName = argv[3];
  if (argc >= 4) {
    for (let i = 5; i < argc; ) {
      if (isCreate && isOpt(argv[i], 'MKSTREAM')) {
        mkstream = true;
        i++;
      } else if ((isCreate || isSetId) && isOpt(argv[i], 'ENTRIESREAD') && i + 1 < argc) {
        const n = intArgOrReply(c, argv[i + 1]);
        if (n === null) return;
        if (n < 0 && n !== ENTRIES_READ_INVALID) {
          c.reply.error('ERR value for ENTRIESREAD must be positive or -1');
          return;
        }
        entriesRead = n;
        i += 2;
      } else {
        replySubcommandSyntaxError(c, argv);
        return;
      }
    }
    const found = lookupStream(c, key, true);
    if (found === null) return;
    s = found;
    if (!mkstream) {
      if (s === undefined) {
        c.reply.error(
          'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
        );
        return;
      }
      g = s.groups.get(groupName);
      if (g === undefined && (isSetId || isOpt(sub, 'CREATECONSUMER') || isOpt(sub, 'DELCONSUMER'))) {
        noSuchGroupError(c, groupName, key);
        return;
      }
    }
  }
  if (argc === 2 && isOpt(sub, 'HELP')) {
    replyHelp(c, argv[0], XGROUP_HELP);
  } else if (isCreate && argc >= 5 && argc <= 8) {
    let id: StreamID;
    if (argv[4] === '$') id = s === undefined ? ID_ZERO : s.lastId;
    else {
      const parsed = idOrReply(c, argv[4]);
      if (parsed === null) return;
      id = parsed;
    }
    if (s === undefined) {
      s = new Stream();
      ks.setKey(c.db, key, s);
      effects.touchWatchedKey(c.db, key);
    }
    if (s.groups.has(groupName)) {
      c.reply.error('BUSYGROUP Consumer Group name already exists');
      return;
    }
    s.groups.set(groupName, new ConsumerGroup(groupName, id, entriesRead));
    c.reply.ok();
    effects.dirty++;
    notifyStream(c, 'xgroup-create', key);
    effects.propagate(c.db.id, argv);
  } else if (isSetId && (argc === 5 || argc === 7)) {
    let id: StreamID;
    if (argv[4] === '$') id = s!.lastId;
    else {
      const parsed = idOrReply(c, argv[4], 0, false);
      if (parsed === null) return;
      id = parsed;
    }
    g!.lastId = id;
    g!.entriesRead = entriesRead;
    c.reply.ok();
    effects.dirty++;
    notifyStream(c, 'xgroup-setid', key);
    effects.propagate(c.db.id, argv);
  } else if (isOpt(sub, 'DESTROY') && argc === 4) {
    if (g === undefined) {
      c.reply.integer(0);
      return;
    }
    s!.groups.delete(groupName);
    c.reply.integer(1);
    effects.dirty++;
    notifyStream(c, 'xgroup-destroy', key);
    effects.propagate(c.db.id, argv);
    // Clients blocked reading this group get their NOGROUP error.
    c.server.keyspace.signalKeyAsReady(c.db, key);
  } else if (isOpt(sub, 'CREATECONSUMER') && argc === 5) {
    if (g!.consumers.has(argv[4])) {
      c.reply.integer(0);
      return;
    }
    createConsumer(c, g!, argv[4], key, c.db);
    c.reply.integer(1);
    effects.propagate(c.db.id, argv);
  } else if (isOpt(sub, 'DELCONSUMER') && argc === 5) {
    const consumer = g!.consumers.get(argv[4]);
    if (consumer === undefined) {
      c.reply.integer(0);
      return;
    }
    const pending = g!.deleteConsumer(consumer);
    effects.dirty++;
    notifyStream(c, 'xgroup-delconsumer', key);
    effects.propagate(c.db.id, argv);
    c.reply.integer(pending);
  } else {
    replySubcommandSyntaxError(c, argv);
  }
}

// ---------------------------------------------------------------------------------------------
// XSETID, XACK

function xsetidCommand(c: Client, argv: string[]): void {
  const id = idOrReply(c, argv[2]);
  if (id === null) return;
  let entriesAdded = -1;
  let maxDeleted = ID_ZERO;
  for (let i = 3; i < argv.length; ) {
    const more = argv.length - 1 - i;
    if (isOpt(argv[i], 'ENTRIESADDED') && more > 0) {
      const n = intArgOrReply(c, argv[i + 1]);
      if (n === null) return;
      if (n < 0) {
        c.reply.error('ERR entries_added must be positive');
        return;
      }
      entriesAdded = n;
      i += 2;
    } else if (isOpt(argv[i], 'MAXDELETEDID') && more > 0) {
      const m = idOrReply(c, argv[i + 1]);
      if (m === null) return;
      if (compareIds(id, m) < 0) {
        c.reply.error('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
        return;
      }
      maxDeleted = m;
      i += 2;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const s = lookupStream(c, argv[1], true);
  if (s === null) return;
  if (s === undefined) {
    c.reply.error(ERR_NO_SUCH_KEY);
    return;
  }
  if (s.length > 0) {
    if (compareIds(id, s.lastValidId()) < 0) {
      c.reply.error('ERR The ID specified in XSETID is smaller than the target stream top item');
      return;
    }
    if (entriesAdded !== -1 && s.length > entriesAdded) {
      c.reply.error('ERR The entries_added specified in XSETID is smaller than the target stream length');
      return;
    }
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (maxDeleted.ms !== 0 || maxDeleted.seq !== 0) s.maxDeletedId = maxDeleted;
  c.reply.ok();
  const effects = c.server.keyspace.effects;
  effects.dirty++;
  notifyStream(c, 'xsetid', argv[1]);
  effects.propagate(c.db.id, argv);
}

/** The group named argv[2] of the stream at argv[1]; undefined when either is missing, null after WRONGTYPE. */
function lookupGroup(c: Client, argv: readonly string[]): { s: Stream; g: ConsumerGroup } | undefined | null {
  const s = lookupStream(c, argv[1], false);
  if (s === null) return null;
  const g = s?.groups.get(argv[2]);
  return g === undefined ? undefined : { s: s!, g };
}

function xackCommand(c: Client, argv: string[]): void {
  const found = lookupGroup(c, argv);
  if (found === null) return;
  if (found === undefined) {
    c.reply.integer(0);
    return;
  }
  const ids = idListOrReply(c, argv, 3);
  if (ids === null) return;
  forWrite(c, argv[1]);
  let acked = 0;
  for (const id of ids) if (found.g.acknowledge(id)) acked++;
  if (acked > 0) {
    const effects = c.server.keyspace.effects;
    effects.dirty += acked;
    effects.propagate(c.db.id, argv);
  }
  c.reply.integer(acked);
}

// ---------------------------------------------------------------------------------------------
// XPENDING

function xpendingCommand(c: Client, argv: string[]): void {
  const argc = argv.length;
  const summary = argc === 3;
  if (argc !== 3 && (argc < 6 || argc > 9)) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  let minIdle = 0;
  let count = 0;
  let start = ID_ZERO;
  let end = ID_MAX;
  let consumerName: string | null = null;
  if (argc >= 6) {
    let at = 3;
    if (isOpt(argv[3], 'IDLE')) {
      const n = intArgOrReply(c, argv[4]);
      if (n === null) return;
      minIdle = n;
      if (argc < 8) {
        c.reply.error(ERR_SYNTAX);
        return;
      }
      at += 2;
    }
    const n = intArgOrReply(c, argv[at + 2]);
    if (n === null) return;
    count = n < 0 ? 0 : n;
    const a = intervalOrReply(c, argv[at], true);
    if (a === null) return;
    const b = intervalOrReply(c, argv[at + 1], false);
    if (b === null) return;
    start = a;
    end = b;
    if (at + 3 < argc) consumerName = argv[at + 3];
  }
  const found = lookupGroup(c, argv);
  if (found === null) return;
  if (found === undefined) {
    noGroupError(c, argv[1], argv[2]);
    return;
  }
  const g = found.g;
  const r = c.reply;
  if (summary) {
    r.array(4);
    r.integer(g.pel.size);
    if (g.pel.size === 0) {
      r.nullBulk();
      r.nullBulk();
      r.nullArray();
      return;
    }
    replyId(c, g.pel.items[0].id);
    replyId(c, g.pel.items[g.pel.size - 1].id);
    const owners = g.consumersInOrder().filter((x) => x.pel.size > 0);
    r.array(owners.length);
    for (const o of owners) {
      r.array(2);
      r.bulk(o.name);
      r.bulk(String(o.pel.size));
    }
    return;
  }
  let pel = g.pel;
  if (consumerName !== null) {
    const consumer = g.consumers.get(consumerName);
    if (consumer === undefined) {
      r.array(0);
      return;
    }
    pel = consumer.pel;
  }
  const now = Date.now();
  const header = r.deferLength();
  let n = 0;
  for (let i = pel.lowerBound(start); count > 0 && i < pel.size; i++) {
    const nack = pel.items[i];
    if (compareIds(nack.id, end) > 0) break;
    if (minIdle && now - nack.deliveryTime < minIdle) continue;
    n++;
    count--;
    r.array(4);
    replyId(c, nack.id);
    r.bulk(nack.consumer.name);
    r.integer(Math.max(0, now - nack.deliveryTime));
    r.integer(nack.deliveryCount);
  }
  r.setDeferredLength(header, n);
}

// ---------------------------------------------------------------------------------------------
// XCLAIM, XAUTOCLAIM

function xclaimCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const found = lookupGroup(c, argv);
  if (found === null) return;
  if (found === undefined) {
    noGroupError(c, key, argv[2]);
    return;
  }
  const { s, g } = found;
  let minIdle = intArgOrReply(c, argv[4], 'ERR Invalid min-idle-time argument for XCLAIM');
  if (minIdle === null) return;
  if (minIdle < 0) minIdle = 0;
  const ids: StreamID[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const p = parseIdText(argv[j], 0, true, false);
    if (p === null) break;
    ids.push(p.id);
  }
  const lastIdArg = j - 1;
  const now = Date.now();
  let deliveryTime = -1;
  let retryCount = -1;
  let force = false;
  let justId = false;
  let lastId = ID_ZERO;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j];
    if (isOpt(opt, 'FORCE')) force = true;
    else if (isOpt(opt, 'JUSTID')) justId = true;
    else if (isOpt(opt, 'IDLE') && more > 0) {
      const n = intArgOrReply(c, argv[++j], 'ERR Invalid IDLE option argument for XCLAIM');
      if (n === null) return;
      deliveryTime = now - n;
    } else if (isOpt(opt, 'TIME') && more > 0) {
      const n = intArgOrReply(c, argv[++j], 'ERR Invalid TIME option argument for XCLAIM');
      if (n === null) return;
      deliveryTime = n;
    } else if (isOpt(opt, 'RETRYCOUNT') && more > 0) {
      const n = intArgOrReply(c, argv[++j], 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
      if (n === null) return;
      retryCount = n;
    } else if (isOpt(opt, 'LASTID') && more > 0) {
      const id = idOrReply(c, argv[++j]);
      if (id === null) return;
      lastId = id;
    } else {
      c.reply.error(`ERR Unrecognized XCLAIM option '${cstr(opt)}'`);
      return;
    }
  }
  forWrite(c, key);
  const effects = c.server.keyspace.effects;
  let propagateLastId = false;
  if (compareIds(lastId, g.lastId) > 0) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  if (deliveryTime === -1 || deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  let consumer: Consumer | undefined;
  const r = c.reply;
  const header = r.deferLength();
  let n = 0;
  for (let k = 5; k <= lastIdArg; k++) {
    const id = ids[k - 5];
    let nack = g.pel.get(id);
    const entry = s.get(id);
    if (entry === undefined) {
      if (nack !== undefined) {
        // The entry is gone: drop it from the PEL, and say so to the log.
        propagateClaim(c, c.db, key, g, argv[k], nack);
        propagateLastId = false;
        effects.dirty++;
        g.acknowledge(id);
      }
      continue;
    }
    if (nack === undefined ? !force : minIdle && now - nack.deliveryTime < minIdle) continue;
    consumer ??= consumerFor(c, g, argv[3], key, c.db);
    if (nack === undefined) {
      // FORCE: a PEL entry for an existing entry that was not pending.
      nack = { id, deliveryTime: now, deliveryCount: 1, consumer };
      g.pel.insert(nack);
      consumer.pel.insert(nack);
    } else {
      g.assign(nack, consumer);
    }
    nack.deliveryTime = deliveryTime;
    if (retryCount >= 0) nack.deliveryCount = retryCount;
    else if (!justId) nack.deliveryCount++;
    if (justId) replyId(c, id);
    else replyEntry(c, entry);
    n++;
    propagateClaim(c, c.db, key, g, argv[k], nack);
    propagateLastId = false;
    effects.dirty++;
  }
  if (propagateLastId) {
    propagateGroupId(c, c.db, key, g);
    effects.dirty++;
  }
  r.setDeferredLength(header, n);
}

/** XAUTOCLAIM's COUNT upper bound: LONG_MAX / max(sizeof(streamID), attempts factor). */
const AUTOCLAIM_MAX_COUNT = 9223372036854775807n / 16n;
const AUTOCLAIM_ATTEMPTS_FACTOR = 10;

function xautoclaimCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  let minIdle = intArgOrReply(c, argv[4], 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
  if (minIdle === null) return;
  if (minIdle < 0) minIdle = 0;
  const start = intervalOrReply(c, argv[5], true);
  if (start === null) return;
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (isOpt(argv[j], 'COUNT') && more > 0) {
      const big = parseInt64(argv[j + 1]);
      if (big === null || big < 1n || big > AUTOCLAIM_MAX_COUNT) {
        c.reply.error('ERR COUNT must be > 0');
        return;
      }
      count = Number(big);
      j++;
    } else if (isOpt(argv[j], 'JUSTID')) {
      justId = true;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const found = lookupGroup(c, argv);
  if (found === null) return;
  if (found === undefined) {
    noGroupError(c, key, argv[2]);
    return;
  }
  const { s, g } = found;
  forWrite(c, key);
  const effects = c.server.keyspace.effects;
  const r = c.reply;
  let attempts = count * AUTOCLAIM_ATTEMPTS_FACTOR;
  const now = Date.now();
  const deleted: StreamID[] = [];
  const claimed: Array<PendingEntry | StreamEntry> = [];
  let consumer: Consumer | undefined;
  let i = g.pel.lowerBound(start);
  while (attempts-- > 0 && count > 0 && i < g.pel.size) {
    const nack = g.pel.items[i];
    const entry = s.get(nack.id);
    if (entry === undefined) {
      propagateClaim(c, c.db, key, g, idString(nack.id), nack);
      effects.dirty++;
      g.acknowledge(nack.id);
      deleted.push(nack.id);
      count--;
      continue; // the next entry moved to index i
    }
    i++;
    if (minIdle && now - nack.deliveryTime < minIdle) continue;
    consumer ??= consumerFor(c, g, argv[3], key, c.db);
    g.assign(nack, consumer);
    nack.deliveryTime = now;
    if (!justId) nack.deliveryCount++;
    claimed.push(justId ? nack : entry);
    count--;
    propagateClaim(c, c.db, key, g, idString(nack.id), nack);
    effects.dirty++;
  }
  r.array(3);
  replyId(c, i < g.pel.size ? g.pel.items[i].id : ID_ZERO);
  r.array(claimed.length);
  for (const x of claimed) {
    if (justId) replyId(c, x.id);
    else replyEntry(c, x as StreamEntry);
  }
  r.array(deleted.length);
  for (const id of deleted) replyId(c, id);
}

// ---------------------------------------------------------------------------------------------
// XINFO

const XINFO_HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

function xinfoCommand(c: Client, argv: string[]): void {
  const sub = argv[1];
  if (isOpt(sub, 'HELP')) {
    if (argv.length !== 2) replySubcommandSyntaxError(c, argv);
    else replyHelp(c, argv[0], XINFO_HELP);
    return;
  }
  if (argv.length < 3) {
    replySubcommandSyntaxError(c, argv);
    return;
  }
  const key = argv[2];
  const s = lookupStream(c, key, false);
  if (s === null) return;
  if (s === undefined) {
    c.reply.error(ERR_NO_SUCH_KEY);
    return;
  }
  const r = c.reply;
  if (isOpt(sub, 'CONSUMERS') && argv.length === 4) {
    const g = s.groups.get(argv[3]);
    if (g === undefined) {
      noSuchGroupError(c, argv[3], key);
      return;
    }
    const now = Date.now();
    const consumers = g.consumersInOrder();
    r.array(consumers.length);
    for (const x of consumers) {
      r.map(3);
      r.bulk('name');
      r.bulk(x.name);
      r.bulk('pending');
      r.integer(x.pel.size);
      r.bulk('idle');
      r.integer(Math.max(0, now - x.seenTime));
    }
  } else if (isOpt(sub, 'GROUPS') && argv.length === 3) {
    const groups = s.groupsInOrder();
    r.array(groups.length);
    for (const g of groups) {
      r.map(6);
      r.bulk('name');
      r.bulk(g.name);
      r.bulk('consumers');
      r.integer(g.consumers.size);
      r.bulk('pending');
      r.integer(g.pel.size);
      r.bulk('last-delivered-id');
      replyId(c, g.lastId);
      replyEntriesRead(c, g);
      replyLag(c, s, g);
    }
  } else if (isOpt(sub, 'STREAM')) {
    xinfoStream(c, argv, s);
  } else {
    replySubcommandSyntaxError(c, argv);
  }
}

function replyEntriesRead(c: Client, g: ConsumerGroup): void {
  c.reply.bulk('entries-read');
  if (g.entriesRead !== ENTRIES_READ_INVALID) c.reply.integer(g.entriesRead);
  else c.reply.nullBulk();
}

function replyLag(c: Client, s: Stream, g: ConsumerGroup): void {
  c.reply.bulk('lag');
  const lag = s.lag(g);
  if (lag === null) c.reply.nullBulk();
  else c.reply.integer(lag);
}

/** xinfoReplyWithStreamInfo: XINFO STREAM key [FULL [COUNT n]]. */
function xinfoStream(c: Client, argv: string[], s: Stream): void {
  const optc = argv.length - 3;
  let full = true;
  let count = 10;
  if (optc === 0) full = false;
  else {
    if ((optc !== 1 && optc !== 3) || !isOpt(argv[3], 'FULL') || (optc === 3 && !isOpt(argv[4], 'COUNT'))) {
      replySubcommandSyntaxError(c, argv);
      return;
    }
    if (optc === 3) {
      const n = intArgOrReply(c, argv[5]);
      if (n === null) return;
      count = n < 0 ? 10 : n;
    }
  }
  const r = c.reply;
  r.map(full ? 9 : 10);
  r.bulk('length');
  r.integer(s.length);
  r.bulk('radix-tree-keys');
  r.integer(s.radixTreeKeys);
  r.bulk('radix-tree-nodes');
  r.integer(s.radixTreeNodes());
  r.bulk('last-generated-id');
  replyId(c, s.lastId);
  r.bulk('max-deleted-entry-id');
  replyId(c, s.maxDeletedId);
  r.bulk('entries-added');
  r.integer(s.entriesAdded);
  r.bulk('recorded-first-entry-id');
  replyId(c, s.firstId);
  if (!full) {
    r.bulk('groups');
    r.integer(s.groups.size);
    r.bulk('first-entry');
    const first = s.range(ID_ZERO, ID_MAX, false, 1);
    if (first.length > 0) replyEntry(c, first[0]);
    else r.nullBulk();
    r.bulk('last-entry');
    const last = s.range(ID_ZERO, ID_MAX, true, 1);
    if (last.length > 0) replyEntry(c, last[0]);
    else r.nullBulk();
    return;
  }
  r.bulk('entries');
  replyEntries(c, s.range(ID_ZERO, ID_MAX, false, count));
  r.bulk('groups');
  const groups = s.groupsInOrder();
  r.array(groups.length);
  for (const g of groups) {
    r.map(7);
    r.bulk('name');
    r.bulk(g.name);
    r.bulk('last-delivered-id');
    replyId(c, g.lastId);
    replyEntriesRead(c, g);
    replyLag(c, s, g);
    r.bulk('pel-count');
    r.integer(g.pel.size);
    r.bulk('pending');
    const pel = count > 0 ? g.pel.items.slice(0, count) : g.pel.items;
    r.array(pel.length);
    for (const nack of pel) {
      r.array(4);
      replyId(c, nack.id);
      r.bulk(nack.consumer.name);
      r.integer(nack.deliveryTime);
      r.integer(nack.deliveryCount);
    }
    r.bulk('consumers');
    const consumers = g.consumersInOrder();
    r.array(consumers.length);
    for (const x of consumers) {
      r.map(4);
      r.bulk('name');
      r.bulk(x.name);
      r.bulk('seen-time');
      r.integer(x.seenTime);
      r.bulk('pel-count');
      r.integer(x.pel.size);
      r.bulk('pending');
      const own = count > 0 ? x.pel.items.slice(0, count) : x.pel.items;
      r.array(own.length);
      for (const nack of own) {
        r.array(3);
        replyId(c, nack.id);
        r.integer(nack.deliveryTime);
        r.integer(nack.deliveryCount);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------

export const commands = [
  { name: 'xadd', arity: -5, flags: ['write', 'denyoom', 'fast'], acl: ['stream'], keys: [1, 1, 1], run: xaddCommand },
  { name: 'xrange', arity: -4, flags: ['readonly'], acl: ['stream'], keys: [1, 1, 1], run: xrangeCommand },
  { name: 'xrevrange', arity: -4, flags: ['readonly'], acl: ['stream'], keys: [1, 1, 1], run: xrevrangeCommand },
  { name: 'xlen', arity: 2, flags: ['readonly', 'fast'], acl: ['stream'], keys: [1, 1, 1], run: xlenCommand },
  { name: 'xdel', arity: -3, flags: ['write', 'fast'], acl: ['stream'], keys: [1, 1, 1], run: xdelCommand },
  { name: 'xtrim', arity: -4, flags: ['write'], acl: ['stream'], keys: [1, 1, 1], run: xtrimCommand },
  { name: 'xread', arity: -4, flags: ['readonly', 'blocking', 'movablekeys'], acl: ['stream'], keys: [0, 0, 0], run: xreadCommand },
  { name: 'xreadgroup', arity: -7, flags: ['write', 'blocking', 'movablekeys'], acl: ['stream'], keys: [0, 0, 0], run: xreadCommand },
  {
    name: 'xgroup',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'create', arity: -5, flags: ['write', 'denyoom'], acl: ['stream'], keys: [2, 2, 1], run: xgroupCommand },
      { name: 'setid', arity: -5, flags: ['write'], acl: ['stream'], keys: [2, 2, 1], run: xgroupCommand },
      { name: 'destroy', arity: 4, flags: ['write'], acl: ['stream'], keys: [2, 2, 1], run: xgroupCommand },
      { name: 'createconsumer', arity: 5, flags: ['write', 'denyoom'], acl: ['stream'], keys: [2, 2, 1], run: xgroupCommand },
      { name: 'delconsumer', arity: 5, flags: ['write'], acl: ['stream'], keys: [2, 2, 1], run: xgroupCommand },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['stream'], run: xgroupCommand },
    ],
  },
  { name: 'xack', arity: -4, flags: ['write', 'fast'], acl: ['stream'], keys: [1, 1, 1], run: xackCommand },
  { name: 'xpending', arity: -3, flags: ['readonly'], acl: ['stream'], keys: [1, 1, 1], run: xpendingCommand },
  { name: 'xclaim', arity: -6, flags: ['write', 'fast'], acl: ['stream'], keys: [1, 1, 1], run: xclaimCommand },
  { name: 'xautoclaim', arity: -6, flags: ['write', 'fast'], acl: ['stream'], keys: [1, 1, 1], run: xautoclaimCommand },
  {
    name: 'xinfo',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'stream', arity: -3, flags: ['readonly'], acl: ['stream'], keys: [2, 2, 1], run: xinfoCommand },
      { name: 'groups', arity: 3, flags: ['readonly'], acl: ['stream'], keys: [2, 2, 1], run: xinfoCommand },
      { name: 'consumers', arity: 4, flags: ['readonly'], acl: ['stream'], keys: [2, 2, 1], run: xinfoCommand },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['stream'], run: xinfoCommand },
    ],
  },
  { name: 'xsetid', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: ['stream'], keys: [1, 1, 1], run: xsetidCommand },
] satisfies CommandSpec[];

// DEBUG DIGEST (xorObjectDigest): each entry's "<ms>.<seq>", then its fields and values, in id order.
registerValueDigest('stream', (digest, value) => {
  const s = value as Stream;
  for (const e of s.range(ID_ZERO, ID_MAX, false, 0)) {
    mixDigest(digest, `${e.id.ms}.${e.id.seq}`);
    for (const f of e.fields) mixDigest(digest, f);
  }
});
