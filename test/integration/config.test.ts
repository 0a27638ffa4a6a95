import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realpathSync } from 'node:fs';
import net from 'node:net';
import { freePort, startServer, type RunningServer } from '../helpers/server.js';
import { pairForSuite } from '../helpers/differential.js';
import { RawClient } from '../helpers/resp.js';
import { STRATA_ONLY, withoutStrataDefaults } from '../helpers/strata-defaults.js';

/** The bulk strings of a flat RESP2 array reply (CONFIG GET), as [name, value] pairs sorted by name. */
function pairsOf(reply: string): Array<[string, string]> {
  const items: string[] = [];
  let pos = reply.indexOf('\r\n') + 2;
  while (pos < reply.length) {
    const lineEnd = reply.indexOf('\r\n', pos);
    const len = Number(reply.slice(pos + 1, lineEnd));
    items.push(reply.slice(lineEnd + 2, lineEnd + 2 + len));
    pos = lineEnd + 2 + len + 2;
  }
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < items.length; i += 2) pairs.push([items[i], items[i + 1]]);
  return pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** CONFIG GET replies list pairs in hash-table order in Redis: compare them as sorted pairs. */
function normalized(argv: string[], reply: string): unknown {
  return argv[0].toLowerCase() === 'config' && argv[1]?.toLowerCase() === 'get' && reply.startsWith('*') ? pairsOf(reply) : reply;
}

/**
 * CONFIG SET / GET sequences whose replies must equal redis-server's byte for byte. Each group
 * puts back what it changed, so later groups start from the defaults.
 */
