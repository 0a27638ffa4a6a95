/*
 * The Redis Lua libraries (bit, cjson, cmsgpack, struct) against the real thing: every snippet runs
 * in redis-server 7.0.15 (EVAL) and in-process on a LuaVm with the TypeScript libraries, and the
 * two must agree byte for byte, error texts and positions included. The snippets run in one Lua
 * state on each side, in order, as Redis keeps one state across EVALs; settings changes use
 * cjson.new() so they do not leak into later snippets.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LuaVm } from '../../src/scripting/lua.js';
import { openRedisLibraries } from '../../src/scripting/libs/index.js';
import { RawClient } from '../helpers/resp.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/**
 * A one-line Lua prelude (so snippets keep their line numbers) that turns a pcall's results into
 * one comparable string: tables structurally with sorted entries, numbers with 17 digits.
 */
const SERIALIZE =
  "local function ser(v, seen) local t = type(v) " +
  "if t == 'string' then return string.format('%q', v) " +
  "elseif t == 'number' then return string.format('%.17g', v) " +
  "elseif t == 'table' then if seen[v] then return '<cycle>' end seen[v] = true " +
  "local parts = {} for k, x in pairs(v) do parts[#parts + 1] = ser(k, seen) .. '=' .. ser(x, seen) end " +
  "table.sort(parts) seen[v] = nil return '{' .. table.concat(parts, ',') .. '}' " +
  "elseif v == cjson.null then return 'cjson.null' elseif t == 'function' then return 'function' end return tostring(v) end " +
  "local function all(...) local out = {} for i = 1, select('#', ...) do out[i] = ser((select(i, ...)), {}) end return table.concat(out, ', ') end ";

function script(snippet: string): string {
  return `${SERIALIZE}return all(pcall(function() ${snippet}\nend))`;
}

