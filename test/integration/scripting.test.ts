/*
 * EVAL, EVALSHA, SCRIPT and FCALL compared byte for byte with redis-server 7.0: reply conversions
 * in RESP2 and RESP3, error shapes (with the script's sha and line), the sandbox, flags, busy
 * scripts and SCRIPT KILL, and what reaches the append-only log.
 */
import { describe, expect, it } from 'vitest';
import { pairForSuite, type Pair } from '../helpers/differential.js';
import { RawClient } from '../helpers/resp.js';
import { loggedSideBySide } from '../helpers/aof-files.js';
import { startServer } from '../helpers/server.js';

/** [script, numkeys, ...keys and args], run in order on both servers. */
const EVAL_CASES: string[][] = [
  // Conversions of every Lua type to RESP, and of command replies to Lua.
  ['return 1', '0'],
  ['return 3.99', '0'],
  ['return -3.99', '0'],
  ['return 1e300', '0'],
  ['return 0/0', '0'],
  ["return 'x\\0y'", '0'],
  ['return true', '0'],
  ['return false', '0'],
  ['return nil', '0'],
  ['return {1, 2, 3, nil, 5}', '0'],
  ["return {1, 'a', {ok='fine'}, 3.9, true, false, {err='MY err'}}", '0'],
  ["return {ok='A\\r\\nB'}", '0'],
  ["return {err='MY x'}", '0'],
  ['return {double=3.5}', '0'],
  ["return {big_number='123456789012345678901234567890'}", '0'],
  ['return {map={a=1}}', '0'],
  ['return {set={a=true}}', '0'],
  ["return {verbatim_string={format='txt', string='hi'}}", '0'],
  ['return {{1, {2, {3}}}}', '0'],
  ['return KEYS', '2', 'a', 'b', 'c', 'd'],
  ['return ARGV', '2', 'a', 'b', 'c', 'd'],
  ["return redis.call('set', KEYS[1], ARGV[1])", '1', 'k1', 'v1'],
  ["return redis.call('get', KEYS[1])", '1', 'k1'],
  ["return redis.call('get', 'nokey')", '0'],
  ["return redis.call('incr', 'counter')", '0'],
  ["return redis.call('lpush', 'l', 'a') + redis.call('lpush', 'l', 'b')", '0'],
  ["return redis.call('lrange', 'l', 0, -1)", '0'],
  ["redis.call('hset', 'h', 'f', 'v') return redis.call('hgetall', 'h')", '0'],
  ["redis.setresp(3) return redis.call('hgetall', 'h')", '0'],
  ["redis.setresp(3) return redis.call('hgetall', 'h').map.f", '0'],
  ["redis.setresp(3) return redis.call('get', 'nokey') == nil", '0'],
  ["redis.setresp(3) return redis.call('smembers', 'noset')", '0'],
  ["return redis.call('zadd', 'z', 1.5, 'm')", '0'],
  ["return redis.call('zscore', 'z', 'm')", '0'],
  ["redis.setresp(3) return redis.call('zscore', 'z', 'm')", '0'],
  ["redis.setresp(3) return redis.call('zscore', 'z', 'm').double", '0'],
  ['redis.setresp(3) return true', '0'],
  ['redis.setresp(3) return false', '0'],
  ["return redis.call('set', 'n', 3.0)", '0'],
  ["return redis.call('set', 'n', 0.1)", '0'],
  ["return redis.call('get', 'n')", '0'],
  ["return redis.call('set', 'x', 'y', 'get')", '0'],
  ["return redis.call('incrbyfloat', 'f', '0.1')", '0'],
  ["return redis.call('ping')", '0'],
  ["return redis.call('select', 3) and redis.call('set', 'in3', 1) and redis.call('dbsize')", '0'],
  ["return redis.call('dbsize')", '0'],
  // Errors: runtime, compile, from commands, from the script.
  ['return 1 +', '0'],
  ["error('boom')", '0'],
  ['error()', '0'],
  ["error({err='MY x'})", '0'],
  ['return x', '0'],
  ['x = 1', '0'],
  ['string.foo = 1', '0'],
  ['redis = 1', '0'],
  ["rawset(_G, 'y', 1) return y", '0'],
  ['setmetatable(_G, nil)', '0'],
  ["local f = loadstring('x = 1') f() return 1", '0'],
  ["return (loadstring('return redis.call(\\'ping\\')'))()", '0'],
  ['return print', '0'],
  ['return debug', '0'],
  ['return type(os)', '0'],
  ['return type(io)', '0'],
  ['return getfenv', '0'],
  ['return type(gcinfo)', '0'],
  ['return _VERSION', '0'],
  ['return tostring(_G == _G._G)', '0'],
  ["return redis.call('incr')", '0'],
  ["return redis.call('nosuch')", '0'],
  ["return redis.call('config', 'nosuch')", '0'],
  ["return redis.pcall('incr', 'a', 'b')", '0'],
  ["return redis.call('hget', 'l', 'x')", '0'],
  ["return redis.pcall('hget', 'l', 'x')", '0'],
  ["local r = redis.pcall('hget', 'l', 'x') return r.err", '0'],
  ["return pcall(redis.call, 'incr', 'a', 'b')", '0'],
  ["local ok, e = pcall(redis.call, 'hget', 'l', 'x') return e", '0'],
  ["local ok, e = pcall(error, {err='X y'}) return e", '0'],
  ['return {pcall(function(a, b) return a + b, nil, 3 end, 1, 2)}', '0'],
  ['return select(\'#\', pcall(function() return 1, nil, 3, nil end))', '0'],
  ["return {pcall(function() error('x') end)}", '0'],
  ["return {pcall(function() error({err='E y'}) end)}", '0'],
  ["return {pcall(function() local t = nil return t.x end)}", '0'],
  ["return {pcall(function() return pcall(function() error('inner') end) end)}", '0'],
  ["return {pcall(function() return redis.call('incr', 'l') end)}", '0'],
  ['return {pcall()}', '0'],
  ['return {pcall(42)}', '0'],
  ["return {pcall(function() coroutine.yield(1) end)}", '0'],
  ["return {xpcall(function() error('x') end, function(e) return 'handled: ' .. e end)}", '0'],
  ["return {xpcall(function() error({err='T y'}) end, function(e) return e end)}", '0'],
  ['return {xpcall(function() return 1, 2 end, function(e) return e end)}', '0'],
  ["return {xpcall(function() error('x') end, function(e) error('again') end)}", '0'],
  ["return {xpcall(function() error('x') end, 42)}", '0'],
  ['return {xpcall(42, function(e) return e end)}', '0'],
  ["return {xpcall(function() return redis.call('incr', 'l') end, function(e) return e.err end)}", '0'],
  ["return redis.call('blpop', 'x', 0)", '0'],
  ["return redis.call('eval', 'return 1', 0)", '0'],
  ["return redis.call('multi')", '0'],
  ["return redis.call('set', 'n', {})", '0'],
  ['return redis.call()', '0'],
  ['return redis.pcall()', '0'],
  // The redis.* API.
  ["return redis.sha1hex('')", '0'],
  ['return redis.sha1hex()', '0'],
  ["return redis.status_reply('A\\r\\nB')", '0'],
  ["return redis.error_reply('My Error')", '0'],
  ["return redis.error_reply('-My Error')", '0'],
  ["return {err='-ERR x'}", '0'],
  ["getmetatable('').__index = nil", '0'],
  ["getmetatable('').__index.upper = nil", '0'],
  ["rawset(getmetatable(''), '__index', nil)", '0'],
  ["return {('abc'):upper(), getmetatable('').__index == string, type(getmetatable({}))}", '0'],
  ['return {double=0/0}', '0'],
  ["redis.call('set', 'nan', 0/0) return redis.call('get', 'nan')", '0'],
  ['return redis.error_reply(1)', '0'],
  ['return redis.status_reply()', '0'],
  ["return redis.log(redis.LOG_WARNING, 'hello from a script')", '0'],
  ['return redis.log()', '0'],
  ["return redis.log('x', 'y')", '0'],
  ["return redis.log(9, 'y')", '0'],
  ['return redis.setresp(4)', '0'],
  ['return redis.set_repl(99)', '0'],
  ['return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_REPLICA, redis.REPL_SLAVE, redis.REPL_ALL}', '0'],
  ['return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}', '0'],
  ['return redis.REDIS_VERSION', '0'],
  ['return redis.REDIS_VERSION_NUM', '0'],
  ['return redis.replicate_commands()', '0'],
  ["return redis.acl_check_cmd('set', 'a', 'b')", '0'],
  ["return redis.acl_check_cmd('nosuch')", '0'],
  // Lua 5.1 itself.
  ["return string.format('%d %s %5.2f %q', 3, 'x', 1.5, 'a\\nb')", '0'],
  ['return {tostring(1e15), tostring(0.1), tostring(1/3), tostring(-0)}', '0'],
  ["return table.concat({1, 2, 3}, ',')", '0'],
  ["return ('abc'):upper() .. string.rep('a', 3) .. string.gsub('hello', 'l+', 'L')", '0'],
  ["return {string.find('hello world', 'o w'), string.match('key:123', '(%a+):(%d+)')}", '0'],
  ["return tonumber('0x10') + tonumber('  12  ') + (tonumber('z', 36) or 0)", '0'],
  ["return select('#', 1, nil, 3)", '0'],
  ['return {unpack({1, 2, 3})}', '0'],
  ['return math.floor(-3.5) .. math.huge .. math.pi', '0'],
  ['return {math.random(), math.random(10), math.random(5, 9)}', '0'],
  ['math.randomseed(42) return {math.random(1000), math.random(1000)}', '0'],
  ['return math.random(0)', '0'],
  ['return math.random(3, 1)', '0'],
  ["return math.random('x')", '0'],
  ['return math.random(1, 2, 3)', '0'],
  ['return math.randomseed()', '0'],
  ['return math.random(2.9)', '0'],
  ['local co = coroutine.create(function(a) coroutine.yield(a + 1) return 9 end) return {coroutine.resume(co, 1)}', '0'],
  ['local t = {} for i = 1, 100 do t[i] = i * i end return #t', '0'],
  ["local t = setmetatable({}, {__index = function(t, k) return k .. '!' end}) return t.x", '0'],
  ['return #KEYS + #ARGV', '0'],
  // Shebangs and flags.
  ["#!lua flags=no-writes\nreturn redis.call('set', 'a', 'b')", '0'],
  ["#!lua flags=no-writes\nreturn redis.call('get', 'a')", '0'],
  ['#!lua flags=bogus\nreturn 1', '0'],
  ['#!lua flags=\nreturn 1', '0'],
  ['#!lua flags=,\nreturn 1', '0'],
  ["return redis.call('xread', 'block', '0', 'streams', 'x', '$')", '0'],
  ["return redis.pcall('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'x', '>')", '0'],
  ['#!lua bogus\nreturn 1', '0'],
  ['#!python\nreturn 1', '0'],
  ['#!lua', '0'],
  ['#!lua\nreturn x', '0'],
  ["#!lua\nreturn redis.call('set', 'a', 'b')", '0'],
  ["#!lua flags=allow-oom,no-writes\n\nerror('line 3')", '0'],
  // numkeys.
  ['return 1', '-1'],
  ['return 1', '5'],
  ['return 1', 'x'],
  ['return 1', '01'],
  ['return 1', '9223372036854775807'],
  ['return 1', '-9223372036854775808'],
  ['return 1', '9223372036854775808'],
  ['return 1', ' 1'],
];

