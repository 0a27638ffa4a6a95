/*
 * Client-side caching support (Redis's tracking.c): which clients may cache which keys, and the
 * invalidation messages they get when those keys change.
 *
 * Two modes, as in Redis:
 *   - default: every key a tracking client reads (a read-only command's keys, by its key specs) is
 *     remembered in `table` (key → client ids). When the key is modified, expired, evicted or the
 *     table overflows `tracking-table-max-keys`, each remembered client gets one invalidation and
 *     the key is forgotten until read again. OPTIN / OPTOUT with CLIENT CACHING decide per command
 *     whether reads are remembered.
 *   - BCAST: nothing is remembered per client; every modified key that starts with a registered
 *     prefix is collected and, once per tick (before the flush), the prefix's clients get the
 *     collected keys in one message, in byte order.
 *
 * Keys are global, not per database, and a FLUSHDB/FLUSHALL invalidates everything (a null).
 * Invalidations go to the client itself as a RESP3 push, or to its REDIRECT client: RESP3 push, or
 * for a RESP2 client in pub/sub mode a message on __redis__:invalidate. A client's own command
 * changing a key it tracks gets its invalidation after the command's reply (Redis's pending keys),
 * never in the middle of it. The table holds client ids and is cleaned lazily: ids of clients that
 * went away or stopped tracking are skipped when met.
 */

import type { Client } from './client.js';
import type { Server } from './server.js';
import type { CommandEntry } from '../commands/registry.js';
import { getKeys } from '../commands/getkeys.js';
import { writePush } from './pubsub.js';

/** A tracking client's CLIENT TRACKING options and state. */
export interface ClientTracking {
  /** REDIRECT client id; 0 for none. */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING YES (OPTIN) or NO (OPTOUT), for the next command or transaction. */
  caching: boolean;
  /** The redirect client went away (noticed when an invalidation was due). */
  brokenRedirect: boolean;
  /** BCAST prefixes. */
  readonly prefixes: Set<string>;
}

export interface TrackingOptions {
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  prefixes: readonly string[];
}

/** Keys modified this tick under one BCAST prefix, and the clients registered for it. */
interface PrefixState {
  /** key → the client whose command changed it last (null: expiry, eviction), for NOLOOP. */
  readonly keys: Map<string, Client | null>;
  readonly clients: Set<Client>;
}

const INVALIDATE_PUSH = '>2\r\n$10\r\ninvalidate\r\n';
const INVALIDATE_MESSAGE = '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n';

function keyArray(keys: readonly string[]): string {
  let out = '*' + keys.length + '\r\n';
  for (const k of keys) out += '$' + k.length + '\r\n' + k + '\r\n';
  return out;
}

export class Tracking {
  /** key → ids of the clients that may cache it. */
  private readonly table = new Map<string, Set<number>>();
  /** Client ids over all keys of the table (INFO tracking_total_items). */
  private totalItems = 0;
  /** BCAST prefix → its state. */
  private readonly prefixTable = new Map<string, PrefixState>();
  private broadcastDue = false;
  /** Invalidations for the client whose command is running, sent after its reply (null: all keys). */
  private pending: Array<string | null> = [];
  /** Clients with tracking on (INFO tracking_clients). */
  clients = 0;
  /** tracking-table-max-keys (0: no limit). */
  maxKeys = 0;
  /** Rounds in a row the table stayed over its limit: each round tries harder. */
  private overLimitRounds = 0;

  constructor(private readonly server: Server) {
    const effects = server.keyspace.effects;
    effects.keyModifiedHooks.push((_db, key) => this.invalidateKey(key, true));
    effects.flushHooks.push(() => this.invalidateAll());
    server.beforeFlush.push(() => this.broadcast());
    server.clientResetHooks.push((c) => this.disable(c));
  }

  get totalKeys(): number {
    return this.table.size;
  }

  get totalPrefixes(): number {
    return this.prefixTable.size;
  }

