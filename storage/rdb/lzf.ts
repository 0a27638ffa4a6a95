/*
 * LZF (liblzf's format, as in Redis's lzf_c.c / lzf_d.c). A control byte < 32 copies that+1
 * literal bytes; otherwise the top 3 bits give a match length (7 = extended by the next byte), and
 * the low 5 bits with the next byte give the back offset.
 */

export class LzfError extends Error {}

/** Decompresses `input` into exactly `outLen` bytes; throws LzfError on malformed data. */
export function lzfDecompress(input: Uint8Array, outLen: number): Buffer {
  const out = Buffer.allocUnsafe(outLen);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    let ctrl = input[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLen) throw new LzfError('LZF output overflow');
      if (ip + ctrl > input.length) throw new LzfError('LZF input truncated');
      for (let i = 0; i < ctrl; i++) out[op++] = input[ip++];
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= input.length) throw new LzfError('LZF input truncated');
        len += input[ip++];
      }
      if (ip >= input.length) throw new LzfError('LZF input truncated');
      const ref = op - ((ctrl & 0x1f) << 8) - 1 - input[ip++];
      len += 2;
      if (op + len > outLen) throw new LzfError('LZF output overflow');
      if (ref < 0) throw new LzfError('LZF back reference out of range');
      for (let i = 0; i < len; i++) out[op++] = out[ref + i];
    }
  }
  if (op !== outLen) throw new LzfError('LZF output size mismatch');
  return out;
}

const HLOG = 14;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/**
 * Compresses `input`; returns null when the result would not be smaller than `input.length - 4`
 * (Redis stores such strings uncompressed).
 */
export function lzfCompress(input: Uint8Array): Buffer | null {
  const inLen = input.length;
  const outLimit = inLen - 4;
  if (inLen < 4 || outLimit <= 0) return null;
  const out = Buffer.allocUnsafe(outLimit + 1);
  const htab = new Int32Array(HSIZE).fill(-1);
  let ip = 0;
  let op = 1; // room for the first literal control byte
  let lit = 0;
  const hash = (p: number): number => {
    const v = (input[p] << 16) | (input[p + 1] << 8) | input[p + 2];
    return (Math.imul(v, 0x9e3779b1) >>> (32 - HLOG)) & (HSIZE - 1);
  };
  while (ip < inLen - 2) {
    const h = hash(ip);
    const ref = htab[h];
    htab[h] = ip;
    const off = ip - ref - 1;
    if (ref >= 0 && off < MAX_OFF && ip + 4 < inLen && input[ref] === input[ip] && input[ref + 1] === input[ip + 1] && input[ref + 2] === input[ip + 2]) {
      let len = 2;
      const maxlen = Math.min(inLen - ip - len, MAX_REF);
      do len++;
      while (len < maxlen && input[ref + len] === input[ip + len]);
      // Close the pending literal run.
      if (lit > 0) {
        out[op - lit - 1] = lit - 1;
      } else {
        op--; // drop the unused control byte
      }
      len -= 2;
      ip++;
      if (op + 3 + 1 >= outLimit) return null;
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // control byte of the next literal run
      ip += len + 1;
      if (ip >= inLen - 2) break;
      // Re-hash the positions inside the match so later matches can find them.
      for (let p = ip - len - 1; p < ip; p++) if (p < inLen - 2) htab[hash(p)] = p;
    } else {
      if (op >= outLimit) return null;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  while (ip < inLen) {
    if (op >= outLimit) return null;
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  if (lit > 0) out[op - lit - 1] = lit - 1;
  else op--;
  if (op > outLimit) return null;
  return out.subarray(0, op);
}
