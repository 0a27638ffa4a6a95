/*
 * Decoders for Redis's compact encodings as stored in RDB strings: ziplist, listpack, intset and
 * zipmap. Every read is bounds-checked and every header is cross-checked against the content
 * (total bytes, element count, terminators, back-lengths), so a corrupt blob is rejected with a
 * message instead of being half-read. Elements come out as latin1 strings; integers as their
 * decimal text, as Redis returns them.
 */

export class EncodingError extends Error {}

function fail(what: string, detail: string): never {
  throw new EncodingError(`${what} integrity check failed: ${detail}`);
}

// ---------------------------------------------------------------------------------------------
// ziplist: <zlbytes u32><zltail u32><zllen u16> entries... <0xff>
// entry: <prevlen 1 or 5 bytes><encoding><data>

export function decodeZiplist(buf: Buffer): string[] {
  const what = 'Ziplist';
  if (buf.length < 11) fail(what, 'too short');
  const zlbytes = buf.readUInt32LE(0);
  const zltail = buf.readUInt32LE(4);
  const zllen = buf.readUInt16LE(8);
  if (zlbytes !== buf.length) fail(what, 'zlbytes does not match the size');
  if (buf[buf.length - 1] !== 0xff) fail(what, 'missing terminator');
  const out: string[] = [];
  let p = 10;
  let prevEntryLen = 0;
  let lastEntry = -1;
  while (p < buf.length - 1) {
    const start = p;
    let prevlen = buf[p++];
    if (prevlen === 0xfe) {
      if (p + 4 > buf.length) fail(what, 'truncated prevlen');
      prevlen = buf.readUInt32LE(p);
      p += 4;
    } else if (prevlen === 0xff) fail(what, 'bad prevlen');
    if (prevlen !== prevEntryLen) fail(what, 'prevlen does not match the previous entry');
    if (p >= buf.length - 1) fail(what, 'truncated entry');
    const enc = buf[p++];
    const top = enc >> 6;
    let value: string;
    if (top === 0 || top === 1 || top === 2) {
      let len: number;
      if (top === 0) len = enc & 0x3f;
      else if (top === 1) {
        if (p + 1 > buf.length) fail(what, 'truncated length');
        len = ((enc & 0x3f) << 8) | buf[p++];
      } else {
        if (p + 4 > buf.length) fail(what, 'truncated length');
        len = buf.readUInt32BE(p);
        p += 4;
      }
      if (p + len > buf.length - 1) fail(what, 'string out of range');
      value = buf.latin1Slice(p, p + len);
      p += len;
    } else {
      let n: bigint | number;
      const need = (k: number): void => {
        if (p + k > buf.length - 1) fail(what, 'integer out of range');
      };
      if (enc === 0xc0) {
        need(2);
        n = buf.readInt16LE(p);
        p += 2;
      } else if (enc === 0xd0) {
        need(4);
        n = buf.readInt32LE(p);
        p += 4;
      } else if (enc === 0xe0) {
        need(8);
        n = buf.readBigInt64LE(p);
        p += 8;
      } else if (enc === 0xf0) {
        need(3);
        n = buf.readIntLE(p, 3);
        p += 3;
      } else if (enc === 0xfe) {
        need(1);
        n = buf.readInt8(p);
        p += 1;
      } else if (enc >= 0xf1 && enc <= 0xfd) {
        n = (enc & 0x0f) - 1;
      } else fail(what, `bad encoding 0x${enc.toString(16)}`);
      value = String(n);
    }
    prevEntryLen = p - start;
    lastEntry = start;
    out.push(value);
  }
  if (p !== buf.length - 1) fail(what, 'entries overrun the terminator');
  if (zllen !== 0xffff && zllen !== out.length) fail(what, 'zllen does not match the entries');
  if (out.length > 0 ? zltail !== lastEntry : zltail !== 10) fail(what, 'zltail does not point at the last entry');
  return out;
}

// ---------------------------------------------------------------------------------------------
// listpack: <total bytes u32><num elements u16> entries... <0xff>
// entry: <encoding+data><backlen 1-5 bytes: entry size, 7 bits per byte, read right to left>

