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
 * Framing and limits follow Redis's networking.c: headers end at the first CR (the byte after it
 * is taken as the LF unchecked), inline lines at the first LF; PROTO_INLINE_MAX_SIZE (64 KiB)
 * bounds a header or inline line still waiting for its end; a multibulk count of at most INT_MAX
 * (10 until authenticated), bulk lengths of at most proto-max-bulk-len (16 KiB until
 * authenticated).
 */

import { splitArgs } from '../types/splitargs.js';
import { parseInt64 } from '../types/numbers.js';
import { latin1String } from '../types/bytes.js';

export { splitArgs };

const CR = 13;
const LF = 10;
const STAR = 42; // '*'
const DOLLAR = 36; // '$'

export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
/**
 * Redis checks PROTO_INLINE_MAX_SIZE only while a line has no terminator in its query buffer, and
 * its first two reads of a connection bring about 16 KiB + 64 KiB: a line whose terminator comes
 * in the same burst is accepted up to about 80 KiB and refused beyond. Node's reads are 64 KiB, so
 * that horizon is applied explicitly to give the same answer.
 */
const BURST_LINE_MAX = PROTO_INLINE_MAX_SIZE + 16 * 1024;
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
  /** The first argument of the previous request (see commandName). */
  private lastName = '';

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
        this.argv.push(this.argv.length === 0 ? this.commandName(this.pos, end) : latin1String(this.buf, this.pos, end));
        this.pos = end + 2; // Redis does not check that the payload is followed by CRLF.
        this.bulkLen = -1;
        this.pendingArgs--;
      }
      return this.takeArgv();
    }
  }

  /**
   * A request's first argument: a client mostly repeats the same command, so the previous name is
   * reused when the bytes match, saving the string and its hashing in the command table lookup.
   */
  private commandName(start: number, end: number): string {
    const last = this.lastName;
    const buf = this.buf;
    if (end - start === last.length) {
      let i = 0;
      while (i < last.length && buf[start + i] === last.charCodeAt(i)) i++;
      if (i === last.length) return last;
    }
    return (this.lastName = latin1String(buf, start, end));
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

  /** 1: header read, 2: empty multibulk consumed, 0: incomplete or error. */
  /**
   * The common case in one pass: "$<1-10 digits, no leading zero>\r\n" within the limits. Anything
   * else (or a header that is not all here yet) is left to the general path and its errors.
   */
  private readPlainBulkHeader(): boolean {
    const buf = this.buf;
    const start = this.pos + 1;
    if (buf[this.pos] !== DOLLAR || buf[start] === 48) return false;
    const end = Math.min(buf.length, start + 10);
    let n = 0;
    let i = start;
    for (; i < end; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === start || i + 1 >= buf.length || buf[i] !== CR || buf[i + 1] !== LF) return false;
    if (n > this.maxBulkLen || (n > UNAUTH_MAX_BULK && this.authRequired)) return false;
    this.pos = i + 2;
    this.bulkLen = n;
    return true;
  }

  private readMultibulkHeader(): 0 | 1 | 2 {
    const cr = this.findHeaderEnd();
    if (cr < 0) {
      if (cr === NO_LINE && this.buf.length - this.pos > PROTO_INLINE_MAX_SIZE) this.error = 'ERR Protocol error: too big mbulk count string';
      return 0;
    }
    const n = parseLineInt(this.buf, this.pos + 1, cr);
    if (n === null || n > MAX_MULTIBULK) {
      this.error = 'ERR Protocol error: invalid multibulk length';
      return 0;
    }
    if (n > UNAUTH_MAX_MULTIBULK && this.authRequired) {
      this.error = 'ERR Protocol error: unauthenticated multibulk length';
      return 0;
    }
    this.pos = cr + 2;
    if (n <= 0) return 2;
    this.pendingArgs = n;
    this.argv = [];
    return 1;
  }

  private readBulkHeader(): boolean {
    if (this.pos >= this.buf.length) return false;
    if (this.readPlainBulkHeader()) return true;
    const cr = this.findHeaderEnd();
    if (cr < 0) {
      if (cr === NO_LINE && this.buf.length - this.pos > PROTO_INLINE_MAX_SIZE) this.error = 'ERR Protocol error: too big bulk count string';
      return false;
    }
    if (this.buf[this.pos] !== DOLLAR) {
      this.error = `ERR Protocol error: expected '$', got '${String.fromCharCode(this.buf[this.pos])}'`;
      return false;
    }
    const n = parseLineInt(this.buf, this.pos + 1, cr);
    if (n === null || n < 0 || n > this.maxBulkLen) {
      this.error = 'ERR Protocol error: invalid bulk length';
      return false;
    }
    if (n > UNAUTH_MAX_BULK && this.authRequired) {
      this.error = 'ERR Protocol error: unauthenticated bulk length';
      return false;
    }
    this.pos = cr + 2;
    this.bulkLen = n;
    return true;
  }

  /**
   * The CR ending a `*count` or `$len` header that starts at pos, as Redis finds it: strchr for
   * '\r' (so a NUL byte first means "no line yet"), and at least one byte after it, which is
   * skipped unchecked as the LF. NO_LINE or INCOMPLETE when the header cannot be read yet.
   */
  private findHeaderEnd(): number {
    const buf = this.buf;
    const len = buf.length;
    const horizon = Math.min(len, this.pos + BURST_LINE_MAX);
    for (let i = this.pos; i < horizon; i++) {
      const b = buf[i];
      if (b === CR) return i + 1 < len ? i : INCOMPLETE;
      if (b === 0) return NO_LINE;
    }
    return NO_LINE;
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

  /**
   * An inline request (telnet style); [] for a blank line, null when incomplete or on error.
   * As Redis, the line ends at the first LF (a CR before it is dropped) and the 64 KiB limit
   * applies only while no LF is buffered (within BURST_LINE_MAX); strchr stops at a NUL byte, so
   * a NUL before the LF leaves the request incomplete.
   */
  private readInline(): string[] | null {
    const buf = this.buf;
    const start = this.pos;
    const lf = buf.indexOf(LF, start);
    if (lf < 0 || lf - start >= BURST_LINE_MAX || hasNul(buf, start, lf)) {
      if (buf.length - start > PROTO_INLINE_MAX_SIZE) this.error = 'ERR Protocol error: too big inline request';
      return null;
    }
    const end = lf > start && buf[lf - 1] === CR ? lf - 1 : lf;
    const argv = splitArgs(buf.latin1Slice(start, end));
    if (argv === null) {
      this.error = 'ERR Protocol error: unbalanced quotes in request';
      return null;
    }
    this.pos = lf + 1;
    return argv;
  }
}

const EMPTY = Buffer.alloc(0);
/** findHeaderEnd: no CR (or a NUL first); the 64 KiB header limit applies. */
const NO_LINE = -1;
/** findHeaderEnd: the CR is the last byte buffered. */
const INCOMPLETE = -2;

function hasNul(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === 0) return true;
  return false;
}

/**
 * Redis's string2ll over buf[start, end): optional '-', digits, no leading zeros except "0", at
 * most 20 bytes, within int64. Long values come back rounded to a JS number: callers only compare
 * them with limits far below 2^53.
 */
function parseLineInt(buf: Buffer, start: number, end: number): number | null {
  const len = end - start;
  if (len <= 0) return null;
  if (len > 15) {
    const v = parseInt64(buf.latin1Slice(start, end));
    return v === null ? null : Number(v);
  }
  let i = start;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
    if (i >= end) return null;
  }
  if (buf[i] === 48) return len === 1 ? 0 : null;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return neg ? -n : n;
}
