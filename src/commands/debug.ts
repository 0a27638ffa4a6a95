/*
 * DEBUG: Redis 7.0's debugging subcommands that make sense for strata. The command is protected:
 * dispatch refuses it unless enable-debug-command allows the connection (yes, or local for
 * loopback clients), exactly where Redis's processCommand does.
 *
 * Subcommands match Redis's argument counts: a known name with the wrong count gets the same
 * "unknown subcommand or wrong number of arguments" error as an unknown name. DEBUG works on keys
 * as stored, without lazy expiry (Redis uses dictFind here on purpose).
 */

import { randomBytes } from 'node:crypto';
import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { replyHelp, replySubcommandSyntaxError } from './help.js';
import { ERR_NO_SUCH_KEY } from '../protocol/errors.js';
import { datasetDigest, keyValueDigest } from '../keyspace/digest.js';
import { storedString, type Value } from '../types/object.js';
import { globMatch } from '../types/glob.js';
import { tuning } from '../types/tuning.js';
import { memtoull } from '../config/cnumbers.js';
import { parseIntArg } from '../types/numbers.js';
import { dumpPayload } from '../../storage/rdb/writer.js';
import { toRdbValue } from '../keyspace/rdb-values.js';

/** getPositiveLongFromObjectOrReply's text, for malformed and negative numbers alike. */
const ERR_NOT_POSITIVE = 'ERR value is out of range, must be positive';

/** C's atoi: optional spaces and sign, then digits; 0 when there are none. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number.parseInt(m[1], 10) | 0;
}

/** C's strtod on a prefix, 0 when nothing parses. */
function strtod(s: string): number {
  const n = Number.parseFloat(s);
  return Number.isNaN(n) ? 0 : n;
}

// ---------------------------------------------------------------------------------------------
// DEBUG OBJECT

/** Redis's LRU clock: seconds, 24 bits. strata keeps no per-key access time yet, so keys look just touched. */
function lruClock(): number {
  return Math.floor(Date.now() / 1000) & 0xffffff;
}

/** A stable, pointer-looking address for a key (there is no real one to show). */
function fakeAddress(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return '0x7f' + ((h >>> 4) & 0xff).toString(16).padStart(2, '0') + h.toString(16).padStart(8, '0');
}

/** Bytes an RDB length prefix takes. */
function rdbLengthSize(n: number): number {
  return n < 1 << 6 ? 1 : n < 1 << 14 ? 2 : n <= 0xffffffff ? 5 : 9;
}

/** RDB size of a string value, uncompressed: int32-encodable integers take 2, 3 or 5 bytes. */
function rdbStringSize(v: string | number): number {
  const s = typeof v === 'number' ? String(v) : v;
  const n = storedString(s);
  if (typeof n === 'number' && n >= -2147483648 && n <= 2147483647) return n >= -128 && n <= 127 ? 2 : n >= -32768 && n <= 32767 ? 3 : 5;
  return rdbLengthSize(s.length) + s.length;
}

/** A DUMP payload's bytes around the value's body: the type byte, the RDB version, the CRC-64. */
const DUMP_FRAME_BYTES = 1 + 2 + 8;

/** Redis shares the objects of small integers (refcount INT_MAX) when values are int encoded. */
const SHARED_INTEGERS = 10000;

function debugObject(c: Client, key: string, v: Value): void {
  const isString = typeof v !== 'object';
  const encoding = isString ? c.server.keyspace.stringEncoding(c.db, key, v) : v.encoding();
  const shared = typeof v === 'number' && v >= 0 && v < SHARED_INTEGERS;
  // rdbSavedObjectLen: the body a DUMP payload holds (less its type byte, RDB version and CRC).
  const serialized = isString ? rdbStringSize(v) : dumpPayload(toRdbValue(v), c.server.config.getBool('rdbcompression')).length - DUMP_FRAME_BYTES;
  c.reply.simple(
    `Value at:${fakeAddress(key)} refcount:${shared ? 2147483647 : 1} encoding:${encoding} serializedlength:${serialized} lru:${lruClock()} lru_seconds_idle:0`,
  );
}

// ---------------------------------------------------------------------------------------------
// DEBUG PROTOCOL: one sample of every reply type, as Redis's debugCommand sends them