/** Snippets: each is the body of a function whose results are compared. */
const CORPUS: Record<string, string[]> = {
  bit: [
    String.raw`return bit.tohex()`,
    String.raw`local f = bit.tohex; return f('x')`,
    String.raw`return bit.tobit(2^31), bit.tobit(-1.5), bit.tobit(2.5), bit.tobit(3.5), bit.tobit(2^52), bit.tobit(1e300), bit.tobit(0/0), bit.tobit('12'), bit.tobit('0x10'), bit.tobit(-2^31 - 1)`,
    String.raw`return bit.tohex(255), bit.tohex(-1, -4), bit.tohex(0x1234, 12), bit.tohex(-1, 0), bit.tohex(0xabcdef, -3)`,
    String.raw`return bit.tohex(1, nil)`,
    String.raw`return bit.band(0xff, 0x0f, 3), bit.bor(1, 2, 4, 8), bit.bxor(5), bit.bxor(5, 3, 1), bit.bnot(0), bit.lshift(1, 31), bit.lshift(1, 32), bit.rshift(-1, 1), bit.arshift(-256, 4), bit.rol(0x80000001, 1), bit.ror(1, 1), bit.bswap(0x12345678), bit.rol(5, 0), bit.ror(5, 32), bit.lshift(1, -1)`,
    String.raw`return bit.band(1, 2, {})`,
    String.raw`return bit.bor()`,
    String.raw`return pcall(bit.band, 1, nil)`,
    String.raw`return bit:tobit()`,
    String.raw`local t = {} for k in pairs(bit) do t[#t + 1] = k end return table.concat(t, ' ')`,
  ],
  struct: [
    String.raw`return struct.pack('<L', 2^64), struct.pack('<L', 0/0), struct.pack('<L', 2^63+4096), struct.pack('<l', -2^70), struct.pack('<L', 1e30), struct.pack('<l', 2^63), struct.pack('<i', 2^40+7), struct.pack('<i', -1.5), struct.pack('<I', -1.5), struct.pack('<B', 255.9)`,
    String.raw`return struct.pack('>i16', -2), struct.pack('<i16', -2), struct.pack('>I3', 0x123456), struct.pack('!4 b i', 1, 2), struct.pack('! b d', 1, 2.5), struct.pack('!2 b h b l', 1, 2, 3, 4)`,
    String.raw`return struct.pack('c', 'abc'), struct.pack('c0', 'abc'), struct.pack('s', 'a\0b'), struct.pack('c5', 'abc')`,
    String.raw`return struct.pack('z', 1)`,
    String.raw`return struct.pack('i33', 1)`,
    String.raw`return struct.pack('!3', 1)`,
    String.raw`return struct.pack('i99999999999', 1)`,
    String.raw`return struct.pack('i', 'x')`,
    String.raw`return struct.pack('i')`,
    String.raw`return struct.pack()`,
    String.raw`return struct.pack('f d >f >d', 1.1, 1.1, -0.0, 1/0)`,
    String.raw`return struct.unpack('<i', struct.pack('<i', -5)), struct.unpack('>H', '\255\254'), struct.unpack('b', '\200'), struct.unpack('<i9', string.rep('\255', 9)), struct.unpack('<I9', string.rep('\255', 9)), struct.unpack('<i0', '')`,
    String.raw`return struct.unpack('<l', '\255\255\255\255\255\255\255\127'), struct.unpack('<L', '\255\255\255\255\255\255\255\255'), struct.unpack('<l', '\0\0\0\0\0\0\0\128')`,
    String.raw`return struct.unpack('bc0', '\3abcdef'), struct.unpack('s', 'ab\0cd'), struct.unpack('s', 'abc')`,
    String.raw`return struct.unpack('c0', 'abc')`,
    String.raw`return struct.unpack('i', 'abc')`,
    String.raw`return struct.unpack('i', 'abcdefgh', 0)`,
    String.raw`return struct.unpack('i', 'abcdefgh', -1)`,
    String.raw`return struct.unpack('', 'abcdefgh', -1), struct.unpack('b', 'abcdefgh', 8), struct.unpack('>!4 b i', 'abcdefgh')`,
    String.raw`return struct.unpack('i', 'abcdefgh', 6)`,
    String.raw`return struct.unpack('f d', struct.pack('f d', 1.5, -2.25)), struct.unpack('>d', struct.pack('>d', 1e300))`,
    String.raw`return struct.size('i b d !4 i'), struct.size('c10 x z'), struct.size('!8 b d'), struct.size('< > !2 h b h')`,
    String.raw`return struct.size('s')`,
    String.raw`return struct.size('c0')`,
    String.raw`return struct.size('#')`,
    String.raw`return struct.unpack(string.rep('b', 9000), string.rep('x', 9000))`,
    String.raw`return struct.unpack('b', 'x', 1.5), struct.unpack('b', '12345', '3')`,
    String.raw`return struct.unpack('b')`,
    String.raw`return struct.pack('i\0z', 1)`,
    String.raw`return struct.unpack('c2c0', '12abcdefghijklmn')`,
    String.raw`return struct.unpack('bc0', '\255abc')`,
    String.raw`local t = {} for k in pairs(struct) do t[#t+1] = k end return table.concat(t, ' ')`,
    String.raw`return struct.pack('<T', 2^40), struct.pack('>h', -2), struct.pack('>I8', 2^53 + 2), struct.pack('<I1 I2 I3 I4 I5 I6 I7', 1, 2, 3, 4, 5, 6, 7)`,
    String.raw`return struct.unpack('!4 b i3 i', struct.pack('!4 b i3 i', 1, -2, 3)), struct.unpack('!8 b d', struct.pack('!8 b d', 7, 0.1))`,
    String.raw`return struct.unpack('>i', '\0\0\0\1\0\0\0\2', 5), struct.unpack('!4 i', 'xxxx\0\0\0\9', 2)`,
    String.raw`return struct.unpack('x b x b', '\1\2\3\4'), struct.pack('f', 1/3), struct.unpack('f', struct.pack('f', 1/3))`,
    String.raw`return struct.pack('s c3', 'ab\0c', 'xyz'), struct.pack(' <>!', 1)`,
    String.raw`return struct:size()`,
    String.raw`return struct.size('\200')`,
    String.raw`return struct.unpack('>!', 'ab', 5)`,
  ],
  cjson: [
    String.raw`return cjson.encode({1,2,3,{a=1}}), cjson.encode('a/b"c\\d\0\1\31\127\128\255\n\r\t\b\f'), cjson.encode(nil), cjson.encode(true), cjson.encode(cjson.null)`,
    String.raw`return cjson.encode({0.1, 1/3, -1/3, 1e100, 1e-100, 123456789012345, 12345678901234, 2^53, -0.0, 0, 1e15, 1e14, 1e-5, 0.0001, 5e-324, 1.7976931348623157e308, 100, 1.5, 0.5, 2.5})`,
    String.raw`return cjson.encode(0/0)`,
    String.raw`return cjson.encode(1/0)`,
    String.raw`return cjson.encode({[1]=1,[2]=2,[4]=4}), cjson.encode({[1]=1,[20]=2}), cjson.encode({[11]=1}), cjson.encode({[10]=1}), cjson.encode({}), cjson.encode({[1.5]=1}), cjson.encode({[0]=1}), cjson.encode({[-1]=1})`,
    String.raw`return cjson.encode({[1]=1,[100]=2})`,
    String.raw`return cjson.encode({[2^40]=1}), cjson.encode({[1/0]=1})`,
    String.raw`return cjson.encode({[true]=1})`,
    String.raw`return cjson.encode()`,
    String.raw`return cjson.encode(1, 2)`,
    String.raw`local t = {} for i = 1, 1001 do t = {t} end return cjson.encode(t)`,
    String.raw`local t = {} t[1] = t return cjson.encode(t)`,
    String.raw`return cjson.decode('[1,2,3,{"a":null,"b":[true,false]}]')[4].b[2], cjson.decode('{"a":null}').a == cjson.null, cjson.decode('"\\u00e9\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\\"\\\\"'), cjson.decode('  12.5e3  '), cjson.decode('-0'), cjson.decode('"\\u0000x"')`,
    String.raw`return cjson.decode('0x10'), cjson.decode('-0x1.8p1'), cjson.decode('Infinity'), cjson.decode('-inf'), tostring(cjson.decode('nan')), tostring(cjson.decode('-nan')), cjson.decode('+5'), cjson.decode('007'), cjson.decode('1e999'), cjson.decode('1e-400'), cjson.decode('0x'), cjson.decode('.5')`,
    String.raw`return cjson.decode('')`,
    String.raw`return cjson.decode('[1,2')`,
    String.raw`return cjson.decode('{"a" 1}')`,
    String.raw`return cjson.decode('{1:2}')`,
    String.raw`return cjson.decode('[1 2]')`,
    String.raw`return cjson.decode('"abc')`,
    String.raw`return cjson.decode('"a\\qb"')`,
    String.raw`return cjson.decode('"\\ud800"')`,
    String.raw`return cjson.decode('"\\udc00\\ud800"')`,
    String.raw`return cjson.decode('"\\u12"')`,
    String.raw`return cjson.decode('truex')`,
    String.raw`return cjson.decode('tru')`,
    String.raw`return cjson.decode('1 2')`,
    String.raw`return cjson.decode('-')`,
    String.raw`return cjson.decode('@')`,
    String.raw`return cjson.decode('[' .. string.rep('[', 1000) .. string.rep(']', 1001))`,
    String.raw`return cjson.decode(string.rep('{"a":', 1001))`,
    String.raw`return cjson.decode('1\0garbage'), cjson.decode('"a\0b"')`,
    String.raw`return cjson.decode('\0a')`,
    String.raw`return cjson.decode(123), cjson.decode(' [ ] '), cjson.decode('{}')`,
    String.raw`return cjson.decode({})`,
    String.raw`return cjson.decode()`,
    String.raw`local c = cjson.new() return c.encode_sparse_array(true), c.encode({[1]=1,[100]=2}), c.encode_sparse_array(nil, 0), c.encode({[1]=1,[100]=2}), c.encode_sparse_array(false, 3, 1), c.encode_max_depth(), c.decode_max_depth(5), c.encode_number_precision(3), c.encode(math.pi), c.encode_keep_buffer(false), c.encode_invalid_numbers('null'), c.encode({1/0, 0/0}), c.encode_invalid_numbers(true), c.encode({1/0, -1/0, 0/0}), c.decode_invalid_numbers(false)`,
    String.raw`local c = cjson.new() c.decode_invalid_numbers(false) return c.decode('0x10')`,
    String.raw`local c = cjson.new() c.decode_invalid_numbers(false) return c.decode('[1, 01]')`,
    String.raw`local c = cjson.new() c.decode_invalid_numbers(false) return c.decode('nan')`,
    String.raw`local c = cjson.new() c.decode_invalid_numbers(false) return c.decode('+1')`,
    String.raw`return cjson.new().encode_sparse_array(1)`,
    String.raw`return cjson.new().encode_sparse_array(true, -1)`,
    String.raw`return cjson.new().encode_sparse_array(true, 1, 2, 3)`,
    String.raw`return cjson.new().encode_number_precision(15)`,
    String.raw`return cjson.new().encode_number_precision('x')`,
    String.raw`return cjson.new().encode_max_depth(0)`,
    String.raw`return cjson.new().encode_invalid_numbers('maybe')`,
    String.raw`local c = cjson.new() c.encode_max_depth(3) return c.encode({{{1}}}), pcall(c.encode, {{{{1}}}})`,
    String.raw`local c = cjson.new() c.decode_max_depth(2) return c.decode('[[1]]'), pcall(c.decode, '[[[1]]]'), pcall(c.decode, '{"a":{"b":{}}}')`,
    String.raw`local t = {} for k in pairs(cjson) do t[#t+1] = k end return table.concat(t, ' '), cjson._NAME, cjson._VERSION, type(cjson.null), tostring(cjson.null == nil)`,
    String.raw`local t = {} for i = 1, 50 do t['k' .. i] = i end return cjson.encode(t)`,
    String.raw`return cjson.encode({a = {b = {c = {1, 2, {d = 'x'}}}}, [3] = 4})`,
    String.raw`local c = cjson.new() c.encode_number_precision(1) return c.encode({0.5, 1.5, 2.5, 9.5, 0.25, 15, 25, 35, 45})`,
    String.raw`local c = cjson.new() c.encode_number_precision(2) return c.encode({0.125, 0.375, 1.25, 1.35, 125, 135, 0.000125})`,
    String.raw`return cjson.encode({1.0000000000000500, 0.12345678901234567, 1e21, 1.5e-7, 123456.7890123456, -98765.4321e10})`,
    String.raw`return cjson.decode('0x1.fffffffffffff8p0'), cjson.decode('0x1.fffffffffffff7p0'), cjson.decode('0x1p-1074'), cjson.decode('0x1p-1075'), cjson.decode('0x1.8p-1075'), cjson.decode('0x123456789abcdef0123'), cjson.decode('0x1p1024'), cjson.decode('0x.8'), cjson.decode('0XAP-2'), cjson.decode('-0x0')`,
    String.raw`return cjson.decode('[1e5, 1E+5, 1.e2, -.5, 00.5, 1e-320, 2.2250738585072011e-308, 123456789012345678901234567890]')`,
    String.raw`return cjson.decode('1e')`,
    String.raw`return cjson.decode('[1e+]')`,
    String.raw`return cjson.decode('.e1')`,
    String.raw`return cjson.decode('infinity'), cjson.decode('-INFINITY'), cjson.decode('[infinit]')`,
    String.raw`return tostring(cjson.decode('nan(123)')), tostring(cjson.decode('-NaN'))`,
    String.raw`return cjson.decode('[nan(]')`,
    String.raw`return cjson.decode('"\0')`,
    String.raw`return cjson.decode('n')`,
    String.raw`return cjson.decode('{"a":1,}')`,
    String.raw`return cjson.decode('{"a":1 "b":2}')`,
    String.raw`return cjson.decode('[1,]')`,
    String.raw`return cjson.decode('[' .. string.rep('[', 999) .. string.rep(']', 1000))[1][1][1] ~= nil`,
    String.raw`local c = cjson.new() c.decode_max_depth(100000) return c.decode(string.rep('[', 5000) .. string.rep(']', 5000))`,
    String.raw`local c = cjson.new() c.decode_max_depth(100000) return c.decode(string.rep('{"k":', 5000))`,
    String.raw`local c = cjson.new() c.encode_max_depth(100000) local t = {} for i = 1, 5000 do t = {t} end return c.encode(t)`,
    String.raw`local c = cjson.new() c.encode_max_depth(100000) local t = {} for i = 1, 5000 do t = {k = t} end return c.encode(t)`,
    String.raw`local c = cjson.new() c.encode_invalid_numbers(true) return c.encode({[1/0] = 1, [-1/0] = 2}), c.encode({1/0})`,
    String.raw`return cjson.encode({[1] = 'a', [2.5] = 'b', x = 'c', [-3] = 'd'})`,
    String.raw`return cjson.encode({'\226\130\172', '\237\160\128', 'caf\195\169'}), cjson.decode('"\226\130\172"')`,
    String.raw`return cjson:decode()`,
    String.raw`return cjson.decode('[1,2]', 3)`,
    String.raw`local c = cjson.new() return c.encode_sparse_array(true, 2^32 + 3, 1), c.encode_sparse_array('on'), c.encode_keep_buffer('off'), c.encode_keep_buffer(true), c.encode_invalid_numbers(), c.encode_invalid_numbers('off')`,
    String.raw`local c = cjson.new() return c.encode_number_precision(nil), c.decode_max_depth('7'), c.encode_max_depth(2^31)`,
    String.raw`local c = cjson.new() return c.encode_max_depth(2^31 - 1), c.encode_max_depth(2^31 + 5)`,
    String.raw`local c = cjson.new() c.encode_sparse_array(true, 3, 0) return c.encode({[1] = 1, [4] = 4}), c.encode({[1] = 1, [3] = 3})`,
    String.raw`local t = {} for i = 1, 300 do t[i] = i * 1.5 end t[500] = 1 return cjson.encode(t)`,
    String.raw`local a, b = cjson.new(), cjson.new() a.encode_number_precision(3) return a.encode(1/3), b.encode(1/3), cjson.encode(1/3)`,
  ],
  cmsgpack: [
    String.raw`return cmsgpack.pack(0/0), cmsgpack.pack(-(0/0)), cmsgpack.pack(1/0), cmsgpack.pack(-1/0), cmsgpack.pack(-0.0), cmsgpack.pack(0.5), cmsgpack.pack(0.1), cmsgpack.pack(1e300), cmsgpack.pack(2^63), cmsgpack.pack(-2^63), cmsgpack.pack(2^64)`,
    String.raw`local t = {0, 1, 127, 128, 255, 256, 65535, 65536, 2^32-1, 2^32, 2^53, -1, -32, -33, -128, -129, -32768, -32769, -2^31, -2^31-1, -2^53} local o = {} for i, v in ipairs(t) do o[i] = cmsgpack.pack(v) end return table.concat(o, '|')`,
    String.raw`return cmsgpack.pack(''), cmsgpack.pack(string.rep('a', 31)), cmsgpack.pack(string.rep('b', 32)), #cmsgpack.pack(string.rep('c', 255)), #cmsgpack.pack(string.rep('c', 256)), #cmsgpack.pack(string.rep('c', 65535)), cmsgpack.pack(string.rep('c', 65536)):sub(1, 8), cmsgpack.pack('\0\255\128')`,
    String.raw`local t = {} for i = 1, 16 do t[i] = i end local u = {} for i = 1, 70000 do u[i] = 1 end local m = {} for i = 1, 20 do m['k'..i] = i end return cmsgpack.pack(t), #cmsgpack.pack(u), cmsgpack.pack(u):sub(1,5), #cmsgpack.pack(m)`,
    String.raw`local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end return cmsgpack.pack(t)`,
    String.raw`local t = {} t[1] = t return cmsgpack.pack(t)`,
    String.raw`local t = setmetatable({1, 2}, {__index = function(t, k) return k * 10 end}) return cmsgpack.pack(t)`,
    String.raw`return cmsgpack.pack()`,
    String.raw`return cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, {four = 4}}, true, nil, 0.25, -2^40, 2^40))`,
    String.raw`local a, b = cmsgpack.unpack(cmsgpack.pack({1, 2, nil, 4}, {x = {y = {z = 1}}})) return #a, a[4], b.x.y.z`,
    String.raw`return cmsgpack.unpack('\207\255\255\255\255\255\255\255\255', '\207\127\255\255\255\255\255\255\255'), cmsgpack.unpack('\211\128\0\0\0\0\0\0\1'), cmsgpack.unpack('\209\255\254'), cmsgpack.unpack('\210\128\0\0\0'), cmsgpack.unpack('\206\255\255\255\255'), cmsgpack.unpack('\205\1\0'), cmsgpack.unpack('\208\128'), cmsgpack.unpack('\255\224\127')`,
    String.raw`return cmsgpack.unpack('\202\127\128\0\0'), cmsgpack.unpack('\203\127\240\0\0\0\0\0\0'), tostring(cmsgpack.unpack('\203\255\248\0\0\0\0\0\0')), cmsgpack.unpack('\202\62\32\0\0')`,
    String.raw`return cmsgpack.unpack('\217\3abc'), cmsgpack.unpack('\218\0\2xy'), cmsgpack.unpack('\219\0\0\0\1z'), cmsgpack.unpack('\163abc'), cmsgpack.unpack('\192'), cmsgpack.unpack('\194\195')`,
    String.raw`return cmsgpack.unpack('\220\0\2\1\2')[2], cmsgpack.unpack('\221\0\0\0\1\5')[1], cmsgpack.unpack('\222\0\1\161a\1').a, cmsgpack.unpack('\223\0\0\0\1\161b\2').b, cmsgpack.unpack('\129\161c\3').c`,
    String.raw`return cmsgpack.unpack('\193')`,
    String.raw`return cmsgpack.unpack('\196\1x')`,
    String.raw`return cmsgpack.unpack('\212\1\1')`,
    String.raw`return cmsgpack.unpack('\205\1')`,
    String.raw`return cmsgpack.unpack('\219\0\0\0\9abc')`,
    String.raw`return cmsgpack.unpack('\146\1')`,
    String.raw`return cmsgpack.unpack('\129\192\1')`,
    String.raw`return cmsgpack.unpack('\129\203\255\248\0\0\0\0\0\0\1')`,
    String.raw`return cmsgpack.unpack('')`,
    String.raw`return cmsgpack.unpack()`,
    String.raw`return cmsgpack.unpack({})`,
    String.raw`return cmsgpack.unpack(string.rep('\1', 9000))`,
    String.raw`return select('#', cmsgpack.unpack(string.rep('\1', 7000)))`,
    String.raw`return cmsgpack.unpack(string.rep('\145', 5000) .. '\1')`,
    String.raw`local s = cmsgpack.pack(1, 2, 3) return cmsgpack.unpack_one(s), cmsgpack.unpack_one(s, 1), cmsgpack.unpack_one(s, 2), cmsgpack.unpack_one(s, 3)`,
    String.raw`local s = cmsgpack.pack(1, 2, 3) return cmsgpack.unpack_limit(s, 2), cmsgpack.unpack_limit(s, 5, 1), cmsgpack.unpack_limit(s, 0), cmsgpack.unpack_limit(s, 0, 1)`,
    String.raw`return cmsgpack.unpack_one('\1', -1)`,
    String.raw`return cmsgpack.unpack_limit('\1', -1)`,
    String.raw`return cmsgpack.unpack_one('\1\2', 5)`,
    String.raw`return cmsgpack.unpack_one()`,
    String.raw`return cmsgpack.unpack_limit('\1')`,
    String.raw`return cmsgpack.unpack_limit('\1', 'x')`,
    String.raw`return cmsgpack.unpack_one('\1', 2.7), cmsgpack.unpack_limit('\1\2\3', 1.9, '1')`,
    String.raw`local t = {} for k in pairs(cmsgpack) do t[#t+1] = k end return table.concat(t, ' '), cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION`,
    String.raw`local t = {} for i = 1, 5000 do t[i] = i end return #cmsgpack.pack(unpack(t))`,
    String.raw`local t = {} for i = 1, 3900 do t[i] = i end return #cmsgpack.pack(unpack(t))`,
    String.raw`return cmsgpack.pack({[2^31] = 1}), cmsgpack.pack({[1] = 1, [2^31] = 2}), cmsgpack.pack({[1] = 'a', [2] = 'b', [4] = 'd'})`,
    String.raw`return cmsgpack.pack(3.4028234663852886e38, 1.401298464324817e-45, 1e-46, 16777217, 2^24 + 0.5, -1.5)`,
    String.raw`return cmsgpack.unpack(cmsgpack.pack({a = {b = {c = {1, 2}}}, [1] = true}))`,
    String.raw`local t = cmsgpack.unpack(string.rep('\145', 3900) .. '\1') local d = 0 while type(t) == 'table' do t = t[1] d = d + 1 end return d, t`,
    String.raw`local t = cmsgpack.unpack(string.rep('\129\161k', 3000) .. '\1') local d = 0 while type(t) == 'table' do t = t.k d = d + 1 end return d, t`,
    String.raw`return cmsgpack.unpack(string.rep('\129\161k', 5000) .. '\1')`,
    String.raw`return cmsgpack.unpack('\130\161a\1\161a\2'), cmsgpack.unpack('\147\192\1\192')`,
  ],
};

