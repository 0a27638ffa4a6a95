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

/*
 * The compressor makes the bytes Redis 7.0's lzf_compress makes (liblzf 3.6 with Redis's settings:
 * HLOG 16, VERY_FAST), so that DUMP payloads and RDB files match Redis's byte for byte. Its quirks
 * are kept on purpose: the 3-byte window hash keeps older bytes in its upper bits, position 0 is
 * never a match source, only the last two positions of a match are hashed, and a long match's
 * unrolled comparison may run two bytes past `maxlen`. (Redis leaves its table uninitialised, so a
 * stale entry can, rarely, find a match a fresh table does not: strata always starts fresh.)
 */
const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** Hash table slots, valid for one call: a slot is set when its stamp is the call's. */
const slotPos = new Int32Array(HSIZE);
const slotStamp = new Uint32Array(HSIZE);
let call = 0;

/** IDX with VERY_FAST: ((h >> (3*8 - HLOG)) - h*5) & (HSIZE - 1), in unsigned 32-bit arithmetic. */
function slotOf(h: number): number {
  return ((h >>> (24 - HLOG)) - Math.imul(h, 5)) & (HSIZE - 1);
}

/**
 * Compresses `input` into at most `input.length - 4` bytes (rdbSaveLzfStringObject's limit);
 * null when it does not fit, and Redis then stores the string as it is.
 */
export function lzfCompress(input: Uint8Array): Buffer | null {
  const inLen = input.length;
  const outEnd = inLen - 4;
  if (inLen < 3 || outEnd <= 0) return null;
  if (++call === 0x100000000) {
    slotStamp.fill(0);
    call = 1;
  }
  // Room past outEnd for the run bytes the checks below allow to be written there.
  const out = Buffer.allocUnsafe(outEnd + 4);
  let ip = 0;
  let op = 1; // the first literal run's control byte
  let lit = 0;
  let hval = (input[0] << 8) | input[1];
  while (ip < inLen - 2) {
    hval = ((hval << 8) | input[ip + 2]) >>> 0;
    const slot = slotOf(hval);
    const ref = slotStamp[slot] === call ? slotPos[slot] : -1;
    slotStamp[slot] = call;
    slotPos[slot] = ip;
    const off = ip - ref - 1;
    if (ref > 0 && off < MAX_OFF && input[ref + 2] === input[ip + 2] && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]) {
      let len = 2;
      const maxlen = Math.min(inLen - ip - len, MAX_REF);
      if (op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
      out[op - lit - 1] = lit - 1; // end the literal run (a 0-length one is taken back)
      if (lit === 0) op--;
      let open = true;
      if (maxlen > 16) {
        for (let k = 0; k < 16; k++) {
          len++;
          if (input[ref + len] !== input[ip + len]) {
            open = false;
            break;
          }
        }
      }
      if (open) {
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
      }
      len -= 2; // the length field: bytes matched - 2
      ip++;
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // the next literal run's control byte
      ip += len + 1;
      if (ip >= inLen - 2) break;
      // Hash the match's last two positions only.
      ip -= 2;
      hval = (input[ip] << 8) | input[ip + 1];
      for (let k = 0; k < 2; k++) {
        hval = ((hval << 8) | input[ip + 2]) >>> 0;
        const s = slotOf(hval);
        slotStamp[s] = call;
        slotPos[s] = ip;
        ip++;
      }
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  // At most two bytes and their run bytes are left.
  if (op + 3 > outEnd) return null;
  while (ip < inLen) {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return out.subarray(0, op);
}
