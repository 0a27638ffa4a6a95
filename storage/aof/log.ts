/*
 * The append side of one incr file, with group commit.
 *
 * - `append` writes synchronously (the bytes are in the kernel before any reply that depends on
 *   them leaves, as Redis's write in beforeSleep), looping over short writes. A failed write is cut
 *   back with ftruncate so the file never keeps half a record, and the caller keeps the bytes to
 *   retry.
 * - `requestSync` starts an fsync on the libuv pool, off the command thread; when it completes,
 *   `onSynced(offset)` reports how far the file is durable. Up to MAX_SYNCS_IN_FLIGHT may run at
 *   once (a journal commits the fsyncs that wait together). The server does not use that for
 *   group commit, though: a write issued while an fsync runs waits for it in the kernel, so it
 *   holds its bytes back until the completion and then writes and syncs them together
 *   (src/server/persistence.ts). A request that finds every slot busy is covered by the fsync the
 *   owner starts at the next completion.
 * - Offsets are bytes since the file was opened for appending (`written` starts at its size).
 *
 * Failures. After a failed fsync Linux may have dropped the dirty pages (marked clean, never
 * written), so a later successful fsync proves nothing about them. With `retain` on, the log keeps
 * a copy of every byte in [synced, written); `retry` (the owner calls it once a second while
 * `lastError` is set) cuts the file back to `synced`, writes those bytes again and fsyncs, so
 * `synced` only ever covers bytes that a successful fsync wrote. Until then `append` refuses: no
 * byte may land after a region that is about to be cut. A failed write whose ftruncate also
 * failed leaves `tailDirty`; the retry cuts it first.
 *
 * Each fsync in flight uses its own open file description: Linux reports a writeback error once
 * per description, so two fsyncs sharing one could see the error go to the later one while the
 * earlier one succeeds, vouching for bytes that were dropped. (A description opened later still
 * reports an error nobody has seen; one already seen was reported by an earlier completion.)
 */

import { realIo, type FileIo } from '../io/fs.js';

/** As many as libuv's default thread pool runs at once. */
const MAX_SYNCS_IN_FLIGHT = 4;

export class AppendLog {
  /** File size: every byte appended so far. */
  written: number;
  /** Bytes known durable. */
  synced: number;
  /** The error of the last failed write or fsync, cleared by the next success. */
  lastError: NodeJS.ErrnoException | null = null;
  onSynced: (offset: number) => void = () => {};
  onError: (err: NodeJS.ErrnoException) => void = () => {};
  /** Keep copies of un-synced bytes (off under appendfsync no, where nothing syncs them). */
  retain = true;
  /** fsyncs started and not completed yet. */
  private syncsInFlight = 0;
  /** Where the last fsync started will make the file durable to. */
  private syncRequested: number;
  /** Descriptions of the file free for the next fsync (`fd` first; more are opened on demand). */
  private readonly idleSyncFds: number[];
  private closed = false;
  /** Copies of the bytes appended since `retainedFrom`, contiguous up to `written`. */
  private retained: Buffer[] = [];
  /** File offset of the first retained byte; -1 when a gap (retain was off) makes them unusable. */
  private retainedFrom: number;
  /** An fsync failed: [synced, written) may not be on disk whatever later fsyncs say. */
  private syncFailed = false;
  /** The file may hold a partial write past `written` (its ftruncate failed). */
  private tailDirty = false;

  private constructor(
    readonly path: string,
    private fd: number,
    size: number,
    private readonly io: FileIo,
  ) {
    this.written = size;
    this.synced = size;
    this.retainedFrom = size;
    this.syncRequested = size;
    this.idleSyncFds = [fd];
  }

  /** Opens (creating if needed) a file for appending. */
  static open(path: string, io: FileIo = realIo): AppendLog {
    const fd = io.openSync(path, 'a');
    try {
      return new AppendLog(path, fd, io.fstatSync(fd).size, io);
    } catch (err) {
      io.closeSync(fd);
      throw err;
    }
  }

  /** fsyncs started and not completed (INFO aof_pending_bio_fsync). */
  get syncsPending(): number {
    return this.syncsInFlight;
  }

  get syncInFlight(): boolean {
    return this.syncsInFlight > 0;
  }

