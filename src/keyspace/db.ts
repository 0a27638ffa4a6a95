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
 *
 * Walking the keyspace (SCAN cursors, RANDOMKEY sampling) lives here too, so that the cold tier can
 * extend it in one place.
 */

import type { Value } from '../types/object.js';
import { Effects, type KeyWatcher } from './effects.js';
import { NOTIFY_EXPIRED, NOTIFY_KEY_MISS, NOTIFY_NEW } from './notify.js';

export class Db {
  // Not readonly: SWAPDB exchanges the maps of two databases in O(1).
  dict = new Map<string, Value>();
  expires = new Map<string, number>();
  /** WATCHed keys → the clients watching them. */
  readonly watchers = new Map<string, Set<KeyWatcher>>();
  /** Average TTL of keys sampled by the active expire cycle (INFO keyspace avg_ttl). */
  avgTtl = 0;
  /** RANDOMKEY's walk over a large dict (see Keyspace.randomKey); reset when the dict is replaced. */
  sampler: Iterator<string> | null = null;

  constructor(public id: number) {}

  get size(): number {
    return this.dict.size;
  }
}

/**
 * Told before any key changes (copy-before-write for a snapshot in progress): a write, a TTL
 * change, a deletion or an expiry of `key`; and before whole databases are replaced or emptied.
 */
export interface ChangeObserver {
  beforeChange(db: number, key: string): void;
  beforeReplaceAll(): void;
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
  private readonly scans = new ScanCursors();
  /** Command-time clock (ms). Refreshed by the dispatcher before each top-level command. */
  now = Date.now();
  /** While loading a dataset no key is expired (as Redis while loading). */
  loading = false;
  /** lazyfree-lazy-expire: expired keys are propagated as UNLINK instead of DEL. */
  lazyExpireUnlink = false;
  /** During CLIENT PAUSE expired keys read as missing but are not deleted (nothing propagates). */
  expirePaused = false;
  readonly stats: KeyspaceStats = { expiredKeys: 0, expiredStalePerc: 0, expiredTimeCapReached: 0, keyspaceHits: 0, keyspaceMisses: 0 };

  constructor(databases: number) {
    this.dbs = [];
    for (let i = 0; i < databases; i++) this.dbs.push(new Db(i));
  }

  /**
   * The value for a read, counting hits/misses (lookupKeyRead). `notifyMiss` false is Redis's
   * LOOKUP_NONOTIFY (OBJECT): no "keymiss" event.
   */
  lookupRead(db: Db, key: string, notifyMiss = true): Value | undefined {
    const v = this.lookup(db, key);
    if (v === undefined) {
      this.stats.keyspaceMisses++;
      if (notifyMiss) this.effects.notify(NOTIFY_KEY_MISS, 'keymiss', key, db.id);
    } else {
      this.stats.keyspaceHits++;
    }
    return v;
  }

  /** A snapshot in progress; told before every change. */
  observer: ChangeObserver | null = null;