const CASES: string[][] = [
  // Error texts and precedence: unknown names first, then immutable/protected/duplicate, then values.
  ['config', 'set', 'MAXMEMORY', 'foo'],
  ['config', 'set', 'Slave-Read-Only', 'maybe'],
  ['config', 'set', 'foo', '1', 'port', 'x'],
  ['config', 'set', 'port', 'x', 'foo', '1'],
  ['config', 'set', 'port', '1', 'unixsocketperm', '777'],
  ['config', 'set', 'maxmemory', '1', 'maxmemory', '2'],
  ['config', 'set', 'maxclients', '1', 'MAXCLIENTS', '2'],
  ['config', 'set', 'port'],
  ['config', 'set', 'port', '1', '2'],
  ['config', 'set', 'dir', '/nonexistent'],
  ['config', 'set', 'dbfilename', 'x'],
  ['config', 'set', 'slaveof', 'no one'],
  ['config', 'set', 'daemonize', 'no'],
  ['config', 'set', 'databases', '2'],
  // Integers: ranges as signed or unsigned C types, 64-bit bounds, memory units and percentages.
  ['config', 'set', 'port', 'x'],
  ['config', 'set', 'maxclients', '-1'],
  ['config', 'set', 'maxclients', '4294967296'],
  ['config', 'set', 'hash-max-listpack-entries', '-1'],
  ['config', 'set', 'list-max-listpack-size', '99999999999'],
  ['config', 'set', 'proto-max-bulk-len', '99999999999999999999gb'],
  ['config', 'set', 'slowlog-max-len', '-1'],
  ['config', 'set', 'slowlog-log-slower-than', '-2'],
  ['config', 'set', 'lfu-log-factor', '010'],
  ['config', 'set', 'lfu-log-factor', '+1'],
  ['config', 'set', 'lfu-log-factor', '-0'],
  ['config', 'set', 'maxmemory', '-1'],
  ['config', 'set', 'maxmemory', ''],
  ['config', 'get', 'maxmemory'],
  ['config', 'set', 'maxmemory', '99999999999999999999gb'],
  ['config', 'get', 'maxmemory'],
  ['config', 'set', 'maxmemory', '1B'],
  ['config', 'get', 'maxmemory'],
  ['config', 'set', 'maxmemory', '0'],
  ['config', 'set', 'maxmemory-clients', '50%'],
  ['config', 'get', 'maxmemory-clients'],
  ['config', 'set', 'maxmemory-clients', '101%'],
  ['config', 'set', 'maxmemory-clients', '-5%'],
  ['config', 'set', 'maxmemory-clients', 'x'],
  ['config', 'set', 'maxmemory-clients', '0%'],
  ['config', 'get', 'maxmemory-clients'],
  ['config', 'set', 'stream-node-max-bytes', '4KB'],
  ['config', 'get', 'stream-node-max-bytes'],
  ['config', 'set', 'stream-node-max-bytes', '4096'],
  ['config', 'set', 'repl-backlog-size', '0'],
  ['config', 'set', 'repl-backlog-size', '1kb'],
  ['config', 'get', 'repl-backlog-size'],
  ['config', 'set', 'repl-backlog-size', '1mb'],
  ['config', 'set', 'hz', '1000'],
  ['config', 'get', 'hz'],
  ['config', 'set', 'hz', '0'],
  ['config', 'get', 'hz'],
  ['config', 'set', 'hz', '10'],
  // Booleans, enums (case-insensitive, first name of a value shown), bit-flag enums.
  ['config', 'set', 'appendonly', 'maybe'],
  ['config', 'set', 'appendfsync', 'NO'],
  ['config', 'get', 'appendfsync'],
  ['config', 'set', 'appendfsync', 'everysec'],
  ['config', 'set', 'loglevel', 'LOUD'],
  ['config', 'set', 'oom-score-adj', 'relative'],
  ['config', 'get', 'oom-score-adj'],
  ['config', 'set', 'oom-score-adj', 'no'],
  ['config', 'set', 'shutdown-on-sigint', 'force now'],
  ['config', 'get', 'shutdown-on-sigint'],
  ['config', 'set', 'shutdown-on-sigint', 'save nosave'],
  ['config', 'set', 'shutdown-on-sigint', ''],
  ['config', 'set', 'shutdown-on-sigint', 'default'],
  ['config', 'set', 'activedefrag', 'yes'],
  ['config', 'set', 'replica-read-only', 'no', 'slave-read-only', 'yes'],
  ['config', 'get', 'replica-read-only'],
  // Strings with validation.
  ['config', 'set', 'proc-title-template', '{foo}'],
  ['config', 'set', 'proc-title-template', ''],
  ['config', 'set', 'proc-title-template', '{title}'],
  ['config', 'set', 'proc-title-template', '{{title}'],
  ['config', 'get', 'proc-title-template'],
  ['config', 'set', 'proc-title-template', '{title} {listen-addr} {server-mode}'],
  ['config', 'set', 'cluster-announce-hostname', 'a_b'],
  // Special directives.
  ['config', 'set', 'client-output-buffer-limit', 'master 1 1 1'],
  ['config', 'set', 'client-output-buffer-limit', 'normal 1 1'],
  ['config', 'set', 'client-output-buffer-limit', 'normal 1x 1 1'],
  ['config', 'set', 'client-output-buffer-limit', 'normal 1 1 -1'],
  ['config', 'set', 'client-output-buffer-limit', 'replica 1mb 2k 10 pubsub 0 0 0'],
  ['config', 'get', 'client-output-buffer-limit'],
  ['config', 'set', 'client-output-buffer-limit', 'slave 256mb 64mb 60 pubsub 32mb 8mb 60'],
  ['config', 'set', 'latency-tracking-info-percentiles', '50 99.90 100.0 0'],
  ['config', 'get', 'latency-tracking-info-percentiles'],
  ['config', 'set', 'latency-tracking-info-percentiles', '101'],
  ['config', 'set', 'latency-tracking-info-percentiles', 'abc'],
  ['config', 'set', 'latency-tracking-info-percentiles', ''],
  ['config', 'get', 'latency-tracking-info-percentiles'],
  ['config', 'set', 'latency-tracking-info-percentiles', '50 99 99.9'],
  ['config', 'set', 'oom-score-adj-values', '1 2'],
  ['config', 'set', 'oom-score-adj-values', '1 2 3000'],
  ['config', 'set', 'oom-score-adj-values', ''],
  ['config', 'set', 'notify-keyspace-events', 'KEA'],
  ['config', 'get', 'notify-keyspace-events'],
  ['config', 'set', 'notify-keyspace-events', 'KEz?'],
  ['config', 'set', 'notify-keyspace-events', 'Elgn$m'],
  ['config', 'get', 'notify-keyspace-events'],
  ['config', 'set', 'notify-keyspace-events', ''],
  ['config', 'set', 'save', '100 x'],
  ['config', 'set', 'save', '100'],
  ['config', 'set', 'save', '0 1'],
  ['config', 'set', 'save', ' 100  1'],
  ['config', 'set', 'save', '100 1 200 2'],
  ['config', 'get', 'save'],
  ['config', 'set', 'save', ''],
  ['config', 'get', 'save'],
  ['config', 'set', 'lua-time-limit', '100'],
  ['config', 'get', 'busy-reply-threshold'],
  ['config', 'get', 'lua*'],
  ['config', 'set', 'lua-time-limit', '5000'],
  // CONFIG GET: exact names (as typed, hidden ones too), patterns over names and aliases.
  ['config', 'get', 'MAXMEMORY', 'maxmemory', 'maxmem*'],
  ['config', 'get', 'nonexist'],
  ['config', 'get', '['],
  ['config', 'get', 'use-exit-on-panic', 'watchdog*'],
  ['config', 'get', '*slave*'],
  ['config', 'get', '*max*entries*'],
  ['config', 'get', '?z'],
  ['config', 'get', 'a[c-d]l*'],
  ['config', 'get', '[^a-z]*'],
  ['config', 'get', 'LATENCY-*', 'latency-tracking'],
  // Container errors and HELP.
  ['config', 'help'],
  ['config'],
  ['config', 'foo'],
  ['config', 'get'],
  ['config', 'resetstat', 'extra'],
  ['config', 'rewrite'],
];

