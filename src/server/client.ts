/*
 * One connection: its socket, request parser, reply writer and the state Redis keeps per client
 * (selected db, name, MULTI queue, WATCHed keys, reply mode, ...).
 *
 * Data flow: socket 'data' → parser.feed → dispatch each complete request → replies accumulate in
 * `reply` → the server flushes all clients with output once per tick (one socket write each), which
 * is where group commit will hold replies until the log covering them is durable.
 */

import type { Socket } from 'node:net';
import { RequestParser } from '../protocol/parser.js';
import { ReplyWriter } from '../protocol/reply.js';
import type { Db } from '../keyspace/db.js';
import type { KeyWatcher } from '../keyspace/effects.js';
import type { CommandEntry } from '../commands/registry.js';
import type { Server } from './server.js';
import type { BlockedClient } from './blocking.js';
import type { ClientTracking } from './tracking.js';

export interface QueuedCommand {
  cmd: CommandEntry;
  argv: string[];
}

export type ReplyMode = 'on' | 'off' | 'skip';

export class Client implements KeyWatcher {
  readonly id: number;
  readonly parser = new RequestParser();
  readonly reply = new ReplyWriter();
  db: Db;
  name = '';
  libName = '';
  libVer = '';
  authenticated: boolean;
  user = 'default';

  /** MULTI state: queued commands, and the two ways a transaction is doomed. */
  inMulti = false;
  multiQueue: QueuedCommand[] = [];
  /** A queued command was rejected (EXECABORT). */
  dirtyExec = false;
  /** A WATCHed key changed (EXEC returns null). */
  dirtyCas = false;
  /** WATCHed keys; `expiredAtWatch` lets EXEC notice keys that expired since (Redis 7.0). */
  watched: Array<{ db: Db; key: string; expiredAtWatch: boolean }> = [];

  replyMode: ReplyMode = 'on';
  /** Set by CLIENT REPLY SKIP for the next command only. */
  skipNextReply = false;
  noEvict = false;
  monitor = false;
  /** Pub/sub subscriptions (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE): CLIENT LIST sub/psub/ssub, flag P. */
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();
  /** CLIENT TRACKING state; null while tracking is off. */
  tracking: ClientTracking | null = null;
  /**
   * Pushes (pub/sub, invalidations) for this client while its own command runs under CLIENT REPLY
   * OFF / SKIP: the command's output is dropped, these are written after it. Null otherwise.
   */
  heldPushes: Buffer[] | null = null;
  /** When pending output first passed the soft output buffer limit (unix s; 0: it is under). */
  softLimitReachedAt = 0;
  /**
   * The command that waits for a CLIENT PAUSE to end or for its cold keys to be read (its input is
   * suspended meanwhile).
   */
  postponed: string[] | null = null;
  /** The command whose cold keys were just read: it runs without being parked again. */
  prefetched: string[] | null = null;
  closeAfterReply = false;
  /** Set while blocked on keys (server/blocking.ts). */
  blocked: BlockedClient | null = null;
  /** Reasons its requests are not run now (blocked, paused): see Server.suspendInput. */
  inputSuspended = 0;
  /** The client scripts run their commands on (MONITOR shows it as "lua"). */
  isScript = false;
  /** Blocking commands act as their non-blocking form (the log replayer). */
  denyBlocking = false;
  closed = false;
  /** Queued for the end-of-tick flush. */
  pendingFlush = false;

  readonly createdAt = Date.now();
  /** Last read from (or write to) the socket, ms: CLIENT LIST idle, the `timeout` directive. */
  lastInteraction = Date.now();
  lastCommand = 'NULL';
  readonly addr: string;
  readonly laddr: string;
  readonly fd: number;

  constructor(
    readonly server: Server,
    readonly socket: Socket,
    id: number,
  ) {
    this.id = id;
    this.db = server.keyspace.dbs[0];
    this.authenticated = server.config.getString('requirepass') === '';
    this.parser.authRequired = !this.authenticated;
    this.addr = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    this.laddr = `${socket.localAddress ?? '?'}:${socket.localPort ?? 0}`;
    this.fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
  }

  /** Logs the client in as `user`, or out (null): AUTH, HELLO AUTH, RESET. */
  setAuthenticated(user: string | null): void {
    this.authenticated = user !== null;
    this.user = user ?? 'default';
    this.parser.authRequired = !this.authenticated;
  }

  /** A client with no connection, for replaying the log (Redis's fake client). */
  static detached(server: Server): Client {
    const socket = {
      remoteAddress: undefined,
      remotePort: undefined,
      localAddress: undefined,
      localPort: undefined,
      destroyed: true,
      write: () => true,
      end: () => undefined,
      destroy: () => undefined,
    } as unknown as Socket;
    const c = new Client(server, socket, 0);
    c.denyBlocking = true;
    return c;
  }

  /** A pub/sub client (flag P, CLIENT LIST TYPE pubsub): it has at least one subscription. */
  get isPubsub(): boolean {
    return this.channels.size + this.patterns.size + this.shardChannels.size > 0;
  }

  watchedKeyTouched(): void {
    this.dirtyCas = true;
  }

  /** Forgets every WATCHed key (UNWATCH, EXEC, DISCARD, disconnect). */
  unwatchAll(): void {
    for (const { db, key } of this.watched) {
      const set = db.watchers.get(key);
      if (set === undefined) continue;
      set.delete(this);
      if (set.size === 0) db.watchers.delete(key);
    }
    this.watched = [];
    this.dirtyCas = false;
  }

  /** Leaves MULTI state (EXEC, DISCARD, RESET). */
  discardTransaction(): void {
    this.inMulti = false;
    this.multiQueue = [];
    this.dirtyExec = false;
    this.unwatchAll();
  }
}
