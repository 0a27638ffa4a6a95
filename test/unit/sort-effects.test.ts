/*
 * SORT ... STORE's effects, in-process: what is propagated (SORT as sent, only when the
 * destination changed) and the keyspace events (sortstore, or del for an empty result).
 */
import { describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/inprocess.js';

describe('SORT STORE effects', () => {
  it('stores a list with a sortstore event and is replayed as sent', () => {
    const p = inProcess();
    p.run('RPUSH', 'l', '3', '1', '2');
    p.reset();
    expect(p.run('SORT', 'l', 'DESC', 'STORE', 'dst')).toBe(':3\r\n');
    expect(p.events).toEqual(['sortstore dst']);
    expect(p.propagated).toEqual([['SORT', 'l', 'DESC', 'STORE', 'dst']]);
    expect(p.run('LRANGE', 'dst', '0', '-1')).toBe('*3\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n');
  });

  it('an empty result deletes the destination with a del event; nothing to delete propagates nothing', () => {
    const p = inProcess();
    p.run('SET', 'dst', 'x');
    p.reset();
    expect(p.run('SORT', 'missing', 'STORE', 'dst')).toBe(':0\r\n');
    expect(p.events).toEqual(['del dst']);
    expect(p.propagated).toEqual([['SORT', 'missing', 'STORE', 'dst']]);
    p.reset();
    expect(p.run('SORT', 'missing', 'STORE', 'dst')).toBe(':0\r\n');
    expect(p.events).toEqual([]);
    expect(p.propagated).toEqual([]);
  });

  it('a conversion error stores nothing', () => {
    const p = inProcess();
    p.run('RPUSH', 'l', 'a', '1');
    p.reset();
    expect(p.run('SORT', 'l', 'STORE', 'dst')).toBe("-ERR One or more scores can't be converted into double\r\n");
    expect(p.run('EXISTS', 'dst')).toBe(':0\r\n');
    expect(p.propagated).toEqual([]);
  });

  it('BZPOPMIN answered at once notifies zpopmin (and del) and replays as ZPOPMIN key', () => {
    const p = inProcess();
    p.run('ZADD', 'z', '1', 'a');
    p.reset();
    expect(p.run('BZPOPMIN', 'none', 'z', '0')).toBe('*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n');
    expect(p.events).toEqual(['zpopmin z', 'del z']);
    expect(p.propagated).toEqual([['ZPOPMIN', 'z']]);
  });
});
