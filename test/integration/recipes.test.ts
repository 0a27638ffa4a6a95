/*
 * The README's recipes (a lock, a token-bucket rate limiter, a reliable queue), run with the very
 * scripts the README shows, against strata and against redis-server 7.0 with the same
 * expectations. Times are passed explicitly, so nothing depends on the wall clock.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, serverForSuite } from '../helpers/server.js';
import { arr, bulk } from '../helpers/resp.js';

const NULL_BULK = '$-1\r\n';

/** The README's Lua code blocks under "## Recipes", by the name their first comment starts with. */
function readmeScripts(): Map<string, string> {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const recipes = readme.slice(readme.indexOf('\n## Recipes\n'));
  const scripts = new Map<string, string>();
  for (const [, code] of recipes.matchAll(/```lua\n([\s\S]*?)```/g)) {
    const name = /^-- (\w+):/.exec(code)?.[1];
    if (name === undefined) throw new Error(`a recipe script does not start with "-- name:": ${code}`);
    scripts.set(name, code);
  }
  return scripts;
}

const SCRIPTS = readmeScripts();

function script(name: string): string {
  const code = SCRIPTS.get(name);
  if (code === undefined) throw new Error(`README.md has no recipe script ${name}`);
  return code;
}

describe.each([['strata'], ['redis']])('README recipes on %s', (which) => {
  const { client } = serverForSuite(which === 'redis');

  it('a lock: SET NX PX acquires once; only the holder token releases it', async () => {
    const c = await client();
    const release = (token: string) => c.call('EVAL', script('lock_release'), '1', 'lock:report', token);

    expect(await c.call('SET', 'lock:report', 'token-a', 'NX', 'PX', '10000')).toBe('+OK\r\n');
    expect(await c.call('SET', 'lock:report', 'token-b', 'NX', 'PX', '10000')).toBe(NULL_BULK);
    const ttl = Number((await c.call('PTTL', 'lock:report')).slice(1));
    expect(ttl > 0 && ttl <= 10000).toBe(true);

    expect(await release('token-b')).toBe(':0\r\n');
    expect(await c.call('GET', 'lock:report')).toBe(bulk('token-a'));
    expect(await release('token-a')).toBe(':1\r\n');
    expect(await c.call('EXISTS', 'lock:report')).toBe(':0\r\n');
    expect(await release('token-a')).toBe(':0\r\n');
    expect(await c.call('SET', 'lock:report', 'token-b', 'NX', 'PX', '10000')).toBe('+OK\r\n');
  });

  it('a token bucket: spends the capacity, then allows one call per refilled token', async () => {
    const c = await client();
    const sha = (await c.call('SCRIPT', 'LOAD', script('rate_limit'))).split('\r\n')[1];
    const capacity = '3';
    const perSecond = '2';
    const take = (nowMs: number) => c.call('EVALSHA', sha, '1', 'bucket:api', capacity, perSecond, String(nowMs));
    const reply = (allowed: number, left: number) => arr(`:${allowed}\r\n`, `:${left}\r\n`);

    expect([await take(0), await take(0), await take(0)]).toEqual([reply(1, 2), reply(1, 1), reply(1, 0)]);
    expect(await take(0)).toBe(reply(0, 0));
    expect(await take(250)).toBe(reply(0, 0)); // half a token
    expect(await take(500)).toBe(reply(1, 0)); // the second half arrived
    expect(await take(400)).toBe(reply(0, 0)); // the clock stepped back: no refill
    expect(await take(60_000)).toBe(reply(1, 2)); // full again, never above capacity

    expect(await c.call('HGETALL', 'bucket:api')).toBe(arr(bulk('tokens'), bulk('2'), bulk('ts'), bulk('60000')));
    const ttl = Number((await c.call('PTTL', 'bucket:api')).slice(1));
    expect(ttl > 0 && ttl <= 1500).toBe(true);
  });

  it('a reliable queue: consumers move items to processing, acknowledge them, and stale ones come back', async () => {
    const [producer, consumer, blockedConsumer] = [await client(), await client(), await client()];
    const ack = (item: string) => consumer.call('EVAL', script('queue_ack'), '2', 'jobs:processing', 'jobs:seen', item);
    const recover = (nowMs: number) =>
      consumer.call('EVAL', script('queue_recover'), '3', 'jobs', 'jobs:processing', 'jobs:seen', String(nowMs), '30000');

    expect(await producer.call('LPUSH', 'jobs', 'job-1', 'job-2', 'job-3')).toBe(':3\r\n');
    expect(await consumer.call('BLMOVE', 'jobs', 'jobs:processing', 'RIGHT', 'LEFT', '1')).toBe(bulk('job-1'));
    expect(await consumer.call('LMOVE', 'jobs', 'jobs:processing', 'RIGHT', 'LEFT')).toBe(bulk('job-2'));
    expect(await ack('job-1')).toBe(':1\r\n');
    expect(await ack('job-1')).toBe(':0\r\n');

    // job-2's consumer never acknowledges it: it is first seen at 1000 and stale from 31000.
    expect(await recover(1_000)).toBe(':0\r\n');
    expect(await recover(30_999)).toBe(':0\r\n');
    expect(await recover(31_000)).toBe(':1\r\n');
    expect(await producer.call('LRANGE', 'jobs', '0', '-1')).toBe(arr(bulk('job-3'), bulk('job-2')));
    expect(await producer.call('LLEN', 'jobs:processing')).toBe(':0\r\n');
    expect(await producer.call('EXISTS', 'jobs:seen')).toBe(':0\r\n');

    // The recovered item is taken next; a consumer waiting on the empty queue gets the next push.
    expect(await consumer.call('LMOVE', 'jobs', 'jobs:processing', 'RIGHT', 'LEFT')).toBe(bulk('job-2'));
    expect(await consumer.call('LMOVE', 'jobs', 'jobs:processing', 'RIGHT', 'LEFT')).toBe(bulk('job-3'));
    await blockedConsumer.block('BLMOVE', 'jobs', 'jobs:processing', 'RIGHT', 'LEFT', '0');
    expect(await producer.call('LPUSH', 'jobs', 'job-4')).toBe(':1\r\n');
    expect(await blockedConsumer.readReply()).toBe(bulk('job-4'));
    expect(await producer.call('LRANGE', 'jobs:processing', '0', '-1')).toBe(arr(bulk('job-4'), bulk('job-3'), bulk('job-2')));
  });
});
