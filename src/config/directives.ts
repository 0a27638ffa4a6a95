/*
 * The directive table: one row per config directive drives the redis.conf parser, `--name value`
 * arguments, CONFIG GET/SET/REWRITE and INFO. Types and validation follow Redis 7.0's config.c:
 *
 *   bool     yes|no
 *   int      integer within [min, max]; `memory` rows also take units (1k, 1kb, 1m, 1mb, 1g, 1gb)
 *   enum     one of `values` (case-insensitive); `multi` rows take several, space separated
 *   string   free text (`sds` rows may be empty)
 *   special  parsed and printed by its own `parse`/`format` (save, bind, notify-keyspace-events, ...)
 *
 * `apply` runs when a running server accepts a new value (CONFIG SET); it returns an error text to
 * refuse it. Rows strata does not act on yet are still here so real redis.conf files and tools work.
 */

export type DirectiveKind = 'bool' | 'int' | 'enum' | 'string' | 'special';

export interface Directive {
  name: string;
  alias?: string;
  kind: DirectiveKind;
  /** Default in redis.conf form. */
  default: string;
  immutable?: boolean;
  /** Protected configs need enable-protected-configs to be changed at runtime. */
  protected?: boolean;
  min?: number;
  max?: number;
  /** int rows that accept memory units. */
  memory?: boolean;
  /** int rows whose value may be given as a percentage (negative internally, e.g. maxmemory-clients). */
  percent?: boolean;
  values?: readonly string[];
  multi?: boolean;
  /** special rows: parse the arguments to the canonical text, or throw Error(message). */
  parse?: (args: string[]) => string;
  /** Arity for special rows taking several arguments on one config line (e.g. save 900 1 300 10). */
  multiArg?: boolean;
}

const yesno = (name: string, def: 'yes' | 'no', extra: Partial<Directive> = {}): Directive => ({ name, kind: 'bool', default: def, ...extra });
const int = (name: string, def: number | string, min: number, max: number, extra: Partial<Directive> = {}): Directive => ({
  name,
  kind: 'int',
  default: String(def),
  min,
  max,
  ...extra,
});
const str = (name: string, def: string, extra: Partial<Directive> = {}): Directive => ({ name, kind: 'string', default: def, ...extra });
const oneOf = (name: string, def: string, values: readonly string[], extra: Partial<Directive> = {}): Directive => ({
  name,
  kind: 'enum',
  default: def,
  values,
  ...extra,
});

const LONG_MAX = Number.MAX_SAFE_INTEGER;

export const DIRECTIVES: readonly Directive[] = [
  int('port', 6379, 0, 65535),
  str('bind', '* -::*', { multiArg: true }),
  yesno('protected-mode', 'yes'),
  str('dir', './'),
  str('dbfilename', 'dump.rdb', { protected: true }),
  yesno('appendonly', 'no'),
  oneOf('appendfsync', 'everysec', ['always', 'everysec', 'no']),
  str('appenddirname', 'appendonlydir', { immutable: true }),
  str('appendfilename', 'appendonly.aof', { immutable: true }),
  str('save', '3600 1 300 100 60 10000', { multiArg: true }),
  int('databases', 16, 1, 2147483647, { immutable: true }),
  str('requirepass', ''),
  int('maxmemory', 0, 0, LONG_MAX, { memory: true }),
  oneOf('maxmemory-policy', 'noeviction', [
    'volatile-lru',
    'volatile-lfu',
    'volatile-random',
    'volatile-ttl',
    'allkeys-lru',
    'allkeys-lfu',
    'allkeys-random',
    'noeviction',
  ]),
  int('maxclients', 10000, 1, 4294967295),
  int('timeout', 0, 0, 2147483647),
  oneOf('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning', 'nothing']),
  str('logfile', '', { immutable: true }),
  yesno('daemonize', 'no', { immutable: true }),
  int('proto-max-bulk-len', 512 * 1024 * 1024, 1024 * 1024, LONG_MAX, { memory: true }),
  int('client-query-buffer-limit', 1024 * 1024 * 1024, 1024 * 1024, LONG_MAX, { memory: true }),
  str('notify-keyspace-events', ''),
  oneOf('enable-debug-command', 'no', ['no', 'yes', 'local'], { immutable: true }),
  int('hz', 10, 0, 2147483647),
  int('slowlog-log-slower-than', 10000, -1, LONG_MAX),
  int('slowlog-max-len', 128, 0, LONG_MAX),
  int('latency-monitor-threshold', 0, 0, LONG_MAX),
  yesno('lazyfree-lazy-expire', 'no'),
  yesno('aof-load-truncated', 'yes'),
  int('list-max-listpack-size', -2, -2147483648, 2147483647, { alias: 'list-max-ziplist-size' }),
  int('list-compress-depth', 0, 0, 2147483647),
];