describe('CONFIG compared with redis-server', () => {
  const pair = pairForSuite();

  it('CONFIG GET * lists the same directives with the same defaults', async () => {
    const [mine, theirs] = await Promise.all([pair.strata.call('CONFIG', 'GET', '*'), pair.redis.call('CONFIG', 'GET', '*')]);
    // Only the port and the data directory are the instance's own.
    const drop = (pairs: Array<[string, string]>): Array<[string, string]> => withoutStrataDefaults(pairs.filter(([n]) => n !== 'port' && n !== 'dir'));
    expect(drop(pairsOf(mine))).toEqual(drop(pairsOf(theirs)));
    // strata's own defaults (the test servers run with --appendonly no).
    expect(pairsOf(await pair.strata.call('CONFIG', 'GET', 'appendfsync'))).toEqual([['appendfsync', 'always']]);
    expect(pairsOf(mine).length).toBe(pairsOf(theirs).length + STRATA_ONLY.size);
    expect(pairsOf(await pair.strata.call('CONFIG', 'GET', 'dir'))).toEqual([['dir', realpathSync(pair.strataServer.dir)]]);
    expect(pairsOf(await pair.strata.call('CONFIG', 'GET', 'port'))).toEqual([['port', String(pair.strataServer.port)]]);
  });

  it('CONFIG SET and CONFIG GET reply as redis-server, errors included', async () => {
    for (const argv of CASES) {
      const [mine, theirs] = await Promise.all([pair.strata.call(...argv), pair.redis.call(...argv)]);
      expect({ argv, reply: normalized(argv, mine) }).toEqual({ argv, reply: normalized(argv, theirs) });
    }
  });

  it('a multi-directive CONFIG SET applies all values or none', async () => {
    for (const c of [pair.strata, pair.redis]) {
      expect(await c.call('CONFIG', 'SET', 'timeout', '10', 'maxmemory', '1x')).toBe(
        "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n",
      );
      expect(await c.call('CONFIG', 'GET', 'timeout')).toBe('*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n');
      expect(await c.call('CONFIG', 'SET', 'timeout', '10', 'hz', '20', 'loglevel', 'warning')).toBe('+OK\r\n');
      expect(pairsOf(await c.call('CONFIG', 'GET', 'timeout', 'hz', 'loglevel'))).toEqual([
        ['hz', '20'],
        ['loglevel', 'warning'],
        ['timeout', '10'],
      ]);
      expect(await c.call('CONFIG', 'SET', 'timeout', '0', 'hz', '10', 'loglevel', 'notice')).toBe('+OK\r\n');
    }
  });

  it('CONFIG GET in RESP3 is a map', async () => {
    for (const c of [pair.strata, pair.redis]) {
      await c.call('HELLO', '3');
      expect(await c.call('CONFIG', 'GET', 'maxmemory')).toBe('%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n');
      await c.call('HELLO', '2');
    }
  });
});

