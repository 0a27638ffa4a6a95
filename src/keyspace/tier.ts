/*
 * The cold tier seen from the keyspace: values in and out of the LMDB store (storage/tier/store.ts)
 * as DUMP payloads, and the per-db counters that let DBSIZE and INFO see cold keys in O(1).
 *
 * Keyspace.demote / promote (db.ts) move keys between the tiers; this class only does the disk
 * side and keeps Db.coldKeys / coldVolatile / coldBytes and the index of cold expiries (for active
 * expiry) in step with the store. A previous run's directory is wiped at startup (wipe()); the
 * store opens (empty) the first time a key is demoted. Moving a key between tiers is not a change
 * of the dataset: nothing here notifies, propagates or touches WATCH.
 *
 * Errors: a demotion that fails (disk bound reached, LMDB error) leaves the key in memory; a cold
 * record that cannot be read back is logged, counted and dropped (the log or snapshot it came from
 * still holds it, and the next restart rebuilds it).
 */

import path from 'node:path';
import { ColdStore, lmdbKey, MIN_MAPPED_BUDGET, storedBytes, type ColdRecord, type StoredRecord } from '../../storage/tier/store.js';
import { dumpPayload } from '../../storage/rdb/writer.js';
import { openPayload } from '../../storage/rdb/payload.js';
import { RdbCursor, readValue } from '../../storage/rdb/reader.js';
import type { RdbEntry, RdbValue } from '../../storage/rdb/model.js';
import { RdbType } from '../../storage/rdb/constants.js';
import type { ColdCut } from '../../storage/snapshot/walker.js';
import type { Value } from '../types/object.js';
import { TimeHeap } from '../types/timeheap.js';
import { fromRdbValue, toRdbValue, type EncodingLimits } from './rdb-values.js';
import type { Db } from './db.js';

export interface TierStats {
  promotions: number;
  demotions: number;
  /** Records read from disk (promotions, and reads that did not promote: snapshots, digests). */
  coldReads: number;
  /** Demotions refused (disk bound, LMDB errors): the key stayed in memory. */
  demoteFailures: number;
  /** Cold records that could not be decoded and were dropped. */
  readErrors: number;
  /** Commands parked while their cold keys were read off the command thread (server/cold-reads.ts). */
  parkedReads: number;
}

/** A cold key brought back: its value, expiry and access stamp. */
export interface ColdValue {
  value: Value;
  expire: number;
  stamp: number;
}

/** How many of the latest in-place reads are remembered: a key read again among them is promoted. */
const READ_ONCE_WINDOW = 4096;

export class ColdTier {
  /** cold-tier yes and maxmemory set: eviction demotes instead of deleting. */
  enabled = false;
  /** cold-tier-dir, resolved against the working directory (`dir`) when the store opens. */
  dir = 'tier';
  /** cold-tier-max-disk-bytes; 0 for no bound. */
  maxDiskBytes = 0;
  /** File pages of the store that may stay mapped (ColdStore.mappedBudget). */
  private mappedBudget = MIN_MAPPED_BUDGET;
  readonly stats: TierStats = { promotions: 0, demotions: 0, coldReads: 0, demoteFailures: 0, readErrors: 0, parkedReads: 0 };
  private store: ColdStore | null = null;
  /** A flush of the store's removals is scheduled for the end of this event-loop turn. */
  private flushScheduled = false;
  /** Per space: where RANDOMKEY's walk over the cold keys stands (see randomKey). */
  private readonly draws = new Map<number, Buffer>();
  /**
   * Per space: (expiry, key) of its cold keys with a TTL, earliest first, so that active expiry
   * finds the due ones without reading records (nextExpired). Kept per space, so SWAPDB carries it.
   * A promotion leaves its entry behind: an entry whose key has no record with that expiry is stale
   * and dropped when it comes up, and the heap is compacted when stale entries outnumber live ones.
   * Memory: two array slots (16 bytes) and the key string per entry, about 40 bytes + the key's
   * length per cold volatile key; like the rest of the tier's bookkeeping, not in used_memory.
   */
  private readonly expiries = new Map<number, TimeHeap>();
  /** Keys recently read in place, oldest first, with their space (see readInPlace). */
  private readonly readOnce = new Map<string, number>();

  constructor(
    private readonly dbs: readonly Db[],
    /** The *-max-listpack-* limits that decide a loaded collection's encoding. */
    readonly limits: () => EncodingLimits,
    private readonly warn: (message: string) => void,
  ) {}

