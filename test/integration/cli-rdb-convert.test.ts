import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RDB_FIXTURES, STRATA_CLI, startServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';
import { readRdb } from '../../storage/rdb/reader.js';
import { rdbToBuffer } from '../../storage/rdb/writer.js';
import { rdbToDump } from '../../recovery/rdb-json.js';
import type { RdbEntry } from '../../storage/rdb/model.js';

const ASSETS = path.join(RDB_FIXTURES, 'redis-tests-assets');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-rdb-convert-'));

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function strata(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(STRATA_CLI, args, { encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function convert(input: string, version: number, name = `${path.basename(input, '.rdb')}-v${version}.rdb`): string {
  const out = path.join(tmp, name);
  const r = strata('rdb', 'convert', input, out, '--target-version', String(version));
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`\\(RDB version ${version}\\): \\d+ keys, \\d+ function libraries\\n$`));
  return out;
}

/** Per key, what the canonical dump does not show: LRU/LFU hints. */
function accessHints(data: Buffer): Array<[number, string, number | undefined, number | undefined]> {
  const out: Array<[number, string, number | undefined, number | undefined]> = [];
  readRdb(data, { entry: (e: RdbEntry) => out.push([e.db, e.key, e.idle, e.freq]) });
  return out;
}

/** Starts redis-server 7.0.15 on a copy of the file and returns its DEBUG DIGEST. */
async function redisDigest(file: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(tmp, 'redis-'));
  fs.copyFileSync(file, path.join(dir, 'dump.rdb'));
  const s = await startServer({ redis: true, dir, args: ['--enable-debug-command', 'yes', '--dbfilename', 'dump.rdb'] });
  try {
    const c = await RawClient.connect(s.port);
    const digest = await c.call('DEBUG', 'DIGEST');
    c.close();
    return digest;
  } finally {
    await s.stop();
  }
}

/** Builds a dataset in redis-server 7.0.15 and returns the file its SAVE wrote. */
async function redisSaved(name: string, commands: string[][]): Promise<string> {
  const dir = fs.mkdtempSync(path.join(tmp, 'build-'));
  const s = await startServer({ redis: true, dir });
  try {
    const c = await RawClient.connect(s.port);
    for (const cmd of commands) expect(await c.call(...cmd)).not.toMatch(/^-/);
    expect(await c.call('SAVE')).toBe('+OK\r\n');
    c.close();
  } finally {
    await s.stop();
  }
  const file = path.join(tmp, name);
  fs.copyFileSync(path.join(dir, 'dump.rdb'), file);
  return file;
}

