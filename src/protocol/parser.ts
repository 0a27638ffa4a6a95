/*
 * Incremental RESP request parser: multibulk (`*N\r\n$len\r\n...`) and inline requests.
 *
 * Invariants:
 * - Arguments come out as latin1 strings: one char per byte, so any binary payload round-trips.
 *   Nothing here ever UTF-8-decodes user data.
 * - No argument keeps a reference into a socket chunk (strings are copies), so a chunk is never
 *   pinned by a stored key or value.
 * - A frame split across any number of chunks parses exactly as if it had arrived whole.
 * - On a protocol violation `error` is set to Redis's exact message; the caller replies it and
 *   closes the connection after the replies of the commands parsed before it.
 *
 * Limits follow Redis's networking.c: PROTO_INLINE_MAX_SIZE (64 KiB) for inline requests and
 * header lines, a multibulk count of at most INT_MAX (10 until authenticated), bulk lengths of at
 * most proto-max-bulk-len (16 KiB until authenticated).
 */

import { splitArgs } from '../types/splitargs.js';

export { splitArgs };

const CR = 13;
const LF = 10;
const STAR = 42; // '*'
const DOLLAR = 36; // '$'

export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
const MAX_MULTIBULK = 2147483647;
const UNAUTH_MAX_MULTIBULK = 10;
const UNAUTH_MAX_BULK = 16384;
/** Bulk payloads larger than this are assembled in a dedicated buffer instead of re-concatenating chunks. */
const BIG_BULK = 32 * 1024;

export class RequestParser {
  /** Set when the stream is broken; the text is Redis's error without the leading '-'. */
  error: string | null = null;

  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Arguments still expected in the current multibulk, 0 when between requests. */
  private pendingArgs = 0;
  private argv: string[] = [];
  /** Length of the bulk being read, -1 while its `$len` header has not been read. */
  private bulkLen = -1;
  /** Destination for a big bulk payload that spans chunks. */
  private big: Buffer | null = null;
  private bigFilled = 0;

  /** proto-max-bulk-len, kept current by the owner. */
  maxBulkLen = 512 * 1024 * 1024;
  /** When true the unauthenticated limits apply (Redis's authRequired()). */
  authRequired = false;

  /** Bytes received but not yet consumed (for client-query-buffer-limit and CLIENT LIST qbuf). */
  get buffered(): number {
    return this.buf.length - this.pos + (this.big ? this.bigFilled : 0);
  }

  feed(chunk: Buffer): void {
    if (this.big) {
      const want = this.big.length - this.bigFilled;
      const n = Math.min(want, chunk.length);
      chunk.copy(this.big, this.bigFilled, 0, n);
      this.bigFilled += n;
      chunk = chunk.subarray(n);
      if (chunk.length === 0) return;
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    }
    this.pos = 0;
  }

  /** The next complete request, or null when more bytes are needed or `error` was set. */
  next(): string[] | null {
    if (this.error !== null) return null;
    if (this.big) {
      if (this.bigFilled < this.big.length) return null;
      if (!this.finishBigBulk()) return null;
      if (this.pendingArgs === 0) return this.takeArgv();
    }
    for (;;) {
      if (this.pendingArgs === 0) {
        if (this.pos >= this.buf.length) return this.release();
        if (this.buf[this.pos] === STAR) {
          const r = this.readMultibulkHeader();
          if (r === 0) return null; // need more or error
          if (r === 2) continue; // empty multibulk: nothing to run
        } else {
          const argv = this.readInline();
          if (argv === null) return null;
          if (argv.length === 0) continue;
          return argv;
        }
      }
      while (this.pendingArgs > 0) {
        if (this.bulkLen < 0) {
          if (!this.readBulkHeader()) return null;
        }
        const avail = this.buf.length - this.pos;
        if (avail < this.bulkLen + 2) {
          if (this.bulkLen >= BIG_BULK) this.startBigBulk();
          return null;
        }
        const end = this.pos + this.bulkLen;
        this.argv.push(this.buf.latin1Slice(this.pos, end));
        this.pos = end + 2; // Redis does not check that the payload is followed by CRLF.
        this.bulkLen = -1;
        this.pendingArgs--;
      }
      return this.takeArgv();
    }
  }

  private takeArgv(): string[] {
    const argv = this.argv;
    this.argv = [];
    return argv;
  }

  private release(): null {
    this.buf = EMPTY;
    this.pos = 0;
    return null;
  }

