/*
 * RDB snapshots of the live dataset: SAVE, BGSAVE, the `save <seconds> <changes>` schedule, the
 * dump file loaded at startup, and the base of an AOF rewrite.
 *
 * A snapshot is a SnapshotWalker (storage/snapshot) installed as the keyspace's change observer:
 * it serializes the cut in slices between ticks, and any change to a key it has not written yet
 * first writes that key's cut value. Output streams to `temp-<pid>.rdb`, which is fsynced and
 * renamed over the target only when complete, then the directory is fsynced: a crash at any point
 * leaves the previous file intact. One snapshot runs at a time, as in Redis.
 */

import fs from 'node:fs';
import path from 'node:path';
import { RdbWriter } from '../../storage/rdb/writer.js';
import { readRdb } from '../../storage/rdb/reader.js';
import type { RdbEntry } from '../../storage/rdb/model.js';
import { SnapshotWalker } from '../../storage/snapshot/walker.js';
import type { ChangeObserver } from '../keyspace/db.js';
import { fromRdbValue, toRdbValue, type EncodingLimits } from '../keyspace/rdb-values.js';
import type { Value } from '../types/object.js';
import { HashObject } from '../types/hash.js';
import { trackFieldExpiry } from '../keyspace/field-expire.js';
import { REDIS_VERSION, type Server } from './server.js';

/** How long one slice of a background snapshot may run before yielding to commands. */
const SLICE_MS = 1;

/**
 * How a dataset is loaded: `skipExpired` drops keys already expired (as a master does);
 * `replace` lets a key of the file replace one in memory (DEBUG RELOAD NOFLUSH), where otherwise
 * a key met twice means a corrupt file.
 */
export interface LoadOptions {
  skipExpired: boolean;
  replace?: boolean;
}

export interface SnapshotJob {
  /** 'rdb': the dump file (BGSAVE); 'aof': the base of a log rewrite. */
  kind: 'rdb' | 'aof';
  /** Where the finished file goes (renamed from a temp file in the same directory). */
  target: string;
  /** Extra aux fields (e.g. aof-base). */
  aux?: Array<[string, string]>;
  /** Called once the file is durable (err null) or the job failed. */
  done: (err: Error | null) => void;
}

class RunningSnapshot implements ChangeObserver {
  readonly walker: SnapshotWalker<Value>;
  readonly writer: RdbWriter;
  readonly startedAt = Date.now();
  /** keyspace.effects.dirty at the cut: what a successful save makes clean. */
  readonly dirtyAtCut: number;
  private readonly fd: number;
  readonly temp: string;
  failed: Error | null = null;

  constructor(
    readonly server: Server,
    readonly job: SnapshotJob,
  ) {
    this.temp = path.join(path.dirname(job.target), `temp-${process.pid}-${Date.now()}.rdb`);
    const io = server.io;
    this.fd = io.openSync(this.temp, 'w');
    const cfg = server.config;
    this.writer = new RdbWriter(
      (chunk) => {
        if (this.failed !== null) return;
        try {
          let off = 0;
          while (off < chunk.length) off += io.writeSync(this.fd, chunk, off, chunk.length - off);
        } catch (err) {
          this.failed = err as Error;
        }
      },
      { compression: cfg.getBool('rdbcompression'), checksum: cfg.getBool('rdbchecksum') },
    );
    this.writer.aux('redis-ver', REDIS_VERSION);
    this.writer.aux('redis-bits', '64');
    this.writer.aux('ctime', String(Math.floor(Date.now() / 1000)));
    this.writer.aux('used-mem', String(process.memoryUsage().heapUsed));
    for (const [k, v] of job.aux ?? [['aof-base', '0']]) this.writer.aux(k, v);
    for (const code of server.functionLibraryCodes()) this.writer.functionLibrary(code);
    this.dirtyAtCut = server.keyspace.effects.dirty;
    const ks = server.keyspace;
    // rdbSaveKeyValuePair: the IDLE opcode under an LRU policy, FREQ under an LFU one.
    const lru = server.eviction.policy.endsWith('-lru');
    const annotate = (e: RdbEntry, stamp?: number): void => {
      if (lru) e.idle = stamp === undefined ? ks.idleSeconds(ks.dbs[e.db], e.key) : ks.idleSecondsOf(stamp);
      else if (ks.lfu) e.freq = stamp === undefined ? ks.frequency(ks.dbs[e.db], e.key) : ks.frequencyOf(stamp);
    };
    const cold = ks.cold;
    const coldAtCut = cold === null ? undefined : () => cold.cut();
    this.walker = new SnapshotWalker<Value>({ dbs: ks.dbs, toRdb: toRdbValue, annotate, coldAtCut }, this.writer);
  }

  beforeChange(db: number, key: string): void {
    this.walker.beforeChange(db, key);
  }

  beforeReplaceAll(): void {
    this.walker.completeNow();
  }

  /** Writes the trailer and closes the temp file; the caller syncs and renames. */
  finishWriting(): void {
    this.writer.finish();
  }