  /** Writes all of `data`; false (file cut back to its previous size) when the write failed. */
  append(data: Uint8Array): boolean {
    // Until the retry has repaired the file, nothing may go after the suspect region.
    if (this.syncFailed || this.tailDirty) return false;
    const io = this.io;
    let off = 0;
    try {
      while (off < data.length) off += io.writeSync(this.fd, data, off, data.length - off);
    } catch (err) {
      this.fail(err as NodeJS.ErrnoException);
      // Even a write that reported nothing may have put bytes in the file: always cut back.
      try {
        io.ftruncateSync(this.fd, this.written);
      } catch {
        this.tailDirty = true;
      }
      return false;
    }
    if (this.retain) {
      if (this.retainedFrom >= 0) this.retained.push(Buffer.from(data));
    } else if (this.retainedFrom >= 0) {
      this.retained = [];
      this.retainedFrom = -1;
    }
    this.written += data.length;
    if (this.lastError !== null && this.lastError.syscall === 'write') this.lastError = null;
    return true;
  }

  /**
   * Starts an fsync of everything written so far, unless no byte is new since the last one started,
   * MAX_SYNCS_IN_FLIGHT are running, or a failure awaits `retry`.
   */
  requestSync(): void {
    if (this.closed || this.syncFailed || this.tailDirty || Math.max(this.synced, this.syncRequested) >= this.written) return;
    const fd = this.idleSyncFds.pop() ?? this.openSyncFd();
    if (fd === null) return;
    this.syncsInFlight++;
    const target = this.written;
    this.syncRequested = target;
    // fdatasync, as Redis on Linux: the data and the size, without the timestamps.
    this.io.fdatasync(fd, (err) => {
      this.syncsInFlight--;
      if (this.closed) {
        this.closeLate(fd);
        return;
      }
      this.idleSyncFds.push(fd);
      // After a failure, only the repair of `retry` may vouch for the bytes (see the header).
      if (this.syncFailed) return;
      if (err) {
        this.syncFailed = true;
        this.fail(err);
        return;
      }
      this.markSynced(target);
    });
  }

  /**
   * Synchronous fsync (shutdown, rewrite switch-over); after a failure, the repair of `retry`.
   * True when everything written is durable.
   */
  syncNow(): boolean {
    if (this.closed) return false;
    if (this.syncFailed || this.tailDirty) return this.retry();
    try {
      this.io.fdatasyncSync(this.fd);
    } catch (err) {
      this.syncFailed = true;
      this.fail(err as NodeJS.ErrnoException);
      return false;
    }
    this.markSynced(this.written);
    return true;
  }

  /**
   * After a failure: cut what may be a partial write, rewrite the bytes a failed fsync may have
   * dropped, fsync. True when everything written is durable now.
   */
  retry(): boolean {
    if (this.syncsInFlight > 0 || this.closed) return false;
    const io = this.io;
    let syncing = false;
    try {
      if (this.syncFailed && this.retainedFrom === this.synced) {
        io.ftruncateSync(this.fd, this.synced);
        for (const chunk of this.retained) {
          let off = 0;
          while (off < chunk.length) off += io.writeSync(this.fd, chunk, off, chunk.length - off);
        }
      } else if (this.tailDirty) {
        io.ftruncateSync(this.fd, this.written);
      }
      // Without retained bytes (appendfsync was no) a repeated fsync is all that can be done.
      this.tailDirty = false;
      syncing = true;
      io.fdatasyncSync(this.fd);
    } catch (err) {
      // A failed rewrite leaves the file longer than `synced`: the next retry cuts it again.
      if (syncing) this.syncFailed = true;
      this.fail(err as NodeJS.ErrnoException);
      return false;
    }
    this.syncFailed = false;
    this.markSynced(this.written);
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Descriptions with an fsync in flight are closed when it completes.
    for (const fd of this.idleSyncFds.splice(0)) this.io.closeSync(fd);
  }

  /** Closes a description whose fsync completed after `close`. */
  private closeLate(fd: number): void {
    try {
      this.io.closeSync(fd);
    } catch {
      // Nobody is left to tell (a callback that threw would end the process), and the closed log
      // vouches for nothing more.
    }
  }

  /** One more description for an fsync in flight; null when the limit is reached or opening fails. */
  private openSyncFd(): number | null {
    if (this.syncsInFlight >= MAX_SYNCS_IN_FLIGHT) return null;
    try {
      return this.io.openSync(this.path, 'a');
    } catch {
      // The running fsyncs still cover these bytes, one after the other.
      return null;
    }
  }

  private markSynced(target: number): void {
    this.lastError = null;
    if (target > this.synced) {
      // Retained chunks end at append boundaries, and every fsync target is one.
      if (this.retainedFrom >= 0) {
        let from = this.retainedFrom;
        let n = 0;
        while (n < this.retained.length && from < target) from += this.retained[n++].length;
        this.retained.splice(0, n);
        this.retainedFrom = from;
      }
      this.synced = target;
    }
    if (this.retainedFrom < 0 && this.synced === this.written) this.retainedFrom = this.written;
    this.onSynced(this.synced);
  }

  private fail(err: NodeJS.ErrnoException): void {
    this.lastError = err;
    this.onError(err);
  }
}