async function sameReplies(pair: Pair, requests: string[][]): Promise<void> {
  for (const argv of requests) {
    const [mine, theirs] = await pair.both(...argv);
    expect(mine, argv.join(' ').slice(0, 100)).toBe(theirs);
  }
}

describe('EVAL and FCALL compared with redis-server', () => {
  const pair = pairForSuite();

  it('replies, conversions and errors are the same in RESP2', async () => {
    await sameReplies(pair, [['FLUSHALL'], ['SCRIPT', 'FLUSH'], ...EVAL_CASES.map((c) => ['EVAL', ...c])]);
  });

  it('replies, conversions and errors are the same in RESP3', async () => {
    // HELLO's reply carries the connection id, which differs.
    await pair.both('HELLO', '3');
    await sameReplies(pair, [['FLUSHALL'], ...EVAL_CASES.map((c) => ['EVAL', ...c])]);
    await pair.both('HELLO', '2');
  });

  it('EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD / EXISTS / FLUSH keep the same script cache', async () => {
    await sameReplies(pair, [
      ['SCRIPT', 'FLUSH'],
      ['EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0'],
      ['SCRIPT', 'LOAD', 'return 1'],
      ['SCRIPT', 'LOAD', 'return 1 +'],
      ['SCRIPT', 'LOAD', '#!lua flags=no-writes\nreturn 2'],
      ['EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0'],
      ['EVALSHA', 'E0E1F9FABFC9D4800C877A703B823AC0578FF8DB', '0'],
      ['EVALSHA', 'abc', '0'],
      ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'],
      ['SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', 'ffffffffffffffffffffffffffffffffffffffff'],
      ['EVAL_RO', "return redis.call('set', 'a', 'b')", '0'],
      ['EVAL_RO', "return redis.call('get', 'a')", '0'],
      ['EVAL_RO', "#!lua\nreturn redis.call('get', 'a')", '0'],
      ['EVAL_RO', "#!lua flags=no-writes\nreturn redis.call('get', 'a')", '0'],
      ['SCRIPT', 'LOAD', "return redis.call('set', KEYS[1], ARGV[1])"],
      ['EVALSHA_RO', '3e7f4dc4eda3e5cb1e05c1d95e8a29ef5a3a7be3', '1', 'a', 'b'],
      ['SCRIPT', 'FLUSH'],
      ['SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'],
      ['SCRIPT', 'DEBUG', 'NO'],
      ['SCRIPT', 'DEBUG', 'MAYBE'],
    ]);
  });

  it('FUNCTION LOAD errors and FCALL of library functions are the same', async () => {
    const lib = (body: string): string => `#!lua name=lib3\n${body}`;
    await sameReplies(pair, [
      ['FUNCTION', 'FLUSH'],
      ['FUNCTION', 'LOAD', "#!lua name=mylib\nredis.register_function('f1', function(keys, args) return {keys[1], args[1]} end)"],
      ['FCALL', 'f1', '1', 'k', 'a'],
      ['FCALL', 'F1', '1', 'k', 'a'],
      ['FCALL', 'nosuch', '0'],
      ['FUNCTION', 'LOAD', "#!lua name=mylib\nredis.register_function('f1', function() return 1 end)"],
      ['FUNCTION', 'LOAD', 'REPLACE', "#!lua name=mylib\nredis.register_function('f1', function() return 2 end)"],
      ['FCALL', 'f1', '0'],
      ['FUNCTION', 'LOAD', "#!lua name=lib2\nredis.register_function{function_name='f2', callback=function() return redis.call('set','a','1') end, flags={'no-writes'}, description='desc'}"],
      ['FCALL', 'f2', '0'],
      ['FCALL_RO', 'f2', '0'],
      ['FUNCTION', 'LOAD', "#!lua name=lib6\nredis.register_function{function_name='f6', callback=function(k) return redis.call('set', k[1], '1') end}"],
      ['FCALL_RO', 'f6', '1', 'x'],
      ['FCALL', 'f6', '1', 'x'],
      ['FUNCTION', 'LOAD', lib('return 1')],
      ['FUNCTION', 'LOAD', lib("local x = string.len('a')")],
      ['FUNCTION', 'LOAD', lib("redis.register_function('f3')")],
      ['FUNCTION', 'LOAD', lib("redis.register_function('f3 x', function() end)")],
      ['FUNCTION', 'LOAD', lib("redis.register_function('f3', function() end) redis.register_function('f3', function() end)")],
      ['FUNCTION', 'LOAD', lib("redis.register_function{function_name='f3', callback=function() end, flags={'bogus'}}")],
      ['FUNCTION', 'LOAD', lib("redis.register_function{function_name='f3', callback=function() end, foo=1}")],
      ['FUNCTION', 'LOAD', lib('redis.register_function{callback=function() end}')],
      ['FUNCTION', 'LOAD', lib("redis.register_function('f1', function() end)")],
      ['FUNCTION', 'LOAD', lib("redis.call('ping')")],
      ['FUNCTION', 'LOAD', lib('x = 1')],
      ['FUNCTION', 'LOAD', lib("error('oops')")],
      ['FUNCTION', 'LOAD', lib('local a = 1 +')],
      ['FUNCTION', 'LOAD', lib('local i = 0 while true do i = i + 1 end')],
      ['FUNCTION', 'LOAD', "#!lua name=lib4\nredis.register_function('f4', function() return x end)"],
      ['FCALL', 'f4', '0'],
      ['FUNCTION', 'LOAD', "#!lua name=lib5\nlocal function helper() error('bad') end\nredis.register_function('f5', function() helper() end)"],
      ['FCALL', 'f5', '0'],
      ['FUNCTION', 'DELETE', 'lib5'],
      ['FCALL', 'f5', '0'],
      ['FUNCTION', 'FLUSH'],
      ['FCALL', 'f1', '0'],
    ]);
  });

  it('over maxmemory: scripts need allow-oom or no-writes, and write commands of flagless scripts get OOM', async () => {
    await sameReplies(pair, [
      ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
      ['SET', 'before', 'x'],
      ['FUNCTION', 'LOAD', 'REPLACE', "#!lua name=oomlib\nredis.register_function('oom_w', function() return 1 end)\nredis.register_function{function_name='oom_r', callback=function() return 2 end, flags={'no-writes'}}"],
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['FCALL', 'oom_w', '0'],
      ['FCALL', 'oom_r', '0'],
      ['EVAL', '#!lua\nreturn 1', '0'],
      ['EVAL', "#!lua flags=no-writes\nreturn redis.call('get', 'before')", '0'],
      ['EVAL', "#!lua flags=allow-oom\nreturn redis.call('set', 'oom', 'allowed')", '0'],
      ['EVAL', "return redis.call('get', 'before')", '0'],
      ['EVAL', "return redis.call('set', 'flagless', 'x')", '0'],
      ['EVAL', "return redis.pcall('set', 'flagless', 'x')", '0'],
      ['CONFIG', 'SET', 'maxmemory', '0'],
      ['MGET', 'oom', 'flagless'],
    ]);
  });

  it('errors of scripts and of the commands they run are counted once, as redis-server counts them', async () => {
    await sameReplies(pair, [['CONFIG', 'RESETSTAT'], ['SET', 'str', 'x']]);
    for (const script of ["return redis.call('incr', 'str')", "return redis.pcall('incr', 'str')", "error('mine')", "return {err='OWN x'}", "return redis.call('nosuch')"]) {
      await pair.both('EVAL', script, '0');
    }
    const stats = async (c: RawClient): Promise<string[]> => {
      const info = (await c.call('INFO', 'all')).split('\r\n');
      return info.filter((l) => l.startsWith('errorstat_') || l.startsWith('total_error_replies') || l.startsWith('cmdstat_eval:') || l.startsWith('cmdstat_incr:')).map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, '')).sort();
    };
    expect(await stats(pair.strata)).toEqual(await stats(pair.redis));
  });

  it('tables with erroring metamethods as results or errors get a reply, and the server stays up (redis-server 7.0.15 crashes on the error)', async () => {
    const trap = "setmetatable({}, {__index = function() error('trap') end})";
    expect(await pair.strata.call('EVAL', `error(${trap})`, '0')).toMatch(/^-ERR unknown error script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
    expect(await pair.strata.call('EVAL', `return ${trap}`, '0')).toBe('*0\r\n');
    expect(await pair.strata.call('PING')).toBe('+PONG\r\n');
  });

  it('a script that runs past busy-reply-threshold: BUSY for others, SCRIPT KILL ends it', async () => {
    await sameReplies(pair, [['CONFIG', 'SET', 'busy-reply-threshold', '100']]);
    const outcomes = await Promise.all(
      [pair.strataServer.port, pair.redisServer.port].map(async (port) => {
        const runner = await RawClient.connect(port);
        const other = await RawClient.connect(port);
        const seen: string[] = [];
        runner.write(encode(['EVAL', 'local i = 0 while true do i = i + 1 end', '0']));
        let busy = await other.call('GET', 'a');
        while (!busy.startsWith('-BUSY')) busy = await other.call('GET', 'a');
        seen.push(busy);
        seen.push(await other.call('SHUTDOWN'));
        seen.push(await other.call('FUNCTION', 'KILL'));
        seen.push(await other.call('FUNCTION', 'STATS'));
        seen.push(await other.call('SCRIPT', 'KILL'));
        seen.push(await runner.readReply(10_000));
        seen.push(await other.call('PING'));
        seen.push(await runner.call('PING'));
        runner.close();
        other.close();
        return seen.map((s) => s.replace(/script: [0-9a-f]{40}/, 'script: <sha>'));
      }),
    );
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0][5]).toMatch(/^-ERR Script killed by user with SCRIPT KILL\.\.\. script: <sha>, on @user_script:1\.\r\n$/);
  });

  it("a script's own coroutine keeps its meaning while the script is busy", async () => {
    await sameReplies(pair, [['CONFIG', 'SET', 'busy-reply-threshold', '20']]);
    const script =
      "local co = coroutine.create(function() local t = redis.call('time') local i = 0 while true do i = i + 1 if i % 50000 == 0 then local n = redis.call('time') if (n[1] - t[1]) * 1000000 + (n[2] - t[2]) > 200000 then break end end end coroutine.yield('first') return 'second' end) local a, b = coroutine.resume(co) local c, d = coroutine.resume(co) return {tostring(a), b, tostring(c), d}";
    await sameReplies(pair, [['EVAL', script, '0'], ['CONFIG', 'SET', 'busy-reply-threshold', '5000']]);
  });

  it('a loop inside pcall past the threshold: BUSY for others, and SCRIPT KILL ends the script', async () => {
    await sameReplies(pair, [['CONFIG', 'SET', 'busy-reply-threshold', '50']]);
    const outcomes = await Promise.all(
      [pair.strataServer.port, pair.redisServer.port].map(async (port) => {
        const runner = await RawClient.connect(port);
        const other = await RawClient.connect(port);
        runner.write(encode(['EVAL', "local ok, e = pcall(function() local i = 0 while true do i = i + 1 end end) return {'after pcall', e}", '0']));
        let busy = await other.call('PING');
        while (!busy.startsWith('-BUSY')) busy = await other.call('PING');
        const kill = await other.call('SCRIPT', 'KILL');
        const done = (await runner.readReply(10_000)).replace(/script: [0-9a-f]{40}/, 'script: <sha>');
        runner.close();
        other.close();
        return [busy, kill, done];
      }),
    );
    expect(outcomes[0]).toEqual(outcomes[1]);
    await sameReplies(pair, [['CONFIG', 'SET', 'busy-reply-threshold', '5000']]);
  });

  it('a busy script that already wrote cannot be killed, and finishes', async () => {
    await sameReplies(pair, [['CONFIG', 'SET', 'busy-reply-threshold', '50']]);
    const script = "redis.call('set', 'w', '1') local t = redis.call('time') local i = 0 while true do i = i + 1 if i % 100000 == 0 then local n = redis.call('time') if (n[1] - t[1]) * 1000000 + (n[2] - t[2]) > 300000 then break end end end return 'done'";
    const outcomes = await Promise.all(
      [pair.strataServer.port, pair.redisServer.port].map(async (port) => {
        const runner = await RawClient.connect(port);
        const other = await RawClient.connect(port);
        runner.write(encode(['EVAL', script, '0']));
        let busy = await other.call('PING');
        while (!busy.startsWith('-BUSY')) busy = await other.call('PING');
        const kill = await other.call('SCRIPT', 'KILL');
        const done = await runner.readReply(10_000);
        const after = await other.call('GET', 'w');
        runner.close();
        other.close();
        return [busy, kill, done, after];
      }),
    );
    expect(outcomes[0]).toEqual(outcomes[1]);
    await sameReplies(pair, [['CONFIG', 'SET', 'busy-reply-threshold', '5000']]);
  });
});

