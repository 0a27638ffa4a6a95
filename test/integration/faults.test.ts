/*
 * Disk faults under the append-only log (appendfsync always) and crash points of background jobs,
 * through the file-system seam (recovery/faults.ts) on in-process servers; one end-to-end run
 * loads a fault plan from STRATA_FAULTS into bin/strata-server.
 */

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DurableServer, digestOf, recoveredPrefix, restart, tempDataDir } from '../helpers/durable.js';
import { FaultyIo } from '../../recovery/faults.js';
import { InProcessServer } from '../helpers/inprocess.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

const dirs: string[] = [];
function dataDir(): string {
  const d = tempDataDir();
  dirs.push(d);
  return d;
}

function info(ds: DurableServer, field: string): string {
  const reply = ds.ips.connect().call('INFO', 'everything');
  const m = new RegExp(`^${field}:(.*)\\r$`, 'm').exec(reply);
  return m === null ? '' : m[1];
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});

afterEach(() => {
  vi.useRealTimers();
  // In-process servers chdir into their --dir: leave it before it goes.
  process.chdir(os.tmpdir());
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('a failing fsync under appendfsync always', () => {
  it('holds the write, refuses writes and PING with MISCONF, answers readers, and resumes after the repair', async () => {
    const io = new FaultyIo();
    const ds = new DurableServer(dataDir(), io);
    const first = ds.issue([['SET', 'a', '1']]);
    await ds.settle();
    expect(ds.replies(first)).toBe('+OK\r\n');

    io.addRules({ op: 'fsync', times: 2 });
    const held = ds.issue([['SET', 'b', '2']]);
    await ds.settle();
    expect(ds.acked(held)).toBe(false);
    const refused = ds.issue([['SET', 'c', '3']]);
    const ping = ds.issue([['PING']]);
    const read = ds.issue([['GET', 'a']]);
    await ds.settle();
    expect(ds.replies(refused)).toBe('-MISCONF Errors writing to the AOF file: Input/output error\r\n');
    expect(ds.replies(ping)).toBe('-MISCONF Errors writing to the AOF file: Input/output error\r\n');
    expect(ds.replies(read)).toBe('$1\r\n1\r\n');
    expect(ds.acked(held)).toBe(false);
    expect(info(ds, 'aof_last_write_status')).toBe('err');
    expect(info(ds, 'errorstat_MISCONF')).toBe('count=2');

    ds.retry(); // the second injected failure: still down
    await ds.settle();
    expect(ds.acked(held)).toBe(false);
    ds.retry(); // the disk is back: the repair rewrites the dropped bytes and syncs
    await ds.settle();
    expect(ds.replies(held)).toBe('+OK\r\n');
    expect(info(ds, 'aof_last_write_status')).toBe('ok');
    const after = ds.issue([['SET', 'd', '4']]);
    await ds.settle();
    expect(ds.replies(after)).toBe('+OK\r\n');

    // The pages the failed fsyncs dropped were written again: a power cut now loses nothing.
    io.powerLoss();
    ds.abandon();
    const back = restart(ds.dir);
    expect(digestOf(back)).toBe(ds.states[ds.states.length - 1]);
    back.server.aof?.close();
  });

  it('never acknowledges a write whose fsync failed, even across a power cut during the failure', async () => {
    const io = new FaultyIo();
    const ds = new DurableServer(dataDir(), io);
    ds.issue([['SET', 'a', '1']]);
    await ds.settle();
    io.addRules({ op: 'fsync' });
    const held = ds.issue([['RPUSH', 'l', 'x', 'y']]);
    await ds.settle();
    ds.retry();
    await ds.settle();
    expect(ds.acked(held)).toBe(false);
    io.powerLoss();
    ds.abandon();
    const back = restart(ds.dir);
    expect(back.connect().call('GET', 'a')).toBe('$1\r\n1\r\n');
    expect(back.connect().call('EXISTS', 'l')).toBe(':0\r\n');
    back.server.aof?.close();
  });

  it('acknowledges nothing on the strength of a later fsync that overlapped the failed one', async () => {
    const io = new FaultyIo();
    const ds = new DurableServer(dataDir(), io);
    io.addRules({ op: 'fsync', nth: 2, times: 1 });
    // Three ticks in a row: each starts its fsync while the earlier ones still run.
    const steps = ['1', '2', '3'].map((v) => {
      const step = ds.issue([['SET', `k${v}`, v]]);
      ds.server.flush();
      return step;
    });
    await ds.settle();
    expect(steps.map((s) => ds.acked(s))).toEqual([true, false, false]);
    ds.retry();
    await ds.settle();
    expect(steps.map((s) => ds.replies(s))).toEqual(['+OK\r\n', '+OK\r\n', '+OK\r\n']);
    io.powerLoss();
    ds.abandon();
    const back = restart(ds.dir);
    expect(digestOf(back)).toBe(ds.states[ds.states.length - 1]);
    back.server.aof?.close();
  });
});

describe('a failing write under appendfsync always', () => {
  it('cuts a torn write, reports ENOSPC, and appends the whole tick again when space is back', async () => {
    const io = new FaultyIo();
    const ds = new DurableServer(dataDir(), io);
    // Each tick tries the append again: the second try (the refused DEL's tick) fails too.
    io.addRules({ op: 'write', tearAt: 7, times: 2, error: 'ENOSPC' });
    const torn = ds.issue([['HSET', 'h', 'f', 'v']]);
    await ds.settle();
    expect(ds.acked(torn)).toBe(false);
    const refused = ds.issue([['DEL', 'h']]);
    await ds.settle();
    expect(ds.replies(refused)).toBe('-MISCONF Errors writing to the AOF file: No space left on device\r\n');
    const incr = path.join(ds.dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    expect(fs.statSync(incr).size).toBe(0);
    ds.retry();
    await ds.settle();
    expect(ds.replies(torn)).toBe(':1\r\n');
    expect(ds.issue([['SET', 'x', 'y']]) && info(ds, 'aof_last_write_status')).toBe('ok');
    await ds.settle();
    io.powerLoss();
    ds.abandon();
    const back = restart(ds.dir);
    expect(digestOf(back)).toBe(ds.states[ds.states.length - 1]);
    back.server.aof?.close();
  });
});

/** A FaultyIo whose fsyncs complete only when the test lets them (a slow disk). */
class GatedIo extends FaultyIo {
  readonly gated: Array<() => void> = [];

  override fdatasync(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void {
    this.gated.push(() => super.fdatasync(fd, callback));
  }
}

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('appendfsync everysec while its fsync runs', () => {
  it('keeps new bytes out of the file until the fsync completes, for 2 s at most, and answers at once', async () => {
    // The clock too (the 2 s of grace): fake timers installed again, over beforeEach's.
    vi.useRealTimers();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const io = new GatedIo();
    const ds = new DurableServer(dataDir(), io, ['--appendfsync', 'everysec']);
    const first = ds.issue([['SET', 'a', '1']]);
    await ds.settle();
    expect(ds.replies(first)).toBe('+OK\r\n');
    const size = Number(info(ds, 'aof_current_size'));

    ds.retry(); // the once-a-second fsync starts, and does not complete
    expect(io.gated.length).toBe(1);
    expect(info(ds, 'aof_pending_bio_fsync')).toBe('1');
    const second = ds.issue([['SET', 'b', '2']]);
    await ds.settle();
    // Answered (everysec does not wait for the disk), but not written: a write now would wait for
    // the fsync inside the kernel, as Redis's postponed flushAppendOnlyFile avoids.
    expect(ds.replies(second)).toBe('+OK\r\n');
    expect(Number(info(ds, 'aof_current_size'))).toBe(size);
    expect(Number(info(ds, 'aof_buffer_length'))).toBeGreaterThan(0);

    io.gated.shift()!(); // the fsync completes: the bytes follow at once
    await turns(3);
    expect(info(ds, 'aof_buffer_length')).toBe('0');
    const written = Number(info(ds, 'aof_current_size'));
    expect(written).toBeGreaterThan(size);

    ds.retry(); // another fsync hangs for longer than 2 s: then the write goes ahead
    expect(io.gated.length).toBe(1);
    ds.issue([['SET', 'c', '3']]);
    await ds.settle();
    expect(Number(info(ds, 'aof_current_size'))).toBe(written);
    vi.setSystemTime(Date.now() + 2500);
    ds.issue([['SET', 'd', '4']]);
    await ds.settle();
    expect(Number(info(ds, 'aof_current_size'))).toBeGreaterThan(written);
    expect(info(ds, 'aof_delayed_fsync')).toBe('1');
    io.gated.shift()!();
    await turns(3);
    ds.abandon();
    const back = restart(ds.dir);
    expect(back.connect().call('MGET', 'a', 'b', 'c', 'd')).toBe('*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n');
    back.server.aof?.close();
  });
});

describe('crash points of BGSAVE', () => {
  async function bgsaveWith(dir: string, io: FaultyIo, rule: Parameters<FaultyIo['addRules']>[0] | null): Promise<{ old: string; next: string; firstCall: number }> {
    const ips = new InProcessServer(['--dir', dir, '--save', '']);
    ips.server.io = io;
    const c = ips.connect();
    c.call('SET', 'a', '1');
    c.call('RPUSH', 'l', 'x', 'y');
    expect(c.call('SAVE')).toBe('+OK\r\n');
    const old = digestOf(ips);
    c.call('SET', 'a', '2');
    c.call('ZADD', 'z', '1', 'm');
    const next = digestOf(ips);
    if (rule !== null) io.addRules(rule);
    const firstCall = io.trace.length;
    expect(c.call('BGSAVE')).toBe('+Background saving started\r\n');
    while (ips.server.snapshots.inProgress) await new Promise((r) => setImmediate(r));
    // Whatever the job did, the machine goes down now: only what was made durable counts.
    if (rule === null || !rule.kill) io.powerLoss();
    else io.crash();
    return { old, next, firstCall };
  }

  function reload(dir: string): string {
    const ips = new InProcessServer(['--dir', dir, '--save', '']);
    ips.server.snapshots.loadAtStartup();
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('temp-'))).toEqual([]);
    return digestOf(ips);
  }

  it('leaves the previous dump.rdb whole at every step, before the directory fsync makes the new one durable', async () => {
    const probe = new FaultyIo();
    const { firstCall } = await bgsaveWith(dataDir(), probe, null);
    const saveCalls = probe.trace.slice(firstCall);
    const kinds = saveCalls.map((t) => t.split(' ')[0]);
    expect(kinds.filter((op, i) => op !== kinds[i - 1])).toEqual(['open', 'write', 'fsync', 'close', 'rename', 'fsyncDir']);
    const fsyncAt = kinds.indexOf('fsync') + 1;
    const renameAt = kinds.indexOf('rename') + 1;
    for (let k = 1; k <= saveCalls.length; k++) {
      for (const fault of ['power', 'kill', 'eio'] as const) {
        const dir = dataDir();
        const rule = { op: 'any' as const, nth: k, times: 1, powerLoss: fault === 'power', kill: fault === 'kill' };
        const { old, next } = await bgsaveWith(dir, new FaultyIo(), rule);
        const loaded = reload(dir);
        const at = `${fault} at call ${k} (${saveCalls[k - 1]})`;
        // A power cut anywhere before the directory fsync completes keeps the old file.
        if (fault === 'power') expect(loaded, at).toBe(old);
        // A kill keeps whatever the rename left.
        if (fault === 'kill') expect(loaded, at).toBe(k > renameAt ? next : old);
        // A failed call up to the fsync fails the save; later, the new file may already be in place.
        if (fault === 'eio') expect(k <= fsyncAt ? [old] : [old, next], at).toContain(loaded);
      }
    }
  });
});

describe('crash points of BGREWRITEAOF', () => {
  /** Writes, a rewrite with writes while it runs, more writes; returns the first call of the rewrite. */
  async function rewriteWith(ds: DurableServer, rule: Parameters<FaultyIo['addRules']>[0] | null): Promise<number> {
    const io = ds.io!;
    for (const [k, v] of [['a', '1'], ['b', '2']]) ds.issue([['SET', k, v]]);
    ds.issue([['SELECT', '2'], ['RPUSH', 'l', 'x']]);
    await ds.settle();
    if (rule !== null) io.addRules(rule);
    const first = io.trace.length;
    ds.issue([['BGREWRITEAOF']]);
    ds.issue([['MULTI'], ['SET', 'a', 'during'], ['HSET', 'h', 'f', 'v'], ['EXEC']]);
    await ds.settle();
    while (ds.server.snapshots.inProgress && !io.dead) await new Promise((r) => setImmediate(r));
    ds.issue([['SADD', 't', 'm']]);
    await ds.settle();
    return first;
  }

  it('leaves a loadable directory holding every acknowledged write at every step', async () => {
    const probe = new DurableServer(dataDir(), new FaultyIo());
    const first = await rewriteWith(probe, null);
    const calls = probe.io!.trace.slice(first);
    probe.abandon();
    expect(calls.some((c) => c.startsWith('rename appendonly.aof.manifest'))).toBe(true);
    expect(calls.some((c) => /^rename appendonly\.aof\.\d+\.base\.rdb$/.test(c))).toBe(true);
    for (let k = 1; k <= calls.length; k++) {
      for (const fault of ['power', 'kill', 'eio'] as const) {
        const ds = new DurableServer(dataDir(), new FaultyIo());
        await rewriteWith(ds, { op: 'any', nth: k, times: 1, powerLoss: fault === 'power', kill: fault === 'kill' });
        if (fault === 'kill') ds.io!.crash();
        else ds.io!.powerLoss();
        ds.abandon();
        const back = restart(ds.dir);
        const at = `${fault} at call ${k} (${calls[k - 1]})`;
        expect(recoveredPrefix(ds, digestOf(back)), at).toBeGreaterThanOrEqual(0);
        back.server.aof?.close();
      }
    }
  });

  it('reports a failed rewrite in INFO and keeps logging to the previous layout', async () => {
    const ds = new DurableServer(dataDir(), new FaultyIo());
    ds.io!.addRules({ op: 'rename', path: 'base', times: 1 });
    await rewriteWith(ds, null);
    expect(info(ds, 'aof_last_bgrewrite_status')).toBe('err');
    expect(info(ds, 'aof_rewrites_consecutive_failures')).toBe('1');
    expect(ds.steps.every((s) => ds.acked(s))).toBe(true);
    ds.io!.powerLoss();
    ds.abandon();
    const back = restart(ds.dir);
    expect(digestOf(back)).toBe(ds.states[ds.states.length - 1]);
    back.server.aof?.close();
  });
});

describe('STRATA_FAULTS', () => {
  let server: RunningServer | null = null;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = null;
  });

  it('loads a fault plan at startup: a failing fsync refuses writes until the retry succeeds', async () => {
    vi.useRealTimers();
    // A fresh layout makes two fsyncs at startup (incr, manifest): the second SET's fails, and
    // its first retry a second later too.
    server = await startServer({
      args: ['--appendonly', 'yes', '--appendfsync', 'always'],
      env: { STRATA_FAULTS: JSON.stringify({ rules: [{ op: 'fsync', nth: 4, times: 2 }] }) },
    });
    const s = server;
    const writer = await RawClient.connect(s.port);
    expect(await writer.call('SET', 'a', '1')).toBe('+OK\r\n');
    const held = writer.call('SET', 'b', '2');
    await vi.waitFor(() => expect(s.output()).toContain('Error writing to the AOF file: Input/output error'), { timeout: 10_000, interval: 20 });
    const other = await RawClient.connect(s.port);
    expect(await other.call('SET', 'c', '3')).toBe('-MISCONF Errors writing to the AOF file: Input/output error\r\n');
    expect(await other.call('GET', 'a')).toBe('$1\r\n1\r\n');
    expect(await held).toBe('+OK\r\n');
    expect(await other.call('SET', 'c', '3')).toBe('+OK\r\n');
    writer.close();
    other.close();
  });
});
