/*
 * The parts of Lua 5.1's lauxlib that Redis's C libraries lean on (luaL_error, luaL_argerror,
 * luaL_check*), rebuilt on the raw C API so their errors carry the exact same texts: the real
 * functions would longjmp out of the middle of a JS function.
 *
 * Numbers follow Redis's x86-64 build: lua_Integer is a 64-bit ptrdiff_t and C's double→integer
 * casts behave like cvttsd2si (out of range or NaN gives the "integer indefinite" value).
 */

import { LUA_GLOBALSINDEX, LUA_REGISTRYINDEX, T_NIL, T_TABLE, raise, type LuaFunction, type LuaVm } from '../lua.js';

const TYPE_NAMES = ['nil', 'boolean', 'userdata', 'number', 'string', 'table', 'function', 'userdata', 'thread'];

/** lua_typename of a type code (-1 is LUA_TNONE). */
export function typeName(type: number): string {
  return type < 0 ? 'no value' : (TYPE_NAMES[type] ?? '?');
}

export function upvalueIndex(i: number): number {
  return LUA_GLOBALSINDEX - i;
}

const INT64_MIN = -9223372036854775808;
const TWO_63 = 9223372036854775808;

/** C's (long long)d on x86-64. Exact: every double in range is an integer or truncates to one. */
export function toInt64(d: number): number {
  if (!(d >= -TWO_63 && d < TWO_63)) return INT64_MIN;
  return Math.trunc(d) || 0;
}

/** C's (int)d on x86-64. */
export function toInt32(d: number): number {
  if (!(d > -2147483649 && d < 2147483648)) return -2147483648;
  return Math.trunc(d) | 0;
}

/** What C code that walks a string to its NUL terminator sees of a Lua string (which may hold NULs). */
export function beforeNul(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** Reads a NUL-terminated C string out of the wasm heap (null for a NULL pointer). */
export function cString(vm: LuaVm, p: number): string | null {
  if (p === 0) return null;
  const heap = vm.m.HEAPU8;
  let s = '';
  for (let i = p; heap[i] !== 0; i++) s += String.fromCharCode(heap[i]);
  return s;
}

/** A lua_Debug per VM (100 bytes on wasm32; name at offset 4, namewhat at 8). */
const debugRecords = new WeakMap<LuaVm, number>();

function debugRecord(vm: LuaVm): number {
  let p = debugRecords.get(vm);
  if (p === undefined) {
    p = vm.m._malloc(128);
    debugRecords.set(vm, p);
  }
  return p;
}

/** luaL_where: "chunk:line: " of the function `level` calls up, or "" when that is a C function. */
export function where(vm: LuaVm, L: number, level: number): string {
  vm.m._luaL_where(L, level);
  const s = vm.toString(L, -1) ?? '';
  vm.pop(L, 1);
  return s;
}

/** luaL_error: raises `message` prefixed with the calling Lua code's position. */
export function luaError(vm: LuaVm, L: number, message: string): never {
  raise(where(vm, L, 1) + message);
}

/** luaL_argerror. */
export function argError(vm: LuaVm, L: number, narg: number, extramsg: string): never {
  const ar = debugRecord(vm);
  if (vm.m._lua_getstack(L, 0, ar) === 0) luaError(vm, L, `bad argument #${narg} (${extramsg})`);
  vm.m._lua_getinfo(L, vm.cname('n'), ar);
  const heap32 = vm.m.HEAPU32;
  const name = cString(vm, heap32[(ar + 4) >> 2]) ?? '?';
  if (cString(vm, heap32[(ar + 8) >> 2]) === 'method') {
    narg--;
    if (narg === 0) luaError(vm, L, `calling '${name}' on bad self (${extramsg})`);
  }
  luaError(vm, L, `bad argument #${narg} to '${name}' (${extramsg})`);
}

/** luaL_typerror. */
export function typeError(vm: LuaVm, L: number, narg: number, expected: string): never {
  argError(vm, L, narg, `${expected} expected, got ${typeName(vm.type(L, narg))}`);
}

/** luaL_argcheck. */
export function argCheck(vm: LuaVm, L: number, ok: boolean, narg: number, extramsg: string): void {
  if (!ok) argError(vm, L, narg, extramsg);
}

/** luaL_checknumber. */
export function checkNumber(vm: LuaVm, L: number, narg: number): number {
  const d = vm.m._lua_tonumber(L, narg);
  if (d === 0 && vm.m._lua_isnumber(L, narg) === 0) typeError(vm, L, narg, 'number');
  return d;
}

/** luaL_checkinteger: a 64-bit lua_Integer, as the double C would compute it from. */
export function checkInteger(vm: LuaVm, L: number, narg: number): number {
  return toInt64(checkNumber(vm, L, narg));
}

/** luaL_optinteger. */
export function optInteger(vm: LuaVm, L: number, narg: number, fallback: number): number {
  return vm.type(L, narg) <= T_NIL ? fallback : checkInteger(vm, L, narg);
}

/** luaL_checklstring (numbers are converted in place, as in C). */
export function checkString(vm: LuaVm, L: number, narg: number): string {
  const s = vm.toString(L, narg);
  if (s === null) typeError(vm, L, narg, 'string');
  return s;
}

/** luaL_checkoption without a default. */
export function checkOption(vm: LuaVm, L: number, narg: number, options: readonly string[]): number {
  const name = checkString(vm, L, narg);
  const i = options.indexOf(name);
  if (i < 0) argError(vm, L, narg, `invalid option '${name}'`);
  return i;
}

/** luaL_checkstack. */
export function checkStack(vm: LuaVm, L: number, space: number, what: string): void {
  if (vm.m._lua_checkstack(L, space) === 0) luaError(vm, L, `stack overflow (${what})`);
}

/**
 * The lua_CFunction pointer for `fn`, made once per VM and `key`: every wasm table slot is
 * permanent, and libraries are opened again for each fresh Lua state.
 */
const cfunctions = new WeakMap<LuaVm, Map<string, number>>();

export function cfunctionOnce(vm: LuaVm, key: string, make: () => LuaFunction): number {
  let perVm = cfunctions.get(vm);
  if (perVm === undefined) cfunctions.set(vm, (perVm = new Map()));
  let p = perVm.get(key);
  if (p === undefined) {
    p = vm.cfunction(make());
    perVm.set(key, p);
  }
  return p;
}

/**
 * luaL_register(L, name, functions): a global table (pre-sized like luaL_register does, which
 * decides pairs() order) that is also recorded in the registry's _LOADED table. Leaves it pushed.
 */
export function registerLibrary(vm: LuaVm, L: number, name: string, functions: ReadonlyArray<[string, number]>): void {
  vm.m._lua_createtable(L, 0, functions.length);
  for (const [fname, fn] of functions) {
    vm.m._lua_pushcclosure(L, fn, 0);
    vm.setField(L, -2, fname);
  }
  vm.m._lua_pushvalue(L, -1);
  vm.setField(L, LUA_GLOBALSINDEX, name);
  if (vm.getField(L, LUA_REGISTRYINDEX, '_LOADED') === T_TABLE) {
    vm.m._lua_pushvalue(L, -2);
    vm.setField(L, -2, name);
  }
  vm.pop(L, 1);
}
