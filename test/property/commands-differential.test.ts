/*
 * Random command sequences over the command table, run against strata and redis-server 7.0.15
 * side by side: every reply must be byte for byte the same (TTLs compared in coarse buckets).
 * Rows join automatically when strata registers their command.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DifferentialPair, formatMismatch, type Normalizer } from '../helpers/differential.js';
import { COMMAND_ROWS, KEYS, requestSequence, rowsFor, type TimeSources } from '../helpers/command-table.js';
import { CommandTable } from '../../src/commands/registry.js';

const startSeconds = Math.floor(Date.now() / 1000);

/**
 * TTLs far from any bucket edge: k·1000 + 500 seconds (k·10^6 + 5·10^5 ms), so both servers land
 * in the same TTL bucket while the test runs; absolute times also in the past (negative k).
 */
const time: TimeSources = {
  seconds: fc.integer({ min: 1, max: 9 }).map((k) => String(k * 1000 + 500)),
  millis: fc.integer({ min: 1, max: 9 }).map((k) => String(k * 1_000_000 + 500_000)),
  unixSeconds: fc.integer({ min: -3, max: 9 }).map((k) => String(startSeconds + k * 1000 + 500)),
  unixMillis: fc.integer({ min: -3, max: 9 }).map((k) => String((startSeconds + k * 1000) * 1000 + 500_000)),
};

const strataCommands = new CommandTable();
const rows = rowsFor((name) => strataCommands.get(name) !== undefined, COMMAND_ROWS.filter((r) => r.notDifferential === undefined));
const normalizers = new Map(rows.filter((r) => r.normalize).map((r) => [r.command, r.normalize!]));
const normalize: Normalizer = (reply, argv) => normalizers.get(argv[0].toLowerCase())?.(reply) ?? reply;

const pool = new Set(KEYS);
/** Without FLUSHALL, each sequence gets keys of its own: pool keys are renamed `<n>:key` on both servers alike. */
function isolate(requests: string[][], n: number): string[][] {
  return requests.map((argv) => argv.map((a, i) => (i > 0 && pool.has(a) ? `${n}:${a}` : a)));
}

describe('commands compared with redis-server', () => {
  let pair: DifferentialPair;

  beforeAll(async () => {
    pair = await DifferentialPair.start();
  });

  afterAll(async () => {
    await pair.stop();
  });

  it('covers the string commands', () => {
    expect(rows.map((r) => r.command)).toEqual(expect.arrayContaining(['get', 'set', 'setnx', 'mset', 'mget', 'incr', 'incrby', 'decrby', 'append', 'strlen', 'getdel', 'getset']));
  });

  it('random sequences get the same replies byte for byte', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(requestSequence(rows, time, 25), async (requests) => {
        run++;
        const flushed = await pair.flushAll();
        const mismatch = await pair.compare(flushed ? requests : isolate(requests, run), { normalize });
        if (mismatch !== null) throw new Error(formatMismatch(mismatch));
      }),
      { numRuns: 300 },
    );
  });
});
