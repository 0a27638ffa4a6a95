import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc64 } from '../../storage/rdb/crc64.js';
import { lzfCompress, lzfDecompress } from '../../storage/rdb/lzf.js';
import { encodeListpack } from '../../storage/rdb/writer.js';
import { decodeListpack } from '../../storage/rdb/encodings.js';

describe('RDB codecs', () => {
  it('crc64 is CRC-64/Jones with init 0, as Redis', () => {
    expect(crc64(0n, Buffer.from('123456789'))).toBe(0xe9c6d914c4b8d9can);
    expect(crc64(0n, Buffer.alloc(0))).toBe(0n);
  });

  it('crc64 can be computed in pieces', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (data, cutSeed) => {
        const cut = data.length === 0 ? 0 : cutSeed % data.length;
        expect(crc64(crc64(0n, data, 0, cut), data, cut, data.length)).toBe(crc64(0n, data));
      }),
    );
  });

  it('crc64 equals the bit-at-a-time definition (the eight-byte steps and the byte tail)', () => {
    const bitwise = (data: Uint8Array): bigint => {
      let crc = 0n;
      for (const byte of data) {
        crc ^= BigInt(byte);
        for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ 0x95ac9329ac4bc9b5n : crc >> 1n;
      }
      return crc;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (data) => {
        expect(crc64(0n, data)).toBe(bitwise(data));
      }),
    );
  });

  it('LZF decompress(compress(x)) = x, and compression only happens when it saves bytes', () => {
    const repetitive = fc.array(fc.constantFrom('a', 'b', 'abc', 'hello world ', '\x00\xff'), { maxLength: 400 }).map((parts) => Buffer.from(parts.join(''), 'latin1'));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)), repetitive), (data) => {
        const packed = lzfCompress(data);
        if (packed === null) return;
        expect(packed.length).toBeLessThan(data.length - 4 + 1);
        expect(lzfDecompress(packed, data.length)).toEqual(data);
      }),
    );
  });

  it('LZF compresses runs', () => {
    const data = Buffer.from('a'.repeat(1000));
    const packed = lzfCompress(data)!;
    expect(packed.length).toBeLessThan(50);
    expect(lzfDecompress(packed, 1000)).toEqual(data);
  });

  it('corrupt LZF input is an error, never a crash or a wrong-size result', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat({ max: 500 }), (data, outLen) => {
        try {
          expect(lzfDecompress(data, outLen).length).toBe(outLen);
        } catch (err) {
          expect((err as Error).name).toBe('Error');
        }
      }),
    );
  });
});

describe('listpacks', () => {
  it('encodeListpack then decodeListpack gives the elements back, integers in their compact forms included', () => {
    const intLike = fc.oneof(
      fc.integer({ min: -5000, max: 5000 }).map(String),
      fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
      fc.constantFrom('-0', '01', '+1', '0', '-', '127', '128', '-4096', '4095', '32767', '-32769', '8388607', '-8388609', '2147483648', '9223372036854775807', '9223372036854775808', '-9223372036854775808'),
    );
    const text = fc.oneof(fc.string({ maxLength: 70 }), fc.constantFrom('x'.repeat(63), 'y'.repeat(64), 'z'.repeat(4095), 'w'.repeat(4096)));
    fc.assert(
      fc.property(fc.array(fc.oneof(intLike, text), { maxLength: 60 }), (items) => {
        const latin1 = items.map((s) => Buffer.from(s, 'utf8').toString('latin1'));
        expect(decodeListpack(encodeListpack(latin1))).toEqual(latin1);
      }),
    );
  });
});
