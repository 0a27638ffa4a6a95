/*
 * The server: listeners, clients, the tick and the cron.
 *
 * The tick: socket data is parsed and executed at once, on the one command thread; replies
 * accumulate per client and are written once per event-loop turn by `flush()` (one socket write
 * per client per tick). `flush()` is the single place where output leaves, so group commit hooks in
 * there: `beforeFlush` hooks run first (the log appends the tick's writes) and may hold replies
 * until the log is durable.
 *
 * Suspended input: a client can be told to stop running its requests (`suspendInput`: blocked on
 * keys, paused). Its bytes keep accumulating in its parser (within client-query-buffer-limit);
 * `resumeInput` queues it and the next flush runs its buffered requests first, in order, before
 * any output leaves (Redis's processUnblockedClients in beforeSleep).
 *
 * The cron runs `hz` times a second: active expiry, client timeouts, instantaneous metrics.
 *
 * CLIENT PAUSE: a command the pause covers is not rejected but postponed: the client is blocked
 * with that command, and its later input stays unparsed in its parser. When the pause ends the
 * postponed clients run their command and the rest of their input, in the order they were held.
 * While paused, keys are not expired (lazily or actively), as in Redis, so that the dataset
 * does not change under a failover.
 */

import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { Client } from './client.js';
import { UNCOUNTED_ERROR } from '../protocol/reply.js';
import { Slowlog } from './slowlog.js';
import { Blocking } from './blocking.js';
import { ColdReads, type AsyncReadMode } from './cold-reads.js';
import { createLogger, setLogLevel, type Logger } from './log.js';
import { Config } from '../config/config.js';
import { Keyspace } from '../keyspace/db.js';
import { ActiveExpire } from '../keyspace/expire.js';
import { CommandTable } from '../commands/registry.js';
import { processCommand } from '../commands/dispatch.js';
import { Snapshots } from './snapshots.js';
import { realIo, type FileIo } from '../../storage/io/fs.js';
import type { CommandEntry } from '../commands/registry.js';
import { LatencyMonitor } from './latency.js';
import { InstantaneousMetric } from './info.js';
import type { AppendOnlyFile } from './persistence.js';
import { processMemory } from './memory.js';
import { FunctionStore } from '../keyspace/functions.js';
import { ScriptEngine } from '../scripting/engine.js';
import type { LuaVm } from '../scripting/lua.js';
import { sdsRepr } from '../types/repr.js';
import { Eviction, type EvictionPolicy } from '../keyspace/evict.js';
import { ColdTier } from '../keyspace/tier.js';
import { PubSub } from './pubsub.js';
import { Tracking } from './tracking.js';
import type { BufferLimit } from '../config/special.js';

export const STRATA_VERSION = '0.1.0';
/** The Redis version strata presents to clients (INFO redis_version, HELLO version). */
export const REDIS_VERSION = '7.0.15';

export interface ServerStats {
  totalConnections: number;
  rejectedConnections: number;
  totalCommands: number;
  netInputBytes: number;
  netOutputBytes: number;
  totalErrorReplies: number;
  unexpectedErrorReplies: number;
  readsProcessed: number;
  writesProcessed: number;
}

function newStats(): ServerStats {
  return {
    totalConnections: 0,
    rejectedConnections: 0,
    totalCommands: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
    totalErrorReplies: 0,
    unexpectedErrorReplies: 0,
    readsProcessed: 0,
    writesProcessed: 0,
  };
}

/** A hook run at the start of each flush (e.g. the log appending this tick's writes). */
export type TickHook = () => void;

/** Decides whether this tick's replies must wait (group commit) and keeps them until they may go. */
export interface ReplyGate {
  holdReplies(): boolean;
  /** Takes a client's output (null: nothing but a pending close) to deliver later, in order. */
  hold(client: Client, out: Buffer | null, close: boolean): void;
}


/** CLIENT PAUSE modes, in increasing strictness. */
export type PauseType = 'off' | 'write' | 'all';

/** SHUTDOWN's options: save true/false forces SAVE/NOSAVE (null: as the save points say). */
export interface ShutdownOptions {
  save: boolean | null;
  now: boolean;
  force: boolean;
}

