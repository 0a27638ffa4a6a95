/*
 * node-redis (the `redis` package), a client the project promises works unchanged: the same
 * application-style session (connection handshake, every data type, binary values, MULTI,
 * pipelining, scan iterators, pub/sub, scripts, a blocking pop, streams, errors) runs against
 * strata and against redis-server 7.0.15, in RESP2 and RESP3, and must see the same results.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, RESP_TYPES } from 'redis';
import { startServer, type RunningServer } from '../helpers/server.js';

type Client = ReturnType<typeof createClient>;

async function connect(port: number, resp: 2 | 3): Promise<Client> {
  const client = createClient({ socket: { host: '127.0.0.1', port }, RESP: resp });
  client.on('error', () => {});
  await client.connect();
  return client as Client;
}

/** A session as an application would run it; returns what it saw, comparable across servers. */
async function session(port: number, resp: 2 | 3): Promise<unknown[]> {
  const c = await connect(port, resp);
  const seen: unknown[] = [];
  const note = (v: unknown): void => {
    seen.push(v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v].sort() : v);
  };
  try {
    await c.flushAll();
    note(await c.ping());
    note(await c.set('s', 'v', { expiration: { type: 'EX', value: 100 } }));
    note(await c.get('s'));
    note(await c.ttl('s'));
    const binary = Buffer.from([0, 255, 13, 10, 128, 7]);
    await c.set(Buffer.from('bin\x00key'), binary);
    const back = await c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(Buffer.from('bin\x00key'));
    note((back as unknown as Buffer).toString('hex'));
    note(await c.incrByFloat('f', 1.5));
    note(await c.hSet('h', { a: '1', b: '2' }));
    note(await c.hGetAll('h'));
    note(await c.rPush('l', ['x', 'y', 'z']));
    note(await c.lRange('l', 0, -1));
    note(await c.sAdd('t', ['m1', 'm2']));
    note((await c.sMembers('t')).sort());
    note(await c.zAdd('z', [{ score: 1.5, value: 'a' }, { score: -2, value: 'b' }]));
    note(await c.zRangeWithScores('z', 0, -1));
    note(await c.zScore('z', 'a'));
    note(await c.multi().set('m', '1').incr('m').get('m').exec());
    note(await Promise.all([c.set('p1', 'a'), c.set('p2', 'b'), c.mGet(['p1', 'p2', 'nope'])]));
    const scanned: string[] = [];
    for await (const keys of c.scanIterator({ MATCH: 'p*', COUNT: 10 })) scanned.push(...keys);
    note(scanned.sort());
    note(await c.eval("return {KEYS[1], ARGV[1], redis.call('GET', KEYS[1])}", { keys: ['p1'], arguments: ['arg'] }));
    const sha = await c.scriptLoad('return 42');
    note(await c.evalSha(sha));
    note(await c.xAdd('st', '1-1', { f: 'v' }));
    note(await c.xGroupCreate('st', 'g', '0'));
    note(JSON.stringify(await c.xReadGroup('g', 'c1', { key: 'st', id: '>' })));
    // A blocking pop on its own connection, woken by a push on this one.
    const blocker = await connect(port, resp);
    const popped = blocker.blPop('q', 5);
    await new Promise((r) => setTimeout(r, 100));
    await c.rPush('q', 'job');
    note(await popped);
    blocker.destroy();
    // Pub/sub on a duplicate: a channel and a pattern.
    const sub = c.duplicate();
    sub.on('error', () => {});
    await sub.connect();
    const messages: string[] = [];
    await sub.subscribe('news', (m, ch) => messages.push(`${ch}:${m}`));
    await sub.pSubscribe('n*', (m, ch) => messages.push(`p:${ch}:${m}`));
    note(await c.publish('news', 'hello'));
    await new Promise((r) => setTimeout(r, 100));
    note(messages.sort());
    sub.destroy();
    // Errors surface with Redis's text.
    for (const fail of [() => c.lPush('s', 'x'), () => c.incr('h'), () => c.sendCommand(['NOSUCHCOMMAND'])]) {
      try {
        await fail();
        note('no error');
      } catch (err) {
        note(`${(err as Error).constructor.name}: ${(err as Error).message}`);
      }
    }
  } finally {
    c.destroy();
  }
  return seen;
}

describe('node-redis against strata and redis-server', () => {
  let strata: RunningServer;
  let redis: RunningServer;

  beforeAll(async () => {
    [strata, redis] = await Promise.all([startServer(), startServer({ redis: true })]);
  });

  afterAll(async () => {
    await Promise.all([strata?.stop(), redis?.stop()]);
  });

  for (const resp of [2, 3] as const) {
    it(`sees the same results in RESP${resp}`, async () => {
      const mine = await session(strata.port, resp);
      const theirs = await session(redis.port, resp);
      expect(mine).toEqual(theirs);
      // And the session did what it says, so the comparison means something.
      expect(mine).toContain('PONG');
      expect(mine).toContain('00ff0d0a8007');
      expect(mine).toContainEqual(['news:hello', 'p:news:hello']);
      expect(mine).toContainEqual({ key: 'q', element: 'job' });
      expect(mine.slice(-3)).toEqual([
        'SimpleError: WRONGTYPE Operation against a key holding the wrong kind of value',
        'SimpleError: WRONGTYPE Operation against a key holding the wrong kind of value',
        "SimpleError: ERR unknown command 'NOSUCHCOMMAND', with args beginning with: ",
      ]);
    });
  }
});