  closeFd(): void {
    this.server.io.closeSync(this.fd);
  }

  get fdForSync(): number {
    return this.fd;
  }
}

export class Snapshots {
  /** Unix seconds of the last successful save (LASTSAVE). */
  lastSave = Math.floor(Date.now() / 1000);
  lastStatusOk = true;
  /** Successful dump saves since startup (INFO rdb_saves). */
  saves = 0;
  lastDurationSec = -1;
  /** BGSAVE SCHEDULE (or BGSAVE in EXEC) waiting for the running snapshot to end. */
  bgsaveScheduled = false;
  private running: RunningSnapshot | null = null;
  private lastAttempt = 0;

  constructor(private readonly server: Server) {}

  get inProgress(): boolean {
    return this.running !== null;
  }

  get runningKind(): 'rdb' | 'aof' | null {
    return this.running === null ? null : this.running.job.kind;
  }

  /** BGSAVE: a background snapshot into the dump file. */
  startDump(): boolean {
    this.bgsaveScheduled = false;
    return this.start({ kind: 'rdb', target: this.dumpPath, done: () => {} });
  }

  /** Seconds the current snapshot has been running, -1 when none. */
  get currentDurationSec(): number {
    return this.running === null ? -1 : Math.floor((Date.now() - this.running.startedAt) / 1000);
  }

  get dumpPath(): string {
    return path.resolve(this.server.config.getString('dbfilename'));
  }

  encodingLimits(): EncodingLimits {
    const cfg = this.server.config;
    return {
      zsetMaxListpackEntries: cfg.getNumber('zset-max-listpack-entries'),
      zsetMaxListpackValue: cfg.getNumber('zset-max-listpack-value'),
      hash: { maxEntries: cfg.getNumber('hash-max-listpack-entries'), maxValue: cfg.getNumber('hash-max-listpack-value') },
      setMaxIntsetEntries: cfg.getNumber('set-max-intset-entries'),
      streamNodeMaxBytes: cfg.getNumber('stream-node-max-bytes'),
      streamNodeMaxEntries: cfg.getNumber('stream-node-max-entries'),
    };
  }

  /**
   * Loads an RDB file into the (empty) keyspace. Keys already expired are skipped, as a master
   * does. Throws on any problem; the caller treats that as fatal, so nothing half-loaded is used.
   */
  loadFile(file: string, opts: LoadOptions): number {
    return this.loadData(fs.readFileSync(file), opts).keys;
  }

  /**
   * Loads RDB data into the keyspace. With `prefix`, the RDB may be followed by other bytes (an
   * AOF's RDB preamble or base); `end` is the offset just past it.
   */
  loadData(data: Buffer, opts: LoadOptions & { prefix?: boolean }): { keys: number; end: number } {
    const server = this.server;
    const ks = server.keyspace;
    const limits = this.encodingLimits();
    const now = Date.now();
    let keys = 0;
    const wasLoading = ks.loading;
    ks.loading = true;
    let end: number;
    try {
      end = readRdb(
        data,
        {
          entry: (e) => {
            if (e.db >= ks.dbs.length) throw new Error(`the file holds database ${e.db}, but 'databases' is ${ks.dbs.length}`);
            if (opts.skipExpired && e.expire >= 0 && e.expire < now) return;
            const db = ks.dbs[e.db];
            const value = fromRdbValue(e.value, limits);
            if (opts.replace) ks.setKey(db, e.key, value);
            else if (!ks.loadKey(db, e.key, value)) throw new Error(`RDB has duplicated key '${e.key}' in DB ${e.db}`);
            if (e.expire >= 0) ks.setExpire(db, e.key, e.expire);
            ks.restoreAccess(db, e.key, e.idle ?? -1, e.freq ?? -1);
            if (value instanceof HashObject && value.supportsTtls) trackFieldExpiry(db, e.key, value);
            keys++;
            server.eviction.relieve();
          },
          functionLibrary: (code) => server.restoreFunctionLibrary(code),
          skipped: (key) => server.log.warn(`skipping empty key: ${key}`),
          warning: (message) => server.log.warn(message),
        },
        { prefix: opts.prefix },
      ).end;
    } finally {
      ks.loading = wasLoading;
    }
    ks.effects.dirty = 0;
    return { keys, end };
  }

  /** Startup: the dump file, when the log is off and the file exists. */
  loadAtStartup(): void {
    // Leftovers of a snapshot interrupted by a crash; the real file was never replaced by them.
    const dir = path.dirname(this.dumpPath);
    for (const name of fs.readdirSync(dir)) if (/^temp-\d+-\d+\.rdb$/.test(name)) fs.rmSync(path.join(dir, name), { force: true });
    const file = this.dumpPath;
    if (!fs.existsSync(file)) return;
    const started = Date.now();
    const keys = this.loadFile(file, { skipExpired: true });
    this.server.log.notice(`DB loaded from disk: ${((Date.now() - started) / 1000).toFixed(3)} seconds, ${keys} keys`);
  }

