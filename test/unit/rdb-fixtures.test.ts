import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { readRdb, RdbError } from '../../storage/rdb/reader.js';
import type { RdbEntry } from '../../storage/rdb/model.js';
import { rdbToDump, valueJson } from '../../recovery/rdb-json.js';
import { RDB_FIXTURES } from '../helpers/server.js';

const FIXTURES = RDB_FIXTURES;
const ASSETS = path.join(FIXTURES, 'redis-tests-assets');

function load(file: string): { dbs: Map<number, RdbEntry[]>; functions: string[]; skipped: string[] } {
  const dbs = new Map<number, RdbEntry[]>();
  const functions: string[] = [];
  const skipped: string[] = [];
  readRdb(fs.readFileSync(file), {
    entry: (e) => {
      if (!dbs.has(e.db)) dbs.set(e.db, []);
      dbs.get(e.db)!.push(e);
    },
    functionLibrary: (code) => functions.push(code),
    skipped: (key) => skipped.push(key),
  });
  return { dbs, functions, skipped };
}

describe('RDB reader on files written by Redis 7.0.15', () => {
  for (const variant of ['small', 'big', 'empty']) {
    it(`reads 7.0.15-${variant}.rdb exactly as its JSON dump describes, stream lags included`, () => {
      const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, `7.0.15-${variant}.json`), 'utf8'));
      const { dump } = rdbToDump(fs.readFileSync(path.join(FIXTURES, `7.0.15-${variant}.rdb`)));
      expect(JSON.parse(JSON.stringify(dump))).toEqual(expected);
    });
  }
});

describe("RDB reader on Redis's test assets", () => {
  it('encodings.rdb (version 4, every old encoding) holds the documented values', () => {
    const { dbs } = load(path.join(ASSETS, 'encodings.rdb'));
    const byKey = new Map(dbs.get(0)!.map((e) => [e.key, e.value]));
    expect(byKey.get('compressible')).toEqual({ type: 'string', value: 'a'.repeat(137) });
    expect(byKey.get('number')).toEqual({ type: 'string', value: '10' });
    const seq = ['1', '2', '3', 'a', 'b', 'c', '100000', '6000000000'];
    expect(byKey.get('list')).toEqual({ type: 'list', items: [...seq, ...seq, ...seq] });
    expect(byKey.get('list_zipped')).toEqual({ type: 'list', items: seq });
    expect(valueJson(byKey.get('set_zipped_3')!)).toEqual(['1000000000', '2000000000', '3000000000', '4000000000', '5000000000', '6000000000']);
    expect(valueJson(byKey.get('hash_zipped')!)).toEqual([['a', '1'], ['b', '2'], ['c', '3']]);
    expect(valueJson(byKey.get('zset')!)).toEqual([
      ['a', '1'], ['b', '2'], ['c', '3'], ['aa', '10'], ['bb', '20'], ['cc', '30'], ['aaa', '100'], ['bbb', '200'], ['ccc', '300'],
      ['aaaa', '1000'], ['cccc', '123456789'], ['bbbb', '5000000000'],
    ]);
  });

  it('old single-encoding files load: zipmap hash, ziplist hash and zset, quicklist of ziplists', () => {
    expect(valueJson(load(path.join(ASSETS, 'hash-zipmap.rdb')).dbs.get(0)![0].value)).toEqual([['f1', 'v1'], ['f2', 'v2']]);
    expect(valueJson(load(path.join(ASSETS, 'hash-ziplist.rdb')).dbs.get(0)![0].value)).toEqual([['f1', 'v1'], ['f2', 'v2']]);
    expect(valueJson(load(path.join(ASSETS, 'zset-ziplist.rdb')).dbs.get(0)![0].value)).toEqual([['one', '1'], ['two', '2']]);
    const ql = load(path.join(ASSETS, 'list-quicklist.rdb')).dbs.get(0)!;
    expect(ql.map((e) => [e.key, valueJson(e.value)]).sort()).toEqual([['list', ['7']], ['x', '7']]);
  });

  it('empty collections are skipped, not loaded', () => {
    const { dbs, skipped } = load(path.join(ASSETS, 'corrupt_empty_keys.rdb'));
    expect(dbs.size).toBe(0);
    expect(skipped).toHaveLength(9);
  });

  it('a corrupt ziplist is rejected with the key and offset', () => {
    expect(() => load(path.join(ASSETS, 'corrupt_ziplist.rdb'))).toThrow(RdbError);
    expect(() => load(path.join(ASSETS, 'corrupt_ziplist.rdb'))).toThrow(/Ziplist integrity check failed.*key:000000000091/);
  });

  it('a flipped byte anywhere in a checksummed file is refused', () => {
    const data = fs.readFileSync(path.join(FIXTURES, '7.0.15-small.rdb'));
    for (const at of [9, 100, 5000, data.length - 20]) {
      const bad = Buffer.from(data);
      bad[at] ^= 0x20;
      expect(() => readRdb(bad, { entry: () => {} })).toThrow(RdbError);
    }
  });
});
