/*
 * Glob-style matching with the exact semantics of Redis's stringmatchlen (util.c), used by KEYS,
 * SCAN MATCH and every other pattern argument.
 *
 * Pattern and subject are byte strings (latin1, one char per byte). Tokens:
 *   *        any run of bytes (consecutive stars collapse into one)
 *   ?        one byte
 *   [...]    one byte in a class: `^` first negates, `a-z` ranges (ends in any order), `\x` a literal
 *   \x       the byte x literally
 *   other    itself
 *
 * Redis's quirks are part of the contract and reproduced on purpose:
 *   - an empty subject matches only the empty pattern ("*" does not match ""; KEYS and SCAN special
 *     case the pattern "*" before calling the matcher);
 *   - ranges compare C `char`s, which are signed: bytes >= 0x80 sort below 0x00 ("[\x01-\xff]" is the
 *     range -1..1, i.e. \xff \x00 \x01);
 *   - "[a-]" is a range from 'a' to ']', after which the class goes on to the next ']';
 *   - an unterminated class ends at the end of the pattern and still matches one byte;
 *   - a backslash escape inside a class compares exactly, even in the case-insensitive variant;
 *   - nocase folds only A-Z (the C locale's tolower).
 *
 * Every token except `*` consumes exactly one byte, whatever the subject is. That makes the
 * recursive search of the original equivalent to the classic backtracking loop below, which only
 * ever resumes after the most recent star: once the pattern after a star fails at every later
 * position, no earlier star can do better (Redis's skipLongerMatches shortcut). The loop needs no
 * stack, so hostile patterns cannot exhaust it.
 */

const STAR = 42; // *
const QUESTION = 63; // ?
const OPEN = 91; // [
const CLOSE = 93; // ]
const CARET = 94; // ^
const BACKSLASH = 92; // \
const DASH = 45; // -

/** C's tolower in the "C" locale. */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** A byte as a signed C char. */
function signed(c: number): number {
  return c >= 128 ? c - 256 : c;
}

/**
 * Matches the single-byte token at `p` against byte `ch`: the position after the token, or -1 when
 * the byte does not match.
 */
function matchToken(pattern: string, p: number, ch: number, nocase: boolean): number {
  const plen = pattern.length;
  let tc = pattern.charCodeAt(p);
  if (tc === QUESTION) return p + 1;
  if (tc === OPEN) {
    let i = p + 1;
    const negate = i < plen && pattern.charCodeAt(i) === CARET;
    if (negate) i++;
    let match = false;
    for (;;) {
      const pc = i < plen ? pattern.charCodeAt(i) : -1;
      if (pc === BACKSLASH && plen - i >= 2) {
        i++;
        if (pattern.charCodeAt(i) === ch) match = true;
      } else if (pc === CLOSE) {
        break;
      } else if (i === plen) {
        // Unterminated: the class ends with the pattern.
        i--;
        break;
      } else if (plen - i >= 3 && pattern.charCodeAt(i + 1) === DASH) {
        let start = signed(pc);
        let end = signed(pattern.charCodeAt(i + 2));
        let c = signed(ch);
        if (start > end) [start, end] = [end, start];
        if (nocase) {
          start = lower(start);
          end = lower(end);
          c = lower(c);
        }
        i += 2;
        if (c >= start && c <= end) match = true;
      } else if (nocase ? lower(pc) === lower(ch) : pc === ch) {
        match = true;
      }
      i++;
    }
    if (negate) match = !match;
    return match ? i + 1 : -1;
  }
  if (tc === BACKSLASH && plen - p >= 2) tc = pattern.charCodeAt(++p);
  const same = nocase ? lower(tc) === lower(ch) : tc === ch;
  return same ? p + 1 : -1;
}

/** stringmatchlen(pattern, s, nocase): true when the byte string `s` matches the glob `pattern`. */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  const plen = pattern.length;
  const slen = s.length;
  if (slen === 0) return plen === 0;
  let p = 0;
  let i = 0;
  // Where to resume after the most recent star: pattern position after it, and the subject
  // position it was last tried at. -1 while no star has been seen.
  let resumeP = -1;
  let resumeS = 0;
  for (;;) {
    let failed = false;
    if (p < plen) {
      if (pattern.charCodeAt(p) === STAR) {
        while (p + 1 < plen && pattern.charCodeAt(p + 1) === STAR) p++;
        if (p === plen - 1) return true;
        p++;
        resumeP = p;
        resumeS = i;
        continue;
      }
      const next = matchToken(pattern, p, s.charCodeAt(i), nocase);
      if (next >= 0) {
        p = next;
        i++;
        if (i === slen) {
          // Subject consumed: trailing stars match nothing, anything else fails this attempt.
          while (p < plen && pattern.charCodeAt(p) === STAR) p++;
          if (p === plen) return true;
          failed = true;
        }
      } else {
        failed = true;
      }
    } else {
      failed = true; // pattern consumed with subject bytes left over
    }
    if (failed) {
      if (resumeP < 0 || ++resumeS >= slen) return false;
      p = resumeP;
      i = resumeS;
    }
  }
}
