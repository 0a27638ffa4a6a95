/*
 * Parking for XREAD / XREADGROUP BLOCK: the minimum a blocking stream read needs, kept behind the
 * same shape as the shared blocking framework (a per-command `serve(c, key, params)` that answers
 * and returns true when the client could be served, a timeout reply), so that at merge the three
 * exported calls map onto it: blockOnStreams → blocking.block, signalStreamReady →
 * keyspace.signalKeyAsReady, canBlock → blocking.canBlock.
 *
 * Invariants:
 *   - a parked client has `c.blocked` set: the server runs none of its pipelined input until it is
 *     released (served, timed out or disconnected); then `server.resumeInput` runs the rest.
 *   - waiters are kept per (db, key) in arrival order; a client waits on each of its keys once.
 *   - a key becomes ready when a stream command says so (XADD, XGROUP DESTROY: Redis's
 *     signalKeyAsReady) or when any change leaves something other than the stream last seen there
 *     (deleted, overwritten, a new stream moved in: Redis signals those from dbAdd / dbDelete /
 *     dbOverwrite). Ready keys are served after the command that readied them, each served client
 *     in its own propagation unit (its XCLAIMs follow the command that woke it).
 */

import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import type { Db } from '../keyspace/db.js';
import type { Value } from '../types/object.js';
import type { StreamID } from '../types/stream.js';

/** What a blocked XREAD / XREADGROUP waits for. */
export interface XreadWait {
  keys: string[];
  /** Per key: serve entries after this id (the largest id stands for ">"). */
  ids: StreamID[];
  count: number;
  group: string | null;
  consumer: string | null;
  noack: boolean;
}

/** Answers a parked read from `key` when it can (true), else changes nothing (false). */
export type ServeBlocked = (c: Client, key: string, wait: XreadWait) => boolean;

interface Parked {
  client: Client;
  db: Db;
  wait: XreadWait;
  serve: ServeBlocked;
  timer: NodeJS.Timeout | null;
  onClose: () => void;
}

interface KeyWaiters {
  parked: Set<Parked>;
  /** The value at the key when last looked at: a change that replaces it makes the key ready. */
  seen: Value | undefined;
}

/** Longest delay setTimeout takes; longer timeouts re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

class StreamWaits {
  private readonly byDb = new Map<Db, Map<string, KeyWaiters>>();
  private ready: Array<{ db: Db; key: string }> = [];

  constructor(private readonly server: Server) {
    server.keyspace.effects.keyModifiedHooks.push((dbid, key) => this.keyModified(dbid, key));
    server.afterCommand.push(() => this.serveReady());
  }

  park(c: Client, wait: XreadWait, deadline: number, serve: ServeBlocked): void {
    const db = c.db;
    const p: Parked = { client: c, db, wait, serve, timer: null, onClose: () => this.unregister(p) };
    let keys = this.byDb.get(db);
    if (keys === undefined) {
      keys = new Map();
      this.byDb.set(db, keys);
    }
    for (const key of wait.keys) {
      let kw = keys.get(key);
      if (kw === undefined) {
        kw = { parked: new Set(), seen: db.dict.get(key) };
        keys.set(key, kw);
      }
      kw.parked.add(p);
    }
    c.blocked = true;
    if (deadline > 0) this.armTimer(p, deadline);
    c.socket.once?.('close', p.onClose);
  }

  private armTimer(p: Parked, deadline: number): void {
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, deadline - Date.now()));
    p.timer = setTimeout(() => {
      p.timer = null;
      if (Date.now() < deadline) this.armTimer(p, deadline);
      else this.timedOut(p);
    }, delay);
  }

  private timedOut(p: Parked): void {
    if (p.client.closed) {
      this.unregister(p);
      return;
    }
    p.client.reply.nullArray();
    this.release(p);
  }

  signal(db: Db, key: string): void {
    if (this.byDb.get(db)?.has(key)) this.ready.push({ db, key });
  }

  private keyModified(dbid: number, key: string): void {
    const db = this.server.keyspace.dbs[dbid];
    const kw = this.byDb.get(db)?.get(key);
    if (kw === undefined) return;
    const v = db.dict.get(key);
    if (v !== kw.seen || v === undefined || typeof v !== 'object' || v.type !== 'stream') this.ready.push({ db, key });
  }

  /** handleClientsBlockedOnKeys for stream keys. */
  private serveReady(): void {
    const server = this.server;
    const effects = server.keyspace.effects;
    while (this.ready.length > 0) {
      const batch = this.ready;
      this.ready = [];
      for (const { db, key } of batch) {
        const kw = this.byDb.get(db)?.get(key);
        if (kw === undefined) continue;
        server.keyspace.now = Date.now();
        for (const p of [...kw.parked]) {
          if (p.client.closed) {
            this.unregister(p);
            continue;
          }
          let served: boolean;
          effects.beginUnit();
          try {
            served = p.serve(p.client, key, p.wait);
          } catch (err) {
            server.log.error({ err, client: p.client.id }, 'serving a blocked stream read failed with an internal error');
            p.client.reply.error('ERR internal error while serving a blocked client');
            served = true;
          } finally {
            effects.endUnit();
          }
          if (served) this.release(p);
        }
        kw.seen = db.dict.get(key);
      }
    }
  }

  private release(p: Parked): void {
    const c = p.client;
    this.unregister(p);
    this.server.countErrors(c);
    this.server.queueFlush(c);
    this.server.resumeInput(c);
  }

  private unregister(p: Parked): void {
    const keys = this.byDb.get(p.db);
    for (const key of p.wait.keys) {
      const kw = keys?.get(key);
      if (kw === undefined) continue;
      kw.parked.delete(p);
      if (kw.parked.size === 0) keys!.delete(key);
    }
    if (p.timer !== null) clearTimeout(p.timer);
    p.timer = null;
    p.client.socket.off?.('close', p.onClose);
  }
}

const waitsByServer = new WeakMap<Server, StreamWaits>();

/** Whether the running command may block: not inside MULTI/EXEC and not while loading (CLIENT_DENY_BLOCKING). */
export function canBlock(c: Client): boolean {
  return !c.server.keyspace.loading && c.server.callDepth <= 1;
}

/** Parks `c` until one of its keys serves it or `deadline` (unix ms; 0: never) passes. */
export function blockOnStreams(c: Client, wait: XreadWait, deadline: number, serve: ServeBlocked): void {
  let waits = waitsByServer.get(c.server);
  if (waits === undefined) {
    waits = new StreamWaits(c.server);
    waitsByServer.set(c.server, waits);
  }
  waits.park(c, wait, deadline, serve);
}

/** signalKeyAsReady: `key` may serve parked readers after the current command. */
export function signalStreamReady(server: Server, db: Db, key: string): void {
  waitsByServer.get(server)?.signal(db, key);
}
