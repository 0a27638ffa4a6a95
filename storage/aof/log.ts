/*
 * The append side of one incr file, with group commit.
 *
 * - `append` writes synchronously (the bytes are in the kernel before any reply that depends on
 *   them leaves, as Redis's write in beforeSleep), looping over short writes. A failed write is cut
 *   back with ftruncate so the file never keeps half a record, and the caller keeps the bytes to
 *   retry.
 * - `requestSync` starts an fsync on the libuv pool, off the command thread. While it runs, later
 *   ticks keep appending; when it completes, `onSynced(offset)` reports how far the file is durable.
 *   The owner starts the next fsync from its next tick, so one fsync covers every tick that
 *   accumulated meanwhile plus the requests that arrived with the completion (group commit).
 * - Offsets are bytes since the file was opened for appending (`written` starts at its size).
 */

import fs from 'node:fs';

export class AppendLog {
  /** File size: every byte appended so far. */
  written: number;
  /** Bytes known durable. */
  synced: number;
  /** The error of the last failed write or fsync, cleared by the next success. */
  lastError: NodeJS.ErrnoException | null = null;
  onSynced: (offset: number) => void = () => {};
  onError: (err: NodeJS.ErrnoException) => void = () => {};
  private syncing = false;
  private closed = false;

  private constructor(
    readonly path: string,
    private fd: number,
    size: number,
  ) {
    this.written = size;
    this.synced = size;
  }

  /** Opens (creating if needed) a file for appending. */
  static open(path: string): AppendLog {
    const fd = fs.openSync(path, 'a');
    const size = fs.fstatSync(fd).size;
    return new AppendLog(path, fd, size);
  }

  get syncInFlight(): boolean {
    return this.syncing;
  }

  /** Writes all of `data`; false (file cut back to its previous size) when the write failed. */
  append(data: Buffer): boolean {
    let off = 0;
    try {
      while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off);
    } catch (err) {
      this.fail(err as NodeJS.ErrnoException);
      if (off > 0) {
        try {
          fs.ftruncateSync(this.fd, this.written);
        } catch {
          // The size is wrong now; the loader's torn-tail handling covers a crash in this state.
        }
      }
      return false;
    }
    this.written += data.length;
    if (this.lastError !== null && this.lastError.syscall === 'write') this.lastError = null;
    return true;
  }

  /** Starts an fsync unless one is running or nothing is pending. */
  requestSync(): void {
    if (this.syncing || this.closed || this.synced >= this.written) return;
    this.syncing = true;
    const target = this.written;
    // fdatasync, as Redis on Linux: the data and the size, without the timestamps.
    fs.fdatasync(this.fd, (err) => {
      this.syncing = false;
      if (this.closed) return;
      if (err) {
        this.fail(err);
        return;
      }
      this.lastError = null;
      if (target > this.synced) this.synced = target;
      this.onSynced(this.synced);
    });
  }

  /** Synchronous fsync (shutdown, rewrite switch-over). */
  syncNow(): void {
    try {
      fs.fdatasyncSync(this.fd);
      this.synced = this.written;
      this.lastError = null;
      this.onSynced(this.synced);
    } catch (err) {
      this.fail(err as NodeJS.ErrnoException);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }

  private fail(err: NodeJS.ErrnoException): void {
    this.lastError = err;
    this.onError(err);
  }
}
