/*
 * Blocking commands (Redis's blocked.c): a client that must wait for data on keys is parked until a
 * write gives the data, its timeout passes, CLIENT UNBLOCK releases it, or it disconnects.
 *
 * Invariants:
 *   - A blocked client has `c.blocked` set and its input suspended (server.suspendInput): its
 *     further pipelined requests stay buffered until it is released, then run in order.
 *   - Waiters are kept per (db, key) in arrival order (`db.blockingKeys`, Sets keep insertion
 *     order); a client blocked on several keys is in each key's set, once.
 *   - Keyspace.setKey queues a key that clients wait on as ready when a collection is stored there
 *     (Redis's dbAdd → signalKeyAsReady); types that add data in place call signalKeyAsReady.
 *     `serveReadyKeys` runs after every top-level command (so after a whole EXEC), and serves each
 *     ready key's waiters in order through their handler until one cannot be served. Serving may
 *     make other keys ready (BLMOVE pushes), so it loops until no key is left.
 *   - Each served client is its own propagation unit: its handler propagates the non-blocking form
 *     of what it did (BLPOP → LPOP, BLMOVE → LMOVE, ...), after the command that made the key ready.
 *   - Timeouts are absolute unix ms (0: forever), each served by its own timer.
 *
 * The framework knows nothing of data types: a blocking command registers its keys, a deadline, a
 * `BlockHandler` (one shared object per kind of command: serve / timed out) and per-block params.
 */

import type { Client } from './client.js';
import type { Server } from './server.js';
import type { Db, KeyWaiter } from '../keyspace/db.js';
import { parseDouble } from '../types/numbers.js';

/** What a kind of blocking command does when released. `P` is the data it blocked with. */
export interface BlockHandler<P> {
  /**
   * `key` may have data: if the client can be served from it, reply, mutate and propagate the
   * replayed form, and return true; otherwise change nothing and return false.
   */
  serve(c: Client, key: string, params: P): boolean;
  /** The reply when the timeout passes or CLIENT UNBLOCK ... TIMEOUT releases the client. */
  timedOut(c: Client, params: P): void;
}

/** One blocked client: its keys, handler and timer. */
export class BlockedClient<P = unknown> implements KeyWaiter {
  timer: NodeJS.Timeout | null = null;

  constructor(
    readonly client: Client,
    readonly db: Db,
    readonly keys: readonly string[],
    /** Absolute unix ms, 0 for no timeout. */
    readonly deadline: number,
    readonly handler: BlockHandler<P>,
    readonly params: P,
  ) {}

  keyReady(key: string): boolean {
    return this.client.server.blocking.serve(this, key);
  }
}

const MAX_TIMER_MS = 2147483647;

export const ERR_TIMEOUT_NOT_FLOAT = 'ERR timeout is not a float or out of range';
export const ERR_TIMEOUT_NEGATIVE = 'ERR timeout is negative';
export const ERR_UNBLOCKED = 'UNBLOCKED client unblocked via CLIENT UNBLOCK';

export class Blocking {
  /** Clients blocked right now (INFO blocked_clients). */
  blockedClients = 0;

  constructor(private readonly server: Server) {}

  /**
   * Whether the command running for `c` may block: not inside EXEC (or a script: nested calls) and
   * not for the log replayer. Otherwise a blocking command acts as its non-blocking form.
   */
  canBlock(c: Client): boolean {
    return !c.denyBlocking && this.server.callDepth <= 1;
  }

  /** Parks `c` on `keys` of its db (duplicates ignored) until served, timed out or released. */
  block<P>(c: Client, keys: readonly string[], deadline: number, handler: BlockHandler<P>, params: P): void {
    const db = c.db;
    const unique = keys.length > 1 ? [...new Set(keys)] : keys;
    const record = new BlockedClient<P>(c, db, unique, deadline, handler, params);
    for (const key of unique) {
      let waiters = db.blockingKeys.get(key);
      if (waiters === undefined) {
        waiters = new Set();
        db.blockingKeys.set(key, waiters);
      }
      waiters.add(record);
    }
    c.blocked = record;
    this.blockedClients++;
    this.server.suspendInput(c);
    if (deadline > 0) this.armTimer(record);
  }

