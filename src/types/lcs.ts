/*
 * Longest common subsequence of two byte strings, as Redis's LCS command computes it (t_string.c):
 * the full dynamic-programming table, then one walk back from the end that yields the subsequence
 * and its matched ranges, last match first. Where both directions keep the same length the walk
 * steps back in b (Redis's tie rule), which decides which of several equal answers is returned.
 *
 * The table has (|a| + 1) × (|b| + 1) cells. Redis bounds it at 4 bytes a cell by
 * proto-max-bulk-len before allocating (lcsTableBytes); cells here are as narrow as the answer
 * allows (a length never exceeds the shorter string), so the bound is never exceeded.
 */

export interface LcsRange {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

export interface LcsResult {
  length: number;
  /** The subsequence itself (latin1), when asked for. */
  text: string | null;
  /** Matched ranges of at least minMatchLen bytes, from the end of the strings backwards. */
  ranges: LcsRange[] | null;
}

/** The bytes Redis's table takes (uint32 cells): compared with proto-max-bulk-len before computing. */
export function lcsTableBytes(alen: number, blen: number): number {
  return (alen + 1) * (blen + 1) * 4;
}

type Table = Uint8Array | Uint16Array | Uint32Array;

/** The DP table: cell (i, j) at i × (|b| + 1) + j is the LCS length of a[0..i) and b[0..j). */
function buildTable(a: string, b: string): Table {
  const alen = a.length;
  const blen = b.length;
  const width = blen + 1;
  const cells = (alen + 1) * width;
  const longest = Math.min(alen, blen);
  const t: Table = longest < 0x100 ? new Uint8Array(cells) : longest < 0x10000 ? new Uint16Array(cells) : new Uint32Array(cells);
  const bBytes = Buffer.from(b, 'latin1');
  for (let i = 1; i <= alen; i++) {
    const ai = a.charCodeAt(i - 1);
    const row = i * width;
    const prev = row - width;
    for (let j = 1; j <= blen; j++) {
      if (ai === bBytes[j - 1]) {
        t[row + j] = t[prev + j - 1] + 1;
      } else {
        const up = t[prev + j];
        const left = t[row + j - 1];
        t[row + j] = up > left ? up : left;
      }
    }
  }
  return t;
}

/**
 * LCS of a and b. `wantText`/`wantRanges` select the walk's outputs; without either only the
 * length is computed. Throws RangeError when the table cannot be allocated.
 */
export function longestCommonSubsequence(a: string, b: string, wantText: boolean, wantRanges: boolean, minMatchLen: number): LcsResult {
  const t = buildTable(a, b);
  const alen = a.length;
  const blen = b.length;
  const width = blen + 1;
  const length = t[alen * width + blen];
  if (!wantText && !wantRanges) return { length, text: null, ranges: null };

  const text = new Uint8Array(length);
  const ranges: LcsRange[] = [];
  let k = length;
  // The range being grown backwards; aStart < 0 while none is open.
  let aStart = -1;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let close = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      text[--k] = a.charCodeAt(i - 1);
      if (aStart < 0) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        close = true;
      }
      // A match on the first byte of either string ends the walk: report the range now.
      if (aStart === 0 || bStart === 0) close = true;
      i--;
      j--;
    } else {
      if (t[(i - 1) * width + j] > t[i * width + j - 1]) i--;
      else j--;
      if (aStart >= 0) close = true;
    }
    if (close) {
      if (aEnd - aStart + 1 >= minMatchLen) ranges.push({ aStart, aEnd, bStart, bEnd });
      aStart = -1;
    }
  }
  return {
    length,
    text: wantText ? Buffer.from(text.buffer, text.byteOffset, text.length).toString('latin1') : null,
    ranges: wantRanges ? ranges : null,
  };
}
