/*
 * `npm run bench`: strata and redis-server 7.0.15 side by side, persistence off on both.
 *
 * 1. Throughput: redis-benchmark (-c 50, -P 1 and -P 16, random keys) for each of its tests whose
 *    command strata has, alternating the two servers test by test; requests/s and strata/redis.
 * 2. Durable writes: SET with the append-only log on both, appendfsync always and everysec (-P 1).
 * 3. Memory: 1M string keys loaded through pipelined SETs into fresh servers, RSS growth per key;
 *    and one list, hash, set and zset of 1M elements each (100 per command), RSS growth per element.
 * 4. Pub/sub fan-out: one publisher, 50 subscribers; messages delivered per second (bench/fanout.ts).
 * 5. Startup on a dump.rdb and on a multi-part log of --keys keys (bench/persistence.ts).
 * 6. GET latency and RSS growth during a BGSAVE of --keys keys (bench/persistence.ts).
 * 7. Larger than memory: --tier-mb MiB (default 640) of 1 KiB values under distinct keys into
 *    maxmemory 64mb, strata with its cold tier against redis-server allkeys-lru (which drops data):
 *    write rate, keys kept, peak RSS against the bound (2 × maxmemory + 100 MB), then random GETs
 *    over every key written (on strata mostly cold reads) with 50 clients.
 *
 * Options: --requests N (per test at -P 1; ×5 at -P 16), --keys N (memory, startup and snapshot
 * tests), --tests a,b, --messages N (fan-out), --tier-mb N,
 * --cases throughput,durable,memory,fanout,startup,snapshot,tier (default: all).
 * Environment: STRATA_NODE_FLAGS adds node flags to the strata servers started (e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile one case).
 */

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { BenchConnection, encodeCommand, rssBytes, startBenchServer, type BenchServer, type ServerKind } from './servers.js';
import { fanoutRate } from './fanout.js';
import { snapshotLatency, startupTimes } from './persistence.js';

const run = promisify(execFile);

/** A lock's compare-and-delete release that also re-takes a free lock: two redis.call each run. */
const LOCK_SCRIPT = "local v = redis.call('get', KEYS[1]) if v == ARGV[1] then return redis.call('del', KEYS[1]) end return redis.call('set', KEYS[1], ARGV[1])";
const LOCK_SCRIPT_SHA = createHash('sha1').update(LOCK_SCRIPT).digest('hex');

/**
 * redis-benchmark tests and a request that shows whether strata has their command (and prepares
 * its key). A test with a `command` runs that command instead of a built-in test; __rand_int__ is
 * replaced by a random number in 0..99999. `setup` runs after the probe, on both servers.
 */
