/*
 * C's number text conversions as glibc does them, for cjson: printf's "%.<p>g" (exact, ties to
 * even) and strtod (decimal, hexadecimal, inf/infinity and nan(...) forms).
 */

const bitsView = new DataView(new ArrayBuffer(8));

/** True when the positive double `a` times 10^scale is an integer (exact, with BigInts). */
function isIntegerAfterScaling(a: number, scale: number): boolean {
  bitsView.setFloat64(0, a);
  const hi = bitsView.getUint32(0);
  const lo = bitsView.getUint32(4);
  const biased = hi >>> 20;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mantissa |= 1n << 52n;
  const exp2 = (biased === 0 ? 1 : biased) - 1075;
  const numerator = (mantissa << BigInt(Math.max(exp2, 0))) * 10n ** BigInt(Math.max(scale, 0));
  const denominator = (1n << BigInt(Math.max(-exp2, 0))) * 10n ** BigInt(Math.max(-scale, 0));
  return numerator % denominator === 0n;
}

/** The `precision` leading decimal digits of the positive finite `a`, rounded half to even, and its decimal exponent. */
function leadingDigits(a: number, precision: number): { digits: string; exponent: number } {
  // JS rounds exact ties away from zero; printf rounds them to even. One more digit shows a tie.
  const longer = a.toExponential(precision);
  const e = longer.indexOf('e');
  const digits = longer[0] + longer.slice(2, e);
  const exponent = Number(longer.slice(e + 1));
  if (digits[precision] === '5' && Number(digits[precision - 1]) % 2 === 0 && isIntegerAfterScaling(a, precision - exponent)) {
    return { digits: digits.slice(0, precision), exponent };
  }
  const rounded = a.toExponential(precision - 1);
  const e2 = rounded.indexOf('e');
  return { digits: rounded[0] + rounded.slice(2, e2), exponent: Number(rounded.slice(e2 + 1)) };
}

function stripZeros(fraction: string): string {
  let end = fraction.length;
  while (end > 0 && fraction[end - 1] === '0') end--;
  return end === 0 ? '' : '.' + fraction.slice(0, end);
}

/** printf("%.<precision>g", x) for a non-NaN x (1 <= precision <= 17). */
export function formatG(x: number, precision: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 10 ** precision && !Object.is(x, -0)) return String(x);
  if (x === 0) return '-0';
  const sign = x < 0 ? '-' : '';
  if (!Number.isFinite(x)) return sign + 'inf';
  const { digits, exponent } = leadingDigits(Math.abs(x), precision);
  if (exponent < -4 || exponent >= precision) {
    const e = Math.abs(exponent);
    return `${sign}${digits[0]}${stripZeros(digits.slice(1))}e${exponent < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exponent >= 0) return sign + digits.slice(0, exponent + 1) + stripZeros(digits.slice(exponent + 1));
  return sign + '0' + stripZeros('0'.repeat(-exponent - 1) + digits);
}

function isHexDigit(c: string | undefined): boolean {
  return c !== undefined && /[0-9a-fA-F]/.test(c);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Where a run of decimal digits starting at `i` ends. */
function skipDigits(s: string, i: number): number {
  while (isDigit(s[i])) i++;
  return i;
}

/** Where an exponent part ([eEpP][+-]?digits) at `i` ends; `i` itself when there is none. */
function skipExponent(s: string, i: number, marker: string): number {
  if (s[i]?.toLowerCase() !== marker) return i;
  let j = i + 1;
  if (s[j] === '+' || s[j] === '-') j++;
  return isDigit(s[j]) ? skipDigits(s, j) : i;
}

/** mantissa * 2^exp2 rounded to the nearest double (ties to even), subnormals included. */
function scaleBinary(mantissa: bigint, exp2: number): number {
  if (mantissa === 0n) return 0;
  const bits = mantissa.toString(2).length;
  const top = exp2 + bits - 1; // the value lies in [2^top, 2^(top+1))
  if (top > 1023) return Infinity;
  const keep = top < -1022 ? 53 - (-1022 - top) : 53;
  if (keep < 0) return 0;
  const shift = bits - keep;
  let q = mantissa;
  if (shift > 0) {
    q = mantissa >> BigInt(shift);
    const rest = mantissa & ((1n << BigInt(shift)) - 1n);
    const half = 1n << BigInt(shift - 1);
    if (rest > half || (rest === half && (q & 1n) === 1n)) q++;
  } else {
    q = mantissa << BigInt(-shift);
  }
  // q * 2^scale in two steps, so that no intermediate power of two underflows.
  const scale = exp2 + shift;
  const firstHalf = Math.trunc(scale / 2);
  return Number(q) * 2 ** firstHalf * 2 ** (scale - firstHalf);
}

/** strtod: the number at `start` in `s` and where it ends (`end === start` when there is none). */
export function strtod(s: string, start: number): { value: number; end: number } {
  let i = start;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') negative = s[i++] === '-';
  const signed = (v: number): number => (negative ? -v : v);
  const word = s.slice(i, i + 8).toLowerCase();
  if (word.startsWith('inf')) return { value: signed(Infinity), end: i + (word === 'infinity' ? 8 : 3) };
  if (word.startsWith('nan')) {
    let end = i + 3;
    const sequence = /^\([0-9A-Za-z_]*\)/.exec(s.slice(end));
    if (sequence !== null) end += sequence[0].length;
    return { value: signed(NaN), end };
  }
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && (isHexDigit(s[i + 2]) || (s[i + 2] === '.' && isHexDigit(s[i + 3])))) {
    let j = i + 2;
    let digits = '';
    let fractionDigits = 0;
    while (isHexDigit(s[j])) digits += s[j++];
    if (s[j] === '.') {
      j++;
      while (isHexDigit(s[j])) {
        digits += s[j++];
        fractionDigits++;
      }
    }
    const end = skipExponent(s, j, 'p');
    const exp2 = (end > j ? Number(s.slice(j + 1, end)) : 0) - 4 * fractionDigits;
    return { value: signed(scaleBinary(BigInt('0x' + digits), exp2)), end };
  }
  let j = skipDigits(s, i);
  let mantissaDigits = j - i;
  if (s[j] === '.') {
    const afterPoint = skipDigits(s, j + 1);
    mantissaDigits += afterPoint - j - 1;
    j = afterPoint;
  }
  if (mantissaDigits === 0) return { value: 0, end: start };
  const end = skipExponent(s, j, 'e');
  return { value: signed(Number(s.slice(i, end))), end };
}
