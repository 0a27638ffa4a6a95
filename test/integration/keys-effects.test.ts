/*
 * What keyspace commands tell the rest of the server: the replayed form they propagate, keyspace
 * notifications, the dirty counter and WATCH invalidation. strata has no wire view of these yet
 * (no AOF, replication, pub/sub or MULTI in this branch), so the commands run in process through
 * the real dispatcher; notifications and dirty counts are compared with redis-server's own
 * (PSUBSCRIBE, INFO rdb_changes_since_last_save).
 */

import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { Config } from '../../src/config/config.js';
import { Server } from '../../src/server/server.js';
import { Client } from '../../src/server/client.js';
import { processCommand } from '../../src/commands/dispatch.js';
import { parseNotifyFlags } from '../../src/keyspace/notify.js';
import type { KeyWatcher } from '../../src/keyspace/effects.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/** A server that never listens, with one client, recording what its commands propagate and publish. */
class InProcess {
  readonly server: Server;
  readonly client: Client;
  propagated: string[][] = [];
  events: string[] = [];

  constructor(directives: Record<string, string> = {}) {
    const config = new Config();
    config.set('loglevel', ['warning']);
    for (const [name, value] of Object.entries(directives)) config.set(name, [value]);
    this.server = new Server(config);
    this.client = new Client(this.server, new net.Socket(), 1);
    const effects = this.server.keyspace.effects;
    effects.addSink({ write: (ops) => ops.forEach((op) => this.propagated.push([String(op.db), ...op.argv])) });
    effects.publisher = (channel, message) => this.events.push(`${channel} ${message}`);
  }

  run(...argv: string[]): string {
    processCommand(this.client, argv);
    return this.client.reply.take().toString('latin1');
  }

  /** Runs argv and returns what it propagated. */
  propagates(...argv: string[]): string[][] {
    this.propagated = [];
    this.run(...argv);
    return this.propagated;
  }

  notifyOn(flags: string): void {
    this.server.keyspace.effects.notifyFlags = parseNotifyFlags(flags);
    this.events = [];
  }