export function decodeListpack(buf: Buffer): string[] {
  const what = 'Listpack';
  if (buf.length < 7) fail(what, 'too short');
  const total = buf.readUInt32LE(0);
  const count = buf.readUInt16LE(4);
  if (total !== buf.length) fail(what, 'total bytes do not match the size');
  if (buf[buf.length - 1] !== 0xff) fail(what, 'missing terminator');
  const out: string[] = [];
  let p = 6;
  const end = buf.length - 1;
  while (p < end) {
    const start = p;
    const b = buf[p];
    let value: string;
    const need = (k: number): void => {
      if (p + k > end) fail(what, 'entry out of range');
    };
    if ((b & 0x80) === 0) {
      value = String(b & 0x7f);
      p += 1;
    } else if ((b & 0xc0) === 0x80) {
      const len = b & 0x3f;
      need(1 + len);
      value = buf.latin1Slice(p + 1, p + 1 + len);
      p += 1 + len;
    } else if ((b & 0xe0) === 0xc0) {
      need(2);
      let v = ((b & 0x1f) << 8) | buf[p + 1];
      if (v >= 1 << 12) v -= 1 << 13;
      value = String(v);
      p += 2;
    } else if ((b & 0xf0) === 0xe0) {
      need(2);
      const len = ((b & 0x0f) << 8) | buf[p + 1];
      need(2 + len);
      value = buf.latin1Slice(p + 2, p + 2 + len);
      p += 2 + len;
    } else if (b === 0xf0) {
      need(5);
      const len = buf.readUInt32LE(p + 1);
      need(5 + len);
      value = buf.latin1Slice(p + 5, p + 5 + len);
      p += 5 + len;
    } else if (b === 0xf1) {
      need(3);
      value = String(buf.readInt16LE(p + 1));
      p += 3;
    } else if (b === 0xf2) {
      need(4);
      value = String(buf.readIntLE(p + 1, 3));
      p += 4;
    } else if (b === 0xf3) {
      need(5);
      value = String(buf.readInt32LE(p + 1));
      p += 5;
    } else if (b === 0xf4) {
      need(9);
      value = String(buf.readBigInt64LE(p + 1));
      p += 9;
    } else fail(what, `bad encoding 0x${b.toString(16)}`);
    const entryLen = p - start;
    const backlenSize = entryLen < 128 ? 1 : entryLen < 16384 ? 2 : entryLen < 2097152 ? 3 : entryLen < 268435456 ? 4 : 5;
    if (p + backlenSize > end) fail(what, 'missing back-length');
    // The back-length is stored big end last: the byte nearest the next entry holds the low bits.
    let back = 0;
    for (let i = 0; i < backlenSize; i++) back = back * 128 + (buf[p + i] & 0x7f);
    if (back !== entryLen) fail(what, 'back-length does not match the entry');
    p += backlenSize;
    out.push(value);
  }
  if (p !== end) fail(what, 'entries overrun the terminator');
  if (count !== 0xffff && count !== out.length) fail(what, 'element count does not match the entries');
  return out;
}

// ---------------------------------------------------------------------------------------------
// intset: <encoding u32: 2, 4 or 8><length u32><sorted little-endian integers>

export function decodeIntset(buf: Buffer): string[] {
  const what = 'Intset';
  if (buf.length < 8) fail(what, 'too short');
  const width = buf.readUInt32LE(0);
  const length = buf.readUInt32LE(4);
  if (width !== 2 && width !== 4 && width !== 8) fail(what, 'bad encoding');
  if (8 + width * length !== buf.length) fail(what, 'length does not match the size');
  const out: string[] = [];
  let prev: bigint | null = null;
  for (let i = 0; i < length; i++) {
    const at = 8 + i * width;
    const v = width === 2 ? BigInt(buf.readInt16LE(at)) : width === 4 ? BigInt(buf.readInt32LE(at)) : buf.readBigInt64LE(at);
    if (prev !== null && v <= prev) fail(what, 'not sorted or duplicates');
    prev = v;
    out.push(v.toString());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// zipmap (Redis < 2.6 hashes): <zmlen u8> (<len><key><len><free u8><value><free bytes>)* <0xff>

export function decodeZipmap(buf: Buffer): string[] {
  const what = 'Zipmap';
  if (buf.length < 2) fail(what, 'too short');
  let p = 1;
  const out: string[] = [];
  const readLen = (): number => {
    if (p >= buf.length) fail(what, 'truncated');
    const b = buf[p++];
    if (b < 254) return b;
    if (b === 254) {
      if (p + 4 > buf.length) fail(what, 'truncated length');
      const n = buf.readUInt32LE(p);
      p += 4;
      return n;
    }
    fail(what, 'unexpected end marker');
  };
  while (p < buf.length && buf[p] !== 0xff) {
    const klen = readLen();
    if (p + klen > buf.length) fail(what, 'key out of range');
    out.push(buf.latin1Slice(p, p + klen));
    p += klen;
    const vlen = readLen();
    if (p >= buf.length) fail(what, 'truncated');
    const free = buf[p++];
    if (p + vlen + free > buf.length) fail(what, 'value out of range');
    out.push(buf.latin1Slice(p, p + vlen));
    p += vlen + free;
  }
  if (p !== buf.length - 1) fail(what, 'missing terminator');
  return out;
}
