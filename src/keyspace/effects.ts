/*
 * The one mutation path. Every change to the keyspace is described here, once:
 *
 *   keyChanged(db, key, class, event)  WATCH invalidation, keyspace notification, dirty counter
 *   propagate(db, argv)                the effect as it must be replayed (AOF, replicas, snapshots)
 *
 * Propagated commands of one top-level command execution form a unit. When the unit ends it goes
 * to every sink; a unit of more than one command is wrapped in MULTI ... EXEC so a
 * replayer applies it atomically, as Redis 7's propagatePendingCommands does. Sinks track the
 * selected database themselves (the AOF writer emits SELECT when it changes).
 *
 * Keep in step: every command that writes must call both, in the replayed form its handler chooses.
 */

import { NOTIFY_KEYEVENT, NOTIFY_KEYSPACE } from './notify.js';

export interface PropagatedCommand {
  db: number;
  argv: string[];
}

/** Receives finished units. The log, replication and tests subscribe here. */
export interface PropagationSink {
  /** `ops` already carries the MULTI/EXEC wrapper when one is needed; never empty. */
  write(ops: readonly PropagatedCommand[]): void;
}

/** Something that cares whether a key changed (a client's WATCH). */
export interface KeyWatcher {
  watchedKeyTouched(): void;
}

export type Publisher = (channel: string, message: string) => void;

export class Effects {
  /** Changes since the last save (Redis's server.dirty). */
  dirty = 0;
  /** notify-keyspace-events as flags. */
  notifyFlags = 0;
  /** Set by pub/sub; keyspace notifications are published through it. */
  publisher: Publisher | null = null;
  /** Called for every modified key, e.g. for client-side caching invalidation. */
  keyModifiedHooks: Array<(db: number, key: string) => void> = [];
  /** Called once per FLUSHDB / FLUSHALL (client-side caching: every key is invalid). */
  flushHooks: Array<() => void> = [];

  private unit: PropagatedCommand[] = [];
  private unitDepth = 0;
  private readonly sinks: PropagationSink[] = [];

  addSink(sink: PropagationSink): void {
    this.sinks.push(sink);
  }

  removeSink(sink: PropagationSink): void {
    const i = this.sinks.indexOf(sink);
    if (i >= 0) this.sinks.splice(i, 1);
  }

  /** Records the replayed form of an effect in the current unit. */
  propagate(db: number, argv: string[]): void {
    if (this.sinks.length === 0) return;
    this.unit.push({ db, argv });
  }

  /** How many commands the open unit holds (a mark for truncateUnit). */
  get unitLength(): number {
    return this.unit.length;
  }

  /** Drops what was propagated since `mark` (a script's redis.set_repl(REPL_NONE)). */
  truncateUnit(mark: number): void {
    this.unit.length = mark;
  }

  /** Opens a unit (nested calls, e.g. EXEC running its commands, join the outer unit). */
  beginUnit(): void {
    this.unitDepth++;
  }

  /** Closes a unit; the outermost close hands the commands to the sinks. */
  endUnit(): void {
    if (--this.unitDepth > 0) return;
    const ops = this.unit;
    if (ops.length === 0) return;
    this.unit = [];
    let out = ops;
    // One command is atomic by itself, even from an EXEC (Redis 7.0's propagatePendingCommands).
    if (ops.length > 1) {
      const db = ops[0].db;
      out = [{ db, argv: ['MULTI'] }, ...ops, { db: ops[ops.length - 1].db, argv: ['EXEC'] }];
    }
    for (const sink of this.sinks) sink.write(out);
  }

  /** Redis's signalModifiedKey + notifyKeyspaceEvent + dirty++, for one changed key. */
  keyChanged(db: WatchedDb, key: string, notifyClass: number, event: string): void {
    this.touchWatchedKey(db, key);
    this.notify(notifyClass, event, key, db.id);
    this.dirty++;
  }

  /** signalModifiedKey alone: WATCH and tracking, no notification. */
  touchWatchedKey(db: WatchedDb, key: string): void {
    const watchers = db.watchers.get(key);
    if (watchers !== undefined) for (const w of watchers) w.watchedKeyTouched();
    for (const hook of this.keyModifiedHooks) hook(db.id, key);
  }

  /**
   * touchAllWatchedKeysInDb: the contents of `emptied` go away (FLUSHDB, FLUSHALL) or are replaced
   * by those of `replacedWith` (SWAPDB). A watched key is touched when it exists on either side
   * (`holds`: in memory or in the cold tier): a key absent before and after did not change.
   */
  touchAllWatched<D extends WatchedDb>(emptied: D, replacedWith: D | null, holds: (db: D, key: string) => boolean): void {
    for (const [key, watchers] of emptied.watchers) {
      if (!holds(emptied, key) && !(replacedWith !== null && holds(replacedWith, key))) continue;
      for (const w of watchers) w.watchedKeyTouched();
    }
  }

  /** signalFlushedDb's part beyond WATCH: one or all databases were emptied. */
  flushed(): void {
    for (const hook of this.flushHooks) hook();
  }

  notify(notifyClass: number, event: string, key: string, dbid: number): void {
    const flags = this.notifyFlags;
    if (!(flags & notifyClass) || this.publisher === null) return;
    if (flags & NOTIFY_KEYSPACE) this.publisher(`__keyspace@${dbid}__:${key}`, event);
    if (flags & NOTIFY_KEYEVENT) this.publisher(`__keyevent@${dbid}__:${event}`, key);
  }
}

export interface WatchedDb {
  readonly id: number;
  readonly watchers: Map<string, Set<KeyWatcher>>;
}
