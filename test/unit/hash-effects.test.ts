import { describe, expect, it } from 'vitest';
import { inProcess, type InProcess } from '../helpers/inprocess.js';
import type { HashObject } from '../../src/types/hash.js';

/** Replayed forms, keyspace events and encodings of the hash commands, seen from inside. */

function hashAt(p: InProcess, key: string): HashObject | undefined {
  return p.server.keyspace.dbs[0].dict.get(key) as HashObject | undefined;
}

/** Waits (without sleeping blindly) until the wall clock is past `when` ms. */
async function until(when: number): Promise<void> {
  while (Date.now() <= when) await new Promise((r) => setTimeout(r, Math.max(1, when + 1 - Date.now())));
}

describe('hash writes: propagation and keyspace events', () => {
  it('HSET, HSETNX, HDEL, HINCRBY propagate as sent, with Redis 7.0 event names', () => {
    const p = inProcess();
    p.run('HSET', 'h', 'a', '1', 'b', '2');
    p.run('HSETNX', 'h', 'a', 'x');
    p.run('HSETNX', 'h', 'c', '3');
    p.run('HINCRBY', 'h', 'a', '5');
    p.run('HDEL', 'h', 'nope');
    p.run('HDEL', 'h', 'a', 'b');
    p.run('HDEL', 'h', 'c');
    expect(p.propagated).toEqual([
      ['HSET', 'h', 'a', '1', 'b', '2'],
      ['HSETNX', 'h', 'c', '3'],
      ['HINCRBY', 'h', 'a', '5'],
      ['HDEL', 'h', 'a', 'b'],
      ['HDEL', 'h', 'c'],
    ]);
    expect(p.events).toEqual(['hset h', 'hset h', 'hincrby h', 'hdel h', 'hdel h', 'del h']);
    expect(hashAt(p, 'h')).toBeUndefined();
  });

  it('HINCRBYFLOAT is replayed as HSET with the result', () => {
    const p = inProcess();
    expect(p.run('HINCRBYFLOAT', 'h', 'f', '10.5')).toBe('$4\r\n10.5\r\n');
    expect(p.run('HINCRBYFLOAT', 'h', 'f', '0.1')).toBe('$4\r\n10.6\r\n');
    expect(p.propagated).toEqual([
      ['HSET', 'h', 'f', '10.5'],
      ['HSET', 'h', 'f', '10.6'],
    ]);
    expect(p.events).toEqual(['hincrbyfloat h', 'hincrbyfloat h']);
  });

  it('failed or no-op writes propagate nothing and publish nothing', () => {
    const p = inProcess();
    p.run('SET', 's', 'x');
    p.reset();
    p.run('HSET', 's', 'a', 'b');
    p.run('HDEL', 'missing', 'a');
    p.run('HINCRBY', 'h', 'a', 'x');
    p.run('HPERSIST', 'missing', 'FIELDS', '1', 'a');
    expect(p.propagated).toEqual([]);
    expect(p.events).toEqual([]);
  });
});

