/*
 * CRC-64/Jones as Redis computes it (crc64.c): polynomial 0xad93d23594c935a9, reflected input and
 * output, initial value 0, no final xor. crc64("123456789") = 0xe9c6d914c4b8d9ca. It closes every
 * DUMP payload and RDB file.
 *
 * The 64-bit register is kept as two uint32 halves (hi, lo) so the byte loop stays in small
 * integers instead of BigInt; the table is the reflected polynomial's, split the same way.
 */

const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);

(function buildTable(): void {
  // 0xad93d23594c935a9 bit-reversed.
  const polyHi = 0x95ac9329;
  const polyLo = 0xac4bc9b5;
  for (let n = 0; n < 256; n++) {
    let hi = 0;
    let lo = n;
    for (let k = 0; k < 8; k++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        hi = (hi ^ polyHi) >>> 0;
        lo = (lo ^ polyLo) >>> 0;
      }
    }
    TABLE_HI[n] = hi;
    TABLE_LO[n] = lo;
  }
})();

/** CRC-64 of `data[start, end)`, continuing from `crc` (0 for a fresh checksum). */
export function crc64(data: Uint8Array, crc = 0n, start = 0, end = data.length): bigint {
  let hi = Number(crc >> 32n) >>> 0;
  let lo = Number(crc & 0xffffffffn) >>> 0;
  for (let i = start; i < end; i++) {
    const idx = (lo ^ data[i]) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ TABLE_LO[idx]) >>> 0;
    hi = ((hi >>> 8) ^ TABLE_HI[idx]) >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}