const BENCHMARK_TESTS: ReadonlyArray<{ test: string; probe: string[]; command?: string[]; setup?: string[][] }> = [
  { test: 'ping_inline', probe: ['PING'] },
  { test: 'ping_mbulk', probe: ['PING'] },
  { test: 'set', probe: ['SET', 'bench:probe', 'x'] },
  { test: 'get', probe: ['GET', 'bench:probe'] },
  { test: 'incr', probe: ['INCR', 'bench:counter'] },
  { test: 'lpush', probe: ['LPUSH', 'bench:list', 'x'] },
  { test: 'rpush', probe: ['RPUSH', 'bench:list', 'x'] },
  { test: 'lpop', probe: ['LPOP', 'bench:list'] },
  { test: 'rpop', probe: ['RPOP', 'bench:list'] },
  { test: 'sadd', probe: ['SADD', 'bench:set', 'x'] },
  { test: 'hset', probe: ['HSET', 'bench:hash', 'f', 'v'] },
  { test: 'spop', probe: ['SPOP', 'bench:set'] },
  { test: 'zadd', probe: ['ZADD', 'bench:zset', '1', 'x'] },
  { test: 'zpopmin', probe: ['ZPOPMIN', 'bench:zset'] },
  { test: 'lrange_100', probe: ['LRANGE', 'bench:list', '0', '99'] },
  { test: 'lrange_300', probe: ['LRANGE', 'bench:list', '0', '299'] },
  { test: 'lrange_600', probe: ['LRANGE', 'bench:list', '0', '599'] },
  {
    test: 'zrangebyscore',
    probe: ['ZADD', 'bench:scores', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f', '7', 'g', '8', 'h', '9', 'i', '10', 'j'],
    command: ['ZRANGEBYSCORE', 'bench:scores', '2', '8', 'WITHSCORES'],
  },
  { test: 'mset', probe: ['MSET', 'bench:probe', 'x'] },
  { test: 'pfadd', probe: ['PFADD', 'bench:hll', 'x'], command: ['PFADD', 'bench:hll', '__rand_int__'] },
  { test: 'pfcount', probe: ['PFCOUNT', 'bench:hll'], command: ['PFCOUNT', 'bench:hll'] },
  // __rand_int__ is zero-padded, which no integer argument accepts: the keys are random instead.
  { test: 'setbit', probe: ['SETBIT', 'bench:bitmap', '0', '1'], command: ['SETBIT', 'bench:bitmap:__rand_int__', '4095', '1'] },
  { test: 'bitcount', probe: ['BITCOUNT', 'bench:bitmap'], command: ['BITCOUNT', 'bench:bitmap:__rand_int__'] },
  { test: 'geoadd', probe: ['GEOADD', 'bench:geo', '13.361389', '38.115556', 'x'], command: ['GEOADD', 'bench:geo', '13.__rand_int__', '38.__rand_int__', 'member:__rand_int__'] },
  { test: 'xadd', probe: ['XADD', 'bench:stream', '*', 'f', 'v'], command: ['XADD', 'bench:stream', '*', 'field', '__rand_int__'] },
  {
    test: 'xrange',
    probe: ['XADD', 'bench:stream:r', '*', 'a', '1', 'b', '2'],
    command: ['XRANGE', 'bench:stream:r', '-', '+', 'COUNT', '10'],
  },
  { test: 'evalsha', probe: ['SCRIPT', 'LOAD', LOCK_SCRIPT], command: ['EVALSHA', LOCK_SCRIPT_SHA, '1', 'bench:lock:__rand_int__', 'token'] },
  {
    // The consumer's own pending entries (id 0): the same ten entries every time, as no new entry arrives.
    test: 'xreadgroup',
    probe: ['XGROUP', 'CREATE', 'bench:stream:g', 'group', '0', 'MKSTREAM'],
    setup: [
      ...Array.from({ length: 10 }, (_, i) => ['XADD', 'bench:stream:g', `1-${i + 1}`, 'field', String(i)]),
      ['XREADGROUP', 'GROUP', 'group', 'consumer', 'STREAMS', 'bench:stream:g', '>'],
    ],
    command: ['XREADGROUP', 'GROUP', 'group', 'consumer', 'COUNT', '10', 'STREAMS', 'bench:stream:g', '0'],
  },
  {
    test: 'geosearch',
    probe: ['GEOADD', 'bench:sicily', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'],
    command: ['GEOSEARCH', 'bench:sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'WITHDIST', 'ASC'],
  },
];

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function availableTests(strata: BenchServer): Promise<string[]> {
  const only = process.argv.includes('--tests') ? process.argv[process.argv.indexOf('--tests') + 1].split(',') : null;
  const conn = await BenchConnection.connect(strata.port);
  const out: string[] = [];
  for (const { test, probe } of BENCHMARK_TESTS) {
    if (only !== null && !only.includes(test)) continue;
    if (!(await conn.firstLine(probe)).startsWith('-ERR unknown command')) out.push(test);
  }
  conn.close();
  return out;
}

/**
 * Runs the probes of the custom-command tests on redis (availableTests ran them on strata), so that
 * both start from the same keys, then every test's setup on both.
 */
async function prepare(redis: BenchServer, strata: BenchServer, tests: readonly string[]): Promise<void> {
  for (const server of [redis, strata]) {
    const conn = await BenchConnection.connect(server.port);
    for (const { test, probe, command, setup } of BENCHMARK_TESTS) {
      if (!tests.includes(test)) continue;
      if (server === redis && command !== undefined) await conn.firstLine(probe);
      for (const request of setup ?? []) await conn.firstLine(request);
    }
    conn.close();
  }
}

/** Requests per second of one redis-benchmark test. */
async function benchmark(server: BenchServer, test: string, pipeline: number, requests: number): Promise<number> {
  const command = BENCHMARK_TESTS.find((t) => t.test === test)?.command;
  return benchmarkArgs(server, ['-c', '50', '-P', String(pipeline), '-n', String(requests), '-r', '100000', ...(command ?? ['-t', test])]);
}

/** Requests per second of one redis-benchmark run with these arguments (one test). */
async function benchmarkArgs(server: BenchServer, testArgs: string[]): Promise<number> {
  const args = ['-p', String(server.port), '--csv', '-q', ...testArgs];
  const { stdout } = await run('redis-benchmark', args, { maxBuffer: 1 << 20 });
  const line = stdout.split('\n').find((l) => l.startsWith('"') && !l.startsWith('"test"'));
  if (line === undefined) throw new Error(`no result from redis-benchmark ${args.join(' ')}:\n${stdout}`);
  return Number(JSON.parse(`[${line}]`)[1]);
}

interface Row {
  test: string;
  pipeline: number;
  strata: number;
  redis: number;
}

async function throughput(requests: number): Promise<Row[]> {
  const [strata, redis] = await Promise.all([startBenchServer('strata'), startBenchServer('redis')]);
  try {
    const tests = await availableTests(strata);
    await prepare(redis, strata, tests);
    const rows: Row[] = [];
    for (const pipeline of [1, 16]) {
      const n = pipeline === 1 ? requests : requests * 5;
      for (const [i, test] of tests.entries()) {
        // Alternate which server goes first so that drift in the machine's load is shared.
        const order = i % 2 === 0 ? [strata, redis] : [redis, strata];
        const result: Record<string, number> = {};
        for (const server of order) result[server.kind] = await benchmark(server, test, pipeline, n);
        rows.push({ test, pipeline, strata: result.strata, redis: result.redis });
        process.stderr.write(`  ${test} -P ${pipeline}: strata ${result.strata.toFixed(0)}, redis ${result.redis.toFixed(0)}\n`);
      }
    }
    return rows;
  } finally {
    await Promise.all([strata.stop(), redis.stop()]);
  }
}

/** SET throughput with the log on, for each fsync policy, both servers configured alike. */
async function durableWrites(requests: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const policy of ['always', 'everysec']) {
    const extra = ['--appendonly', 'yes', '--appendfsync', policy];
    const [strata, redis] = await Promise.all([startBenchServer('strata', extra), startBenchServer('redis', extra)]);
    try {
      const result: Record<string, number> = {};
      for (const server of [strata, redis]) result[server.kind] = await benchmark(server, 'set', 1, requests);
      rows.push({ test: `set (${policy})`, pipeline: 1, strata: result.strata, redis: result.redis });
      process.stderr.write(`  set appendfsync ${policy}: strata ${result.strata.toFixed(0)}, redis ${result.redis.toFixed(0)}\n`);
    } finally {
      await Promise.all([strata.stop(), redis.stop()]);
    }
  }
  return rows;
}

/**
 * RSS growth per item after `count` items are written by pipelined requests of `perRequest` items
 * each: `request(from, to)` is the request for items [from, to).
 */
async function rssPerItem(kind: ServerKind, count: number, perRequest: number, request: (from: number, to: number) => string[]): Promise<number> {
  const server = await startBenchServer(kind);
  try {
    const conn = await BenchConnection.connect(server.port);
    await conn.firstLine(['PING']);
    const before = rssBytes(server.pid);
    const batch = 100 * perRequest;
    for (let start = 0; start < count; start += batch) {
      let requests = '';
      let sent = 0;
      for (let from = start; from < Math.min(count, start + batch); from += perRequest, sent++) requests += encodeCommand(request(from, Math.min(count, from + perRequest)));
      await conn.lines(requests, sent);
    }
    const after = rssBytes(server.pid);
    conn.close();
    return (after - before) / count;
  } finally {
    await server.stop();
  }
}

/** Items [from, to) of a collection, as `prefix:<i>` strings, each preceded by `withEach(i)` when given. */
function items(prefix: string, from: number, to: number, withEach?: (i: number) => string): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    if (withEach !== undefined) out.push(withEach(i));
    out.push(`${prefix}:${i}`);
  }
  return out;
}

