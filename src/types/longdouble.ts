/*
 * An exact emulation of C's `long double` on x86-64 (the x87 80-bit extended format), for the
 * commands Redis computes in it: INCRBYFLOAT and HINCRBYFLOAT (util.c string2ld / ld2string).
 *
 * Format facts: 64-bit significand with an explicit integer bit, 15-bit exponent with bias 16383.
 * A finite value here is ±mant × 2^exp with mant < 2^64, kept canonical:
 *   - normal:    2^63 ≤ mant < 2^64 and MIN_EXP ≤ exp ≤ MAX_EXP
 *   - subnormal: mant < 2^63 and exp = MIN_EXP (zero is mant = 0, exp = MIN_EXP, with a sign)
 * so two equal values have equal fields. Every operation computes the exact result with BigInt and
 * rounds it once, to nearest with ties to even, as the FPU (and glibc's strtold/printf) do.
 */

/** Exponent of the last significand bit of a subnormal: 2^(1 - 16383 - 63). */
const MIN_EXP = -16445;
/** The largest finite value is (2^64 - 1) × 2^MAX_EXP ≈ 1.19e4932. */
const MAX_EXP = 16320;
const MANT_BITS = 64;
const MANT_TOP = 1n << 63n;
const MANT_LIMIT = 1n << 64n;
/** Redis's MAX_LONG_DOUBLE_CHARS: string2ld refuses inputs of this length or more. */
export const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

export interface LongDouble {
  readonly kind: 'finite' | 'inf' | 'nan';
  readonly neg: boolean;
  readonly mant: bigint;
  readonly exp: number;
}

const POS_ZERO: LongDouble = { kind: 'finite', neg: false, mant: 0n, exp: MIN_EXP };
const NEG_ZERO: LongDouble = { kind: 'finite', neg: true, mant: 0n, exp: MIN_EXP };
const POS_INF: LongDouble = { kind: 'inf', neg: false, mant: 0n, exp: 0 };
const NEG_INF: LongDouble = { kind: 'inf', neg: true, mant: 0n, exp: 0 };
const NAN: LongDouble = { kind: 'nan', neg: false, mant: 0n, exp: 0 };

function zero(neg: boolean): LongDouble {
  return neg ? NEG_ZERO : POS_ZERO;
}

function infinity(neg: boolean): LongDouble {
  return neg ? NEG_INF : POS_INF;
}

export function isFiniteLongDouble(v: LongDouble): boolean {
  return v.kind === 'finite';
}

// ---------------------------------------------------------------------------------------------
// Low level: exact integers and rounding

/** Number of bits of n > 0. */
function bitLength(n: bigint): number {
  const hex = n.toString(16);
  return hex.length * 4 - Math.clz32(parseInt(hex[0], 16)) + 28;
}

const powersOfTen: bigint[] = [1n];

/** 10^k for k ≥ 0 (cached: the same exponents come back for every number of a given scale). */
function pow10(k: number): bigint {
  if (k < 256) {
    for (let i = powersOfTen.length; i <= k; i++) powersOfTen.push(powersOfTen[i - 1] * 10n);
    return powersOfTen[k];
  }
  return 10n ** BigInt(k);
}

/**
 * Rounds ±(n × 2^e + tail) to the nearest long double, ties to even, where `sticky` says whether
 * a nonzero tail smaller than 2^e exists. Callers that pass sticky give n at least 66 bits, so the
 * tail always falls below the rounding point. Overflow gives ±inf; an underflow may give ±0.
 */
function roundToLongDouble(neg: boolean, n: bigint, e: number, sticky: boolean): LongDouble {
  if (n === 0n) return zero(neg);
  const bits = bitLength(n);
  let exp = Math.max(e + bits - MANT_BITS, MIN_EXP);
  let mant: bigint;
  if (exp <= e) {
    mant = n << BigInt(e - exp);
  } else {
    const shift = exp - e;
    if (shift > bits) {
      mant = 0n; // below half of the smallest step
    } else {
      const s = BigInt(shift);
      mant = n >> s;
      const rest = n - (mant << s);
      const half = 1n << (s - 1n);
      if (rest > half || (rest === half && (sticky || (mant & 1n) === 1n))) mant += 1n;
    }
  }
  if (mant === MANT_LIMIT) {
    mant = MANT_TOP;
    exp++;
  }
  if (exp > MAX_EXP) return infinity(neg);
  if (mant === 0n) return zero(neg);
  return { kind: 'finite', neg, mant, exp };
}

