/*
 * HyperLogLog commands (Redis's hyperloglog.c): PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST.
 *
 * An HLL is a string value in Redis's byte format (types/hll.ts); a command copies the bytes into
 * an Hll, works on it, and stores its bytes back. A string that is not an HLL answers
 * "WRONGTYPE Key is not a valid HyperLogLog string value." (a value in the number form never is
 * one), a sparse form that does not add up "INVALIDOBJ Corrupted HLL object detected".
 *
 * Replayed forms (Redis 7.0 propagates whatever made the dataset dirty, as sent): PFADD when a
 * register changed or the key was created; PFMERGE always; PFCOUNT of one key when it refreshed
 * the cached cardinality (the value changes, so a replica must do the same); PFDEBUG GETREG and
 * TODENSE when they converted a sparse value to dense.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { wrongType } from './args.js';
import { NOTIFY_STRING } from '../keyspace/notify.js';
import type { Value } from '../types/object.js';
import { HLL_REGISTERS, Hll, cachedCount, countRegisters, denseAddsNothing, looksLikeHll, selfTest } from '../types/hll.js';

const ERR_NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const ERR_CORRUPT = 'INVALIDOBJ Corrupted HLL object detected';

/**
 * isHLLObjectOrReply: the bytes of an existing value that is an HLL, or null after replying the
 * error. The commands that write an HLL (and PFCOUNT of one key, which updates its cache) mark
 * it raw, as Redis's dbUnshareStringValue and createHLLObject leave it.
 */
function hllBytesOrReply(c: Client, v: Value): string | null {
  if (wrongType(c, v, 'string')) return null;
  if (typeof v !== 'string' || !looksLikeHll(v)) {
    c.reply.error(ERR_NOT_HLL);
    return null;
  }
  return v;
}

/** The HLL in an existing value (a working copy), or null after replying the error. */
function hllOrReply(c: Client, v: Value): Hll | null {
  const s = hllBytesOrReply(c, v);
  return s === null ? null : Hll.from(s);
}

function sparseMaxBytes(c: Client): number {
  return c.server.config.getNumber('hll-sparse-max-bytes');
}

function pfaddCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const key = argv[1];
  const v = ks.lookupWrite(c.db, key);
  let hll: Hll | null;
  let updated = 0;
  if (v === undefined) {
    hll = Hll.empty();
    updated++;
  } else {
    const bytes = hllBytesOrReply(c, v);
    if (bytes === null) return;
    ks.markRaw(c.db, key);
    if (bytes.charCodeAt(4) === 0 && denseAddsNothing(bytes, argv, 2)) {
      c.reply.integer(0);
      return;
    }
    hll = Hll.from(bytes);
  }
  const maxBytes = sparseMaxBytes(c);
  for (let j = 2; j < argv.length; j++) {
    const r = hll.add(argv[j], maxBytes);
    if (r === 1) updated++;
    else if (r === -1) {
      // Redis edits the value in place: what the elements before changed stays, unannounced.
      if (v !== undefined && updated > 0) ks.setKey(c.db, key, hll.toString(), true);
      ks.markRaw(c.db, key);
      c.reply.error(ERR_CORRUPT);
      return;
    }
  }
  if (updated > 0) {
    hll.invalidateCache();
    ks.overwrite(c.db, key, v, hll.toString());
    ks.markRaw(c.db, key);
    ks.effects.keyChanged(c.db, key, NOTIFY_STRING, 'pfadd');
    ks.effects.dirty += updated - 1;
    ks.effects.propagate(c.db.id, argv);
  }
  c.reply.integer(updated > 0 ? 1 : 0);
}

/**
 * PFCOUNT key: the cached cardinality, or a fresh count that is then cached in the value.
 * PFCOUNT key key...: the cardinality of the union, nothing written.
 */
function pfcountCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  if (argv.length > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const v = ks.lookupRead(c.db, argv[j]);
      if (v === undefined) continue;
      const hll = hllOrReply(c, v);
      if (hll === null) return;
      if (!hll.mergeInto(max)) {
        c.reply.error(ERR_CORRUPT);
        return;
      }
    }
    c.reply.integer(countRegisters(max));
    return;
  }
  const key = argv[1];
  const v = ks.lookupRead(c.db, key);
  if (v === undefined) {
    c.reply.integer(0);
    return;
  }
  const bytes = hllBytesOrReply(c, v);
  if (bytes === null) return;
  ks.markRaw(c.db, key);
  const cached = cachedCount(bytes);
  if (cached !== null) {
    c.reply.integer(cached);
    return;
  }
  const hll = Hll.from(bytes);
  const card = hll.count();
  if (card < 0) {
    c.reply.error(ERR_CORRUPT);
    return;
  }
  hll.setCachedCount(card);
  ks.setKey(c.db, key, hll.toString(), true);
  ks.markRaw(c.db, key);
  // A changed value without a keyspace event: Redis only signals the key and counts it dirty.
  ks.effects.touchWatchedKey(c.db, key);
  ks.effects.dirty++;
  ks.effects.propagate(c.db.id, argv);
  c.reply.integer(card);
}

