/*
 * A raw RESP client for tests that need the exact bytes: send any bytes, read complete replies
 * back as the raw protocol text (latin1) so tests can compare byte for byte with redis-server.
 */

import net from 'node:net';

export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Sends a command as a multibulk request. */
  send(...argv: Array<string | Buffer>): void {
    this.write(encodeCommand(argv));
  }

  /** Reads exactly one complete reply, returned as raw protocol text. */
  async readReply(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = replyEnd(this.buf, 0);
      if (end > 0) {
        const out = this.buf.subarray(0, end).toString('latin1');
        this.buf = this.buf.subarray(end);
        return out;
      }
      if (this.closed) throw new Error('connection closed');
      if (Date.now() > deadline) throw new Error(`timeout waiting for reply; have ${JSON.stringify(this.buf.toString('latin1').slice(0, 500))}`);
      await this.waitForData(deadline);
    }
  }

  /** Sends a command and reads its reply. */
  async call(...argv: Array<string | Buffer>): Promise<string> {
    this.send(...argv);
    return this.readReply();
  }

  /**
   * Sends `argv` behind a PING in one write; resolves once the server has run both, so a blocking
   * command is known to be parked before the test goes on.
   */
  async block(...argv: Array<string | Buffer>): Promise<void> {
    this.write(Buffer.concat([encodeCommand(['PING']), encodeCommand(argv)]));
    const pong = await this.readReply();
    if (pong !== '+PONG\r\n') throw new Error(`expected +PONG before ${String(argv[0])}, got ${JSON.stringify(pong)}`);
  }

  /** Resolves when the server has closed the connection (false after the timeout). */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await this.waitForData(deadline);
    return this.closed;
  }

  /** Waits for the server to close the connection and returns every byte it sent that was not read yet. */
  async readToClose(timeoutMs = 5000): Promise<string> {
    if (!(await this.waitClosed(timeoutMs))) throw new Error(`connection still open; have ${JSON.stringify(this.pending().slice(0, 200))}`);
    const out = this.pending();
    this.buf = Buffer.alloc(0);
    return out;
  }

  /** Reads `n` complete replies, concatenated as raw protocol text. */
  async readReplies(n: number, timeoutMs = 5000): Promise<string> {
    let out = '';
    for (let i = 0; i < n; i++) out += await this.readReply(timeoutMs);
    return out;
  }

  /**
   * Writes the chunks one at a time, each handed to the kernel and followed by an event-loop turn
   * before the next, so that they tend to reach the server as separate reads.
   */
  async writeChunks(chunks: ReadonlyArray<string | Buffer>): Promise<void> {
    this.socket.setNoDelay(true);
    for (const chunk of chunks) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
      await new Promise<void>((resolve, reject) => this.socket.write(b, (err) => (err ? reject(err) : resolve())));
      await new Promise((r) => setImmediate(r));
    }
  }

  private waitForData(deadline: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Bytes received but not consumed as a reply. */
  pending(): string {
    return this.buf.toString('latin1');
  }

  close(): void {
    this.socket.destroy();
  }
}

export function encodeCommand(argv: ReadonlyArray<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const a of argv) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** End offset of the complete RESP2/RESP3 value starting at `at`, or -1 when incomplete. */
export function replyEnd(buf: Buffer, at: number): number {
  if (at >= buf.length) return -1;
  const lf = buf.indexOf(10, at);
  if (lf < 0) return -1;
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString('latin1', at + 1, lf - 1);
  switch (type) {
    case '+':
    case '-':
    case ':':
    case ',':
    case '#':
    case '_':
    case '(':
      return lf + 1;
    case '$':
    case '=':
    case '!': {
      const n = Number(line);
      if (n < 0) return lf + 1;
      const end = lf + 1 + n + 2;
      return end <= buf.length ? end : -1;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      let n = Number(line);
      if (n < 0) return lf + 1;
      if (type === '%' || type === '|') n *= 2;
      let pos = lf + 1;
      for (let i = 0; i < n; i++) {
        pos = replyEnd(buf, pos);
        if (pos < 0) return -1;
      }
      // An attribute is followed by the value it annotates.
      return type === '|' ? replyEnd(buf, pos) : pos;
    }
    default:
      throw new Error(`bad reply type ${JSON.stringify(type)} in ${JSON.stringify(buf.toString('latin1', at, at + 40))}`);
  }
}

/** A RESP bulk string, for building expected replies (ASCII text). */
export function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

/** A RESP array of already-encoded items. */
export function arr(...items: string[]): string {
  return `*${items.length}\r\n${items.join('')}`;
}
