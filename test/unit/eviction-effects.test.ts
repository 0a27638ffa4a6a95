import { describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inProcess } from '../helpers/inprocess.js';

describe('eviction effects', () => {
  it('each evicted key fires "evicted" and propagates as its own DEL, UNLINK under lazyfree-lazy-eviction', () => {
    for (const [lazy, verb] of [
      ['no', 'DEL'],
      ['yes', 'UNLINK'],
    ]) {
      const t = inProcess([
        ['maxmemory-policy', 'allkeys-lru'],
        ['cold-tier', 'no'],
        ['lazyfree-lazy-eviction', lazy],
        // No time limit: the whole eviction happens before the command, none in the background.
        ['maxmemory-eviction-tenacity', '100'],
      ]);
      for (let i = 0; i < 20; i++) t.run('SET', `k${i}`, 'v');
      t.run('CONFIG', 'SET', 'maxmemory', '1');
      t.reset();
      expect(t.run('GET', 'k0')).toBe('$-1\r\n');
      expect(t.events.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `evicted k${i}`).sort());
      expect(t.propagated.map((argv) => argv[0])).toEqual(Array(20).fill(verb));
      expect(t.server.eviction.evictedKeys).toBe(20);
      // Nothing left to evict: a write is refused, a read is not.
      expect(t.run('SET', 'x', 'y')).toBe("-OOM command not allowed when used memory > 'maxmemory'.\r\n");
      expect(t.run('EXISTS', 'x')).toBe(':0\r\n');
    }
  });

  it('a demotion to the cold tier is not a change: no event, no propagation, no evicted_keys', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-demote-'));
    try {
      const t = inProcess([
        ['maxmemory-policy', 'allkeys-lru'],
        ['cold-tier-dir', path.join(dir, 'tier')],
        ['maxmemory-eviction-tenacity', '100'],
      ]);
      for (let i = 0; i < 20; i++) t.run('SET', `k${i}`, 'v');
      t.run('CONFIG', 'SET', 'maxmemory', '1');
      t.reset();
      expect(t.run('DBSIZE')).toBe(':20\r\n');
      expect(t.events).toEqual([]);
      expect(t.propagated).toEqual([]);
      expect(t.server.eviction.evictedKeys).toBe(0);
      expect(t.server.keyspace.cold!.stats.demotions).toBe(20);
      // Still over the limit with everything cold: writes are refused, cold keys still read.
      expect(t.run('SET', 'x', 'y')).toBe("-OOM command not allowed when used memory > 'maxmemory'.\r\n");
      expect(t.run('GET', 'k7')).toBe('$1\r\nv\r\n');
      expect(t.events).toEqual([]);
      t.server.keyspace.cold!.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SET over a cold key whose TTL has passed expires it first (DEL, then SET), as over a key in memory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cold-ttl-'));
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const t = inProcess([
        ['maxmemory-policy', 'allkeys-lru'],
        ['cold-tier-dir', path.join(dir, 'tier')],
        ['maxmemory-eviction-tenacity', '100'],
      ]);
      t.run('SET', 'gone', 'v', 'PX', '100');
      for (let i = 0; i < 20; i++) t.run('SET', `k${i}`, 'v');
      t.run('CONFIG', 'SET', 'maxmemory', '1');
      t.run('DBSIZE');
      expect(t.server.keyspace.cold!.stats.demotions).toBe(21);
      t.run('CONFIG', 'SET', 'maxmemory', '0');
      vi.setSystemTime(Date.now() + 200);
      t.reset();
      expect(t.run('SET', 'gone', 'new')).toBe('+OK\r\n');
      expect(t.propagated).toEqual([['MULTI'], ['DEL', 'gone'], ['SET', 'gone', 'new'], ['EXEC']]);
      expect(t.events).toEqual(['expired gone', 'set gone']);
      t.server.keyspace.cold!.close();
    } finally {
      vi.useRealTimers();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('used memory is the same after a collection grows and shrinks back in place', () => {
    const t = inProcess();
    const ks = t.server.keyspace;
    t.run('RPUSH', 'l', 'a');
    t.run('HSET', 'h', 'f', 'v');
    t.run('SADD', 's', 'x');
    t.run('ZADD', 'z', '1', 'm');
    const base = ks.datasetBytes();
    t.run('RPUSH', 'l', 'b'.repeat(500));
    t.run('HSET', 'h', 'g', 'w'.repeat(500));
    t.run('SADD', 's', 'y'.repeat(500));
    t.run('ZADD', 'z', '2', 'n'.repeat(500));
    expect(ks.datasetBytes()).toBeGreaterThan(base + 2000);
    t.run('RPOP', 'l');
    t.run('HDEL', 'h', 'g');
    t.run('SREM', 's', 'y'.repeat(500));
    t.run('ZREM', 'z', 'n'.repeat(500));
    // The hash became a hashtable (one way, as in Redis): its one field, one string with its value
    // there, costs a little less now.
    expect(ks.datasetBytes()).toBe(base - 20);
    t.run('RENAME', 'l', 'l2');
    t.run('MOVE', 'h', '1');
    t.run('COPY', 's', 's2');
    t.run('DEL', 's2', 'l2', 's', 'z');
    t.run('SELECT', '1');
    t.run('DEL', 'h');
    expect(ks.datasetBytes()).toBe(0);
  });
});
