/*
 * Redis's `struct` library (Roberto Ierusalimschy's lua_struct.c as Redis ships it): pack, unpack
 * and size of binary records described by a format string, with Redis's x86-64 sizes (long and
 * size_t are 8 bytes, the maximum alignment is 8, the native byte order is little endian).
 */

import type { LuaFunction, LuaVm } from '../lua.js';
import { argCheck, argError, beforeNul, cfunctionOnce, checkNumber, checkStack, checkString, luaError, optInteger, registerLibrary, toInt64 } from './auxlib.js';

const MAX_INT_SIZE = 32;
const MAX_ALIGN = 8;
const UINT64_MASK = (1n << 64n) - 1n;
const TWO_64 = 18446744073709551616;

/** The format being read plus the header options ('<', '>', '!') seen so far. */
class Format {
  pos = 0;
  littleEndian = true;
  align = 1;
  readonly text: string;

  constructor(
    private readonly vm: LuaVm,
    private readonly L: number,
    format: string,
  ) {
    this.text = beforeNul(format);
  }

  done(): boolean {
    return this.pos >= this.text.length;
  }

  next(): string {
    return this.text[this.pos++];
  }

  /** getnum: a decimal count at the cursor, or `fallback` when there is none. */
  number(fallback: number): number {
    if (!isDigit(this.text[this.pos])) return fallback;
    let a = 0;
    do {
      const digit = this.text.charCodeAt(this.pos) - 48;
      if (a > Math.trunc(2147483647 / 10) || a * 10 > 2147483647 - digit) luaError(this.vm, this.L, 'integral size overflow');
      a = a * 10 + digit;
      this.pos++;
    } while (isDigit(this.text[this.pos]));
    return a;
  }

  /** optsize: the byte size of option `opt` (0 for options that take no room or vary). */
  size(opt: string): number {
    switch (opt) {
      case 'B': case 'b': return 1;
      case 'H': case 'h': return 2;
      case 'L': case 'l': case 'T': case 'd': return 8;
      case 'f': return 4;
      case 'x': return 1;
      case 'c': return this.number(1);
      case 'i': case 'I': {
        const size = this.number(4);
        if (size > MAX_INT_SIZE) luaError(this.vm, this.L, `integral size ${size} is larger than limit of ${MAX_INT_SIZE}`);
        return size;
      }
      default: return 0;
    }
  }

  /** gettoalign: padding before an item of `size` bytes at offset `at` (a negative `at` stands for a huge size_t). */
  padding(at: number, opt: string, size: number): number {
    if (size === 0 || opt === 'c') return 0;
    if (size > this.align) size = this.align;
    return (size - (at & (size - 1))) & (size - 1);
  }

