/*
 * CLIENT and its subcommands.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { intArgOrReply, isOpt } from './args.js';

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: releases a client blocked on keys; 1 when it was blocked. */
function clientUnblockCommand(c: Client, argv: string[]): void {
  if (argv.length > 4) {
    // Redis names the subcommand as the client spelled it.
    c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try CLIENT HELP.`);
    return;
  }
  let withError = false;
  if (argv.length === 4) {
    if (isOpt(argv[3], 'ERROR')) withError = true;
    else if (!isOpt(argv[3], 'TIMEOUT')) {
      c.reply.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      return;
    }
  }
  const id = intArgOrReply(c, argv[2]);
  if (id === null) return;
  const target = c.server.clients.get(id);
  c.reply.integer(target !== undefined && c.server.blocking.unblockByRequest(target, withError) ? 1 : 0);
}

export const commands = [
  {
    name: 'client',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'unblock', arity: -3, flags: ['admin', 'noscript', 'loading', 'stale', 'sentinel'], acl: ['connection'], run: clientUnblockCommand },
    ],
  },
] satisfies CommandSpec[];
