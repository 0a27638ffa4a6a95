/*
 * The append-only log, wired into the server: startup loading, the propagation sink, group commit.
 *
 * Per tick: propagated units are encoded into `records` as they happen (SELECT when the db
 * changes); `beforeFlush` appends them to the incr file in one write; then the server flushes
 * replies through `holdReplies`/`hold`:
 *
 *   appendfsync always    every reply of a tick that follows un-synced log data is held and released
 *                         in order when the fsync covering it completes (reads too: no client sees
 *                         data a crash could take back). The fsync runs off the command thread
 *                         while the next ticks execute; what they log is written in one piece
 *                         when it completes, and gets the next fsync (group commit).
 *   appendfsync everysec  an fsync runs at most once a second; replies go out after the write, or
 *                         before it while that fsync runs (see appendTick).
 *   appendfsync no        the OS decides.
 *
 * Disk failures (a failed write or fsync; see storage/aof/log.ts for the repair after a failed
 * fsync). Unlike Redis 7.0, which exits under appendfsync always, the server stays up:
 * - write commands (and PING, as Redis) get `-MISCONF Errors writing to the AOF file: <strerror>`;
 * - replies already held stay held until the data they follow is durable again: nothing that is
 *   not durable is acknowledged under `always`;
 * - a client with no held reply gets its replies at once (reads, the MISCONF errors), so readers
 *   never hang on a broken disk. Such a read may show a write whose writer is still waiting: if
 *   the machine then crashes before the disk recovers, that write is lost although it was seen.
 * - once a second the log retries (repair + fsync) and the held tick is appended again; the first
 *   success releases the held replies and lifts the refusal.
 * All writes go through `server.io` (storage/io/fs.ts), the seam fault-injection tests replace.
 */

import fs from 'node:fs';
import path from 'node:path';
import type { PropagatedCommand, PropagationSink } from '../keyspace/effects.js';
import { RecordBuffer } from '../../storage/aof/records.js';
import { AppendLog } from '../../storage/aof/log.js';
import { baseName, incrName, readManifest, writeManifest, type AofFileInfo, type Manifest } from '../../storage/aof/manifest.js';
import { loadAof } from '../../recovery/aof-load.js';
import { upgradeLegacyAof } from '../../recovery/aof-legacy.js';
import { strerror } from '../../storage/io/fs.js';
import { Client } from './client.js';
import type { Server } from './server.js';

interface HeldReply {
  client: Client;
  out: Buffer | null;
  close: boolean;
  /** Log offset that must be durable before this reply may leave. */
  need: number;
}

export class AppendOnlyFile implements PropagationSink {
  private readonly records = new RecordBuffer();
  private selectedDb = -1;
  private held: HeldReply[] = [];
  private everysecTimer: NodeJS.Timeout | null = null;
  /** Error text while writes are refused because of this log. */
  private refusal: string | null = null;
  private closed = false;
  /** Was anything logged since the last flush (by this tick's commands)? */
  private loggedSinceFlush = false;
  /** This flush may answer clients with nothing held at once (see the header). */
  private answerAtOnce = false;
  /** Under everysec, since when (ms) writes wait for the running fsync; 0 when they do not. */
  private postponedSince = 0;
  /** Writes made under everysec while an fsync ran, its 2 s of grace over (INFO aof_delayed_fsync). */
  delayedFsyncs = 0;

  private constructor(
    private readonly server: Server,
    readonly aofDir: string,
    public manifest: Manifest,
    private log: AppendLog,
  ) {
    this.wire(log);
    this.sizeAtRewrite = this.totalSize();
  }

  private wire(log: AppendLog): void {
    log.onSynced = (offset) => this.released(offset);
    log.onError = (err) => this.failed(err);
  }

