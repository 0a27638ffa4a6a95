/*
 * The INFO text, as Redis 7.0.15's genRedisInfoString: the same sections in the same order with
 * the same field names, so tools that parse INFO work unchanged.
 *
 *   no argument / "default"   server clients memory persistence stats replication cpu modules
 *                             errorstats cluster keyspace
 *   "all"                     every section, commandstats and latencystats included
 *   "everything"              "all" plus module-generated sections (strata has no modules)
 *   names                     the named sections, case-insensitively ("modules" = "module_list")
 *   "tiering"                 strata's cold tier (only when named: not part of "all")
 *
 * Values strata has are real (clients, commands, network, keyspace, errors, CPU, Node's memory);
 * what does not exist yet (forks, replication links, defrag, ...) reports what an idle
 * standalone Redis reports. Persistence code updates `server.persistence`.
 */

import os from 'node:os';
import type { Server } from './server.js';
import { REDIS_VERSION } from './server.js';
import { bytesToHuman, dbOverheads, processMemory } from './memory.js';

const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'module_list', 'errorstats', 'cluster', 'keyspace'];

/** Samples of a counter's rate, one per 100 ms, averaged over the last 16 (Redis's inst_metric). */
export class InstantaneousMetric {
  private readonly samples = new Float64Array(16);
  private idx = 0;
  private lastTime = Date.now();
  private lastCount = 0;

  track(now: number, reading: number): void {
    const t = now - this.lastTime;
    this.samples[this.idx] = t > 0 ? Math.floor(((reading - this.lastCount) * 1000) / t) : 0;
    this.idx = (this.idx + 1) % this.samples.length;
    this.lastTime = now;
    this.lastCount = reading;
  }

  get value(): number {
    let sum = 0;
    for (const s of this.samples) sum += s;
    return Math.floor(sum / this.samples.length);
  }
}

/** INFO [section ...] → the text of the requested sections. */
export function genInfo(server: Server, args: readonly string[]): string {
  const wanted = new Set<string>();
  let all = false;
  if (args.length === 0) for (const s of DEFAULT_SECTIONS) wanted.add(s);
  for (const a of args) {
    const s = a.toLowerCase();
    if (s === 'default') for (const d of DEFAULT_SECTIONS) wanted.add(d);
    else if (s === 'all' || s === 'everything') all = true;
    else wanted.add(s);
  }
  const parts: string[] = [];
  const want = (name: string): boolean => all || wanted.has(name);
  if (want('server')) parts.push(serverSection(server));
  if (want('clients')) parts.push(clientsSection(server));
  if (want('memory')) parts.push(memorySection(server));
  if (want('persistence')) parts.push(persistenceSection(server));
  if (want('stats')) parts.push(statsSection(server));
  if (want('replication')) parts.push(replicationSection(server));
  if (want('cpu')) parts.push(cpuSection());
  if (all || wanted.has('module_list') || wanted.has('modules')) parts.push('# Modules\r\n');
  if (want('commandstats')) parts.push(commandStatsSection(server));
  if (want('errorstats')) parts.push(errorStatsSection(server));
  if (want('latencystats')) parts.push(latencyStatsSection(server));
  if (want('cluster')) parts.push('# Cluster\r\ncluster_enabled:0\r\n');
  // strata's own section, only when named: "all" stays the same list of sections as Redis's.
  if (wanted.has('tiering')) parts.push(tieringSection(server));
  if (want('keyspace')) parts.push(keyspaceSection(server));
  return parts.join('\r\n');
}

function lines(title: string, fields: ReadonlyArray<readonly [string, string | number]>): string {
  let out = `# ${title}\r\n`;
  for (const [k, v] of fields) out += `${k}:${v}\r\n`;
  return out;
}

const MACHINE: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686' };

function serverSection(server: Server): string {
  const now = Date.now();
  const uptime = Math.floor((now - server.startTime) / 1000);
  const hz = server.config.getNumber('hz');
  return lines('Server', [
    ['redis_version', REDIS_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', server.runId.slice(0, 16)],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${MACHINE[process.arch] ?? process.arch}`],
    ['arch_bits', 64],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', process.platform === 'linux' ? 'epoll' : 'kqueue'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', server.runId],
    ['tcp_port', server.config.getNumber('port')],
    ['server_time_usec', Math.floor((performance.timeOrigin + performance.now()) * 1000)],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', hz],
    ['configured_hz', hz],
    ['lru_clock', Math.floor(now / 1000) & 0xffffff],
    ['executable', process.argv[1] ?? ''],
    ['config_file', server.config.configFile],
    ['io_threads_active', 0],
  ]);
}

