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
  /** Adds what else the file keeps of a key (its IDLE or FREQ), before it is written. */
  annotate?(e: RdbEntry): void;
}

export class SnapshotWalker<V> {
  private dbIndex = 0;
  private iter: Iterator<[string, V]> | null = null;
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
    this.startDb();
  }

  private startDb(): void {
    while (this.dbIndex < this.maps.length && this.maps[this.dbIndex].size === 0 && this.handled[this.dbIndex].size === 0) this.dbIndex++;
    if (this.dbIndex >= this.maps.length) {
      this.iter = null;
      return;
    }
    const db = this.dbIndex;
    const map = this.maps[db];
    this.writer.selectDb(db, map.size, this.expires[db].size);
    this.iter = map.entries();
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
    const e: RdbEntry = { db, key, value: this.source.toRdb(v), expire: expire ?? -1 };
    if (this.source.annotate !== undefined) this.source.annotate(e);
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
    return true;
  }

  /** Finishes the walk synchronously (before an operation that replaces whole maps). */
  completeNow(): void {
    this.step(Infinity);
  }
}