function debugProtocol(c: Client, type: string): void {
  const r = c.reply;
  switch (type.toLowerCase()) {
    case 'string':
      r.bulk('Hello World');
      break;
    case 'integer':
      r.integer(12345);
      break;
    case 'double':
      r.double(3.141);
      break;
    case 'bignum':
      r.bigNumber('1234567999999999999999999999999999999');
      break;
    case 'null':
      r.nullBulk();
      break;
    case 'array':
      r.array(3);
      for (let j = 0; j < 3; j++) r.integer(j);
      break;
    case 'set':
      r.set(3);
      for (let j = 0; j < 3; j++) r.integer(j);
      break;
    case 'map':
      r.map(3);
      for (let j = 0; j < 3; j++) {
        r.integer(j);
        r.bool(j === 1);
      }
      break;
    case 'attrib':
      // An attribute annotates the reply that follows; RESP2 has no attributes, only that reply.
      if (r.resp === 3) {
        r.raw('|1\r\n');
        r.bulk('key-popularity');
        r.array(2);
        r.bulk('key:123');
        r.integer(90);
      }
      r.bulk('Some real reply following the attribute');
      break;
    case 'push':
      if (r.resp < 3) {
        r.error('ERR RESP2 is not supported by this command');
        return;
      }
      r.push(2);
      r.bulk('server-cpu-usage');
      r.integer(42);
      r.bulk('Some real reply following the push reply');
      break;
    case 'true':
      r.bool(true);
      break;
    case 'false':
      r.bool(false);
      break;
    case 'verbatim':
      r.verbatim('This is a verbatim\nstring', 'txt');
      break;
    default:
      r.error(
        'ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false',
      );
  }
}

// ---------------------------------------------------------------------------------------------
// DEBUG POPULATE

function debugPopulate(c: Client, argv: string[]): void {
  const count = parseIntArg(argv[2]);
  const size = argv.length === 5 ? parseIntArg(argv[4]) : 0;
  if (count === null || count < 0 || size === null || size < 0) {
    c.reply.error(ERR_NOT_POSITIVE);
    return;
  }
  const prefix = argv.length === 3 ? 'key' : argv[3];
  const ks = c.server.keyspace;
  const db = c.db;
  for (let j = 0; j < count; j++) {
    const key = `${prefix}:${j}`;
    if (ks.lookupWrite(db, key) !== undefined) continue;
    const base = `value:${j}`;
    // A sized value is the text cut or zero-padded to `size` bytes.
    const value = size === 0 ? base : size <= base.length ? base.slice(0, size) : base + '\0'.repeat(size - base.length);
    ks.setKey(db, key, storedString(value));
    // Not propagated, as in Redis: populate is a local testing aid.
    ks.effects.touchWatchedKey(db, key);
  }
  c.reply.ok();
}

// ---------------------------------------------------------------------------------------------
// DEBUG STRINGMATCH-TEST: random patterns against random strings; the test is not crashing

function stringMatchFuzz(): number {
  let matches = 0;
  const rand = (n: number): number => Math.floor(Math.random() * n);
  const randomText = (): string => {
    let s = '';
    for (let j = rand(32); j > 0; j--) s += String.fromCharCode(rand(128));
    return s;
  };
  // Redis runs 10M cycles in C; 100k keep the command to well under a second here.
  for (let cycle = 0; cycle < 100_000; cycle++) if (globMatch(randomText(), randomText())) matches++;
  return matches;
}

// ---------------------------------------------------------------------------------------------

const DEBUG_HELP = [
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'ASSERT',
  '    Crash by assertion failed.',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'CRASH-AND-RECOVER [<milliseconds>]',
  '    Hard crash and restart after a <milliseconds> delay (default 0).',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LEAK <string>',
  '    Create a memory leak of the input string.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'HTSTATS <dbid>',
  '    Return hash table statistics of the specified Redis database.',
  'HTSTATS-KEY <key>',
  "    Like HTSTATS but for the hash table stored at <key>'s value.",
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'REPLICATE <string>',
  '    Replicates the provided string to replicas, allowing data divergence.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'DROP-CLUSTER-PACKET-FILTER <packet-type>',
  '    Drop all packets that match the filtered type. Set to -1 allow all packets.',
  'OOM',
  '    Crash the server simulating an out-of-memory error.',
  'PANIC',
  '    Crash the server simulating a panic.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'RESTART [<milliseconds>]',
  '    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).',
  'SDSLEN <key>',
  '    Show low level SDS string info representing `key` and value.',
  'SEGFAULT',
  '    Crash the server with sigsegv.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'STRUCTSIZE',
  '    Return the size of different Redis core C structures.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  '    The optional argument (0 by default) sets the level of detail',
  'CLIENT-EVICTION',
  '    Show low level client eviction pools info (maxmemory-clients).',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'CLUSTERLINK KILL <to|from|all> <node-id>',
  '    Kills the link based on the direction to/from (both) with the provided node.',
];

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

