/*
 * The long double emulation against results of glibc on x86-64 (strtold, x87 addition, printf),
 * recorded from a C program that mirrors Redis's string2ld / ld2string. The differential test
 * against redis-server itself is test/property/strings-incrbyfloat.test.ts.
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addLongDouble,
  formatLongDoubleFixed,
  formatLongDoubleG,
  formatLongDoubleHuman,
  longDoubleFromDouble,
  longDoubleFromInteger,
  parseLongDouble,
} from '../../src/types/longdouble.js';

/** What INCRBYFLOAT computes for a stored value and an increment: its text, or which failed. */
function incrbyfloat(value: string, incr: string): string {
  const a = parseLongDouble(value);
  if (a === null) return 'ERR value';
  const b = parseLongDouble(incr);
  if (b === null) return 'ERR incr';
  const sum = addLongDouble(a, b);
  return sum.kind === 'finite' ? formatLongDoubleHuman(sum) : 'ERR nan/inf';
}

/** The largest finite long double, (2^64 - 1) × 2^16320, written out. */
const LDBL_MAX = ((1n << 64n) - 1n) << 16320n;

describe('INCRBYFLOAT arithmetic (value + increment as glibc long double)', () => {
  const cases: Array<[string, string, string]> = [
    ['10.5', '1.1', '11.6'],
    ['0.1', '0.2', '0.3'],
    ['0.1', '0.1', '0.2'],
    ['1', '-1', '0'],
    ['-0', '-0', '0'],
    ['5', '-5.00000000000000000001', '0'],
    ['9223372036854775807', '1', '9223372036854775808'],
    ['-9223372036854775808', '-1', '-9223372036854775809'],
    ['3.0000000000000000001', '0', '3'],
    ['3.14159265358979323846264338327950288', '0', '3.14159265358979324'],
    ['123456789012345678901234567890', '0.1', '123456789012345678899921813504'],
    ['1e17', '0.5', '100000000000000000.5'],
    ['1e20', '1.5', '100000000000000000000'],
    ['12345678.0009765625', '0', '12345678.0009765625'],
    ['0x1.8p1', '0.5', '3.5'],
    ['0X.8P-1', '0', '0.25'],
    ['0x10', '1', '17'],
    ['1.', '.5', '1.5'],
    ['+.5', '-.25', '0.25'],
    ['0e-5000', '1', '1'],
  ];
  for (const [value, incr, expected] of cases) {
    it(`${value} + ${incr} = ${expected}`, () => {
      expect(incrbyfloat(value, incr)).toBe(expected);
    });
  }

  it('rounds %.17Lf ties to even and writes tiny values (of either sign) as 0', () => {
    expect(incrbyfloat('0.000003814697265625', '0')).toBe('0.00000381469726562');
    expect(incrbyfloat('1.5e-17', '0')).toBe('0.00000000000000002');
    expect(incrbyfloat('2.5e-17', '0')).toBe('0.00000000000000002');
    expect(incrbyfloat('1e-18', '0')).toBe('0');
    expect(incrbyfloat('-1e-18', '0')).toBe('0');
    expect(incrbyfloat('-5e-18', '0')).toBe('0');
  });

  it('values beyond a double but within long double range are exact integers in the text', () => {
    expect(incrbyfloat('1.18973149535723176502e+4932', '1')).toBe(LDBL_MAX.toString());
    expect(incrbyfloat('1.1897314953572317650e+4932', '0')).toBe(LDBL_MAX.toString());
    expect(incrbyfloat('1e308', '9e308')).toMatch(/^9999999999999999999863494245812564547663\d{269}$/);
  });

  it('overflow to infinity and infinite operands are refused', () => {
    expect(incrbyfloat('1.18973149535723176502e+4932', '1e4932')).toBe('ERR nan/inf');
    expect(incrbyfloat('inf', '1')).toBe('ERR nan/inf');
    expect(incrbyfloat('-inf', '-inf')).toBe('ERR nan/inf');
    expect(incrbyfloat('infinity', '0')).toBe('ERR nan/inf');
  });

  it('strtold under string2ld rules: what is not a whole number is refused', () => {
    for (const bad of ['', '.', '1e', '1e+', '0x', '0x1p', 'infin', 'nan', 'NaN(1)', ' 1', '1 ', '1\x00', '--1', '+-1', 'e5', '1,5', '0x1.p', '1e4933']) {
      expect(parseLongDouble(bad), JSON.stringify(bad)).toBeNull();
    }
    expect(parseLongDouble('0'.repeat(5118) + '1')).not.toBeNull();
    expect(parseLongDouble('0'.repeat(5119) + '1')).toBeNull();
  });

  it('underflow: subnormals are accepted, values that round to zero are refused', () => {
    expect(parseLongDouble('3.6451995318824746025e-4951')).not.toBeNull();
    expect(parseLongDouble('1.8225997659412373013e-4951')).not.toBeNull();
    expect(parseLongDouble('1.8225997659412373012e-4951')).toBeNull();
    expect(parseLongDouble('1e-5000')).toBeNull();
    expect(parseLongDouble('1e-99999999999999999999')).toBeNull();
    expect(parseLongDouble('1e99999999999999999999')).toBeNull();
    expect(incrbyfloat('0x1p-16445', '0x1p-16445')).toBe('0');
  });
});

