/*
 * Databases and key lookup.
 *
 * A Db is Redis's redisDb: `dict` maps key → value and `expires` maps key → absolute unix ms, for
 * keys with a TTL only. Every read and write of a key goes through lookupRead / lookupWrite, which
 * apply lazy expiry first (a command never sees a logically expired key), then touch the key's
 * LRU/LFU data (access.ts); later they will fault values in from the cold tier.
 *
 * Access data: `Db.access` maps every key to its 24-bit LRU/LFU stamp, a small integer, so a key
 * costs one more Map entry (~40 bytes) and no object. A parallel Map rather than a field next to
 * the value because string values are bare JS strings/numbers: wrapping each in an object would
 * cost more (~40 bytes) and touch every reader of the dict.
 *
 * Memory accounting: `Db.used` is the sum, over its keys, of keyBytes(key) + the value's estimate
 * (+ EXPIRE_BYTES with a TTL), kept by the calls below. A string's estimate follows from its
 * length; a collection keeps its own current estimate (memoryBytes(), O(1)) and remembers what was
 * counted for it (accountedBytes). Since every in-place change starts with lookupWrite, that call
 * (and setKey, as a new collection is often filled after it is stored) records the collection as
 * possibly changed, and settleMemory() (after every top-level command,
 * and before used memory is read) adds the difference for those still stored under their key.
 * A collection deleted or moved meanwhile was settled by delete/moveKey themselves.
 *
 * Time: `now` is a snapshot taken when a command starts, so that a command (or a transaction, or a
 * script) sees one consistent clock, as Redis's cached command time.
 *
 * This module changes data but says nothing about why; the command that calls it reports the
 * change through Effects (keyChanged + propagate).
 *
 * Walking the keyspace (SCAN cursors, RANDOMKEY sampling) lives here too, over both tiers.
 *
 * Cold tier (tier.ts): eviction may demote a key (value, TTL, access stamp) to LMDB; it then leaves
 * every Map here and only Db.coldKeys counts it. Every entry point that reads or changes a key
 * first brings a cold key back (faultIn → promote), so the code below and every command see one
 * keyspace; a promotion happens before the snapshot observer is told of a change, which the
 * snapshot walker relies on. Moving between tiers is not a change: no event, no propagation. One
 * exception, for reads only: lookupRead serves a cold string without TTL from disk, leaving it
 * there, unless it was read recently (ColdTier.readInPlace); nothing changes, so nothing else sees it.
 */

import { stringEncoding, type CollectionObject, type Value } from '../types/object.js';
import { MAP_ENTRY_BYTES, numberBytes, stringBytes } from '../types/heapsize.js';
import { idleTimeMs, lfuCounter, lfuInit, lfuTouch, lfuWithCounter, lruClock, lruWithIdle, type LfuParams } from './access.js';
import { Effects, type KeyWatcher } from './effects.js';
import { NOTIFY_EXPIRED, NOTIFY_KEY_MISS, NOTIFY_NEW } from './notify.js';
import { HashObject } from '../types/hash.js';
import { trackFieldExpiry } from './field-expire.js';
import type { ColdTier } from './tier.js';

export class Db {
  // Not readonly: SWAPDB exchanges the maps of two databases in O(1).
  dict = new Map<string, Value>();
  expires = new Map<string, number>();
  /** Key → LRU/LFU stamp (see the file comment and access.ts). */
  access = new Map<string, number>();
  /** Estimated bytes of the keys and values (see the file comment). */
  used = 0;
  /**
   * Keys whose short string was changed in place (see Keyspace.markRaw): OBJECT ENCODING says
   * "raw" for them. Dropped when the key's value is replaced or the key goes.
   */
  rawStrings = new Set<string>();
  /** WATCHed keys → the clients watching them. */
  readonly watchers = new Map<string, Set<KeyWatcher>>();
  /** Average TTL of keys sampled by the active expire cycle (INFO keyspace avg_ttl). */
  avgTtl = 0;
  /** RANDOMKEY's walk over a large dict (see Keyspace.randomKey); reset when the dict is replaced. */
  sampler: Iterator<string> | null = null;
  /** Keys clients block on → their waiters in arrival order (Redis's db->blocking_keys). */
  readonly blockingKeys = new Map<string, Set<KeyWaiter>>();
  /** Keys already queued in Keyspace.readyKeys (Redis's db->ready_keys). */
  readonly readyKeys = new Set<string>();

