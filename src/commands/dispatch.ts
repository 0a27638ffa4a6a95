/*
 * processCommand and call, as Redis's server.c: every request passes the same checks in the same
 * order before its handler runs, and the same bookkeeping after.
 *
 *   lookup → unknown command / subcommand → arity → protected (DEBUG) → auth → busy script →
 *   flags the arguments declare (a script's shebang) → maxmemory
 *   (performEvictions; OOM for denyoom commands and MULTI queueing) → refused writes (MISCONF) →
 *   monitor clients may not touch keys → RESP2 pub/sub mode → CLIENT PAUSE (postpone) → MULTI
 *   queue → cold keys of a read (parked while a pool thread reads them, server/cold-reads.ts) → call
 *   call: time snapshot, propagation unit, handler, statistics, latency, slowlog, MONITOR feed,
 *   client-side caching (keys read, invalidations held until after the reply)
 *
 * A rejected command inside MULTI dooms the transaction (EXECABORT), as flagTransaction does.
 * CLIENT REPLY OFF / SKIP drop whatever the command (even a rejected one) replied.
 */

import type { Client } from '../server/client.js';
import type { CommandEntry } from './registry.js';
import { errProtectedCommand, errUnknownCommand, errUnknownSubcommand, errWrongArity, ERR_NOAUTH } from '../protocol/errors.js';
import { LatencyHistogram } from '../server/latency.js';
import { ERR_OOM, EVICT_FAIL } from '../keyspace/evict.js';
// The module binding: the global `performance` is a lazy getter, run on every access.
import { performance } from 'node:perf_hooks';

export function processCommand(c: Client, argv: string[]): void {
  if (c.replyMode === 'on' && !c.skipNextReply) {
    checkAndRun(c, argv);
  } else {
    const skipThis = c.skipNextReply;
    c.skipNextReply = false;
    const mark = c.reply.length;
    // Pushes are not replies: they are held aside and survive the drop.
    const held: Buffer[] = (c.heldPushes = []);
    checkAndRun(c, argv);
    c.heldPushes = null;
    // A postponed command has not run yet: its reply is dropped when it does.
    if (c.postponed === argv) c.skipNextReply = skipThis;
    else if (skipThis || c.replyMode === 'off') c.reply.truncate(mark);
    for (const push of held) c.reply.rawBytes(push);
  }
  // A held command has not run yet: CLIENT CACHING yes still applies to it.
  if (c.tracking !== null && c.postponed !== argv) c.server.tracking.requestDone(c);
}

function checkAndRun(c: Client, argv: string[]): void {
  const server = c.server;
  const cmd = server.commands.lookup(argv);
  if (cmd === undefined) {
    c.lastCommand = 'NULL';
    rejectCommand(c, null, errUnknownCommand(argv));
    return;
  }
  if (cmd.subcommands !== null && argv.length >= 2) {
    // A container reached here: the subcommand is unknown (even when the container runs alone, as COMMAND).
    c.lastCommand = 'NULL';
    rejectCommand(c, null, errUnknownSubcommand(cmd.name, argv[1]));
    return;
  }
  c.lastCommand = cmd.fullname;
  const argc = argv.length;
  if ((cmd.arity > 0 && argc !== cmd.arity) || argc < -cmd.arity) {
    rejectCommand(c, cmd, errWrongArity(cmd.fullname));
    return;
  }
  if (cmd.isProtected && !protectedCommandAllowed(c, cmd.name)) {
    rejectCommand(c, cmd, errProtectedCommand(cmd.name));
    return;
  }
  if (!c.authenticated && !cmd.isNoAuth) {
    rejectCommand(c, cmd, ERR_NOAUTH);
    return;
  }
  // A script past busy-reply-threshold yields to the event loop; only a few commands may run.
  if (server.scripting?.busy && !cmd.flags.includes('allow_busy')) {
    rejectCommand(c, cmd, server.scripting.busyError());
    return;
  }
  // Only the memory and disk checks below read them: skip the work (a script's sha) otherwise.
  const declared = cmd.declaredFlags !== undefined && (server.eviction.maxmemory !== 0 || server.writeRefusal !== null) ? cmd.declaredFlags(c, argv) : null;
  const isWrite = declared === null ? cmd.isWrite : declared.write;
  if (server.eviction.maxmemory !== 0 && server.pauseType === 'off' && outOfMemory(c, cmd, declared === null ? cmd.isDenyOom : declared.denyoom)) {
    rejectCommand(c, cmd, ERR_OOM);
    return;
  }
  // PING too, as Redis: a health check must see the disk error.
  if (server.writeRefusal !== null && (isWrite || cmd.name === 'ping')) {
    rejectCommand(c, cmd, server.writeRefusal);
    return;
  }
  if (c.monitor && touchesKeyspace(cmd)) {
    // MONITOR makes a connection a replica in Redis's eyes.
    rejectCommand(c, cmd, "ERR Replica can't interact with the keyspace");
    return;
  }
  if (c.reply.resp === 2 && c.isPubsub && !ALLOWED_WHEN_SUBSCRIBED.has(cmd.fullname)) {
    rejectCommand(c, cmd, `ERR Can't execute '${cmd.fullname}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`);
    return;
  }
  if (server.pauseType !== 'off' && server.pauseHolds(c, cmd)) {
    server.postpone(c, argv);
    return;
  }
  if (c.inMulti && !isTransactionControl(cmd)) {
    if (cmd.isNoMulti) {
      rejectCommand(c, cmd, `ERR Command not allowed inside a transaction`);
      return;
    }
    c.multiQueue.push({ cmd, argv });
    c.reply.raw('+QUEUED\r\n');
    return;
  }
  if (c.db.coldKeys !== 0 && cmd.isReadOnly && server.coldReads.park(c, cmd, argv)) return;
  call(c, cmd, argv);
  // After the whole command (a whole EXEC), serve clients blocked on keys it filled.
  if (server.keyspace.readyKeys.length > 0) server.blocking.serveReadyKeys();
}