function encode(argv: string[]): Buffer {
  return Buffer.from(`*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`).join('')}`, 'latin1');
}

describe('scripts and the append-only log', () => {
  const runLogged = loggedSideBySide();

  it('a script is logged as its write commands, several wrapped in MULTI/EXEC, and replays', async () => {
    const scenario = async (port: number): Promise<string[]> => {
      const c = await RawClient.connect(port);
      const out = [
        await c.call('EVAL', "redis.call('set', KEYS[1], ARGV[1]) redis.call('rpush', 'l', 'a', 'b') return redis.call('incr', 'n')", '1', 'k', 'v'),
        await c.call('EVAL', "return redis.call('incr', 'n')", '0'),
        await c.call('EVAL', "redis.set_repl(redis.REPL_NONE) redis.call('set', 'hidden', '1') redis.set_repl(redis.REPL_ALL) return redis.call('set', 'shown', '1')", '0'),
        await c.call('EVAL', "return redis.call('get', 'k')", '0'),
        await c.call('FUNCTION', 'LOAD', "#!lua name=l\nredis.register_function('bump', function(k) return redis.call('incrby', k[1], 5) end)"),
        await c.call('FCALL', 'bump', '1', 'n'),
        await c.call('EVAL', "redis.call('select', 2) return redis.call('set', 'in2', 'x')", '0'),
      ];
      c.close();
      return out;
    };
    const { fromStrata, fromRedis, strataLog, redisLog, reopened } = await runLogged(scenario);
    expect(fromStrata).toEqual(fromRedis);
    expect(strataLog).toEqual(redisLog);
    expect(strataLog.map((a) => a[0].toUpperCase())).not.toContain('EVAL');
    expect(await reopened.call('MGET', 'k', 'n', 'shown', 'hidden')).toBe('*4\r\n$1\r\nv\r\n$1\r\n7\r\n$1\r\n1\r\n$-1\r\n');
    expect(await reopened.call('FCALL', 'bump', '1', 'n')).toBe(':12\r\n');
  });
});

describe('scripts over cold keys', () => {
  it('redis.call reads and writes keys that live in the cold tier, and the script sees one keyspace', async () => {
    const server = await startServer({ args: ['--maxmemory-policy', 'allkeys-lru'] });
    const c = await RawClient.connect(server.port);
    try {
      const used = Number(/used_memory:(\d+)/.exec(await c.call('INFO', 'memory'))![1]);
      expect(await c.call('CONFIG', 'SET', 'maxmemory', String(used + 1024 * 1024))).toBe('+OK\r\n');
      const value = 'v'.repeat(1000);
      for (let from = 0; from < 4000; from += 500) {
        const requests: string[][] = [];
        for (let i = from; i < from + 500; i++) requests.push(['SET', `k:${i}`, `${i}:${value}`]);
        for (const argv of requests) c.write(encode(argv));
        for (let i = 0; i < requests.length; i++) expect(await c.readReply()).toBe('+OK\r\n');
      }
      // The first keys were demoted long ago: the script reads them back, changes them, counts all.
      const coldBefore = Number(/cold_keys:(\d+)/.exec(await c.call('INFO', 'tiering'))![1]);
      expect(coldBefore).toBeGreaterThan(1000);
      const script = "local v = redis.call('get', KEYS[1]) redis.call('append', KEYS[1], '!') return {string.sub(v, 1, 2), redis.call('strlen', KEYS[1]), redis.call('dbsize'), redis.call('exists', KEYS[2])}";
      expect(await c.call('EVAL', script, '2', 'k:0', 'k:1')).toBe('*4\r\n$2\r\n0:\r\n:1003\r\n:4000\r\n:1\r\n');
      expect(await c.call('GET', 'k:0')).toBe(`$1003\r\n0:${value}!\r\n`);
    } finally {
      c.close();
      await server.stop();
    }
  });
});