  /** This db's namespace in the cold tier: SWAPDB trades namespaces instead of moving records. */
  coldSpace: number;
  /** Keys of this db in the cold tier, those of them with a TTL, and their bytes on disk. */
  coldKeys = 0;
  coldVolatile = 0;
  coldBytes = 0;

  constructor(public id: number) {
    this.coldSpace = id;
  }

  /** Keys in both tiers (logically expired ones included, as Redis's dictSize). */
  get size(): number {
    return this.dict.size + this.coldKeys;
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
  /** An LFU maxmemory-policy is selected: access stamps are LFU counters, else LRU clocks. */
  lfu = false;
  /**
   * Keep access stamps for every key: only while maxmemory or an evicting maxmemory-policy is set,
   * as nothing else needs them and the parallel Map costs ~40 bytes a key. Otherwise only stamps set explicitly (RESTORE IDLETIME
   * or FREQ, an RDB's IDLE/FREQ) are kept and updated; OBJECT IDLETIME reports 0 for the rest.
   */
  trackAccess = false;
  /** lfu-log-factor and lfu-decay-time. */
  readonly lfuParams: LfuParams = { logFactor: 10, decayTime: 1 };
  /** Collections handed out by lookupWrite since the last settleMemory (parallel arrays). */
  private readonly changedDbs: Array<Db | null> = [];
  private readonly changedKeys: string[] = [];
  private readonly changedValues: Array<CollectionObject | null> = [];
  /**
   * Entries in use in the arrays above. They are reused, never truncated: setting an array's
   * length is a slow runtime call and makes the next push grow it again, once per command.
   */
  private changedCount = 0;
  /** Keys with waiters that received data, served after the current command (server.ready_keys). */
  readyKeys: Array<{ db: Db; key: string }> = [];
  /** The cold tier; null in a keyspace without one (unit tests). */
  cold: ColdTier | null = null;

  constructor(databases: number) {
    this.dbs = [];
    for (let i = 0; i < databases; i++) this.dbs.push(new Db(i));
  }

  /**
   * The value for a read, counting hits/misses (lookupKeyRead). `track` false is Redis's
   * LOOKUP_NOTOUCH | LOOKUP_NONOTIFY (OBJECT): access data untouched, no "keymiss" event.
   */
  lookupRead(db: Db, key: string, track = true): Value | undefined {
    // A cold string without TTL is read where it is (ColdTier.readInPlace; null: no such key). Not
    // for OBJECT (track false), which reads the key's access data in memory.
    const cold = track && db.coldKeys !== 0 && !db.dict.has(key) ? this.cold!.readInPlace(db, key) : undefined;
    const v = cold === undefined ? this.lookup(db, key) : (cold ?? undefined);
    if (v === undefined) {
      this.stats.keyspaceMisses++;
      if (track) this.effects.notify(NOTIFY_KEY_MISS, 'keymiss', key, db.id);
    } else {
      this.stats.keyspaceHits++;
      if (track && cold === undefined) this.touch(db, key);
    }
    return v;
  }

  /** Updates the key's access stamp on a lookup (Redis's lookupKey: LRU clock or updateLFU). */
  private touch(db: Db, key: string): void {
    if (!this.trackAccess && (db.access.size === 0 || !db.access.has(key))) return;
    if (!this.lfu) db.access.set(key, lruClock(this.now));
    else db.access.set(key, lfuTouch(db.access.get(key) ?? lfuInit(this.now), this.now, this.lfuParams));
  }

  /** Idle seconds of an access stamp (a cold key's, in a snapshot). */
  idleSecondsOf(stamp: number): number {
    return Math.floor(idleTimeMs(stamp, this.now) / 1000);
  }

  /** The decayed LFU counter of an access stamp. */
  frequencyOf(stamp: number): number {
    return lfuCounter(stamp, this.now, this.lfuParams.decayTime);
  }

  /** The access stamp of a stored key (OBJECT IDLETIME/FREQ, eviction, snapshots). */
  accessStamp(db: Db, key: string): number {
    return db.access.get(key) ?? (this.lfu ? lfuInit(this.now) : lruClock(this.now));
  }

  /**
   * objectSetLRUOrLFU: RESTORE's IDLETIME/FREQ and an RDB's IDLE/FREQ (-1 when absent). Only the
   * one the current policy tracks applies.
   */
  restoreAccess(db: Db, key: string, idleSeconds: number, freq: number): void {
    if (this.lfu) {
      if (freq >= 0) db.access.set(key, lfuWithCounter(freq, this.now));
    } else if (idleSeconds >= 0) {
      db.access.set(key, lruWithIdle(idleSeconds, this.now));
    }
  }

  /** Idle seconds of a stored key (OBJECT IDLETIME, an RDB's IDLE opcode). */
  idleSeconds(db: Db, key: string): number {
    return this.idleSecondsOf(this.accessStamp(db, key));
  }

  /** The decayed LFU counter of a stored key (OBJECT FREQ, an RDB's FREQ opcode). */
  frequency(db: Db, key: string): number {
    return this.frequencyOf(this.accessStamp(db, key));
  }

  /** A snapshot in progress; told before every change. */
  observer: ChangeObserver | null = null;

  /**
   * The value for a write (lookupKeyWrite): no hit/miss accounting. Every in-place change of a
   * collection starts here, so this is where a snapshot copies the value before it changes.
   */
  lookupWrite(db: Db, key: string): Value | undefined {
    this.faultIn(db, key);
    if (this.observer !== null) this.observer.beforeChange(db.id, key);
    const v = this.lookup(db, key);
    if (v !== undefined) {
      this.touch(db, key);
      if (typeof v === 'object') this.noteChanging(db, key, v);
    }
    return v;
  }

  private noteChanging(db: Db, key: string, v: CollectionObject): void {
    const n = this.changedCount++;
    this.changedDbs[n] = db;
    this.changedKeys[n] = key;
    this.changedValues[n] = v;
  }

  /** Counts the growth or shrinkage of collections changed in place (see the file comment). */
  settleMemory(): void {
    const values = this.changedValues;
    const dbs = this.changedDbs;
    for (let i = 0; i < this.changedCount; i++) {
      const db = dbs[i]!;
      const v = values[i]!;
      // Released, so that a deleted collection is not kept alive by its slot.
      dbs[i] = null;
      values[i] = null;
      if (db.dict.get(this.changedKeys[i]) !== v) continue;
      const bytes = v.memoryBytes();
      db.used += bytes - v.accountedBytes;
      v.accountedBytes = bytes;
    }
    this.changedCount = 0;
  }

  /** True when collections changed in place wait for settleMemory. */
  get memoryUnsettled(): boolean {
    return this.changedCount !== 0;
  }

  /** Estimated bytes of every database's keys and values. */
  datasetBytes(): number {
    this.settleMemory();
    let n = 0;
    for (const db of this.dbs) n += db.used;
    return n;
  }

  /** Whether `key` is stored in either tier, without bringing it back or expiring it (WATCH on FLUSHDB/SWAPDB). */
  readonly holds = (db: Db, key: string): boolean => db.dict.has(key) || (db.coldKeys !== 0 && this.cold!.has(db, key));

  /** Existence without touching statistics (EXISTS, TYPE-like checks use lookupRead instead). */
  exists(db: Db, key: string): boolean {
    return this.lookup(db, key) !== undefined;
  }

  private lookup(db: Db, key: string): Value | undefined {
    this.faultIn(db, key);
    if (db.expires.size !== 0 && this.expireIfNeeded(db, key)) return undefined;
    return db.dict.get(key);
  }

  /**
   * The stored value without expiry, statistics or access data (MEMORY USAGE, DEBUG OBJECT); a
   * cold key is brought back first.
   */
  storedValue(db: Db, key: string): Value | undefined {
    this.faultIn(db, key);
    return db.dict.get(key);
  }

  /** Brings `key` back from the cold tier when it is there (see the file comment). */
  private faultIn(db: Db, key: string): void {
    if (db.coldKeys !== 0 && !db.dict.has(key)) this.promote(db, key);
  }

  /** Moves a cold key into memory as it was demoted: value, TTL and access stamp. */
  private promote(db: Db, key: string): void {
    const back = this.cold!.take(db, key);
    if (back === undefined) return;
    const value = back.value;
    db.dict.set(key, value);
    db.used += keyBytes(key) + account(value);
    if (back.expire >= 0) {
      db.expires.set(key, back.expire);
      db.used += EXPIRE_BYTES;
    }
    if (this.trackAccess) db.access.set(key, back.stamp);
    if (value instanceof HashObject && value.supportsTtls) trackFieldExpiry(db, key, value);
    this.scans.notePromoted(db, key, this);
  }

  /** The estimated bytes a stored key frees when it leaves memory. */
  entryBytes(db: Db, key: string): number {
    const v = db.dict.get(key);
    if (v === undefined) return 0;
    return keyBytes(key) + accountedBytes(v) + (db.expires.has(key) ? EXPIRE_BYTES : 0);
  }

  /**
   * Moves stored keys of `db` to the cold tier (eviction), in one disk transaction; false when the
   * tier refused them (full, or an error), and then they all stay in memory.
   */
  demote(db: Db, keys: readonly string[]): boolean {
    const entries = keys.map((key) => {
      // A snapshot in progress writes the key now: its walk only finds keys in memory or in the tier's view at the cut.
      if (this.observer !== null) this.observer.beforeChange(db.id, key);
      return { key, value: db.dict.get(key)!, expire: db.expires.get(key) ?? -1, stamp: this.accessStamp(db, key) };
    });
    if (!this.cold!.write(db, entries)) return false;
    for (const { key, value } of entries) {
      db.dict.delete(key);
      db.access.delete(key);
      // Back from the tier, a string is as RESTORE would make it.
      db.rawStrings.delete(key);
      db.used -= keyBytes(key) + accountedBytes(value);
      if (db.expires.size !== 0 && db.expires.delete(key)) db.used -= EXPIRE_BYTES;
    }
    return true;
  }

  /**
   * Adds a key read from an RDB file or an RDB base (Redis's dbAddRDBLoad). The key is expected to
   * be new: one Map operation instead of setKey's lookup and store, which is most of a large
   * file's load time. Returns false when the key already existed: the file is corrupt, and the
   * caller abandons the load (the old value is then overwritten and its memory miscounted).
   */
  loadKey(db: Db, key: string, value: Value): boolean {
    if (db.coldKeys !== 0 || this.observer !== null) {
      if (this.exists(db, key)) return false;
      this.setKey(db, key, value);
      return true;
    }
    const dict = db.dict;
    const size = dict.size;
    dict.set(key, value);
    if (dict.size === size) return false;
    db.used += keyBytes(key) + account(value);
    if (this.trackAccess) db.access.set(key, this.lfu ? lfuInit(this.now) : lruClock(this.now));
    return true;
  }

  /**
   * Adds or overwrites a key. The TTL is cleared unless `keepTtl` (Redis's setKey). A key that did
   * not exist is announced with a "new" event, as Redis's dbAdd (not while loading a dataset).
   */
  setKey(db: Db, key: string, value: Value, keepTtl = false): void {
    this.faultIn(db, key);
    this.overwrite(db, key, db.dict.get(key), value);
    if (!keepTtl && db.expires.size !== 0 && db.expires.delete(key)) db.used -= EXPIRE_BYTES;
  }

  /**
   * Stores `value` at a key the caller has just read with lookupWrite (`old` is what that returned,
   * undefined when the key is absent), keeping its TTL (Redis's dbOverwrite): setKey without
   * looking the key up again.
   */
  overwrite(db: Db, key: string, old: Value | undefined, value: Value): void {
    if (this.observer !== null) this.observer.beforeChange(db.id, key);
    db.dict.set(key, value);
    if (db.rawStrings.size !== 0) db.rawStrings.delete(key);
    if (old === undefined) {
      if (!this.loading) this.effects.notify(NOTIFY_NEW, 'new', key, db.id);
      db.used += keyBytes(key);
      if (this.trackAccess) db.access.set(key, this.lfu ? lfuInit(this.now) : lruClock(this.now));
    } else {
      db.used -= accountedBytes(old);
      // A new object in Redis: a fresh LRU clock; LFU keeps the old counter (dbOverwrite).
      if (!this.lfu && (this.trackAccess || db.access.has(key))) db.access.set(key, lruClock(this.now));
    }
    db.used += account(value);
    // Commands often store a new collection first and fill it after.
    if (typeof value === 'object') this.noteChanging(db, key, value);
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

  /**
   * A string changed in place, by APPEND, SETRANGE, SETBIT, BITFIELD, BITOP or a HyperLogLog
   * command (Redis's dbUnshareStringValue, or a value made with createObject): Redis then reports
   * it "raw" whatever its length. Only a value that would not read "raw" anyway is remembered.
   */
  markRaw(db: Db, key: string): void {
    const v = db.dict.get(key);
    if (v !== undefined && typeof v !== 'object' && stringEncoding(v) !== 'raw') db.rawStrings.add(key);
  }

  /** OBJECT ENCODING of a stored string: "raw" after markRaw, else by its content. */
  stringEncoding(db: Db, key: string, v: string | number): string {
    return this.isRaw(db, key) ? 'raw' : stringEncoding(v);
  }

  private isRaw(db: Db, key: string): boolean {
    return db.rawStrings.size !== 0 && db.rawStrings.has(key);
  }

  /** Removes a key and its TTL; true when it existed. */
  delete(db: Db, key: string): boolean {
    this.faultIn(db, key);
    if (this.observer !== null) this.observer.beforeChange(db.id, key);
    const old = db.dict.get(key);
    if (old === undefined) return false;
    db.dict.delete(key);
    db.access.delete(key);
    if (db.rawStrings.size !== 0) db.rawStrings.delete(key);
    db.used -= keyBytes(key) + accountedBytes(old);
    if (db.expires.size !== 0 && db.expires.delete(key)) db.used -= EXPIRE_BYTES;
    // Waiters learn that the key went (XREADGROUP answers UNBLOCKED; list pops keep waiting).
    if (db.blockingKeys.size !== 0) this.signalKeyAsReady(db, key);
    return true;
  }

  /** Absolute expiry in ms, or -1 when the key has none. */
  getExpire(db: Db, key: string): number {
    const when = db.expires.get(key);
    return when === undefined ? -1 : when;
  }

  setExpire(db: Db, key: string, when: number): void {
    this.faultIn(db, key);
    if (this.observer !== null) this.observer.beforeChange(db.id, key);
    const before = db.expires.size;
    db.expires.set(key, Math.min(when, MAX_STORED_EXPIRE));
    if (db.expires.size !== before) db.used += EXPIRE_BYTES;
  }

  /** True when a TTL was removed. */
  removeExpire(db: Db, key: string): boolean {
    this.faultIn(db, key);
    if (this.observer !== null) this.observer.beforeChange(db.id, key);
    if (!db.expires.delete(key)) return false;
    db.used -= EXPIRE_BYTES;
    return true;
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
    this.reportExpired(db, key);
  }

  /**
   * Active expiry of a cold key (ColdTier.nextExpired): its record goes unread, with the effects of
   * any expiry. A snapshot in progress still needs the value as of its cut, which only a promotion
   * gives it (see the file comment): then it is deleted as a key in memory.
   */
  deleteExpiredCold(db: Db, key: string): void {
    if (this.observer !== null) {
      this.deleteExpired(db, key);
      return;
    }
    this.cold!.discard(db, key);
    if (db.blockingKeys.size !== 0) this.signalKeyAsReady(db, key);
    this.reportExpired(db, key);
  }

  private reportExpired(db: Db, key: string): void {
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
    this.faultIn(src, from);
    this.faultIn(dst, to);
    const value = src.dict.get(from)!;
    const when = src.expires.get(from);
    const stamp = this.trackAccess || src.access.has(from) ? this.accessStamp(src, from) : -1;
    const raw = this.isRaw(src, from);
    this.delete(src, from);
    if (this.observer !== null) this.observer.beforeChange(dst.id, to);
    dst.dict.set(to, value);
    if (raw) dst.rawStrings.add(to);
    // The same object moves, with its access data (Redis's RENAME and MOVE keep the robj).
    if (stamp >= 0) dst.access.set(to, stamp);
    dst.used += keyBytes(to) + account(value);
    if (when !== undefined) {
      dst.expires.set(to, when);
      dst.used += EXPIRE_BYTES;
    }
  }

  /**
   * Adds `to` to `dst` (it must be absent) as a copy of `from` of `src` with its TTL: COPY.
   * Strings are immutable JS values and are shared; collections are deep-copied.
   */
  copyKey(src: Db, from: string, dst: Db, to: string): void {
    this.faultIn(src, from);
    this.faultIn(dst, to);
    const value = src.dict.get(from)!;
    const when = src.expires.get(from);
    if (this.observer !== null) this.observer.beforeChange(dst.id, to);
    const copy = typeof value === 'object' ? value.clone() : value;
    dst.dict.set(to, copy);
    // dupStringObject keeps a raw string raw.
    if (this.isRaw(src, from)) dst.rawStrings.add(to);
    if (this.trackAccess) dst.access.set(to, this.lfu ? lfuInit(this.now) : lruClock(this.now));
    dst.used += keyBytes(to) + account(copy);
    if (when !== undefined) {
      dst.expires.set(to, when);
      dst.used += EXPIRE_BYTES;
    }
  }

  /**
   * A random live key (dbRandomKey), or undefined when the db is empty. Expired keys met on the way
   * are deleted (with their effects) and another is drawn, so this ends when every key expired.
   */
  randomKey(db: Db): string | undefined {
    for (;;) {
      const key = this.drawKey(db);
      if (key === undefined) return undefined;
      // A cold key is brought back by the lookup, which also expires it when its time has passed.
      if (db.dict.has(key) ? !this.expireIfNeeded(db, key) : this.lookup(db, key) !== undefined) return key;
    }
  }

  /** A key of either tier, each tier drawn in proportion to its size. */
  private drawKey(db: Db): string | undefined {
    if (db.coldKeys !== 0 && Math.random() * db.size >= db.dict.size) return this.cold!.randomKey(db);
    return this.sampleKey(db);
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
    return this.scans.step(db, db.dict, cursor, count, out, this);
  }

  /**
   * Up to `limit` cold keys of `db` after position `at` (null: the start) that are not logically
   * expired, appended to `out`; the position to continue from, null at the end (SCAN, KEYS).
   */
  coldKeysAfter(db: Db, at: Buffer | null, limit: number, out: string[]): Buffer | null {
    if (db.coldKeys === 0) return null;
    return this.cold!.keysAfter(db, at, limit, this.loading ? -Infinity : this.now, out);
  }

  /** True when a walk of the cold keys standing at `at` has not yet passed `key`. */
  coldAhead(db: Db, key: string, at: Buffer | null): boolean {
    return this.cold!.ahead(db, key, at);
  }

  /**
   * One ZSCAN-style call over the keys of a collection's Map in `db`, with SCAN's cursors and
   * guarantee (see ScanCursors); FLUSHDB/SWAPDB of `db` drop its walks as they drop SCAN's.
   */
  scanMap(db: Db, map: ReadonlyMap<string, unknown>, cursor: number, count: number, out: string[]): number {
    return this.scans.step(db, map, cursor, count, out);
  }

  /** Empties one database; returns the number of keys removed. */
  flushDb(db: Db): number {
    if (this.observer !== null) this.observer.beforeReplaceAll();
    const n = db.size;
    db.dict.clear();
    db.expires.clear();
    db.access.clear();
    db.rawStrings.clear();
    db.used = 0;
    db.avgTtl = 0;
    this.cold?.clear(db);
    this.dropWalks(db);
    return n;
  }


  /** SWAPDB: the contents move, the Db objects (and their watchers) stay in place. */
  swap(a: Db, b: Db): void {
    if (this.observer !== null) this.observer.beforeReplaceAll();
    [a.dict, b.dict] = [b.dict, a.dict];
    [a.expires, b.expires] = [b.expires, a.expires];
    [a.access, b.access] = [b.access, a.access];
    [a.rawStrings, b.rawStrings] = [b.rawStrings, a.rawStrings];
    [a.used, b.used] = [b.used, a.used];
    [a.avgTtl, b.avgTtl] = [b.avgTtl, a.avgTtl];
    [a.coldSpace, b.coldSpace] = [b.coldSpace, a.coldSpace];
    [a.coldKeys, b.coldKeys] = [b.coldKeys, a.coldKeys];
    [a.coldVolatile, b.coldVolatile] = [b.coldVolatile, a.coldVolatile];
    [a.coldBytes, b.coldBytes] = [b.coldBytes, a.coldBytes];
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
    for (const db of this.dbs) n += db.size;
    return n;
  }
}

/**
 * The largest double below 2^63: an expire time beyond it (int64's 2^63 - 1 reads as 2^63) is
 * stored as it, so that every reply and file holds an int64.
 */
const MAX_STORED_EXPIRE = 9223372036854774784;

/** A key's share of used memory besides its value: the dict and access Map entries and the key string. */
export function keyBytes(key: string): number {
  return 2 * MAP_ENTRY_BYTES + stringBytes(key.length);
}

/** A TTL: an expires Map entry and its boxed millisecond timestamp. */
const EXPIRE_BYTES = MAP_ENTRY_BYTES + 16;

/** A value's estimate, recorded on a collection as what the keyspace counted for it. */
function account(v: Value): number {
  if (typeof v === 'object') return (v.accountedBytes = v.memoryBytes());
  return typeof v === 'number' ? numberBytes(v) : stringBytes(v.length);
}

/** What the keyspace counted for a stored value. */
export function accountedBytes(v: Value): number {
  if (typeof v === 'object') return v.accountedBytes;
  return typeof v === 'number' ? numberBytes(v) : stringBytes(v.length);
}

/** Dicts up to this size are sampled exactly (uniform pick by walking to a random position). */
const EXACT_SAMPLE_MAX = 1024;
/** A large dict's sampling walk covers it in about 2 * SAMPLE_STRIDES draws. */
const SAMPLE_STRIDES = 128;
/** Live SCAN cursors kept at most; the least recently used one is dropped beyond. */
const SCAN_CURSOR_LIMIT = 4096;

interface ScanWalk {
  db: Db;
  /**
   * The Map walked: the db's dict (SWAPDB moves dicts between dbs, and a walk belongs to one
   * dict), or a collection's (ZSCAN of a large sorted set).
   */
  dict: ReadonlyMap<string, unknown>;
  keys: Iterator<string>;
  /** The next key, read ahead to know whether the walk is over; re-checked when returned. */
  pending: string | undefined;
  /** Once the Map is done, a db walk goes on over the cold keys (null until then). */
  cold: ColdWalk | null;
}

interface ColdWalk {
  /** The LMDB position of the last cold key read (null: none yet). */
  at: Buffer | null;
  /** Keys promoted from ahead of `at` since the cold phase began: the phase would miss them. */
  promoted: string[];
}

/** What a SCAN of a db reads from the cold tier (the Keyspace). */
export interface ColdKeySource {
  coldKeysAfter(db: Db, at: Buffer | null, limit: number, out: string[]): Buffer | null;
  coldAhead(db: Db, key: string, at: Buffer | null): boolean;
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
 * A walk of a db's keys has a second phase over its cold keys, in LMDB order, resumed from the last
 * cold key read. Keys moving between tiers are still covered: one demoted during the Map phase is
 * met in the cold phase (which starts from the beginning); one promoted during the Map phase is
 * appended to the Map, which the live iterator still visits; one promoted during the cold phase from
 * ahead of the walk's position is recorded by notePromoted and returned by the next step.
 */
export class ScanCursors {
  private readonly walks = new Map<number, ScanWalk>();
  /** Walks in their cold phase, told of promotions (few: most walks never get there). */
  private readonly coldWalks = new Set<ScanWalk>();
  private nextName = 1 + Math.floor(Math.random() * 2 ** 52);

  constructor(private readonly limit = SCAN_CURSOR_LIMIT) {}

  /**
   * Appends up to `count` keys of `dict` (the keys of `db`, or a collection in it) to `out`;
   * returns the cursor to continue with, 0 at the end. A cursor issued for another Map restarts.
   */
  step(db: Db, dict: ReadonlyMap<string, unknown>, cursor: number, count: number, out: string[], cold: ColdKeySource | null = null): number {
    let walk = cursor === 0 ? undefined : this.walks.get(cursor);
    if (walk !== undefined) this.walks.delete(cursor);
    if (walk === undefined || walk.db !== db || walk.dict !== dict) {
      if (walk !== undefined) this.coldWalks.delete(walk);
      walk = { db, dict, keys: dict.keys(), pending: undefined, cold: null };
    }
    if (walk.cold === null) {
      let n = 0;
      if (walk.pending !== undefined && dict.has(walk.pending)) {
        out.push(walk.pending);
        n++;
      }
      walk.pending = undefined;
      for (; n < count; n++) {
        const step = walk.keys.next();
        if (step.done) break;
        out.push(step.value);
      }
      if (n === count) {
        const ahead = walk.keys.next();
        if (!ahead.done) {
          walk.pending = ahead.value;
          return this.issue(walk);
        }
      }
      if (cold === null || db.coldKeys === 0) return 0;
      walk.cold = { at: null, promoted: [] };
      this.coldWalks.add(walk);
      count -= n;
      if (count === 0) return this.issue(walk);
    }
    const phase = walk.cold;
    for (const key of phase.promoted) out.push(key);
    phase.promoted.length = 0;
    phase.at = cold!.coldKeysAfter(db, phase.at, count, out);
    if (phase.at === null) {
      this.coldWalks.delete(walk);
      return 0;
    }
    return this.issue(walk);
  }

  /** A cold key of `db` came back to memory: walks in their cold phase that have not passed it keep it. */
  notePromoted(db: Db, key: string, cold: ColdKeySource): void {
    if (this.coldWalks.size === 0) return;
    for (const walk of this.coldWalks) {
      if (walk.db === db && cold.coldAhead(db, key, walk.cold!.at)) walk.cold!.promoted.push(key);
    }
  }

  /** Drops every walk over `db` (its contents were flushed or swapped away). */
  forget(db: Db): void {
    for (const [name, walk] of this.walks) {
      if (walk.db !== db) continue;
      this.walks.delete(name);
      this.coldWalks.delete(walk);
    }
  }

  private issue(walk: ScanWalk): number {
    const name = this.nextName;
    this.nextName = name >= Number.MAX_SAFE_INTEGER ? 1 : name + 1;
    this.walks.set(name, walk);
    if (this.walks.size > this.limit) {
      // Map order is insertion order and a used walk is re-inserted: the first is the idlest.
      const [idlest, dropped] = this.walks.entries().next().value!;
      this.walks.delete(idlest);
      this.coldWalks.delete(dropped);
    }
    return name;
  }
}
