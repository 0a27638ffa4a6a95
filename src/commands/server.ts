/*
 * Server introspection and administration: INFO TIME LASTSAVE SHUTDOWN SLOWLOG LATENCY MONITOR
 * MEMORY. Replies, help texts and errors are Redis 7.0.15's; the figures come from the server's
 * statistics (server/info.ts), latency monitor (server/latency.ts) and memory estimates
 * (server/memory.ts).
 */

import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import type { CommandSpec } from './spec.js';
import { genInfo, memoryOverview } from '../server/info.js';
import { keyUsage } from '../server/memory.js';
import { intArgOrReply, isOpt, replyHelp, replySubcommandSyntaxError } from './args.js';
import { ERR_SYNTAX } from '../protocol/errors.js';

function infoCommand(c: Client, argv: string[]): void {
  c.reply.verbatim(genInfo(c.server, argv.slice(1)));
}

function timeCommand(c: Client): void {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  c.reply.array(2);
  c.reply.bulk(String(Math.floor(us / 1e6)));
  c.reply.bulk(String(us % 1e6));
}

function lastsaveCommand(c: Client): void {
  c.reply.integer(c.server.snapshots.lastSave);
}

/* --------------------------------- SHUTDOWN --------------------------------- */

function shutdownCommand(c: Client, argv: string[]): void {
  let save: boolean | null = null;
  let nosave = false;
  let now = false;
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if (opt === 'nosave') nosave = true;
    else if (opt === 'save') save = true;
    else if (opt === 'now') now = true;
    else if (opt === 'force') force = true;
    else if (opt === 'abort') abort = true;
    else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  if ((abort && (save !== null || nosave || now || force)) || (save && nosave)) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  if (abort) {
    // Shutdown is never in progress: without replicas to wait for, it completes at once.
    c.reply.error('ERR No shutdown in progress.');
    return;
  }
  const server = c.server;
  // A timed-out script may be abandoned, not saved halfway.
  if (!nosave && server.scripting?.busy) {
    c.reply.error(server.scripting.busyError());
    return;
  }
  if (nosave) save = false;
  server.log.warn('User requested shutdown...');
  if (!server.shutdown({ save, now, force })) {
    c.reply.error('ERR Errors trying to SHUTDOWN. Check logs.');
    return;
  }
  server.exit(0);
}

/* --------------------------------- SLOWLOG --------------------------------- */

const SLOWLOG_HELP = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
];

function slowlogGetCommand(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    replySubcommandSyntaxError(c, argv);
    return;
  }
  const entries = c.server.slowlog.entries;
  let count = 10;
  if (argv.length === 3) {
    const n = intArgOrReply(c, argv[2], 'ERR count should be greater than or equal to -1');
    if (n === null) return;
    if (n < -1) {
      c.reply.error('ERR count should be greater than or equal to -1');
      return;
    }
    count = n === -1 ? entries.length : n;
  }
  const n = Math.min(count, entries.length);
  const r = c.reply;
  r.array(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    r.array(6);
    r.integer(e.id);
    r.integer(e.time);
    r.integer(e.usec);
    r.bulks(e.argv);
    r.bulk(e.peer);
    r.bulk(e.name);
  }
}

function slowlogLenCommand(c: Client): void {
  c.reply.integer(c.server.slowlog.entries.length);
}

function slowlogResetCommand(c: Client): void {
  c.server.slowlog.reset();
  c.reply.ok();
}

function slowlogHelpCommand(c: Client, argv: string[]): void {
  replyHelp(c, argv[0], SLOWLOG_HELP);
}

/* --------------------------------- LATENCY --------------------------------- */

const LATENCY_HELP = [
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
];

function latencyLatestCommand(c: Client): void {
  const r = c.reply;
  const events = c.server.latency.events;
  r.array(events.size);
  for (const [event, ts] of events) {
    const last = ts.latest();
    r.array(4);
    r.bulk(event);
    r.integer(last.time);
    r.integer(last.latency);
    r.integer(ts.max);
  }
}

