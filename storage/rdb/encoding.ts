/*
 * RDB length and string encodings (rdb.c rdbSaveLen / rdbSaveRawString and their loaders).
 *
 * Length: the two top bits of the first byte select the form:
 *   00xxxxxx                 6-bit length
 *   01xxxxxx xxxxxxxx        14-bit length, big endian
 *   10000000 + 4 bytes       32-bit length, big endian
 *   10000001 + 8 bytes       64-bit length, big endian
 *   11xxxxxx                 "encoded" string; the low 6 bits say how:
 *                            0 int8, 1 int16, 2 int32 (little endian), 3 LZF (compressed
 *                            length, raw length, then the compressed bytes)
 *
 * The writer emits lengths plus raw bytes (any RDB reader accepts that); the reader accepts every
 * form redis-server writes. Strings are latin1 JS strings at the API, one char per byte.
 */

import { lzfDecompress } from './lzf.js';

const RDB_6BITLEN = 0;
const RDB_14BITLEN = 1;
const RDB_32BITLEN = 0x80;
const RDB_64BITLEN = 0x81;
const RDB_ENCVAL = 3;
const RDB_ENC_INT8 = 0;
const RDB_ENC_INT16 = 1;
const RDB_ENC_INT32 = 2;
const RDB_ENC_LZF = 3;

/** Appends RDB values to a growing list of chunks. */
export class RdbWriter {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  get byteLength(): number {
    return this.size;
  }

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  byte(b: number): void {
    this.push(Buffer.from([b]));
  }

  length(n: number): void {
    if (n < 1 << 6) {
      this.push(Buffer.from([(RDB_6BITLEN << 6) | n]));
    } else if (n < 1 << 14) {
      this.push(Buffer.from([(RDB_14BITLEN << 6) | (n >> 8), n & 0xff]));
    } else if (n <= 0xffffffff) {
      const b = Buffer.allocUnsafe(5);
      b[0] = RDB_32BITLEN;
      b.writeUInt32BE(n, 1);
      this.push(b);
    } else {
      const b = Buffer.allocUnsafe(9);
      b[0] = RDB_64BITLEN;
      b.writeBigUInt64BE(BigInt(n), 1);
      this.push(b);
    }
  }

  /** A length-prefixed string of latin1 bytes. */
  string(s: string): void {
    this.length(s.length);
    this.push(Buffer.from(s, 'latin1'));
  }

  bytes(b: Buffer): void {
    this.push(b);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

/** Reads RDB values from a buffer; every method returns null on truncated or malformed input. */
export class RdbReader {
  pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    /** Reading stops here (e.g. before a DUMP payload's footer). */
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  byte(): number | null {
    return this.pos < this.end ? this.buf[this.pos++] : null;
  }

  /** A length, or for the encoded form {encoding}. */
  private lengthOrEncoding(): { len: number; encoded: boolean } | null {
    const first = this.byte();
    if (first === null) return null;
    const kind = first >> 6;
    if (kind === RDB_ENCVAL) return { len: first & 0x3f, encoded: true };
    if (kind === RDB_6BITLEN) return { len: first & 0x3f, encoded: false };
    if (kind === RDB_14BITLEN) {
      const second = this.byte();
      return second === null ? null : { len: ((first & 0x3f) << 8) | second, encoded: false };
    }
    if (first === RDB_32BITLEN) {
      if (this.remaining < 4) return null;
      const n = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return { len: n, encoded: false };
    }
    if (first === RDB_64BITLEN) {
      if (this.remaining < 8) return null;
      const n = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      return n > BigInt(Number.MAX_SAFE_INTEGER) ? null : { len: Number(n), encoded: false };
    }
    return null;
  }

  length(): number | null {
    const l = this.lengthOrEncoding();
    return l === null || l.encoded ? null : l.len;
  }

  /** A string in any of its encodings, as latin1. */
  string(): string | null {
    const l = this.lengthOrEncoding();
    if (l === null) return null;
    if (!l.encoded) return this.take(l.len)?.toString('latin1') ?? null;
    switch (l.len) {
      case RDB_ENC_INT8: {
        const b = this.take(1);
        return b === null ? null : String(b.readInt8(0));
      }
      case RDB_ENC_INT16: {
        const b = this.take(2);
        return b === null ? null : String(b.readInt16LE(0));
      }
      case RDB_ENC_INT32: {
        const b = this.take(4);
        return b === null ? null : String(b.readInt32LE(0));
      }
      case RDB_ENC_LZF: {
        const clen = this.length();
        const len = this.length();
        if (clen === null || len === null) return null;
        const compressed = this.take(clen);
        if (compressed === null) return null;
        return lzfDecompress(compressed, len)?.toString('latin1') ?? null;
      }
      default:
        return null;
    }
  }

  private take(n: number): Buffer | null {
    if (n > this.remaining) return null;
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}
