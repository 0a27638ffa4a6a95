/*
 * CRC-64/Jones as Redis uses it (crc64.c): reflected polynomial 0xad93d23594c935a9, initial value
 * 0, no final xor. crc64(0, "123456789") = 0xe9c6d914c4b8d9ca. Table-driven, 8 bits at a time; the
 * table holds the 64-bit values split in two 32-bit halves to stay in fast integer arithmetic.
 */

const POLY = 0x95ac9329ac4bc9b5n; // reflected form of 0xad93d23594c935a9

const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let crc = BigInt(i);
  for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ POLY : crc >> 1n;
  TABLE_HI[i] = Number(crc >> 32n);
  TABLE_LO[i] = Number(crc & 0xffffffffn);
}

/** Continues a CRC over `data[start, end)`. */
export function crc64(crc: bigint, data: Uint8Array, start = 0, end = data.length): bigint {
  let hi = Number(crc >> 32n) >>> 0;
  let lo = Number(crc & 0xffffffffn) >>> 0;
  for (let i = start; i < end; i++) {
    const idx = (lo ^ data[i]) & 0xff;
    // crc = table[idx] ^ (crc >> 8)
    const nlo = ((lo >>> 8) | (hi << 24)) >>> 0;
    const nhi = hi >>> 8;
    lo = (TABLE_LO[idx] ^ nlo) >>> 0;
    hi = (TABLE_HI[idx] ^ nhi) >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}