function latencyHistoryCommand(c: Client, argv: string[]): void {
  const ts = c.server.latency.events.get(argv[2]);
  const samples = ts?.history() ?? [];
  c.reply.array(samples.length);
  for (const s of samples) {
    c.reply.array(2);
    c.reply.integer(s.time);
    c.reply.integer(s.latency);
  }
}

function latencyResetCommand(c: Client, argv: string[]): void {
  const latency = c.server.latency;
  if (argv.length === 2) {
    c.reply.integer(latency.reset(null));
    return;
  }
  let n = 0;
  for (let i = 2; i < argv.length; i++) n += latency.reset(argv[i]);
  c.reply.integer(n);
}

function latencyGraphCommand(c: Client, argv: string[]): void {
  const ts = c.server.latency.events.get(argv[2]);
  if (ts === undefined) {
    c.reply.error(`ERR No samples available for event '${argv[2]}'`);
    return;
  }
  c.reply.verbatim(latencyGraph(argv[2], ts.history(), ts.max));
}

/** LATENCY GRAPH: a header line, then Redis's filled sparkline of the samples (sparkline.c). */
function latencyGraph(event: string, samples: ReadonlyArray<{ time: number; latency: number }>, allTimeMax: number): string {
  let min = 0;
  let max = 0;
  samples.forEach((s, i) => {
    if (i === 0 || s.latency < min) min = s.latency;
    if (i === 0 || s.latency > max) max = s.latency;
  });
  const now = Math.floor(Date.now() / 1000);
  const labels = samples.map((s) => {
    const ago = now - s.time;
    return ago < 60 ? `${ago}s` : ago < 3600 ? `${Math.floor(ago / 60)}m` : ago < 86400 ? `${Math.floor(ago / 3600)}h` : `${Math.floor(ago / 86400)}d`;
  });
  let out = `${event} - high ${max} ms, low ${min} ms (all time high ${allTimeMax} ms)\n${'-'.repeat(GRAPH_COLUMNS)}\n`;
  for (let j = 0; j < samples.length; j += GRAPH_COLUMNS) {
    if (j !== 0) out += '\n';
    out += sparkline(samples.map((s) => s.latency), labels, j, Math.min(GRAPH_COLUMNS, samples.length - j));
  }
  return out;
}

const GRAPH_COLUMNS = 80;
const GRAPH_ROWS = 4;
const SPARK_FILL = '_o#';