/** Longest delay setTimeout takes; longer pauses re-arm their timer. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Server {
  readonly keyspace: Keyspace;
  readonly commands = new CommandTable();
  readonly clients = new Map<number, Client>();
  readonly monitors = new Set<Client>();
  readonly slowlog = new Slowlog();
  readonly latency = new LatencyMonitor();
  /** latency-tracking: per-command histograms (INFO latencystats). */
  latencyTracking = true;
  /** latency-tracking-info-percentiles. */
  latencyPercentiles: number[] = [50, 99, 99.9];
  readonly activeExpire: ActiveExpire;
  /** maxmemory and its policies (performEvictions before each command). */
  readonly eviction: Eviction;
  readonly blocking = new Blocking(this);
  readonly coldReads = new ColdReads(this);
  readonly log: Logger;
  readonly runId = randomBytes(20).toString('hex');
  /** Replication IDs (INFO replication master_replid / master_replid2; DEBUG CHANGE-REPL-ID renews them). */
  replId = randomBytes(20).toString('hex');
  replId2 = '0'.repeat(40);
  /** The function libraries (FUNCTION ...). */
  readonly functions = new FunctionStore();
  /** EVAL and FCALL; null until enableScripting (in-process test servers may go without). */
  scripting: ScriptEngine | null = null;
  readonly startTime = Date.now();
  stats: ServerStats = newStats();
  /** instantaneous_ops_per_sec and the kbps figures, sampled by the cron every 100 ms. */
  readonly metrics = { ops: new InstantaneousMetric(), input: new InstantaneousMetric(), output: new InstantaneousMetric() };
  private lastMetricsSample = 0;
  /** Memory in use once the server was set up (used_memory_startup), and the highest seen. */
  readonly startupMemory = processMemory().used;
  peakMemory = this.startupMemory;
  /** The append-only log, when `appendonly yes`. */
  aof: AppendOnlyFile | null = null;
  /** How SHUTDOWN asked to stop (read by shutdown hooks); null until a shutdown starts. */
  shutdownOptions: ShutdownOptions | null = null;
  /** Ends the process once shut down (replaced when the server is embedded, e.g. in tests). */
  exit: (code: number) => void = (code) => process.exit(code);
  /** errorstats: error code (first word) → count. */
  errorStats = new Map<string, number>();
  /** The file-system seam of the durable writers (tests install faults here). */
  io: FileIo = realIo;
  /** When set, write commands are refused with this error (e.g. after a failed fsync). */
  writeRefusal: string | null = null;
  /** Depth of nested `call`s (EXEC runs its commands inside its own call). */
  callDepth = 0;
  readonly beforeFlush: TickHook[] = [];
  /** Set by the log under appendfsync always. */
  replyGate: ReplyGate | null = null;
  readonly shutdownHooks: Array<() => void> = [];
  /** Run by RESET for state that other families keep per client (pub/sub, tracking, ...). */
  readonly clientResetHooks: Array<(c: Client) => void> = [];

  readonly snapshots: Snapshots;
  readonly pubsub: PubSub;
  readonly tracking: Tracking;
  /** The client whose top-level command is running (Redis's current_client); null between commands. */
  currentClient: Client | null = null;

  private readonly listeners: net.Server[] = [];
  /** The port and addresses the listeners serve ("<port> <host> ..."), to tell a real change. */
  private listening = '';
  private nextClientId = 1;
  private pending: Client[] = [];
  /** Clients whose input was resumed; their buffered requests run at the next flush. */
  private resumed: Client[] = [];
  private flushScheduled = false;
  private cronTimer: NodeJS.Timeout | null = null;
  /** proto-max-bulk-len, kept current: the parser's bulk limit and the largest string value. */
  protoMaxBulkLen: number;
  private queryBufferLimit: number;
  private shuttingDown = false;
  /** CLIENT PAUSE: the strictest active mode, until `pauseEnd` (unix ms). */
  pauseType: PauseType = 'off';
  pauseEnd = 0;
  private pauseTimer: NodeJS.Timeout | null = null;
  /** Clients blocked by the pause, in the order they were held. */
  private readonly postponed: Client[] = [];

  constructor(readonly config: Config) {
    this.keyspace = new Keyspace(config.getNumber('databases'));
    this.activeExpire = new ActiveExpire(this.keyspace);
    this.eviction = new Eviction(this.keyspace, () => this.startupMemory);
    this.snapshots = new Snapshots(this);
    this.pubsub = new PubSub(this);
    this.tracking = new Tracking(this);
    this.log = createLogger(config.getString('loglevel'), config.getString('logfile'));
    this.keyspace.cold = new ColdTier(this.keyspace.dbs, () => this.snapshots.encodingLimits(), (m) => this.log.warn(m));
    this.shutdownHooks.push(() => this.keyspace.cold!.close());
    this.protoMaxBulkLen = config.getNumber('proto-max-bulk-len');
    this.queryBufferLimit = config.getNumber('client-query-buffer-limit');
    this.applyConfig();
    config.onChange(() => this.applyConfig());
  }

  /** The port and addresses the config asks for, in the form of `listening`. */
  private wantedListen(): string {
    return `${this.config.getNumber('port')} ${this.bindHosts().join(' ')}`;
  }

  /** True when CONFIG SET changed port or bind and the listeners do not serve them yet. */
  get listenChanged(): boolean {
    return this.listeners.length > 0 && this.wantedListen() !== this.listening;
  }

  /**
   * CONFIG SET port / bind (changeListenPort, changeBindAddr): the old listeners close, the new
   * addresses are bound; when none of them can be (a port in use), the old ones are bound again
   * and the result is false.
   */
  async rebind(): Promise<boolean> {
    const [oldPort, ...oldHosts] = this.listening.split(' ');
    for (const l of this.listeners) l.close();
    this.listeners.length = 0;
    if (await this.bindEach(this.config.getNumber('port'), this.bindHosts())) {
      this.listening = this.wantedListen();
      return true;
    }
    this.log.warn(`Failed to bind on port ${this.config.getNumber('port')}`);
    await this.bindEach(Number(oldPort), oldHosts);
    return false;
  }

  /** Listens on each address it can; true when at least one is bound. */
  private async bindEach(port: number, hosts: readonly string[]): Promise<boolean> {
    for (const host of hosts) {
      const srv = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
      const bound = await new Promise<boolean>((resolve) => {
        srv.once('error', () => resolve(false));
        srv.listen({ port, host, ipv6Only: host === '::' }, () => resolve(true));
      });
      if (bound) this.listeners.push(srv);
      else srv.close();
    }
    return this.listeners.length > 0;
  }

  /** Copies config values the hot paths read into fields (called at start and on every change). */
  private applyConfig(): void {
    const cfg = this.config;
    this.protoMaxBulkLen = cfg.getNumber('proto-max-bulk-len');
    this.queryBufferLimit = cfg.getNumber('client-query-buffer-limit');
    this.slowlog.thresholdUsec = cfg.getNumber('slowlog-log-slower-than');
    this.slowlog.maxLen = cfg.getNumber('slowlog-max-len');
    this.slowlog.trim();
    // The flags themselves: their text form hides 'n' behind 'A', as Redis's CONFIG GET does.
    this.keyspace.effects.notifyFlags = cfg.getValue<number>('notify-keyspace-events');
    this.keyspace.lazyExpireUnlink = cfg.getBool('lazyfree-lazy-expire');
    const ev = this.eviction;
    ev.maxmemory = cfg.getNumber('maxmemory');
    ev.policy = cfg.getString('maxmemory-policy') as EvictionPolicy;
    ev.samples = cfg.getNumber('maxmemory-samples');
    ev.tenacity = cfg.getNumber('maxmemory-eviction-tenacity');
    ev.lazy = cfg.getBool('lazyfree-lazy-eviction');
    this.keyspace.lfu = ev.policy.endsWith('-lfu');
    this.keyspace.trackAccess = ev.maxmemory > 0 || ev.policy !== 'noeviction';
    const cold = this.keyspace.cold!;
    cold.enabled = ev.maxmemory > 0 && cfg.getBool('cold-tier');
    cold.dir = cfg.getString('cold-tier-dir');
    cold.maxDiskBytes = cfg.getNumber('cold-tier-max-disk-bytes');
    cold.fitToMaxmemory(ev.maxmemory);
    this.coldReads.setMode(cfg.getString('cold-tier-async-reads') as AsyncReadMode);
    this.keyspace.lfuParams.logFactor = cfg.getNumber('lfu-log-factor');
    this.keyspace.lfuParams.decayTime = cfg.getNumber('lfu-decay-time');
    this.pubsub.setLimits(cfg.getValue<readonly BufferLimit[]>('client-output-buffer-limit'));
    this.tracking.maxKeys = cfg.getNumber('tracking-table-max-keys');
    this.latency.thresholdMs = cfg.getNumber('latency-monitor-threshold');
    // Directives the config table may not carry yet keep Redis's defaults.
    if (cfg.directive('latency-tracking')) this.latencyTracking = cfg.getBool('latency-tracking');
    if (cfg.directive('latency-tracking-info-percentiles')) {
      this.latencyPercentiles = cfg
        .getString('latency-tracking-info-percentiles')
        .split(' ')
        .filter((p) => p !== '')
        .map(Number);
    }
    setLogLevel(this.log, cfg.getString('loglevel'));
    if (this.cronTimer !== null) this.startCron();
  }

  /** The `bind` addresses as Node takes them ("*" is 0.0.0.0, "::*" is ::, "-" marks an optional one). */
  private bindHosts(): string[] {
    return this.config
      .getString('bind')
      .split(' ')
      .filter((a) => a !== '')
      .map((a) => (a === '*' ? '0.0.0.0' : a === '-::*' || a === '::*' ? '::' : a.replace(/^-/, '')));
  }

  /** Binds every `bind` address on `port`. Resolves once listening. */
  async listen(): Promise<void> {
    const port = this.config.getNumber('port');
    const binds = this.bindHosts();
    for (const host of binds) {
      const srv = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
      await new Promise<void>((resolve, reject) => {
        srv.once('error', (err: NodeJS.ErrnoException) => {
          // "-" addresses are optional in Redis: a missing interface is not fatal.
          if (binds.length > 1 && (err.code === 'EADDRNOTAVAIL' || err.code === 'EAFNOSUPPORT')) resolve();
          else reject(err);
        });
        srv.listen({ port, host, ipv6Only: host === '::' }, () => {
          this.listeners.push(srv);
          resolve();
        });
      });
    }
    this.listening = this.wantedListen();
    this.startCron();
  }

  private startCron(): void {
    if (this.cronTimer !== null) clearInterval(this.cronTimer);
    const hz = Math.min(500, Math.max(1, this.config.getNumber('hz')));
    this.cronTimer = setInterval(() => this.cron(hz), Math.floor(1000 / hz));
    this.cronTimer.unref();
  }

  private accept(socket: net.Socket): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    const maxclients = this.config.getNumber('maxclients');
    if (this.clients.size >= maxclients) {
      this.stats.rejectedConnections++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    if (this.config.getBool('protected-mode') && this.config.getString('requirepass') === '' && !isLoopback(socket.remoteAddress)) {
      this.stats.rejectedConnections++;
      socket.end(PROTECTED_MODE_ERROR);
      return;
    }
    const c = new Client(this, socket, this.nextClientId++);
    this.clients.set(c.id, c);
    this.stats.totalConnections++;
    socket.on('data', (chunk: Buffer) => this.onData(c, chunk));
    socket.on('error', () => this.closeClient(c));
    socket.on('close', () => this.closeClient(c));
  }

  private onData(c: Client, chunk: Buffer): void {
    if (c.closed || c.closeAfterReply) return;
    this.stats.netInputBytes += chunk.length;
    this.stats.readsProcessed++;
    c.lastInteraction = Date.now();
    c.parser.maxBulkLen = this.protoMaxBulkLen;
    c.parser.feed(chunk);
    this.processInput(c);
  }

  /** Runs the client's complete buffered requests, until its input is suspended. */
  private processInput(c: Client): void {
    const parser = c.parser;
    let argv: string[] | null;
    while (c.inputSuspended === 0 && !c.closeAfterReply && (argv = parser.next()) !== null) {
      processCommand(c, argv);
    }
    // A suspended client's protocol error waits its turn; its buffer limit does not.
    if (c.inputSuspended === 0 && parser.error !== null && !c.closeAfterReply) {
      c.reply.error(parser.error);
      this.countErrors(c);
      c.closeAfterReply = true;
    } else if (parser.buffered > this.queryBufferLimit) {
      this.log.warn({ client: c.addr }, 'Closing client that reached max query buffer length');
      c.closeAfterReply = true;
    }
    this.queueFlush(c);
  }

  /** Gives the server its Lua engine (loading the WebAssembly VM is asynchronous, the constructor is not). */
  enableScripting(vm: LuaVm): void {
    const scriptClient = Client.detached(this);
    scriptClient.isScript = true;
    this.scripting = new ScriptEngine(this, vm, scriptClient);
    this.functions.compiler = this.scripting;
  }

  /** Stops running the client's requests (blocked, paused); calls nest, each needs a resumeInput. */
  suspendInput(c: Client): void {
    c.inputSuspended++;
  }

  /** Undoes one suspendInput; when none is left, its buffered requests run at the next flush. */
  resumeInput(c: Client): void {
    if (--c.inputSuspended > 0 || c.closed) return;
    this.resumed.push(c);
    this.scheduleFlush();
  }

  /** Schedules the client's output (or close) for the end of this tick. */
  queueFlush(c: Client): void {
    if (c.pendingFlush) return;
    c.pendingFlush = true;
    this.pending.push(c);
    this.scheduleFlush();
  }

  /** Makes sure a flush runs at the end of this event-loop turn. */
  scheduleFlush(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushBound);
    }
  }

  private readonly flushBound = (): void => this.flush();

  /** Writes every pending client's replies: one write per client per tick. */
  flush(): void {
    this.flushScheduled = false;
    while (this.resumed.length > 0) {
      const resumed = this.resumed;
      this.resumed = [];
      for (const c of resumed) if (!c.closed && c.inputSuspended === 0) this.processInput(c);
    }
    for (const hook of this.beforeFlush) hook();
    const pending = this.pending;
    this.pending = [];
    const gate = this.replyGate !== null && this.replyGate.holdReplies() ? this.replyGate : null;
    // Last queued first, as Redis's clients_pending_write: a publisher's reply goes out before the
    // messages it fanned out, so its next requests overlap with their delivery.
    for (let i = pending.length - 1; i >= 0; i--) {
      const c = pending[i];
      c.pendingFlush = false;
      if (c.closed) continue;
      const out = c.reply.length > 0 ? c.reply.take() : null;
      if (gate !== null) gate.hold(c, out, c.closeAfterReply);
      else this.deliver(c, out, c.closeAfterReply);
    }
  }

  /** Puts output on the wire (and closes when asked): the only place replies leave. */
  deliver(c: Client, out: Buffer | null, close: boolean): void {
    if (c.closed) return;
    if (out !== null) {
      this.stats.netOutputBytes += out.length;
      this.stats.writesProcessed++;
      c.socket.write(out);
      c.lastInteraction = Date.now();
    }
    if (close) {
      c.socket.end();
      this.closeClient(c);
    }
  }

  closeClient(c: Client): void {
    if (c.closed) return;
    c.closed = true;
    c.unwatchAll();
    this.blocking.clientClosed(c);
    this.pubsub.forget(c);
    this.tracking.disable(c);
    this.monitors.delete(c);
    this.clients.delete(c.id);
    if (c.postponed !== null) {
      const i = this.postponed.indexOf(c);
      if (i >= 0) this.postponed.splice(i, 1);
    }
    if (!c.socket.destroyed && !c.closeAfterReply) c.socket.destroy();
  }

  /** Adds the error replies a client just received to errorstats. */
  countErrors(c: Client): void {
    const errors = c.reply.errors;
    if (errors.length === 0) return;
    for (const e of errors) {
      if (e === UNCOUNTED_ERROR) continue;
      const sp = e.indexOf(' ');
      const code = sp < 0 ? e : e.slice(0, sp);
      this.errorStats.set(code, (this.errorStats.get(code) ?? 0) + 1);
      this.stats.totalErrorReplies++;
    }
    c.reply.errors.length = 0;
  }

  /** MONITOR line: +<unix.micro> [<db> <addr>] "arg" ... (replicationFeedMonitors). */
  feedMonitors(c: Client, argv: readonly string[]): void {
    const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    let line = `+${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')} [${c.db.id} ${c.isScript ? 'lua' : c.addr}]`;
    for (const a of argv) line += ' ' + quoteMonitorArg(a);
    for (const m of this.monitors) {
      m.reply.raw(line + '\r\n');
      this.queueFlush(m);
    }
  }

  private cron(hz: number): void {
    const now = Date.now();
    // A timed-out script still owns the dataset: nothing else may change it meanwhile.
    if (this.pauseType === 'off' && !this.scripting?.busy) this.activeExpire.cycle(250 / hz);
    this.snapshots.cron();
    this.closeIdleClients(now);
    if (now - this.lastMetricsSample >= 100) {
      this.lastMetricsSample = now;
      this.metrics.ops.track(now, this.stats.totalCommands);
      this.metrics.input.track(now, this.stats.netInputBytes);
      this.metrics.output.track(now, this.stats.netOutputBytes);
      this.notePeakMemory(this.eviction.usedMemory());
    }
    // Expired-key deletions of the cron are writes too: log them now, like any tick.
    this.flush();
  }

  /**
   * The `timeout` directive (clientsCronHandleTimeout): a client idle for more than `timeout`
   * whole seconds is closed, unless it is a monitor, blocked, or subscribed to pub/sub.
   */
  private closeIdleClients(now: number): void {
    const timeout = this.config.getNumber('timeout');
    if (timeout <= 0) return;
    const nowSec = Math.floor(now / 1000);
    for (const c of this.clients.values()) {
      if (c.monitor || c.blocked !== null || c.postponed !== null || c.isPubsub) continue;
      if (nowSec - Math.floor(c.lastInteraction / 1000) > timeout) {
        this.log.verbose('Closing idle client');
        this.closeClient(c);
      }
    }
  }

  notePeakMemory(used: number): void {
    if (used > this.peakMemory) this.peakMemory = used;
  }

  /* ------------------------------ CLIENT PAUSE ------------------------------ */

  /**
   * Pauses clients until `end` (unix ms). A pause while one is active keeps the later end and
   * the stricter mode (pauseClients).
   */
  pauseClients(type: Exclude<PauseType, 'off'>, end: number): void {
    if (this.pauseType === 'off') {
      this.pauseType = type;
      this.pauseEnd = end;
    } else {
      if (type === 'all') this.pauseType = 'all';
      if (end > this.pauseEnd) this.pauseEnd = end;
    }
    this.keyspace.expirePaused = true;
    this.armPauseTimer();
  }

  private armPauseTimer(): void {
    if (this.pauseTimer !== null) clearTimeout(this.pauseTimer);
    const wait = Math.max(0, Math.min(this.pauseEnd - Date.now(), MAX_TIMER_MS));
    this.pauseTimer = setTimeout(() => {
      this.pauseTimer = null;
      if (Date.now() >= this.pauseEnd) this.unpauseClients();
      else this.armPauseTimer();
    }, wait);
    this.pauseTimer.unref();
  }

  /** Ends the pause; the held clients run after the current command (in the next turn). */
  unpauseClients(): void {
    if (this.pauseType === 'off') return;
    this.pauseType = 'off';
    this.pauseEnd = 0;
    this.keyspace.expirePaused = false;
    if (this.pauseTimer !== null) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    if (this.postponed.length > 0) setImmediate(this.resumeBound);
  }

  /** Whether the pause holds this command (write mode: writes and may-replicate commands). */
  pauseHolds(c: Client, cmd: CommandEntry): boolean {
    if (this.pauseType === 'all') return true;
    if (mayReplicate(cmd)) return true;
    if (cmd.name !== 'exec' || !c.inMulti) return false;
    for (const q of c.multiQueue) if (mayReplicate(q.cmd)) return true;
    return false;
  }

  /** Blocks the client with its command until the pause ends (blockClient BLOCKED_POSTPONE). */
  postpone(c: Client, argv: string[]): void {
    c.postponed = argv;
    this.suspendInput(c);
    this.postponed.push(c);
  }

  private readonly resumeBound = (): void => this.resumePostponed();

  private resumePostponed(): void {
    const held = this.postponed.splice(0);
    for (const c of held) {
      if (c.closed) continue;
      // A pause started by an earlier resumed client holds the rest again, in order.
      if (this.pauseType !== 'off') {
        this.postponed.push(c);
        continue;
      }
      this.runHeld(c);
    }
  }

  /**
   * Runs the command a client was held with (`postponed`: by a pause, or parked for a cold read),
   * then lets the rest of its input follow (resumeInput).
   */
  runHeld(c: Client): void {
    const argv = c.postponed!;
    c.postponed = null;
    c.inputSuspended--;
    processCommand(c, argv);
    c.inputSuspended++;
    this.resumeInput(c);
  }

  resetStats(): void {
    this.stats = newStats();
    this.errorStats.clear();
    for (const cmd of this.commands.all()) {
      cmd.stats.calls = 0;
      cmd.stats.usec = 0;
      cmd.stats.rejectedCalls = 0;
      cmd.stats.failedCalls = 0;
      cmd.latencyHistogram = null;
    }
    const ks = this.keyspace.stats;
    ks.expiredKeys = 0;
    ks.keyspaceHits = 0;
    ks.keyspaceMisses = 0;
    ks.expiredStalePerc = 0;
    ks.expiredTimeCapReached = 0;
  }

  /**
   * Saves the dataset when asked (SAVE/NOSAVE; by default when `save` points are configured, as
   * Redis), then stops listening, flushes replies, runs the shutdown hooks (the log's final fsync)
   * and closes clients. A failed save aborts the shutdown (false) unless `force`, as Redis keeps
   * running when its final save fails.
   */
  shutdown(opts: ShutdownOptions = { save: null, now: false, force: false }): boolean {
    if (this.shuttingDown) return true;
    this.shutdownOptions = opts;
    if (opts.save ?? this.config.getString('save').trim() !== '') {
      try {
        this.snapshots.abort();
        this.log.notice('Saving the final RDB snapshot before exiting.');
        this.snapshots.saveNow();
      } catch (err) {
        this.log.warn({ err }, 'Error trying to save the DB');
        if (!opts.force) {
          this.shutdownOptions = null;
          return false;
        }
      }
    }
    this.shuttingDown = true;
    if (this.cronTimer !== null) clearInterval(this.cronTimer);
    if (this.pauseTimer !== null) clearTimeout(this.pauseTimer);
    for (const l of this.listeners) l.close();
    this.flush();
    for (const hook of this.shutdownHooks) hook();
    for (const c of [...this.clients.values()]) {
      c.socket.end();
      this.closeClient(c);
    }
    this.log.notice('Redis is now ready to exit, bye bye...');
    return true;
  }

  /** The function libraries' code, for snapshots. */
  functionLibraryCodes(): string[] {
    return [...this.functions.libraries.values()].map((lib) => lib.code);
  }

  /** Adds a library read from an RDB file; a bad one stops the load as Redis does. */
  restoreFunctionLibrary(code: string): void {
    const created = this.functions.create(code, false);
    if (typeof created === 'string') throw new Error(`Failed loading library: ${created}`);
  }

  get address(): net.AddressInfo | null {
    const a = this.listeners[0]?.address();
    return a && typeof a === 'object' ? a : null;
  }
}

const PROTECTED_MODE_ERROR =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
  'In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to ' +
  'Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command ' +
  "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is " +
  'running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this ' +
  'change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and ' +
  "setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just " +
  "for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. " +
  'NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n';

function mayReplicate(cmd: CommandEntry): boolean {
  return cmd.isWrite || cmd.flags.includes('may_replicate');
}

function isLoopback(addr: string | undefined): boolean {
  if (addr === undefined) return true;
  return addr.startsWith('127.') || addr === '::1' || addr.startsWith('::ffff:127.');
}

/** sdscatrepr, as MONITOR quotes each argument. */
export const quoteMonitorArg = sdsRepr;