/** One collection of each type built 100 elements per command: [type, request]. */
const COLLECTIONS: Array<[string, (from: number, to: number) => string[]]> = [
  ['list', (from, to) => ['RPUSH', 'bench:list', ...items('value', from, to)]],
  ['hash', (from, to) => ['HSET', 'bench:hash', ...items('value', from, to, (i) => `field:${i}`)]],
  ['set', (from, to) => ['SADD', 'bench:set', ...items('member', from, to)]],
  ['zset', (from, to) => ['ZADD', 'bench:zset', ...items('member', from, to, (i) => String(i % 100_000))]],
];

const TIER_MAXMEMORY = 64 << 20;
const TIER_RSS_BOUND = 2 * TIER_MAXMEMORY + 100e6;
const TIER_CLIENTS = 50;
const TIER_PIPELINE = 8;

interface TierResult {
  writesPerSec: number;
  keys: number;
  peakRss: number;
  getsPerSec: number;
}

/** redis-benchmark's key names, so that its `-r` GETs hit the keys written here. */
const benchKey = (i: number): string => `key:${String(i).padStart(12, '0')}`;

/**
 * `count` distinct keys of 1 KiB values into a server under maxmemory 64mb, by 50 clients
 * pipelining 8 SETs each; then 50 clients of redis-benchmark GET random keys among them.
 */
