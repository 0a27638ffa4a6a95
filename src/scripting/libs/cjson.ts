/*
 * Redis's `cjson` library: Lua CJSON 2.1.0 with Redis's patches. Each module table (the global
 * one and every cjson.new()) has its own settings, kept here and found through the functions'
 * first upvalue, a userdata whose __gc forgets them, as the C library keeps them in that userdata.
 */

import { LUA_GLOBALSINDEX, T_BOOLEAN, T_LIGHTUSERDATA, T_NIL, T_NUMBER, T_STRING, T_TABLE, type LuaVm } from '../lua.js';
import { argCheck, beforeNul, checkInteger, checkOption, checkString, luaError, typeName, upvalueIndex } from './auxlib.js';
import { formatG, strtod } from './numbers.js';

interface Settings {
  encodeSparseConvert: number;
  encodeSparseRatio: number;
  encodeSparseSafe: number;
  encodeMaxDepth: number;
  encodeInvalidNumbers: number; // 0 off, 1 on, 2 as null
  encodeNumberPrecision: number;
  encodeKeepBuffer: number;
  decodeInvalidNumbers: number;
  decodeMaxDepth: number;
}

function defaultSettings(): Settings {
  return {
    encodeSparseConvert: 0,
    encodeSparseRatio: 2,
    encodeSparseSafe: 10,
    encodeMaxDepth: 1000,
    encodeInvalidNumbers: 0,
    encodeNumberPrecision: 14,
    encodeKeepBuffer: 1,
    decodeInvalidNumbers: 1,
    decodeMaxDepth: 1000,
  };
}

const INT_MAX = 2147483647;

/* ===== Encoding ===== */

