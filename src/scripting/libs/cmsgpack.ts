/*
 * Redis's `cmsgpack` library: lua-cmsgpack 0.4.0 for Lua 5.1 on a 64-bit build. Numbers that are
 * whole 64-bit integers pack as the smallest integer encoding, others as float 32 when that is
 * lossless and float 64 otherwise; strings always use the str family (fixstr, str 8/16/32); tables
 * whose keys are exactly 1..n pack as arrays, other tables as maps; tables nested 16 deep pack as nil.
 */

import { LUA_GLOBALSINDEX, T_BOOLEAN, T_NIL, T_NUMBER, T_STRING, T_TABLE, raise, type LuaFunction, type LuaVm } from '../lua.js';
import { argError, cfunctionOnce, checkInteger, checkStack, checkString, luaError, optInteger, toInt32, toInt64 } from './auxlib.js';

const MAX_NESTING = 16;
const INT_MAX = 2147483647;

const view = new DataView(new ArrayBuffer(8));

function viewBytes(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(view.getUint8(i));
  return s;
}

/** `value` as `bytes` big-endian bytes (value < 2^32). */
function bigEndian(value: number, bytes: number): string {
  let s = '';
  for (let i = bytes - 1; i >= 0; i--) s += String.fromCharCode(Math.floor(value / 2 ** (8 * i)) & 0xff);
  return s;
}

function int64Bytes(n: number): string {
  view.setBigInt64(0, BigInt(n));
  return viewBytes(8);
}

/** mp_encode_int: the smallest encoding of a whole number in the 64-bit range. */
function encodeInteger(n: number): string {
  if (n >= 0) {
    if (n <= 127) return String.fromCharCode(n);
    if (n <= 0xff) return '\xcc' + bigEndian(n, 1);
    if (n <= 0xffff) return '\xcd' + bigEndian(n, 2);
    if (n <= 0xffffffff) return '\xce' + bigEndian(n, 4);
    return '\xcf' + int64Bytes(n);
  }
  if (n >= -32) return String.fromCharCode(n & 0xff);
  if (n >= -128) return '\xd0' + String.fromCharCode(n & 0xff);
  if (n >= -32768) return '\xd1' + bigEndian(n & 0xffff, 2);
  if (n >= -2147483648) return '\xd2' + bigEndian(n >>> 0, 4);
  return '\xd3' + int64Bytes(n);
}

function encodeDouble(d: number): string {
  if (Math.fround(d) === d) {
    view.setFloat32(0, d);
    return '\xca' + viewBytes(4);
  }
  view.setFloat64(0, d);
  return '\xcb' + viewBytes(8);
}

/** The header of a string, array or map of `n` items: the one-byte form below `fixLimit`, else the 8 (if any), 16 or 32-bit form. */
function header(n: number, fixLimit: number, fix: number, tags: [number | null, number, number]): string {
  if (n < fixLimit) return String.fromCharCode(fix | n);
  const [tag8, tag16, tag32] = tags;
  if (tag8 !== null && n <= 0xff) return String.fromCharCode(tag8) + bigEndian(n, 1);
  if (n <= 0xffff) return String.fromCharCode(tag16) + bigEndian(n, 2);
  return String.fromCharCode(tag32) + bigEndian(n % 2 ** 32, 4);
}

const stringHeader = (n: number): string => header(n, 32, 0xa0, [0xd9, 0xda, 0xdb]);
const arrayHeader = (n: number): string => header(n, 16, 0x90, [null, 0xdc, 0xdd]);
const mapHeader = (n: number): string => header(n, 16, 0x80, [null, 0xde, 0xdf]);

class Encoder {
  readonly out: string[] = [];

  constructor(
    private readonly vm: LuaVm,
    private readonly L: number,
  ) {}