  /** Node timers hold at most 2^31-1 ms: a longer wait re-arms when that much has passed. */
  private armTimer(record: BlockedClient): void {
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, record.deadline - Date.now()));
    record.timer = setTimeout(this.timeoutBound, delay, record);
  }

  /** Serves the waiters of every ready key (handleClientsBlockedOnKeys). */
  serveReadyKeys(): void {
    const ks = this.server.keyspace;
    while (ks.readyKeys.length > 0) {
      const batch = ks.readyKeys;
      ks.readyKeys = [];
      for (const { db, key } of batch) {
        db.readyKeys.delete(key);
        const waiters = db.blockingKeys.get(key);
        if (waiters === undefined) continue;
        // One clock for the whole key, as Redis's fixed_time_expire.
        ks.now = Date.now();
        for (const w of waiters) w.keyReady(key);
      }
    }
  }

  /** Tries one waiter on one key; on success it is unblocked and its reply queued. */
  serve(record: BlockedClient, key: string): boolean {
    const c = record.client;
    const server = this.server;
    const effects = server.keyspace.effects;
    let served: boolean;
    effects.beginUnit();
    try {
      served = record.handler.serve(c, key, record.params);
    } catch (err) {
      server.log.error({ err, client: c.id }, 'serving a blocked client failed with an internal error');
      c.reply.error('ERR internal error while serving a blocked client');
      served = true;
    } finally {
      effects.endUnit();
    }
    if (served) this.release(record);
    return served;
  }

  /**
   * CLIENT UNBLOCK: releases a blocked client with its timeout reply, or with -UNBLOCKED.
   * False when the client is not blocked.
   */
  unblockByRequest(target: Client, withError: boolean): boolean {
    const record = target.blocked;
    if (record === null) return false;
    if (withError) target.reply.error(ERR_UNBLOCKED);
    else record.handler.timedOut(target, record.params);
    this.release(record);
    return true;
  }

  /** A blocked client disconnected: forget it without a reply. */
  clientClosed(c: Client): void {
    if (c.blocked !== null) this.unregister(c.blocked);
  }

  private readonly timeoutBound = (record: BlockedClient): void => {
    if (record.client.blocked !== record) return;
    record.timer = null;
    if (Date.now() < record.deadline) {
      this.armTimer(record);
      return;
    }
    record.handler.timedOut(record.client, record.params);
    this.release(record);
  };

  /** Unblocks after the reply was written: resumes its input and flushes its output. */
  private release(record: BlockedClient): void {
    const c = record.client;
    this.unregister(record);
    this.server.countErrors(c);
    this.server.queueFlush(c);
    this.server.resumeInput(c);
  }

  private unregister(record: BlockedClient): void {
    const { client: c, db } = record;
    for (const key of record.keys) {
      const waiters = db.blockingKeys.get(key);
      if (waiters === undefined) continue;
      waiters.delete(record);
      if (waiters.size === 0) db.blockingKeys.delete(key);
    }
    if (record.timer !== null) clearTimeout(record.timer);
    record.timer = null;
    c.blocked = null;
    this.blockedClients--;
  }
}

// ---------------------------------------------------------------------------------------------
// Timeouts

/** strtold's limits: beyond the decimal exponent range of an x87 long double the text is rejected. */
const LONG_DOUBLE_MAX_EXP10 = 4932;
const LONG_DOUBLE_MIN_EXP10 = -4951;
/** string2ld copies into a 5 KB buffer: longer text is not a number. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

/**
 * Redis's string2ld, on doubles: the value, or null when Redis would reject the text. Texts whose
 * magnitude overflows or underflows a double but not a long double keep their meaning as far as
 * a timeout can tell (±Infinity, or the smallest non-zero double).
 */
function parseLongDouble(s: string): number | null {
  if (s.length >= MAX_LONG_DOUBLE_CHARS) return null;
  const d = parseDouble(s);
  if (d === null || (d !== 0 && Number.isFinite(d))) return d;
  const m = /^([+-]?)0*(\d*)\.?(\d*)e([+-]?\d+)$/i.exec(s);
  if (m === null) return d; // inf, 0, hex: as strtod reads them
  const intDigits = m[2];
  const fracDigits = m[3];
  const lead = intDigits.length > 0 ? intDigits.length : -(fracDigits.length - fracDigits.replace(/^0+/, '').length);
  if (intDigits.length === 0 && /^0*$/.test(fracDigits)) return d; // a zero mantissa is plain zero
  const exp10 = Number(m[4]) + lead - 1;
  if (exp10 > LONG_DOUBLE_MAX_EXP10 || exp10 < LONG_DOUBLE_MIN_EXP10) return null;
  const sign = m[1] === '-' ? -1 : 1;
  return d === 0 ? sign * Number.MIN_VALUE : d;
}

/**
 * getTimeoutFromObjectOrReply with UNIT_SECONDS: a float number of seconds, rounded up to ms.
 * Returns the absolute deadline in unix ms, 0 for "forever", or null after replying the error.
 */
export function blockTimeoutOrReply(c: Client, arg: string): number | null {
  const seconds = parseLongDouble(arg);
  if (seconds === null) {
    c.reply.error(ERR_TIMEOUT_NOT_FLOAT);
    return null;
  }
  const ms = Math.ceil(seconds * 1000);
  // Beyond int64 the C cast yields LLONG_MIN: Redis then reports a negative timeout.
  if (!(ms >= 0) || ms >= 9223372036854775807) {
    c.reply.error(ERR_TIMEOUT_NEGATIVE);
    return null;
  }
  return ms === 0 ? 0 : Date.now() + ms;
}
