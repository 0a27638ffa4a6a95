/*
 * Fault injection for the file-system seam (storage/io/fs.ts), for tests only.
 *
 * FaultyIo runs every call on the real files and keeps a model of what a power cut would leave:
 * - each file (by inode) has a durable size: its size at its last successful fsync (a file that
 *   existed before it was first opened here counts as durable as it is);
 * - each directory has a list of entry changes (creations, renames) since its last fsync.
 * `powerLoss()` cuts every file back to its durable size and undoes, newest first, the entry
 * changes no directory fsync covered (a rename is undone by moving the file back and restoring
 * the file it replaced, kept as a hard link). Then the "machine" is dead: every later call fails
 * with EIO (close still closes), so the abandoned server can no longer change anything.
 * `crash()` is a kill -9: the files stay as they are (the page cache survives), calls fail after.
 *
 * A failed fsync models Linux's worst case: the dirty pages are dropped, i.e. the bytes after the
 * durable size read back as zeros, whatever a later fsync reports, until they are written again.
 *
 * Not modelled: unlink (never undone), metadata-only fsync differences (fdatasync = fsync), the
 * order in which a cut file's pages reach the disk (a cut always keeps an exact prefix), reads.
 *
 * Plans are JSON, so the server can load one at startup from STRATA_FAULTS (src/main.ts), e.g.
 *   STRATA_FAULTS='{"failFsyncAfter":3}'
 *   STRATA_FAULTS='{"rules":[{"op":"write","nth":2,"tearAt":5,"times":3,"error":"ENOSPC"}]}'
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileIo } from '../storage/io/fs.js';

export type FaultOp = 'open' | 'write' | 'fsync' | 'ftruncate' | 'close' | 'rename' | 'fsyncDir';

export interface FaultRule {
  /** Which calls: one kind (fsync covers fdatasync), or 'any'. */
  op: FaultOp | 'any';
  /** Only calls whose path contains this. */
  path?: string;
  /** The first matching call that fails (1-based). Default 1. */
  nth?: number;
  /** How many matching calls fail from the nth on. Default: all of them. */
  times?: number;
  /** errno code. Default EIO. */
  error?: 'EIO' | 'ENOSPC' | 'EDQUOT' | 'EROFS';
  /** write only: this many bytes of the write reach the file before it fails. */
  tearAt?: number;
  /** Instead of failing: the power goes out just before the call (the call fails, all later ones too). */
  powerLoss?: boolean;
  /** Instead of failing: the process is killed just before the call (files stay as they are). */
  kill?: boolean;
}

export interface FaultPlan {
  rules?: FaultRule[];
  /** Every fsync after the first n succeeds fails (until `heal()`). */
  failFsyncAfter?: number;
  /** Power goes out when the total of bytes written reaches this: the write that crosses it is torn there. */
  powerLossAtByte?: number;
}

interface TrackedFd {
  path: string;
  ino: number;
  dir: boolean;
}

type EntryChange = { kind: 'create'; dir: string; path: string } | { kind: 'rename'; dir: string; from: string; to: string; replaced: string | null };

const ERRNO: Record<string, number> = { EIO: -5, ENOSPC: -28, EDQUOT: -122, EROFS: -30 };