  get dirty(): number {
    return this.server.keyspace.effects.dirty;
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

const NOW = 1_700_000_000_000;

/** Freezes the command clock at `ms`. */
function clockAt(ms: number): void {
  vi.spyOn(Date, 'now').mockReturnValue(ms);
}

describe('propagation (the replayed form)', () => {
  it('DEL and UNLINK replay as sent, only when they deleted something', () => {
    const s = new InProcess();
    s.run('MSET', 'a', '1', 'b', '2');
    expect(s.propagates('DEL', 'a', 'missing')).toEqual([['0', 'DEL', 'a', 'missing']]);
    expect(s.propagates('DEL', 'missing')).toEqual([]);
    expect(s.propagates('unlink', 'b')).toEqual([['0', 'unlink', 'b']]);
  });

  it('relative and second-based expires replay as PEXPIREAT with the absolute time, options kept', () => {
    clockAt(NOW);
    const s = new InProcess();
    s.run('SET', 'k', 'v');
    expect(s.propagates('EXPIRE', 'k', '100', 'NX')).toEqual([['0', 'PEXPIREAT', 'k', String(NOW + 100000), 'NX']]);
    expect(s.propagates('pexpire', 'k', '50')).toEqual([['0', 'PEXPIREAT', 'k', String(NOW + 50)]]);
    expect(s.propagates('EXPIREAT', 'k', '1800000000', 'GT')).toEqual([['0', 'PEXPIREAT', 'k', '1800000000000', 'GT']]);
    expect(s.propagates('pexpireat', 'k', '1900000000000')).toEqual([['0', 'pexpireat', 'k', '1900000000000']]);
    expect(s.propagates('PEXPIREAT', 'k', '9223372036854775807')).toEqual([['0', 'PEXPIREAT', 'k', '9223372036854775807']]);
    expect(s.propagates('EXPIRE', 'k', '100', 'NX')).toEqual([]);
    expect(s.propagates('EXPIRE', 'missing', '100')).toEqual([]);
    expect(s.propagates('PERSIST', 'k')).toEqual([['0', 'PERSIST', 'k']]);
    expect(s.propagates('PERSIST', 'k')).toEqual([]);
  });

  it('an expire time in the past replays as DEL, or UNLINK under lazyfree-lazy-expire', () => {
    clockAt(NOW);
    const s = new InProcess();
    s.run('SET', 'k', 'v');
    expect(s.propagates('EXPIRE', 'k', '-1')).toEqual([['0', 'DEL', 'k']]);
    const lazy = new InProcess({ 'lazyfree-lazy-expire': 'yes' });
    lazy.run('SET', 'k', 'v');
    expect(lazy.propagates('PEXPIREAT', 'k', String(NOW))).toEqual([['0', 'UNLINK', 'k']]);
  });

  it('lazy expiry on access deletes and replays DEL, inside the unit of the command', () => {
    clockAt(NOW);
    const s = new InProcess();
    s.run('SET', 'old', 'v', 'PX', '10');
    s.run('SET', 'live', 'v');
    clockAt(NOW + 11);
    expect(s.run('DBSIZE')).toBe(':2\r\n');
    expect(s.propagates('EXISTS', 'old')).toEqual([['0', 'DEL', 'old']]);
    expect(s.run('DBSIZE')).toBe(':1\r\n');
    s.run('SET', 'old', 'v', 'PX', '10');
    clockAt(NOW + 30);
    // Two effects in one command are replayed atomically.
    expect(s.propagates('DEL', 'old', 'live')).toEqual([
      ['0', 'MULTI'],
      ['0', 'DEL', 'old'],
      ['0', 'DEL', 'old', 'live'],
      ['0', 'EXEC'],
    ]);
  });

  it('SCAN deletes the expired keys it meets; KEYS only skips them', () => {
    clockAt(NOW);
    const s = new InProcess();
    s.run('SET', 'gone', 'v', 'PX', '1');
    s.run('SET', 'live', 'v');
    clockAt(NOW + 5);
    expect(s.propagates('KEYS', '*')).toEqual([]);
    expect(s.run('KEYS', '*')).toBe('*1\r\n$4\r\nlive\r\n');
    expect(s.propagates('SCAN', '0')).toEqual([['0', 'DEL', 'gone']]);
  });

  it('RENAME, MOVE, COPY and SWAPDB replay as sent, only when they did something', () => {
    const s = new InProcess();
    s.run('SET', 'a', 'v');
    expect(s.propagates('RENAME', 'a', 'a')).toEqual([]);
    expect(s.propagates('RENAME', 'a', 'b')).toEqual([['0', 'RENAME', 'a', 'b']]);
    s.run('SET', 'c', 'v');
    expect(s.propagates('RENAMENX', 'b', 'c')).toEqual([]);
    expect(s.propagates('MOVE', 'b', '3')).toEqual([['0', 'MOVE', 'b', '3']]);
    expect(s.propagates('MOVE', 'b', '3')).toEqual([]);
    expect(s.propagates('COPY', 'c', 'd', 'DB', '4')).toEqual([['0', 'COPY', 'c', 'd', 'DB', '4']]);
    expect(s.propagates('COPY', 'c', 'd', 'DB', '4')).toEqual([]);
    expect(s.propagates('SWAPDB', '2', '2')).toEqual([['0', 'SWAPDB', '2', '2']]);
  });

  it('FLUSHDB and FLUSHALL always replay, keeping ASYNC/SYNC', () => {
    const s = new InProcess();
    expect(s.propagates('FLUSHDB')).toEqual([['0', 'FLUSHDB']]);
    s.run('SELECT', '2');
    expect(s.propagates('FLUSHALL', 'ASYNC')).toEqual([['2', 'FLUSHALL', 'ASYNC']]);
    expect(s.propagates('FLUSHDB', 'bogus')).toEqual([]);
  });

  it('reads replay nothing', () => {
    const s = new InProcess();
    s.run('SET', 'k', 'v');
    for (const argv of [['EXISTS', 'k'], ['TYPE', 'k'], ['TTL', 'k'], ['KEYS', '*'], ['SCAN', '0'], ['RANDOMKEY'], ['DBSIZE'], ['OBJECT', 'ENCODING', 'k'], ['TOUCH', 'k']]) {
      expect(s.propagates(...argv), argv.join(' ')).toEqual([]);
    }
  });
});

describe('notifications and dirty accounting, compared with redis-server', () => {
  let redis: RunningServer;
  let r: Redis;
  let sub: Redis;
  const received: string[] = [];

  beforeAll(async () => {
    redis = await startServer({ redis: true });
    r = new Redis({ port: redis.port, lazyConnect: true });
    sub = new Redis({ port: redis.port, lazyConnect: true });
    await Promise.all([r.connect(), sub.connect()]);
    sub.on('pmessageBuffer', (_p: Buffer, channel: Buffer, message: Buffer) => received.push(`${channel.toString('latin1')} ${message.toString('latin1')}`));
    await sub.psubscribe('__key*@*__:*');
  });

  afterAll(async () => {
    r.disconnect();
    sub.disconnect();
    await redis.stop();
  });

  const SETUP = [
    ['FLUSHALL'],
    ['MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'w', '6', 'v', '7'],
    ['SELECT', '1'],
    ['MSET', 'a', 'x', 'z', 'y'],
    ['SELECT', '0'],
  ];

  const SCRIPT = [
    ['DEL', 'a', 'nokey', 'a'],
    ['UNLINK', 'b'],
    ['EXISTS', 'nokey', 'c'],
    ['TYPE', 'nokey'],
    ['TOUCH', 'nokey'],
    ['OBJECT', 'ENCODING', 'nokey'],
    ['TTL', 'nokey'],
    ['EXPIRE', 'c', '100'],
    ['EXPIRE', 'c', '100', 'NX'],
    ['PEXPIRE', 'c', '200000', 'GT'],
    ['PERSIST', 'c'],
    ['PERSIST', 'c'],
    ['EXPIRE', 'c', '-1'],
    ['EXPIRE', 'nokey', '10'],
    ['RENAME', 'd', 'd2'],
    ['RENAME', 'd2', 'd2'],
    ['RENAME', 'nokey', 'x'],
    ['RENAMENX', 'd2', 'e'],
    ['RENAMENX', 'd2', 'f'],
    ['RENAME', 'f', 'e'],
    ['MOVE', 'e', '1'],
    ['MOVE', 'w', '1'],
    ['MOVE', 'nokey', '1'],
    ['COPY', 'v', 'v2'],
    ['COPY', 'v', 'v2'],
    ['COPY', 'v', 'v2', 'REPLACE'],
    ['COPY', 'v', 'a', 'DB', '1', 'REPLACE'],
    ['COPY', 'v', 'v3', 'DB', '2'],
    ['COPY', 'nokey', 'q'],
    ['SWAPDB', '0', '1'],
    ['SWAPDB', '3', '3'],
    ['RANDOMKEY'],
    ['SCAN', '0', 'TYPE', 'string'],
    ['FLUSHDB'],
    ['SELECT', '1'],
    ['FLUSHALL', 'ASYNC'],
    ['FLUSHALL'],
    ['SELECT', '0'],
  ];

  /** Runs the script on redis-server; its events in order, and the dirty delta of each command. */
  async function onRedis(flags: string): Promise<{ events: string[]; dirty: number[] }> {
    for (const argv of SETUP) await r.call(argv[0], ...argv.slice(1));
    await r.config('SET', 'notify-keyspace-events', flags);
    received.length = 0;
    const dirtyNow = async (): Promise<number> => Number(/rdb_changes_since_last_save:(\d+)/.exec(await r.info('persistence'))![1]);
    const dirty: number[] = [];
    for (const argv of SCRIPT) {
      const before = await dirtyNow();
      await r.call(argv[0], ...argv.slice(1)).catch(() => undefined);
      dirty.push((await dirtyNow()) - before);
    }
    // A marker event tells when every earlier one has arrived.
    await r.config('SET', 'notify-keyspace-events', 'KEA');
    await r.call('SET', '__end__', '1');
    while (!received.includes('__keyevent@0__:set __end__')) await new Promise((res) => setTimeout(res, 5));
    await r.config('SET', 'notify-keyspace-events', '');
    return { events: received.filter((e) => !e.includes('__end__')), dirty };
  }

  function onStrata(flags: string): { events: string[]; dirty: number[] } {
    const s = new InProcess();
    for (const argv of SETUP) s.run(...argv);
    s.notifyOn(flags);
    const dirty: number[] = [];
    for (const argv of SCRIPT) {
      const before = s.dirty;
      s.run(...argv);
      dirty.push(s.dirty - before);
    }
    return { events: s.events, dirty };
  }

  it('publishes the same keyspace and keyevent notifications, in the same order', async () => {
    const theirs = await onRedis('KEA');
    expect(theirs.events.length).toBeGreaterThan(20);
    expect(onStrata('KEA').events).toEqual(theirs.events);
  });

  it('publishes "new" for the keys RENAME, MOVE and COPY create, and keymiss as Redis', async () => {
    const theirs = await onRedis('Enm');
    expect(onStrata('Enm').events).toEqual(theirs.events);
  });

  it('counts the same changes (dirty) for every command', async () => {
    const theirs = await onRedis('');
    const mine = onStrata('');
    expect(mine.dirty.map((d, i) => `${SCRIPT[i].join(' ')}: ${d}`)).toEqual(theirs.dirty.map((d, i) => `${SCRIPT[i].join(' ')}: ${d}`));
  });
});

describe('WATCH invalidation', () => {
  class Watcher implements KeyWatcher {
    touched = false;
    watchedKeyTouched(): void {
      this.touched = true;
    }
  }

  /** Watches `key` in db `dbIndex` with a fresh watcher. */
  function watch(s: InProcess, dbIndex: number, key: string): Watcher {
    const w = new Watcher();
    const db = s.server.keyspace.dbs[dbIndex];
    if (!db.watchers.has(key)) db.watchers.set(key, new Set());
    db.watchers.get(key)!.add(w);
    return w;
  }

  it('writes touch the keys they change, and only those', () => {
    const s = new InProcess();
    s.run('MSET', 'a', '1', 'b', '2', 'c', '3');
    const cases: Array<[string[], Array<[number, string]>, Array<[number, string]>]> = [
      [['DEL', 'a', 'nokey'], [[0, 'a']], [[0, 'nokey'], [0, 'b']]],
      [['EXPIRE', 'b', '100'], [[0, 'b']], [[0, 'c']]],
      [['PERSIST', 'b'], [[0, 'b']], []],
      [['PERSIST', 'b'], [], [[0, 'b']]],
      [['RENAME', 'b', 'r'], [[0, 'b'], [0, 'r']], [[0, 'c']]],
      [['MOVE', 'r', '1'], [[0, 'r'], [1, 'r']], [[0, 'c']]],
      [['COPY', 'c', 'c2', 'DB', '2'], [[2, 'c2']], [[0, 'c'], [0, 'c2']]],
      [['EXISTS', 'c'], [], [[0, 'c']]],
    ];
    for (const [argv, touched, untouched] of cases) {
      const yes = touched.map(([db, key]) => watch(s, db, key));
      const no = untouched.map(([db, key]) => watch(s, db, key));
      s.run(...argv);
      expect(yes.map((w) => w.touched), argv.join(' ')).toEqual(yes.map(() => true));
      expect(no.map((w) => w.touched), argv.join(' ')).toEqual(no.map(() => false));
    }
  });

  it('FLUSHDB and FLUSHALL touch watched keys that existed; SWAPDB those existing on either side', () => {
    const s = new InProcess();
    s.run('SET', 'here', '1');
    s.run('SELECT', '1');
    s.run('SET', 'there', '1');
    s.run('SELECT', '0');
    const here = watch(s, 0, 'here');
    const absent = watch(s, 0, 'absent');
    const there = watch(s, 0, 'there');
    s.run('SWAPDB', '0', '1');
    expect([here.touched, absent.touched, there.touched]).toEqual([true, false, true]);
    const inDb1 = watch(s, 1, 'here');
    const other = watch(s, 0, 'there');
    s.run('FLUSHDB');
    expect([inDb1.touched, other.touched]).toEqual([false, true]);
    const all = watch(s, 1, 'here');
    const missing = watch(s, 1, 'nothing');
    s.run('FLUSHALL');
    expect([all.touched, missing.touched]).toEqual([true, false]);
  });
});