  /**
   * Loads the log into the server's keyspace (creating the layout on first start) and returns the
   * writer, attached as a propagation sink and flush hook.
   */
  static open(server: Server): AppendOnlyFile {
    const cfg = server.config;
    const appendfilename = cfg.getString('appendfilename');
    const aofDir = path.resolve(cfg.getString('appenddirname'));
    fs.mkdirSync(aofDir, { recursive: true });
    // Leftovers of a rewrite or manifest update interrupted by a crash: the manifest that was
    // renamed into place is the authority, temp files never are.
    for (const name of fs.readdirSync(aofDir)) if (name.startsWith('temp-')) fs.rmSync(path.join(aofDir, name), { force: true });
    const legacy = upgradeLegacyAof(aofDir, appendfilename, path.resolve(appendfilename), readManifest(aofDir, appendfilename));
    if (legacy.upgraded) {
      server.log.notice(`Successfully migrated an old-style AOF file (${appendfilename}) into the AOF directory (${cfg.getString('appenddirname')}).`);
    }
    let manifest = legacy.manifest;
    if (manifest !== null) {
      const loader = new LogReplayer(server);
      const ks = server.keyspace;
      ks.loading = true;
      const started = Date.now();
      try {
        const result = loadAof(
          {
            aofDir,
            manifest,
            loadTruncated: cfg.getBool('aof-load-truncated'),
            // An RDB base or preamble keeps keys that expired: the records after it say when they went.
            loadRdb: (data) => server.snapshots.loadData(data, { skipExpired: false, prefix: true }).end,
          },
          (cmds) => loader.run(cmds),
        );
        if (result.truncated) {
          server.log.warn(
            `AOF ${result.truncated.file} was truncated from ${result.truncated.from} to ${result.truncated.to} bytes: ` +
              'a torn tail (or an unfinished MULTI) from a crash was cut back to the last complete record',
          );
        }
        server.log.notice(`DB loaded from append only file: ${((Date.now() - started) / 1000).toFixed(3)} seconds, ${result.commands} commands`);
      } finally {
        ks.loading = false;
        // What was just loaded is already durable.
        ks.effects.dirty = 0;
      }
    }
    if (manifest === null || manifest.incrs.length === 0) {
      // A fresh layout, or a base without incrs (an upgraded old-style file): the first incr, seq 1, as Redis.
      manifest = { base: manifest?.base ?? null, history: manifest?.history ?? [], incrs: [{ name: incrName(appendfilename, 1), seq: 1, type: 'i' }] };
      const log = AppendLog.open(path.join(aofDir, manifest.incrs[0].name), server.io);
      if (!log.syncNow()) throw log.lastError!;
      writeManifest(aofDir, appendfilename, manifest, server.io);
      return new AppendOnlyFile(server, aofDir, manifest, log).attach();
    }
    const last = manifest.incrs[manifest.incrs.length - 1];
    return new AppendOnlyFile(server, aofDir, manifest, AppendLog.open(path.join(aofDir, last.name), server.io)).attach();
  }

  private attach(): this {
    const server = this.server;
    server.keyspace.effects.addSink(this);
    server.beforeFlush.push(() => this.appendTick());
    server.replyGate = this;
    server.aof = this;
    server.shutdownHooks.push(() => this.close());
    this.everysecTimer = setInterval(() => this.everySecond(), 1000);
    this.everysecTimer.unref();
    return this;
  }

  private get policy(): string {
    return this.server.config.getString('appendfsync');
  }

  /** PropagationSink: encodes a finished unit, with SELECT when the database changes. */
  write(ops: readonly PropagatedCommand[]): void {
    this.loggedSinceFlush = true;
    for (const op of ops) {
      if (op.db !== this.selectedDb) {
        this.records.command(['SELECT', String(op.db)]);
        this.selectedDb = op.db;
      }
      this.records.command(op.argv);
    }
  }

  /**
   * Start of the flush: one write for everything logged since the last one, but not while an
   * fsync runs: a write during an fsync waits for it inside the kernel (the file's lock, on ext4
   * without a journal), stalling the command thread. The bytes wait in `records` for its
   * completion, which calls this again:
   * - under `always` they would join the next fsync all the same (their replies are held);
   * - under `everysec`, as Redis's flushAppendOnlyFile, for at most 2 s (then the write goes
   *   ahead and counts in aof_delayed_fsync); their replies do not wait: everysec may lose up to
   *   about two seconds of writes in a crash, as in Redis.
   */
  private appendTick(): void {
    if (this.closed) return;
    const policy = this.policy;
    if (policy !== 'no' && this.log.syncInFlight) {
      if (policy === 'always') return;
      const now = Date.now();
      if (this.postponedSince === 0) this.postponedSince = now;
      if (now - this.postponedSince < 2000) return;
      this.delayedFsyncs++;
    }
    this.postponedSince = 0;
    this.appendRecords();
    if (policy === 'always') this.log.requestSync();
  }

  /** Writes what `records` holds; false when the write failed (the bytes stay there for the retry). */
  private appendRecords(): boolean {
    this.log.retain = this.policy === 'always' || this.policy === 'everysec';
    if (this.records.length === 0) return true;
    if (!this.log.append(this.records.view())) return false;
    this.records.reset();
    return true;
  }

  /** ReplyGate: must this tick's output wait for the fsync? */
  holdReplies(): boolean {
    this.answerAtOnce = this.refusal !== null && !this.loggedSinceFlush;
    this.loggedSinceFlush = false;
    if (this.policy !== 'always') return this.held.length > 0;
    return this.held.length > 0 || this.records.length > 0 || this.log.synced < this.log.written;
  }