function clientsSection(server: Server): string {
  let blocked = 0;
  let maxInput = 0;
  for (const c of server.clients.values()) {
    if (c.blocked !== null || c.postponed !== null) blocked++;
    if (c.parser.buffered > maxInput) maxInput = c.parser.buffered;
  }
  return lines('Clients', [
    ['connected_clients', server.clients.size],
    ['cluster_connections', 0],
    ['maxclients', server.config.getNumber('maxclients')],
    ['client_recent_max_input_buffer', maxInput],
    ['client_recent_max_output_buffer', 0],
    ['blocked_clients', blocked],
    ['tracking_clients', server.tracking.clients],
    ['clients_in_timeout_table', 0],
  ]);
}

/** The figures INFO memory and MEMORY STATS share (Redis's getMemoryOverheadData). */
export function memoryOverview(server: Server): {
  used: number;
  rss: number;
  peak: number;
  startup: number;
  overhead: number;
  dataset: number;
  datasetPerc: number;
  peakPerc: number;
  keys: number;
  bytesPerKey: number;
  clientsNormal: number;
  /** The process heap in use and allocated (allocator_allocated / allocator_active). */
  heapUsed: number;
  allocated: number;
  dbs: ReturnType<typeof dbOverheads>;
} {
  const mem = processMemory();
  const dbs = dbOverheads(server.keyspace.dbs);
  let clientsNormal = 0;
  for (const c of server.clients.values()) clientsNormal += c.parser.buffered + c.reply.length;
  const used = server.eviction.usedMemory() + clientsNormal;
  server.notePeakMemory(used);
  let overhead = server.startupMemory + clientsNormal;
  for (const d of dbs) overhead += d.main + d.expires;
  const dataset = Math.max(0, used - overhead);
  const net = used > server.startupMemory ? used - server.startupMemory : 1;
  const keys = server.keyspace.keyCount();
  return {
    used,
    rss: mem.rss,
    peak: server.peakMemory,
    startup: server.startupMemory,
    overhead,
    dataset,
    datasetPerc: (dataset * 100) / net,
    peakPerc: (used * 100) / server.peakMemory,
    keys,
    bytesPerKey: keys > 0 ? Math.floor(net / keys) : 0,
    clientsNormal,
    heapUsed: mem.used,
    allocated: mem.heapTotal,
    dbs,
  };
}

function memorySection(server: Server): string {
  const m = memoryOverview(server);
  const maxmemory = server.config.getNumber('maxmemory');
  const total = os.totalmem();
  const ratio = (a: number, b: number): string => (b > 0 ? a / b : 0).toFixed(2);
  const vm = server.scripting?.vmMemory() ?? { eval: 0, functions: 0 };
  const scriptsEval = server.scripting?.scriptsMemory() ?? 0;
  let functionsMemory = 0;
  for (const lib of server.functions.libraries.values()) functionsMemory += lib.code.length + lib.name.length + 64 * lib.functions.length;
  return lines('Memory', [
    ['used_memory', m.used],
    ['used_memory_human', bytesToHuman(m.used)],
    ['used_memory_rss', m.rss],
    ['used_memory_rss_human', bytesToHuman(m.rss)],
    ['used_memory_peak', m.peak],
    ['used_memory_peak_human', bytesToHuman(m.peak)],
    ['used_memory_peak_perc', `${m.peakPerc.toFixed(2)}%`],
    ['used_memory_overhead', m.overhead],
    ['used_memory_startup', m.startup],
    ['used_memory_dataset', m.dataset],
    ['used_memory_dataset_perc', `${m.datasetPerc.toFixed(2)}%`],
    ['allocator_allocated', m.heapUsed],
    ['allocator_active', m.allocated],
    ['allocator_resident', m.rss],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    ['used_memory_lua', vm.eval],
    ['used_memory_vm_eval', vm.eval],
    ['used_memory_lua_human', bytesToHuman(vm.eval)],
    ['used_memory_scripts_eval', scriptsEval],
    ['number_of_cached_scripts', server.scripting?.scripts.size ?? 0],
    ['number_of_functions', server.functions.functionCount],
    ['number_of_libraries', server.functions.libraries.size],
    ['used_memory_vm_functions', vm.functions],
    ['used_memory_vm_total', vm.eval + vm.functions],
    ['used_memory_vm_total_human', bytesToHuman(vm.eval + vm.functions)],
    ['used_memory_functions', functionsMemory],
    ['used_memory_scripts', scriptsEval + functionsMemory],
    ['used_memory_scripts_human', bytesToHuman(scriptsEval + functionsMemory)],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', server.config.getString('maxmemory-policy')],
    ['allocator_frag_ratio', ratio(m.allocated, m.heapUsed)],
    ['allocator_frag_bytes', Math.max(0, m.allocated - m.heapUsed)],
    ['allocator_rss_ratio', ratio(m.rss, m.allocated)],
    ['allocator_rss_bytes', m.rss - m.allocated],
    ['rss_overhead_ratio', '1.00'],
    ['rss_overhead_bytes', 0],
    ['mem_fragmentation_ratio', ratio(m.rss, m.used)],
    ['mem_fragmentation_bytes', m.rss - m.used],
    ['mem_not_counted_for_evict', m.clientsNormal],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', m.clientsNormal],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', `node-${process.versions.v8}`],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', 0],
  ]);
}