  /** Index of the CR of the next CRLF-terminated line from pos, or -1. */
  private findLineEnd(): number {
    const i = this.buf.indexOf(LF, this.pos);
    if (i < 0) return -1;
    return i;
  }

  /** 1: header read, 2: empty multibulk consumed, 0: incomplete or error. */
  private readMultibulkHeader(): 0 | 1 | 2 {
    const lf = this.findLineEnd();
    if (lf < 0) {
      if (this.buf.length - this.pos > PROTO_INLINE_MAX_SIZE) this.error = 'ERR Protocol error: too big mbulk count string';
      return 0;
    }
    if (lf - this.pos > PROTO_INLINE_MAX_SIZE) {
      this.error = 'ERR Protocol error: too big mbulk count string';
      return 0;
    }
    const n = parseLineInt(this.buf, this.pos + 1, lineEnd(this.buf, lf));
    this.pos = lf + 1;
    if (n === null || n > MAX_MULTIBULK || (n > UNAUTH_MAX_MULTIBULK && this.authRequired)) {
      this.error = 'ERR Protocol error: invalid multibulk length';
      return 0;
    }
    if (n <= 0) return 2;
    this.pendingArgs = n;
    this.argv = [];
    return 1;
  }

  private readBulkHeader(): boolean {
    if (this.pos >= this.buf.length) return false;
    const lf = this.findLineEnd();
    if (lf < 0) {
      if (this.buf.length - this.pos > PROTO_INLINE_MAX_SIZE) this.error = 'ERR Protocol error: too big bulk count string';
      return false;
    }
    if (lf - this.pos > PROTO_INLINE_MAX_SIZE) {
      this.error = 'ERR Protocol error: too big bulk count string';
      return false;
    }
    if (this.buf[this.pos] !== DOLLAR) {
      this.error = `ERR Protocol error: expected '$', got '${String.fromCharCode(this.buf[this.pos])}'`;
      return false;
    }
    const n = parseLineInt(this.buf, this.pos + 1, lineEnd(this.buf, lf));
    if (n === null || n < 0 || n > this.maxBulkLen || (n > UNAUTH_MAX_BULK && this.authRequired)) {
      this.error = 'ERR Protocol error: invalid bulk length';
      return false;
    }
    this.pos = lf + 1;
    this.bulkLen = n;
    return true;
  }

  private startBigBulk(): void {
    const big = Buffer.allocUnsafe(this.bulkLen + 2);
    const have = this.buf.copy(big, 0, this.pos, this.buf.length);
    this.big = big;
    this.bigFilled = have;
    this.release();
  }

  private finishBigBulk(): boolean {
    const big = this.big!;
    this.argv.push(big.latin1Slice(0, big.length - 2));
    this.big = null;
    this.bigFilled = 0;
    this.bulkLen = -1;
    this.pendingArgs--;
    return true;
  }

  /** An inline request (telnet style); [] for a blank line, null when incomplete or on error. */
  private readInline(): string[] | null {
    const lf = this.findLineEnd();
    if (lf < 0) {
      if (this.buf.length - this.pos > PROTO_INLINE_MAX_SIZE) this.error = 'ERR Protocol error: too big inline request';
      return null;
    }
    if (lf - this.pos > PROTO_INLINE_MAX_SIZE) {
      this.error = 'ERR Protocol error: too big inline request';
      return null;
    }
    const line = this.buf.toString('latin1', this.pos, lineEnd(this.buf, lf));
    this.pos = lf + 1;
    const argv = splitArgs(line);
    if (argv === null) {
      this.error = 'ERR Protocol error: unbalanced quotes in request';
      return null;
    }
    return argv;
  }
}

const EMPTY = Buffer.alloc(0);

/** End of line content: the LF position, less one when preceded by CR. */
function lineEnd(buf: Buffer, lf: number): number {
  return lf > 0 && buf[lf - 1] === CR ? lf - 1 : lf;
}

/** Redis's string2ll over buf[start, end): optional '-', digits, no leading zeros except "0". */
function parseLineInt(buf: Buffer, start: number, end: number): number | null {
  if (start >= end) return null;
  let i = start;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
    if (i >= end) return null;
  }
  if (buf[i] === 48 && end - i > 1) return null;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
    if (n > Number.MAX_SAFE_INTEGER) return null;
  }
  return neg ? -n : n;
}
