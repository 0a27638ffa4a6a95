/*
 * Benchmark plumbing: start strata and redis-server side by side (persistence off on both), talk
 * to them over a minimal RESP connection, read a process's resident memory.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: this file runs compiled, from dist/bench/. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type ServerKind = 'strata' | 'redis';

export interface BenchServer {
  kind: ServerKind;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, proc: ChildProcess): Promise<void> {
  const until = Date.now() + 20_000;
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
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * `extra` directives go after the defaults (persistence off), so they win: e.g. ['--appendonly', 'yes'].
 * The server runs in a fresh directory removed at stop, or in `dataDir` (kept) when given.
 */
export async function startBenchServer(kind: ServerKind, extra: string[] = [], dataDir?: string): Promise<BenchServer> {
  const port = await freePort();
  const dir = dataDir ?? mkdtempSync(path.join(tmpdir(), `bench-${kind}-`));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extra];
  const proc =
    kind === 'redis'
      ? spawn('redis-server', args, { stdio: 'ignore' })
      : spawn(process.execPath, [...strataNodeFlags(), STRATA_SERVER, ...args, '--loglevel', 'warning'], { stdio: 'ignore' });
  await waitForPort(port, proc);
  return {
    kind,
    port,
    pid: proc.pid!,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      if (dataDir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const STRATA_SERVER = path.join(ROOT, 'bin/strata-server');

/**
 * The node flags of bin/strata-server's #! line (the server runs as users start it), then those of
 * STRATA_NODE_FLAGS (--cpu-prof and the like, which NODE_OPTIONS refuses).
 */
function strataNodeFlags(): string[] {
  const shebang = readFileSync(STRATA_SERVER, 'latin1').split('\n', 1)[0].split(/\s+/);
  return [...shebang.slice(shebang.indexOf('node') + 1), ...(process.env.STRATA_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
}

/** Resident set size of a process, in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

export function encodeCommand(argv: readonly string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const a of argv) out += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return out;
}

/** A connection for the loader and probes: sends raw requests, counts complete simple replies. */
export class BenchConnection {
  private pending = '';
  private waiter: (() => void) | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.pending += d;
      this.waiter?.();
    });
  }

  static connect(port: number): Promise<BenchConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => resolve(new BenchConnection(s)));
      s.once('error', reject);
    });
  }

  /** Sends one request and returns its reply's first line (enough for probes). */
  async firstLine(argv: readonly string[]): Promise<string> {
    this.socket.write(encodeCommand(argv), 'latin1');
    await this.until(() => this.pending.includes('\r\n'));
    const line = this.pending.slice(0, this.pending.indexOf('\r\n'));
    this.pending = '';
    return line;
  }

  /** Sends one request whose reply is a bulk string and returns its payload (INFO). */
  async bulk(argv: readonly string[]): Promise<string> {
    this.socket.write(encodeCommand(argv), 'latin1');
    await this.until(() => {
      const eol = this.pending.indexOf('\r\n');
      return eol > 0 && this.pending.length >= eol + 2 + Number(this.pending.slice(1, eol)) + 2;
    });
    const eol = this.pending.indexOf('\r\n');
    const n = Number(this.pending.slice(1, eol));
    const payload = this.pending.slice(eol + 2, eol + 2 + n);
    this.pending = this.pending.slice(eol + 4 + n);
    return payload;
  }

  /** Sends a batch of requests whose replies are all `reply`, and waits for every one of them. */
  async pipeline(requests: string, count: number, reply: string): Promise<void> {
    this.socket.write(requests, 'latin1');
    const want = count * reply.length;
    await this.until(() => this.pending.length >= want);
    if (this.pending.slice(0, reply.length) !== reply) throw new Error(`unexpected reply ${JSON.stringify(this.pending.slice(0, 80))}`);
    this.pending = this.pending.slice(want);
  }

  /** Sends requests whose replies are one line each (+OK, :n) and waits for `count` of them; an error reply throws. */
  async lines(requests: string, count: number): Promise<void> {
    this.socket.write(requests, 'latin1');
    let end = 0;
    for (let seen = 0; seen < count; seen++) {
      await this.until(() => this.pending.indexOf('\r\n', end) >= 0);
      if (this.pending[end] === '-') throw new Error(`unexpected reply ${JSON.stringify(this.pending.slice(end, end + 80))}`);
      end = this.pending.indexOf('\r\n', end) + 2;
    }
    this.pending = this.pending.slice(end);
  }

  private until(done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (done()) {
          this.waiter = null;
          resolve();
        }
      };
      this.waiter = check;
      check();
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
