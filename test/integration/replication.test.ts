/*
 * WAIT, ROLE and the cluster connection commands of a server without replicas, compared with
 * redis-server 7.0.15 (which has none either): replies, errors, and WAIT's blocking.
 */

import { describe, expect, it } from 'vitest';
import { pairForSuite } from '../helpers/differential.js';
import { RawClient } from '../helpers/resp.js';

describe('replication commands without replicas', () => {
  const pair = pairForSuite();

  it('WAIT, ROLE, READONLY, READWRITE and ASKING reply as Redis, errors included', async () => {
    await pair.expectSame([
      ['WAIT', '0', '0'],
      ['WAIT', '-3', '100'],
      ['WAIT', 'x', '0'],
      ['WAIT', '0', 'x'],
      ['WAIT', '0', '-1'],
      ['WAIT', '1', '-1'],
      ['WAIT', '0', '1.5'],
      ['WAIT'],
      ['ROLE'],
      ['ROLE', 'x'],
      ['READONLY'],
      ['READWRITE'],
      ['ASKING'],
      ['COMMAND', 'INFO', 'wait', 'role', 'readonly', 'readwrite', 'asking'],
      ['EVAL', "return redis.pcall('wait', '0', '0')", '0'],
      ['MULTI'],
      ['WAIT', '1', '0'],
      ['EXEC'],
    ]);
    await pair.both('HELLO', '3');
    await pair.expectSame([['ROLE']]);
    await pair.both('HELLO', '2');
  });

  it('WAIT for replicas blocks until its timeout or CLIENT UNBLOCK, then counts none', async () => {
    for (const server of [pair.strataServer, pair.redisServer]) {
      const waiter = await RawClient.connect(server.port);
      const admin = await RawClient.connect(server.port);
      expect(await waiter.call('WAIT', '1', '50')).toBe(':0\r\n');
      const id = (await waiter.call('CLIENT', 'ID')).slice(1, -2);
      const blocked = waiter.call('WAIT', '2', '0');
      while ((await admin.call('CLIENT', 'UNBLOCK', id)) !== ':1\r\n') await new Promise((r) => setTimeout(r, 5));
      expect(await blocked, server === pair.redisServer ? 'redis-server' : 'strata').toBe(':0\r\n');
      const failed = waiter.call('WAIT', '1', '0');
      while ((await admin.call('CLIENT', 'UNBLOCK', id, 'ERROR')) !== ':1\r\n') await new Promise((r) => setTimeout(r, 5));
      expect(await failed).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
      waiter.close();
      admin.close();
    }
  });
});