function debugCommand(c: Client, argv: string[]): void {
  const sub = argv[1].toLowerCase();
  const argc = argv.length;
  const server = c.server;
  const db = c.db;
  switch (sub) {
    case 'help':
      if (argc !== 2) break;
      replyHelp(c, argv[0], DEBUG_HELP);
      return;
    case 'log':
      if (argc !== 3) break;
      server.log.warn(`DEBUG LOG: ${argv[2]}`);
      c.reply.ok();
      return;
    case 'reload':
      debugReload(c, argv);
      return;
    case 'object': {
      if (argc !== 3) break;
      const v = server.keyspace.storedValue(db, argv[2]);
      if (v === undefined) c.reply.error(ERR_NO_SUCH_KEY);
      else debugObject(c, argv[2], v);
      return;
    }
    case 'listpack': {
      if (argc !== 3) break;
      const v = server.keyspace.lookupRead(db, argv[2]);
      if (v === undefined) {
        c.reply.error(ERR_NO_SUCH_KEY);
      } else if (typeof v !== 'object' || v.encoding() !== 'listpack') {
        c.reply.error('ERR Not a listpack encoded object.');
      } else {
        server.log.info({ key: argv[2], type: v.type, encoding: v.encoding() }, 'DEBUG LISTPACK');
        c.reply.simple('Listpack structure printed on stdout');
      }
      return;
    }
    case 'populate':
      if (argc < 3 || argc > 5) break;
      debugPopulate(c, argv);
      return;
    case 'digest':
      if (argc !== 2) break;
      c.reply.simple(datasetDigest(server.keyspace).toString('hex'));
      return;
    case 'digest-value':
      c.reply.array(argc - 2);
      for (let j = 2; j < argc; j++) c.reply.simple(keyValueDigest(server.keyspace, db, argv[j]).toString('hex'));
      return;
    case 'protocol':
      if (argc !== 3) break;
      debugProtocol(c, argv[2]);
      return;
    case 'sleep': {
      if (argc !== 3) break;
      // Like Redis, the whole server stops: nothing else runs on the command thread meanwhile.
      const usec = Math.trunc(strtod(argv[2]) * 1_000_000);
      if (usec > 0) Atomics.wait(sleepCell, 0, 0, usec / 1000);
      c.reply.ok();
      return;
    }
    case 'set-active-expire':
      if (argc !== 3) break;
      server.activeExpire.enabled = atoi(argv[2]) !== 0;
      c.reply.ok();
      return;
    case 'quicklist-packed-threshold': {
      if (argc !== 3) break;
      const parsed = memtoull(argv[2]);
      const size = parsed === null ? null : Number(parsed);
      if (size === null || size > 2 ** 32 - 2 ** 20) {
        c.reply.error('ERR argument must be a memory value bigger than 1 and smaller than 4gb');
        return;
      }
      tuning.quicklistPackedThreshold = size === 0 ? tuning.defaultQuicklistPackedThreshold : size;
      c.reply.ok();
      return;
    }
    case 'error':
      if (argc !== 3) break;
      // The argument is the whole error line, code included, sent raw as Redis does (so it is not
      // counted in errorstats either).
      c.reply.raw('-' + argv[2].replace(/[\r\n]/g, ' ') + '\r\n');
      return;
    case 'change-repl-id':
      if (argc !== 2) break;
      server.log.warn('Changing replication IDs after receiving DEBUG change-repl-id');
      server.replId = randomBytes(20).toString('hex');
      server.replId2 = '0'.repeat(40);
      c.reply.ok();
      return;
    case 'stringmatch-test':
      if (argc !== 2) break;
      stringMatchFuzz();
      c.reply.simple('Apparently Redis did not crash: test passed');
      return;
  }
  replySubcommandSyntaxError(c, argv);
}

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save the dump, empty the dataset, load the dump back. */
function debugReload(c: Client, argv: string[]): void {
  let flush = true;
  let save = true;
  let merge = false;
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j].toUpperCase();
    if (opt === 'MERGE') merge = true;
    else if (opt === 'NOFLUSH') flush = false;
    else if (opt === 'NOSAVE') save = false;
    else {
      c.reply.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
      return;
    }
  }
  const server = c.server;
  const snapshots = server.snapshots;
  if (save) {
    try {
      snapshots.saveNow();
    } catch {
      c.reply.error('ERR');
      return;
    }
  }
  if (flush) {
    const ks = server.keyspace;
    for (const db of ks.dbs) ks.flushDb(db);
    server.functions.flush();
  }
  try {
    snapshots.loadFile(snapshots.dumpPath, { skipExpired: true, replace: merge });
  } catch (err) {
    server.log.warn(`DEBUG RELOAD failed: ${(err as Error).message}`);
    c.reply.error('ERR Error trying to load the RDB dump, check server logs.');
    return;
  }
  server.log.warn('DB reloaded by DEBUG RELOAD');
  c.reply.ok();
}

export const commands = [
  { name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale', 'protected'], run: debugCommand },
] satisfies CommandSpec[];
