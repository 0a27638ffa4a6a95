/*
 * What string commands leave behind besides their replies, compared with redis-server 7.0.15:
 * the replayed form (Redis's AOF, read back from its appendonlydir, against strata's propagation
 * sink), keyspace notifications (Redis's pub/sub against strata's publisher hook), TTLs, and the
 * errors on keys of another type. strata runs in-process here so the test can watch its effects.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient, replyEnd } from '../helpers/resp.js';
import { Server } from '../../src/server/server.js';
import { loadStartupConfig } from '../../src/config/startup.js';
import type { PropagatedCommand } from '../../src/keyspace/effects.js';
import type { CollectionObject } from '../../src/types/object.js';

/** Splits RESP multibulk requests (an AOF) into argv arrays. */
function parseRequests(text: string): string[][] {
  const buf = Buffer.from(text, 'latin1');
  const out: string[][] = [];
  let at = 0;
  while (at < buf.length) {
    const end = replyEnd(buf, at);
    const lines = buf.toString('latin1', at, end);
    const argv: string[] = [];
    let p = lines.indexOf('\r\n') + 2;
    while (p < lines.length) {
      const nl = lines.indexOf('\r\n', p);
      const n = Number(lines.slice(p + 1, nl));
      argv.push(lines.slice(nl + 2, nl + 2 + n));
      p = nl + 2 + n + 2;
    }
    out.push(argv);
    at = end;
  }
  return out;
}

/** Redis's incremental AOF so far, without its SELECTs. */
function redisAof(dir: string): string[][] {
  const aofDir = path.join(dir, 'appendonlydir');
  const incr = readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'))!;
  return parseRequests(readFileSync(path.join(aofDir, incr), 'latin1')).filter((argv) => argv[0] !== 'SELECT');
}

/** A value of another type, as the collection families will store one. */
const fakeList: CollectionObject = { type: 'list', encoding: () => 'quicklist', clone: () => fakeList, memoryBytes: () => 64, accountedBytes: 0 };

