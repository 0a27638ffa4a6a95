/*
 * Persistence benchmarks, strata and redis-server 7.0.15 on the same files:
 *
 * - startup: the time from spawn until PING answers PONG (Redis answers -LOADING meanwhile), on a
 *   dump.rdb of `keys` keys (log off), and on a Redis 7 multi-part log of the same keys (an RDB
 *   base written by BGREWRITEAOF, then an incr file of `keys / 10` SETs). Redis writes the files.
 * - snapshot: GET latency of one client (sequential random GETs) while BGSAVE of `keys` keys runs,
 *   p99 and max, and the server process's RSS growth meanwhile (Redis's fork child is not counted:
 *   strata's snapshot runs in its own process, which is the point).
 */

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BenchConnection, encodeCommand, rssBytes, startBenchServer, type BenchServer, type ServerKind } from './servers.js';

const KINDS: ServerKind[] = ['strata', 'redis'];

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 600_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function infoField(conn: BenchConnection, field: string): Promise<string> {
  const m = new RegExp(`${field}:(\\S+)`).exec(await conn.bulk(['INFO', 'persistence']));
  return m?.[1] ?? '';
}

/** Writes `keys` keys (DEBUG POPULATE) plus keys/10 SETs with redis-server: dump.rdb and appendonlydir in a new directory. */
async function writeDataset(keys: number): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-dataset-'));
  const redis = await startBenchServer('redis', ['--appendonly', 'yes', '--appendfsync', 'everysec', '--aof-use-rdb-preamble', 'yes', '--enable-debug-command', 'yes'], dir);
  try {
    const conn = await BenchConnection.connect(redis.port);
    await conn.firstLine(['DEBUG', 'POPULATE', String(keys)]);
    await conn.firstLine(['BGREWRITEAOF']);
    await waitUntil(async () => (await infoField(conn, 'aof_rewrite_in_progress')) === '0' && (await infoField(conn, 'aof_rewrite_scheduled')) === '0', 'the log rewrite');
    const extra = Math.floor(keys / 10);
    for (let start = 0; start < extra; start += 10_000) {
      let requests = '';
      const end = Math.min(extra, start + 10_000);
      for (let i = start; i < end; i++) requests += encodeCommand(['SET', `incr:${i}`, `value:${i}`]);
      await conn.pipeline(requests, end - start, '+OK\r\n');
    }
    await conn.firstLine(['SAVE']);
    conn.close();
  } finally {
    await redis.stop();
  }
  return dir;
}

/** Milliseconds from spawn until PING answers PONG, and the keys the server then holds. */
async function startupTime(kind: ServerKind, dataset: string, extra: string[]): Promise<{ ms: number; keys: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), `bench-start-${kind}-`));
  cpSync(dataset, dir, { recursive: true });
  const started = performance.now();
  let server: BenchServer | null = null;
  try {
    server = await startBenchServer(kind, extra, dir);
    const conn = await BenchConnection.connect(server.port);
    await waitUntil(async () => (await conn.firstLine(['PING'])) === '+PONG', 'the load');
    const ms = performance.now() - started;
    const keys = Number((await conn.firstLine(['DBSIZE'])).slice(1));
    conn.close();
    return { ms, keys };
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface StartupRow {
  what: string;
  strata: number;
  redis: number;
}

export async function startupTimes(keys: number): Promise<StartupRow[]> {
  const dataset = await writeDataset(keys);
  try {
    const rows: StartupRow[] = [];
    const cases: Array<[string, string[]]> = [
      ['dump.rdb (log off)', ['--appendonly', 'no', '--dbfilename', 'dump.rdb']],
      ['multi-part log (base + incr)', ['--appendonly', 'yes']],
    ];
    for (const [what, extra] of cases) {
      const result: Record<string, { ms: number; keys: number }> = {};
      for (const kind of KINDS) result[kind] = await startupTime(kind, dataset, extra);
      if (result.strata.keys !== result.redis.keys) throw new Error(`${what}: strata loaded ${result.strata.keys} keys, redis ${result.redis.keys}`);
      rows.push({ what, strata: result.strata.ms, redis: result.redis.ms });
      process.stderr.write(`  ${what}: strata ${result.strata.ms.toFixed(0)} ms, redis ${result.redis.ms.toFixed(0)} ms (${result.redis.keys} keys)\n`);
    }
    return rows;
  } finally {
    rmSync(dataset, { recursive: true, force: true });
  }
}

export interface SnapshotRow {
  kind: ServerKind;
  p99Ms: number;
  maxMs: number;
  rssGrowth: number;
  gets: number;
}

/** GET latency and RSS growth while a BGSAVE of `keys` keys runs. */
export async function snapshotLatency(kind: ServerKind, keys: number): Promise<SnapshotRow> {
  const server = await startBenchServer(kind, ['--enable-debug-command', 'yes']);
  try {
    const admin = await BenchConnection.connect(server.port);
    const probe = await BenchConnection.connect(server.port);
    await admin.firstLine(['DEBUG', 'POPULATE', String(keys)]);
    const rssBefore = rssBytes(server.pid);
    let rssPeak = rssBefore;
    await admin.firstLine(['BGSAVE']);
    let saving = true;
    const latencies: number[] = [];
    const probing = (async () => {
      while (saving) {
        const t = performance.now();
        await probe.firstLine(['GET', `key:${Math.floor(Math.random() * keys)}`]);
        latencies.push(performance.now() - t);
      }
    })();
    await waitUntil(async () => {
      rssPeak = Math.max(rssPeak, rssBytes(server.pid));
      return (await infoField(admin, 'rdb_bgsave_in_progress')) === '0';
    }, 'BGSAVE');
    saving = false;
    await probing;
    admin.close();
    probe.close();
    latencies.sort((a, b) => a - b);
    return {
      kind,
      p99Ms: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0,
      maxMs: latencies[latencies.length - 1] ?? 0,
      rssGrowth: rssPeak / rssBefore - 1,
      gets: latencies.length,
    };
  } finally {
    await server.stop();
  }
}