  /** Starts a background snapshot; false when one is already running. */
  start(job: SnapshotJob): boolean {
    if (this.running !== null) return false;
    let snap: RunningSnapshot;
    try {
      snap = new RunningSnapshot(this.server, job);
    } catch (err) {
      // The temp file could not be created: the job failed at once.
      if (job.kind === 'rdb') {
        this.lastStatusOk = false;
        this.server.log.warn(`Background saving error: ${(err as Error).message}`);
      }
      this.lastAttempt = Date.now();
      job.done(err as Error);
      return true;
    }
    this.running = snap;
    this.server.keyspace.observer = snap;
    this.lastAttempt = Date.now();
    // Slices run from the timers phase: requests read in the poll phase that follows are answered
    // by the flush of the same turn, instead of waiting behind the next slice.
    const slice = (): void => {
      if (this.running !== snap) return;
      let more: boolean;
      try {
        more = !snap.walker.step(SLICE_MS);
      } catch (err) {
        // A value the writer cannot serialize fails this snapshot, not the server.
        snap.failed = err as Error;
        more = false;
      }
      if (more && snap.failed === null) {
        setTimeout(slice, 0);
        return;
      }
      this.server.keyspace.observer = null;
      this.finish(snap, false);
    };
    setTimeout(slice, 0);
    return true;
  }

  /** Abandons a running snapshot (its temp file is removed; the previous file stays). */
  abort(): void {
    const snap = this.running;
    if (snap === null) return;
    this.running = null;
    this.server.keyspace.observer = null;
    snap.walker.abandon();
    try {
      snap.closeFd();
    } finally {
      fs.rmSync(snap.temp, { force: true });
    }
    snap.job.done(new Error('snapshot aborted'));
  }

  /** SAVE: the whole snapshot now, on the command thread (as Redis's SAVE blocks). */
  saveNow(): void {
    if (this.running !== null) throw new Error('Background save already in progress');
    let error: Error | null = null;
    const snap = new RunningSnapshot(this.server, { kind: 'rdb', target: this.dumpPath, done: (err) => (error = err) });
    snap.walker.completeNow();
    this.finish(snap, true);
    if (error) throw error;
  }

  /** Trailer, fsync (off-thread for background jobs), rename, directory fsync, bookkeeping. */
  private finish(snap: RunningSnapshot, sync: boolean): void {
    const complete = (err: Error | null): void => {
      try {
        snap.closeFd();
      } catch {
        // already closed or broken: the error below says what matters
      }
      if (err === null) {
        try {
          this.server.io.renameSync(snap.temp, snap.job.target);
          this.server.io.fsyncDir(path.dirname(snap.job.target));
        } catch (e) {
          err = e as Error;
        }
      }
      if (err !== null) fs.rmSync(snap.temp, { force: true });
      if (this.running === snap) this.running = null;
      this.lastDurationSec = Math.round((Date.now() - snap.startedAt) / 1000);
      if (snap.job.kind === 'rdb') {
        this.lastStatusOk = err === null;
        if (err === null) {
          this.lastSave = Math.floor(Date.now() / 1000);
          this.saves++;
          // Changes made while the snapshot ran are not in it: they stay dirty.
          this.server.keyspace.effects.dirty -= snap.dirtyAtCut;
          this.server.log.notice(sync ? 'DB saved on disk' : 'Background saving terminated with success');
        } else {
          this.server.log.warn(`Background saving error: ${err.message}`);
        }
      }
      snap.job.done(err);
    };
    // A walk cut short by a write error still holds the cold tier's read view.
    snap.walker.abandon();
    if (snap.failed === null) snap.finishWriting();
    if (snap.failed !== null) {
      complete(snap.failed);
      return;
    }
    if (sync) {
      try {
        this.server.io.fsyncSync(snap.fdForSync);
        complete(null);
      } catch (e) {
        complete(e as Error);
      }
      return;
    }
    this.server.io.fsync(snap.fdForSync, (err) => complete(err ?? null));
  }

  /** Serialization point schedule (`save <seconds> <changes> ...`), checked by the cron. */
  cron(): void {
    if (this.running !== null) return;
    if (this.bgsaveScheduled) {
      this.startDump();
      return;
    }
    const spec = this.server.config.getString('save').trim();
    if (spec === '') return;
    const nums = spec.split(/\s+/).map(Number);
    const now = Date.now();
    const dirty = this.server.keyspace.effects.dirty;
    // After a failed save, retry no sooner than 5 seconds later (Redis's CONFIG_BGSAVE_RETRY_DELAY).
    if (!this.lastStatusOk && now - this.lastAttempt < 5000) return;
    for (let i = 0; i + 1 < nums.length; i += 2) {
      const [seconds, changes] = [nums[i], nums[i + 1]];
      if (dirty >= changes && now / 1000 - this.lastSave > seconds) {
        this.server.log.notice(`${changes} changes in ${seconds} seconds. Saving...`);
        this.startDump();
        return;
      }
    }
  }
}
