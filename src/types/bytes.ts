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
    this.len += this.buf.latin1Write(s, this.len);
  }

  /** What was written, as a view valid until the next write. */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}