function redisCheck(file: string): { status: number | null; stdout: string } {
  const r = spawnSync('/usr/bin/redis-check-rdb', [file], { encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout };
}

describe('strata rdb convert', () => {
  for (const variant of ['small', 'big']) {
    it(`7.0.15-${variant}.rdb converted to RDB 10, 11 and 12 reads back as the same data, LRU/LFU hints included`, () => {
      const input = path.join(RDB_FIXTURES, `7.0.15-${variant}.rdb`);
      const original = fs.readFileSync(input);
      for (const version of [10, 11, 12]) {
        const converted = fs.readFileSync(convert(input, version));
        expect(converted.latin1Slice(0, 9)).toBe(`REDIS00${version}`);
        expect(rdbToDump(converted).dump).toEqual(rdbToDump(original).dump);
        expect(accessHints(converted)).toEqual(accessHints(original));
      }
    });
  }

  it("what RDB 9 cannot hold is an error, and OUT is left as it was: function libraries, a stream's XDEL history", async () => {
    const out = path.join(tmp, 'untouched.rdb');
    fs.writeFileSync(out, 'previous content');
    const before = fs.readdirSync(tmp).sort();
    const r = strata('rdb', 'convert', path.join(RDB_FIXTURES, '7.0.15-small.rdb'), out, '--target-version', '9');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('function libraries need RDB version 10 (target is 9)');
    expect(fs.readFileSync(out, 'latin1')).toBe('previous content');
    expect(fs.readdirSync(tmp).sort()).toEqual(before);

    const deleted = await redisSaved('xdel.rdb', [['XADD', 's', '1-1', 'f', 'v'], ['XADD', 's', '2-1', 'f', 'v'], ['XDEL', 's', '2-1']]);
    const r2 = strata('rdb', 'convert', deleted, out, '--target-version', '9');
    expect(r2.status).toBe(1);
    expect(r2.stderr).toContain("key 's': stream metadata needs RDB version 10 (target is 9)");
    expect(fs.readFileSync(out, 'latin1')).toBe('previous content');
  });

  it('hash field TTLs need RDB 12: converting such a file to 11 is an error, to 12 keeps them', () => {
    const input = path.join(tmp, 'field-ttl.rdb');
    const entry: RdbEntry = { db: 0, key: 'h', value: { type: 'hash', entries: [['f', 'v'], ['g', 'w']], fieldExpires: new Map([['f', 4102444800000]]) }, expire: -1 };
    fs.writeFileSync(input, rdbToBuffer((w) => { w.selectDb(0, 1, 0); w.entry(entry); }, { version: 12 }));
    const r = strata('rdb', 'convert', input, path.join(tmp, 'field-ttl-11.rdb'), '--target-version', '11');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("key 'h': hash field TTLs need RDB version 12 (target is 11)");
    expect(fs.existsSync(path.join(tmp, 'field-ttl-11.rdb'))).toBe(false);
    const back = rdbToDump(fs.readFileSync(convert(input, 12))).dump;
    expect(back.dbs[0].keys[0].field_expires).toEqual([['f', '2100-01-01T00:00Z']]);
  });

  it('bad arguments and bad input files are errors with exit code 1', () => {
    for (const version of ['8', '13', 'x']) {
      const r = strata('rdb', 'convert', path.join(ASSETS, 'encodings.rdb'), path.join(tmp, 'never.rdb'), '--target-version', version);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('the target version must be 9, 10, 11 or 12');
    }
    const r = strata('rdb', 'convert', path.join(ASSETS, 'corrupt_ziplist.rdb'), path.join(tmp, 'never.rdb'), '--target-version', '10');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Can't convert .*corrupt_ziplist\.rdb: Ziplist integrity check failed/);
    expect(fs.existsSync(path.join(tmp, 'never.rdb'))).toBe(false);
    expect(strata('rdb', 'convert', path.join(ASSETS, 'encodings.rdb'), path.join(tmp, 'never.rdb')).status).toBe(1);
  });

  it('redis-server 7.0.15 loads converted RDB 10 files of the fixtures with the same DEBUG DIGEST, and redis-check-rdb accepts them', async () => {
    for (const variant of ['small', 'big']) {
      const input = path.join(RDB_FIXTURES, `7.0.15-${variant}.rdb`);
      const converted = convert(input, 10);
      const digest = await redisDigest(converted);
      expect(digest).toMatch(/^\+[0-9a-f]{40}\r\n$/);
      expect(digest).toBe(await redisDigest(input));
      const check = redisCheck(converted);
      expect(check.status).toBe(0);
      expect(check.stdout).toContain('RDB looks OK!');
    }
  });

  it("Redis's old-format test assets converted to RDB 9 and 10 load in redis-server 7.0.15 as the originals do", async () => {
    for (const name of ['encodings.rdb', 'hash-zipmap.rdb', 'hash-ziplist.rdb', 'list-quicklist.rdb', 'zset-ziplist.rdb']) {
      const input = path.join(ASSETS, name);
      const digest = await redisDigest(input);
      for (const version of [9, 10]) {
        const converted = convert(input, version);
        expect({ name, version, digest: await redisDigest(converted) }).toEqual({ name, version, digest });
        expect(redisCheck(converted).status).toBe(0);
      }
    }
  });

  it('a dataset with streams and consumer groups that RDB 9 can hold converts to 9, and redis-server loads it with the same digest', async () => {
    const input = await redisSaved('streams.rdb', [
      ['SET', 'k', 'v'],
      ['EXPIRE', 'k', '100000'],
      ['RPUSH', 'l', 'a', '1', Buffer.from([0, 255]).toString('latin1')],
      ['SADD', 's', '1', '2', 'x'],
      ['ZADD', 'z', '1.5', 'a', 'inf', 'b'],
      ['HSET', 'h', 'f', 'v', 'n', '1'],
      ['XADD', 'x', '1-1', 'a', '1'],
      ['XADD', 'x', '2-1', 'a', '2', 'b', '3'],
      ['XADD', 'x', '3-1', 'c', '4'],
      ['XGROUP', 'CREATE', 'x', 'from-start', '0'],
      ['XGROUP', 'CREATE', 'x', 'from-end', '$'],
      ['XGROUP', 'CREATE', 'x', 'readers', '0'],
      ['XREADGROUP', 'GROUP', 'readers', 'alice', 'COUNT', '10', 'STREAMS', 'x', '>'],
    ]);
    const converted = convert(input, 9);
    expect(fs.readFileSync(converted).latin1Slice(0, 9)).toBe('REDIS0009');
    expect(await redisDigest(converted)).toBe(await redisDigest(input));
    expect(redisCheck(converted).status).toBe(0);
  });
});
