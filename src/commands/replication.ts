/*
 * Replication and cluster commands of a standalone server with no replicas: WAIT finds no replica
 * to acknowledge, ROLE reports a master with none, and the cluster connection commands answer
 * that cluster support is disabled, as a redis-server with cluster-enabled no does.
 */

import type { Client } from '../server/client.js';
import type { BlockHandler } from '../server/blocking.js';
import type { CommandSpec } from './spec.js';
import { intArgOrReply } from './args.js';

/** No replica ever acknowledges: a WAIT that blocks answers 0 when its time is up. */
const NO_ACKS: BlockHandler<null> = {
  serve: () => false,
  timedOut: (c) => c.reply.integer(0),
};

/** WAIT numreplicas timeout (waitCommand): 0 replicas acknowledged, after the timeout unless none were asked for. */
function waitCommand(c: Client, argv: string[]): void {
  const numreplicas = intArgOrReply(c, argv[1]);
  if (numreplicas === null) return;
  const timeout = intArgOrReply(c, argv[2], 'ERR timeout is not an integer or out of range');
  if (timeout === null) return;
  if (timeout < 0) {
    c.reply.error('ERR timeout is negative');
    return;
  }
  // Enough acknowledgements already (0 >= numreplicas), or a client that may not block (MULTI).
  if (numreplicas <= 0 || !c.server.blocking.canBlock(c)) {
    c.reply.integer(0);
    return;
  }
  c.server.blocking.block(c, [], timeout === 0 ? 0 : Date.now() + timeout, NO_ACKS, null);
}

function roleCommand(c: Client): void {
  c.reply.array(3);
  c.reply.bulk('master');
  c.reply.integer(0);
  c.reply.array(0);
}

function clusterDisabled(c: Client): void {
  c.reply.error('ERR This instance has cluster support disabled');
}

export const commands: CommandSpec[] = [
  { name: 'wait', arity: 3, flags: ['noscript'], acl: ['connection'], run: waitCommand },
  { name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], acl: ['admin', 'dangerous'], run: roleCommand },
  { name: 'readonly', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['connection'], run: clusterDisabled },
  { name: 'readwrite', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['connection'], run: clusterDisabled },
  { name: 'asking', arity: 1, flags: ['fast'], acl: ['connection'], run: clusterDisabled },
];