  /** mp_encode_lua_type: appends the value on top of the stack and pops it. */
  value(level: number): void {
    const { vm, L } = this;
    let type = vm.type(L, -1);
    if (type === T_TABLE && level === MAX_NESTING) type = T_NIL;
    switch (type) {
      case T_STRING: {
        const s = vm.toString(L, -1)!;
        this.out.push(stringHeader(s.length), s);
        break;
      }
      case T_BOOLEAN:
        this.out.push(vm.m._lua_toboolean(L, -1) ? '\xc3' : '\xc2');
        break;
      case T_NUMBER: {
        const n = vm.m._lua_tonumber(L, -1);
        this.out.push(toInt64(n) === n ? encodeInteger(n) : encodeDouble(n));
        break;
      }
      case T_TABLE:
        if (this.isArray()) this.array(level);
        else this.map(level);
        break;
      default:
        this.out.push('\xc0');
    }
    vm.pop(L, 1);
  }

  /** table_is_an_array: are the keys exactly 1..n? */
  private isArray(): boolean {
    const { vm, L } = this;
    const top = vm.top(L);
    let count = 0;
    let max = 0;
    checkStack(vm, L, 2, 'in function table_is_an_array');
    vm.m._lua_pushnil(L);
    while (vm.m._lua_next(L, -2) !== 0) {
      vm.pop(L, 1);
      const n = vm.type(L, -1) === T_NUMBER ? vm.m._lua_tonumber(L, -1) : 0;
      if (!(n > 0) || toInt32(n) !== n) {
        vm.setTop(L, top);
        return false;
      }
      if (n > max) max = n;
      count++;
    }
    vm.setTop(L, top);
    return max === count;
  }

  private array(level: number): void {
    const { vm, L } = this;
    const length = vm.m._lua_objlen(L, -1);
    this.out.push(arrayHeader(length));
    checkStack(vm, L, 1, 'in function mp_encode_lua_table_as_array');
    for (let j = 1; j <= length; j++) {
      vm.m._lua_pushnumber(L, j);
      vm.m._lua_gettable(L, -2);
      this.value(level + 1);
    }
  }

  private map(level: number): void {
    const { vm, L } = this;
    checkStack(vm, L, 3, 'in function mp_encode_lua_table_as_map');
    let length = 0;
    vm.m._lua_pushnil(L);
    while (vm.m._lua_next(L, -2) !== 0) {
      vm.pop(L, 1);
      length++;
    }
    this.out.push(mapHeader(length));
    vm.m._lua_pushnil(L);
    while (vm.m._lua_next(L, -2) !== 0) {
      vm.m._lua_pushvalue(L, -2);
      this.value(level + 1);
      this.value(level + 1);
    }
  }
}

const pack = (vm: LuaVm): LuaFunction => (L) => {
  const count = vm.top(L);
  if (count === 0) argError(vm, L, 0, 'MessagePack pack needs input.');
  if (vm.m._lua_checkstack(L, count) === 0) argError(vm, L, 0, 'Too many arguments for MessagePack pack.');
  // Like the C code, each argument's encoding waits on the stack until one lua_concat.
  for (let i = 1; i <= count; i++) {
    checkStack(vm, L, 1, 'in function mp_check');
    vm.m._lua_pushvalue(L, i);
    const encoder = new Encoder(vm, L);
    encoder.value(0);
    vm.pushString(L, encoder.out.join(''));
  }
  vm.m._lua_concat(L, count);
  return 1;
};

/** The input ran out (MP_CUR_ERROR_EOF) or held an unknown type byte (MP_CUR_ERROR_BADFMT). */
class DecodeError extends Error {}
const MISSING_BYTES = new DecodeError('Missing bytes in input.');
const BAD_FORMAT = new DecodeError('Bad data format in input.');

class Decoder {
  constructor(
    private readonly vm: LuaVm,
    private readonly L: number,
    private readonly data: string,
    public pos: number,
  ) {}

  get left(): number {
    return this.data.length - this.pos;
  }

  private need(n: number): void {
    if (this.left < n) throw MISSING_BYTES;
  }

  /** The `n` bytes after the type byte as an unsigned big-endian number (n <= 4). */
  private unsigned(n: number): number {
    let v = 0;
    for (let i = 1; i <= n; i++) v = v * 256 + this.data.charCodeAt(this.pos + i);
    return v;
  }

  private fillView(offset: number, n: number): void {
    for (let i = 0; i < n; i++) view.setUint8(i, this.data.charCodeAt(this.pos + offset + i));
  }

