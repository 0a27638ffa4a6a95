/*
 * Conversions between Redis replies and Lua values, as Redis 7.0's script_lua.c does them:
 *
 *   command reply → Lua   the script client's RESP bytes are parsed (integer → number, bulk →
 *                         string, null bulk/array → false, status → {ok=}, error → {err=}, and
 *                         under RESP3 map → {map=}, set → {set=}, double → {double=}, null → nil,
 *                         boolean, big number → {big_number=}, verbatim → {verbatim_string=})
 *   Lua → caller's reply  string → bulk, number → integer (truncated), boolean → 1/null (RESP2
 *                         script client) or boolean, tables by their err/ok/double/big_number/
 *                         verbatim_string/map/set field, else an array up to the first nil
 */

import { UNCOUNTED_ERROR, type ReplyWriter } from '../protocol/reply.js';
import { LuaVm, T_BOOLEAN, T_NIL, T_NUMBER, T_STRING, T_TABLE } from './lua.js';

/** Parses one RESP reply from `buf` at `pos` and pushes it; returns the position after it. */
export function pushReply(vm: LuaVm, L: number, buf: Buffer, pos: number): number {
  const m = vm.m;
  const type = buf[pos];
  const eol = buf.indexOf(13, pos);
  const line = buf.latin1Slice(pos + 1, eol);
  let next = eol + 2;
  m._lua_checkstack(L, 4);
  switch (type) {
    case 0x3a: // ':'
      m._lua_pushnumber(L, Number(line));
      break;
    case 0x24: // '$'
    case 0x3d: {
      // '=' verbatim: "txt:" then the text
      const n = Number(line);
      if (n < 0) {
        m._lua_pushboolean(L, 0);
        break;
      }
      const body = buf.latin1Slice(next, next + n);
      next += n + 2;
      if (type === 0x24) {
        vm.pushString(L, body);
      } else {
        m._lua_createtable(L, 0, 1);
        m._lua_createtable(L, 0, 2);
        vm.pushString(L, body.slice(4));
        vm.setField(L, -2, 'string');
        vm.pushString(L, body.slice(0, 3));
        vm.setField(L, -2, 'format');
        vm.setField(L, -2, 'verbatim_string');
      }
      break;
    }
    case 0x2b: // '+'
      m._lua_createtable(L, 0, 1);
      vm.pushString(L, line);
      vm.setField(L, -2, 'ok');
      break;
    case 0x2d: // '-'
      pushErrorTable(vm, L, '-' + line);
      vm.m._lua_pushboolean(L, 1);
      vm.setField(L, -2, 'ignore_error_stats_update');
      break;
    case 0x2a: {
      // '*'
      const n = Number(line);
      if (n < 0) {
        m._lua_pushboolean(L, 0);
        break;
      }
      m._lua_createtable(L, n, 0);
      for (let i = 1; i <= n; i++) {
        next = pushReply(vm, L, buf, next);
        m._lua_rawseti(L, -2, i);
      }
      break;
    }
    case 0x25: // '%'
    case 0x7e: {
      // '~'
      const n = Number(line);
      m._lua_createtable(L, 0, 1);
      m._lua_createtable(L, 0, n);
      for (let i = 0; i < n; i++) {
        next = pushReply(vm, L, buf, next);
        if (type === 0x25) next = pushReply(vm, L, buf, next);
        else m._lua_pushboolean(L, 1);
        m._lua_settable(L, -3);
      }
      vm.setField(L, -2, type === 0x25 ? 'map' : 'set');
      break;
    }
    case 0x5f: // '_'
      m._lua_pushnil(L);
      break;
    case 0x23: // '#'
      m._lua_pushboolean(L, line === 't' ? 1 : 0);
      break;
    case 0x2c: // ','
      m._lua_createtable(L, 0, 1);
      m._lua_pushnumber(L, parseRespDouble(line));
      vm.setField(L, -2, 'double');
      break;
    case 0x28: // '('
      m._lua_createtable(L, 0, 1);
      vm.pushString(L, line);
      vm.setField(L, -2, 'big_number');
      break;
    case 0x7c: {
      // '|' attribute: skipped, the reply follows
      const n = Number(line);
      for (let i = 0; i < 2 * n; i++) next = skipReply(buf, next);
      return pushReply(vm, L, buf, next);
    }
    default:
      throw new Error(`unexpected reply type ${String.fromCharCode(type)}`);
  }
  return next;
}

