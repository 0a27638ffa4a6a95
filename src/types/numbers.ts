/*
 * Number parsing and formatting with Redis's exact rules (util.c).
 *
 * - Integers are int64 in Redis; JS numbers are exact only to 2^53, so values outside that range are
 *   carried as bigint by the callers that need them (INCRBY near the limits).
 * - `formatDouble` is C's "%.17g", which Redis 7.0 uses for every double reply (ZSCORE, ZINCRBY, ...).
 */

import { formatLongDoubleG, longDoubleFromDouble } from './longdouble.js';

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;
/** LONG_MAX / LLONG_MAX as a float, for range checks that Redis does on doubles. */
export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Redis's string2ll: optional '-', then digits with no leading zero (except "0" itself), no spaces,
 * no '+', within int64. Returns a bigint, or null when the text is not such an integer.
 */
export function parseInt64(s: string): bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0n : null; // "0" only; "-0" and "007" are not canonical
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const v = BigInt(s);
  if (v > INT64_MAX || v < INT64_MIN) return null;
  return v;
}

/**
 * Fast path of string2ll for the common case: returns a JS number when `s` is a canonical integer
 * within ±2^53, `undefined` otherwise (the caller then falls back to parseInt64).
 */
export function parseSafeInt(s: string): number | undefined {
  const n = s.length;
  if (n === 0 || n > 16) return undefined;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return undefined;
    neg = true;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : undefined;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  if (v > MAX_SAFE) return undefined;
  return neg ? -v : v;
}

/**
 * An integer argument that Redis would read with getLongLongFromObjectOrReply, as a JS number.
 * Values beyond ±2^53 are returned rounded; callers that do arithmetic near the int64 limits use
 * parseInt64 instead.
 */
export function parseIntArg(s: string): number | null {
  const fast = parseSafeInt(s);
  if (fast !== undefined) return fast;
  const big = parseInt64(s);
  return big === null ? null : Number(big);
}

const DOUBLE_RE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;
const HEX_FLOAT_RE = /^[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?$/;

/**
 * Redis's string2d (strtod): the whole string must be a number, no leading space, not NaN.
 * Accepts "inf", "-inf", "+inf", "infinity", hex floats. Returns null when invalid.
 */
export function parseDouble(s: string): number | null {
  if (s.length === 0 || s.length > 5 * 1024) return null;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return null;
  if (isPlainDecimal(s)) {
    // Digits, signs, '.', 'e': Number's grammar for these is the pattern's, NaN when it fails.
    const v = Number(s);
    return Number.isNaN(v) ? null : v;
  }
  if (DOUBLE_RE.test(s)) {
    const lower = s.toLowerCase();
    const body = lower.replace(/^[+-]/, '');
    if (body === 'nan') return null;
    if (body === 'inf' || body === 'infinity') return lower[0] === '-' ? -Infinity : Infinity;
    return Number(s);
  }
  if (HEX_FLOAT_RE.test(s)) return parseHexFloat(s);
  return null;
}

/** The smallest normal double (DBL_MIN). */
const DBL_MIN = 2.2250738585072014e-308;

/**
 * Would strtod set ERANGE for `text`, which it read as `d`? 'overflow': digits beyond the largest
 * double (not the word inf); 'underflow': a non-zero mantissa below the smallest normal double
 * (read as a subnormal or as 0).
 */
export function strtodRange(text: string, d: number): 'overflow' | 'underflow' | null {
  if (!Number.isFinite(d)) return /^[+-]?inf/i.test(text) ? null : 'overflow';
  if (d !== 0 && Math.abs(d) >= DBL_MIN) return null;
  const hex = /^[+-]?0x/i.test(text);
  const mantissa = text.replace(/^[+-]?(0x)?/i, '').replace(hex ? /p.*$/i : /e.*$/i, '');
  return (hex ? /[1-9a-f]/i : /[1-9]/).test(mantissa) ? 'underflow' : null;
}

/**
 * A double argument as Redis's getDoubleFromObject reads it: parseDouble, and also refused when
 * strtod overflows to ±inf or underflows to 0 (a subnormal is kept). Ranges (ZRANGEBYSCORE) use
 * strtod without that check: parseDouble.
 */
export function parseDoubleArg(s: string): number | null {
  const d = parseDouble(s);
  if (d === null || (d !== 0 && Number.isFinite(d))) return d;
  return strtodRange(s, d) === null ? d : null;
}

/** Only characters of a decimal number without words: 0-9 . + - e E. */
function isPlainDecimal(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 101 || c === 69)) return false;
  }
  return true;
}