function errnoError(code: string, syscall: string, file?: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: simulated fault, ${syscall}${file ? ` '${file}'` : ''}`);
  err.code = code;
  err.errno = ERRNO[code] ?? -5;
  err.syscall = syscall;
  if (file) err.path = file;
  return err;
}

export class FaultyIo implements FileIo {
  /** Calls made so far, per kind and in all ('any'). */
  readonly calls = new Map<FaultOp | 'any', number>();
  /** Every call in order, e.g. "write appendonly.aof.1.incr.aof", for tests to pick crash points. */
  readonly trace: string[] = [];
  bytesWritten = 0;
  dead = false;
  private rules: FaultRule[] = [];
  private failFsyncAfter = Infinity;
  private powerLossAtByte = Infinity;
  private fsyncsOk = 0;
  /** Per rule, matching calls seen. */
  private seen: number[] = [];
  private readonly fds = new Map<number, TrackedFd>();
  /** Durable size per inode, and the path each inode was last known under. */
  private readonly durable = new Map<number, number>();
  private readonly inodePaths = new Map<number, string>();
  private changes: EntryChange[] = [];
  private stashDir: string | null = null;
  private stashes = 0;

  constructor(plan: FaultPlan = {}) {
    this.apply(plan);
  }

  /** Arms a plan; its counts (nth, failFsyncAfter, powerLossAtByte) start from now. */
  apply(plan: FaultPlan): void {
    this.addRules(...(plan.rules ?? []));
    if (plan.failFsyncAfter !== undefined) this.failFsyncAfter = this.fsyncsOk + plan.failFsyncAfter;
    if (plan.powerLossAtByte !== undefined) this.powerLossAtByte = this.bytesWritten + plan.powerLossAtByte;
  }

  /** The disk recovers: no more injected failures (power-loss bookkeeping continues). */
  heal(): void {
    this.rules = [];
    this.failFsyncAfter = Infinity;
  }

  /** Adds rules; `nth` counts matching calls from now on. */
  addRules(...rules: FaultRule[]): void {
    for (const r of rules) {
      this.rules.push(r);
      this.seen.push(0);
    }
  }

  /** The power goes out: unsynced bytes and un-fsynced directory changes are lost. */
  powerLoss(): void {
    if (this.dead) return;
    this.die();
    for (const [ino, size] of this.durable) {
      const file = this.inodePaths.get(ino)!;
      let st: fs.Stats;
      try {
        st = fs.statSync(file);
      } catch {
        continue; // unlinked
      }
      if (st.ino === ino && st.size > size) fs.truncateSync(file, size);
    }
    for (const ch of this.changes.reverse()) {
      if (ch.kind === 'create') {
        fs.rmSync(ch.path, { force: true });
      } else {
        if (fs.existsSync(ch.to)) fs.renameSync(ch.to, ch.from);
        if (ch.replaced !== null) fs.renameSync(ch.replaced, ch.to);
      }
    }
    this.changes = [];
    this.cleanStash();
  }

  /** kill -9: the files stay as the page cache has them; nothing more is written. */
  crash(): void {
    if (this.dead) return;
    this.die();
    this.cleanStash();
  }

  private die(): void {
    this.dead = true;
    for (const fd of this.fds.keys()) {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
    }
    this.fds.clear();
  }

  private cleanStash(): void {
    if (this.stashDir !== null) fs.rmSync(this.stashDir, { recursive: true, force: true });
    this.stashDir = null;
  }

  /** Counts the call, then throws if the machine is dead or a rule says so; returns a tearing rule. */
  private check(op: FaultOp, file: string, syncOp = false): FaultRule | null {
    this.calls.set(op, (this.calls.get(op) ?? 0) + 1);
    this.calls.set('any', (this.calls.get('any') ?? 0) + 1);
    this.trace.push(`${op} ${path.basename(file)}`);
    if (this.dead) throw errnoError('EIO', op, file);
    for (let i = 0; i < this.rules.length; i++) {
      const r = this.rules[i];
      if ((r.op !== op && r.op !== 'any') || (r.path !== undefined && !file.includes(r.path))) continue;
      const n = ++this.seen[i];
      const nth = r.nth ?? 1;
      if (n < nth || n >= nth + (r.times ?? Infinity)) continue;
      if (r.powerLoss || r.kill) {
        if (r.powerLoss) this.powerLoss();
        else this.crash();
        throw errnoError('EIO', op, file);
      }
      if (r.tearAt !== undefined && op === 'write') return r;
      throw errnoError(r.error ?? 'EIO', op, file);
    }
    if (syncOp && this.fsyncsOk >= this.failFsyncAfter) throw errnoError('EIO', op, file);
    return null;
  }

  private tracked(fd: number): TrackedFd {
    if (this.dead) throw errnoError('EIO', 'fd');
    const t = this.fds.get(fd);
    if (t === undefined) throw errnoError('EBADF', 'fd');
    return t;
  }

  openSync(file: string, flags: 'a' | 'w'): number {
    this.check('open', file);
    const existed = fs.existsSync(file);
    const fd = fs.openSync(file, flags);
    const ino = fs.fstatSync(fd).ino;
    this.fds.set(fd, { path: file, ino, dir: false });
    this.inodePaths.set(ino, file);
    if (!existed) {
      this.durable.set(ino, 0);
      this.changes.push({ kind: 'create', dir: path.dirname(file), path: file });
    } else if (flags === 'w') {
      this.durable.set(ino, 0);
    } else if (!this.durable.has(ino)) {
      this.durable.set(ino, fs.fstatSync(fd).size);
    }
    return fd;
  }

  writeSync(fd: number, data: Uint8Array, offset: number, length: number): number {
    const t = this.tracked(fd);
    const tear = this.check('write', t.path);
    const budget = this.powerLossAtByte - this.bytesWritten;
    if (budget <= length) {
      fs.writeSync(fd, data, offset, Math.max(0, budget));
      this.bytesWritten += Math.max(0, budget);
      this.powerLoss();
      throw errnoError('EIO', 'write', t.path);
    }
    if (tear !== null) {
      fs.writeSync(fd, data, offset, Math.min(tear.tearAt!, length));
      throw errnoError(tear.error ?? 'EIO', 'write', t.path);
    }
    const n = fs.writeSync(fd, data, offset, length);
    this.bytesWritten += n;
    return n;
  }

  /** An fsync of an fd: durable up to its size now, or (failing) the pages past the durable size dropped. */
  private syncFd(fd: number): NodeJS.ErrnoException | null {
    const t = this.tracked(fd);
    try {
      this.check('fsync', t.path, true);
    } catch (err) {
      if (!this.dead) this.dropDirtyPages(fd, t);
      return err as NodeJS.ErrnoException;
    }
    this.fsyncsOk++;
    this.durable.set(t.ino, fs.fstatSync(fd).size);
    return null;
  }

  private dropDirtyPages(fd: number, t: TrackedFd): void {
    const from = this.durable.get(t.ino) ?? 0;
    const size = fs.fstatSync(fd).size;
    if (size <= from) return;
    // Through a descriptor of its own: the log's is opened for appending, where a positioned write
    // would land at the end instead of over the dropped pages.
    const overwrite = fs.openSync(t.path, 'r+');
    try {
      fs.writeSync(overwrite, Buffer.alloc(size - from), 0, size - from, from);
    } finally {
      fs.closeSync(overwrite);
    }
  }

  fdatasync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void {
    // Completes on a later turn, like the thread-pool fsync, so ticks keep running meanwhile.
    setImmediate(() => callback(this.dead ? errnoError('EIO', 'fsync') : this.syncFd(fd)));
  }

  fdatasyncSync(fd: number): void {
    const err = this.syncFd(fd);
    if (err !== null) throw err;
  }

  fsync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void {
    this.fdatasync(fd, callback);
  }

  fsyncSync(fd: number): void {
    this.fdatasyncSync(fd);
  }

  ftruncateSync(fd: number, length: number): void {
    const t = this.tracked(fd);
    this.check('ftruncate', t.path);
    fs.ftruncateSync(fd, length);
    const d = this.durable.get(t.ino) ?? 0;
    if (d > length) this.durable.set(t.ino, length);
  }

  closeSync(fd: number): void {
    // Closing always releases the descriptor (as close(2) does even when it reports an error).
    const t = this.fds.get(fd);
    this.fds.delete(fd);
    if (t === undefined) return; // closed when the machine died
    try {
      this.check('close', t.path);
    } finally {
      fs.closeSync(fd);
    }
  }

  fstatSync(fd: number): { size: number } {
    return fs.fstatSync(fd);
  }

  renameSync(from: string, to: string): void {
    this.check('rename', to);
    let replaced: string | null = null;
    if (fs.existsSync(to)) {
      this.stashDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'strata-faults-'));
      replaced = path.join(this.stashDir, String(this.stashes++));
      fs.linkSync(to, replaced);
    }
    fs.renameSync(from, to);
    const ino = fs.statSync(to).ino;
    this.inodePaths.set(ino, to);
    for (const t of this.fds.values()) if (t.ino === ino) t.path = to;
    this.changes.push({ kind: 'rename', dir: path.dirname(to), from, to, replaced });
  }

  fsyncDir(dir: string): void {
    this.check('fsyncDir', dir);
    const resolved = path.resolve(dir);
    this.changes = this.changes.filter((ch) => path.resolve(ch.dir) !== resolved);
  }
}