  /**
   * The value for a write (lookupKeyWrite): no hit/miss accounting. Every in-place change of a
   * collection starts here, so this is where a snapshot copies the value before it changes.
   */
  lookupWrite(db: Db, key: string): Value | undefined {
    if (this.observer !== null) this.observer.beforeChange(db.id, key);
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

  /**
   * Adds or overwrites a key. The TTL is cleared unless `keepTtl` (Redis's setKey). A key that did
   * not exist is announced with a "new" event, as Redis's dbAdd (not while loading a dataset).
   */
  setKey(db: Db, key: string, value: Value, keepTtl = false): void {
    if (this.observer !== null) this.observer.beforeChange(db.id, key);
    const size = db.dict.size;
    db.dict.set(key, value);
    if (db.dict.size > size && !this.loading) this.effects.notify(NOTIFY_NEW, 'new', key, db.id);
    if (!keepTtl && db.expires.size !== 0) db.expires.delete(key);
  }

  /** Removes a key and its TTL; true when it existed. */
  delete(db: Db, key: string): boolean {
    if (this.observer !== null) this.observer.beforeChange(db.id, key);
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
    if (this.observer !== null) this.observer.beforeChange(db.id, key);
    db.expires.set(key, when);
  }

  /** True when a TTL was removed. */
  removeExpire(db: Db, key: string): boolean {
    if (this.observer !== null) this.observer.beforeChange(db.id, key);
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
    if (this.expirePaused) return true;
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

  /**
   * Moves `from` of `src` (which must exist) to `to` of `dst` (which must be absent), with its TTL:
   * RENAME and MOVE. The value object itself moves, no copy.
   */
  moveKey(src: Db, from: string, dst: Db, to: string): void {
    const value = src.dict.get(from)!;
    const when = src.expires.get(from);
    this.delete(src, from);
    if (this.observer !== null) this.observer.beforeChange(dst.id, to);
    dst.dict.set(to, value);
    if (when !== undefined) dst.expires.set(to, when);
  }

  /**
   * Adds `to` to `dst` (it must be absent) as a copy of `from` of `src` with its TTL: COPY.
   * Strings are immutable JS values and are shared; collections are deep-copied.
   */
  copyKey(src: Db, from: string, dst: Db, to: string): void {
    const value = src.dict.get(from)!;
    const when = src.expires.get(from);
    if (this.observer !== null) this.observer.beforeChange(dst.id, to);
    dst.dict.set(to, typeof value === 'object' ? value.clone() : value);
    if (when !== undefined) dst.expires.set(to, when);
  }

  /**
   * A random live key (dbRandomKey), or undefined when the db is empty. Expired keys met on the way
   * are deleted (with their effects) and another is drawn, so this ends when every key expired.
   */
  randomKey(db: Db): string | undefined {
    for (;;) {
      const key = this.sampleKey(db);
      if (key === undefined || !this.expireIfNeeded(db, key)) return key;
    }
  }

  /**
   * A JS Map cannot be indexed, so picking a key uniformly costs a walk to a random position. That
   * is done for small dicts; a large one keeps a walk going (Db.sampler) and advances it by a random
   * stride of 1..n/SAMPLE_STRIDES keys per draw, wrapping at the end. Every key is as likely over
   * time, consecutive draws follow insertion order; the cost stays about n/(2*SAMPLE_STRIDES) steps.
   */
  private sampleKey(db: Db): string | undefined {
    const n = db.dict.size;
    if (n === 0) return undefined;
    if (n <= EXACT_SAMPLE_MAX) {
      let skip = Math.floor(Math.random() * n);
      for (const key of db.dict.keys()) if (skip-- === 0) return key;
    }
    let steps = 1 + Math.floor(Math.random() * Math.ceil(n / SAMPLE_STRIDES));
    let walk = db.sampler ?? db.dict.keys();
    let key: string | undefined;
    while (steps > 0) {
      const step = walk.next();
      if (step.done) {
        walk = db.dict.keys();
        continue;
      }
      key = step.value;
      steps--;
    }
    db.sampler = walk;
    return key;
  }

  /** One SCAN call over the keys of `db`; see ScanCursors. */
  scan(db: Db, cursor: number, count: number, out: string[]): number {
    return this.scans.step(db, cursor, count, out);
  }

  /** Empties one database; returns the number of keys removed. */
  flushDb(db: Db): number {
    if (this.observer !== null) this.observer.beforeReplaceAll();
    const n = db.dict.size;
    db.dict.clear();
    db.expires.clear();
    db.avgTtl = 0;
    this.dropWalks(db);
    return n;
  }

  /** SWAPDB: the contents move, the Db objects (and their watchers) stay in place. */
  swap(a: Db, b: Db): void {
    if (this.observer !== null) this.observer.beforeReplaceAll();
    [a.dict, b.dict] = [b.dict, a.dict];
    [a.expires, b.expires] = [b.expires, a.expires];
    [a.avgTtl, b.avgTtl] = [b.avgTtl, a.avgTtl];
    this.dropWalks(a);
    this.dropWalks(b);
  }

  /**
   * Forgets the walks over a db whose contents went away, so that no idle SCAN cursor or sampler
   * keeps the old entries alive. A SCAN cursor dropped here restarts when used (see ScanCursors).
   */
  private dropWalks(db: Db): void {
    db.sampler = null;
    this.scans.forget(db);
  }

  /** Total keys over all databases. */
  keyCount(): number {
    let n = 0;
    for (const db of this.dbs) n += db.dict.size;
    return n;
  }
}

/** Dicts up to this size are sampled exactly (uniform pick by walking to a random position). */
const EXACT_SAMPLE_MAX = 1024;
/** A large dict's sampling walk covers it in about 2 * SAMPLE_STRIDES draws. */
const SAMPLE_STRIDES = 128;
/** Live SCAN cursors kept at most; the least recently used one is dropped beyond. */
const SCAN_CURSOR_LIMIT = 4096;

interface ScanWalk {
  db: Db;
  /** The dict walked: SWAPDB moves dicts between dbs, and a walk belongs to one dict. */
  dict: Map<string, Value>;
  keys: Iterator<string>;
  /** The next key, read ahead to know whether the walk is over; re-checked when returned. */
  pending: string | undefined;
}

/**
 * SCAN cursors.
 *
 * Redis's cursor is a position in its hash table, stateless on the server. A JS Map has no position
 * one can name, but its iterators are live: they survive inserts, deletes and rehashing, visit
 * every entry that is not deleted before they reach it (entries added meanwhile included), and
 * never visit an entry twice unless it was deleted and re-added. So a cursor here is the name of a
 * live iterator kept in a bounded table:
 *
 *   - cursor 0 starts a walk; the reply carries a fresh name for the rest of it, or 0 at the end.
 *   - a name is used once: the call that presents it retires it and issues a new one. Names come
 *     from a counter that starts at a random point and never repeats within a process.
 *   - a name that is unknown (never issued, already used, dropped by the bound or by FLUSHDB /
 *     SWAPDB, from another db, from an earlier process, or beyond 2^53) starts a new walk. Any
 *     unsigned 64-bit cursor is thus accepted, as in Redis.
 *
 * The guarantee holds in every case: a key present from the first call to the last is returned.
 * A walk that continues sees it (iterator semantics); a walk that restarts is a complete walk that
 * still lies within the iteration. The price of a restart is duplicates, which SCAN allows. A
 * presented name being retired also makes a repeated call (a retry, or two callers forking one
 * iteration) safe: the repeat restarts instead of silently skipping what the first call returned.
 * Progress needs fewer than SCAN_CURSOR_LIMIT iterations in flight at once: beyond, the idlest are
 * dropped and restart.
 *
 * Later, the cold tier adds a second phase to a walk: after the Map, the cold keys in LMDB order,
 * resumed from the last cold key returned (keys that move between tiers mid-walk must be covered
 * there).
 */
export class ScanCursors {
  private readonly walks = new Map<number, ScanWalk>();
  private nextName = 1 + Math.floor(Math.random() * 2 ** 52);

  constructor(private readonly limit = SCAN_CURSOR_LIMIT) {}

  /** Appends up to `count` keys of `db` to `out`; returns the cursor to continue with, 0 at the end. */
  step(db: Db, cursor: number, count: number, out: string[]): number {
    let walk = cursor === 0 ? undefined : this.walks.get(cursor);
    if (walk !== undefined) this.walks.delete(cursor);
    if (walk === undefined || walk.db !== db || walk.dict !== db.dict) {
      walk = { db, dict: db.dict, keys: db.dict.keys(), pending: undefined };
    }
    let n = 0;
    if (walk.pending !== undefined && db.dict.has(walk.pending)) {
      out.push(walk.pending);
      n++;
    }
    for (; n < count; n++) {
      const step = walk.keys.next();
      if (step.done) return 0;
      out.push(step.value);
    }
    const ahead = walk.keys.next();
    if (ahead.done) return 0;
    walk.pending = ahead.value;
    return this.issue(walk);
  }

  /** Drops every walk over `db` (its contents were flushed or swapped away). */
  forget(db: Db): void {
    for (const [name, walk] of this.walks) if (walk.db === db) this.walks.delete(name);
  }

  private issue(walk: ScanWalk): number {
    const name = this.nextName;
    this.nextName = name >= Number.MAX_SAFE_INTEGER ? 1 : name + 1;
    this.walks.set(name, walk);
    if (this.walks.size > this.limit) {
      // Map order is insertion order and a used walk is re-inserted: the first is the idlest.
      const idlest = this.walks.keys().next().value!;
      this.walks.delete(idlest);
    }
    return name;
  }
}