  /** Bytes of every cold record (keys and values as stored). */
  get bytes(): number {
    let n = 0;
    for (const db of this.dbs) n += db.coldBytes;
    return n;
  }

  get keys(): number {
    let n = 0;
    for (const db of this.dbs) n += db.coldKeys;
    return n;
  }

  /**
   * At startup, before any data loads: a previous run's tier is stale (the log or the snapshot is
   * the truth), and would otherwise take disk space until the first demotion. Only while the tier
   * is on: otherwise the directory is not known to be the tier's.
   */
  wipe(): void {
    if (this.enabled && this.store === null) ColdStore.wipe(path.resolve(this.dir));
  }

  private open(): ColdStore {
    if (this.store === null) {
      this.store = ColdStore.open(path.resolve(this.dir));
      this.store.mappedBudget = this.mappedBudget;
    }
    return this.store;
  }

  /**
   * Sizes the mapped-pages budget from maxmemory: half of it, from 32 MB to 1 GB. A larger
   * dataset is read over a larger file, where a small budget would reopen the store all the time.
   */
  fitToMaxmemory(maxmemory: number): void {
    this.mappedBudget = Math.min(1 << 30, Math.max(MIN_MAPPED_BUDGET, Math.floor(maxmemory / 2)));
    if (this.store !== null) this.store.mappedBudget = this.mappedBudget;
  }

  close(): void {
    this.store?.close();
    this.store = null;
  }

  /**
   * Writes the given keys of `db` (all in memory) in one LMDB transaction; true when they are all
   * on disk. Memory is released by the caller only after this returns true, so a failure loses
   * nothing.
   */
  write(db: Db, entries: ReadonlyArray<{ key: string; value: Value; expire: number; stamp: number }>): boolean {
    let size = 0;
    const records: ColdRecord[] = [];
    for (const e of entries) {
      const rec = { key: e.key, expire: e.expire, stamp: e.stamp, payload: dumpPayload(toRdbValue(e.value), false) };
      records.push(rec);
      size += storedBytes(e.key, rec.payload.length);
    }
    if (this.maxDiskBytes !== 0 && this.bytes + size > this.maxDiskBytes) {
      this.refused(`cold-tier-max-disk-bytes (${this.maxDiskBytes}) reached`);
      return false;
    }
    let written = 0;
    let volatile = 0;
    try {
      const store = this.open();
      store.batch(() => {
        for (const rec of records) {
          written += store.put(db.coldSpace, rec);
          if (rec.expire >= 0) volatile++;
        }
      });
    } catch (err) {
      this.refused((err as Error).message);
      return false;
    }
    db.coldKeys += records.length;
    db.coldVolatile += volatile;
    db.coldBytes += written;
    this.stats.demotions += records.length;
    if (volatile !== 0) this.indexExpiries(db, records);
    return true;
  }

  private indexExpiries(db: Db, records: readonly ColdRecord[]): void {
    let heap = this.expiries.get(db.coldSpace);
    if (heap === undefined) {
      heap = new TimeHeap();
      this.expiries.set(db.coldSpace, heap);
    }
    for (const rec of records) if (rec.expire >= 0) heap.push(rec.expire, rec.key);
    if (heap.size > 2 * db.coldVolatile + 1024) {
      const { times, names } = heap;
      heap.clear();
      for (let i = 0; i < times.length; i++) if (this.holdsExpiry(db, names[i], times[i])) heap.push(times[i], names[i]);
    }
  }

  /** True when `key` is cold in `db` with expiry `when` (an index entry that is not stale). */
  private holdsExpiry(db: Db, key: string, when: number): boolean {
    try {
      return this.store?.get(db.coldSpace, key)?.expire === when;
    } catch {
      return false; // an unreadable record is left to the lookup that drops it
    }
  }

  /** A cold key of `db` whose TTL has passed at `now`, removed from the expiry index; undefined when none is due. */
  nextExpired(db: Db, now: number): string | undefined {
    const heap = this.expiries.get(db.coldSpace);
    if (heap === undefined) return undefined;
    while (heap.size !== 0 && now > heap.times[0]) {
      const when = heap.times[0];
      const key = heap.names[0];
      heap.pop();
      if (this.holdsExpiry(db, key, when)) return key;
    }
    return undefined;
  }