describe('string command effects against redis-server', () => {
  let server: Server;
  let strataClient: RawClient;
  const propagated: PropagatedCommand[] = [];
  const strataEvents: string[] = [];

  let redis: RunningServer;
  let redisClient: RawClient;
  let subscriber: RawClient;
  const redisEvents: string[] = [];

  beforeAll(async () => {
    server = new Server(loadStartupConfig(['--port', '0', '--bind', '127.0.0.1', '--save', '', '--notify-keyspace-events', 'KEA', '--loglevel', 'warning']));
    await server.listen();
    server.keyspace.effects.addSink({ write: (ops) => propagated.push(...ops) });
    server.keyspace.effects.publisher = (channel, message) => strataEvents.push(`${channel} ${message}`);
    strataClient = await RawClient.connect(server.address!.port);

    redis = await startServer({ redis: true, args: ['--appendonly', 'yes', '--appendfsync', 'always', '--notify-keyspace-events', 'KEA'] });
    redisClient = await RawClient.connect(redis.port);
    subscriber = await RawClient.connect(redis.port);
    await subscriber.call('PSUBSCRIBE', '__key*__:*');
  });

  afterAll(async () => {
    strataClient?.close();
    redisClient?.close();
    subscriber?.close();
    await server?.shutdown();
    await redis?.stop();
  });

  /** Runs argv lists on both servers; returns the replies of each. */
  async function both(cmds: string[][]): Promise<[string[], string[]]> {
    const run = async (client: RawClient): Promise<string[]> => {
      for (const argv of cmds) client.send(...argv);
      const out: string[] = [];
      for (let i = 0; i < cmds.length; i++) out.push(await client.readReply());
      return out;
    };
    return Promise.all([run(strataClient), run(redisClient)]);
  }

  /** Keyspace notifications Redis sent since the last call, read up to a PING marker. */
  async function takeRedisEvents(): Promise<string[]> {
    subscriber.send('PING');
    for (;;) {
      const reply = await subscriber.readReply();
      if (reply.includes('pong')) break;
      const parts = parseRequests(reply)[0];
      redisEvents.push(`${parts[2]} ${parts[3]}`);
    }
    return redisEvents.splice(0);
  }

  it('replayed forms and notifications equal Redis for absolute expires and every write', async () => {
    const cmds = [
      ['SET', 'k1', 'v'],
      ['SET', 'k1', 'v2', 'GET'],
      ['SET', 'k1', 'v3', 'EXAT', '4102444800'],
      ['SET', 'k1', 'v4', 'get', 'PXAT', '4102444800000', 'NX'],
      ['SET', 'k1', 'v4', 'PXAT', '4102444800000', 'XX'],
      ['SET', 'k1', 'v5', 'KEEPTTL'],
      ['SET', 'k1', 'v6', 'XX', 'GET', 'KEEPTTL', 'GET'],
      ['SET', 'k2', 'x', 'NX'],
      ['SET', 'k2', 'y', 'NX'],
      ['SET', 'k3', 'z', 'XX'],
      ['SETNX', 'k4', '1'],
      ['SETNX', 'k4', '2'],
      ['GETSET', 'k4', '5'],
      ['GETDEL', 'k4'],
      ['GETDEL', 'k4'],
      ['INCR', 'c'],
      ['INCRBY', 'c', '10'],
      ['DECR', 'c'],
      ['DECRBY', 'c', '3'],
      ['INCRBYFLOAT', 'f', '10.5'],
      ['INCRBYFLOAT', 'f', '1.1'],
      ['APPEND', 'a', 'hello'],
      ['APPEND', 'a', 'world'],
      ['SETRANGE', 'a', '20', 'X'],
      ['SETRANGE', 'a', '0', ''],
      ['SETRANGE', 'nokey', '0', ''],
      ['GETEX', 'k1'],
      ['GETEX', 'k1', 'PERSIST'],
      ['GETEX', 'k1', 'PERSIST'],
      ['GETEX', 'k1', 'EXAT', '4102444800'],
      ['GETEX', 'k1', 'PXAT', '4102444801000'],
      ['SET', 'f', '1', 'EXAT', '4102444800'],
      ['INCRBYFLOAT', 'f', '0.5'],
      ['GETEX', 'k1', 'PXAT', '1'],
      ['GETEX', 'k1', 'PXAT', '1'],
      ['SET', 'e', 'v', 'EXAT', '1'],
      ['GET', 'e'],
      ['MSET', 'm1', 'a', 'm2', 'b'],
      ['MSETNX', 'm1', 'a', 'm3', 'c'],
      ['MSETNX', 'm3', 'c', 'm4', 'd'],
      ['GETRANGE', 'a', '0', '-1'],
      ['LCS', 'a', 'm1'],
      ['MGET', 'a', 'm1', 'nokey'],
      ['STRLEN', 'a'],
    ];
    const [mine, theirs] = await both(cmds);
    expect(mine).toEqual(theirs);
    expect(propagated.splice(0).map((op) => op.argv)).toEqual(redisAof(redis.dir));
    expect(strataEvents.splice(0)).toEqual(await takeRedisEvents());
  });

  it('relative expires are replayed as absolute times: SET ... PXAT and PEXPIREAT', async () => {
    const before = Date.now();
    const cmds = [
      ['SET', 'r1', 'v', 'EX', '100'],
      ['SET', 'r2', 'v', 'PX', '100000', 'GET'],
      ['SETEX', 'r3', '100', 'v'],
      ['PSETEX', 'r4', '100000', 'v'],
      ['GETEX', 'r4', 'EX', '200'],
      ['GETEX', 'r4', 'PX', '300000'],
    ];
    const [mine, theirs] = await both(cmds);
    expect(mine).toEqual(theirs);
    const after = Date.now();
    const shape = (argv: string[]): string[] => argv.map((a) => (/^\d{13}$/.test(a) ? 'T' : a));
    const ops = propagated.splice(0).map((op) => op.argv);
    const aof = redisAof(redis.dir).slice(-cmds.length);
    expect(ops.map(shape)).toEqual(aof.map(shape));
    const offsets = [100000, 100000, 100000, 100000, 200000, 300000];
    ops.forEach((argv, i) => {
      const when = Number(argv[argv.length - 1]);
      expect(when).toBeGreaterThanOrEqual(before + offsets[i]);
      expect(when).toBeLessThanOrEqual(after + offsets[i]);
    });
    for (const key of ['r1', 'r2', 'r3', 'r4']) {
      const last = ops.filter((argv) => argv[1] === key).pop()!;
      expect(server.keyspace.dbs[0].expires.get(key)).toBe(Number(last[last.length - 1]));
    }
    expect(strataEvents.splice(0)).toEqual(await takeRedisEvents());
  });

  it('TTLs: SET without KEEPTTL clears one, counters and SETRANGE keep it, PERSIST removes it', async () => {
    const db = server.keyspace.dbs[0];
    const at = 4102444800000;
    await both([['SET', 't', '1', 'PXAT', String(at)]]);
    expect(db.expires.get('t')).toBe(at);
    await both([['INCR', 't'], ['INCRBYFLOAT', 't', '1.5'], ['APPEND', 't', '0'], ['SETRANGE', 't', '0', '7'], ['SET', 't', '9', 'KEEPTTL']]);
    expect(db.expires.get('t')).toBe(at);
    await both([['GETEX', 't', 'PERSIST']]);
    expect(db.expires.has('t')).toBe(false);
    await both([['SET', 't', '1', 'PXAT', String(at)], ['SET', 't', '2']]);
    expect(db.expires.has('t')).toBe(false);
    await both([['SET', 't', '1', 'PXAT', String(at)], ['GETSET', 't', '2']]);
    expect(db.expires.has('t')).toBe(false);
    propagated.splice(0);
    strataEvents.splice(0);
    await takeRedisEvents();
  });

  it('commands on a key of another type answer as Redis and change nothing', async () => {
    server.keyspace.dbs[0].dict.set('L', fakeList);
    await redisClient.call('RPUSH', 'L', 'x');
    await takeRedisEvents();
    const cmds = [
      ['GET', 'L'],
      ['SET', 'L', 'v', 'GET'],
      ['SET', 'L', 'v', 'NX', 'GET'],
      ['GETEX', 'L', 'EX', '10'],
      ['GETEX', 'L', 'EX', 'notanumber'],
      ['GETSET', 'L', 'v'],
      ['GETDEL', 'L'],
      ['MGET', 'L', 'k2'],
      ['INCR', 'L'],
      ['INCRBY', 'L', 'x'],
      ['DECRBY', 'L', '1'],
      ['INCRBYFLOAT', 'L', '1'],
      ['APPEND', 'L', 'x'],
      ['STRLEN', 'L'],
      ['GETRANGE', 'L', '0', '1'],
      ['GETRANGE', 'L', 'x', '1'],
      ['SUBSTR', 'L', '0', '1'],
      ['SETRANGE', 'L', '0', 'x'],
      ['SETRANGE', 'L', '0', ''],
      ['SETRANGE', 'L', '-1', 'x'],
      ['LCS', 'L', 'k2'],
      ['LCS', 'k2', 'L', 'BOGUS'],
      ['MSETNX', 'L', 'v'],
      ['SETNX', 'L', 'v'],
    ];
    const [mine, theirs] = await both(cmds);
    expect(mine).toEqual(theirs);
    expect(server.keyspace.dbs[0].dict.get('L')).toBe(fakeList);
    expect(propagated.splice(0)).toEqual([]);
    expect(strataEvents.splice(0)).toEqual(await takeRedisEvents());
  });
});
