/*
 * Propagation: the stream a server propagates, replayed on a fresh server, rebuilds the same
 * dataset (contents and expires), for random command sequences over every row of the command
 * table whose command is registered, with time passing and keys expiring lazily and actively.
 * Runs in process (test/helpers/inprocess.ts) on a faked Date clock.
 */

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { InProcessServer } from '../helpers/inprocess.js';
import { anyRow, rowsFor, type TimeSources } from '../helpers/command-table.js';
import { CommandEntry } from '../../src/commands/registry.js';
import type { CommandSpec } from '../../src/commands/spec.js';

const BASE = 1_700_000_000_000;

/** Short TTLs, around the faked clock, so that keys expire while a sequence runs. */
const time: TimeSources = {
  seconds: fc.integer({ min: 1, max: 3 }).map(String),
  millis: fc.integer({ min: 1, max: 3000 }).map(String),
  unixSeconds: fc.integer({ min: -2, max: 6 }).map((d) => String(Math.floor(BASE / 1000) + d)),
  unixMillis: fc.integer({ min: -2000, max: 6000 }).map((d) => String(BASE + d)),
};

/**
 * Expiry and GETDEL propagate DEL, which the keyspace family provides. Until that family is
 * registered the replica gets this stand-in (delete the stand-in when keys.ts has DEL).
 */
function replicaServer(): InProcessServer {
  const replica = new InProcessServer();
  const table = replica.server.commands;
  if (table.get('del') === undefined) {
    const del: CommandSpec = {
      name: 'del',
      arity: -2,
      flags: ['write'],
      run: (c, argv) => {
        let n = 0;
        for (const k of argv.slice(1)) if (c.server.keyspace.delete(c.db, k)) n++;
        c.reply.integer(n);
      },
    };
    table.commands.set('del', new CommandEntry(del, null));
  }
  return replica;
}

type Step = { kind: 'requests'; requests: string[][]; advanceMs: number } | { kind: 'activeExpire' };

describe('propagation', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(BASE);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  const probe = new InProcessServer();
  const rows = rowsFor((name) => probe.server.commands.get(name) !== undefined);

  it('covers at least the string commands', () => {
    expect(rows.map((r) => r.command)).toEqual(expect.arrayContaining(['set', 'get', 'incr', 'mset', 'append', 'getdel']));
  });

  it('replaying the propagated stream on a fresh server rebuilds the same dataset', () => {
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 12, arbitrary: fc.tuple(anyRow(rows, time), fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1500 }))).map(([requests, advanceMs]) => ({ kind: 'requests' as const, requests, advanceMs })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'activeExpire' as const }) },
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        vi.setSystemTime(BASE);
        const origin = new InProcessServer();
        const capture = origin.capturePropagation();
        const client = origin.connect();
        for (const s of steps) {
          if (s.kind === 'activeExpire') {
            origin.server.activeExpire.cycle(1000);
            continue;
          }
          vi.setSystemTime(Date.now() + s.advanceMs);
          for (const argv of s.requests) client.call(...argv);
        }
        // Replayed an hour later: any relative time left in the stream would land elsewhere.
        vi.setSystemTime(Date.now() + 3_600_000);
        const replica = replicaServer();
        replica.replay(capture.units);
        expect(replica.dataset()).toEqual(origin.dataset());
      }),
      { numRuns: 300 },
    );
  });

  it('a key expired lazily by a read propagates as DEL, alone', () => {
    const origin = new InProcessServer();
    const capture = origin.capturePropagation();
    const c = origin.connect();
    expect(c.call('SET', 'k', 'v', 'PX', '100')).toBe('+OK\r\n');
    vi.setSystemTime(BASE + 101);
    expect(c.call('GET', 'k')).toBe('$-1\r\n');
    expect(capture.units).toEqual([[{ db: 0, argv: ['SET', 'k', 'v', 'PXAT', String(BASE + 100)] }], [{ db: 0, argv: ['DEL', 'k'] }]]);
    const replica = replicaServer();
    replica.replay(capture.units);
    expect(replica.dataset()).toEqual([]);
  });

  it('a key expired lazily by a write propagates as DEL inside the write unit', () => {
    const origin = new InProcessServer();
    const capture = origin.capturePropagation();
    const c = origin.connect();
    c.call('SET', 'n', '41', 'EX', '1');
    vi.setSystemTime(BASE + 1001);
    expect(c.call('INCR', 'n')).toBe(':1\r\n');
    expect(capture.units[1].map((op) => op.argv)).toEqual([['MULTI'], ['DEL', 'n'], ['INCR', 'n'], ['EXEC']]);
    const replica = replicaServer();
    replica.replay(capture.units);
    expect(replica.dataset()).toEqual(origin.dataset());
    expect(origin.dataset()).toEqual([{ id: 0, entries: [['n', 'string', '1']], expires: [] }]);
  });

  it('active expiry propagates each deleted key as its own DEL', () => {
    const origin = new InProcessServer();
    const capture = origin.capturePropagation();
    const c = origin.connect();
    c.call('SET', 'a', '1', 'PX', '10');
    c.call('SET', 'b', '2', 'PX', '10');
    c.call('SET', 'c', '3');
    vi.setSystemTime(BASE + 11);
    origin.server.activeExpire.cycle(1000);
    expect(capture.units.slice(3).map((u) => u.map((op) => op.argv))).toEqual(expect.arrayContaining([[['DEL', 'a']], [['DEL', 'b']]]));
    expect(capture.units).toHaveLength(5);
    const replica = replicaServer();
    replica.replay(capture.units);
    expect(replica.dataset()).toEqual(origin.dataset());
  });
});
