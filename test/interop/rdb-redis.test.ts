import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRdb } from '../../storage/rdb/reader.js';
import { rdbToBuffer } from '../../storage/rdb/writer.js';
import type { RdbEntry } from '../../storage/rdb/model.js';
import { RDB_FIXTURES, startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

const FIXTURES = RDB_FIXTURES;

/** Starts redis-server on a copy of `rdb` and returns its DEBUG DIGEST and FUNCTION LIST. */
async function redisView(rdb: Buffer, servers: RunningServer[]): Promise<{ digest: string; functions: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rdb-interop-'));
  fs.writeFileSync(path.join(dir, 'dump.rdb'), rdb);
  const s = await startServer({ redis: true, dir, args: ['--enable-debug-command', 'yes', '--dbfilename', 'dump.rdb'] });
  servers.push(s);
  const c = await RawClient.connect(s.port);
  const digest = await c.call('DEBUG', 'DIGEST');
  const functions = await c.call('FUNCTION', 'LIST', 'WITHCODE');
  c.close();
  return { digest, functions };
}

describe('RDB files written by strata load in redis-server 7.0.15', () => {
  const servers: RunningServer[] = [];

  afterEach(async () => {
    for (const s of servers.splice(0)) {
      await s.stop();
      fs.rmSync(s.dir, { recursive: true, force: true });
    }
  });

  for (const variant of ['small', 'big']) {
    it(`7.0.15-${variant}.rdb read by strata and re-written as RDB 10 gives redis-server the same dataset digest`, async () => {
      const original = fs.readFileSync(path.join(FIXTURES, `7.0.15-${variant}.rdb`));
      const entries: RdbEntry[] = [];
      const functions: string[] = [];
      readRdb(original, { entry: (e) => entries.push(e), functionLibrary: (code) => functions.push(code) });
      const rewritten = rdbToBuffer((w) => {
        for (const f of functions) w.functionLibrary(f);
        for (const db of [...new Set(entries.map((e) => e.db))]) {
          const inDb = entries.filter((e) => e.db === db);
          w.selectDb(db, inDb.length, 0);
          for (const e of inDb) w.entry(e);
        }
      });
      const [a, b] = [await redisView(original, servers), await redisView(rewritten, servers)];
      expect(a.digest).toMatch(/^\+[0-9a-f]{40}\r\n$/);
      expect(a.digest).not.toBe('+0000000000000000000000000000000000000000\r\n');
      expect(b.digest).toBe(a.digest);
      // FUNCTION LIST follows the server's dict order, which depends on load order: compare contents.
      expect(b.functions.split('\r\n').sort()).toEqual(a.functions.split('\r\n').sort());
    });
  }
});