  /** Removes the record of a cold key without reading it back (an expired key). */
  discard(db: Db, key: string): void {
    if (this.store !== null) this.forget(db, key, undefined);
  }

  private refused(why: string): void {
    // One line per burst would be nicer; a refused demotion is rare and worth seeing.
    if (this.stats.demoteFailures++ % 1000 === 0) this.warn(`cold tier: keeping keys in memory, demotion failed: ${why}`);
  }

  has(db: Db, key: string): boolean {
    return this.store !== null && this.store.get(db.coldSpace, key) !== undefined;
  }

  /** The store's key for the record of `key` (for prefetch). */
  recordKey(db: Db, key: string): Buffer {
    return lmdbKey(db.coldSpace, key);
  }

  /** Reads of the store on the command thread so far (ColdStore.reads). */
  get reads(): number {
    return this.store?.reads ?? 0;
  }

  /** Those of them that waited on the disk (ColdStore.slowReads). */
  get slowReads(): number {
    return this.store?.slowReads ?? 0;
  }

  /** Reads these records' pages off the command thread, then runs `done`; false (and no call) without a store. */
  prefetch(recordKeys: Buffer[], done: () => void): boolean {
    if (this.store === null) return false;
    this.store.prefetch(recordKeys, done);
    return true;
  }

  /**
   * A read of a cold key that leaves it on disk: its string value, when the key holds a string, has
   * no TTL and was not read this way recently; null when the tier has no such key. Otherwise
   * undefined, and the caller promotes it as for any access. So a key is promoted on its second read within READ_ONCE_WINDOW cold reads:
   * scattered reads over a large cold set cost a disk read each, instead of a promotion that pushes
   * another key out (a write) every time, while keys read again soon come back into memory. (A
   * string is immutable, so the caller cannot change the copy it gets; access data is not updated.)
   */
  readInPlace(db: Db, key: string): string | number | null | undefined {
    const store = this.store;
    if (store === null) return null;
    const seen = this.readOnce.get(key);
    if (seen !== undefined) {
      this.readOnce.delete(key);
      if (seen === db.coldSpace) return undefined;
    }
    let rec: StoredRecord | undefined;
    try {
      rec = store.get(db.coldSpace, key);
    } catch {
      return undefined; // the promotion path reports and drops it
    }
    if (rec === undefined) return null;
    if (rec.expire >= 0 || rec.payload[0] !== RdbType.String) return undefined;
    const value = this.decode(rec.payload);
    if (value === null || typeof value === 'object') return undefined;
    this.stats.coldReads++;
    this.readOnce.set(key, db.coldSpace);
    if (this.readOnce.size > READ_ONCE_WINDOW) this.readOnce.delete(this.readOnce.keys().next().value!);
    return value;
  }

  /** Reads and removes the cold record of `key`; undefined when it has none (or it was unreadable). */
  take(db: Db, key: string): ColdValue | undefined {
    const store = this.store;
    if (store === null) return undefined;
    let rec: StoredRecord | undefined;
    let value: Value | null = null;
    try {
      rec = store.get(db.coldSpace, key);
      if (rec === undefined) return undefined;
      this.stats.coldReads++;
      value = this.decode(rec.payload);
    } catch (err) {
      this.warn(`cold tier: dropping unreadable record of a key: ${(err as Error).message}`);
    }
    this.forget(db, key, rec);
    if (value === null) {
      this.stats.readErrors++;
      return undefined;
    }
    this.stats.promotions++;
    return { value, expire: rec!.expire, stamp: rec!.stamp };
  }

  /** Removes the record of `key` (known from `rec` when already read) and counts it out. */
  private forget(db: Db, key: string, rec: StoredRecord | undefined): void {
    const bytes = this.store!.remove(db.coldSpace, key);
    if (bytes === 0) return;
    db.coldKeys--;
    db.coldBytes -= bytes;
    if (rec === undefined || rec.expire >= 0) db.coldVolatile = Math.max(0, db.coldVolatile - 1);
    this.scheduleFlush();
  }

