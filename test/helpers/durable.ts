/*
 * An in-process server with the append-only log on a FaultyIo, for crash and fault tests.
 *
 * Each step (one or more requests, e.g. a whole MULTI ... EXEC) runs on a client of its own, so a
 * step is acknowledged exactly when something reached that client's socket: the reply gate
 * (appendfsync always) lets a reply go only once the log covering it is durable. After every step
 * the dataset's digest is recorded: `states[i]` is the state after steps 0..i-1, the truth any
 * recovery must reproduce some prefix of.
 *
 * The log's once-a-second retry is a setInterval: tests fake setInterval only
 * (vi.useFakeTimers({ toFake: ['setInterval'] })) and call `retry()`; fsync completions stay real
 * event-loop turns.
 */

import { vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InProcessServer, type TestClient } from './inprocess.js';
import { processCommand } from '../../src/commands/dispatch.js';
import { AppendOnlyFile } from '../../src/server/persistence.js';
import { datasetDigest } from '../../src/keyspace/digest.js';
import { FaultyIo } from '../../recovery/faults.js';

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'strata-faults-'));
}

export function digestOf(ips: InProcessServer): string {
  return datasetDigest(ips.server.keyspace).toString('hex');
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface StepRecord {
  client: TestClient;
  /** Did the step change the dataset? */
  changed: boolean;
}

export class DurableServer {
  readonly ips: InProcessServer;
  readonly states: string[];
  readonly steps: StepRecord[] = [];

  /** Opens (loading) the log in `dir` with `io` under the server's writers. */
  constructor(
    readonly dir: string,
    readonly io: FaultyIo | null,
    args: string[] = [],
  ) {
    this.ips = new InProcessServer(['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--auto-aof-rewrite-percentage', '0', ...args]);
    if (io !== null) this.ips.server.io = io;
    AppendOnlyFile.open(this.ips.server);
    this.states = [digestOf(this.ips)];
  }

  get server() {
    return this.ips.server;
  }

  /** Runs one step's requests now (as one socket read would) and queues its output. */
  issue(requests: string[][]): StepRecord {
    const tc = this.ips.connect();
    for (const argv of requests) processCommand(tc.client, argv);
    this.server.queueFlush(tc.client);
    const digest = digestOf(this.ips);
    const step = { client: tc, changed: digest !== this.states[this.states.length - 1] };
    this.states.push(digest);
    this.steps.push(step);
    return step;
  }

  acked(step: StepRecord): boolean {
    return step.client.written.length > 0;
  }

  /** Event-loop turns until every step is answered, the machine is dead, or `turns` ran out. */
  async settle(turns = 50): Promise<void> {
    for (let i = 0; i < turns; i++) {
      if (this.io?.dead || this.steps.every((s) => this.acked(s))) return;
      await nextTurn();
    }
  }

  /** The once-a-second timer (repair, retry). */
  retry(): void {
    vi.advanceTimersByTime(1000);
  }

  /** Lowest prefix a recovery must reach: up to the last acknowledged step that changed data. */
  mustInclude(): number {
    let need = 0;
    this.steps.forEach((s, i) => {
      if (s.changed && this.acked(s)) need = i + 1;
    });
    return need;
  }

  /** Abandons the server (after a crash or power loss): its timers stop, nothing more is written. */
  abandon(): void {
    this.server.aof?.close();
  }

  /** Reply text a step's client received. */
  replies(step: StepRecord): string {
    return Buffer.concat(step.client.written).toString('latin1');
  }
}

/** A fresh server on the same directory, real file system: what a restart loads. */
export function restart(dir: string): InProcessServer {
  const ips = new InProcessServer(['--dir', dir, '--appendonly', 'yes', '--save', '', '--auto-aof-rewrite-percentage', '0']);
  AppendOnlyFile.open(ips.server);
  return ips;
}

/**
 * Where the recovered dataset sits among the recorded states: the index of a matching state at or
 * after `mustInclude()`, or -1 (a lost acknowledged write, or a state that never existed).
 */
export function recoveredPrefix(ds: DurableServer, recovered: string): number {
  for (let k = ds.states.length - 1; k >= ds.mustInclude(); k--) if (ds.states[k] === recovered) return k;
  return -1;
}
