/*
 * The cold tier's LMDB store: records of keys that left memory, by (space, key bytes).
 *
 * It is a spill area, not a source of truth (the log and the snapshots are): open() wipes the
 * directory and starts empty, so a corrupt or missing tier is simply rebuilt by what is spilled
 * next. Nothing here needs to survive a crash, hence noSync.
 *
 * Memory: every page of the file the store reads or writes stays mapped and counts in the
 * process's RSS (clean page cache the OS may drop, but RSS all the same), and LMDB's copy-on-write
 * moves pages about, so that over time the whole file would be mapped. Past `mappedBudget` the
 * environment is closed and opened again, which unmaps it all (see unmapIfOverBudget). Each
 * reopening costs page faults after it (a random read maps about 64 kB around every page it
 * touches), so the budget trades RSS against cold reads: the keyspace sets it from maxmemory.
 *
 * LMDB key: space (u32 BE) | tag (u8) | bytes. A space is a database's cold namespace (the keyspace
 * maps db index → space so that SWAPDB trades spaces instead of rewriting records). Tag 0: the
 * bytes are the key itself. Tag 1: the key is longer than LMDB allows (maxKeySize, 1978 bytes) and
 * the bytes are its SHA-256; the real key is in the record. Within a space, LMDB's byte order puts
 * direct keys first, then hashed ones: a stable order for SCAN cursors.
 *
 * Record: version (u8 = 1) | expire (f64, -1 for none) | access stamp (u32) | key length (u32,
 * 0 for a direct key) | key bytes (hashed keys only) | DUMP payload (type byte, value, RDB version,
 * CRC-64: storage/rdb/payload.ts). The payload's checksum catches a corrupt record.
 *
 * Removals are deferred: remove() only marks the record gone (get() skips it) and the records
 * marked are deleted together, in the next batch(), by flushRemovals(), or before a walk. A
 * promotion thus costs a read, not a write transaction of its own.
 *
 * Keys and payloads are latin1 strings / Buffers: one char per byte, never UTF-8.
 */

import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
// The module binding: the global `performance` is a lazy getter, run on every access.
import { performance } from 'node:perf_hooks';
import type { Database, Transaction } from 'lmdb';

/**
 * lmdb is loaded when the first store opens: it is about a third of the server's module load
 * time, and most servers never spill to the tier.
 */
const requireModule = createRequire(import.meta.url);

/** lmdb-js's default maxKeySize. */
const MAX_LMDB_KEY = 1978;
const PREFIX = 5;
const TAG_DIRECT = 0;
const TAG_HASHED = 1;
const RECORD_VERSION = 1;
const HEADER = 1 + 8 + 4 + 4;
/**
 * Address space reserved for the map up front. lmdb-js otherwise starts small and maps the file
 * again each time it doubles, keeping every earlier mapping (for readers still on it): their pages
 * stay resident, several times the file's size. Reserving costs no memory or disk.
 */
const MAP_SIZE = 2 ** 40;
/** The least `mappedBudget` (see the file comment): below it, reopening would cost more than it saves. */
export const MIN_MAPPED_BUDGET = 32 << 20;
/**
 * A read of a record slower than this (ms) waited on the disk: a major page fault. Reads of pages
 * the kernel has cached take tens of microseconds.
 */
const SLOW_READ_MS = 0.25;
/** Written after each reopen (see unmapIfOverBudget); shorter than any record's key, so outside every space. */
const PRIMER_KEY = Buffer.from([0]);
/** Reads between two looks at the process's mapped file pages (each look reads /proc). */
const READS_PER_MAPPING_CHECK = 64;

/** A record as stored: what a key needs to come back to memory. */
export interface ColdRecord {
  key: string;
  /** Absolute unix ms, -1 for none. */
  expire: number;
  /** The LRU/LFU stamp (src/keyspace/access.ts). */
  stamp: number;
  /** A DUMP payload (type byte, value, RDB version, CRC-64). */
  payload: Buffer;
}

/** A stored record and the bytes it takes (LMDB key + value). */
export interface StoredRecord extends ColdRecord {
  bytes: number;
}

export class ColdStoreError extends Error {}

/** A point-in-time view of the store (an LMDB read transaction) and its release. */
export interface ReadView {
  txn: Transaction;
  done(): void;
}

export class ColdStore {
  /** Records removed but not yet deleted from LMDB, by LMDB key (latin1). */
  private readonly removed = new Map<string, Buffer>();
  /** Read views, walks and prefetches in progress: the environment cannot be reopened under them. */
  private readers = 0;
  private readsSinceCheck = 0;
  /** Reads on this thread, and those of them that took longer than SLOW_READ_MS (they waited on the disk). */
  reads = 0;
  slowReads = 0;
  /** Over budget while readers held the map: unmap when the next prefetch ends. */
  private unmapDeferred = false;
  /** File-backed RSS of the process when the store opened: the program's own mapped files. */
  private readonly mappedAtOpen = mappedFileBytes();
  /** File pages (bytes) the store may keep mapped before it unmaps them all. */
  mappedBudget = MIN_MAPPED_BUDGET;

