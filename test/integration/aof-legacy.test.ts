import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';
import { RecordBuffer } from '../../storage/aof/records.js';
import { rdbToBuffer } from '../../storage/rdb/writer.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aof-legacy-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const AOF = ['--appendonly', 'yes', '--enable-debug-command', 'yes'];
const BINARY = Buffer.from([0, 13, 10, 255]).toString('latin1');

function encode(...commands: string[][]): Buffer {
  const rb = new RecordBuffer();
  for (const c of commands) rb.command(c);
  return Buffer.from(rb.view());
}

/** What redis-server 6.2 writes with aof-use-rdb-preamble no: records only. */
const PLAIN = encode(
  ['SELECT', '0'],
  ['SET', 'plain', BINARY],
  ['HSET', 'hash', 'a', '1', BINARY, BINARY],
  ['MULTI'],
  ['INCR', 'n'],
  ['INCR', 'n'],
  ['EXEC'],
  ['SELECT', '3'],
  ['SADD', 'set', 'x', 'y'],
  ['PEXPIREAT', 'set', '4102444800000'],
);

/** What it writes with aof-use-rdb-preamble yes after a rewrite: an RDB 9 snapshot, then records. */
const PREAMBLE = Buffer.concat([
  rdbToBuffer(
    (w) => {
      w.aux('redis-ver', '6.2.14');
      w.aux('aof-preamble', '1');
      w.selectDb(0, 2, 1);
      w.entry({ db: 0, key: 'from-rdb', value: { type: 'string', value: BINARY }, expire: -1 });
      w.entry({ db: 0, key: 'zset', value: { type: 'zset', entries: [['m', 1.5], ['inf', Infinity]] }, expire: 4102444800000 });
    },
    { version: 9 },
  ),
  encode(['SELECT', '0'], ['SET', 'after-rdb', '1'], ['HSET', 'h', 'f', 'v'], ['SELECT', '2'], ['INCR', 'counter']),
]);

interface Upgraded {
  manifest: string;
  files: string[];
  digest: string;
  legacyLeft: boolean;
}

describe('an old-style appendonly.aof (Redis ≤ 6.2) at startup', () => {
  const servers: RunningServer[] = [];

  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
  });

  /** Starts a server on a dir holding `legacy` as appendonly.aof; returns the layout it made. */
  async function upgrade(legacy: Buffer, redis: boolean, prepare?: (dir: string) => void): Promise<Upgraded & { dir: string }> {
    const dir = fs.mkdtempSync(path.join(tmp, redis ? 'redis-' : 'strata-'));
    fs.writeFileSync(path.join(dir, 'appendonly.aof'), legacy);
    prepare?.(dir);
    const s = await startServer({ redis, dir, args: AOF });
    servers.push(s);
    const c = await RawClient.connect(s.port);
    const digest = await c.call('DEBUG', 'DIGEST');
    c.close();
    const aofDir = path.join(dir, 'appendonlydir');
    return {
      dir,
      manifest: fs.readFileSync(path.join(aofDir, 'appendonly.aof.manifest'), 'latin1'),
      files: fs.readdirSync(aofDir).sort(),
      digest,
      legacyLeft: fs.existsSync(path.join(dir, 'appendonly.aof')),
    };
  }

  const strip = ({ manifest, files, digest, legacyLeft }: Upgraded): Upgraded => ({ manifest, files, digest, legacyLeft });

  for (const [name, legacy] of [
    ['plain records (aof-use-rdb-preamble no)', PLAIN],
    ['an RDB preamble followed by records (aof-use-rdb-preamble yes)', PREAMBLE],
  ] as const) {
    it(`with ${name}: loaded and moved into appendonlydir as its base, exactly as redis-server 7.0.15 does`, async () => {
      const redis = await upgrade(legacy, true);
      const strata = await upgrade(legacy, false);
      expect(strata.manifest).toBe('file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
      expect(strip(strata)).toEqual(strip(redis));
      expect(strata.digest).not.toBe('+0000000000000000000000000000000000000000\r\n');
      expect(fs.readFileSync(path.join(strata.dir, 'appendonlydir', 'appendonly.aof'))).toEqual(legacy);
    });
  }

  it('the upgraded layout keeps working: writes go to the new incr and everything is there after a restart', async () => {
    const first = await upgrade(PREAMBLE, false);
    const s = servers[0];
    const c = await RawClient.connect(s.port);
    expect(await c.call('SET', 'new', 'write')).toBe('+OK\r\n');
    c.close();
    await servers.splice(0)[0].stop();
    expect(fs.readFileSync(path.join(first.dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1')).toContain('$3\r\nnew\r\n');
    const s2 = await startServer({ dir: first.dir, args: AOF });
    servers.push(s2);
    const c2 = await RawClient.connect(s2.port);
    expect(await c2.call('MGET', 'from-rdb', 'after-rdb', 'new')).toBe(`*3\r\n$4\r\n${BINARY}\r\n$1\r\n1\r\n$5\r\nwrite\r\n`);
    expect(await c2.call('PEXPIRETIME', 'zset')).toBe(':4102444800000\r\n');
    c2.close();
    expect(fs.readFileSync(path.join(first.dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1')).toBe(first.manifest);
  });

  it('an upgrade interrupted after the manifest was written (the file not yet moved) is finished at the next start, as Redis does', async () => {
    const interrupted = (dir: string): void => {
      fs.mkdirSync(path.join(dir, 'appendonlydir'));
      fs.writeFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'file appendonly.aof seq 1 type b\n');
    };
    const redis = await upgrade(PLAIN, true, interrupted);
    const strata = await upgrade(PLAIN, false, interrupted);
    expect(strip(strata)).toEqual(strip(redis));
    expect(strata.legacyLeft).toBe(false);
  });
});
