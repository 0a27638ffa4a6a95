/*
 * redis-py (Debian's python3-redis, which .ci/run installs), a client the project promises works
 * unchanged: test/interop/redis_py_session.py runs an application-style session (bytes, every
 * type, pipelines with and without MULTI, scan_iter, register_script, streams, a blocking pop
 * woken by another connection, pub/sub with get_message, errors) and prints what it saw; strata
 * and redis-server 7.0.15 must give the same transcript. A missing `redis` module fails the test.
 */

import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'redis_py_session.py');

async function transcript(port: number): Promise<unknown[]> {
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [SCRIPT, String(port)], { timeout: 30_000 });
  return JSON.parse(stdout) as unknown[];
}

describe('redis-py against strata and redis-server', () => {
  let strata: RunningServer;
  let redis: RunningServer;

  beforeAll(async () => {
    [strata, redis] = await Promise.all([startServer(), startServer({ redis: true })]);
  });

  afterAll(async () => {
    await Promise.all([strata?.stop(), redis?.stop()]);
  });

  it('sees the same results', async () => {
    const mine = await transcript(strata.port);
    expect(mine).toEqual(await transcript(redis.port));
    // The session did what it says, so the comparison means something.
    expect(mine).toContain('00ff0d0a8007');
    expect(mine).toContainEqual(['q', 'job']);
    expect(mine).toContainEqual(['message:news:hello', 'pmessage:news:hello']);
    expect(mine.at(-1)).toBe("ResponseError: unknown command 'NOSUCHCOMMAND', with args beginning with: ");
  });
});