/**
 * Evicts as needed; true when memory stays over maxmemory and the command may not run: a denyoom
 * command (EXEC counts as one when it queued one), or any command queued in MULTI.
 */
function outOfMemory(c: Client, cmd: CommandEntry, isDenyOom: boolean): boolean {
  if (c.server.eviction.perform() !== EVICT_FAIL) return false;
  if (isDenyOom) return true;
  if (cmd.name === 'exec') return c.multiQueue.some((q) => q.cmd.isDenyOom);
  return c.inMulti && cmd.name !== 'discard' && cmd.name !== 'quit' && cmd.name !== 'reset';
}

/** The commands a RESP2 client in pub/sub mode may send (RESP3 clients may send any). */
const ALLOWED_WHEN_SUBSCRIBED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);

/** Read-only commands whose keys are not remembered for client-side caching (scripts' keys are declared, not read). */
const UNTRACKED_READS = new Set(['eval_ro', 'evalsha_ro', 'fcall_ro']);

function touchesKeyspace(cmd: CommandEntry): boolean {
  return cmd.isWrite || cmd.flags.includes('readonly') || cmd.flags.includes('may_replicate');
}

/** enable-<name>-command (enable-debug-command): "yes", or "local" for loopback clients (Redis's allowProtectedAction). */
function protectedCommandAllowed(c: Client, name: string): boolean {
  const setting = c.server.config.getString(`enable-${name}-command`);
  return setting === 'yes' || (setting === 'local' && isLocalAddress(c.socket.remoteAddress));
}

function isLocalAddress(addr: string | undefined): boolean {
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';
}

function isTransactionControl(cmd: CommandEntry): boolean {
  const n = cmd.name;
  return n === 'exec' || n === 'discard' || n === 'multi' || n === 'watch' || n === 'quit' || n === 'reset';
}

/** Replies an error for a command that is not run, counting it as Redis does. */
export function rejectCommand(c: Client, cmd: CommandEntry | null, error: string): void {
  if (c.inMulti) c.dirtyExec = true;
  if (cmd !== null) cmd.stats.rejectedCalls++;
  if (cmd !== null && cmd.name === 'exec') {
    // A rejected EXEC ends the transaction (execCommandAbort), even outside MULTI.
    c.discardTransaction();
    c.reply.error(`EXECABORT Transaction discarded because of: ${error.startsWith('ERR ') ? error.slice(4) : error}`);
  } else {
    c.reply.error(error);
  }
  c.server.countErrors(c);
}

/** Runs a command that passed the checks: the single place where commands execute. */
export function call(c: Client, cmd: CommandEntry, argv: string[]): void {
  const server = c.server;
  const ks = server.keyspace;
  const nested = server.callDepth++ > 0;
  if (!nested) {
    ks.now = Date.now();
    server.currentClient = c;
  }
  const start = performance.now();
  const errorsBefore = c.reply.errors.length;
  ks.effects.beginUnit();
  try {
    cmd.run!(c, argv);
  } catch (err) {
    // A handler bug must not take the server down: answer an error, keep serving.
    server.log.error({ err, command: cmd.fullname }, 'command failed with an internal error');
    c.reply.error(`ERR internal error while running '${cmd.fullname}'`);
  } finally {
    ks.effects.endUnit();
    server.callDepth--;
  }
  if (!nested && ks.memoryUnsettled) ks.settleMemory();
  const usec = Math.round((performance.now() - start) * 1000);
  cmd.stats.calls++;
  cmd.stats.usec += usec;
  server.stats.totalCommands++;
  if (c.reply.errors.length > errorsBefore) {
    cmd.stats.failedCalls++;
    server.countErrors(c);
  }
  server.latency.addSampleIfNeeded(cmd.isFast ? 'fast-command' : 'command', Math.floor(usec / 1000));
  // A command that blocked is not logged at block time (Redis logs it when served; strata not yet).
  if (!cmd.isSkipSlowlog && c.blocked === null) server.slowlog.consider(c, argv, usec);
  // After the command, as Redis 7: the line shows its effect (SELECT's new db) and the monitor
  // sees its own commands after their replies.
  if (server.monitors.size > 0 && !cmd.isSkipMonitor && !cmd.isAdmin) server.feedMonitors(c, argv);
  if (server.latencyTracking) (cmd.latencyHistogram ??= new LatencyHistogram()).record(usec * 1000);
  // Client-side caching: the keys a read served are remembered (trackingRememberKeys); after the
  // top-level command, invalidations held for this client follow its reply.
  if (c.tracking !== null && cmd.flags.includes('readonly') && !UNTRACKED_READS.has(cmd.name)) server.tracking.rememberKeys(c, cmd, argv);
  if (!nested) {
    server.currentClient = null;
    server.tracking.commandDone(c);
  }
}