describe('CONFIG SET takes effect at once', () => {
  let server: RunningServer;
  let c: RawClient;

  beforeAll(async () => {
    server = await startServer();
    c = await RawClient.connect(server.port);
  });

  afterAll(async () => {
    c.close();
    await server.stop();
  });

  it('requirepass: new connections must AUTH, existing ones stay authenticated', async () => {
    expect(await c.call('CONFIG', 'SET', 'requirepass', 's3cret')).toBe('+OK\r\n');
    const fresh = await RawClient.connect(server.port);
    expect(await fresh.call('GET', 'k')).toBe('-NOAUTH Authentication required.\r\n');
    expect(await fresh.call('AUTH', 's3cret')).toBe('+OK\r\n');
    expect(await fresh.call('GET', 'k')).toBe('$-1\r\n');
    fresh.close();
    expect(await c.call('CONFIG', 'SET', 'requirepass', '')).toBe('+OK\r\n');
    const open = await RawClient.connect(server.port);
    expect(await open.call('GET', 'k')).toBe('$-1\r\n');
    open.close();
  });

  it('maxclients: connections beyond the limit are refused', async () => {
    expect(await c.call('CONFIG', 'SET', 'maxclients', '2')).toBe('+OK\r\n');
    const second = await RawClient.connect(server.port);
    expect(await second.call('PING')).toBe('+PONG\r\n');
    const third = await RawClient.connect(server.port);
    expect(await third.readReply()).toBe('-ERR max number of clients reached\r\n');
    third.close();
    second.close();
    await second.waitClosed();
    expect(await c.call('CONFIG', 'SET', 'maxclients', '10000')).toBe('+OK\r\n');
  });

  it('proto-max-bulk-len: longer bulk strings are a protocol error', async () => {
    expect(await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '1mb')).toBe('+OK\r\n');
    const big = await RawClient.connect(server.port);
    big.write(`*2\r\n$4\r\nECHO\r\n$${1024 * 1024 + 1}\r\n`);
    expect(await big.readReply()).toBe('-ERR Protocol error: invalid bulk length\r\n');
    big.close();
    expect(await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '512mb')).toBe('+OK\r\n');
  });

  it('CONFIG RESETSTAT answers OK', async () => {
    await c.call('GET', 'x');
    expect(await c.call('CONFIG', 'RESETSTAT')).toBe('+OK\r\n');
  });

  it('timeout: idle connections are closed', async () => {
    const idle = await RawClient.connect(server.port);
    expect(await idle.call('PING')).toBe('+PONG\r\n');
    expect(await c.call('CONFIG', 'SET', 'timeout', '1')).toBe('+OK\r\n');
    expect(await idle.waitClosed(10000)).toBe(true);
    // The connection that set it was idle as well.
    expect(await c.waitClosed(10000)).toBe(true);
    c = await RawClient.connect(server.port);
    expect(await c.call('CONFIG', 'SET', 'timeout', '0')).toBe('+OK\r\n');
  });
});

describe('CONFIG SET port and bind', () => {
  it('move the listeners, or fail with Redis errors and keep them when the new address cannot be bound', async () => {
    const server = await startServer();
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const takenPort = (taken.address() as net.AddressInfo).port;
    try {
      const c = await RawClient.connect(server.port);
      expect(await c.call('CONFIG', 'SET', 'port', String(takenPort))).toBe(
        "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n",
      );
      expect(await c.call('CONFIG', 'GET', 'port')).toBe(`*2\r\n$4\r\nport\r\n$${String(server.port).length}\r\n${server.port}\r\n`);
      const still = await RawClient.connect(server.port);
      expect(await still.call('PING')).toBe('+PONG\r\n');
      still.close();
      const next = await freePort();
      expect(await c.call('CONFIG', 'SET', 'port', String(next))).toBe('+OK\r\n');
      const moved = await RawClient.connect(next);
      expect(await moved.call('PING')).toBe('+PONG\r\n');
      await expect(RawClient.connect(server.port)).rejects.toThrow();
      expect(await moved.call('CONFIG', 'SET', 'bind', '192.0.2.1')).toBe(
        "-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.\r\n",
      );
      expect(await moved.call('PING')).toBe('+PONG\r\n');
      // Back where the harness stops it.
      expect(await moved.call('CONFIG', 'SET', 'port', String(server.port))).toBe('+OK\r\n');
      moved.close();
      c.close();
    } finally {
      taken.close();
      await server.stop();
    }
  });
});