const ESCAPES: string[] = [];
for (let c = 0; c < 32; c++) ESCAPES[c] = '\\u' + c.toString(16).padStart(4, '0');
Object.assign(ESCAPES, { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 34: '\\"', 47: '\\/', 92: '\\\\', 127: '\\u007f' });
const NEEDS_ESCAPE = /[\x00-\x1f"/\\\x7f]/g;

function quote(s: string): string {
  return '"' + s.replace(NEEDS_ESCAPE, (c) => ESCAPES[c.charCodeAt(0)]) + '"';
}

/** C's (int)d, the conversion lua_array_length does when it stores a key into its int maximum. */
function toCInt(d: number): number {
  return d > -2147483649 && d < 2147483648 ? Math.trunc(d) : -2147483648;
}

/** A table being encoded: an array of `length` items or an object (`length` -1); `index` numbers the next item from 1. */
interface OpenTable {
  depth: number;
  length: number;
  index: number;
}

/**
 * json_append_data without the recursion (tables nest thousands deep before the Lua stack runs
 * out, deeper than JS frames go): the open tables stay on the Lua stack, as in the C code, and
 * their progress in `open`.
 */
class Encoder {
  readonly out: string[] = [];
  private readonly open: OpenTable[] = [];

  constructor(
    private readonly vm: LuaVm,
    private readonly L: number,
    private readonly settings: Settings,
  ) {}

  private fail(index: number, reason: string): never {
    luaError(this.vm, this.L, `Cannot serialise ${typeName(this.vm.type(this.L, index))}: ${reason}`);
  }

  /** Appends the value at the top of the stack (which stays there). */
  encode(): void {
    const { vm, L, open } = this;
    if (!this.begin(0)) return;
    while (open.length > 0) {
      const table = open[open.length - 1];
      if (table.length >= 0) {
        if (table.index > table.length) {
          this.close(']');
          continue;
        }
        if (table.index > 1) this.out.push(',');
        vm.m._lua_rawgeti(L, -1, table.index++);
      } else {
        if (vm.m._lua_next(L, -2) === 0) {
          this.close('}');
          continue;
        }
        if (table.index++ > 1) this.out.push(',');
        const keyType = vm.type(L, -2);
        if (keyType === T_NUMBER) this.out.push('"', this.number(-2), '":');
        else if (keyType === T_STRING) this.out.push(quote(vm.toString(L, -2)!), ':');
        else this.fail(-2, 'table key must be a number or string');
      }
      if (!this.begin(table.depth)) vm.pop(L, 1);
    }
  }

  /** Appends a scalar on top of the stack and returns false, or opens the table there and returns true. */
  private begin(depth: number): boolean {
    const { vm, L } = this;
    switch (vm.type(L, -1)) {
      case T_STRING:
        this.out.push(quote(vm.toString(L, -1)!));
        return false;
      case T_NUMBER:
        this.out.push(this.number(-1));
        return false;
      case T_BOOLEAN:
        this.out.push(vm.m._lua_toboolean(L, -1) ? 'true' : 'false');
        return false;
      case T_TABLE:
        this.openTable(depth + 1);
        return true;
      case T_NIL:
        this.out.push('null');
        return false;
      case T_LIGHTUSERDATA:
        if (vm.m._lua_touserdata(L, -1) === 0) {
          this.out.push('null');
          return false;
        }
    }
    this.fail(-1, 'type not supported');
  }

  private openTable(depth: number): void {
    const { vm, L } = this;
    if (depth > this.settings.encodeMaxDepth || vm.m._lua_checkstack(L, 3) === 0) {
      luaError(vm, L, `Cannot serialise, excessive nesting (${depth})`);
    }
    const length = this.arrayLength();
    if (length > 0) {
      this.out.push('[');
      this.open.push({ depth, length, index: 1 });
    } else {
      this.out.push('{');
      this.open.push({ depth, length: -1, index: 1 });
      vm.m._lua_pushnil(L);
    }
  }

  /** Ends the innermost table; unless it is the value being encoded, pops it as its parent's item. */
  private close(bracket: string): void {
    this.out.push(bracket);
    this.open.pop();
    if (this.open.length > 0) this.vm.pop(this.L, 1);
  }

  private number(index: number): string {
    const n = this.vm.m._lua_tonumber(this.L, index);
    const invalid = !Number.isFinite(n);
    switch (this.settings.encodeInvalidNumbers) {
      case 0:
        if (invalid) this.fail(index, 'must not be NaN or Inf');
        break;
      case 1:
        if (Number.isNaN(n)) return 'nan';
        break;
      default:
        if (invalid) return 'null';
    }
    return formatG(n, this.settings.encodeNumberPrecision);
  }

  /** lua_array_length: the array size of the table on top, or -1 when it is to be an object. */
  private arrayLength(): number {
    const { vm, L, settings } = this;
    let max = 0;
    let items = 0;
    vm.m._lua_pushnil(L);
    while (vm.m._lua_next(L, -2) !== 0) {
      const k = vm.type(L, -2) === T_NUMBER ? vm.m._lua_tonumber(L, -2) : 0;
      if (k !== 0 && Math.floor(k) === k && k >= 1) {
        if (k > max) max = toCInt(k);
        items++;
        vm.pop(L, 1);
        continue;
      }
      vm.pop(L, 2);
      return -1;
    }
    if (settings.encodeSparseRatio > 0 && max > Math.imul(items, settings.encodeSparseRatio) && max > settings.encodeSparseSafe) {
      if (!settings.encodeSparseConvert) this.fail(-1, 'excessively sparse array');
      return -1;
    }
    return max;
  }
}

/* ===== Decoding ===== */

const enum Token {
  ObjBegin,
  ObjEnd,
  ArrBegin,
  ArrEnd,
  String,
  Number,
  Boolean,
  Null,
  Colon,
  Comma,
  End,
  Whitespace,
  Error,
  Unknown,
}

const TOKEN_NAMES = ['T_OBJ_BEGIN', 'T_OBJ_END', 'T_ARR_BEGIN', 'T_ARR_END', 'T_STRING', 'T_NUMBER', 'T_BOOLEAN', 'T_NULL', 'T_COLON', 'T_COMMA', 'T_END', 'T_WHITESPACE', 'T_ERROR', 'T_UNKNOWN'];

const CHAR_TOKENS: Token[] = new Array<Token>(256).fill(Token.Error);
Object.assign(CHAR_TOKENS, { 123: Token.ObjBegin, 125: Token.ObjEnd, 91: Token.ArrBegin, 93: Token.ArrEnd, 44: Token.Comma, 58: Token.Colon, 0: Token.End });
for (const c of ' \t\n\r') CHAR_TOKENS[c.charCodeAt(0)] = Token.Whitespace;
for (const c of 'fiInNt"+-0123456789') CHAR_TOKENS[c.charCodeAt(0)] = Token.Unknown;

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', t: '\t', n: '\n', f: '\f', r: '\r' };

function hex4(s: string, at: number): number {
  const digits = s.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(digits) ? parseInt(digits, 16) : -1;
}

/** A code point (up to 0x10FFFF, so never more than 4 bytes) as UTF-8 bytes in a latin1 string. */
function utf8(cp: number): string {
  if (cp <= 0x7f) return String.fromCharCode(cp);
  if (cp <= 0x7ff) return String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  if (cp <= 0xffff) return String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  return String.fromCharCode(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

/** Is the text at `at` a number strict JSON forbids (leading '+' or zero, hex, inf, nan)? */
function isInvalidNumber(s: string, at: number): boolean {
  if (s[at] === '+') return true;
  if (s[at] === '-') at++;
  const c = s.charCodeAt(at) || 0;
  if (c === 48) {
    const next = s[at + 1];
    return next === 'x' || next === 'X' || (next !== undefined && next >= '0' && next <= '9');
  }
  if (c <= 57) return false;
  const word = s.slice(at, at + 3).toLowerCase();
  return word === 'inf' || word === 'nan';
}

class Parser {
  /** The JSON text up to its first NUL, where the C parser sees its end. */
  private readonly text: string;
  private ptr = 0;
  private depth = 0;
  // The current token.
  private type = Token.End;
  private index = 0;
  private stringValue = '';
  private numberValue = 0;
  private booleanValue = 0;
  private errorText = '';

  constructor(
    private readonly vm: LuaVm,
    private readonly L: number,
    private readonly settings: Settings,
    json: string,
  ) {
    this.text = beforeNul(json);
  }

  /**
   * Decodes the whole text, leaving the value pushed. Iterative, as nesting can go deeper than JS
   * frames: the open tables sit on the Lua stack (an object's pending key above it) as in the C
   * code, and `open` says for each whether it is an array and the index of its next item.
   */
  decode(): void {
    const { vm, L } = this;
    const open: Array<{ isArray: boolean; index: number }> = [];
    this.next();
    for (;;) {
      const opened = this.value();
      if (opened !== null) {
        if (opened === Token.ArrBegin) {
          open.push({ isArray: true, index: 1 });
          continue;
        }
        open.push({ isArray: false, index: 0 });
        this.key();
        continue;
      }
      // A value is complete: store it in its table, and close the tables it completes.
      for (;;) {
        const table = open[open.length - 1];
        if (table === undefined) {
          if (this.next() !== Token.End) this.expected('the end');
          return;
        }
        if (table.isArray) vm.m._lua_rawseti(L, -2, table.index++);
        else vm.m._lua_rawset(L, -3);
        const token = this.next();
        if (token === (table.isArray ? Token.ArrEnd : Token.ObjEnd)) {
          this.depth--;
          open.pop();
          continue;
        }
        if (token !== Token.Comma) this.expected(table.isArray ? 'comma or array end' : 'comma or object end');
        this.next();
        if (!table.isArray) this.key();
        break;
      }
    }
  }

  /** An object's key and colon: pushes the key and reads the value's first token. */
  private key(): void {
    if (this.type !== Token.String) this.expected('object key string');
    this.vm.pushString(this.L, this.stringValue);
    if (this.next() !== Token.Colon) this.expected('colon');
    this.next();
  }

  private setError(errorText: string): void {
    this.type = Token.Error;
    this.index = this.ptr;
    this.errorText = errorText;
  }

  /** Reads the next token into the token fields; returns its type. */
  private next(): Token {
    this.readToken();
    return this.type;
  }

  private readToken(): void {
    const s = this.text;
    let c: number;
    for (;;) {
      c = this.ptr < s.length ? s.charCodeAt(this.ptr) : 0;
      this.type = CHAR_TOKENS[c];
      if (this.type !== Token.Whitespace) break;
      this.ptr++;
    }
    this.index = this.ptr;
    if (this.type === Token.Error) return this.setError('invalid token');
    if (this.type === Token.End) return;
    if (this.type !== Token.Unknown) {
      this.ptr++;
      return;
    }
    if (c === 34) return this.string();
    const invalidNumbersAllowed = this.settings.decodeInvalidNumbers !== 0;
    if (c === 45 || (c >= 48 && c <= 57)) {
      if (!invalidNumbersAllowed && isInvalidNumber(s, this.ptr)) return this.setError('invalid number');
      return this.number();
    }
    for (const [word, type, value] of WORDS) {
      if (s.startsWith(word, this.ptr)) {
        this.type = type;
        this.booleanValue = value;
        this.ptr += word.length;
        return;
      }
    }
    if (invalidNumbersAllowed && isInvalidNumber(s, this.ptr)) return this.number();
    this.setError('invalid token');
  }

  private number(): void {
    const { value, end } = strtod(this.text, this.ptr);
    if (end === this.ptr) return this.setError('invalid number');
    this.type = Token.Number;
    this.numberValue = value;
    this.ptr = end;
  }

  private string(): void {
    const s = this.text;
    let out = '';
    this.ptr++;
    for (;;) {
      let run = this.ptr;
      while (run < s.length && s[run] !== '"' && s[run] !== '\\') run++;
      out += s.slice(this.ptr, run);
      this.ptr = run;
      if (run >= s.length) return this.setError('unexpected end of string');
      if (s[run] === '"') break;
      const escape = s[run + 1];
      if (escape === 'u') {
        const decoded = this.unicodeEscape();
        if (decoded === null) return this.setError('invalid unicode escape code');
        out += decoded;
        continue;
      }
      const simple = escape === undefined ? undefined : SIMPLE_ESCAPES[escape];
      if (simple === undefined) return this.setError('invalid escape code');
      out += simple;
      this.ptr += 2;
    }
    this.ptr++;
    this.type = Token.String;
    this.stringValue = out;
  }

  /** \uXXXX (or a \uD8XX\uDCXX surrogate pair) at ptr as UTF-8, advancing past it; null if malformed. */
  private unicodeEscape(): string | null {
    const s = this.text;
    let cp = hex4(s, this.ptr + 2);
    if (cp < 0) return null;
    let length = 6;
    if ((cp & 0xf800) === 0xd800) {
      if (cp & 0x400) return null;
      if (s[this.ptr + 6] !== '\\' || s[this.ptr + 7] !== 'u') return null;
      const low = hex4(s, this.ptr + 8);
      if (low < 0 || (low & 0xfc00) !== 0xdc00) return null;
      cp = (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
      length = 12;
    }
    this.ptr += length;
    return utf8(cp);
  }

  private expected(what: string): never {
    const found = this.type === Token.Error ? this.errorText : TOKEN_NAMES[this.type];
    luaError(this.vm, this.L, `Expected ${what} but found ${found} at character ${this.index + 1}`);
  }

  private descend(slots: number): void {
    this.depth++;
    if (this.depth <= this.settings.decodeMaxDepth && this.vm.m._lua_checkstack(this.L, slots) !== 0) return;
    luaError(this.vm, this.L, `Found too many nested data structures (${this.depth}) at character ${this.ptr}`);
  }

  /**
   * Pushes the value the current token starts. For a non-empty array or object, pushes its table,
   * reads its first token and returns its opening token; otherwise returns null.
   */
  private value(): Token.ArrBegin | Token.ObjBegin | null {
    const { vm, L } = this;
    switch (this.type) {
      case Token.String:
        vm.pushString(L, this.stringValue);
        return null;
      case Token.Number:
        vm.m._lua_pushnumber(L, this.numberValue);
        return null;
      case Token.Boolean:
        vm.m._lua_pushboolean(L, this.booleanValue);
        return null;
      case Token.Null:
        vm.m._lua_pushlightuserdata(L, 0);
        return null;
      case Token.ObjBegin:
      case Token.ArrBegin: {
        const isArray = this.type === Token.ArrBegin;
        // Room for the table and its key and value, or its item.
        this.descend(isArray ? 2 : 3);
        vm.m._lua_createtable(L, 0, 0);
        if (this.next() === (isArray ? Token.ArrEnd : Token.ObjEnd)) {
          this.depth--;
          return null;
        }
        return isArray ? Token.ArrBegin : Token.ObjBegin;
      }
      default:
        this.expected('value');
    }
  }
}

const WORDS: Array<[string, Token, number]> = [
  ['true', Token.Boolean, 1],
  ['false', Token.Boolean, 0],
  ['null', Token.Null, 0],
];

/* ===== The module ===== */

/** json_arg_init: at most `count` arguments, padded with nils. */
function expectArguments(vm: LuaVm, L: number, count: number): void {
  argCheck(vm, L, vm.top(L) <= count, count + 1, 'found too many arguments');
  while (vm.top(L) < count) vm.m._lua_pushnil(L);
}

type IntegerSetting = 'encodeSparseRatio' | 'encodeSparseSafe' | 'encodeMaxDepth' | 'decodeMaxDepth' | 'encodeNumberPrecision';
type EnumSetting = 'encodeSparseConvert' | 'encodeKeepBuffer' | 'encodeInvalidNumbers' | 'decodeInvalidNumbers';

/** json_integer_option: sets the setting from argument `index` unless nil; pushes its value. */
function integerOption(vm: LuaVm, L: number, settings: Settings, index: number, key: IntegerSetting, min: number, max: number): void {
  if (vm.type(L, index) !== T_NIL) {
    const value = checkInteger(vm, L, index) | 0; // lua_Integer stored into an int
    argCheck(vm, L, min <= value && value <= max, 1, `expected integer between ${min} and ${max}`);
    settings[key] = value;
  }
  vm.m._lua_pushnumber(L, settings[key]);
}

const ON_OFF = ['off', 'on'];

/** json_enum_option with true meaning option 1: sets the setting unless nil; pushes it as a boolean or option name. */
function enumOption(vm: LuaVm, L: number, settings: Settings, index: number, key: EnumSetting, options = ON_OFF): void {
  if (vm.type(L, index) !== T_NIL) {
    settings[key] = vm.type(L, index) === T_BOOLEAN ? vm.m._lua_toboolean(L, index) : checkOption(vm, L, index, options);
  }
  if (settings[key] <= 1) vm.m._lua_pushboolean(L, settings[key]);
  else vm.pushString(L, options[settings[key]]);
}

type SettingsFunction = (vm: LuaVm, L: number, settings: Settings) => number;

/** In lua_cjson.c's registration order (it decides pairs() order). */
const FUNCTIONS: Array<[string, SettingsFunction]> = [
  ['encode', (vm, L, settings) => {
    argCheck(vm, L, vm.top(L) === 1, 1, 'expected 1 argument');
    const encoder = new Encoder(vm, L, settings);
    encoder.encode();
    vm.pushString(L, encoder.out.join(''));
    return 1;
  }],
  ['decode', (vm, L, settings) => {
    argCheck(vm, L, vm.top(L) === 1, 1, 'expected 1 argument');
    const json = checkString(vm, L, 1);
    if (json.length >= 2 && (json[0] === '\0' || json[1] === '\0')) luaError(vm, L, 'JSON parser does not support UTF-16 or UTF-32');
    new Parser(vm, L, settings, json).decode();
    return 1;
  }],
  ['encode_sparse_array', (vm, L, settings) => {
    expectArguments(vm, L, 3);
    enumOption(vm, L, settings, 1, 'encodeSparseConvert');
    integerOption(vm, L, settings, 2, 'encodeSparseRatio', 0, INT_MAX);
    integerOption(vm, L, settings, 3, 'encodeSparseSafe', 0, INT_MAX);
    return 3;
  }],
  ['encode_max_depth', (vm, L, settings) => {
    expectArguments(vm, L, 1);
    integerOption(vm, L, settings, 1, 'encodeMaxDepth', 1, INT_MAX);
    return 1;
  }],
  ['decode_max_depth', (vm, L, settings) => {
    expectArguments(vm, L, 1);
    integerOption(vm, L, settings, 1, 'decodeMaxDepth', 1, INT_MAX);
    return 1;
  }],
  ['encode_number_precision', (vm, L, settings) => {
    expectArguments(vm, L, 1);
    integerOption(vm, L, settings, 1, 'encodeNumberPrecision', 1, 14);
    return 1;
  }],
  ['encode_keep_buffer', (vm, L, settings) => {
    expectArguments(vm, L, 1);
    enumOption(vm, L, settings, 1, 'encodeKeepBuffer');
    return 1;
  }],
  ['encode_invalid_numbers', (vm, L, settings) => {
    expectArguments(vm, L, 1);
    enumOption(vm, L, settings, 1, 'encodeInvalidNumbers', ['off', 'on', 'null']);
    return 1;
  }],
  ['decode_invalid_numbers', (vm, L, settings) => {
    expectArguments(vm, L, 1);
    enumOption(vm, L, settings, 1, 'decodeInvalidNumbers');
    return 1;
  }],
];

/** The C functions of one VM, shared by all its module tables; the settings live per table. */
class CjsonFunctions {
  private readonly settingsByUserdata = new Map<number, Settings>();
  private readonly functions: Array<[string, number]>;
  private readonly collect: number;

  constructor(private readonly vm: LuaVm) {
    this.functions = FUNCTIONS.map(([name, fn]): [string, number] => [name, vm.cfunction((L) => fn(vm, L, this.settings(L)))]);
    this.functions.push(['new', vm.cfunction((L) => this.pushModule(L))]);
    this.collect = vm.cfunction((L) => {
      this.settingsByUserdata.delete(vm.m._lua_touserdata(L, 1));
      return 0;
    });
  }

  private settings(L: number): Settings {
    const settings = this.settingsByUserdata.get(this.vm.m._lua_touserdata(L, upvalueIndex(1)));
    if (settings === undefined) luaError(this.vm, L, 'BUG: Unable to fetch CJSON configuration');
    return settings;
  }

  /** lua_cjson_new: pushes a module table with fresh default settings. */
  pushModule(L: number): number {
    const { vm } = this;
    vm.m._lua_createtable(L, 0, 0);
    const userdata = vm.m._lua_newuserdata(L, 1);
    this.settingsByUserdata.set(userdata, defaultSettings());
    vm.m._lua_createtable(L, 0, 0);
    vm.m._lua_pushcclosure(L, this.collect, 0);
    vm.setField(L, -2, '__gc');
    vm.m._lua_setmetatable(L, -2);
    for (const [name, fn] of this.functions) {
      vm.m._lua_pushvalue(L, -1);
      vm.m._lua_pushcclosure(L, fn, 1);
      vm.setField(L, -3, name);
    }
    vm.pop(L, 1);
    vm.m._lua_pushlightuserdata(L, 0);
    vm.setField(L, -2, 'null');
    vm.pushString(L, 'cjson');
    vm.setField(L, -2, '_NAME');
    vm.pushString(L, '2.1.0');
    vm.setField(L, -2, '_VERSION');
    return 1;
  }
}

const perVm = new WeakMap<LuaVm, CjsonFunctions>();

/** Creates the global `cjson` table. */
export function openCjson(vm: LuaVm, L: number): void {
  let functions = perVm.get(vm);
  if (functions === undefined) perVm.set(vm, (functions = new CjsonFunctions(vm)));
  functions.pushModule(L);
  vm.setField(L, LUA_GLOBALSINDEX, 'cjson');
}