function parseHexFloat(s: string): number {
  let neg = false;
  let i = 0;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    i = 1;
  }
  const body = s.slice(i + 2);
  const [mant, expPart] = body.split(/[pP]/);
  const [intPart, fracPart = ''] = mant.split('.');
  let v = 0;
  for (const ch of intPart) v = v * 16 + parseInt(ch, 16);
  let scale = 1 / 16;
  for (const ch of fracPart) {
    v += parseInt(ch, 16) * scale;
    scale /= 16;
  }
  const e = expPart === undefined ? 0 : parseInt(expPart, 10);
  v = v * Math.pow(2, e);
  return neg ? -v : v;
}

const NAN_PROBE = new Float64Array(1);
const NAN_PROBE_BYTES = new Uint8Array(NAN_PROBE.buffer);

/** glibc's printf of a NaN shows its sign bit: x86's 0/0 (a script's) prints "-nan". */
function nanText(d: number): string {
  NAN_PROBE[0] = d;
  return NAN_PROBE_BYTES[7] & 0x80 ? '-nan' : 'nan';
}

/** C's printf("%.17g", d), with Redis's "inf"/"-inf" spelling. */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return nanText(d);
  // Integers below 1e16 print as their digits (no exponent, no tie): the common score.
  if (Number.isInteger(d) && d < 1e16 && d > -1e16) return Object.is(d, -0) ? '-0' : String(d);
  // JS rounds exact ties away from zero, glibc to even. A tie at the 17th digit shows as "5" then
  // only zeros in a longer expansion; those rare values take the exact (slow) formatter.
  if (d !== 0) {
    const wide = d.toExponential(25);
    const digits = wide.slice(wide[0] === '-' ? 1 : 0, wide.indexOf('e')).replace('.', '');
    if (digits[17] === '5' && /^0*$/.test(digits.slice(18))) return formatLongDoubleG(longDoubleFromDouble(d), 17);
  }
  return formatG(d, 17);
}

/** 2^62, double2ll's bound (LLONG_MAX/2 as a double). */
const LISTPACK_INT_SCORE_MAX = 2 ** 62;

/**
 * A zset score as a listpack holds it (d2string, and "-0" reads back as 0): integral scores within
 * ±2^62 in plain digits, others as "%.17g". A skiplist's are replied from the double ("%.17Lg",
 * the same text as "%.17g").
 */
export function listpackScore(score: number): string {
  if (Number.isInteger(score) && Math.abs(score) <= LISTPACK_INT_SCORE_MAX) return formatInt(score);
  return formatDouble(score);
}

/** C's "%.<precision>g". */
export function formatG(d: number, precision: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const exp = d.toExponential(precision - 1); // d.ddddde+X
  const eIdx = exp.indexOf('e');
  const x = parseInt(exp.slice(eIdx + 1), 10);
  if (x < -4 || x >= precision) {
    let mant = exp.slice(0, eIdx);
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const sign = x < 0 ? '-' : '+';
    const ax = Math.abs(x);
    return `${mant}e${sign}${ax < 10 ? '0' : ''}${ax}`;
  }
  let fixed = d.toFixed(Math.max(0, precision - 1 - x));
  if (fixed.includes('.')) fixed = fixed.replace(/0+$/, '').replace(/\.$/, '');
  return fixed;
}

/** Decimal rendering of an integer-valued number without exponent (for int64 replies). */
export function formatInt(n: number | bigint): string {
  return typeof n === 'bigint' ? n.toString() : Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
}
