/*
 * The RDB pieces FUNCTION DUMP / RESTORE stand on: CRC-64/Jones, the length and string encodings
 * (read back in every form redis-server writes, LZF included) and the payload frame.
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc64 } from '../../storage/rdb/crc64.js';
import { RdbBuffer } from '../../storage/rdb/writer.js';
import { RdbCursor } from '../../storage/rdb/reader.js';
import { lzfDecompress } from '../../storage/rdb/lzf.js';
import { openPayload, sealPayload } from '../../storage/rdb/payload.js';

describe('RDB payload pieces', () => {
  it('crc64 of "123456789" is 0xe9c6d914c4b8d9ca, and it continues across chunks', () => {
    const data = Buffer.from('123456789');
    expect(crc64(0n, data)).toBe(0xe9c6d914c4b8d9can);
    expect(crc64(crc64(0n, data, 0, 4), data, 4)).toBe(0xe9c6d914c4b8d9can);
    expect(crc64(0n, Buffer.alloc(0))).toBe(0n);
  });

  it('lengths and strings round-trip through the writer and reader', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 70 }), fc.uint8Array({ maxLength: 20000 }).map((a) => Buffer.from(a).toString('latin1')))), (strings) => {
        const w = new RdbBuffer(true);
        for (const s of strings) w.string(s);
        const r = new RdbCursor(Buffer.from(w.drain()));
        for (const s of strings) expect(r.string()).toBe(s);
        expect(r.pos).toBe(r.buf.length);
      }),
    );
  });

  it('lengths use the 6, 14, 32 and 64-bit forms at their boundaries', () => {
    for (const [n, size] of [[63, 1], [64, 2], [16383, 2], [16384, 5], [2 ** 32 - 1, 5], [2 ** 32, 9]]) {
      const w = new RdbBuffer(false);
      w.saveLen(n);
      const b = Buffer.from(w.drain());
      expect(b.length, String(n)).toBe(size);
      expect(new RdbCursor(b).len()).toBe(n);
    }
  });

  it('reads integer-encoded and LZF-compressed strings', () => {
    expect(new RdbCursor(Buffer.from([0xc0, 0xfe])).string()).toBe('-2');
    expect(new RdbCursor(Buffer.from([0xc1, 0x39, 0x30])).string()).toBe('12345');
    expect(new RdbCursor(Buffer.from([0xc2, 0x15, 0xcd, 0x5b, 0x07])).string()).toBe('123456789');
    // "aaaaaaaaaaaaaaaaaaaaaaaa" (24 bytes): literal 'a', then a back reference of 23 bytes at distance 1.
    const lzf = Buffer.from([0x00, 0x61, 0xe0, 0x0e, 0x00]);
    expect(lzfDecompress(lzf, 24).toString()).toBe('a'.repeat(24));
    expect(new RdbCursor(Buffer.concat([Buffer.from([0xc3, lzf.length, 24]), lzf])).string()).toBe('a'.repeat(24));
    expect(() => lzfDecompress(Buffer.from([0xe0, 0x0e, 0x00]), 24)).toThrow(/back reference/);
    expect(() => new RdbCursor(Buffer.from([0x05, 0x61])).string()).toThrow(/Unexpected end/);
  });

  it('a sealed payload opens, and any flipped byte or newer version is refused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), (body, at) => {
        const sealed = sealPayload(Buffer.from(body));
        expect(openPayload(sealed)).toEqual({ bodyEnd: body.length, rdbVersion: 10 });
        const broken = Buffer.from(sealed);
        broken[at % broken.length] ^= 1 << at % 8;
        expect(openPayload(broken)).toBeNull();
      }),
    );
    expect(openPayload(Buffer.alloc(9))).toBeNull();
  });
});