  /** controloptions: the header options; anything else is an invalid option. */
  control(opt: string): void {
    switch (opt) {
      case ' ': return;
      case '>': this.littleEndian = false; return;
      case '<': this.littleEndian = true; return;
      case '!': {
        const a = this.number(MAX_ALIGN);
        if (!(a > 0 && (a & (a - 1)) === 0)) luaError(this.vm, this.L, `alignment ${a} is not a power of 2`);
        this.align = a;
        return;
      }
      default: argError(this.vm, this.L, 1, `invalid format option '${opt}'`);
    }
  }
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isAlnum(c: string): boolean {
  return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/** C's conversion of a double to unsigned long as gcc emits it on x86-64 (negatives go through long). */
function toUint64(n: number): bigint {
  if (n < 0) return BigInt.asUintN(64, BigInt(toInt64(n)));
  if (n >= TWO_64) return 0n;
  if (Number.isNaN(n)) return 1n << 63n;
  return BigInt(Math.trunc(n));
}

function integerBytes(value: bigint, size: number, littleEndian: boolean): string {
  let s = '';
  for (let i = 0; i < size; i++) {
    const byte = String.fromCharCode(i < 8 ? Number((value >> BigInt(8 * i)) & 0xffn) : 0);
    s = littleEndian ? s + byte : byte + s;
  }
  return s;
}

/** getinteger: the bytes as an unsigned long (wider items keep their last 8 bytes), sign-extended if asked. */
function integerValue(data: string, at: number, size: number, littleEndian: boolean, signed: boolean): number {
  let l = 0n;
  for (let i = 0; i < size; i++) {
    const byte = data.charCodeAt(littleEndian ? at + size - 1 - i : at + i);
    l = ((l << 8n) | BigInt(byte)) & UINT64_MASK;
  }
  if (!signed) return Number(l);
  // x86 masks the shift count to 6 bits, which matters for the sizes above 8 and for 0.
  const mask = (UINT64_MASK << BigInt((size * 8 - 1) & 63)) & UINT64_MASK;
  if (l & mask) l |= mask;
  return Number(BigInt.asIntN(64, l));
}

const floatView = new DataView(new ArrayBuffer(8));

function floatBytes(n: number, size: 4 | 8, littleEndian: boolean): string {
  if (size === 4) floatView.setFloat32(0, n, littleEndian);
  else floatView.setFloat64(0, n, littleEndian);
  let s = '';
  for (let i = 0; i < size; i++) s += String.fromCharCode(floatView.getUint8(i));
  return s;
}

function floatValue(data: string, at: number, size: 4 | 8, littleEndian: boolean): number {
  for (let i = 0; i < size; i++) floatView.setUint8(i, data.charCodeAt(at + i));
  return size === 4 ? floatView.getFloat32(0, littleEndian) : floatView.getFloat64(0, littleEndian);
}

const pack = (vm: LuaVm): LuaFunction => (L) => {
  const format = new Format(vm, L, checkString(vm, L, 1));
  // lua_struct.c pushes a nil to mark the end of the arguments: a missing one is "got nil".
  vm.m._lua_pushnil(L);
  let arg = 2;
  let total = 0;
  const out: string[] = [];
  while (!format.done()) {
    const opt = format.next();
    let size = format.size(opt);
    const padding = format.padding(total, opt, size);
    total += padding;
    if (padding > 0) out.push('\0'.repeat(padding));
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        out.push(integerBytes(toUint64(checkNumber(vm, L, arg++)), size, format.littleEndian));
        break;
      case 'x':
        out.push('\0');
        break;
      case 'f':
      case 'd':
        out.push(floatBytes(checkNumber(vm, L, arg++), size as 4 | 8, format.littleEndian));
        break;
      case 'c':
      case 's': {
        const s = checkString(vm, L, arg++);
        if (size === 0) size = s.length;
        argCheck(vm, L, s.length >= size, arg, 'string too short');
        out.push(s.slice(0, size));
        if (opt === 's') {
          out.push('\0');
          size++;
        }
        break;
      }
      default:
        format.control(opt);
    }
    total += size;
  }
  vm.pushString(L, out.join(''));
  return 1;
};

const unpack = (vm: LuaVm): LuaFunction => (L) => {
  const format = new Format(vm, L, checkString(vm, L, 1));
  const data = checkString(vm, L, 2);
  const ld = data.length;
  // size_t pos: a negative offset stands for a huge one, which no data string is long enough for.
  let pos = optInteger(vm, L, 3, 1);
  argCheck(vm, L, pos !== 0, 3, 'offset must be 1 or greater');
  pos--;
  let n = 0;
  const fits = (size: number): boolean => size <= ld && pos >= 0 && pos <= ld - size;
  while (!format.done()) {
    const opt = format.next();
    let size = format.size(opt);
    pos += format.padding(pos, opt, size);
    argCheck(vm, L, fits(size), 2, 'data string too short');
    checkStack(vm, L, 2, 'too many results');
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        vm.m._lua_pushnumber(L, integerValue(data, pos, size, format.littleEndian, opt >= 'a'));
        n++;
        break;
      case 'x':
        break;
      case 'f':
      case 'd':
        vm.m._lua_pushnumber(L, floatValue(data, pos, size as 4 | 8, format.littleEndian));
        n++;
        break;
      case 'c':
        if (size === 0) {
          // 'c0' takes its length from the previous result, which it replaces.
          if (n === 0 || vm.m._lua_isnumber(L, -1) === 0) luaError(vm, L, "format 'c0' needs a previous size");
          const previous = vm.m._lua_tonumber(L, -1);
          size = previous < 0 ? Infinity : Math.trunc(previous);
          vm.pop(L, 1);
          n--;
          argCheck(vm, L, fits(size), 2, 'data string too short');
        }
        vm.pushString(L, data.slice(pos, pos + size));
        n++;
        break;
      case 's': {
        const end = data.indexOf('\0', pos);
        if (end < 0) luaError(vm, L, 'unfinished string in data');
        size = end - pos + 1;
        vm.pushString(L, data.slice(pos, end));
        n++;
        break;
      }
      default:
        format.control(opt);
    }
    pos += size;
  }
  vm.m._lua_pushnumber(L, pos + 1);
  return n + 1;
};

const size = (vm: LuaVm): LuaFunction => (L) => {
  const format = new Format(vm, L, checkString(vm, L, 1));
  let pos = 0;
  while (!format.done()) {
    const opt = format.next();
    const itemSize = format.size(opt);
    pos += format.padding(pos, opt, itemSize);
    if (opt === 's') argError(vm, L, 1, "option 's' has no fixed size");
    else if (opt === 'c' && itemSize === 0) argError(vm, L, 1, "option 'c0' has no fixed size");
    if (!isAlnum(opt)) format.control(opt);
    pos += itemSize;
  }
  vm.m._lua_pushnumber(L, pos);
  return 1;
};

const FUNCTIONS: Array<[string, (vm: LuaVm) => LuaFunction]> = [
  ['pack', pack],
  ['unpack', unpack],
  ['size', size],
];

/** Creates the global `struct` table. */
export function openStruct(vm: LuaVm, L: number): void {
  const functions = FUNCTIONS.map(([name, make]): [string, number] => [name, cfunctionOnce(vm, `struct.${name}`, () => make(vm))]);
  registerLibrary(vm, L, 'struct', functions);
  vm.pop(L, 1);
}
