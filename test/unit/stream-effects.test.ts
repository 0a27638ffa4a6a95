import { describe, expect, it } from 'vitest';
import { inProcess } from '../helpers/inprocess.js';

/** Replayed forms and keyspace events of the stream commands, seen from inside. */

describe('stream writes: propagation and keyspace events', () => {
  it('XADD propagates the id it generated, and approximate trims as exact ones', () => {
    const p = inProcess([['stream-node-max-entries', '2']]);
    const id = p.run('XADD', 's', '*', 'f', 'v').split('\r\n')[1];
    p.run('XADD', 's', `${id.split('-')[0]}-*`, 'f', 'v');
    for (let i = 1; i <= 5; i++) p.run('XADD', 's', `99999999999999-${i}`, 'f', String(i));
    p.run('XDEL', 's', '99999999999999-3');
    p.run('XADD', 's', 'MAXLEN', '~', '3', '99999999999999-6', 'f', '6');
    p.run('XDEL', 's', '99999999999999-5');
    p.run('XADD', 's', 'MINID', '~', '99999999999999-6', 'LIMIT', '10', '99999999999999-7', 'f', '7');
    p.run('XTRIM', 's', 'MAXLEN', '~', '100');
    p.run('XTRIM', 's', 'MAXLEN', '1');
    const seq = id.split('-')[0];
    expect(p.propagated).toEqual([
      ['XADD', 's', id, 'f', 'v'],
      ['XADD', 's', `${seq}-1`, 'f', 'v'],
      ...[1, 2, 3, 4, 5].map((i) => ['XADD', 's', `99999999999999-${i}`, 'f', String(i)]),
      ['XDEL', 's', '99999999999999-3'],
      // Nodes of two: the first two nodes go, 3 entries are left.
      ['XADD', 's', 'MAXLEN', '=', '3', '99999999999999-6', 'f', '6'],
      ['XDEL', 's', '99999999999999-5'],
      // The first id left counts the tombstone 99999999999999-5 that leads its node.
      ['XADD', 's', 'MINID', '=', '99999999999999-5', 'LIMIT', '10', '99999999999999-7', 'f', '7'],
      ['XTRIM', 's', 'MAXLEN', '1'],
    ]);
    expect(p.events).toEqual([...Array(7).fill('xadd s'), 'xdel s', 'xadd s', 'xtrim s', 'xdel s', 'xadd s', 'xtrim s', 'xtrim s']);
  });

  it('group commands notify their events and propagate as sent; no-ops stay silent', () => {
    const p = inProcess();
    p.run('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    p.run('XGROUP', 'CREATE', 's', 'g', '$');
    p.run('XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD', '0');
    p.run('XGROUP', 'CREATECONSUMER', 's', 'g', 'c');
    p.run('XGROUP', 'CREATECONSUMER', 's', 'g', 'c');
    p.run('XGROUP', 'DELCONSUMER', 's', 'g', 'c');
    p.run('XGROUP', 'DELCONSUMER', 's', 'g', 'c');
    p.run('XSETID', 's', '5-0');
    p.run('XGROUP', 'DESTROY', 's', 'g');
    p.run('XGROUP', 'DESTROY', 's', 'g');
    p.run('XACK', 's', 'g', '1');
    expect(p.propagated).toEqual([
      ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
      ['XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD', '0'],
      ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c'],
      ['XGROUP', 'DELCONSUMER', 's', 'g', 'c'],
      ['XSETID', 's', '5-0'],
      ['XGROUP', 'DESTROY', 's', 'g'],
    ]);
    expect(p.events).toEqual(['xgroup-create s', 'xgroup-setid s', 'xgroup-createconsumer s', 'xgroup-delconsumer s', 'xsetid s', 'xgroup-destroy s']);
  });

  it('XREADGROUP propagates XCLAIMs (one unit, MULTI/EXEC), NOACK the consumer and the group id, never the read', () => {
    const p = inProcess();
    p.run('XADD', 's', '1', 'a', '1');
    p.run('XADD', 's', '2', 'a', '2');
    p.run('XGROUP', 'CREATE', 's', 'g', '0');
    p.reset();
    p.run('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>');
    const claims = p.propagated.filter((a) => a[0] === 'XCLAIM');
    expect(claims.map((a) => [...a.slice(0, 6), a[8], a[9], ...a.slice(10)])).toEqual([
      // Each XCLAIM carries the group's last id as it is after that entry.
      ['XCLAIM', 's', 'g', 'alice', '0', '1-0', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '1-0'],
      ['XCLAIM', 's', 'g', 'alice', '0', '2-0', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '2-0'],
    ]);
    expect(p.propagated[0]).toEqual(['MULTI']);
    expect(p.events).toEqual(['xgroup-createconsumer s']);
    p.reset();
    p.run('XADD', 's', '3', 'a', '3');
    p.reset();
    p.run('XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'STREAMS', 's', '>');
    expect(p.propagated).toEqual([['MULTI'], ['XGROUP', 'CREATECONSUMER', 's', 'g', 'bob'], ['XGROUP', 'SETID', 's', 'g', '3-0', 'ENTRIESREAD', '3'], ['EXEC']]);
    p.reset();
    // History reads and reads of nothing change no state that is logged.
    p.run('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0');
    p.run('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>');
    p.run('XREAD', 'STREAMS', 's', '0');
    expect(p.propagated).toEqual([]);
  });

  it('XCLAIM and XAUTOCLAIM log what they claimed and what they dropped; LASTID alone becomes XGROUP SETID', () => {
    const p = inProcess();
    for (const id of ['1', '2', '3']) p.run('XADD', 's', id, 'a', id);
    p.run('XGROUP', 'CREATE', 's', 'g', '0');
    p.run('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>');
    p.run('XDEL', 's', '1');
    p.reset();
    p.run('XCLAIM', 's', 'g', 'bob', '0', '1', '2', 'TIME', '1000', 'RETRYCOUNT', '7');
    expect(p.propagated).toEqual([
      ['MULTI'],
      ['XCLAIM', 's', 'g', 'alice', '0', '1', 'TIME', expect.any(String), 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '3-0'],
      ['XCLAIM', 's', 'g', 'bob', '0', '2', 'TIME', '1000', 'RETRYCOUNT', '7', 'FORCE', 'JUSTID', 'LASTID', '3-0'],
      ['EXEC'],
    ]);
    expect(p.events).toEqual(['xgroup-createconsumer s']);
    p.reset();
    p.run('XCLAIM', 's', 'g', 'bob', '0', '9', 'LASTID', '10');
    expect(p.propagated).toEqual([['XGROUP', 'SETID', 's', 'g', '10-0', 'ENTRIESREAD', '3']]);
    p.reset();
    p.run('XDEL', 's', '3');
    p.run('XAUTOCLAIM', 's', 'g', 'carol', '0', '0');
    expect(p.propagated.map((a) => a.slice(0, 6))).toEqual([
      ['XDEL', 's', '3'],
      ['MULTI'],
      ['XCLAIM', 's', 'g', 'carol', '0', '2-0'],
      ['XCLAIM', 's', 'g', 'alice', '0', '3-0'],
      ['EXEC'],
    ]);
  });

  it('XADD, XDEL and XTRIM touch WATCHed keys; group commands do not (as in Redis 7.0)', () => {
    const p = inProcess();
    p.run('XADD', 's', '1', 'a', '1');
    p.run('XGROUP', 'CREATE', 's', 'g', '0');
    const watchThen = (...argv: string[]): string => {
      p.run('WATCH', 's');
      p.run(...argv);
      p.run('MULTI');
      p.run('PING');
      return p.run('EXEC');
    };
    expect(watchThen('XGROUP', 'SETID', 's', 'g', '0')).toBe('*1\r\n+PONG\r\n');
    expect(watchThen('XSETID', 's', '5')).toBe('*1\r\n+PONG\r\n');
    expect(watchThen('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>')).toBe('*1\r\n+PONG\r\n');
    expect(watchThen('XADD', 's', '6', 'a', '1')).toBe('*-1\r\n');
    expect(watchThen('XDEL', 's', '6')).toBe('*-1\r\n');
  });
});