describe('hash encodings', () => {
  it('listpack until hash-max-listpack-entries / -value are passed, then hashtable for good', () => {
    const p = inProcess([
      ['hash-max-listpack-entries', '4'],
      ['hash-max-ziplist-value', '8'],
    ]);
    p.run('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    expect(hashAt(p, 'h')!.encoding()).toBe('listpack');
    p.run('HSET', 'h', 'e', '5');
    expect(hashAt(p, 'h')!.encoding()).toBe('hashtable');
    p.run('HDEL', 'h', 'a', 'b', 'c', 'd');
    expect(hashAt(p, 'h')!.encoding()).toBe('hashtable');
    p.run('HSET', 'v', 'f', '12345678');
    expect(hashAt(p, 'v')!.encoding()).toBe('listpack');
    p.run('HSET', 'v', 'f', '123456789');
    expect(hashAt(p, 'v')!.encoding()).toBe('hashtable');
    p.run('HINCRBYFLOAT', 'w', 'f', '1.000000001');
    expect(hashAt(p, 'w')!.encoding()).toBe('hashtable');
    expect(p.run('HGET', 'w', 'f')).toBe('$11\r\n1.000000001\r\n');
  });

  it('the limits follow CONFIG changes', () => {
    const p = inProcess();
    p.run('HSET', 'h', 'a', '1');
    p.server.config.set('hash-max-listpack-entries', ['1']);
    p.run('HSET', 'h', 'b', '2');
    expect(hashAt(p, 'h')!.encoding()).toBe('hashtable');
  });

  it('a hash that had a field TTL is listpackex while small, hashtable when large (7.4)', () => {
    const p = inProcess([['hash-max-listpack-entries', '2']]);
    p.run('HSET', 'h', 'a', '1');
    p.run('HEXPIRE', 'h', '100', 'FIELDS', '1', 'nope');
    expect(hashAt(p, 'h')!.encoding()).toBe('listpackex');
    p.run('HSET', 'h', 'b', '2', 'c', '3');
    expect(hashAt(p, 'h')!.encoding()).toBe('hashtable');
  });
});

describe('field expiration (Redis 7.4)', () => {
  it('H*EXPIRE* replay as HPEXPIREAT with the absolute time and only the fields that were set', () => {
    const p = inProcess();
    p.run('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    p.reset();
    const before = Date.now();
    expect(p.run('HEXPIRE', 'h', '100', 'FIELDS', '3', 'a', 'nope', 'b')).toBe('*3\r\n:1\r\n:-2\r\n:1\r\n');
    const [replayed] = p.propagated;
    expect(replayed.slice(0, 2)).toEqual(['HPEXPIREAT', 'h']);
    const when = Number(replayed[2]);
    expect(when).toBeGreaterThanOrEqual(before + 100000);
    expect(when).toBeLessThanOrEqual(Date.now() + 100000);
    expect(replayed.slice(3)).toEqual(['FIELDS', '2', 'a', 'b']);
    p.reset();
    expect(p.run('HPEXPIRE', 'h', '5000', 'GT', 'FIELDS', '2', 'a', 'c')).toBe('*2\r\n:0\r\n:0\r\n');
    expect(p.propagated).toEqual([]);
    expect(p.run('HPEXPIREAT', 'h', '70000000000000', 'xx', 'FIELDS', '2', 'a', 'c')).toBe('*2\r\n:1\r\n:0\r\n');
    expect(p.propagated).toEqual([['HPEXPIREAT', 'h', '70000000000000', 'xx', 'FIELDS', '1', 'a']]);
    expect(p.events).toEqual(['hexpire h']);
  });

  it('a time in the past deletes the field (reply 2), replayed as HDEL, and the key with its last field', () => {
    const p = inProcess();
    p.run('HSET', 'h', 'a', '1', 'b', '2');
    p.reset();
    expect(p.run('HEXPIREAT', 'h', '1', 'FIELDS', '1', 'a')).toBe('*1\r\n:2\r\n');
    expect(p.propagated).toEqual([['HDEL', 'h', 'a']]);
    expect(p.events).toEqual(['hdel h']);
    p.reset();
    expect(p.run('HPEXPIRE', 'h', '0', 'FIELDS', '2', 'b', 'b')).toBe('*2\r\n:2\r\n:-2\r\n');
    expect(p.propagated).toEqual([['HDEL', 'h', 'b']]);
    expect(p.events).toEqual(['hdel h', 'del h']);
    expect(hashAt(p, 'h')).toBeUndefined();
  });

  it('expired fields are invisible to every hash command and removed with HDEL and "hexpired"', async () => {
    const p = inProcess();
    p.run('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    const when = Date.now() + 20;
    p.run('HPEXPIREAT', 'h', String(when), 'FIELDS', '2', 'a', 'b');
    p.reset();
    await until(when);
    expect(p.run('HLEN', 'h')).toBe(':1\r\n');
    expect(p.propagated).toEqual([
      ['MULTI'],
      ['HDEL', 'h', 'a'],
      ['HDEL', 'h', 'b'],
      ['EXEC'],
    ]);
    expect(p.events).toEqual(['hexpired h']);
    expect(p.run('HGETALL', 'h')).toBe('*2\r\n$1\r\nc\r\n$1\r\n3\r\n');
    expect(p.run('HGET', 'h', 'a')).toBe('$-1\r\n');
    expect(p.run('HTTL', 'h', 'FIELDS', '1', 'a')).toBe('*1\r\n:-2\r\n');
  });

  it('the key goes when its last field expires, for reads and writes alike', async () => {
    const p = inProcess();
    p.run('HSET', 'h', 'a', '1');
    const when = Date.now() + 10;
    p.run('HPEXPIREAT', 'h', String(when), 'FIELDS', '1', 'a');
    p.reset();
    await until(when);
    expect(p.run('HINCRBY', 'h', 'a', '1')).toBe(':1\r\n');
    expect(p.events).toEqual(['hexpired h', 'del h', 'hincrby h']);
    expect(p.propagated).toEqual([
      ['MULTI'],
      ['HDEL', 'h', 'a'],
      ['HINCRBY', 'h', 'a', '1'],
      ['EXEC'],
    ]);
    expect(p.run('HTTL', 'h', 'FIELDS', '1', 'a')).toBe('*1\r\n:-1\r\n');
  });

  it('HINCRBY keeps a field TTL, HSET drops it, HPERSIST removes it', () => {
    const p = inProcess();
    p.run('HSET', 'h', 'a', '1', 'b', '2');
    p.run('HEXPIRE', 'h', '1000', 'FIELDS', '2', 'a', 'b');
    p.run('HINCRBY', 'h', 'a', '1');
    p.run('HSET', 'h', 'b', '3');
    expect(p.run('HTTL', 'h', 'FIELDS', '2', 'a', 'b')).toBe('*2\r\n:1000\r\n:-1\r\n');
    p.reset();
    expect(p.run('HPERSIST', 'h', 'FIELDS', '3', 'a', 'b', 'c')).toBe('*3\r\n:1\r\n:-1\r\n:-2\r\n');
    expect(p.propagated).toEqual([['HPERSIST', 'h', 'FIELDS', '3', 'a', 'b', 'c']]);
    expect(p.events).toEqual(['hpersist h']);
    expect(p.run('HTTL', 'h', 'FIELDS', '1', 'a')).toBe('*1\r\n:-1\r\n');
  });

  it('active expiry removes due fields without any command, and the key with the last one', async () => {
    const p = inProcess([['hash-max-listpack-entries', '2']]);
    p.run('HSET', 'small', 'a', '1', 'b', '2');
    p.run('HSET', 'large', 'a', '1', 'b', '2', 'c', '3');
    const when = Date.now() + 15;
    p.run('HPEXPIREAT', 'small', String(when), 'FIELDS', '2', 'a', 'b');
    p.run('HPEXPIREAT', 'large', String(when), 'FIELDS', '1', 'b');
    p.run('HPEXPIREAT', 'large', String(when + 100000), 'FIELDS', '1', 'c');
    p.reset();
    await until(when);
    p.server.activeExpire.cycle(50);
    expect(hashAt(p, 'small')).toBeUndefined();
    expect(hashAt(p, 'large')!.size).toBe(2);
    expect(p.events.sort()).toEqual(['del small', 'hexpired large', 'hexpired small']);
    const hdels = p.propagated.filter((a) => a[0] === 'HDEL').map((a) => a.join(' '));
    expect(hdels.sort()).toEqual(['HDEL large b', 'HDEL small a', 'HDEL small b']);
  });

  it('arguments and errors as 7.4', () => {
    const p = inProcess();
    p.run('HSET', 'h', 'a', '1');
    p.run('SET', 's', 'x');
    const cases: Array<[string[], string]> = [
      [['HEXPIRE', 'h', 'x', 'FIELDS', '1', 'a'], '-ERR value is not an integer or out of range\r\n'],
      [['HEXPIRE', 'h', '-1', 'FIELDS', '1', 'a'], '-ERR invalid expire time, must be >= 0\r\n'],
      [['HEXPIRE', 'h', '70368744178', 'FIELDS', '1', 'a'], "-ERR invalid expire time in 'hexpire' command\r\n"],
      [['HPEXPIREAT', 'h', '70368744177664', 'FIELDS', '1', 'a'], "-ERR invalid expire time in 'hpexpireat' command\r\n"],
      [['HEXPIRE', 'h', '10', 'FOO', '1', 'a'], '-ERR Mandatory argument FIELDS is missing or not at the right position\r\n'],
      [['HEXPIRE', 'h', '10', 'NX', 'XX', 'FIELDS', '1', 'a'], '-ERR Mandatory argument FIELDS is missing or not at the right position\r\n'],
      [['HEXPIRE', 'h', '10', 'FIELDS', '0', 'a'], '-ERR Parameter `numFields` should be greater than 0\r\n'],
      [['HEXPIRE', 'h', '10', 'FIELDS', 'x', 'a'], '-ERR Parameter `numFields` should be greater than 0\r\n'],
      [['HEXPIRE', 'h', '10', 'FIELDS', '2', 'a'], '-ERR The `numfields` parameter must match the number of arguments\r\n'],
      [['HEXPIRE', 'h', '10', 'FIELDS', '1'], "-ERR wrong number of arguments for 'hexpire' command\r\n"],
      [['HEXPIRE', 's', '10', 'FIELDS', '1', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      [['HEXPIRE', 'missing', '10', 'FIELDS', '2', 'a', 'b'], '*2\r\n:-2\r\n:-2\r\n'],
      [['HTTL', 'h', 'FIELDS', '0', 'a'], '-ERR Number of fields must be a positive integer\r\n'],
      [['HTTL', 'h', 'FIELD', '1', 'a'], '-ERR Mandatory argument FIELDS is missing or not at the right position\r\n'],
      [['HTTL', 'missing', 'FIELDS', '1', 'a'], '*1\r\n:-2\r\n'],
      [['HTTL', 'h', 'FIELDS', '2', 'a', 'b'], '*2\r\n:-1\r\n:-2\r\n'],
      [['HPERSIST', 'h', 'FIELDS', '2', 'a', 'b'], '*2\r\n:-1\r\n:-2\r\n'],
      [['HPERSIST', 'h', 'FIELDS', '-1', 'a'], '-ERR Number of fields must be a positive integer\r\n'],
      [['HPEXPIRETIME', 's', 'FIELDS', '1', 'a'], '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
    ];
    for (const [argv, reply] of cases) expect(p.run(...argv), argv.join(' ')).toBe(reply);
    // Refused commands leave the hash as it was (not even listpackex).
    expect(hashAt(p, 'h')!.encoding()).toBe('listpack');
  });

  it('NX XX GT LT, and HTTL HPTTL HEXPIRETIME HPEXPIRETIME', () => {
    const p = inProcess();
    p.run('HSET', 'h', 'a', '1', 'b', '2');
    expect(p.run('HEXPIRE', 'h', '100', 'XX', 'FIELDS', '1', 'a')).toBe('*1\r\n:0\r\n');
    expect(p.run('HEXPIRE', 'h', '100', 'GT', 'FIELDS', '1', 'a')).toBe('*1\r\n:0\r\n');
    expect(p.run('HEXPIRE', 'h', '100', 'LT', 'FIELDS', '1', 'a')).toBe('*1\r\n:1\r\n');
    expect(p.run('HEXPIRE', 'h', '200', 'NX', 'FIELDS', '2', 'a', 'b')).toBe('*2\r\n:0\r\n:1\r\n');
    expect(p.run('HEXPIRE', 'h', '150', 'GT', 'FIELDS', '2', 'a', 'b')).toBe('*2\r\n:1\r\n:0\r\n');
    expect(p.run('HEXPIRE', 'h', '120', 'LT', 'FIELDS', '2', 'a', 'b')).toBe('*2\r\n:1\r\n:1\r\n');
    expect(p.run('HTTL', 'h', 'FIELDS', '2', 'a', 'b')).toBe('*2\r\n:120\r\n:120\r\n');
    const at = 4102444800;
    p.run('HEXPIREAT', 'h', String(at), 'FIELDS', '1', 'a');
    expect(p.run('HEXPIRETIME', 'h', 'FIELDS', '1', 'a')).toBe(`*1\r\n:${at}\r\n`);
    expect(p.run('HPEXPIRETIME', 'h', 'FIELDS', '1', 'a')).toBe(`*1\r\n:${at * 1000}\r\n`);
    const pttl = Number(/:(\d+)/.exec(p.run('HPTTL', 'h', 'FIELDS', '1', 'b'))![1]);
    expect(pttl).toBeGreaterThan(119000);
    expect(pttl).toBeLessThanOrEqual(120000);
  });
});