describe('%.17Lg and %.<n>Lf formatting', () => {
  const g = (s: string): string => formatLongDoubleG(parseLongDouble(s)!);

  it('matches glibc printf("%.17Lg")', () => {
    expect(g('0x1p-16445')).toBe('3.6451995318824746e-4951');
    expect(g('0x1p16383')).toBe('5.9486574767861588e+4931');
    expect(g('1e-5')).toBe('1e-05');
    expect(g('0.0001')).toBe('0.0001');
    expect(g('123456789012345678')).toBe('1.2345678901234568e+17');
    expect(g('1e17')).toBe('1e+17');
    expect(g('12345678.0009765625')).toBe('12345678.000976562');
    expect(g('-0')).toBe('-0');
    expect(g('2.5')).toBe('2.5');
    expect(g('1e20')).toBe('1e+20');
    expect(formatLongDoubleG(parseLongDouble('inf')!)).toBe('inf');
    expect(formatLongDoubleG(parseLongDouble('-infinity')!)).toBe('-inf');
  });

  it('fixed notation keeps the sign of negative zero as printf does', () => {
    expect(formatLongDoubleFixed(parseLongDouble('-0')!, 3)).toBe('-0.000');
    expect(formatLongDoubleFixed(parseLongDouble('2.5')!, 0)).toBe('2');
    expect(formatLongDoubleFixed(parseLongDouble('3.5')!, 0)).toBe('4');
  });

  it('%.17Lg of a double read back as a double is the same double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        expect(Number(formatLongDoubleG(longDoubleFromDouble(d)))).toBe(d);
      }),
    );
  });

  it('integers of int64 are exact and print as themselves', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (n) => {
        expect(formatLongDoubleHuman(longDoubleFromInteger(n))).toBe(n.toString());
        expect(formatLongDoubleHuman(parseLongDouble(n.toString())!)).toBe(n.toString());
      }),
    );
  });

  it('sums of doubles that are exact in 64 bits agree with JavaScript', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: 0, max: 12 }), (a, b, shift) => {
        const x = a / 2 ** shift;
        const y = b / 2 ** shift;
        const sum = addLongDouble(longDoubleFromDouble(x), longDoubleFromDouble(y));
        expect(Number(formatLongDoubleHuman(sum))).toBe(x + y);
      }),
    );
  });

  it('addition is commutative, including signed zeros and subnormals', () => {
    const operand = fc.oneof(
      fc.double({ noNaN: true }).map(String),
      fc.constantFrom('0', '-0', '0x1p-16445', '-0x1.ffp-16400', '1e4932', '-1e4932', 'inf', '-inf'),
    );
    fc.assert(
      fc.property(operand, operand, (x, y) => {
        const a = parseLongDouble(x)!;
        const b = parseLongDouble(y)!;
        expect(addLongDouble(a, b)).toEqual(addLongDouble(b, a));
      }),
    );
  });
});
