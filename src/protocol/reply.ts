/*
 * Reply writer: encodes RESP2 or RESP3 replies into one growable buffer per client.
 *
 * Strings are latin1 (one char per byte), so binary values go out unchanged. The buffer is reused
 * between ticks: `take()` hands out a copy of what was written (or, when large, the buffer itself)
 * and rewinds. Aggregate headers whose size is not known in advance are written with
 * `deferLength()` / `setDeferredLength()`.
 *
 * RESP3 ↔ RESP2 mapping (as Redis's networking.c): map → flat array of 2n, set → array,
 * double → bulk string, null → $-1 (or *-1 for null arrays), boolean → :1/:0, verbatim → bulk,
 * push → array, big number → bulk.
 */

import { formatDouble } from '../types/numbers.js';
import { ByteBuffer, writeLatin1 } from '../types/bytes.js';

const CRLF = '\r\n';
const DOLLAR = 36;
const STAR = 42;
const COLON = 58;
const INITIAL = 16 * 1024;
/** Output at least this large leaves with its buffer rather than as a copy (see take()). */
const HAND_OVER_MIN = 8 * 1024;
/** Width reserved for a deferred aggregate length: up to 10 digits, padded in place. */
const DEFER_WIDTH = 11;

export const UNCOUNTED_ERROR = '';

export class ReplyWriter extends ByteBuffer {
  resp: 2 | 3 = 2;
  /**
   * Error replies written since the last reset (for failed_calls / errorstats bookkeeping).
   * UNCOUNTED_ERROR stands for an error that fails the command without counting in errorstats
   * (a script passing on an error its command already counted).
   */
  errors: string[] = [];
  /** Deferred headers are rewritten once their length is known; positions of pending ones. */
  private deferred: Array<{ at: number; type: string }> = [];

  constructor() {
    super(INITIAL);
  }

  /**
   * The encoded bytes, and the writer rewinds for the next tick. Small output is copied so the
   * buffer is reused; large output (a pub/sub fan-out, a big reply) is handed over as it is and the
   * writer starts a fresh buffer of the same size, which costs an allocation instead of a copy.
   */
  take(): Buffer {
    let out: Buffer;
    if (this.deferred.length > 0) {
      out = this.compact();
    } else if (this.len >= HAND_OVER_MIN) {
      out = this.buf.subarray(0, this.len);
      this.buf = Buffer.allocUnsafe(this.buf.length);
    } else {
      out = Buffer.from(this.buf.subarray(0, this.len));
    }
    this.len = 0;
    return out;
  }

  /**
   * The bytes written so far, and the writer rewinds: a view (no copy) valid until the next
   * write, for a reader that consumes it at once (a script parsing its command's reply).
   */
  drain(): Buffer {
    if (this.deferred.length > 0) return this.take();
    const out = this.buf.subarray(0, this.len);
    this.len = 0;
    return out;
  }

  /** Drop everything written after `mark` (used when a command's reply must be replaced). */
  truncate(mark: number): void {
    this.len = mark;
    this.deferred = this.deferred.filter((d) => d.at < mark);
  }

  /** Appends raw protocol text that is known to be ASCII/latin1. */
  raw(s: string): void {
    this.latin1(s);
  }

  rawBytes(b: Buffer): void {
    // TypedArray set (in ByteBuffer.bytes): a plain memory copy, cheaper than Buffer#copy.
    this.bytes(b);
  }

  ok(): void {
    this.raw('+OK\r\n');
  }

  simple(s: string): void {
    this.raw('+' + s + CRLF);
  }

  /** `text` is the full error including its code, e.g. "ERR syntax error" or "WRONGTYPE ...". */
  error(text: string): void {
    // Like Redis's addReplyErrorLength: newlines would break the protocol, so they become spaces.
    const safe = text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0 ? text.replace(/[\r\n]/g, ' ') : text;
    this.errors.push(safe);
    this.raw('-' + safe + CRLF);
  }

  integer(n: number | bigint): void {
    // A safe integer's digits are written directly (negative ones through their string).
    if (typeof n === 'number' && Number.isSafeInteger(n)) {
      this.header(COLON, n);
      return;
    }
    this.raw(':' + (typeof n === 'number' ? BigInt(Math.trunc(n)).toString() : String(n)) + CRLF);
  }

