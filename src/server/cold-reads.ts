/*
 * Cold reads off the command thread (DESIGN.md §5): a read-only command about to read keys that
 * are not in memory, while its db has cold keys, is parked as a blocked client is (its input
 * suspended, CLIENT LIST flag b) and a libuv pool thread reads those keys' LMDB pages (lmdb's
 * prefetch), where a page fault or a disk read stalls no other client. Then the command goes
 * through processCommand again, since the dataset may have changed meanwhile, and its own read
 * finds the pages in memory.
 *
 * When the store's pages are in the page cache (the common case), a synchronous read is cheaper
 * than the trip to a pool thread and back, so `cold-tier-async-reads auto` (the default) parks
 * only while reads wait on the disk: when at least SLOW_PER_WINDOW of the last READ_WINDOW reads
 * on the command thread were slow (ColdStore.slowReads), it parks the next PARK_SPAN commands,
 * then reads synchronously again to measure anew. `yes` always parks, `no` never does.
 *
 * One prefetch is in flight at a time; the commands parked meanwhile share the next one, so that
 * the store can unmap its pages (ColdStore) between two. Writes are not parked: they promote the
 * key and need it at once. Commands queued in MULTI, run by EXEC or by scripts, and the log
 * replayer never come here.
 */

import type { Client } from './client.js';
import type { Server } from './server.js';
import type { CommandEntry } from '../commands/registry.js';
import { getKeys } from '../commands/getkeys.js';

export type AsyncReadMode = 'auto' | 'yes' | 'no';

/**
 * lmdb does not call back when a prefetch fails (it logs): past this, the parked commands run
 * anyway and read synchronously.
 */
const PREFETCH_TIMEOUT_MS = 1000;
/** Auto mode: synchronous reads measured at a time, and how many of them must have been slow to park. */
const READ_WINDOW = 1024;
const SLOW_PER_WINDOW = 16;
/** Auto mode: commands parked before reads are measured again. */
const PARK_SPAN = 16384;

export class ColdReads {
  /** Parked commands' clients waiting for the next prefetch, and their records' LMDB keys. */
  private waiting: Client[] = [];
  private recordKeys: Buffer[] = [];
  private inFlight = false;
  private scheduled = false;
  private mode: AsyncReadMode = 'auto';
  /** Whether reads are parked now (always in mode yes; in auto, for PARK_SPAN commands). */
  private parking = false;
  /** Auto mode: the store's read counts when the current window began, and parked commands left. */
  private windowReads = 0;
  private windowSlowReads = 0;
  private parkLeft = 0;

  constructor(private readonly server: Server) {}

  setMode(mode: AsyncReadMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.parking = mode === 'yes';
    this.startWindow();
  }

  private startWindow(): void {
    const tier = this.server.keyspace.cold;
    this.windowReads = tier?.reads ?? 0;
    this.windowSlowReads = tier?.slowReads ?? 0;
  }

  /** Auto mode, reading synchronously: whether the window just measured says to park. */
  private slowWindow(): boolean {
    const tier = this.server.keyspace.cold!;
    const reads = tier.reads - this.windowReads;
    if (reads >= 0 && reads < READ_WINDOW) return false;
    // A full window (or a new store, whose counts start again).
    const slow = reads >= 0 && tier.slowReads - this.windowSlowReads >= SLOW_PER_WINDOW;
    this.startWindow();
    return slow;
  }

  /**
   * Parks the command when it reads keys of the client's db that are not in memory (the caller
   * knows that db has cold keys); false when it should run now.
   */
  park(c: Client, cmd: CommandEntry, argv: string[]): boolean {
    if (c.prefetched === argv) {
      c.prefetched = null;
      return false;
    }
    if (c.isScript) return false;
    const db = c.db;
    const tier = this.server.keyspace.cold!;
    if (!this.parking) {
      if (this.mode !== 'auto' || !this.slowWindow()) return false;
      this.parking = true;
      this.parkLeft = PARK_SPAN;
    }
    const before = this.recordKeys.length;
    for (const ref of getKeys(cmd, argv)) {
      const key = argv[ref.pos];
      if (!db.dict.has(key)) this.recordKeys.push(tier.recordKey(db, key));
    }
    if (this.recordKeys.length === before) return false;
    tier.stats.parkedReads++;
    if (this.mode === 'auto' && --this.parkLeft === 0) {
      this.parking = false;
      this.startWindow();
    }
    c.postponed = argv;
    this.server.suspendInput(c);
    this.waiting.push(c);
    // At the end of the tick: the commands of every client read in this tick share the prefetch.
    if (!this.inFlight && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.startBound);
    }
    return true;
  }

  private readonly startBound = (): void => this.start();

  private start(): void {
    this.scheduled = false;
    if (this.inFlight || this.waiting.length === 0) return;
    const batch = this.waiting;
    const recordKeys = this.recordKeys;
    this.waiting = [];
    this.recordKeys = [];
    this.inFlight = true;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.finish(batch);
    };
    const timer = setTimeout(finish, PREFETCH_TIMEOUT_MS);
    if (!this.server.keyspace.cold!.prefetch(recordKeys, finish)) finish();
  }

  /** Runs the parked commands, in the order they were parked, then the next prefetch. */
  private finish(batch: Client[]): void {
    this.inFlight = false;
    for (const c of batch) {
      if (c.closed) continue;
      c.prefetched = c.postponed;
      this.server.runHeld(c);
      c.prefetched = null;
    }
    if (this.waiting.length > 0) this.start();
  }
}