function persistenceSection(server: Server): string {
  const snap = server.snapshots;
  const aof = server.aof;
  return lines('Persistence', [
    ['loading', server.keyspace.loading ? 1 : 0],
    ['async_loading', 0],
    ['current_cow_peak', 0],
    ['current_cow_size', 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', '0.00'],
    ['current_save_keys_processed', 0],
    ['current_save_keys_total', 0],
    ['rdb_changes_since_last_save', server.keyspace.effects.dirty],
    ['rdb_bgsave_in_progress', snap.runningKind === 'rdb' ? 1 : 0],
    ['rdb_last_save_time', snap.lastSave],
    ['rdb_last_bgsave_status', snap.lastStatusOk ? 'ok' : 'err'],
    ['rdb_last_bgsave_time_sec', snap.lastDurationSec],
    ['rdb_current_bgsave_time_sec', snap.runningKind === 'rdb' ? snap.currentDurationSec : -1],
    ['rdb_saves', snap.saves],
    ['rdb_last_cow_size', 0],
    ['rdb_last_load_keys_expired', 0],
    ['rdb_last_load_keys_loaded', 0],
    ['aof_enabled', server.config.getBool('appendonly') ? 1 : 0],
    ['aof_rewrite_in_progress', snap.runningKind === 'aof' ? 1 : 0],
    ['aof_rewrite_scheduled', aof?.rewriteScheduled ? 1 : 0],
    ['aof_last_rewrite_time_sec', -1],
    ['aof_current_rewrite_time_sec', -1],
    ['aof_last_bgrewrite_status', aof === null || aof.lastRewriteOk ? 'ok' : 'err'],
    ['aof_rewrites', aof?.rewrites ?? 0],
    ['aof_rewrites_consecutive_failures', aof?.rewriteFailures ?? 0],
    ['aof_last_write_status', aof === null || aof.lastWriteOk ? 'ok' : 'err'],
    ['aof_last_cow_size', 0],
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
    ...aofFields(aof),
  ]);
}

/** The fields Redis adds while the log is on. */
function aofFields(aof: Server['aof']): Array<[string, string | number]> {
  if (aof === null) return [];
  const sizes = aof.sizes;
  return [
    ['aof_current_size', sizes.current],
    ['aof_base_size', sizes.base],
    ['aof_pending_rewrite', aof.rewriteScheduled ? 1 : 0],
    ['aof_buffer_length', sizes.buffered],
    ['aof_pending_bio_fsync', sizes.syncsPending],
    ['aof_delayed_fsync', aof.delayedFsyncs],
  ];
}

function statsSection(server: Server): string {
  const s = server.stats;
  const ks = server.keyspace.stats;
  const pubsub = server.pubsub;
  const kbps = (v: number): string => (v / 1024).toFixed(2);
  return lines('Stats', [
    ['total_connections_received', s.totalConnections],
    ['total_commands_processed', s.totalCommands],
    ['instantaneous_ops_per_sec', server.metrics.ops.value],
    ['total_net_input_bytes', s.netInputBytes],
    ['total_net_output_bytes', s.netOutputBytes],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', kbps(server.metrics.input.value)],
    ['instantaneous_output_kbps', kbps(server.metrics.output.value)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', s.rejectedConnections],
    ['sync_full', 0],
    ['sync_partial_ok', 0],
    ['sync_partial_err', 0],
    ['expired_keys', ks.expiredKeys],
    ['expired_stale_perc', (ks.expiredStalePerc * 100).toFixed(2)],
    ['expired_time_cap_reached_count', ks.expiredTimeCapReached],
    ['expire_cycle_cpu_milliseconds', 0],
    ['evicted_keys', server.eviction.evictedKeys],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', ks.keyspaceHits],
    ['keyspace_misses', ks.keyspaceMisses],
    ['pubsub_channels', pubsub.channels.size],
    ['pubsub_patterns', pubsub.patterns.size],
    ['pubsubshard_channels', pubsub.shardChannels.size],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', server.tracking.totalKeys],
    ['tracking_total_items', server.tracking.items],
    ['tracking_total_prefixes', server.tracking.totalPrefixes],
    ['unexpected_error_replies', s.unexpectedErrorReplies],
    ['total_error_replies', s.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', s.readsProcessed],
    ['total_writes_processed', s.writesProcessed],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
  ]);
}

function replicationSection(server: Server): string {
  return lines('Replication', [
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', server.replId],
    ['master_replid2', '0'.repeat(40)],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', 1048576],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  ]);
}

/** Microseconds as Redis prints rusage: seconds.micros. */
function seconds(us: number): string {
  return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
}

function cpuSection(): string {
  const self = process.cpuUsage();
  const ru = process.resourceUsage();
  return lines('CPU', [
    ['used_cpu_sys', seconds(self.system)],
    ['used_cpu_user', seconds(self.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    // The command thread is the main thread; Node reports the process, which includes its helpers.
    ['used_cpu_sys_main_thread', seconds(ru.systemCPUTime)],
    ['used_cpu_user_main_thread', seconds(ru.userCPUTime)],
  ]);
}

/** INFO's field names may not contain these characters (getSafeInfoString). */
function safeInfoName(s: string): string {
  return /[#:\r\n]/.test(s) ? s.replace(/[#:\r\n]/g, '_') : s;
}

function commandStatsSection(server: Server): string {
  let out = '# Commandstats\r\n';
  for (const cmd of server.commands.all()) {
    const st = cmd.stats;
    if (st.calls === 0 && st.failedCalls === 0 && st.rejectedCalls === 0) continue;
    const perCall = st.calls === 0 ? 0 : st.usec / st.calls;
    out += `cmdstat_${safeInfoName(cmd.fullname)}:calls=${st.calls},usec=${st.usec},usec_per_call=${perCall.toFixed(2)},rejected_calls=${st.rejectedCalls},failed_calls=${st.failedCalls}\r\n`;
  }
  return out;
}

function errorStatsSection(server: Server): string {
  let out = '# Errorstats\r\n';
  // Redis keeps error codes in a radix tree: they are listed in byte order.
  const codes = [...server.errorStats.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const code of codes) out += `errorstat_${safeInfoName(code)}:count=${server.errorStats.get(code)}\r\n`;
  return out;
}

function latencyStatsSection(server: Server): string {
  let out = '# Latencystats\r\n';
  if (!server.latencyTracking) return out;
  const percentiles = server.latencyPercentiles;
  for (const cmd of server.commands.all()) {
    const h = cmd.latencyHistogram;
    if (h === null) continue;
    const values = percentiles.map((p) => `p${formatPercentile(p)}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`);
    out += `latency_percentiles_usec_${safeInfoName(cmd.fullname)}:${values.join(',')}\r\n`;
  }
  return out;
}

/** "%f" trimmed of trailing zeros (trimDoubleString): 50 → "50", 99.9 → "99.9". */
function formatPercentile(p: number): string {
  return p.toFixed(6).replace(/\.?0+$/, '');
}

/** strata's cold tier (keyspace/tier.ts): keys and bytes per tier, moves between them. */
function tieringSection(server: Server): string {
  const ks = server.keyspace;
  const cold = ks.cold!;
  const coldKeys = cold.keys;
  const st = cold.stats;
  return lines('Tiering', [
    ['cold_tier_enabled', cold.enabled ? 1 : 0],
    ['hot_keys', ks.keyCount() - coldKeys],
    ['hot_bytes', ks.datasetBytes()],
    ['cold_keys', coldKeys],
    ['cold_bytes', cold.bytes],
    ['cold_tier_max_disk_bytes', cold.maxDiskBytes],
    ['promotions', st.promotions],
    ['demotions', st.demotions],
    ['cold_reads', st.coldReads],
    ['cold_reads_parked', st.parkedReads],
    ['demotion_failures', st.demoteFailures],
    ['cold_read_errors', st.readErrors],
  ]);
}

function keyspaceSection(server: Server): string {
  let out = '# Keyspace\r\n';
  for (const db of server.keyspace.dbs) {
    const keys = db.size;
    const expires = db.expires.size + db.coldVolatile;
    if (keys === 0 && expires === 0) continue;
    out += `db${db.id}:keys=${keys},expires=${expires},avg_ttl=${Math.trunc(db.avgTtl)}\r\n`;
  }
  return out;
}