  private pushNumber(n: number, size: number): null {
    this.vm.m._lua_pushnumber(this.L, n);
    this.pos += size;
    return null;
  }

  /** A string of `length` bytes after a header of `headerSize` bytes. */
  private pushString(headerSize: number, length: number): null {
    this.need(headerSize + length);
    this.vm.pushString(this.L, this.data.substr(this.pos + headerSize, length));
    this.pos += headerSize + length;
    return null;
  }

  /**
   * mp_decode_to_lua_type: pushes the value at the cursor. Iterative, as arrays can nest until
   * the Lua stack is full, deeper than JS frames go: the open tables sit on the Lua stack as in
   * the C code (with an array's index or a map's key above each), their progress in `open`.
   */
  value(): void {
    const { vm, L } = this;
    const open: OpenTable[] = [];
    for (;;) {
      const opened = this.start();
      if (opened !== null) open.push(opened);
      let complete = opened === null;
      for (;;) {
        const table = open[open.length - 1];
        if (table === undefined) return;
        if (complete) {
          if (table.isArray || table.keyPending) {
            if (!table.isArray) this.checkKey();
            vm.m._lua_rawset(L, -3);
            table.remaining--;
          }
          if (!table.isArray) table.keyPending = !table.keyPending;
        }
        complete = table.remaining === 0;
        if (!complete) break;
        open.pop();
      }
      const table = open[open.length - 1];
      if (table.isArray) vm.m._lua_pushnumber(L, table.index++);
    }
  }

  /** lua_settable's own errors, raised here rather than through a longjmp across JS frames. */
  private checkKey(): void {
    const { vm, L } = this;
    const keyType = vm.type(L, -2);
    if (keyType === T_NIL) raise('table index is nil');
    if (keyType === T_NUMBER && Number.isNaN(vm.m._lua_tonumber(L, -2))) raise('table index is NaN');
  }

  /** Pushes the scalar at the cursor and returns null, or pushes the table an array or map starts and returns its state. */
  private start(): OpenTable | null {
    const { vm, L } = this;
    this.need(1);
    checkStack(vm, L, 1, 'too many return values at once; use unpack_one or unpack_limit instead.');
    const tag = this.data.charCodeAt(this.pos);
    switch (tag) {
      case 0xcc: case 0xcd: case 0xce: {
        const size = tag === 0xcc ? 1 : tag === 0xcd ? 2 : 4;
        this.need(1 + size);
        return this.pushNumber(this.unsigned(size), 1 + size);
      }
      case 0xd0: case 0xd1: case 0xd2: {
        const size = tag === 0xd0 ? 1 : tag === 0xd1 ? 2 : 4;
        this.need(1 + size);
        const bits = 8 * size;
        return this.pushNumber((this.unsigned(size) << (32 - bits)) >> (32 - bits), 1 + size);
      }
      case 0xcf: case 0xd3:
        // lua_pushinteger makes a uint 64 signed too.
        this.need(9);
        this.fillView(1, 8);
        return this.pushNumber(Number(view.getBigInt64(0)), 9);
      case 0xc0:
        vm.m._lua_pushnil(L);
        this.pos++;
        return null;
      case 0xc2: case 0xc3:
        vm.m._lua_pushboolean(L, tag & 1);
        this.pos++;
        return null;
      case 0xca:
        this.need(5);
        this.fillView(1, 4);
        return this.pushNumber(view.getFloat32(0), 5);
      case 0xcb:
        this.need(9);
        this.fillView(1, 8);
        return this.pushNumber(view.getFloat64(0), 9);
      case 0xd9:
        this.need(2);
        return this.pushString(2, this.unsigned(1));
      case 0xda:
        this.need(3);
        return this.pushString(3, this.unsigned(2));
      case 0xdb:
        this.need(5);
        return this.pushString(5, this.unsigned(4));
      case 0xdc: case 0xde: case 0xdd: case 0xdf: {
        const size = tag === 0xdc || tag === 0xde ? 2 : 4;
        this.need(1 + size);
        const length = this.unsigned(size);
        this.pos += 1 + size;
        return this.openTable(tag <= 0xdd, length);
      }
    }
    if ((tag & 0x80) === 0) return this.pushNumber(tag, 1);
    if ((tag & 0xe0) === 0xe0) return this.pushNumber(tag - 256, 1);
    if ((tag & 0xe0) === 0xa0) return this.pushString(1, tag & 0x1f);
    if ((tag & 0xf0) === 0x90 || (tag & 0xf0) === 0x80) {
      this.pos++;
      return this.openTable((tag & 0xf0) === 0x90, tag & 0xf);
    }
    throw BAD_FORMAT;
  }