async function largerThanMemory(kind: 'strata' | 'redis', count: number): Promise<TierResult> {
  const server = await startBenchServer(kind, ['--maxmemory', String(TIER_MAXMEMORY), '--maxmemory-policy', 'allkeys-lru']);
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssBytes(server.pid))), 50);
  try {
    const value = 'v'.repeat(1024);
    const conns = await Promise.all(Array.from({ length: TIER_CLIENTS }, () => BenchConnection.connect(server.port)));
    const start = performance.now();
    await Promise.all(
      conns.map(async (conn, c) => {
        for (let from = c * TIER_PIPELINE; from < count; from += TIER_CLIENTS * TIER_PIPELINE) {
          let requests = '';
          const end = Math.min(count, from + TIER_PIPELINE);
          for (let i = from; i < end; i++) requests += encodeCommand(['SET', benchKey(i), value]);
          await conn.pipeline(requests, end - from, '+OK\r\n');
        }
      }),
    );
    const writesPerSec = count / ((performance.now() - start) / 1000);
    const keys = Number((await conns[0].firstLine(['DBSIZE'])).slice(1));
    for (const conn of conns) conn.close();
    const getsPerSec = await benchmarkArgs(server, ['-t', 'get', '-r', String(count), '-n', String(Math.min(count, 200_000)), '-c', String(TIER_CLIENTS)]);
    peakRss = Math.max(peakRss, rssBytes(server.pid));
    return { writesPerSec, keys, peakRss, getsPerSec };
  } finally {
    clearInterval(sampler);
    await server.stop();
  }
}

async function tierCase(mib: number): Promise<string> {
  const count = mib * 1024;
  const mb = (n: number): string => `${(n / 1e6).toFixed(0)} MB`;
  const strata = await largerThanMemory('strata', count);
  process.stderr.write(`  strata: ${strata.writesPerSec.toFixed(0)} SET/s, ${strata.keys} keys, peak RSS ${mb(strata.peakRss)}, ${strata.getsPerSec.toFixed(0)} GET/s\n`);
  const redis = await largerThanMemory('redis', count);
  process.stderr.write(`  redis: ${redis.writesPerSec.toFixed(0)} SET/s, ${redis.keys} keys, peak RSS ${mb(redis.peakRss)}, ${redis.getsPerSec.toFixed(0)} GET/s\n`);
  return [
    `larger than memory (${mib} MiB of 1 KiB values, ${count} keys, maxmemory 64mb; redis-server allkeys-lru drops data):`,
    `  writes/s: strata ${strata.writesPerSec.toFixed(0)}, redis ${redis.writesPerSec.toFixed(0)}, strata/redis ${(strata.writesPerSec / redis.writesPerSec).toFixed(2)}`,
    `  keys kept: strata ${strata.keys} of ${count}${strata.keys === count ? '' : ' (LOST KEYS)'}, redis ${redis.keys}`,
    `  peak RSS: strata ${mb(strata.peakRss)}, redis ${mb(redis.peakRss)}, bound ${mb(TIER_RSS_BOUND)}${strata.peakRss <= TIER_RSS_BOUND ? '' : ' (strata over the bound)'}`,
    `  random GETs/s, ${TIER_CLIENTS} clients: strata ${strata.getsPerSec.toFixed(0)} (cold reads mostly), redis ${redis.getsPerSec.toFixed(0)} (misses mostly)`,
  ].join('\n');
}