function skipReply(buf: Buffer, pos: number): number {
  const type = buf[pos];
  const eol = buf.indexOf(13, pos);
  const n = Number(buf.latin1Slice(pos + 1, eol));
  let next = eol + 2;
  if (type === 0x24 || type === 0x3d || type === 0x21) return n < 0 ? next : next + n + 2;
  const count = type === 0x2a || type === 0x7e || type === 0x3e ? n : type === 0x25 || type === 0x7c ? 2 * n : 0;
  for (let i = 0; i < count; i++) next = skipReply(buf, next);
  return next;
}

function parseRespDouble(s: string): number {
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return Number(s);
}

/**
 * luaPushErrorBuff: "-CODE message" keeps its code, a bare message gets "ERR"; the table is
 * {err = "CODE message"} with trailing CR/LF trimmed.
 */
export function pushErrorTable(vm: LuaVm, L: number, error: string): void {
  let code = 'ERR';
  let msg = error;
  if (error.startsWith('-')) {
    const sp = error.indexOf(' ');
    if (sp < 0) msg = error.slice(1);
    else {
      code = error.slice(1, sp);
      msg = error.slice(sp + 1);
    }
  }
  msg = msg.replace(/^[\r\n]+|[\r\n]+$/g, '');
  vm.m._lua_createtable(L, 0, 1);
  vm.pushString(L, `${code} ${msg}`);
  vm.setField(L, -2, 'err');
}

/** C's (long long) cast of a double as x86-64 does it: out of range and NaN give INT64_MIN. */
function toInt64(d: number): number | bigint {
  if (Number.isSafeInteger(d)) return d;
  if (!(d > -9223372036854775808 && d < 9223372036854775808)) return -9223372036854775808n;
  return BigInt(Math.trunc(d));
}

/** Lua's string conversion of CR and LF in status and big-number replies (sdsmapchars). */
function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, ' ');
}

/**
 * luaReplyToRedisReply: converts and pops the value at the top of the stack. `scriptResp` is the
 * RESP version the script selected (redis.setresp), which decides how booleans are answered.
 */
export function writeLuaValue(vm: LuaVm, L: number, r: ReplyWriter, scriptResp: number): void {
  const m = vm.m;
  if (m._lua_checkstack(L, 4) === 0) {
    r.error('ERR reached lua stack limit');
    vm.pop(L, 1);
    return;
  }
  switch (vm.type(L, -1)) {
    case T_STRING:
      r.bulk(vm.toString(L, -1)!);
      break;
    case T_BOOLEAN: {
      const b = m._lua_toboolean(L, -1) !== 0;
      if (scriptResp === 2) {
        if (b) r.integer(1);
        else r.nullBulk();
      } else {
        r.bool(b);
      }
      break;
    }
    case T_NUMBER:
      r.integer(toInt64(m._lua_tonumber(L, -1)));
      break;
    case T_TABLE:
      writeLuaTable(vm, L, r, scriptResp);
      return;
    default:
      r.nullBulk();
  }
  vm.pop(L, 1);
}

