/*
 * The directive table: one row per config directive of Redis 7.0.15 (config.c static_configs, with
 * the TLS rows of a USE_OPENSSL build, as Debian's redis-server), in config.c's order. It drives
 * the redis.conf parser, `--name value` arguments and CONFIG GET/SET/REWRITE. strata's own
 * directives are added here too. Rows strata does not act on yet are still here, so real redis.conf
 * files and tools work: they are stored and shown.
 */

import { INT_MAX, INT_MIN, LLONG_MAX, ULLONG_MAX, UINT_MAX } from './cnumbers.js';
import { choice, int, text, yesno, type Directive, type EnumTable } from './kinds.js';
import { SPECIAL_DIRECTIVES } from './special.js';

const LONG_MAX = LLONG_MAX;
const SSIZE_MAX = LLONG_MAX;

const PROTECTED_ACTION: EnumTable = [
  ['no', 0],
  ['yes', 1],
  ['local', 2],
];

const SHUTDOWN_ON_SIGNAL: EnumTable = [
  ['default', 0],
  ['save', 1],
  ['nosave', 2],
  ['now', 4],
  ['force', 8],
];

function validShutdownFlags(v: number): string | null {
  return v & 1 && v & 2 ? "shutdown options SAVE and NOSAVE can't be used simultaneously" : null;
}

/** pathIsBaseName: no '/' nor '\'. */
function isBaseName(s: string): boolean {
  return !s.includes('/') && !s.includes('\\');
}

/** CONFIG_DEFAULT_PROC_TITLE_TEMPLATE and the variables it may use. */
const PROC_TITLE_TEMPLATE = '{title} {listen-addr} {server-mode}';
const PROC_TITLE_VARIABLES: Record<string, string> = {
  title: '',
  'listen-addr': '*:6379',
  'server-mode': '',
  'config-file': '-',
  port: '6379',
  'tls-port': '0',
  unixsocket: '',
};

/** validateProcTitleTemplate: every {variable} known, "{{" a literal brace, non-empty expansion. */
function validProcTitle(template: string): string | null {
  const bad = 'template format is invalid or contains unknown variables';
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, open);
    if (open + 1 >= template.length) return bad;
    if (template[open + 1] === '{') {
      out += '{';
      i = open + 2;
      continue;
    }
    const close = template.indexOf('}', open + 1);
    if (close < 0) return bad;
    const value = PROC_TITLE_VARIABLES[template.slice(open + 1, close)];
    if (value === undefined) return bad;
    out += value;
    i = close + 1;
  }
  return out.length === 0 ? bad : null;
}

function validHostname(s: string): string | null {
  if (s.length >= 256) return 'Hostnames must be less than 256 characters';
  return /^[A-Za-z0-9.-]*$/.test(s) ? null : 'Hostnames may only contain alphanumeric characters, hyphens or dots';
}

/** Redis accepts any hz but runs (and shows) it within [1, 500], after a file load or CONFIG SET. */
function withHzLimits(row: Directive<bigint>): Directive<bigint> {
  return {
    ...row,
    parse(args, current, loading) {
      const hz = row.parse(args, current, loading);
      return hz < 1n ? 1n : hz > 500n ? 500n : hz;
    },
  };
}

