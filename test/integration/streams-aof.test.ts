import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

/**
 * What the stream commands write to the append-only log, next to what redis-server 7.0.15 writes
 * for the same requests: XADD with its generated id and exact trimming thresholds, reads by groups
 * as XCLAIM / XGROUP SETID / XGROUP CREATECONSUMER, never the read itself. Then the log replays
 * to the same streams (XINFO STREAM FULL, seen-time aside: it is not logged, as in Redis).
 */

const AOF = ['--appendonly', 'yes', '--appendfsync', 'always'];
const dirs: string[] = [];
const servers: RunningServer[] = [];
const clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function start(redis: boolean, dir?: string): Promise<{ server: RunningServer; c: RawClient }> {
  const d = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'strata-streams-aof-'));
  if (dir === undefined) dirs.push(d);
  const server = await startServer({ dir: d, redis, args: [...AOF, '--stream-node-max-entries', '4'] });
  servers.push(server);
  const c = await RawClient.connect(server.port);
  clients.push(c);
  return { server, c };
}

/** The incr file's commands, with the wall-clock values (XCLAIM TIME) masked. */
function loggedCommands(dir: string): string {
  const aofDir = path.join(dir, 'appendonlydir');
  const incr = fs.readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'))!;
  return fs.readFileSync(path.join(aofDir, incr), 'latin1').replace(/(\$4\r\nTIME\r\n)\$\d+\r\n\d+\r\n/g, '$1$T\r\nT\r\n');
}

const SEQUENCE: string[][] = [
  ['XADD', 's', '1-*', 'f', '1'],
  ['XADD', 's', '1-*', 'f', '2'],
  ['XADD', 's', 'MAXLEN', '~', '2', '2-0', 'f', '3'],
  ['XADD', 's', 'NOMKSTREAM', '3', 'f', '4', 'g', '5'],
  ['XADD', 'nope', 'NOMKSTREAM', '3', 'f', '4'],
  ['XADD', 's', '1', 'f', 'too small'],
  ...Array.from({ length: 12 }, (_, i) => ['XADD', 's', `${10 + i}`, 'f', String(i)]),
  ['XTRIM', 's', 'MAXLEN', '~', '5'],
  ['XTRIM', 's', 'MINID', '~', '17'],
  ['XADD', 's', 'MINID', '~', '19', 'LIMIT', '100', '30-*', 'f', 'x'],
  ['XTRIM', 's', 'MAXLEN', '~', '1000'],
  ['XTRIM', 's', 'MAXLEN', '=', '9'],
  ['XDEL', 's', '11', '12', '999'],
  ['XGROUP', 'CREATE', 's', 'g', '0'],
  ['XGROUP', 'CREATE', 's', 'g', '0'],
  ['XGROUP', 'CREATE', 'm', 'mk', '$', 'MKSTREAM', 'ENTRIESREAD', '0'],
  ['XGROUP', 'CREATE', 's', 'h', '$'],
  ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '3', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'COUNT', '2', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '1', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'h', 'nobody', 'STREAMS', 's', '>'],
  ['XREAD', 'STREAMS', 's', '0'],
  ['XACK', 's', 'g', '14', '999'],
  ['XACK', 's', 'g', '999'],
  ['XDEL', 's', '15'],
  ['XCLAIM', 's', 'g', 'carol', '0', '15', '16', 'RETRYCOUNT', '5'],
  ['XCLAIM', 's', 'g', 'carol', '0', '999', 'LASTID', '25'],
  ['XCLAIM', 's', 'g', 'carol', '0', '1', 'LASTID', '2'],
  ['XCLAIM', 's', 'g', 'dave', '0', '19', 'FORCE', 'JUSTID'],
  ['XGROUP', 'SETID', 's', 'g', '13'],
  ['XREADGROUP', 'GROUP', 'g', 'erin', 'COUNT', '2', 'STREAMS', 's', '>'],
  ['XDEL', 's', '14'],
  ['XAUTOCLAIM', 's', 'g', 'frank', '0', '0', 'COUNT', '3'],
  ['XAUTOCLAIM', 's', 'g', 'frank', '0', '0', 'JUSTID'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g', 'gina'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g', 'gina'],
  ['XGROUP', 'DELCONSUMER', 's', 'g', 'dave'],
  ['XGROUP', 'DELCONSUMER', 's', 'g', 'nobody'],
  ['XGROUP', 'SETID', 's', 'h', '$', 'ENTRIESREAD', '3'],
  ['XGROUP', 'DESTROY', 's', 'h'],
  ['XGROUP', 'DESTROY', 's', 'h'],
  ['XSETID', 's', '40-0', 'ENTRIESADDED', '100', 'MAXDELETEDID', '39'],
  ['XADD', 's', '40-*', 'f', 'last'],
];

