/*
 * Starts real servers for tests: bin/strata-server (built into dist/ by `npm test`'s pretest) or
 * Debian's redis-server, on a free loopback port with a fresh temp dir, and stops them afterwards.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const STRATA_BIN = path.join(ROOT, 'bin/strata-server');
export const STRATA_CLI = path.join(ROOT, 'bin/strata');
export const REDIS_BIN = '/usr/bin/redis-server';

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

async function waitForPort(port: number, proc: ChildProcess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`server did not listen on ${port}`);
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
}

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), opts.redis ? 'redis-test-' : 'strata-test-'));
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
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await waitForPort(port, proc, 20000);
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