function writeLuaTable(vm: LuaVm, L: number, r: ReplyWriter, scriptResp: number): void {
  const m = vm.m;
  if (vm.rawGetField(L, -1, 'err') === T_STRING) {
    vm.pop(L, 1);
    writeScriptError(r, errorFromTable(vm, L), null);
    vm.pop(L, 1);
    return;
  }
  vm.pop(L, 1);
  if (vm.rawGetField(L, -1, 'ok') === T_STRING) {
    r.simple(oneLine(vm.toString(L, -1)!));
    vm.pop(L, 2);
    return;
  }
  vm.pop(L, 1);
  if (vm.rawGetField(L, -1, 'double') === T_NUMBER) {
    r.double(m._lua_tonumber(L, -1));
    vm.pop(L, 2);
    return;
  }
  vm.pop(L, 1);
  if (vm.rawGetField(L, -1, 'big_number') === T_STRING) {
    r.bigNumber(oneLine(vm.toString(L, -1)!));
    vm.pop(L, 2);
    return;
  }
  vm.pop(L, 1);
  if (vm.rawGetField(L, -1, 'verbatim_string') === T_TABLE) {
    if (vm.rawGetField(L, -1, 'format') === T_STRING) {
      const format = vm.toString(L, -1)!;
      if (vm.rawGetField(L, -2, 'string') === T_STRING) {
        r.verbatim(vm.toString(L, -1)!, format);
        vm.pop(L, 4);
        return;
      }
      vm.pop(L, 1);
    }
    vm.pop(L, 1);
  }
  vm.pop(L, 1);
  for (const kind of ['map', 'set'] as const) {
    if (vm.rawGetField(L, -1, kind) === T_TABLE) {
      const at = r.deferLength(kind);
      let n = 0;
      m._lua_pushnil(L);
      while (m._lua_next(L, -2) !== 0) {
        if (kind === 'map') {
          m._lua_pushvalue(L, -2);
          writeLuaValue(vm, L, r, scriptResp); // key
          writeLuaValue(vm, L, r, scriptResp); // value
        } else {
          vm.pop(L, 1);
          m._lua_pushvalue(L, -1);
          writeLuaValue(vm, L, r, scriptResp);
        }
        n++;
      }
      r.setDeferredLength(at, n);
      vm.pop(L, 2);
      return;
    }
    vm.pop(L, 1);
  }
  let n = 0;
  while (true) {
    m._lua_rawgeti(L, -1, n + 1);
    const t = vm.type(L, -1);
    vm.pop(L, 1);
    if (t === T_NIL) break;
    n++;
  }
  r.array(n);
  for (let i = 1; i <= n; i++) {
    m._lua_rawgeti(L, -1, i);
    writeLuaValue(vm, L, r, scriptResp);
  }
  vm.pop(L, 1);
}

export interface ScriptError {
  /** The error reply's text (code and message, no leading '-'). */
  message: string;
  source: string | null;
  line: string | null;
  /** The error came from a command the script ran, which errorstats already counted. */
  counted: boolean;
}

/** Replies a script's error, with `suffix` (where it failed) when given; an error a command already counted is not counted again. */
export function writeScriptError(r: ReplyWriter, err: ScriptError, suffix: string | null): void {
  r.error(suffix === null ? err.message : err.message + suffix);
  if (err.counted) r.errors[r.errors.length - 1] = UNCOUNTED_ERROR;
}

/**
 * luaExtractErrorInformation for the error table at the top of the stack (not popped). Raw reads:
 * this runs outside any protected call, where a metamethod raising an error would abort the VM.
 */
export function errorFromTable(vm: LuaVm, L: number): ScriptError {
  let message = 'ERR unknown error';
  if (vm.rawGetField(L, -1, 'err') === T_STRING) message = vm.toString(L, -1)!;
  vm.pop(L, 1);
  const source = rawStringField(vm, L, 'source');
  const line = rawStringField(vm, L, 'line');
  const counted = vm.rawGetField(L, -1, 'ignore_error_stats_update') === T_BOOLEAN && vm.m._lua_toboolean(L, -1) !== 0;
  vm.pop(L, 1);
  // Taken as it is: {err="-ERR x"} replies "--ERR x", as Redis ("-%s").
  return { message, source, line, counted };
}

/** A string or number field of the table at the top of the stack, read raw. */
function rawStringField(vm: LuaVm, L: number, name: string): string | null {
  const t = vm.rawGetField(L, -1, name);
  const value = t === T_STRING || t === T_NUMBER ? vm.toString(L, -1) : null;
  vm.pop(L, 1);
  return value;
}