/** The exact value of an integer (int64 values are always exact: they fit 64 bits). */
export function longDoubleFromInteger(n: number | bigint): LongDouble {
  const b = BigInt(n);
  return b < 0n ? roundToLongDouble(true, -b, 0, false) : roundToLongDouble(false, b, 0, false);
}

const doubleBits = new DataView(new ArrayBuffer(8));

/** The exact value of a double (every double is a long double). */
export function longDoubleFromDouble(d: number): LongDouble {
  if (Number.isNaN(d)) return NAN;
  if (d === 0) return zero(Object.is(d, -0));
  if (!Number.isFinite(d)) return infinity(d < 0);
  doubleBits.setFloat64(0, d);
  const bits = doubleBits.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // IEEE double: 52 stored fraction bits, an implicit leading 1 unless subnormal, bias 1023.
  const mant = biased === 0 ? fraction : fraction | (1n << 52n);
  return roundToLongDouble(d < 0, mant, (biased === 0 ? 1 : biased) - 1075, false);
}

// ---------------------------------------------------------------------------------------------
// Parsing: glibc strtold under Redis's string2ld rules

const DECIMAL_RE = /^([+-]?)(?:([0-9]+)(?:\.([0-9]*))?|\.([0-9]+))(?:[eE]([+-]?[0-9]+))?$/;
const HEX_RE = /^([+-]?)0[xX](?:([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?|\.([0-9a-fA-F]+))(?:[pP]([+-]?[0-9]+))?$/;
const INF_RE = /^([+-]?)inf(?:inity)?$/i;
/** Exponents beyond this overflow or underflow whatever the digits (inputs are < 5120 chars). */
const EXPONENT_CLAMP = 1e7;

/** An exponent's digits as a number, saturated so absurd exponents cannot cost work. */
function parseExponent(s: string | undefined): number {
  if (s === undefined) return 0;
  const n = parseInt(s, 10);
  return Math.max(-EXPONENT_CLAMP, Math.min(EXPONENT_CLAMP, n));
}

/**
 * Redis's string2ld: the whole string must be what strtold reads (decimal, hex float, inf or
 * infinity, with an optional sign), no leading space, shorter than 5120 bytes. NaN, overflow and an
 * underflow to zero are refused (strtold's ERANGE); subnormal results are accepted. Returns null
 * when refused.
 */
export function parseLongDouble(s: string): LongDouble | null {
  if (s.length === 0 || s.length >= MAX_LONG_DOUBLE_CHARS) return null;
  let m = DECIMAL_RE.exec(s);
  if (m !== null) {
    const frac = m[3] ?? m[4] ?? '';
    return decimalToLongDouble(m[1] === '-', (m[2] ?? '') + frac, parseExponent(m[5]) - frac.length);
  }
  if ((m = HEX_RE.exec(s)) !== null) {
    const frac = m[3] ?? m[4] ?? '';
    const n = BigInt('0x' + (m[2] ?? '') + frac);
    return inRange(n, roundToLongDouble(m[1] === '-', n, parseExponent(m[5]) - 4 * frac.length, false));
  }
  if ((m = INF_RE.exec(s)) !== null) return infinity(m[1] === '-');
  return null;
}

/** strtold's ERANGE as string2ld refuses it: null when `v` overflowed, or a nonzero n became zero. */
function inRange(n: bigint, v: LongDouble): LongDouble | null {
  if (v.kind !== 'finite' || (v.mant === 0n && n !== 0n)) return null;
  return v;
}

/** ±digits × 10^e10 correctly rounded, or null when out of range (see inRange). */
function decimalToLongDouble(neg: boolean, digits: string, e10: number): LongDouble | null {
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 48) start++;
  let end = digits.length;
  while (end > start && digits.charCodeAt(end - 1) === 48) end--;
  if (start === end) return zero(neg);
  e10 += digits.length - end;
  // The value lies in [10^(mag - 1), 10^mag): far overflows and underflows need no arithmetic.
  const mag = end - start + e10;
  if (mag - 1 > 4933 || mag < -4960) return null;
  const d = BigInt(digits.slice(start, end));
  if (e10 >= 0) return inRange(d, roundToLongDouble(neg, d * pow10(e10), 0, false));
  // Divide with enough quotient bits (≥ 66) that the remainder only decides ties.
  const den = pow10(-e10);
  const shift = Math.max(0, MANT_BITS + 2 + bitLength(den) - bitLength(d));
  const num = d << BigInt(shift);
  const q = num / den;
  return inRange(d, roundToLongDouble(neg, q, -shift, q * den !== num));
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

/** a + b rounded once, as the x87 FPU does (round to nearest, ties to even, 64-bit precision). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  if (a.kind === 'inf') return b.kind === 'inf' && b.neg !== a.neg ? NAN : a;
  if (b.kind === 'inf') return b;
  if (a.mant === 0n && b.mant === 0n) return zero(a.neg && b.neg);
  if (a.mant === 0n) return b;
  if (b.mant === 0n) return a;
  // Order by exponent; a much smaller operand (under a quarter of the larger's last bit) cannot
  // move the rounded result, so it is skipped instead of aligned bit by bit.
  const [hi, lo] = a.exp >= b.exp ? [a, b] : [b, a];
  const gap = hi.exp - lo.exp;
  if (gap > 2 * MANT_BITS + 2) return hi;
  const hiMant = hi.mant << BigInt(gap);
  const sum = (hi.neg ? -hiMant : hiMant) + (lo.neg ? -lo.mant : lo.mant);
  if (sum === 0n) return POS_ZERO;
  return sum < 0n ? roundToLongDouble(true, -sum, lo.exp, false) : roundToLongDouble(false, sum, lo.exp, false);
}

// ---------------------------------------------------------------------------------------------
// Formatting: glibc printf "%.<n>Lf" and "%.<n>Lg", exact and rounded half to even

/** round(|v| × 10^scale) to an integer, ties to even. */
function scaledRound(v: LongDouble, scale: number): bigint {
  let num = v.mant;
  let den = 1n;
  if (v.exp >= 0) num <<= BigInt(v.exp);
  else den <<= BigInt(-v.exp);
  if (scale >= 0) num *= pow10(scale);
  else den *= pow10(-scale);
  const q = num / den;
  const rest2 = (num - q * den) * 2n;
  return rest2 > den || (rest2 === den && (q & 1n) === 1n) ? q + 1n : q;
}

function specialText(v: LongDouble): string {
  if (v.kind === 'inf') return v.neg ? '-inf' : 'inf';
  return v.neg ? '-nan' : 'nan';
}

/** C's printf("%.<decimals>Lf", v). */
export function formatLongDoubleFixed(v: LongDouble, decimals: number): string {
  if (v.kind !== 'finite') return specialText(v);
  const digits = scaledRound(v, decimals).toString().padStart(decimals + 1, '0');
  const sign = v.neg ? '-' : '';
  if (decimals === 0) return sign + digits;
  const point = digits.length - decimals;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * Redis's ld2string(LD_STR_HUMAN), as INCRBYFLOAT and HINCRBYFLOAT store and reply their result:
 * "%.17Lf", trailing zeros (and a bare point) removed, "-0" written "0"; infinities "inf"/"-inf".
 */
export function formatLongDoubleHuman(v: LongDouble): string {
  if (v.kind !== 'finite') return specialText(v);
  const s = stripFraction(formatLongDoubleFixed(v, 17));
  return s === '-0' ? '0' : s;
}

/** C's printf("%.<precision>Lg", v) (Redis's ld2string LD_STR_AUTO uses precision 17). */
export function formatLongDoubleG(v: LongDouble, precision = 17): string {
  if (v.kind !== 'finite') return specialText(v);
  const sign = v.neg ? '-' : '';
  if (v.mant === 0n) return sign + '0';
  const p = Math.max(precision, 1);
  // Decimal exponent x of the value: estimated from the binary one, then corrected exactly.
  let x = Math.floor((bitLength(v.mant) - 1 + v.exp) * Math.LOG10E * Math.LN2);
  const low = pow10(p - 1);
  const high = pow10(p);
  let digits = scaledRound(v, p - 1 - x);
  while (digits < low) digits = scaledRound(v, p - 1 - --x);
  while (digits >= high) {
    x++;
    digits = scaledRound(v, p - 1 - x);
  }
  let text = digits.toString();
  if (x < -4 || x >= p) {
    const mantissa = stripFraction(text.length > 1 ? `${text[0]}.${text.slice(1)}` : text);
    const ax = Math.abs(x);
    return `${sign}${mantissa}e${x < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
  }
  if (x >= 0) text = x + 1 < text.length ? `${text.slice(0, x + 1)}.${text.slice(x + 1)}` : text;
  else text = `0.${'0'.repeat(-x - 1)}${text}`;
  return sign + stripFraction(text);
}

/** Removes trailing zeros after a decimal point, and the point when nothing follows it. */
function stripFraction(s: string): string {
  if (s.indexOf('.') < 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}
