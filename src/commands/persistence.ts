/*
 * Persistence commands: SAVE BGSAVE BGREWRITEAOF (the machinery is src/server/snapshots.ts and
 * src/server/persistence.ts).
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { ERR_SYNTAX } from '../protocol/errors.js';
import { isOpt } from './args.js';

function saveCommand(c: Client): void {
  const snapshots = c.server.snapshots;
  if (snapshots.inProgress) {
    c.reply.error('ERR Background save already in progress');
    return;
  }
  try {
    snapshots.saveNow();
    c.reply.ok();
  } catch (err) {
    c.server.log.warn(`SAVE failed: ${(err as Error).message}`);
    c.reply.error('ERR');
  }
}

function bgsaveCommand(c: Client, argv: string[]): void {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && isOpt(argv[1], 'SCHEDULE')) schedule = true;
    else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const snapshots = c.server.snapshots;
  const running = snapshots.runningKind;
  if (running === 'rdb') {
    c.reply.error('ERR Background save already in progress');
  } else if (running !== null || c.server.callDepth > 1) {
    // Behind an AOF rewrite, or inside EXEC: Redis defers the save rather than running it now.
    if (schedule || c.server.callDepth > 1) {
      snapshots.bgsaveScheduled = true;
      c.reply.simple('Background saving scheduled');
    } else {
      c.reply.error(
        "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
      );
    }
  } else {
    snapshots.startDump();
    c.reply.simple('Background saving started');
  }
}

function bgrewriteaofCommand(c: Client): void {
  const aof = c.server.aof;
  if (aof === null) {
    c.reply.error("ERR BGREWRITEAOF needs the append only file: it is off (CONFIG SET appendonly yes is not supported yet)");
    return;
  }
  if (c.server.callDepth > 1) {
    aof.rewriteScheduled = true;
    c.reply.simple('Background append only file rewriting scheduled');
    return;
  }
  const r = aof.rewrite();
  if (r === 'in-progress') c.reply.error('ERR Background append only file rewriting already in progress');
  else if (r === 'scheduled') c.reply.simple('Background append only file rewriting scheduled');
  else if (r === 'failed') c.reply.error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
  else c.reply.simple('Background append only file rewriting started');
}

export const commands = [
  { name: 'save', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], run: saveCommand },
  { name: 'bgsave', arity: -1, flags: ['admin', 'noscript', 'no_async_loading'], run: bgsaveCommand },
  { name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript', 'no_async_loading'], run: bgrewriteaofCommand },
] satisfies CommandSpec[];
