/*
 * Redis's glob matching (util.c stringmatchlen): `*` any run, `?` one byte, `[abc]` `[^a-c]` sets
 * and ranges, `\x` a literal x. Strings are latin1 (one char per byte); `nocase` folds ASCII only,
 * as C's tolower. Once the tail after a `*` fails to match at every later position, no earlier `*`
 * can help either, so the whole match stops there (Redis's skipLongerMatches): that keeps patterns
 * such as "*a*a*a*a*b" linear instead of exponential.
 *
 * Where Redis reads past the pattern's end it sees the terminating NUL; `at` returns 0 there too.
 */

function at(s: string, i: number): number {
  return i < s.length ? s.charCodeAt(i) : 0;
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

export function stringMatch(pattern: string, str: string, nocase = false): boolean {
  const state = { skipLongerMatches: false };
  return matchFrom(pattern, 0, str, 0, nocase, state);
}

function matchFrom(pattern: string, p: number, str: string, s: number, nocase: boolean, state: { skipLongerMatches: boolean }): boolean {
  const pEnd = pattern.length;
  const sEnd = str.length;
  while (p < pEnd && s < sEnd) {
    const pc = pattern.charCodeAt(p);
    if (pc === 42 /* * */) {
      while (p < pEnd && at(pattern, p + 1) === 42) p++;
      if (pEnd - p === 1) return true;
      while (s < sEnd) {
        if (matchFrom(pattern, p + 1, str, s, nocase, state)) return true;
        if (state.skipLongerMatches) return false;
        s++;
      }
      state.skipLongerMatches = true;
      return false;
    } else if (pc === 63 /* ? */) {
      s++;
    } else if (pc === 91 /* [ */) {
      p++;
      const not = at(pattern, p) === 94; /* ^ */
      if (not) p++;
      let match = false;
      const sc = str.charCodeAt(s);
      for (;;) {
        const c = at(pattern, p);
        if (c === 92 /* \ */ && pEnd - p >= 2) {
          p++;
          if (at(pattern, p) === sc) match = true;
        } else if (c === 93 /* ] */) {
          break;
        } else if (p >= pEnd) {
          p--;
          break;
        } else if (pEnd - p >= 3 && at(pattern, p + 1) === 45 /* - */) {
          let start = c;
          let end = at(pattern, p + 2);
          let x = sc;
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
            x = lower(x);
          }
          p += 2;
          if (x >= start && x <= end) match = true;
        } else if (nocase ? lower(c) === lower(sc) : c === sc) {
          match = true;
        }
        p++;
      }
      if (not) match = !match;
      if (!match) return false;
      s++;
    } else {
      if (pc === 92 /* \ */ && pEnd - p >= 2) p++;
      const c = pattern.charCodeAt(p);
      const sc = str.charCodeAt(s);
      if (nocase ? lower(c) !== lower(sc) : c !== sc) return false;
      s++;
    }
    p++;
    if (s === sEnd) {
      while (at(pattern, p) === 42) p++;
      break;
    }
  }
  return p >= pEnd && s === sEnd;
}
