/*
 * Keyspace notifications of list commands, compared with redis-server 7.0. strata has no SUBSCRIBE
 * yet, so its side runs the real server code in-process (Server, dispatch, handlers, blocking) and
 * records what the keyspace publishes; redis-server's side is read from a PSUBSCRIBE connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient, encodeCommand } from '../helpers/resp.js';
import { Server } from '../../src/server/server.js';
import { Client } from '../../src/server/client.js';
import { Config } from '../../src/config/config.js';
import { processCommand } from '../../src/commands/dispatch.js';
import { parseNotifyFlags } from '../../src/keyspace/notify.js';

/** Each step: which connection (0 or 1) runs which command; 'block' steps wait until blocked. */
type Step = [conn: 0 | 1, argv: string[], blocks?: 'block'];

const STEPS: Step[] = [
  [0, ['RPUSH', 'l', 'a', 'b', 'c']],
  [0, ['LPUSH', 'l', 'z']],
  [0, ['LPUSHX', 'l', 'y']],
  [0, ['RPUSHX', 'nokey', 'x']],
  [0, ['LINSERT', 'l', 'BEFORE', 'a', 'q']],
  [0, ['LINSERT', 'l', 'BEFORE', 'nothere', 'q']],
  [0, ['LSET', 'l', '0', 'w']],
  [0, ['LREM', 'l', '1', 'q']],
  [0, ['LREM', 'l', '1', 'nothere']],
  [0, ['LTRIM', 'l', '0', '3']],
  [0, ['LTRIM', 'l', '0', '-1']],
  [0, ['LPOP', 'l']],
  [0, ['RPOP', 'l', '1']],
  [0, ['LPOS', 'l', 'a']],
  [0, ['LMOVE', 'l', 'l2', 'LEFT', 'RIGHT']],
  [0, ['LMOVE', 'l', 'l2', 'LEFT', 'RIGHT']],
  [0, ['RPOPLPUSH', 'l2', 'l3']],
  [0, ['LMPOP', '2', 'l2', 'l3', 'LEFT', 'COUNT', '5']],
  [0, ['RPUSH', 'm', '1', '2', '3']],
  [0, ['LREM', 'm', '0', '2']],
  [0, ['LTRIM', 'm', '5', '6']],
  [0, ['RPUSH', 'n', '1']],
  [0, ['LREM', 'n', '0', '1']],
  [0, ['RPUSH', 'p', '1', '2']],
  [0, ['BLPOP', 'p', '0']],
  [0, ['BLMPOP', '0', '1', 'p', 'RIGHT', 'COUNT', '3']],
  [0, ['BLPOP', 'b1', '0'], 'block'],
  [1, ['RPUSH', 'b1', 'v', 'w']],
  [0, ['BLMOVE', 's', 'd', 'LEFT', 'RIGHT', '0'], 'block'],
  [1, ['LPUSH', 's', 'v']],
  [0, ['BRPOPLPUSH', 's2', 'd', '0'], 'block'],
  [1, ['RPUSH', 's2', 'x']],
  [0, ['BLMPOP', '0', '1', 's3', 'LEFT', 'COUNT', '2'], 'block'],
  [1, ['RPUSH', 's3', '1', '2', '3']],
  [1, ['RPUSH', 'marker', 'end']],
];

/** [channel, message] pairs published by strata's keyspace for STEPS. */
function strataEvents(): Array<[string, string]> {
  const config = new Config();
  config.set('loglevel', ['warning']);
  const server = new Server(config);
  const events: Array<[string, string]> = [];
  const effects = server.keyspace.effects;
  effects.notifyFlags = parseNotifyFlags('KEA');
  effects.publisher = (channel, message) => events.push([channel, message]);
  const conns = [Client.detached(server), Client.detached(server)];
  for (const c of conns) c.denyBlocking = false;
  for (const [conn, argv, blocks] of STEPS) {
    processCommand(conns[conn], argv);
    expect(conns[conn].blocked !== null, JSON.stringify(argv)).toBe(blocks === 'block');
  }
  return events;
}

describe('list keyspace events', () => {
  let redis: RunningServer;

  beforeAll(async () => {
    redis = await startServer({ redis: true, args: ['--notify-keyspace-events', 'KEA'] });
  });

  afterAll(async () => {
    await redis.stop();
  });

  async function redisEvents(): Promise<Array<[string, string]>> {
    const sub = await RawClient.connect(redis.port);
    expect(await sub.call('PSUBSCRIBE', '__key*@0__:*')).toContain('psubscribe');
    const conns = [await RawClient.connect(redis.port), await RawClient.connect(redis.port)];
    let blocked: RawClient | null = null;
    for (const [conn, argv, blocks] of STEPS) {
      const c = conns[conn];
      if (blocks === 'block') {
        c.write(Buffer.concat([encodeCommand(['PING']), encodeCommand(argv)]));
        expect(await c.readReply()).toBe('+PONG\r\n');
        blocked = c;
      } else {
        await c.call(...argv);
        // The step after a block serves it: take the served reply.
        if (blocked !== null) await blocked.readReply();
        blocked = null;
      }
    }
    const events: Array<[string, string]> = [];
    for (;;) {
      const msg = await sub.readReply();
      const parts = msg.split('\r\n');
      // *4 $8 pmessage $n pattern $n channel $n message
      const ev: [string, string] = [parts[6], parts[8]];
      events.push(ev);
      if (ev[0] === '__keyevent@0__:rpush' && ev[1] === 'marker') break;
    }
    for (const c of [sub, ...conns]) c.close();
    return events;
  }

  it('are the events redis-server publishes, in the same order', async () => {
    const expected = await redisEvents();
    expect(expected.length).toBeGreaterThan(50);
    expect(strataEvents()).toEqual(expected);
  });
});