  hold(client: Client, out: Buffer | null, close: boolean): void {
    // While the disk fails, a tick that logged nothing answers clients with nothing held at once
    // (see the header).
    if (this.answerAtOnce && !this.held.some((h) => h.client === client)) {
      this.server.deliver(client, out, close);
      return;
    }
    // Bytes still in `records` (a failed append) are logically after `written`: wait for them too.
    this.held.push({ client, out, close, need: this.log.written + this.records.length });
  }

  private released(offset: number): void {
    if (this.refusal !== null && this.records.length === 0) this.clearRefusal();
    // An fsync slot is free: the bytes that found none, and what this turn has logged so far, get
    // their fsync before the replies are written (one socket write each).
    this.appendTick();
    let n = 0;
    while (n < this.held.length && this.held[n].need <= offset) n++;
    if (n === 0) return;
    const ready = this.held.splice(0, n);
    for (const h of ready) this.server.deliver(h.client, h.out, h.close);
  }

  private failed(err: NodeJS.ErrnoException): void {
    const text = `MISCONF Errors writing to the AOF file: ${strerror(err)}`;
    if (this.refusal === null) this.server.log.warn(`Error writing to the AOF file: ${strerror(err)}`);
    this.refusal = text;
    this.server.writeRefusal = text;
  }

  private clearRefusal(): void {
    this.server.log.notice('AOF write error looks solved, Redis can write again.');
    this.refusal = null;
    if (this.server.writeRefusal !== null && this.server.writeRefusal.startsWith('MISCONF Errors writing to the AOF')) this.server.writeRefusal = null;
  }

  private everySecond(): void {
    // Repair after a failure, retry the append it left behind, then sync as the policy asks.
    if (this.log.lastError !== null) this.log.retry();
    if (this.records.length > 0) this.appendTick();
    if (this.policy === 'everysec') this.log.requestSync();
    if (this.log.lastError === null && this.refusal !== null && this.records.length === 0 && this.log.synced === this.log.written) this.clearRefusal();
    this.autoRewrite();
  }

  /** Shutdown: write and sync everything, release what was held. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.everysecTimer !== null) clearInterval(this.everysecTimer);
    this.appendRecords();
    this.server.replyGate = null;
    this.log.syncNow();
    this.log.close();
  }

  /** Completed rewrites (INFO aof_rewrites). */
  rewrites = 0;
  /** BGREWRITEAOF asked while a BGSAVE ran: started by the cron when it ends. */
  rewriteScheduled = false;
  /** Total size of the log's files after the last rewrite (or at startup), for auto-rewrite. */
  private sizeAtRewrite = 0;
  /** Sizes of the manifest's files other than the open incr. */
  private closedFilesSize = 0;

  /** Bytes in every file of the manifest (aof_current_size). */
  totalSize(): number {
    let size = 0;
    const current = this.manifest.incrs[this.manifest.incrs.length - 1];
    for (const f of [...(this.manifest.base ? [this.manifest.base] : []), ...this.manifest.incrs]) {
      if (f === current) continue;
      try {
        size += fs.statSync(path.join(this.aofDir, f.name)).size;
      } catch {
        // a missing file shows up at the next load; it adds nothing here
      }
    }
    this.closedFilesSize = size;
    return size + this.log.written;
  }

  /**
   * BGREWRITEAOF. At the cut, everything logged so far is made durable, a new incr file is opened
   * and added to the manifest (so writes from now on are durable in the old layout too); the
   * snapshot of the cut becomes the new RDB base; then one manifest swap makes base + new incr the
   * whole log, and only after that are the old files deleted. A crash at any point leaves a
   * manifest that loads every acknowledged write.
   */
  rewrite(): 'started' | 'scheduled' | 'in-progress' | 'failed' {
    const snapshots = this.server.snapshots;
    if (snapshots.runningKind === 'aof') return 'in-progress';
    if (snapshots.runningKind === 'rdb') {
      this.rewriteScheduled = true;
      return 'scheduled';
    }
    this.rewriteScheduled = false;
    const appendfilename = this.server.config.getString('appendfilename');
    // The cut: the old incr is complete and durable before anything goes to the new one (held
    // replies carry offsets of the old file: all of them are released by this sync).
    if (!this.appendRecords() || !this.log.syncNow()) return this.rewriteFailed(this.log.lastError ?? new Error('the log could not be written'));
    const last = this.manifest.incrs[this.manifest.incrs.length - 1];
    const incr = { name: incrName(appendfilename, last.seq + 1), seq: last.seq + 1, type: 'i' as const };
    const during: Manifest = { base: this.manifest.base, history: this.manifest.history, incrs: [...this.manifest.incrs, incr] };
    let next: AppendLog | null = null;
    try {
      next = AppendLog.open(path.join(this.aofDir, incr.name), this.server.io);
      if (!next.syncNow()) throw next.lastError!;
      writeManifest(this.aofDir, appendfilename, during, this.server.io);
    } catch (err) {
      // The previous manifest still names the old incr, which stays the one appended to.
      next?.close();
      return this.rewriteFailed(err as Error);
    }
    this.manifest = during;
    const old = this.log;
    this.wire(next);
    this.log = next;
    old.close();
    this.selectedDb = -1;
    const baseSeq = (during.base?.seq ?? 0) + 1;
    const base = { name: baseName(appendfilename, baseSeq, true), seq: baseSeq, type: 'b' as const };
    const started = snapshots.start({
      kind: 'aof',
      target: path.join(this.aofDir, base.name),
      aux: [['aof-base', '1']],
      done: (err) => this.rewriteDone(err, base, incr),
    });
    return started ? 'started' : 'in-progress';
  }

