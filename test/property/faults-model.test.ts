/*
 * The durability model test of issue 8: random command sequences (every type, MULTI/EXEC,
 * far-future PEXPIREAT, BGREWRITEAOF) run against an in-process server with appendfsync always on
 * a FaultyIo; at a random point a random fault hits (power cut at a random byte, a torn write, a
 * failing fsync, a kill or power cut before a random file-system call, which also lands inside
 * rewrites); the disk may recover and more commands run; the machine then loses power (or is
 * killed). A fresh server on the directory must load the state after some prefix of the issued
 * steps that contains every acknowledged one (see test/helpers/durable.ts).
 */

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import { DurableServer, digestOf, recoveredPrefix, restart, tempDataDir } from '../helpers/durable.js';
import { FaultyIo, type FaultPlan } from '../../recovery/faults.js';

const FAR = 4_102_444_800_000; // 2100-01-01: no key expires during a run

const bytes = fc.constantFrom('v', '', '0', '12', '\r\n', '\x00\xff', 'a b', '-1');
const str = (p: string) => fc.constantFrom(`${p}1`, `${p}2`, `${p}3`);
const anyKey = fc.oneof(str('s'), str('l'), str('h'), str('t'), str('z'));

const command: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(str('s'), bytes).map(([k, v]) => ['SET', k, v]),
  fc.tuple(str('s'), bytes).map(([k, v]) => ['APPEND', k, v]),
  str('s').map((k) => ['INCR', k]),
  fc.tuple(str('l'), bytes, bytes).map(([k, a, b]) => ['RPUSH', k, a, b]),
  str('l').map((k) => ['LPOP', k]),
  fc.tuple(str('h'), bytes, bytes).map(([k, f, v]) => ['HSET', k, f, v]),
  fc.tuple(str('h'), bytes).map(([k, f]) => ['HDEL', k, f]),
  fc.tuple(str('t'), bytes).map(([k, m]) => ['SADD', k, m]),
  fc.tuple(str('t'), bytes).map(([k, m]) => ['SREM', k, m]),
  fc.tuple(str('z'), fc.integer({ min: -5, max: 5 }), bytes).map(([k, s, m]) => ['ZADD', k, String(s), m]),
  fc.tuple(str('z'), bytes).map(([k, m]) => ['ZREM', k, m]),
  fc.tuple(anyKey, fc.nat(1000)).map(([k, t]) => ['PEXPIREAT', k, String(FAR + t)]),
  anyKey.map((k) => ['PERSIST', k]),
  anyKey.map((k) => ['DEL', k]),
  anyKey.map((k) => ['GET', k]),
);

type Step = { kind: 'cmd'; db: number; requests: string[][] } | { kind: 'rewrite' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(0, 0, 1), command).map(([db, c]): Step => ({ kind: 'cmd', db, requests: [c] })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(0, 1), fc.array(command, { minLength: 1, maxLength: 4 }))
      .map(([db, cs]): Step => ({ kind: 'cmd', db, requests: [['MULTI'], ...cs, ['EXEC']] })),
  },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'rewrite' }) },
);

type Fault =
  | { kind: 'powerAtByte'; byte: number }
  | { kind: 'tornWrite'; nth: number; tearAt: number; times: number; error: 'EIO' | 'ENOSPC' }
  | { kind: 'failingFsync'; nth: number; times: number }
  | { kind: 'beforeCall'; nth: number; kill: boolean };

const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.nat(3000).map((byte): Fault => ({ kind: 'powerAtByte', byte })),
  fc
    .record({ nth: fc.integer({ min: 1, max: 25 }), tearAt: fc.nat(60), times: fc.integer({ min: 1, max: 4 }), error: fc.constantFrom('EIO' as const, 'ENOSPC' as const) })
    .map((f): Fault => ({ kind: 'tornWrite', ...f })),
  fc.record({ nth: fc.integer({ min: 1, max: 25 }), times: fc.integer({ min: 1, max: 4 }) }).map((f): Fault => ({ kind: 'failingFsync', ...f })),
  fc.record({ nth: fc.integer({ min: 1, max: 120 }), kill: fc.boolean() }).map((f): Fault => ({ kind: 'beforeCall', ...f })),
);

function planOf(f: Fault): FaultPlan {
  switch (f.kind) {
    case 'powerAtByte':
      return { powerLossAtByte: f.byte };
    case 'tornWrite':
      return { rules: [{ op: 'write', nth: f.nth, tearAt: f.tearAt, times: f.times, error: f.error }] };
    case 'failingFsync':
      return { rules: [{ op: 'fsync', nth: f.nth, times: f.times }] };
    case 'beforeCall':
      return { rules: [{ op: 'any', nth: f.nth, times: 1, powerLoss: !f.kill, kill: f.kill }] };
  }
}

const dirs: string[] = [];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});

afterEach(() => {
  vi.useRealTimers();
  process.chdir(os.tmpdir());
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function run(steps: Step[], f: Fault, retryEvery: number, endWithKill: boolean): Promise<void> {
  const dir = tempDataDir();
  dirs.push(dir);
  // Startup is fault-free (a failure there only stops the server): the plan applies from then on.
  const io = new FaultyIo();
  const ds = new DurableServer(dir, io);
  io.apply(planOf(f));
  for (let i = 0; i < steps.length && !io.dead; i++) {
    const s = steps[i];
    if (s.kind === 'rewrite') ds.issue([['BGREWRITEAOF']]);
    else ds.issue(s.db === 0 ? s.requests : [['SELECT', String(s.db)], ...s.requests]);
    // Group commit: a few steps go out before the server gets to run.
    if (i % 3 === 2) await ds.settle();
    if (i % retryEvery === retryEvery - 1) ds.retry();
  }
  await ds.settle();
  while (ds.server.snapshots.inProgress && !io.dead) await new Promise((r) => setImmediate(r));
  if (endWithKill) io.crash();
  else io.powerLoss();
  ds.abandon();
  const back = restart(dir);
  const recovered = digestOf(back);
  back.server.aof?.close();
  const k = recoveredPrefix(ds, recovered);
  expect(k, `recovered state is not a prefix ≥ ${ds.mustInclude()} of ${ds.states.length - 1} steps (calls: ${io.trace.length})`).toBeGreaterThanOrEqual(0);
}

describe('durability under random faults (appendfsync always)', () => {
  it('restarts to a prefix of the issued commands that holds every acknowledged write', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), fault, fc.integer({ min: 2, max: 8 }), fc.boolean(), run),
      { numRuns: 150 },
    );
  }, 60_000);
});
