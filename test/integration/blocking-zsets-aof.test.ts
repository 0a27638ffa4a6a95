/*
 * Served and immediate BZPOPMIN/BZPOPMAX/BZMPOP reach the append-only log as ZPOPMIN/ZPOPMAX
 * key [count], exactly as redis-server 7.0 logs them, and replaying the log rebuilds the same sets.
 */
import { describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/resp.js';
import { loggedSideBySide } from '../helpers/aof-files.js';

const KEYS = ['q', 'm', 't', 'x'];

/** Runs the scenario; returns every reply and the final contents of every key. */
async function scenario(port: number): Promise<string[]> {
  const conns = await Promise.all([0, 1, 2].map(() => RawClient.connect(port)));
  const [a, b, c] = conns;
  const out: string[] = [];
  await a.block('BZPOPMIN', 'q', '0');
  await c.block('BZMPOP', '0', '2', 'none', 'q', 'MAX', 'COUNT', '5');
  await b.call('ZADD', 'q', '1', 'a', '2', 'b', '3', 'c');
  out.push(await a.readReply(), await c.readReply());
  await a.block('BZPOPMAX', 't', '0');
  await b.call('MULTI');
  await b.call('ZADD', 't', '1', 'x', '2', 'y');
  await b.call('EXEC');
  out.push(await a.readReply());
  // Answered at once: logged as the plain pop.
  await b.call('ZADD', 'm', '5', 'five', '6', 'six', '7', 'seven');
  out.push(await a.call('BZPOPMIN', 'm', '0'));
  out.push(await a.call('BZMPOP', '0', '1', 'm', 'MIN', 'COUNT', '9'));
  await b.call('ZADD', 'x', '1', 'keep');
  for (const k of KEYS) out.push(await b.call('ZRANGE', k, '0', '-1', 'WITHSCORES'));
  for (const x of conns) x.close();
  return out;
}

describe('blocking sorted-set pops and the append-only log', () => {
  const runLogged = loggedSideBySide();

  it('blocking zset pops are logged as ZPOPMIN/ZPOPMAX as Redis logs them, and a restart gives the same sets', async () => {
    const { fromStrata, fromRedis, strataLog, redisLog, reopened } = await runLogged(scenario);
    expect(fromStrata).toEqual(fromRedis);

    expect(strataLog).toEqual(redisLog);
    const names = strataLog.map((argv) => argv[0]);
    for (const blocking of ['BZPOPMIN', 'BZPOPMAX', 'BZMPOP']) expect(names).not.toContain(blocking);
    expect(strataLog).toContainEqual(['ZPOPMIN', 'q']);
    expect(strataLog).toContainEqual(['ZPOPMAX', 'q', '2']);
    expect(strataLog).toContainEqual(['ZPOPMIN', 'm', '2']);

    const after: string[] = [];
    for (const k of KEYS) after.push(await reopened.call('ZRANGE', k, '0', '-1', 'WITHSCORES'));
    expect(after).toEqual(fromStrata.slice(-KEYS.length));
  });
});
