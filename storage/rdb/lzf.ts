/*
 * LZF decompression (liblzf's lzf_d.c format), for RDB strings saved compressed: Redis compresses
 * strings longer than 20 bytes when rdbcompression is on, so payloads from redis-server carry them.
 *
 * Format: a control byte c. c < 32: a literal run of c+1 bytes follows. Otherwise a back reference:
 * length = c >> 5 (7 means an extra length byte follows) plus 2, offset = ((c & 31) << 8) + next
 * byte + 1 bytes back from the output position. References may overlap their own output.
 */

/** Decompresses `input` into exactly `outLen` bytes; null when the data is malformed. */
export function lzfDecompress(input: Uint8Array, outLen: number): Buffer | null {
  const out = Buffer.allocUnsafe(outLen);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (op + run > outLen || ip + run > input.length) return null;
      for (let i = 0; i < run; i++) out[op++] = input[ip++];
      continue;
    }
    let len = ctrl >> 5;
    if (len === 7) {
      if (ip >= input.length) return null;
      len += input[ip++];
    }
    if (ip >= input.length) return null;
    let ref = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1;
    len += 2;
    if (ref < 0 || op + len > outLen) return null;
    for (let i = 0; i < len; i++) out[op++] = out[ref++];
  }
  return op === outLen ? out : null;
}