/** A Lua state like Redis's scripting one, as far as these libraries go. */
class InProcessLua {
  private constructor(
    private readonly vm: LuaVm,
    private readonly L: number,
  ) {}

  static async create(): Promise<InProcessLua> {
    const vm = await LuaVm.load();
    const L = vm.newState();
    vm.m._luaL_openlibs(L);
    openRedisLibraries(vm, L);
    return new InProcessLua(vm, L);
  }

  run(code: string): string {
    const { vm, L } = this;
    vm.setTop(L, 0);
    if (vm.loadBuffer(L, code, '@user_script') !== 0 || vm.m._lua_pcall(L, 0, 1, 0) !== 0) return `error: ${vm.toString(L, -1)}`;
    return vm.toString(L, -1) ?? `non-string result`;
  }
}

/** EVAL's bulk string reply's bytes (the raw reply when it is anything else). */
async function redisRun(client: RawClient, code: string): Promise<string> {
  const reply = await client.call('EVAL', code, '0');
  if (!reply.startsWith('$')) return `error: ${reply}`;
  return reply.slice(reply.indexOf('\r\n') + 2, -2);
}

let server: RunningServer;
let client: RawClient;
let lua: InProcessLua;

beforeAll(async () => {
  server = await startServer({ redis: true });
  client = await RawClient.connect(server.port);
  lua = await InProcessLua.create();
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

async function bothSides(snippet: string): Promise<{ mine: string; redis: string }> {
  const code = script(snippet);
  return { mine: lua.run(code), redis: await redisRun(client, code) };
}

describe('the Redis Lua libraries agree with redis-server 7.0.15', () => {
  for (const [library, snippets] of Object.entries(CORPUS)) {
    snippets.forEach((snippet, i) => {
      it(`${library} #${i + 1}: ${snippet.slice(0, 70)}`, async () => {
        const { mine, redis } = await bothSides(snippet);
        expect(mine).toBe(redis);
      });
    });
  }
});

/* ===== Generated values, as Lua source ===== */

const luaString = fc.uint8Array({ maxLength: 12 }).map((bytes) => `"${Array.from(bytes, (b) => `\\${b}`).join('')}"`);

/** Doubles, with printf's rounding ties at 14 digits and the integer encodings' boundaries well represented. */
const luaNumber = fc
  .oneof(
    fc.integer({ min: -300, max: 300 }),
    fc.integer({ min: -70000, max: 70000 }),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.nat({ max: 99999999999999 }).map((k) => k * 10 + 5),
    fc.constantFrom(0.1, 0.5, 2.5, 1e15, 2 ** 32, 2 ** 53, 2 ** 63, -(2 ** 63), -(2 ** 31) - 1, 1e-7, 5e-324, 3.4028234663852886e38),
  )
  .map((n) => (Object.is(n, -0) ? '-0' : String(n)));

function luaValue(scalar: fc.Arbitrary<string>, key: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const { value } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 5 }).map((items) => `{${items.join(', ')}}`),
    object: fc.uniqueArray(fc.tuple(key, tie('value')), { maxLength: 5, selector: ([k]) => k }).map((entries) => `{${entries.map(([k, v]) => `[${k}] = ${v}`).join(', ')}}`),
  }));
  return value;
}

