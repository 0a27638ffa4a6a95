/*
 * Point-in-time snapshots without fork.
 *
 * A snapshot is cut at one instant; it then serializes the databases in slices (bounded time per
 * event-loop turn) while commands keep running. The keyspace calls `beforeChange(db, key)` before
 * any change to a key — a write, a TTL change, a deletion or an expiry. Rules:
 *
 *   - a key not yet serialized that exists now holds its value as of the cut (nothing changed it
 *     since, or the hook would have run), so it is serialized right away, before the change;
 *   - a key that does not exist now did not exist at the cut either (a deletion since the cut would
 *     have run the hook), so it is only marked: the walk must not pick it up later;
 *   - either way the key is `handled`, and the walk skips handled keys.
 *
 * The walk iterates each database's Map in insertion order with a live iterator (V8 keeps Map
 * iterators valid across changes). Keys added after the cut are handled on insertion, so the walk
 * sees exactly the cut's keys. Commands that replace whole maps (FLUSHDB, FLUSHALL, SWAPDB) call
 * `completeNow()` first, which finishes the walk synchronously.
 *
 * Memory stays flat: values are serialized, never copied as objects. Output streams to a sink.
 *
 * Keys outside the Maps (a cold tier) come from a ColdCut taken at the cut (an LMDB read
 * transaction: itself point-in-time), read after each database's Map, skipping handled keys. The
 * keyspace keeps the rules true across tiers: a key leaving memory calls beforeChange first (so it
 * is written, unchanged, before it goes), and a cold key is brought into memory before any change
 * to it (so beforeChange finds its value in the Map).
 */

import type { RdbEntry, RdbValue } from '../rdb/model.js';
import type { RdbWriter } from '../rdb/writer.js';

/** The slice of the keyspace the walker reads (the server's Db objects satisfy it). */
export interface SnapshotDb<V> {
  readonly id: number;
  readonly dict: Map<string, V>;
  readonly expires: Map<string, number>;
}

export interface SnapshotSource<V> {
  readonly dbs: ReadonlyArray<SnapshotDb<V>>;
  /** The RDB form of an in-memory value. */
  toRdb(v: V): RdbValue;
  /**
   * Adds what else the file keeps of a key (its IDLE or FREQ), before it is written; `stamp` is
   * the access stamp of a cold key (a key in memory has its own).
   */
  annotate?(e: RdbEntry, stamp?: number): void;
  /** The keys outside the Maps as of the cut (read once, when the walker is created). */
  coldAtCut?(): ColdCut;
}

/** A point-in-time view of keys kept outside the Maps (a cold tier). */
export interface ColdCut {
  /** How many keys database `db` held there at the cut. */
  count(db: number): number;
  /** Those keys with their access stamps, in a stable order. */
  entries(db: number): Iterator<{ entry: RdbEntry; stamp: number }>;
  /** Releases the view (the walk ended or was abandoned). */
  done(): void;
}

export class SnapshotWalker<V> {
  private dbIndex = 0;
  private iter: Iterator<[string, V]> | null = null;
  /** The current database's cold keys, once its Map is done. */
  private coldIter: Iterator<{ entry: RdbEntry; stamp: number }> | null = null;
  private readonly cold: ColdCut | null;
  /** Per db: keys serialized or marked since the cut. */
  private readonly handled: Array<Set<string>>;
  /** The maps captured at the cut, by db index (SWAPDB/FLUSH complete the walk before replacing). */
  private readonly maps: Array<Map<string, V>>;
  private readonly expires: Array<Map<string, number>>;
  done = false;
  keysWritten = 0;

  constructor(
    private readonly source: SnapshotSource<V>,
    private readonly writer: RdbWriter,
  ) {
    this.handled = source.dbs.map(() => new Set());
    this.maps = source.dbs.map((db) => db.dict);
    this.expires = source.dbs.map((db) => db.expires);
    this.cold = source.coldAtCut?.() ?? null;
    this.startDb();
  }

  private coldCount(db: number): number {
    return this.cold === null ? 0 : this.cold.count(db);
  }

  private startDb(): void {
    while (this.dbIndex < this.maps.length && this.maps[this.dbIndex].size === 0 && this.handled[this.dbIndex].size === 0 && this.coldCount(this.dbIndex) === 0) {
      this.dbIndex++;
    }
    this.coldIter = null;
    if (this.dbIndex >= this.maps.length) {
      this.iter = null;
      return;
    }
    const db = this.dbIndex;
    const map = this.maps[db];
    this.writer.selectDb(db, map.size + this.coldCount(db), this.expires[db].size);
    this.iter = map.entries();
  }

  /** The next unhandled cold key of the current database, or null when there are no more. */
  private nextCold(): { entry: RdbEntry; stamp: number } | null {
    if (this.cold === null) return null;
    if (this.coldIter === null) this.coldIter = this.cold.entries(this.dbIndex);
    const handled = this.handled[this.dbIndex];
    for (;;) {
      const r = this.coldIter.next();
      if (r.done) return null;
      if (handled.has(r.value.entry.key)) continue;
      handled.add(r.value.entry.key);
      return r.value;
    }
  }

  /** The copy-before-write hook: call before any change to `key` in database `db`. */
  beforeChange(db: number, key: string): void {
    if (this.done) return;
    const handled = this.handled[db];
    if (handled.has(key)) return;
    handled.add(key);
    // Keys of databases the walk already finished were written then; later ones are written here.
    if (db < this.dbIndex) return;
    const v = this.maps[db].get(key);
    if (v === undefined) return;
    if (db > this.dbIndex) {
      // Serializing into a later database than the current one would break the file's db order:
      // finish the whole walk now instead (the key, unchanged yet, goes out with it).
      handled.delete(key);
      this.completeNow();
      return;
    }
    this.writeKey(db, key, v);
  }

  private writeKey(db: number, key: string, v: V): void {
    const expire = this.expires[db].get(key);
    this.writeEntry({ db, key, value: this.source.toRdb(v), expire: expire ?? -1 });
  }

  private writeEntry(e: RdbEntry, stamp?: number): void {
    if (this.source.annotate !== undefined) this.source.annotate(e, stamp);
    this.writer.entry(e);
    this.keysWritten++;
  }

  /** Serializes for up to `budgetMs`; true when the walk is complete. */
  step(budgetMs: number): boolean {
    if (this.done) return true;
    const deadline = performance.now() + budgetMs;
    let n = 0;
    while (this.iter !== null) {
      const r = this.iter.next();
      if (r.done) {
        const cold = this.nextCold();
        if (cold !== null) {
          this.writeEntry(cold.entry, cold.stamp);
          if (++n % 64 === 0 && performance.now() > deadline) return false;
          continue;
        }
        this.dbIndex++;
        this.startDb();
        continue;
      }
      const [key, v] = r.value;
      const handled = this.handled[this.dbIndex];
      if (handled.has(key)) continue;
      handled.add(key);
      this.writeKey(this.dbIndex, key, v);
      if (++n % 64 === 0 && performance.now() > deadline) return false;
    }
    this.done = true;
    this.cold?.done();
    return true;
  }

  /** Releases what the walk holds when it is abandoned before completion. */
  abandon(): void {
    if (this.done) return;
    this.done = true;
    this.cold?.done();
  }

  /** Finishes the walk synchronously (before an operation that replaces whole maps). */
  completeNow(): void {
    this.step(Infinity);
  }
}
