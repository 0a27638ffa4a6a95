/*
 * Databases and key lookup.
 *
 * A Db is Redis's redisDb: `dict` maps key → value and `expires` maps key → absolute unix ms, for
 * keys with a TTL only. Every read and write of a key goes through lookupRead / lookupWrite, which
 * apply lazy expiry first (a command never sees a logically expired key) and will later touch the
 * LRU/LFU data and fault values in from the cold tier.
 *
 * Time: `now` is a snapshot taken when a command starts, so that a command (or a transaction, or a
 * script) sees one consistent clock, as Redis's cached command time.
 *
 * This module changes data but says nothing about why; the command that calls it reports the
 * change through Effects (keyChanged + propagate).
 */

import type { Value } from '../types/object.js';
import { Effects, type KeyWatcher } from './effects.js';
import { NOTIFY_EXPIRED, NOTIFY_KEY_MISS } from './notify.js';

export class Db {
  // Not readonly: SWAPDB exchanges the maps of two databases in O(1).
  dict = new Map<string, Value>();
  expires = new Map<string, number>();
  /** WATCHed keys → the clients watching them. */
  readonly watchers = new Map<string, Set<KeyWatcher>>();
  /** Average TTL of keys sampled by the active expire cycle (INFO keyspace avg_ttl). */
  avgTtl = 0;
  /** Keys clients block on → their waiters in arrival order (Redis's db->blocking_keys). */
  readonly blockingKeys = new Map<string, Set<KeyWaiter>>();
  /** Keys already queued in Keyspace.readyKeys (Redis's db->ready_keys). */
  readonly readyKeys = new Set<string>();

  constructor(public id: number) {}

  get size(): number {
    return this.dict.size;
  }
}

/** A client blocked on keys, as the blocking framework (server/blocking.ts) registers it. */
export interface KeyWaiter {
  /** `key` may have data for it now: serve it if possible; true when it was served. */
  keyReady(key: string): boolean;
}

export interface KeyspaceStats {
  expiredKeys: number;
  expiredStalePerc: number;
  expiredTimeCapReached: number;
  keyspaceHits: number;
  keyspaceMisses: number;
}

export class Keyspace {
  readonly dbs: Db[];
  readonly effects = new Effects();
  /** Command-time clock (ms). Refreshed by the dispatcher before each top-level command. */
  now = Date.now();
  /** While loading a dataset no key is expired (as Redis while loading). */
  loading = false;
  /** lazyfree-lazy-expire: expired keys are propagated as UNLINK instead of DEL. */
  lazyExpireUnlink = false;
  readonly stats: KeyspaceStats = { expiredKeys: 0, expiredStalePerc: 0, expiredTimeCapReached: 0, keyspaceHits: 0, keyspaceMisses: 0 };
  /** Keys with waiters that received data, served after the current command (server.ready_keys). */
  readyKeys: Array<{ db: Db; key: string }> = [];

  constructor(databases: number) {
    this.dbs = [];
    for (let i = 0; i < databases; i++) this.dbs.push(new Db(i));
  }

  /** The value for a read, counting hits/misses (lookupKeyRead). */
  lookupRead(db: Db, key: string): Value | undefined {
    const v = this.lookup(db, key);
    if (v === undefined) {
      this.stats.keyspaceMisses++;
      this.effects.notify(NOTIFY_KEY_MISS, 'keymiss', key, db.id);
    } else {
      this.stats.keyspaceHits++;
    }
    return v;
  }

  /** The value for a write (lookupKeyWrite): no hit/miss accounting. */
  lookupWrite(db: Db, key: string): Value | undefined {
    return this.lookup(db, key);
  }

  /** Existence without touching statistics (EXISTS, TYPE-like checks use lookupRead instead). */
  exists(db: Db, key: string): boolean {
    return this.lookup(db, key) !== undefined;
  }

  private lookup(db: Db, key: string): Value | undefined {
    if (db.expires.size !== 0 && this.expireIfNeeded(db, key)) return undefined;
    return db.dict.get(key);
  }

  /** Adds or overwrites a key. The TTL is cleared unless `keepTtl` (Redis's setKey). */
  setKey(db: Db, key: string, value: Value, keepTtl = false): void {
    db.dict.set(key, value);
    if (!keepTtl && db.expires.size !== 0) db.expires.delete(key);
    // A collection stored where clients wait may serve them (Redis signals from dbAdd).
    if (db.blockingKeys.size !== 0 && typeof value === 'object') this.signalKeyAsReady(db, key);
  }

  /**
   * Queues a key that may serve blocked clients, once per key until served (signalKeyAsReady).
   * Writers that add data without storing a new value (e.g. XADD to an existing stream) call it.
   */
  signalKeyAsReady(db: Db, key: string): void {
    if (!db.blockingKeys.has(key) || db.readyKeys.has(key)) return;
    db.readyKeys.add(key);
    this.readyKeys.push({ db, key });
  }

  /** Removes a key and its TTL; true when it existed. */
  delete(db: Db, key: string): boolean {
    if (!db.dict.delete(key)) return false;
    if (db.expires.size !== 0) db.expires.delete(key);
    return true;
  }

  /** Absolute expiry in ms, or -1 when the key has none. */
  getExpire(db: Db, key: string): number {
    const when = db.expires.get(key);
    return when === undefined ? -1 : when;
  }

  setExpire(db: Db, key: string, when: number): void {
    db.expires.set(key, when);
  }

  /** True when a TTL was removed. */
  removeExpire(db: Db, key: string): boolean {
    return db.expires.delete(key);
  }

  isExpired(db: Db, key: string): boolean {
    if (this.loading) return false;
    const when = db.expires.get(key);
    return when !== undefined && this.now > when;
  }

  /**
   * Lazy expiry: deletes the key when its time has passed, reporting the deletion as Redis does
   * (notification "expired", WATCH touched, DEL or UNLINK propagated). True when it expired.
   */
  expireIfNeeded(db: Db, key: string): boolean {
    if (!this.isExpired(db, key)) return false;
    this.deleteExpired(db, key);
    return true;
  }

  /** Removes an expired key with its effects (shared by lazy and active expiry). */
  deleteExpired(db: Db, key: string): void {
    this.delete(db, key);
    this.stats.expiredKeys++;
    this.effects.notify(NOTIFY_EXPIRED, 'expired', key, db.id);
    this.effects.touchWatchedKey(db, key);
    this.effects.propagate(db.id, [this.lazyExpireUnlink ? 'UNLINK' : 'DEL', key]);
  }

  /** Empties one database; returns the number of keys removed. */
  flushDb(db: Db): number {
    const n = db.dict.size;
    db.dict.clear();
    db.expires.clear();
    db.avgTtl = 0;
    return n;
  }

  /** SWAPDB: the contents move, the Db objects (and their watchers) stay in place. */
  swap(a: Db, b: Db): void {
    [a.dict, b.dict] = [b.dict, a.dict];
    [a.expires, b.expires] = [b.expires, a.expires];
    [a.avgTtl, b.avgTtl] = [b.avgTtl, a.avgTtl];
  }

  /** Total keys over all databases. */
  keyCount(): number {
    let n = 0;
    for (const db of this.dbs) n += db.dict.size;
    return n;
  }
}
