/*
 * Transactions (Redis's multi.c): MULTI EXEC DISCARD WATCH UNWATCH.
 *
 * Queueing happens in dispatch (processCommand); a command rejected while queueing dooms the
 * transaction (dirtyExec → EXECABORT). A WATCHed key that changes — write, lazy or active expiry,
 * FLUSHDB, SWAPDB — sets dirtyCas and EXEC answers a null array. EXEC runs the queued commands
 * through `call`, so they share one clock snapshot and one propagation unit, which reaches the log
 * wrapped in MULTI ... EXEC when it holds more than one command (one is atomic alone, as in Redis 7.0).
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { call } from './dispatch.js';
import { ERR_EXEC_ABORT } from '../protocol/errors.js';

function multiCommand(c: Client): void {
  if (c.inMulti) {
    c.reply.error('ERR MULTI calls can not be nested');
    return;
  }
  c.inMulti = true;
  c.reply.ok();
}

function discardCommand(c: Client): void {
  if (!c.inMulti) {
    c.reply.error('ERR DISCARD without MULTI');
    return;
  }
  c.discardTransaction();
  c.reply.ok();
}

/** Redis 7.0's isWatchedKeyExpired: a key alive when watched that has expired since. */
function watchedKeyExpired(c: Client): boolean {
  const ks = c.server.keyspace;
  for (const w of c.watched) {
    if (!w.expiredAtWatch && ks.isExpired(w.db, w.key)) return true;
  }
  return false;
}

function execCommand(c: Client): void {
  if (!c.inMulti) {
    c.reply.error('ERR EXEC without MULTI');
    return;
  }
  if (c.dirtyExec) {
    c.reply.error(ERR_EXEC_ABORT);
    c.discardTransaction();
    return;
  }
  if (c.dirtyCas || watchedKeyExpired(c)) {
    c.reply.nullArray();
    c.discardTransaction();
    return;
  }
  const queue = c.multiQueue;
  // Leave MULTI state first: the queued commands run as ordinary commands.
  c.discardTransaction();
  c.reply.array(queue.length);
  for (const { cmd, argv } of queue) {
    const mark = c.reply.length;
    call(c, cmd, argv);
    // A queued CLIENT REPLY OFF silences the rest of the transaction, header already sent, as in
    // Redis (whose flag drops every later reply); a queued CLIENT REPLY ON brings its OK back.
    if (c.replyMode === 'off') c.reply.truncate(mark);
  }
}

function watchCommand(c: Client, argv: string[]): void {
  if (c.inMulti) {
    c.reply.error('ERR WATCH inside MULTI is not allowed');
    return;
  }
  const ks = c.server.keyspace;
  const db = c.db;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i];
    if (c.watched.some((w) => w.db === db && w.key === key)) continue;
    let watchers = db.watchers.get(key);
    if (watchers === undefined) {
      watchers = new Set();
      db.watchers.set(key, watchers);
    }
    watchers.add(c);
    c.watched.push({ db, key, expiredAtWatch: ks.isExpired(db, key) });
  }
  c.reply.ok();
}

function unwatchCommand(c: Client): void {
  c.unwatchAll();
  c.reply.ok();
}

export const commands = [
  { name: 'multi', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], acl: ['transaction'], run: multiCommand },
  { name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], acl: ['transaction'], run: execCommand },
  { name: 'discard', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], acl: ['transaction'], run: discardCommand },
  { name: 'watch', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], acl: ['transaction'], keys: [1, -1, 1], run: watchCommand },
  { name: 'unwatch', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], acl: ['transaction'], run: unwatchCommand },
] satisfies CommandSpec[];