  /**
   * The removals of one event-loop turn are deleted in one transaction at its end (unless a
   * demotion took them along). A failed flush keeps them pending (their records stay hidden) for
   * the next turn.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      try {
        this.store?.flushRemovals();
      } catch (err) {
        this.warn(`cold tier: deleting promoted records failed, will retry: ${(err as Error).message}`);
      }
    });
  }

  /** The RDB form of a payload, or null when it is damaged. */
  decodeRdb(payload: Buffer): RdbValue | null {
    const frame = openPayload(payload);
    if (frame === null) return null;
    try {
      const cur = new RdbCursor(payload.subarray(0, frame.bodyEnd));
      return readValue(cur, cur.u8());
    } catch {
      return null;
    }
  }

  private decode(payload: Buffer): Value | null {
    const rdb = this.decodeRdb(payload);
    return rdb === null ? null : fromRdbValue(rdb, this.limits());
  }

  /** Every cold key of `db` with its value, read in place (DEBUG DIGEST); unreadable records are skipped. */
  *values(db: Db): Generator<ColdValue & { key: string }> {
    if (this.store === null) return;
    for (const { rec } of this.store.entries(db.coldSpace, null)) {
      this.stats.coldReads++;
      const value = this.decode(rec.payload);
      if (value === null) this.stats.readErrors++;
      else yield { key: rec.key, value, expire: rec.expire, stamp: rec.stamp };
    }
  }

  /** Empties the cold part of `db` (FLUSHDB); of every db when `db` is null (FLUSHALL). */
  clear(db: Db | null): void {
    if (this.store !== null) {
      if (db === null) this.store.clearAll();
      else if (db.coldKeys !== 0) this.store.clearSpace(db.coldSpace);
    }
    if (db === null) this.expiries.clear();
    else this.expiries.delete(db.coldSpace);
    for (const d of db === null ? this.dbs : [db]) {
      d.coldKeys = 0;
      d.coldVolatile = 0;
      d.coldBytes = 0;
    }
  }

  /**
   * Up to `limit` cold keys of `db` after LMDB position `at` (null: from the start) whose TTL has
   * not passed at `now`, appended to `out`; returns the new position, or null at the end.
   */
  keysAfter(db: Db, at: Buffer | null, limit: number, now: number, out: string[]): Buffer | null {
    if (this.store === null) return null;
    let n = 0;
    let last = at;
    for (const { at: pos, rec } of this.store.entries(db.coldSpace, at, limit)) {
      n++;
      last = pos;
      if (rec.expire < 0 || rec.expire >= now) out.push(rec.key);
    }
    return n < limit ? null : last;
  }

  /** True when a walk standing at `at` has not yet passed `key` (its LMDB position is after). */
  ahead(db: Db, key: string, at: Buffer | null): boolean {
    return at === null || Buffer.compare(lmdbKey(db.coldSpace, key), at) > 0;
  }

  /**
   * A cold key of `db` (which has some), drawn as the memory sampler does (Keyspace.sampleKey):
   * a walk over the store kept per space advances by a random stride, wrapping at the end.
   */
  randomKey(db: Db): string | undefined {
    if (this.store === null) return undefined;
    const stride = 1 + Math.floor(Math.random() * Math.ceil(db.coldKeys / 128));
    for (let wrapped = 0; wrapped < 2; wrapped++) {
      const from = this.draws.get(db.coldSpace) ?? null;
      for (const { at, rec } of this.store.entries(db.coldSpace, from, 1, stride - 1)) {
        this.draws.set(db.coldSpace, at);
        return rec.key;
      }
      this.draws.delete(db.coldSpace);
    }
    return undefined;
  }

  /**
   * The cold keys of every db as of now, for a snapshot that reads them while writes go on:
   * `entries(db)` walks the db's cold keys at this instant; `done()` releases the view.
   */
  cut(): ColdCut {
    const store = this.store;
    const spaces = this.dbs.map((db) => (db.coldKeys === 0 ? -1 : db.coldSpace));
    const counts = this.dbs.map((db) => db.coldKeys);
    const view = store === null ? null : store.readView();
    const tier = this;
    return {
      count: (db) => counts[db],
      *entries(db): Generator<{ entry: RdbEntry; stamp: number }> {
        if (view === null || spaces[db] < 0) return;
        for (const { rec } of store!.entries(spaces[db], null, Infinity, 0, view.txn)) {
          tier.stats.coldReads++;
          const value = tier.decodeRdb(rec.payload);
          if (value === null) tier.stats.readErrors++;
          else yield { entry: { db, key: rec.key, value, expire: rec.expire }, stamp: rec.stamp };
        }
      },
      done: () => view?.done(),
    };
  }
}