  get items(): number {
    return this.totalItems;
  }

  /** enableTracking: options already validated; an enabled client keeps its BCAST prefixes and CACHING. */
  enable(c: Client, opts: TrackingOptions): void {
    let t = c.tracking;
    if (t === null) {
      t = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false, caching: false, brokenRedirect: false, prefixes: new Set() };
      c.tracking = t;
      this.clients++;
    }
    t.redirect = opts.redirect;
    t.brokenRedirect = false;
    t.bcast = opts.bcast;
    t.optin = opts.optin;
    t.optout = opts.optout;
    t.noloop = opts.noloop;
    if (opts.bcast) {
      if (opts.prefixes.length === 0) this.addPrefix(c, t, '');
      for (const p of opts.prefixes) this.addPrefix(c, t, p);
    }
  }

  private addPrefix(c: Client, t: ClientTracking, prefix: string): void {
    let state = this.prefixTable.get(prefix);
    if (state === undefined) {
      state = { keys: new Map(), clients: new Set() };
      this.prefixTable.set(prefix, state);
    }
    state.clients.add(c);
    t.prefixes.add(prefix);
  }

  /** disableTracking: CLIENT TRACKING OFF, RESET, disconnect. Its table entries go lazily. */
  disable(c: Client): void {
    const t = c.tracking;
    if (t === null) return;
    for (const prefix of t.prefixes) {
      const state = this.prefixTable.get(prefix)!;
      state.clients.delete(c);
      if (state.clients.size === 0) this.prefixTable.delete(prefix);
    }
    c.tracking = null;
    this.clients--;
  }

  /**
   * trackingRememberKeys, after a read-only command of a tracking client (not BCAST): its keys are
   * remembered unless OPTIN without CACHING YES, or OPTOUT with CACHING NO. Shard channels (the
   * keys of pub/sub commands) are not keys.
   */
  rememberKeys(c: Client, cmd: CommandEntry, argv: readonly string[]): void {
    const t = c.tracking!;
    if (t.bcast || (t.optin && !t.caching) || (t.optout && t.caching) || cmd.isPubsub) return;
    for (const { pos } of getKeys(cmd, argv)) {
      const key = argv[pos];
      let ids = this.table.get(key);
      if (ids === undefined) {
        ids = new Set();
        this.table.set(key, ids);
      }
      if (!ids.has(c.id)) {
        ids.add(c.id);
        this.totalItems++;
      }
    }
  }

  /**
   * After each request (resetClient): CLIENT CACHING lasts for the next command, or the whole
   * transaction when given before MULTI, and survives other CLIENT subcommands.
   */
  requestDone(c: Client): void {
    const t = c.tracking!;
    if (t.caching && !c.inMulti && !c.lastCommand.startsWith('client|')) t.caching = false;
  }

  /**
   * After a top-level command: the invalidations held for its client go out after its reply, and
   * the table is brought back under tracking-table-max-keys.
   */
  commandDone(c: Client): void {
    if (this.pending.length > 0) {
      const keys = this.pending;
      this.pending = [];
      if (c.tracking !== null && !c.closed) {
        for (const key of keys) this.send(c, key === null ? this.allKeys(c) : keyArray([key]));
      }
    }
    if (this.clients > 0 && this.maxKeys > 0 && this.table.size > this.maxKeys) this.limitTable();
  }

  /** trackingInvalidateKey: `key` changed (bcast) or is dropped from the table (not bcast). */
  invalidateKey(key: string, bcast: boolean): void {
    if (bcast && this.prefixTable.size > 0) this.rememberForBroadcast(key);
    if (this.table.size === 0) return;
    const ids = this.table.get(key);
    if (ids === undefined) return;
    this.table.delete(key);
    this.totalItems -= ids.size;
    const current = this.server.currentClient;
    let message: string | null = null;
    for (const id of ids) {
      const target = this.server.clients.get(id);
      if (target === undefined || target.tracking === null || target.tracking.bcast) continue;
      if (target === current) {
        if (!target.tracking.noloop) this.pending.push(key);
        continue;
      }
      this.send(target, (message ??= keyArray([key])));
    }
  }

  /** trackingInvalidateKeysOnFlush: every tracking client is told "all keys" (a null); the table empties. */
  invalidateAll(): void {
    if (this.clients > 0) {
      const current = this.server.currentClient;
      for (const c of this.server.clients.values()) {
        if (c.tracking === null) continue;
        if (c === current) this.pending.push(null);
        else this.send(c, this.allKeys(c));
      }
    }
    this.table.clear();
    this.totalItems = 0;
  }

  /** The null that stands for every key, in the tracking client's protocol (shared.null[c->resp]). */
  private allKeys(c: Client): string {
    return c.reply.resp === 3 ? '_\r\n' : '$-1\r\n';
  }

  private rememberForBroadcast(key: string): void {
    const modifier = this.server.currentClient;
    for (const [prefix, state] of this.prefixTable) {
      if (!key.startsWith(prefix)) continue;
      state.keys.set(key, modifier);
      this.broadcastDue = true;
    }
  }

  /** trackingBroadcastInvalidationMessages: once per tick, each prefix's keys to its clients. */
  private broadcast(): void {
    if (!this.broadcastDue) return;
    this.broadcastDue = false;
    const prefixes = [...this.prefixTable.keys()].sort();
    for (const prefix of prefixes) {
      const state = this.prefixTable.get(prefix);
      if (state === undefined || state.keys.size === 0) continue;
      const keys = [...state.keys.keys()].sort();
      const all = keyArray(keys);
      for (const c of state.clients) {
        if (c.tracking === null) continue;
        if (!c.tracking.noloop) {
          this.send(c, all);
          continue;
        }
        // NOLOOP: the keys this client changed itself are left out.
        const others = keys.filter((k) => state.keys.get(k) !== c);
        if (others.length > 0) this.send(c, keyArray(others));
      }
      state.keys.clear();
    }
  }

  /**
   * trackingLimitUsedSlots: drops keys until the table is within its limit, each as if it changed
   * (its clients are told). Redis picks random keys; the oldest entries go first here. The effort
   * per call grows while the table stays over the limit.
   */
  private limitTable(): void {
    let effort = 100 * (this.overLimitRounds + 1);
    for (const key of this.table.keys()) {
      if (effort-- <= 0) break;
      this.invalidateKey(key, false);
      if (this.table.size <= this.maxKeys) {
        this.overLimitRounds = 0;
        return;
      }
    }
    this.overLimitRounds++;
  }

  /**
   * sendTrackingMessage: `payload` is the RESP of the invalidated keys (an array, or a null for
   * all). It goes to the redirect client when there is one (a missing one breaks the redirect, which
   * a RESP3 client is told), as a push in RESP3, or as a __redis__:invalidate message to a RESP2
   * redirect client in pub/sub mode; a RESP2 client without redirection gets nothing.
   */
  private send(c: Client, payload: string): void {
    const t = c.tracking!;
    let target = c;
    if (t.redirect !== 0) {
      const redirect = this.server.clients.get(t.redirect);
      if (redirect === undefined) {
        t.brokenRedirect = true;
        if (c.reply.resp === 3) {
          writePush(c, '>2\r\n$21\r\ntracking-redir-broken\r\n:' + t.redirect + '\r\n');
          this.delivered(c);
        }
        return;
      }
      target = redirect;
    }
    if (target.reply.resp === 3) writePush(target, INVALIDATE_PUSH + payload);
    else if (t.redirect !== 0 && target.isPubsub) writePush(target, INVALIDATE_MESSAGE + payload);
    else return;
    this.delivered(target);
  }

  private delivered(c: Client): void {
    const pubsub = this.server.pubsub;
    if (pubsub.delivered(c)) pubsub.disconnectOverLimit(c);
  }
}