  /** aof_last_bgrewrite_status and aof_rewrites_consecutive_failures. */
  lastRewriteOk = true;
  rewriteFailures = 0;

  private rewriteFailed(err: Error): 'failed' {
    this.lastRewriteOk = false;
    this.rewriteFailures++;
    const code = (err as NodeJS.ErrnoException).code;
    this.server.log.warn(`Background AOF rewrite failed: ${code !== undefined ? strerror(err as NodeJS.ErrnoException) : err.message}`);
    return 'failed';
  }

  private rewriteDone(err: Error | null, base: AofFileInfo, incr: AofFileInfo): void {
    if (err !== null) {
      this.rewriteFailed(err);
      return;
    }
    const appendfilename = this.server.config.getString('appendfilename');
    const obsolete = [...(this.manifest.base ? [this.manifest.base] : []), ...this.manifest.history, ...this.manifest.incrs.filter((f) => f !== incr)];
    const after: Manifest = { base, history: [], incrs: [incr] };
    try {
      writeManifest(this.aofDir, appendfilename, after, this.server.io);
    } catch (e) {
      // The manifest of the cut stays authoritative (old base + incrs + the new incr): every
      // write is still loadable; the new base is an orphan the next rewrite replaces.
      this.rewriteFailed(e as Error);
      return;
    }
    this.manifest = after;
    this.lastRewriteOk = true;
    this.rewriteFailures = 0;
    for (const f of obsolete) fs.rmSync(path.join(this.aofDir, f.name), { force: true });
    this.rewrites++;
    this.sizeAtRewrite = this.totalSize();
    this.server.log.notice('Background AOF rewrite finished successfully');
  }

  /** auto-aof-rewrite-percentage / -min-size, checked once a second. */
  private autoRewrite(): void {
    if (this.rewriteScheduled && !this.server.snapshots.inProgress) {
      this.rewrite();
      return;
    }
    const cfg = this.server.config;
    const percentage = cfg.getNumber('auto-aof-rewrite-percentage');
    if (percentage <= 0 || this.server.snapshots.inProgress) return;
    const current = this.closedFilesSize + this.log.written;
    if (current < cfg.getNumber('auto-aof-rewrite-min-size')) return;
    const base = this.sizeAtRewrite > 0 ? this.sizeAtRewrite : 1;
    if (((current - base) * 100) / base >= percentage) {
      this.server.log.notice(`Starting automatic rewriting of AOF on ${Math.round(((current - base) * 100) / base)}% growth`);
      this.rewrite();
    }
  }

  /** INFO's aof_current_size, aof_base_size, aof_buffer_length and aof_pending_bio_fsync. */
  get sizes(): { current: number; base: number; buffered: number; syncsPending: number } {
    return { current: this.closedFilesSize + this.log.written, base: this.sizeAtRewrite, buffered: this.records.length, syncsPending: this.log.syncsPending };
  }

  get lastWriteOk(): boolean {
    return this.log.lastError === null;
  }
}

/** Replays logged commands through a client that has no connection (Redis's fake AOF client). */
class LogReplayer {
  private readonly client: Client;

  constructor(private readonly server: Server) {
    this.client = Client.detached(server);
  }

  run(commands: string[][]): void {
    const c = this.client;
    const ks = this.server.keyspace;
    for (const argv of commands) {
      const cmd = this.server.commands.lookup(argv);
      if (cmd === undefined || cmd.run === undefined) throw new Error(`Unknown command '${argv[0]}'`);
      // Like Redis's loader, run the handler itself: no stats, slowlog or MONITOR for replayed effects.
      ks.now = Date.now();
      cmd.run(c, argv);
      // Replies of replayed commands go nowhere; errors are ignored as Redis does while loading.
      c.reply.truncate(0);
      c.reply.errors.length = 0;
      // A log larger than maxmemory spills to the cold tier as it loads.
      this.server.eviction.relieve();
    }
  }
}
