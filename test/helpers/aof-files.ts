/*
 * Reading what a server (strata or redis-server) wrote to its append-only directory, and running
 * one scenario on both with the log on, then restarting strata from its log.
 */

import { afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeRecords } from '../../storage/aof/records.js';
import { startServer, type RunningServer } from './server.js';
import { RawClient } from './resp.js';

const AOF_ALWAYS = ['--appendonly', 'yes', '--appendfsync', 'always'];

/** The commands in `dir`/appendonlydir/appendonly.aof.1.incr.aof; throws when the file does not decode cleanly. */
export function loggedArgv(dir: string): string[][] {
  const file = path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
  const decoded = decodeRecords(fs.readFileSync(file));
  if (decoded.status !== 'ok') throw new Error(`${file} does not decode: ${decoded.status}`);
  return decoded.records.map((r) => r.argv);
}

export interface LoggedRun<T> {
  fromStrata: T;
  fromRedis: T;
  strataLog: string[][];
  redisLog: string[][];
  /** A connection to strata restarted from its log after a SIGKILL. */
  reopened: RawClient;
}

/**
 * For the enclosing suite: runs a scenario on strata and on redis-server, each logging with
 * appendfsync always, reads both logs, then kills strata and restarts it from its log. Servers,
 * connections and directories are removed after each test.
 */
export function loggedSideBySide(): <T>(scenario: (port: number) => Promise<T>) => Promise<LoggedRun<T>> {
  const servers: RunningServer[] = [];
  const clients: RawClient[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of servers.splice(0)) await s.stop('SIGKILL');
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  return async (scenario) => {
    const [sdir, rdir] = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'strata-logged-')));
    dirs.push(sdir, rdir);
    const [s, r] = await Promise.all([startServer({ dir: sdir, args: AOF_ALWAYS }), startServer({ dir: rdir, redis: true, args: AOF_ALWAYS })]);
    servers.push(s, r);
    const [fromStrata, fromRedis] = await Promise.all([scenario(s.port), scenario(r.port)]);
    const [strataLog, redisLog] = [loggedArgv(sdir), loggedArgv(rdir)];
    await s.stop('SIGKILL');
    const again = await startServer({ dir: sdir, args: AOF_ALWAYS });
    servers.push(again);
    const reopened = await RawClient.connect(again.port);
    clients.push(reopened);
    return { fromStrata, fromRedis, strataLog, redisLog, reopened };
  };
}