  private constructor(
    private db: Database<Buffer, Buffer>,
    readonly dir: string,
  ) {}

  /** Wipes `dir` and opens an empty store there. */
  static open(dir: string): ColdStore {
    ColdStore.wipe(dir);
    fs.mkdirSync(dir, { recursive: true });
    return new ColdStore(openEnvironment(dir), dir);
  }

  /** Removes what a previous run spilled into `dir` (nothing of it is data any more). */
  static wipe(dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  close(): void {
    void this.db.close();
  }


  /** Runs `action` in one write transaction (many puts commit once), with the pending removals. */
  batch<T>(action: () => T): T {
    const result = this.db.transactionSync(() => {
      this.deleteRemoved();
      return action();
    });
    this.unmapIfOverBudget();
    return result;
  }

  /**
   * Closing the environment and opening it again unmaps every page of the file (the data stays).
   * Not while a read view or a walk holds a position in the map.
   */
  private unmapIfOverBudget(): void {
    this.readsSinceCheck = 0;
    this.unmapDeferred = false;
    if (mappedFileBytes() - this.mappedAtOpen <= this.mappedBudget) return;
    if (this.readers !== 0) {
      this.unmapDeferred = true;
      return;
    }
    void this.db.close();
    this.db = openEnvironment(this.dir);
    // lmdb's free-page list: in a reopened environment, a first write transaction that deletes
    // records fails now and then inside mdb_page_alloc ("Invalid zero size key", "Invalid null txn
    // id", MDB_BAD_VALSIZE / MDB_NOTFOUND / MDB_BAD_TXN). A small put first does not, and the
    // failures are gone after it (test/unit/cold-store.test.ts reproduces them without it).
    this.db.transactionSync(() => this.db.putSync(PRIMER_KEY, PRIMER_KEY));
  }

  /** True when removals wait for flushRemovals() (or the next batch). */
  get removalsPending(): boolean {
    return this.removed.size !== 0;
  }

  /** Deletes the records removed since the last batch, in one transaction. */
  flushRemovals(): void {
    if (this.removed.size !== 0) this.db.transactionSync(() => this.deleteRemoved());
  }

  /** Inside a write transaction: the removals become LMDB deletes (forgotten once committed). */
  private deleteRemoved(): void {
    for (const k of this.removed.values()) this.db.removeSync(k);
    this.removed.clear();
  }

  /** Stores a record; returns its size on disk (key + value bytes). */
  put(space: number, rec: ColdRecord): number {
    const hashed = needsHash(rec.key);
    const keyLen = hashed ? rec.key.length : 0;
    const value = Buffer.allocUnsafe(HEADER + keyLen + rec.payload.length);
    value.writeUInt8(RECORD_VERSION, 0);
    value.writeDoubleLE(rec.expire, 1);
    value.writeUInt32LE(rec.stamp >>> 0, 9);
    value.writeUInt32LE(keyLen, 13);
    if (hashed) value.write(rec.key, HEADER, 'latin1');
    rec.payload.copy(value, HEADER + keyLen);
    const k = lmdbKey(space, rec.key);
    this.db.putSync(k, value);
    if (this.removed.size !== 0) this.removed.delete(k.toString('latin1'));
    return k.length + value.length;
  }

  /** The record of `key`, or undefined; throws ColdStoreError on a malformed record. */
  get(space: number, key: string): StoredRecord | undefined {
    const k = lmdbKey(space, key);
    const value = this.read(k);
    if (value === undefined) return undefined;
    const rec = decodeRecord(value, key);
    // A hash collision of two long keys: the other key's record is not this key's.
    return rec.key === key ? { ...rec, bytes: k.length + value.length } : undefined;
  }

  /** The stored value under LMDB key `k`, unless removed. */
  private read(k: Buffer): Buffer | undefined {
    if (this.removed.size !== 0 && this.removed.has(k.toString('latin1'))) return undefined;
    if (++this.readsSinceCheck === READS_PER_MAPPING_CHECK) this.unmapIfOverBudget();
    this.reads++;
    const started = performance.now();
    const value = this.db.getBinary(k);
    if (performance.now() - started > SLOW_READ_MS) this.slowReads++;
    return value;
  }

  /**
   * Reads the records under these LMDB keys on a pool thread (lmdb's prefetch), so that their
   * pages are in memory when they are read here; `done` runs on this thread afterwards. The
   * environment is not reopened meanwhile (lmdb would wait for the thread, with two open at once).
   */
  prefetch(keys: Buffer[], done: () => void): void {
    this.readers++;
    void this.db.prefetch(keys, () => {
      this.readers--;
      done();
      // A reopen it held back, once the reads it served are done.
      if (this.unmapDeferred) this.unmapIfOverBudget();
    });
  }

  /** Removes the record of `key` (see the file comment); returns the bytes it took, 0 when there was none. */
  remove(space: number, key: string): number {
    const k = lmdbKey(space, key);
    const value = this.read(k);
    if (value === undefined) return 0;
    this.removed.set(k.toString('latin1'), k);
    return k.length + value.length;
  }

  /**
   * Up to `limit` records of `space` after the LMDB key `after` (from the start when null), the
   * first `skip` passed over, in LMDB order, each with its LMDB key (a cursor to resume from).
   */
  *entries(space: number, after: Buffer | null, limit = Infinity, skip = 0, txn?: Transaction): Generator<{ at: Buffer; rec: ColdRecord }> {
    // A walk cannot skip removed records and still count its limit and offset in LMDB's terms.
    this.flushRemovals();
    const start = after ?? spacePrefix(space);
    const range = this.db.getRange({
      start,
      end: spacePrefix(space + 1),
      exclusiveStart: after !== null,
      offset: skip,
      limit: limit === Infinity ? undefined : limit,
      transaction: txn,
    });
    this.readers++;
    try {
      for (const { key, value } of range) {
        yield { at: Buffer.from(key), rec: decodeRecord(value, key[4] === TAG_DIRECT ? key.toString('latin1', PREFIX) : null) };
      }
    } finally {
      this.readers--;
    }
  }

  /** Removes every record of `space`. */
  clearSpace(space: number): void {
    const keys = [...this.db.getKeys({ start: spacePrefix(space), end: spacePrefix(space + 1) })];
    this.batch(() => {
      for (const k of keys) this.db.removeSync(k);
    });
  }

  clearAll(): void {
    this.db.clearSync();
    this.removed.clear();
  }

  /**
   * A point-in-time view for reading while writes go on (snapshots); call done() on it. Pending
   * removals are deleted first: the view cannot skip them once later ones are marked.
   */
  readView(): ReadView {
    this.flushRemovals();
    const txn = this.db.useReadTransaction();
    this.readers++;
    return {
      txn,
      done: () => {
        txn.done();
        this.readers--;
      },
    };
  }
}

function openEnvironment(dir: string): Database<Buffer, Buffer> {
  const { open } = requireModule('lmdb') as typeof import('lmdb');
  return open<Buffer, Buffer>({ path: dir, encoding: 'binary', keyEncoding: 'binary', noSync: true, compression: false, cache: false, mapSize: MAP_SIZE });
}

/** The unit of /proc/self/statm: the base page of the Linux platforms Node runs on. */
const PAGE_SIZE = 4096;
const HAS_STATM = fs.existsSync('/proc/self/statm');

/**
 * File-backed resident memory of this process (the "shared" column of /proc/self/statm); 0 where
 * there is no /proc, so that the store never reopens there.
 */
function mappedFileBytes(): number {
  if (!HAS_STATM) return 0;
  const shared = fs.readFileSync('/proc/self/statm', 'latin1').split(' ', 3)[2];
  return Number(shared) * PAGE_SIZE;
}

/** The LMDB key prefix of a space: u32 BE. */
export function spacePrefix(space: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(space);
  return b;
}

function needsHash(key: string): boolean {
  return PREFIX + key.length > MAX_LMDB_KEY;
}

/** What put() stores for a record of `key` with a payload of `payloadLength` bytes (LMDB key + value). */
export function storedBytes(key: string, payloadLength: number): number {
  return needsHash(key) ? PREFIX + 32 + HEADER + key.length + payloadLength : PREFIX + key.length + HEADER + payloadLength;
}

export function lmdbKey(space: number, key: string): Buffer {
  if (needsHash(key)) {
    const k = Buffer.allocUnsafe(PREFIX + 32);
    k.writeUInt32BE(space, 0);
    k[4] = TAG_HASHED;
    createHash('sha256').update(Buffer.from(key, 'latin1')).digest().copy(k, PREFIX);
    return k;
  }
  const k = Buffer.allocUnsafe(PREFIX + key.length);
  k.writeUInt32BE(space, 0);
  k[4] = TAG_DIRECT;
  k.write(key, PREFIX, 'latin1');
  return k;
}

/** A record's fields; `directKey` is the key when the LMDB key holds it (null: read it from the record). */
function decodeRecord(value: Buffer, directKey: string | null): ColdRecord {
  if (value.length < HEADER || value[0] !== RECORD_VERSION) throw new ColdStoreError('malformed cold record');
  const keyLen = value.readUInt32LE(13);
  if (HEADER + keyLen > value.length) throw new ColdStoreError('malformed cold record');
  return {
    key: keyLen === 0 ? (directKey ?? '') : value.toString('latin1', HEADER, HEADER + keyLen),
    expire: value.readDoubleLE(1),
    stamp: value.readUInt32LE(9),
    payload: value.subarray(HEADER + keyLen),
  };
}