/** PFMERGE dest src...: dest takes the register-wise maximum; dense when any input is dense. */
function pfmergeCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < argv.length; j++) {
    const v = ks.lookupRead(c.db, argv[j]);
    if (v === undefined) continue;
    const hll = hllOrReply(c, v);
    if (hll === null) return;
    if (!hll.isSparse) useDense = true;
    if (!hll.mergeInto(max)) {
      c.reply.error(ERR_CORRUPT);
      return;
    }
  }
  const key = argv[1];
  const cur = ks.lookupWrite(c.db, key);
  // The destination was one of the inputs: it is a valid HLL when it exists.
  const dst = cur === undefined ? Hll.empty() : Hll.from(cur as string);
  if (useDense && !dst.toDense()) {
    c.reply.error(ERR_CORRUPT);
    return;
  }
  const maxBytes = sparseMaxBytes(c);
  for (let j = 0; j < HLL_REGISTERS; j++) if (max[j] !== 0) dst.set(j, max[j], maxBytes);
  dst.invalidateCache();
  ks.setKey(c.db, key, dst.toString(), true);
  ks.markRaw(c.db, key);
  // Redis announces a merge as "pfadd": in effect a mass add of elements.
  ks.effects.keyChanged(c.db, key, NOTIFY_STRING, 'pfadd');
  ks.effects.propagate(c.db.id, argv);
  c.reply.ok();
}

function pfselftestCommand(c: Client): void {
  const failure = selfTest(sparseMaxBytes(c));
  if (failure === null) c.reply.ok();
  else c.reply.error(failure);
}

/** PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. */
function pfdebugCommand(c: Client, argv: string[]): void {
  const ks = c.server.keyspace;
  const sub = argv[1].toLowerCase();
  const key = argv[2];
  const v = ks.lookupWrite(c.db, key);
  if (v === undefined) {
    c.reply.error('ERR The specified key does not exist');
    return;
  }
  const hll = hllOrReply(c, v);
  if (hll === null) return;
  const r = c.reply;
  ks.markRaw(c.db, key);
  if (sub === 'getreg' || sub === 'todense') {
    const converted = hll.isSparse;
    if (converted) {
      if (!hll.toDense()) {
        r.error(ERR_CORRUPT);
        return;
      }
      // The encoding changed: a replica must convert too (Redis counts it dirty, no event).
      ks.setKey(c.db, key, hll.toString(), true);
      ks.markRaw(c.db, key);
      ks.effects.dirty++;
      ks.effects.propagate(c.db.id, argv);
    }
    if (sub === 'todense') {
      r.integer(converted ? 1 : 0);
      return;
    }
    const regs = hll.registers();
    r.array(regs.length);
    for (const reg of regs) r.integer(reg);
  } else if (sub === 'decode') {
    if (!hll.isSparse) r.error('ERR HLL encoding is not sparse');
    else r.bulk(hll.decodeSparse());
  } else if (sub === 'encoding') {
    r.simple(hll.isSparse ? 'sparse' : 'dense');
  } else {
    r.error(`ERR Unknown PFDEBUG subcommand '${argv[1]}'`);
  }
}

export const commands = [
  { name: 'pfadd', arity: -2, flags: ['write', 'denyoom', 'fast'], acl: ['hyperloglog'], keys: [1, 1, 1], run: pfaddCommand },
  { name: 'pfcount', arity: -2, flags: ['readonly'], acl: ['hyperloglog'], keys: [1, -1, 1], run: pfcountCommand },
  { name: 'pfmerge', arity: -2, flags: ['write', 'denyoom'], acl: ['hyperloglog'], keys: [1, -1, 1], run: pfmergeCommand },
  { name: 'pfdebug', arity: 3, flags: ['write', 'denyoom', 'admin'], acl: ['hyperloglog'], keys: [2, 2, 1], run: pfdebugCommand },
  { name: 'pfselftest', arity: 1, flags: ['admin'], acl: ['hyperloglog'], run: pfselftestCommand },
] satisfies CommandSpec[];