function table(rows: Row[]): string {
  const lines = ['test              pipeline   strata req/s    redis req/s   strata/redis'];
  for (const r of rows) {
    lines.push(
      `${r.test.toUpperCase().padEnd(18)}${String(r.pipeline).padStart(8)}${r.strata.toFixed(0).padStart(15)}${r.redis.toFixed(0).padStart(15)}${(r.strata / r.redis).toFixed(2).padStart(15)}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const requests = option('requests', 200_000);
  const keys = option('keys', 1_000_000);
  const messages = option('messages', 100_000);
  const i = process.argv.indexOf('--cases');
  const cases = i > 0 ? process.argv[i + 1].split(',') : ['throughput', 'durable', 'memory', 'fanout', 'startup', 'snapshot', 'tier'];
  const report: string[] = [];
  if (cases.includes('throughput')) {
    process.stderr.write(`throughput: redis-benchmark -c 50 -r 100000, -n ${requests} at -P 1, ${requests * 5} at -P 16\n`);
    report.push(table(await throughput(requests)), '');
  }
  if (cases.includes('durable')) {
    process.stderr.write('durable writes: appendonly yes\n');
    report.push(table(await durableWrites(Math.floor(requests / 2))), '');
  }
  if (cases.includes('memory')) {
    process.stderr.write(`memory: ${keys} keys\n`);
    const stringKeys = (from: number): string[] => ['SET', `key:${from}`, `value:${from}`];
    const strataMem = await rssPerItem('strata', keys, 1, stringKeys);
    const redisMem = await rssPerItem('redis', keys, 1, stringKeys);
    report.push(`memory per key (${keys} string keys, RSS growth): strata ${strataMem.toFixed(1)} B, redis ${redisMem.toFixed(1)} B, strata/redis ${(strataMem / redisMem).toFixed(2)}`);
    for (const [type, request] of COLLECTIONS) {
      const strataPer = await rssPerItem('strata', keys, 100, request);
      const redisPer = await rssPerItem('redis', keys, 100, request);
      report.push(`memory per element (one ${type} of ${keys}, RSS growth): strata ${strataPer.toFixed(1)} B, redis ${redisPer.toFixed(1)} B, strata/redis ${(strataPer / redisPer).toFixed(2)}`);
    }
  }
  if (cases.includes('fanout')) {
    const subscribers = 50;
    process.stderr.write(`fan-out: 1 publisher, ${subscribers} subscribers, ${messages} messages of 64 bytes\n`);
    const strataRate = await fanoutRate('strata', subscribers, messages);
    const redisRate = await fanoutRate('redis', subscribers, messages);
    report.push(
      `pub/sub fan-out (1 publisher, ${subscribers} subscribers, messages delivered/s): strata ${strataRate.toFixed(0)}, redis ${redisRate.toFixed(0)}, strata/redis ${(strataRate / redisRate).toFixed(2)}`,
    );
  }
  if (cases.includes('startup')) {
    process.stderr.write(`startup: ${keys} keys written by redis-server\n`);
    for (const row of await startupTimes(keys)) {
      report.push(`startup on ${row.what}: strata ${row.strata.toFixed(0)} ms, redis ${row.redis.toFixed(0)} ms, strata/redis ${(row.strata / row.redis).toFixed(2)}`);
    }
  }
  if (cases.includes('snapshot')) {
    process.stderr.write(`snapshot: GET latency during BGSAVE of ${keys} keys\n`);
    for (const kind of ['strata', 'redis'] as const) {
      const r = await snapshotLatency(kind, keys);
      report.push(`GET during BGSAVE (${kind}): p99 ${r.p99Ms.toFixed(2)} ms, max ${r.maxMs.toFixed(1)} ms over ${r.gets} GETs; RSS growth ${(r.rssGrowth * 100).toFixed(1)} %`);
    }
  }
  if (cases.includes('tier')) {
    const mib = option('tier-mb', 640);
    process.stderr.write(`larger than memory: ${mib} MiB into maxmemory 64mb\n`);
    report.push(await tierCase(mib));
  }
  console.log(report.join('\n'));
}

await main();
