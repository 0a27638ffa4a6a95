/*
 * Served blocking commands reach the append-only log in their non-blocking form, exactly as
 * redis-server 7.0 logs them, and replaying the log rebuilds the same lists.
 */
import { describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/resp.js';
import { loggedSideBySide } from '../helpers/aof-files.js';

const KEYS = ['q', 'src', 'dst', 'fin', 'm', 't'];

/** Runs the scenario; returns the final contents of every key. */
async function scenario(port: number): Promise<string[]> {
  const conns = await Promise.all([0, 1, 2, 3, 4].map(() => RawClient.connect(port)));
  const [a, b, c, d, e] = conns;
  await a.block('BLPOP', 'q', '0');
  await b.call('RPUSH', 'q', 'a', 'b');
  await a.readReply();
  await c.block('BRPOPLPUSH', 'src', 'dst', '0');
  await d.block('BLMOVE', 'dst', 'fin', 'LEFT', 'RIGHT', '0');
  await b.call('LPUSH', 'src', 'z', 'w');
  await c.readReply();
  await d.readReply();
  await e.block('BLMPOP', '0', '2', 'none', 'm', 'RIGHT', 'COUNT', '5');
  await b.call('RPUSH', 'm', '1', '2', '3');
  await e.readReply();
  await a.block('BRPOP', 't', '0');
  await b.call('MULTI');
  await b.call('RPUSH', 't', 'x', 'y');
  await b.call('EXEC');
  await a.readReply();
  // Answered at once: logged as the plain pop.
  await a.call('BLPOP', 'q', '0');
  await a.call('BLMPOP', '0', '1', 't', 'LEFT', 'COUNT', '9');
  await b.call('RPUSH', 'm', '4');
  const out: string[] = [];
  for (const k of KEYS) out.push(await b.call('LRANGE', k, '0', '-1'));
  for (const x of conns) x.close();
  return out;
}

describe('blocking commands and the append-only log', () => {
  const runLogged = loggedSideBySide();

  it('served blocking pops are logged as Redis logs them, and a restart gives the same lists', async () => {
    const { fromStrata, fromRedis, strataLog, redisLog, reopened } = await runLogged(scenario);
    expect(fromStrata).toEqual(fromRedis);

    expect(strataLog).toEqual(redisLog);
    const names = strataLog.map((argv) => argv[0]);
    for (const blocking of ['BLPOP', 'BRPOP', 'BLMOVE', 'BRPOPLPUSH', 'BLMPOP']) expect(names).not.toContain(blocking);
    expect(strataLog).toContainEqual(['RPOPLPUSH', 'src', 'dst']);
    expect(strataLog).toContainEqual(['LMOVE', 'dst', 'fin', 'left', 'right']);
    expect(strataLog).toContainEqual(['RPOP', 'm', '3']);

    const after: string[] = [];
    for (const k of KEYS) after.push(await reopened.call('LRANGE', k, '0', '-1'));
    expect(after).toEqual(fromStrata);
  });
});
