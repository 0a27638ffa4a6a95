/*
 * Redis's `bit` library: LuaBitOp 1.0.2. Every operand is reduced to 32 bits the way LuaBitOp
 * does it (add 2^52+2^51 and keep the low word of the double, so fractions round to nearest even
 * and larger numbers wrap), and every result is a signed 32-bit number.
 */

import type { LuaFunction, LuaVm } from '../lua.js';
import { cfunctionOnce, registerLibrary, typeError } from './auxlib.js';

const scratch = new DataView(new ArrayBuffer(8));

/** LuaBitOp's barg: the 32-bit value of argument `idx`, raising a type error for non-numbers. */
function bitArg(vm: LuaVm, L: number, idx: number): number {
  scratch.setFloat64(0, vm.m._lua_tonumber(L, idx) + 6755399441055744.0, true);
  const b = scratch.getUint32(0, true);
  if (b === 0 && vm.m._lua_isnumber(L, idx) === 0) typeError(vm, L, idx, 'number');
  return b;
}

function result(vm: LuaVm, L: number, b: number): number {
  vm.m._lua_pushnumber(L, b | 0);
  return 1;
}

/** band, bor, bxor: fold every argument (from the last down to the second) into the first. */
function fold(op: (a: number, b: number) => number): (vm: LuaVm) => LuaFunction {
  return (vm) => (L) => {
    let b = bitArg(vm, L, 1);
    for (let i = vm.top(L); i > 1; i--) b = op(b, bitArg(vm, L, i));
    return result(vm, L, b);
  };
}

/** The shifts and rotations: the count is the second argument's low 5 bits. */
function shift(op: (b: number, n: number) => number): (vm: LuaVm) => LuaFunction {
  return (vm) => (L) => {
    const b = bitArg(vm, L, 1);
    return result(vm, L, op(b, bitArg(vm, L, 2) & 31));
  };
}

const HEX_LOWER = '0123456789abcdef';
const HEX_UPPER = '0123456789ABCDEF';

const tohex = (vm: LuaVm): LuaFunction => (L) => {
  let b = bitArg(vm, L, 1);
  let n = vm.type(L, 2) === -1 ? 8 : bitArg(vm, L, 2) | 0;
  let digits = HEX_LOWER;
  if (n < 0) {
    n = -n;
    digits = HEX_UPPER;
  }
  if (n > 8) n = 8;
  let s = '';
  for (let i = 0; i < n; i++, b >>>= 4) s = digits[b & 15] + s;
  vm.pushString(L, s);
  return 1;
};

/** In the order lua_bit.c registers them (it decides pairs() order). */
const FUNCTIONS: Array<[string, (vm: LuaVm) => LuaFunction]> = [
  ['tobit', (vm) => (L) => result(vm, L, bitArg(vm, L, 1))],
  ['bnot', (vm) => (L) => result(vm, L, ~bitArg(vm, L, 1))],
  ['band', fold((a, b) => a & b)],
  ['bor', fold((a, b) => a | b)],
  ['bxor', fold((a, b) => a ^ b)],
  ['lshift', shift((b, n) => b << n)],
  ['rshift', shift((b, n) => b >>> n)],
  ['arshift', shift((b, n) => (b | 0) >> n)],
  ['rol', shift((b, n) => (b << n) | (b >>> (32 - n)))],
  ['ror', shift((b, n) => (b << (32 - n)) | (b >>> n))],
  ['bswap', (vm) => (L) => {
    const b = bitArg(vm, L, 1);
    return result(vm, L, (b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24));
  }],
  ['tohex', tohex],
];

/** Creates the global `bit` table. */
export function openBit(vm: LuaVm, L: number): void {
  const functions = FUNCTIONS.map(([name, make]): [string, number] => [name, cfunctionOnce(vm, `bit.${name}`, () => make(vm))]);
  registerLibrary(vm, L, 'bit', functions);
  vm.pop(L, 1);
}