  private openTable(isArray: boolean, length: number): OpenTable {
    const { vm, L } = this;
    vm.m._lua_createtable(L, 0, 0);
    if (isArray) checkStack(vm, L, 1, 'in function mp_decode_to_lua_array');
    return { isArray, remaining: length, index: 1, keyPending: false };
  }
}

/** An array or map being decoded: items still to come, an array's next index, whether a map's key waits for its value. */
interface OpenTable {
  isArray: boolean;
  remaining: number;
  index: number;
  keyPending: boolean;
}

/** mp_unpack_full: decodes up to `limit` values from `offset` (both 0: every value, and no offset result). */
function unpackFull(vm: LuaVm, L: number, limit: number, offset: number): number {
  const data = checkString(vm, L, 1);
  const length = data.length;
  if (offset < 0 || limit < 0) {
    // The C code passes the input length where the limit belongs.
    luaError(vm, L, `Invalid request to unpack with offset of ${offset | 0} and limit of ${length | 0}.`);
  }
  if (offset > length) luaError(vm, L, `Start offset ${offset | 0} greater than input length ${length | 0}.`);
  const decodeAll = limit === 0 && offset === 0;
  if (decodeAll) limit = INT_MAX;
  const decoder = new Decoder(vm, L, data, offset);
  let count = 0;
  try {
    for (; decoder.left > 0 && count < limit; count++) decoder.value();
  } catch (e) {
    if (e instanceof DecodeError) luaError(vm, L, e.message);
    throw e;
  }
  if (!decodeAll) {
    checkStack(vm, L, 1, 'in function mp_unpack_full');
    vm.m._lua_pushnumber(L, decoder.left === 0 ? -1 : decoder.pos);
    vm.m._lua_insert(L, 2);
    count++;
  }
  return count;
}

/** Keeps only the first argument (none stays none, for the "got no value" message). */
function dropExtraArguments(vm: LuaVm, L: number): void {
  if (vm.top(L) > 1) vm.setTop(L, 1);
}

const FUNCTIONS: Array<[string, (vm: LuaVm) => LuaFunction]> = [
  ['pack', pack],
  ['unpack', (vm) => (L) => unpackFull(vm, L, 0, 0)],
  ['unpack_one', (vm) => (L) => {
    const offset = optInteger(vm, L, 2, 0);
    dropExtraArguments(vm, L);
    return unpackFull(vm, L, 1, offset);
  }],
  ['unpack_limit', (vm) => (L) => {
    const limit = checkInteger(vm, L, 2);
    const offset = optInteger(vm, L, 3, 0);
    dropExtraArguments(vm, L);
    return unpackFull(vm, L, limit, offset);
  }],
];

const METADATA: Array<[string, string]> = [
  ['_NAME', 'cmsgpack'],
  ['_VERSION', 'lua-cmsgpack 0.4.0'],
  ['_COPYRIGHT', 'Copyright (C) 2012, Salvatore Sanfilippo'],
  ['_DESCRIPTION', 'MessagePack C implementation for Lua'],
];

/** Creates the global `cmsgpack` table. */
export function openCmsgpack(vm: LuaVm, L: number): void {
  vm.m._lua_createtable(L, 0, 0);
  for (const [name, make] of FUNCTIONS) {
    vm.m._lua_pushcclosure(L, cfunctionOnce(vm, `cmsgpack.${name}`, () => make(vm)), 0);
    vm.setField(L, -2, name);
  }
  for (const [name, value] of METADATA) {
    vm.pushString(L, value);
    vm.setField(L, -2, name);
  }
  vm.setField(L, LUA_GLOBALSINDEX, 'cmsgpack');
}
