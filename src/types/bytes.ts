/*
 * A growable byte buffer written from the front: the reply writer, the AOF record encoder and the
 * RDB writer all build their output in one. Strings are written as latin1 (one char per byte), so
 * any bytes round-trip. The buffer doubles when full and is reused across writes.
 */

export class ByteBuffer {
  protected buf: Buffer;
  protected len = 0;

  constructor(initialSize: number) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.len;
  }

  /** Makes room for `n` more bytes. */
  protected ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Appends a latin1 string (protocol text or user bytes). */
  latin1(s: string): void {
    this.ensure(s.length);
    this.len += writeLatin1(this.buf, s, this.len);
  }

  /** Appends an integer in decimal; a length (a non-negative safe integer) without building its string. */
  decimal(n: number): void {
    if (!(n >= 0 && Number.isSafeInteger(n))) {
      this.latin1(String(n));
      return;
    }
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    this.ensure(digits);
    let at = this.len + digits;
    this.len = at;
    // Below 2^31 the quotient is integer arithmetic; above, exact in doubles.
    do {
      const q = n < 2147483648 ? ((n / 10) | 0) : Math.floor(n / 10);
      this.buf[--at] = 48 + (n - q * 10);
      n = q;
    } while (n > 0);
  }

  /** What was written, as a view valid until the next write. */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

/**
 * `buf[start, end)` as a latin1 string. Short strings (most keys, fields, small values and command
 * names) are built with String.fromCharCode in JS, about twice as fast as Buffer#latin1Slice, whose
 * call into C++ dominates at these sizes; the result is the same flat one-byte string.
 */
export function latin1String(b: Buffer, s: number, end: number): string {
  switch (end - s) {
    case 0: return '';
    case 1: return String.fromCharCode(b[s]);
    case 2: return String.fromCharCode(b[s], b[s + 1]);
    case 3: return String.fromCharCode(b[s], b[s + 1], b[s + 2]);
    case 4: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3]);
    case 5: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4]);
    case 6: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5]);
    case 7: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6]);
    case 8: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7]);
    case 9: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8]);
    case 10: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9]);
    case 11: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10]);
    case 12: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11]);
    case 13: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12]);
    case 14: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13]);
    case 15: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14]);
    case 16: return String.fromCharCode(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15]);
    default: return b.latin1Slice(s, end);
  }
}

/** Strings up to this length are written byte by byte in JS rather than through Buffer#latin1Write. */
const SHORT_WRITE = 32;

/** Writes a latin1 string at `at` (room is assumed); returns the bytes written. */
export function writeLatin1(buf: Buffer, s: string, at: number): number {
  const n = s.length;
  if (n > SHORT_WRITE) return buf.latin1Write(s, at);
  for (let i = 0; i < n; i++) buf[at + i] = s.charCodeAt(i);
  return n;
}
