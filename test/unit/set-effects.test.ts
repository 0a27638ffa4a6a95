import { describe, expect, it } from 'vitest';
import { inProcess, type InProcess } from '../helpers/inprocess.js';
import type { SetObject } from '../../src/types/set.js';

/** Replayed forms, keyspace events and encodings of the set commands, seen from inside. */

function setAt(p: InProcess, key: string): SetObject | undefined {
  return p.server.keyspace.dbs[0].dict.get(key) as SetObject | undefined;
}

describe('set writes: propagation and keyspace events', () => {
  it('SADD and SREM propagate only when they change something; the emptied key is deleted', () => {
    const p = inProcess();
    p.run('SADD', 's', 'a', 'b');
    p.run('SADD', 's', 'a');
    p.run('SREM', 's', 'x');
    p.run('SREM', 's', 'a', 'b', 'c');
    expect(p.propagated).toEqual([
      ['SADD', 's', 'a', 'b'],
      ['SREM', 's', 'a', 'b', 'c'],
    ]);
    expect(p.events).toEqual(['sadd s', 'srem s', 'del s']);
    expect(setAt(p, 's')).toBeUndefined();
  });

  it('SPOP is replayed as SREM of the popped member', () => {
    const p = inProcess();
    p.run('SADD', 's', 'only');
    p.reset();
    expect(p.run('SPOP', 's')).toBe('$4\r\nonly\r\n');
    expect(p.propagated).toEqual([['SREM', 's', 'only']]);
    expect(p.events).toEqual(['spop s', 'del s']);
  });

  it('SPOP with a count is replayed as SREMs in MULTI/EXEC, or DEL when it takes the whole set', () => {
    const p = inProcess();
    const members = Array.from({ length: 10 }, (_, i) => `m${i}`);
    for (const count of [2, 9]) {
      p.run('SADD', 's', ...members);
      p.reset();
      const reply = p.run('SPOP', 's', String(count));
      const popped = reply.split('\r\n').filter((l) => l.startsWith('m'));
      expect(popped.length).toBe(count);
      expect(p.propagated).toEqual([['MULTI'], ...popped.map((m) => ['SREM', 's', m]), ['EXEC']]);
      expect(p.events).toEqual(['spop s']);
      expect(setAt(p, 's')!.size).toBe(10 - count);
      for (const m of popped) expect(setAt(p, 's')!.has(m)).toBe(false);
    }
    p.reset();
    p.run('SPOP', 's', '100');
    expect(p.propagated).toEqual([['DEL', 's']]);
    expect(p.events).toEqual(['spop s', 'del s']);
  });

  it('SPOP that keeps few members leaves a set of the encoding a fresh one would have', () => {
    const p = inProcess();
    p.run('SADD', 's', 'a', 'b', 'c', 'd', 'e', '1');
    // Whatever stays is rebuilt as a new set; an integer survivor gives an intset.
    p.run('SPOP', 's', '5');
    const left = setAt(p, 's')!;
    expect(left.size).toBe(1);
    expect(left.encoding()).toBe(left.memberAt(0) === '1' ? 'intset' : 'hashtable');
  });

  it('SMOVE: srem on the source, sadd on the destination, del when the source empties', () => {
    const p = inProcess();
    p.run('SADD', 'src', 'm');
    p.run('SADD', 'dst', 'm');
    p.reset();
    expect(p.run('SMOVE', 'src', 'dst', 'm')).toBe(':1\r\n');
    expect(p.events).toEqual(['srem src', 'del src']);
    expect(p.propagated).toEqual([['SMOVE', 'src', 'dst', 'm']]);
    p.run('SADD', 'src', 'n');
    p.reset();
    p.run('SMOVE', 'src', 'new', 'n');
    expect(p.events).toEqual(['srem src', 'del src', 'sadd new']);
  });

  it('*STORE: their own events, del when the result is empty, nothing when nothing changed', () => {
    const p = inProcess();
    p.run('SADD', 'a', '1', '2');
    p.run('SADD', 'b', '2', '3');
    p.reset();
    p.run('SINTERSTORE', 'd', 'a', 'b');
    p.run('SUNIONSTORE', 'd', 'a', 'b');
    p.run('SDIFFSTORE', 'd', 'a', 'b');
    p.run('SINTERSTORE', 'd', 'a', 'missing');
    p.run('SINTERSTORE', 'd', 'a', 'missing');
    p.run('SDIFFSTORE', 'd', 'a', 'a');
    expect(p.events).toEqual(['sinterstore d', 'sunionstore d', 'sdiffstore d', 'del d']);
    expect(p.propagated).toEqual([
      ['SINTERSTORE', 'd', 'a', 'b'],
      ['SUNIONSTORE', 'd', 'a', 'b'],
      ['SDIFFSTORE', 'd', 'a', 'b'],
      ['SINTERSTORE', 'd', 'a', 'missing'],
    ]);
  });

  it('a *STORE replaces any value at the destination and drops its TTL', () => {
    const p = inProcess();
    p.run('SET', 'd', 'x', 'EX', '100');
    p.run('SADD', 'a', 'm');
    p.run('SUNIONSTORE', 'd', 'a');
    const ks = p.server.keyspace;
    expect(ks.getExpire(ks.dbs[0], 'd')).toBe(-1);
    expect(p.run('SMEMBERS', 'd')).toBe('*1\r\n$1\r\nm\r\n');
  });
});

describe('set encodings', () => {
  it('intset while members are integers within set-max-intset-entries, then hashtable for good', () => {
    const p = inProcess([['set-max-intset-entries', '3']]);
    p.run('SADD', 's', '1', '2', '3');
    expect(setAt(p, 's')!.encoding()).toBe('intset');
    p.run('SADD', 's', '4');
    expect(setAt(p, 's')!.encoding()).toBe('hashtable');
    p.run('SREM', 's', '1', '2', '3');
    expect(setAt(p, 's')!.encoding()).toBe('hashtable');
    p.run('SADD', 't', '1');
    p.run('SADD', 't', 'x');
    expect(setAt(p, 't')!.encoding()).toBe('hashtable');
    p.run('SADD', 'u', 'x', '1');
    expect(setAt(p, 'u')!.encoding()).toBe('hashtable');
    p.run('SADD', 'v', '9223372036854775807', '-9223372036854775808');
    expect(setAt(p, 'v')!.encoding()).toBe('intset');
    p.run('SADD', 'w', '9223372036854775808');
    expect(setAt(p, 'w')!.encoding()).toBe('hashtable');
  });

  it('STORE results start as intsets like Redis', () => {
    const p = inProcess();
    p.run('SADD', 'a', 'x', '1', '2');
    p.run('SADD', 'b', 'y', '1', '2');
    p.run('SINTERSTORE', 'd', 'a', 'b');
    expect(setAt(p, 'd')!.encoding()).toBe('intset');
    p.run('SUNIONSTORE', 'd', 'a', 'b');
    expect(setAt(p, 'd')!.encoding()).toBe('hashtable');
  });
});