/** sparklineRenderRange with SPARKLINE_FILL: bars of 4 rows, then one blank row, then labels downwards. */
function sparkline(values: readonly number[], labels: readonly string[], offset: number, len: number): string {
  // The sequence's min/max as sparklineSequenceAddSample keeps them (a new minimum skips the max test).
  let min = values[0];
  let max = values[0];
  for (const v of values) {
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  const relmax = max - min === 0 ? 1 : max - min;
  const steps = SPARK_FILL.length * GRAPH_ROWS;
  let out = '';
  for (let row = 0; row < GRAPH_ROWS; row++) {
    let line = '';
    for (let j = 0; j < len; j++) {
      let step = Math.trunc(Math.trunc((values[j + offset] - min) * steps) / relmax);
      step = Math.min(Math.max(step, 0), steps - 1);
      const idx = step - (GRAPH_ROWS - row - 1) * SPARK_FILL.length;
      line += idx >= 0 && idx < SPARK_FILL.length ? SPARK_FILL[idx] : idx >= SPARK_FILL.length ? '|' : ' ';
    }
    out += line + '\n';
  }
  out += ' '.repeat(len) + '\n';
  for (let ch = 0; ; ch++) {
    let line = '';
    let any = false;
    for (let j = 0; j < len; j++) {
      const label = labels[j + offset];
      if (ch < label.length) {
        line += label[ch];
        any = true;
      } else {
        line += ' ';
      }
    }
    if (!any) break;
    out += line + '\n';
  }
  return out;
}

function latencyHistogramCommand(c: Client, argv: string[]): void {
  const server = c.server;
  const chosen = [];
  if (argv.length === 2) {
    for (const cmd of server.commands.all()) if (cmd.latencyHistogram !== null) chosen.push(cmd);
  } else {
    for (let i = 2; i < argv.length; i++) {
      // lookupCommandBySds: "name" or "container|sub"; a container brings its subcommands.
      const [name, sub] = argv[i].toLowerCase().split('|', 2);
      const base = server.commands.get(name);
      const cmd = sub === undefined ? base : base?.subcommands?.get(sub);
      if (cmd === undefined) continue;
      if (cmd.latencyHistogram !== null) chosen.push(cmd);
      if (sub === undefined && cmd.subcommands !== null) {
        for (const s of cmd.subcommands.values()) if (s.latencyHistogram !== null) chosen.push(s);
      }
    }
  }
  const r = c.reply;
  r.map(chosen.length);
  for (const cmd of chosen) {
    const h = cmd.latencyHistogram!;
    r.bulk(cmd.fullname);
    r.map(2);
    r.bulk('calls');
    r.integer(h.total);
    r.bulk('histogram_usec');
    const points = h.cumulative();
    r.map(points.length);
    for (const [usec, count] of points) {
      r.integer(usec);
      r.integer(count);
    }
  }
}

function latencyDoctorCommand(c: Client): void {
  c.reply.verbatim(latencyReport(c.server));
}

/** createLatencyReport, for the events strata records. */
function latencyReport(server: Server): string {
  const latency = server.latency;
  if (latency.events.size === 0 && latency.thresholdMs === 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
  }
  let report = '';
  let eventnum = 0;
  let advices = 0;
  let slowlogEnabled = false;
  let slowlogTuning = false;
  let slowlogInspect = false;
  let scheduler = false;
  let largeObjects = false;
  let hzAdvice = false;
  const slowlogUsec = server.config.getNumber('slowlog-log-slower-than');
  const now = Math.floor(Date.now() / 1000);
  for (const [event, ts] of latency.events) {
    eventnum++;
    if (eventnum === 1) report += "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
    const samples = ts.history();
    let sum = 0;
    let oldest = 0;
    for (const s of samples) {
      sum += s.latency;
      if (oldest === 0 || s.time < oldest) oldest = s.time;
    }
    const avg = samples.length > 0 ? Math.floor(sum / samples.length) : 0;
    let dev = 0;
    for (const s of samples) dev += Math.abs(avg - s.latency);
    const mad = samples.length > 0 ? Math.floor(dev / samples.length) : 0;
    const period = samples.length > 0 ? Math.max(1, now - oldest) : 0;
    report += `${eventnum}. ${event}: ${samples.length} latency spikes (average ${avg}ms, mean deviation ${mad}ms, period ${(period / samples.length).toFixed(2)} sec). Worst all time event ${ts.max}ms.`;
    const name = event.toLowerCase();
    if (name === 'command') {
      if (slowlogUsec < 0) {
        slowlogEnabled = true;
        advices++;
      } else if (Math.floor(slowlogUsec / 1000) > latency.thresholdMs) {
        slowlogTuning = true;
        advices++;
      }
      slowlogInspect = true;
      largeObjects = true;
      advices += 2;
    } else if (name === 'fast-command') {
      scheduler = true;
      advices++;
    } else if (name === 'expire-cycle') {
      hzAdvice = true;
      largeObjects = true;
      advices += 2;
    }
    report += '\n';
  }
  if (eventnum === 0 && advices === 0) {
    return report + "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n";
  }
  if (advices === 0) {
    return report + "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n";
  }
  report += '\nI have a few advices for you:\n\n';
  const threshold = latency.thresholdMs * 1000;
  if (slowlogEnabled) report += `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${threshold}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`;
  if (slowlogTuning) report += `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${threshold}'.\n`;
  if (slowlogInspect) report += '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n';
  if (scheduler) {
    report +=
      '- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n' +
      '  1) Lower the system load.\n' +
      '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n' +
      '  3) Check if you have a "noisy neighbour" problem.\n' +
      "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
      '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n';
  }
  if (hzAdvice && server.config.getNumber('hz') < 100) report += "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
  if (largeObjects) report += '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n';
  return report;
}

function latencyHelpCommand(c: Client, argv: string[]): void {
  replyHelp(c, argv[0], LATENCY_HELP);
}

/* --------------------------------- MONITOR --------------------------------- */

function monitorCommand(c: Client): void {
  // Inside EXEC (or a script) a client must get one reply per command (CLIENT_DENY_BLOCKING).
  if (c.server.callDepth > 1) {
    c.reply.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  if (c.monitor) return;
  c.monitor = true;
  c.server.monitors.add(c);
  c.reply.ok();
}

/* --------------------------------- MEMORY --------------------------------- */

const MEMORY_HELP = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

/** MEMORY USAGE [SAMPLES n]: the count is checked as Redis does; strata's estimates need no sampling. */
function memoryUsageCommand(c: Client, argv: string[]): void {
  for (let j = 3; j < argv.length; j++) {
    if (isOpt(argv[j], 'SAMPLES') && j + 1 < argv.length) {
      const n = intArgOrReply(c, argv[j + 1]);
      if (n === null) return;
      if (n < 0) {
        c.reply.error(ERR_SYNTAX);
        return;
      }
      j++;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  // Redis looks the key up without expiring it or touching hit/miss statistics.
  const v = c.server.keyspace.storedValue(c.db, argv[2]);
  if (v === undefined) {
    c.reply.nullBulk();
    return;
  }
  c.reply.integer(keyUsage(argv[2], v));
}

function memoryStatsCommand(c: Client): void {
  const m = memoryOverview(c.server);
  const r = c.reply;
  r.map(27 + m.dbs.length);
  const field = (name: string, value: number): void => {
    r.bulk(name);
    r.integer(value);
  };
  const ratio = (name: string, value: number): void => {
    r.bulk(name);
    r.double(value);
  };
  field('peak.allocated', m.peak);
  field('total.allocated', m.used);
  field('startup.allocated', m.startup);
  field('replication.backlog', 0);
  field('clients.slaves', 0);
  field('clients.normal', m.clientsNormal);
  field('cluster.links', 0);
  field('aof.buffer', 0);
  field('lua.caches', 0);
  field('functions.caches', 0);
  for (const d of m.dbs) {
    r.bulk(`db.${d.id}`);
    r.map(3);
    field('overhead.hashtable.main', d.main);
    field('overhead.hashtable.expires', d.expires);
    field('overhead.hashtable.slot-to-keys', 0);
  }
  field('overhead.total', m.overhead);
  field('keys.count', m.keys);
  field('keys.bytes-per-key', m.bytesPerKey);
  field('dataset.bytes', m.dataset);
  ratio('dataset.percentage', m.datasetPerc);
  ratio('peak.percentage', m.peakPerc);
  field('allocator.allocated', m.heapUsed);
  field('allocator.active', m.allocated);
  field('allocator.resident', m.rss);
  ratio('allocator-fragmentation.ratio', m.heapUsed > 0 ? m.allocated / m.heapUsed : 0);
  field('allocator-fragmentation.bytes', Math.max(0, m.allocated - m.heapUsed));
  ratio('allocator-rss.ratio', m.allocated > 0 ? m.rss / m.allocated : 0);
  field('allocator-rss.bytes', m.rss - m.allocated);
  ratio('rss-overhead.ratio', 1);
  field('rss-overhead.bytes', 0);
  ratio('fragmentation', m.used > 0 ? m.rss / m.used : 0);
  field('fragmentation.bytes', m.rss - m.used);
}

/**
 * MEMORY DOCTOR, getMemoryDoctorReport's checks that apply to strata. "Empty" means less than
 * 5 MB above what the server used at startup (Node's own heap is larger than Redis's 5 MB).
 */
function memoryDoctorCommand(c: Client): void {
  const m = memoryOverview(c.server);
  const issues: string[] = [];
  if (m.used - m.startup < 5 * 1024 * 1024) {
    c.reply.verbatim(
      "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n",
    );
    return;
  }
  if (m.peak / m.used > 1.5) {
    issues.push(
      ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n',
    );
  }
  if (m.clientsNormal / Math.max(1, c.server.clients.size) > 1024 * 200) {
    issues.push(
      ' * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n',
    );
  }
  if (issues.length === 0) {
    c.reply.verbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n");
    return;
  }
  c.reply.verbatim(`Sam, I detected a few issues in this Redis instance memory implants:\n\n${issues.join('')}I'm here to keep you safe, Sam. I want to help you.\n`);
}

function memoryMallocStatsCommand(c: Client): void {
  c.reply.bulk('Stats not supported for the current allocator');
}

function memoryPurgeCommand(c: Client): void {
  c.reply.ok();
}

function memoryHelpCommand(c: Client, argv: string[]): void {
  replyHelp(c, argv[0], MEMORY_HELP);
}

const ADMIN_LOADING_STALE = ['admin', 'loading', 'stale'] as const;
const LATENCY_FLAGS = ['admin', 'noscript', 'loading', 'stale'] as const;

export const commands = [
  { name: 'info', arity: -1, flags: ['loading', 'stale', 'sentinel'], acl: ['dangerous'], run: infoCommand },
  { name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], run: timeCommand },
  { name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['admin', 'dangerous'], run: lastsaveCommand },
  { name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'sentinel', 'allow_busy'], run: shutdownCommand },
  { name: 'monitor', arity: 1, flags: ['admin', 'noscript', 'loading', 'stale'], run: monitorCommand },
  {
    name: 'slowlog',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'get', arity: -2, flags: ADMIN_LOADING_STALE, run: slowlogGetCommand },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], run: slowlogHelpCommand },
      { name: 'len', arity: 2, flags: ADMIN_LOADING_STALE, run: slowlogLenCommand },
      { name: 'reset', arity: 2, flags: ADMIN_LOADING_STALE, run: slowlogResetCommand },
    ],
  },
  {
    name: 'latency',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'doctor', arity: 2, flags: LATENCY_FLAGS, run: latencyDoctorCommand },
      { name: 'graph', arity: 3, flags: LATENCY_FLAGS, run: latencyGraphCommand },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], run: latencyHelpCommand },
      { name: 'histogram', arity: -2, flags: LATENCY_FLAGS, run: latencyHistogramCommand },
      { name: 'history', arity: 3, flags: LATENCY_FLAGS, run: latencyHistoryCommand },
      { name: 'latest', arity: 2, flags: LATENCY_FLAGS, run: latencyLatestCommand },
      { name: 'reset', arity: -2, flags: LATENCY_FLAGS, run: latencyResetCommand },
    ],
  },
  {
    name: 'memory',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'doctor', arity: 2, flags: [], run: memoryDoctorCommand },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], run: memoryHelpCommand },
      { name: 'malloc-stats', arity: 2, flags: [], run: memoryMallocStatsCommand },
      { name: 'purge', arity: 2, flags: [], run: memoryPurgeCommand },
      { name: 'stats', arity: 2, flags: [], run: memoryStatsCommand },
      { name: 'usage', arity: -3, flags: ['readonly'], keys: [2, 2, 1], run: memoryUsageCommand },
    ],
  },
] satisfies CommandSpec[];
