import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { readRdb, RdbError } from '../../storage/rdb/reader.js';
import type { RdbEntry, RdbValue, StreamId } from '../../storage/rdb/model.js';
import { ROOT } from '../helpers/server.js';

const FIXTURES = path.resolve(ROOT, '../shared/rdb-fixtures');
const ASSETS = path.join(FIXTURES, 'redis-tests-assets');

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The fixture JSON's byte-string form: UTF-8 text when valid, else base64. */
function bytesJson(s: string): unknown {
  const b = Buffer.from(s, 'latin1');
  try {
    return utf8.decode(b);
  } catch {
    return { b64: b.toString('base64') };
  }
}

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'));
const id = (i: StreamId): string => `${i[0]}-${i[1]}`;
const scoreText = (v: number): string => (v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v));

function valueJson(v: RdbValue): unknown {
  switch (v.type) {
    case 'string':
      return bytesJson(v.value);
    case 'list':
      return v.items.map(bytesJson);
    case 'set':
      return [...v.members].sort(byBytes).map(bytesJson);
    case 'zset':
      return [...v.entries]
        .sort((a, b) => a[1] - b[1] || byBytes(a[0], b[0]))
        .map(([m, s]) => [bytesJson(m), scoreText(s)]);
    case 'hash':
      return [...v.entries].sort((a, b) => byBytes(a[0], b[0])).map(([f, x]) => [bytesJson(f), bytesJson(x)]);
    case 'stream':
      return {
        length: v.length,
        last_id: id(v.lastId),
        entries_added: v.entriesAdded,
        max_deleted_id: id(v.maxDeletedId),
        first_id: id(v.firstId),
        entries: v.entries.map((e) => [id(e.id), e.fields.map(bytesJson)]),
        groups: v.groups
          .map((g) => ({
            name: bytesJson(g.name),
            last_delivered_id: id(g.lastId),
            entries_read: g.entriesRead < 0 ? null : g.entriesRead,
            pending: g.pending.length,
            consumers: g.consumers.map((c) => [bytesJson(c.name), c.pending.length]).sort((a, b) => byBytes(String(a[0]), String(b[0]))),
            pel: g.pending.map((p) => [id(p.id), bytesJson(g.consumers.find((c) => c.pending.some((x) => id(x) === id(p.id)))!.name), p.deliveryCount]),
          }))
          .sort((a, b) => byBytes(String(a.name), String(b.name))),
      };
  }
}

function minute(ms: number): string {
  return new Date(Math.round(ms / 60000) * 60000).toISOString().replace(/:00\.000Z$/, 'Z');
}

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
    it(`reads 7.0.15-${variant}.rdb exactly as its JSON dump describes`, () => {
      const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, `7.0.15-${variant}.json`), 'utf8'));
      const { dbs, functions } = load(path.join(FIXTURES, `7.0.15-${variant}.rdb`));
      expect([...functions].sort()).toEqual(expected.functions.map((f: { code: string }) => f.code).sort());
      const actual = [...dbs.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([db, entries]) => ({
          db,
          size: entries.length,
          keys: [...entries]
            .sort((a, b) => byBytes(a.key, b.key))
            .map((e) => ({ key: bytesJson(e.key), type: e.value.type, ...(e.expire >= 0 ? { expire: minute(e.expire) } : {}), value: valueJson(e.value) })),
        }));
      // The dump's lag is computed by the server from the whole stream; not part of the file.
      const withoutLag = JSON.parse(JSON.stringify(expected.dbs), (k, v) => (k === 'lag' ? undefined : v));
      expect(actual).toEqual(withoutLag);
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
