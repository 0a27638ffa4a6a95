/*
 * Server commands: INFO TIME LASTSAVE SHUTDOWN SLOWLOG LATENCY MONITOR MEMORY COMMAND.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { REDIS_VERSION } from '../server/server.js';

function infoCommand(c: Client): void {
  c.reply.verbatim(`# Server\r\nredis_version:${REDIS_VERSION}\r\n\r\n# Persistence\r\nloading:0\r\n`);
}

export const commands = [
  { name: 'info', arity: -1, flags: ['loading', 'stale', 'sentinel'], acl: ['dangerous'], run: infoCommand },
] satisfies CommandSpec[];