export const DIRECTIVES: readonly Directive[] = [
  yesno('rdbchecksum', true, { immutable: true }),
  // strata cannot fork into the background: only `daemonize no` is accepted.
  yesno('daemonize', false, { immutable: true, check: (v) => (v ? 'strata cannot daemonize: run it in the foreground (daemonize no) under a supervisor' : null) }),
  yesno('io-threads-do-reads', false, { immutable: true }),
  yesno('always-show-logo', false, { immutable: true }),
  yesno('protected-mode', true),
  yesno('rdbcompression', true),
  yesno('rdb-del-sync-files', false),
  yesno('activerehashing', true),
  yesno('stop-writes-on-bgsave-error', true),
  yesno('set-proc-title', true, { immutable: true }),
  yesno('dynamic-hz', true),
  yesno('lazyfree-lazy-eviction', false),
  yesno('lazyfree-lazy-expire', false),
  yesno('lazyfree-lazy-server-del', false),
  yesno('lazyfree-lazy-user-del', false),
  yesno('lazyfree-lazy-user-flush', false),
  yesno('repl-disable-tcp-nodelay', false),
  yesno('repl-diskless-sync', true),
  yesno('aof-rewrite-incremental-fsync', true),
  yesno('no-appendfsync-on-rewrite', false),
  yesno('cluster-require-full-coverage', true),
  yesno('rdb-save-incremental-fsync', true),
  yesno('aof-load-truncated', true),
  yesno('aof-use-rdb-preamble', true),
  yesno('aof-timestamp-enabled', false),
  yesno('cluster-replica-no-failover', false, { alias: 'cluster-slave-no-failover' }),
  yesno('replica-lazy-flush', false, { alias: 'slave-lazy-flush' }),
  yesno('replica-serve-stale-data', true, { alias: 'slave-serve-stale-data' }),
  yesno('replica-read-only', true, { alias: 'slave-read-only' }),
  yesno('replica-ignore-maxmemory', true, { alias: 'slave-ignore-maxmemory' }),
  yesno('jemalloc-bg-thread', true),
  // As a Redis built without its bundled jemalloc (Debian's): there is no active defrag.
  yesno('activedefrag', false, {
    check: (v) =>
      v
        ? 'Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution'
        : null,
  }),
  yesno('syslog-enabled', false, { immutable: true }),
  yesno('cluster-enabled', false, { immutable: true }),
  // strata is durable by default (Redis's defaults: appendonly no, appendfsync everysec).
  yesno('appendonly', true),
  yesno('cluster-allow-reads-when-down', false),
  yesno('cluster-allow-pubsubshard-when-down', true),
  yesno('crash-log-enabled', true),
  yesno('crash-memcheck-enabled', true),
  yesno('use-exit-on-panic', false, { hidden: true }),
  yesno('disable-thp', true, { immutable: true }),
  yesno('cluster-allow-replica-migration', true),
  yesno('replica-announced', true),
  yesno('latency-tracking', true),
  yesno('aof-disable-auto-gc', false),
  yesno('replica-ignore-disk-write-errors', false),

  text('aclfile', '', { immutable: true }),
  text('unixsocket', null, { immutable: true }),
  text('pidfile', null, { immutable: true }),
  text('replica-announce-ip', null, { alias: 'slave-announce-ip' }),
  text('masteruser', null, { sensitive: true }),
  text('cluster-announce-ip', null),
  text('cluster-config-file', 'nodes.conf', { immutable: true }),
  text('cluster-announce-hostname', null, { check: validHostname }),
  text('syslog-ident', 'redis', { immutable: true }),
  text('dbfilename', 'dump.rdb', { protected: true, check: (v) => (isBaseName(v) ? null : "dbfilename can't be a path, just a filename") }),
  text('appendfilename', 'appendonly.aof', {
    immutable: true,
    check: (v) => (v === '' ? "appendfilename can't be empty" : isBaseName(v) ? null : "appendfilename can't be a path, just a filename"),
  }),
  text('appenddirname', 'appendonlydir', {
    immutable: true,
    check: (v) => (v === '' ? "appenddirname can't be empty" : isBaseName(v) ? null : "appenddirname can't be a path, just a dirname"),
  }),
  text('server_cpulist', null, { immutable: true }),
  text('bio_cpulist', null, { immutable: true }),
  text('aof_rewrite_cpulist', null, { immutable: true }),
  text('bgsave_cpulist', null, { immutable: true }),
  text('ignore-warnings', ''),
  text('proc-title-template', PROC_TITLE_TEMPLATE, { check: validProcTitle }),
  text('bind-source-addr', null),
  text('logfile', '', { immutable: true }),
  text('masterauth', null, { sensitive: true }),
  text('requirepass', null, { sensitive: true }),

  choice('supervised', [['upstart', 1], ['systemd', 2], ['auto', 3], ['no', 0]], 'no', { immutable: true }),
  choice(
    'syslog-facility',
    [['user', 8], ['local0', 128], ['local1', 136], ['local2', 144], ['local3', 152], ['local4', 160], ['local5', 168], ['local6', 176], ['local7', 184]],
    'local0',
    { immutable: true },
  ),
  choice('repl-diskless-load', [['disabled', 0], ['on-empty-db', 1], ['swapdb', 2]], 'disabled'),
  choice('loglevel', [['debug', 0], ['verbose', 1], ['notice', 2], ['warning', 3]], 'notice'),
  choice(
    'maxmemory-policy',
    [
      ['volatile-lru', 1],
      ['volatile-lfu', 2],
      ['volatile-random', 3],
      ['volatile-ttl', 4],
      ['allkeys-lru', 5],
      ['allkeys-lfu', 6],
      ['allkeys-random', 7],
      ['noeviction', 8],
    ],
    'noeviction',
  ),
  choice('appendfsync', [['everysec', 2], ['always', 1], ['no', 0]], 'always'),
  // "yes" is the old spelling of "relative"; CONFIG GET shows the first name, "yes".
  choice('oom-score-adj', [['no', 0], ['yes', 1], ['relative', 1], ['absolute', 2]], 'no'),
  choice('acl-pubsub-default', [['allchannels', 8], ['resetchannels', 0]], 'resetchannels'),
  choice('sanitize-dump-payload', [['no', 0], ['yes', 1], ['clients', 2]], 'no'),
  choice('enable-protected-configs', PROTECTED_ACTION, 'no', { immutable: true }),
  choice('enable-debug-command', PROTECTED_ACTION, 'no', { immutable: true }),
  choice('enable-module-command', PROTECTED_ACTION, 'no', { immutable: true }),
  choice('cluster-preferred-endpoint-type', [['ip', 0], ['hostname', 1], ['unknown-endpoint', 2]], 'ip'),
  choice('propagation-error-behavior', [['ignore', 0], ['panic', 1], ['panic-on-replicas', 2]], 'ignore'),
  choice('shutdown-on-sigint', SHUTDOWN_ON_SIGNAL, 'default', { multi: true, check: validShutdownFlags }),
  choice('shutdown-on-sigterm', SHUTDOWN_ON_SIGNAL, 'default', { multi: true, check: validShutdownFlags }),

  int('databases', 16, 1, INT_MAX, { immutable: true }),
  int('port', 6379, 0, 65535),
  int('io-threads', 1, 1, 128, { immutable: true }),
  int('auto-aof-rewrite-percentage', 100, 0, INT_MAX),
  int('cluster-replica-validity-factor', 10, 0, INT_MAX, { alias: 'cluster-slave-validity-factor' }),
  int('list-max-listpack-size', -2, INT_MIN, INT_MAX, { alias: 'list-max-ziplist-size' }),
  int('tcp-keepalive', 300, 0, INT_MAX),
  int('cluster-migration-barrier', 1, 0, INT_MAX),
  int('active-defrag-cycle-min', 1, 1, 99),
  int('active-defrag-cycle-max', 25, 1, 99),
  int('active-defrag-threshold-lower', 10, 0, 1000),
  int('active-defrag-threshold-upper', 100, 0, 1000),
  int('lfu-log-factor', 10, 0, INT_MAX),
  int('lfu-decay-time', 1, 0, INT_MAX),
  int('replica-priority', 100, 0, INT_MAX, { alias: 'slave-priority' }),
  int('repl-diskless-sync-delay', 5, 0, INT_MAX),
  int('maxmemory-samples', 5, 1, INT_MAX),
  int('maxmemory-eviction-tenacity', 10, 0, 100),
  int('timeout', 0, 0, INT_MAX),
  int('replica-announce-port', 0, 0, 65535, { alias: 'slave-announce-port' }),
  int('tcp-backlog', 511, 0, INT_MAX, { immutable: true }),
  int('cluster-port', 0, 0, 65535, { immutable: true }),
  int('cluster-announce-bus-port', 0, 0, 65535),
  int('cluster-announce-port', 0, 0, 65535),
  int('cluster-announce-tls-port', 0, 0, 65535),
  int('repl-timeout', 60, 1, INT_MAX),
  int('repl-ping-replica-period', 10, 1, INT_MAX, { alias: 'repl-ping-slave-period' }),
  int('list-compress-depth', 0, 0, INT_MAX),
  int('rdb-key-save-delay', 0, INT_MIN, INT_MAX, { hidden: true }),
  int('key-load-delay', 0, INT_MIN, INT_MAX, { hidden: true }),
  int('active-expire-effort', 1, 1, 10),
  withHzLimits(int('hz', 10, 0, INT_MAX)),
  int('min-replicas-to-write', 0, 0, INT_MAX, { alias: 'min-slaves-to-write' }),
  int('min-replicas-max-lag', 10, 0, INT_MAX, { alias: 'min-slaves-max-lag' }),
  int('watchdog-period', 0, 0, INT_MAX, { hidden: true }),
  int('shutdown-timeout', 10, 0, INT_MAX),
  int('repl-diskless-sync-max-replicas', 0, 0, INT_MAX),
  int('maxclients', 10000, 1, UINT_MAX, { unsigned: true }),
  int('unixsocketperm', 0, 0, 0o777, { immutable: true, unsigned: true, octal: true }),
  int('socket-mark-id', 0, 0, UINT_MAX, { immutable: true, unsigned: true }),
  int('active-defrag-max-scan-fields', 1000, 1, LONG_MAX),
  int('slowlog-max-len', 128, 0, LONG_MAX),
  int('acllog-max-len', 128, 0, LONG_MAX),
  int('busy-reply-threshold', 5000, 0, LONG_MAX, { alias: 'lua-time-limit' }),
  int('cluster-node-timeout', 15000, 0, LLONG_MAX),
  int('slowlog-log-slower-than', 10000, -1, LLONG_MAX),
  int('latency-monitor-threshold', 0, 0, LLONG_MAX),
  int('proto-max-bulk-len', 512 * 1024 * 1024, 1024 * 1024, LONG_MAX, { memory: true }),
  int('stream-node-max-entries', 100, 0, LLONG_MAX),
  {
    ...int('repl-backlog-size', 1024 * 1024, 1, LLONG_MAX, { memory: true }),
    // Resizing the backlog at runtime enforces a 16kb minimum; a config file may set less.
    adjustOnSet: (size: bigint) => (size < 16384n ? 16384n : size),
  },
  int('maxmemory', 0, 0, ULLONG_MAX, { unsigned: true, memory: true }),
  // strata's cold tier (DESIGN.md §5): eviction demotes to LMDB instead of deleting, while maxmemory is set.
  yesno('cold-tier', true),
  // Relative to `dir`; read when the tier first opens (its first demotion).
  text('cold-tier-dir', 'tier', { check: (v) => (v === '' ? "cold-tier-dir can't be empty" : null) }),
  // 0: no bound. Beyond it demotions are refused and keys stay in memory (writes then get OOM errors).
  int('cold-tier-max-disk-bytes', 0, 0, LLONG_MAX, { memory: true }),
  // Reads of cold keys off the command thread, the command parked meanwhile (server/cold-reads.ts):
  // always, never, or auto (while reads on the command thread wait on the disk).
  choice('cold-tier-async-reads', [['auto', 0], ['yes', 1], ['no', 2]], 'auto'),
  int('cluster-link-sendbuf-limit', 0, 0, ULLONG_MAX, { unsigned: true, memory: true }),
  int('hash-max-listpack-entries', 512, 0, LONG_MAX, { alias: 'hash-max-ziplist-entries', unsigned: true }),
  int('set-max-intset-entries', 512, 0, LONG_MAX, { unsigned: true }),
  int('zset-max-listpack-entries', 128, 0, LONG_MAX, { alias: 'zset-max-ziplist-entries', unsigned: true }),
  int('active-defrag-ignore-bytes', 100 * 1024 * 1024, 1, LLONG_MAX, { unsigned: true, memory: true }),
  int('hash-max-listpack-value', 64, 0, LONG_MAX, { alias: 'hash-max-ziplist-value', unsigned: true, memory: true }),
  int('stream-node-max-bytes', 4096, 0, LONG_MAX, { unsigned: true, memory: true }),
  int('zset-max-listpack-value', 64, 0, LONG_MAX, { alias: 'zset-max-ziplist-value', unsigned: true, memory: true }),
  int('hll-sparse-max-bytes', 3000, 0, LONG_MAX, { unsigned: true, memory: true }),
  int('tracking-table-max-keys', 1000000, 0, LONG_MAX, { unsigned: true }),
  int('client-query-buffer-limit', 1024 * 1024 * 1024, 1024 * 1024, LONG_MAX, { unsigned: true, memory: true }),
  int('maxmemory-clients', 0, -100, SSIZE_MAX, { memory: true, percent: true }),
  int('repl-backlog-ttl', 3600, 0, LONG_MAX),
  int('auto-aof-rewrite-min-size', 64 * 1024 * 1024, 0, LLONG_MAX, { memory: true }),
  int('loading-process-events-interval-bytes', 2 * 1024 * 1024, 1024, INT_MAX, { hidden: true }),

  int('tls-port', 0, 0, 65535),
  int('tls-session-cache-size', 20 * 1024, 0, INT_MAX),
  int('tls-session-cache-timeout', 300, 0, INT_MAX),
  yesno('tls-cluster', false),
  yesno('tls-replication', false),
  choice('tls-auth-clients', [['no', 0], ['yes', 1], ['optional', 2]], 'yes'),
  yesno('tls-prefer-server-ciphers', false),
  yesno('tls-session-caching', true),
  text('tls-cert-file', null),
  text('tls-key-file', null),
  text('tls-key-file-pass', null),
  text('tls-client-cert-file', null),
  text('tls-client-key-file', null),
  text('tls-client-key-file-pass', null),
  text('tls-dh-params-file', null),
  text('tls-ca-cert-file', null),
  text('tls-ca-cert-dir', null),
  text('tls-protocols', null),
  text('tls-ciphers', null),
  text('tls-ciphersuites', null),

  ...SPECIAL_DIRECTIVES,
];
