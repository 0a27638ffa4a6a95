/*
 * The file-system seam under the durable writers: the AOF incr writer (storage/aof/log.ts), the
 * manifest writer (storage/aof/manifest.ts) and the snapshot writer (src/server/snapshots.ts) make
 * every open, write, fsync, rename, truncate, close and directory fsync through a FileIo.
 *
 * `realIo` is node's fs functions themselves (no wrapper, no per-call work): the production path
 * pays one property lookup. Tests swap in recovery/faults.ts's FaultyIo (`server.io`) to fail, tear
 * or lose calls. Reads (loading at startup) do not go through the seam: they see the files as the
 * faults left them.
 */

import fs from 'node:fs';

export interface FileIo {
  /** flags: 'a' (append, create), 'w' (truncate, create). */
  openSync(path: string, flags: 'a' | 'w'): number;
  /** Writes up to `length` bytes of `data` from `offset`; returns how many were written. */
  writeSync(fd: number, data: Uint8Array, offset: number, length: number): number;
  fdatasync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void;
  fdatasyncSync(fd: number): void;
  fsync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  closeSync(fd: number): void;
  fstatSync(fd: number): { size: number };
  renameSync(from: string, to: string): void;
  /** fsync of a directory: makes the creations and renames in it durable. */
  fsyncDir(dir: string): void;
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export const realIo: FileIo = {
  openSync: fs.openSync,
  writeSync: fs.writeSync,
  fdatasync: fs.fdatasync,
  fdatasyncSync: fs.fdatasyncSync,
  fsync: fs.fsync,
  fsyncSync: fs.fsyncSync,
  ftruncateSync: fs.ftruncateSync,
  closeSync: fs.closeSync,
  fstatSync: fs.fstatSync,
  renameSync: fs.renameSync,
  fsyncDir,
};

/** strerror(3) of the errors a disk gives, for Redis's error texts (node's messages are libuv's). */
const STRERROR: Record<string, string> = {
  EIO: 'Input/output error',
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  EROFS: 'Read-only file system',
  EFBIG: 'File too large',
  EBADF: 'Bad file descriptor',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EINVAL: 'Invalid argument',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  EINTR: 'Interrupted system call',
  EAGAIN: 'Resource temporarily unavailable',
};

export function strerror(err: NodeJS.ErrnoException): string {
  return (err.code !== undefined ? STRERROR[err.code] : undefined) ?? err.message;
}