  /** A type byte, a number and CRLF: "$5\r\n", "*2\r\n", ":-1\r\n". */
  private header(type: number, n: number): void {
    this.ensure(1);
    this.buf[this.len++] = type;
    this.decimal(n);
    this.ensure(2);
    this.buf[this.len++] = 13;
    this.buf[this.len++] = 10;
  }

  bulk(s: string): void {
    const n = s.length;
    this.header(DOLLAR, n);
    this.ensure(n + 2);
    this.len += writeLatin1(this.buf, s, this.len);
    this.buf[this.len++] = 13;
    this.buf[this.len++] = 10;
  }

  bulkBuffer(b: Buffer): void {
    this.raw('$' + b.length + CRLF);
    this.rawBytes(b);
    this.raw(CRLF);
  }

  /** Null bulk string ($-1, RESP3 _). */
  nullBulk(): void {
    this.raw(this.resp === 3 ? '_\r\n' : '$-1\r\n');
  }

  /** Null array (*-1, RESP3 _). */
  nullArray(): void {
    this.raw(this.resp === 3 ? '_\r\n' : '*-1\r\n');
  }

  bulkOrNull(s: string | undefined | null): void {
    if (s === undefined || s === null) this.nullBulk();
    else this.bulk(s);
  }

  array(n: number): void {
    this.header(STAR, n);
  }

  map(n: number): void {
    this.raw(this.resp === 3 ? '%' + n + CRLF : '*' + n * 2 + CRLF);
  }

  set(n: number): void {
    this.raw(this.resp === 3 ? '~' + n + CRLF : '*' + n + CRLF);
  }

  push(n: number): void {
    this.raw(this.resp === 3 ? '>' + n + CRLF : '*' + n + CRLF);
  }

  double(d: number): void {
    const s = formatDouble(d);
    if (this.resp === 3) this.raw(',' + s + CRLF);
    else this.bulk(s);
  }

  bool(b: boolean): void {
    this.raw(this.resp === 3 ? (b ? '#t\r\n' : '#f\r\n') : b ? ':1\r\n' : ':0\r\n');
  }

  bigNumber(s: string): void {
    if (this.resp === 3) this.raw('(' + s + CRLF);
    else this.bulk(s);
  }

  /** Verbatim string; `format` is a 3-letter type such as "txt". */
  verbatim(s: string, format = 'txt'): void {
    if (this.resp === 3) {
      this.raw('=' + (s.length + 4) + CRLF + format + ':');
      this.raw(s);
      this.raw(CRLF);
    } else {
      this.bulk(s);
    }
  }

  bulks(items: readonly string[]): void {
    this.array(items.length);
    for (const s of items) this.bulk(s);
  }

  /** Starts an aggregate whose length is filled in later with setDeferredLength. */
  deferLength(type: 'array' | 'map' | 'set' = 'array'): number {
    const at = this.len;
    this.ensure(DEFER_WIDTH + 3);
    this.len += DEFER_WIDTH + 3;
    this.deferred.push({ at, type });
    return at;
  }

  setDeferredLength(at: number, n: number): void {
    const d = this.deferred.find((x) => x.at === at);
    if (!d) return;
    const prefix = d.type === 'map' ? (this.resp === 3 ? '%' : '*') : d.type === 'set' ? (this.resp === 3 ? '~' : '*') : '*';
    const count = d.type === 'map' && this.resp === 2 ? n * 2 : n;
    const header = prefix + count + CRLF;
    // Store the header left-aligned and mark the unused tail for compaction.
    this.buf.fill(0, at, at + DEFER_WIDTH + 3);
    this.buf.latin1Write(header, at);
    (d as { at: number; type: string; header?: string }).header = header;
  }

  /** Builds the output, squeezing the padding out of deferred headers. */
  private compact(): Buffer {
    const parts: Buffer[] = [];
    let from = 0;
    for (const d of this.deferred as Array<{ at: number; header?: string }>) {
      parts.push(this.buf.subarray(from, d.at));
      parts.push(Buffer.from(d.header ?? '*0\r\n', 'latin1'));
      from = d.at + DEFER_WIDTH + 3;
    }
    parts.push(this.buf.subarray(from, this.len));
    this.deferred = [];
    return Buffer.concat(parts);
  }
}
