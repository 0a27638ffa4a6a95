/*
 * The C number conversions config.c relies on, with their quirks kept, since they decide which
 * config values Redis accepts: memtoull (units, an empty number is 0, overflow wraps modulo 2^64),
 * strtoll (leading spaces, a sign, "no digits" parses as 0 and leaves the text unconsumed,
 * overflow clamps), and the "1gb"/"64mb"/"512kb" notation CONFIG REWRITE writes.
 * Values are bigints: several directives span the whole 64-bit range.
 */

export const INT_MIN = -2147483648n;
export const INT_MAX = 2147483647n;
export const UINT_MAX = 4294967295n;
export const LLONG_MAX = 9223372036854775807n;
export const LLONG_MIN = -9223372036854775808n;
export const ULLONG_MAX = 18446744073709551615n;

const UNITS: Record<string, bigint> = {
  '': 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n * 1000n,
  mb: 1024n * 1024n,
  g: 1000n * 1000n * 1000n,
  gb: 1024n * 1024n * 1024n,
};

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** C's isspace in the "C" locale. */
export function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** memtoull: digits then an optional unit (case-insensitive); null when invalid. */
export function memtoull(s: string): bigint | null {
  if (s.charCodeAt(0) === 45 /* - */) return null;
  let i = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  const mul = UNITS[asciiLower(s.slice(i))];
  if (mul === undefined || i >= 128) return null;
  // strtoull of no digits is 0; of too many digits, ULLONG_MAX (the ERANGE is not checked).
  let v = i === 0 ? 0n : BigInt(s.slice(0, i));
  if (v > ULLONG_MAX) v = ULLONG_MAX;
  return BigInt.asUintN(64, v * mul);
}

function asciiLower(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : s[i];
  }
  return out;
}

export interface StrtollResult {
  value: bigint;
  /** True when the whole text was consumed (C: *endptr == '\0'). */
  complete: boolean;
  /** errno == ERANGE: the value was clamped to the long long range. */
  overflow: boolean;
}

/** strtoll(s, &end, base) for base 8 or 10. */
export function strtoll(s: string, base: 8 | 10): StrtollResult {
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const sign = s.charCodeAt(i);
  if (sign === 43 /* + */ || sign === 45 /* - */) {
    neg = sign === 45;
    i++;
  }
  const start = i;
  let v = 0n;
  const b = BigInt(base);
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d >= base) break;
    v = v * b + BigInt(d);
  }
  if (i === start) return { value: 0n, complete: s.length === 0, overflow: false };
  if (neg) v = -v;
  const overflow = v > LLONG_MAX || v < LLONG_MIN;
  if (v > LLONG_MAX) v = LLONG_MAX;
  if (v < LLONG_MIN) v = LLONG_MIN;
  return { value: v, complete: i === s.length, overflow };
}

/** rewriteConfigFormatMemory: the largest of gb/mb/kb dividing the (signed) value exactly. */
export function formatMemory(bytes: bigint): string {
  const v = BigInt.asIntN(64, bytes);
  if (v !== 0n) {
    for (const [unit, mul] of [
      ['gb', UNITS.gb],
      ['mb', UNITS.mb],
      ['kb', UNITS.kb],
    ] as const) {
      if (v % mul === 0n) return `${v / mul}${unit}`;
    }
  }
  return v.toString();
}
