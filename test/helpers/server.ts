/*
 * Starts real servers for tests: bin/strata-server (built into dist/ by `npm test`'s pretest) or
 * Debian's redis-server, on a free loopback port with a fresh temp dir, and stops them afterwards.
 */

import { afterAll, beforeAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RawClient } from './resp.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const STRATA_BIN = path.join(ROOT, 'bin/strata-server');
export const STRATA_CLI = path.join(ROOT, 'bin/strata');
export const REDIS_BIN = '/usr/bin/redis-server';
/** The RDB fixtures of ../shared: beside the main checkout, or two levels up from a worktree under wt/. */
export const RDB_FIXTURES =
  [path.resolve(ROOT, '../shared/rdb-fixtures'), path.resolve(ROOT, '../../shared/rdb-fixtures')].find((d) => existsSync(d)) ??
  path.resolve(ROOT, '../shared/rdb-fixtures');

export interface RunningServer {
  port: number;
  dir: string;
  proc: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const READY = /ready to accept connections/i;
const ADDRESS_IN_USE = /EADDRINUSE|Address already in use/;

async function canConnect(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Waits until the server says it is ready. A connect alone is not proof: another test's server may
 * have taken the port between freePort() and the bind, and ours is about to exit. When the
 * ready line is silenced (loglevel warning), a connect plus a second of staying alive will do.
 * Returns 'in-use' when the port was taken.
 */
async function waitReady(port: number, proc: ChildProcess, output: () => string, deadlineMs: number): Promise<'ready' | 'in-use'> {
  const until = Date.now() + deadlineMs;
  let connectedAt = 0;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      if (ADDRESS_IN_USE.test(output())) return 'in-use';
      throw new Error(`server exited with ${proc.exitCode ?? proc.signalCode}`);
    }
    if (READY.test(output())) return 'ready';
    if (connectedAt === 0 && (await canConnect(port))) connectedAt = Date.now();
    if (connectedAt !== 0 && Date.now() - connectedAt > 1000) return 'ready';
    if (Date.now() > until) throw new Error(`server did not become ready on ${port}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface StartOptions {
  /** Extra `--directive value` arguments (strings, appended after the defaults). */
  args?: string[];
  /** Use Debian's redis-server instead of strata. */
  redis?: boolean;
  /** Reuse a data dir (restart tests); a temp dir is made otherwise. */
  dir?: string;
  /** Config file passed first, as redis-server's first argument. */
  configFile?: string;
  /** Start strata through the CLI (`bin/strata server ...`) instead of bin/strata-server. */
  cli?: boolean;
  /** Extra environment variables (e.g. STRATA_FAULTS). */
  env?: Record<string, string>;
}

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), opts.redis ? 'redis-test-' : 'strata-test-'));
  for (let attempt = 1; ; attempt++) {
    const started = await spawnOn(await freePort(), dir, opts);
    if (started !== null) return started;
    if (attempt === 5) throw new Error('could not find a free port in 5 attempts');
  }
}

async function spawnOn(port: number, dir: string, opts: StartOptions): Promise<RunningServer | null> {
  const args = [
    ...(opts.configFile ? [opts.configFile] : []),
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    ...(opts.args ?? []),
  ];
  const bin = opts.redis ? REDIS_BIN : opts.cli ? STRATA_CLI : STRATA_BIN;
  if (opts.cli && !opts.redis) args.unshift('server');
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ? { ...process.env, ...opts.env } : process.env });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  try {
    if ((await waitReady(port, proc, () => out, 20000)) === 'in-use') return null;
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  return {
    port,
    dir,
    proc,
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
      proc.kill(signal);
      const code = await exited;
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/**
 * One server (strata, or redis-server when `redis`) for the enclosing suite: started in its
 * beforeAll; `client()` opens a connection that is closed, with the server, in its afterAll.
 */
export function serverForSuite(redis: boolean): { client(): Promise<RawClient> } {
  let server: RunningServer | undefined;
  const open: RawClient[] = [];
  beforeAll(async () => {
    server = await startServer({ redis });
  });
  afterAll(async () => {
    for (const c of open.splice(0)) c.close();
    await server?.stop();
  });
  return {
    async client() {
      if (server === undefined) throw new Error('the server is used outside its suite');
      const c = await RawClient.connect(server.port);
      open.push(c);
      return c;
    },
  };
}