/** XINFO STREAM FULL with the wall-clock values (seen-time, delivery times) masked. */
async function streamState(c: RawClient, key: string): Promise<string> {
  const full = await c.call('XINFO', 'STREAM', key, 'FULL');
  return full.replace(/:\d{13}\r\n/g, ':T\r\n');
}

describe('stream commands in the append-only log', () => {
  it('are logged in the forms redis-server logs, and replay to the same streams', async () => {
    const strata = await start(false);
    const redis = await start(true);
    for (const argv of SEQUENCE) {
      const [a, b] = await Promise.all([strata.c.call(...argv), redis.c.call(...argv)]);
      if (argv[0] !== 'XAUTOCLAIM' && argv[0] !== 'XPENDING') expect(a, JSON.stringify(argv)).toBe(b);
    }
    // Both logs are durable once the replies are in (appendfsync always).
    expect(loggedCommands(strata.server.dir)).toBe(loggedCommands(redis.server.dir));

    const before = [await streamState(strata.c, 's'), await streamState(strata.c, 'm')];
    expect(before).toEqual([await streamState(redis.c, 's'), await streamState(redis.c, 'm')]);
    // Restarted, both replay their logs. What the log does not carry (entries-read of a group moved
    // by XCLAIM ... LASTID) comes back the same way on both.
    const after: string[][] = [];
    for (const side of [strata, redis]) {
      const dir = side.server.dir;
      clients.splice(clients.indexOf(side.c), 1)[0].close();
      await servers.splice(servers.indexOf(side.server), 1)[0].stop('SIGKILL');
      const again = await start(side === redis, dir);
      after.push([await streamState(again.c, 's'), await streamState(again.c, 'm')]);
    }
    expect(after[0]).toEqual(after[1]);
  });

  it('a blocked XREADGROUP is logged when served, as XCLAIMs after the XADD that served it', async () => {
    const logs: string[] = [];
    for (const redis of [false, true]) {
      const { server, c } = await start(redis);
      const reader = await RawClient.connect(server.port);
      clients.push(reader);
      expect(await c.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM')).toBe('+OK\r\n');
      reader.send('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
      reader.send('XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>');
      // The first read is parked; the second waits unread behind it. Wait until the first is parked.
      for (;;) {
        const info = await c.call('INFO', 'clients');
        if (/blocked_clients:1/.test(info) || (await c.call('CLIENT', 'LIST')).includes('cmd=xreadgroup')) break;
      }
      expect(await c.call('XADD', 's', '5-1', 'f', 'v', 'g', 'w')).toBe('$3\r\n5-1\r\n');
      expect(await reader.readReply()).toBe('*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n5-1\r\n*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ng\r\n$1\r\nw\r\n');
      expect(await c.call('XADD', 's', '6-1', 'f', 'x')).toBe('$3\r\n6-1\r\n');
      expect(await reader.readReply()).toBe('*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n6-1\r\n*2\r\n$1\r\nf\r\n$1\r\nx\r\n');
      expect(await c.call('PING')).toBe('+PONG\r\n');
      logs.push(loggedCommands(server.dir));
    }
    expect(logs[0]).toBe(logs[1]);
  });
});
