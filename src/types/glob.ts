/*
 * Redis's glob matcher (util.c stringmatchlen), used by KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE.
 *
 *   *       any run of characters (consecutive stars collapse)
 *   ?       exactly one character
 *   [abc]   one of the set; [^abc] none of it; [a-z] ranges (reversed ranges are swapped);
 *           \x inside a set is the literal x; an unterminated set matches to the end of the pattern
 *   \x      the literal x (a trailing lone backslash is itself literal)
 *
 * Strings are compared char by char (latin1: one char per byte); `nocase` lowers ASCII letters
 * only, as C's tolower in the "C" locale. Once the rest of a pattern after a star has failed at
 * every position, longer matches for earlier stars cannot succeed either: the search stops there,
 * which keeps patterns such as "a*a*a*a*b" linear instead of exponential.
 */

export function globMatch(pattern: string, s: string, nocase = false): boolean {
  skipLonger = false;
  return matchFrom(pattern, 0, s, 0, nocase);
}

/** Shared by one top-level match and its recursion (matching is synchronous, never reentered). */
let skipLonger = false;

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function matchFrom(p: string, pi: number, s: string, si: number, nocase: boolean): boolean {
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p.charCodeAt(pi);
    if (pc === 42 /* * */) {
      while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
      if (pi + 1 === plen) return true;
      for (; si < slen; si++) {
        if (matchFrom(p, pi + 1, s, si, nocase)) return true;
        if (skipLonger) return false;
      }
      skipLonger = true;
      return false;
    } else if (pc === 63 /* ? */) {
      si++;
    } else if (pc === 91 /* [ */) {
      pi++;
      const not = pi < plen && p.charCodeAt(pi) === 94; /* ^ */
      if (not) pi++;
      const c = s.charCodeAt(si);
      let match = false;
      for (;;) {
        if (pi >= plen) {
          // Unterminated set: step back so the shared increment below ends the pattern.
          pi--;
          break;
        }
        const cc = p.charCodeAt(pi);
        if (cc === 92 /* \ */ && pi + 1 < plen) {
          pi++;
          if (p.charCodeAt(pi) === c) match = true;
        } else if (cc === 93 /* ] */) {
          break;
        } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === 45 /* - */) {
          let start = cc;
          let end = p.charCodeAt(pi + 2);
          let x = c;
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
            x = lower(x);
          }
          pi += 2;
          if (x >= start && x <= end) match = true;
        } else if (nocase ? lower(cc) === lower(c) : cc === c) {
          match = true;
        }
        pi++;
      }
      if (not) match = !match;
      if (!match) return false;
      si++;
    } else {
      if (pc === 92 /* \ */ && pi + 1 < plen) pi++;
      const lit = p.charCodeAt(pi);
      const c = s.charCodeAt(si);
      if (nocase ? lower(lit) !== lower(c) : lit !== c) return false;
      si++;
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === 42) pi++;
      break;
    }
  }
  return pi === plen && si === slen;
}