const jsonValue = luaValue(fc.oneof(luaString, luaNumber, fc.constantFrom('true', 'false', 'cjson.null')), luaString);

/** Strings around the str 8/16 boundaries too, built in Lua to keep the source short. */
const msgpackString = fc.oneof(
  luaString,
  fc.tuple(fc.constantFrom(31, 32, 255, 256, 65535, 65536), fc.integer({ min: 0, max: 255 })).map(([n, b]) => `string.rep("\\${b}", ${n})`),
);
const msgpackValue = luaValue(fc.oneof(msgpackString, luaNumber, fc.constantFrom('true', 'false')), fc.oneof(luaString, fc.integer({ min: -5, max: 40 }).map(String)));

describe('round trips, byte-equal with redis-server 7.0.15', () => {
  it('cjson: decode(encode(x)) is x with numbers at 14 digits; the encoding is Redis\'s', async () => {
    const normalize =
      "local function norm(v) if type(v) == 'number' then return tonumber(string.format('%.14g', v)) end " +
      "if type(v) ~= 'table' then return v end local t = {} for k, x in pairs(v) do t[k] = norm(x) end return t end ";
    await fc.assert(
      fc.asyncProperty(jsonValue, async (x) => {
        const { mine, redis } = await bothSides(`${normalize}local x = ${x} local json = cjson.encode(x) return ser(cjson.decode(json), {}) == ser(norm(x), {}), json`);
        expect(mine).toBe(redis);
        expect(mine.startsWith('true, true, ')).toBe(true);
      }),
      { numRuns: 80 },
    );
  });

  it('cmsgpack: unpack(pack(x, y)) is x, y (with -0 as 0); the encoding is Redis\'s', async () => {
    const normalize =
      "local function norm(v) if v == 0 then return 0 end " +
      "if type(v) ~= 'table' then return v end local t = {} for k, x in pairs(v) do t[norm(k)] = norm(x) end return t end ";
    // Keys are normalized too: Lua 5.1 merges the constants 0 and -0 of a chunk, so with x = -0
    // the key of a literal {[0] = v} in the same chunk is -0, which msgpack sends back as 0.
    await fc.assert(
      fc.asyncProperty(msgpackValue, msgpackValue, async (x, y) => {
        const { mine, redis } = await bothSides(
          `${normalize}local x, y = ${x}, ${y} local p = cmsgpack.pack(x, y) local a, b = cmsgpack.unpack(p) ` +
            `return ser(a, {}) == ser(norm(x), {}) and ser(b, {}) == ser(norm(y), {}), p`,
        );
        expect(mine).toBe(redis);
        expect(mine.startsWith('true, true, ')).toBe(true);
      }),
      { numRuns: 80 },
    );
  });
});

describe('speed', () => {
  it('cjson.encode of a 1000-element table takes a few milliseconds', () => {
    const code =
      "local t = {} for i = 1, 1000 do t[i] = {id = i, name = 'item ' .. i, score = i / 7, tags = {'a', 'b'}} end " +
      "local started = os.clock() for _ = 1, 20 do cjson.encode(t) end return tostring((os.clock() - started) / 20 * 1000)";
    const ms = Number(lua.run(code));
    expect(ms).toBeLessThan(25);
  });
});
