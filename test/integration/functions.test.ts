import { describe, expect, it } from 'vitest';
import { pairForSuite } from '../helpers/differential.js';
import { parseResp, serializeResp, sortElements, textOf } from '../helpers/resp-tree.js';

const LIB_A = `#!lua name=liba
-- redis.register_function('commented_out', f) is not a registration
local function hset_stamp(keys, args)
  local time = redis.call('TIME')[1]
  return redis.call('HSET', keys[1], '_last_modified_', time, unpack(args))
end
redis.register_function('a_hset', hset_stamp)
redis.register_function{
  function_name = 'a_get',
  callback = function(keys, args) if keys[1] then return redis.call('GET', keys[1]) end end,
  flags = { 'no-writes', 'allow-stale' },
  description = 'reads a key "quoted"',
}
`;
const LIB_B = "#!lua name=libb\nredis.register_function('b_one', function() return 1 end)\n";
const LIB_B2 = "#!lua name=libb\nredis.register_function('b_two', function() return 2 end)\n";
const LIB_CLASH = "#!lua name=libc\nredis.register_function('A_GET', function() return 3 end)\n";

/** The payload of a bulk-string reply. */
function bulkPayload(raw: string): Buffer {
  const nl = raw.indexOf('\r\n');
  return Buffer.from(raw.slice(nl + 2, -2), 'latin1');
}

/** FUNCTION LIST with each library's functions in name order (Redis lists them in hash order). */
function normalizeList(raw: string): string {
  const reply = parseResp(raw);
  for (const lib of reply.children) {
    for (let i = 0; i < lib.children.length; i += 2) if (textOf(lib.children[i]) === 'functions') sortElements(lib.children[i + 1]);
  }
  sortElements(reply);
  return serializeResp(reply);
}

describe('FUNCTION library store', () => {
  const pair = pairForSuite();

  async function same(...argv: Array<string | Buffer>): Promise<string> {
    const [mine, theirs] = await Promise.all([pair.strata.call(...argv), pair.redis.call(...argv)]);
    expect(mine, argv.join(' ').slice(0, 80)).toBe(theirs);
    return mine;
  }

  /** Loads libraries into redis-server and copies them to strata with FUNCTION DUMP / RESTORE. */
  async function loadViaRedis(...codes: string[]): Promise<Buffer> {
    await same('FUNCTION', 'FLUSH');
    for (const code of codes) expect((await pair.redis.call('FUNCTION', 'LOAD', code)).startsWith('$')).toBe(true);
    const payload = bulkPayload(await pair.redis.call('FUNCTION', 'DUMP'));
    expect(await pair.strata.call('FUNCTION', 'RESTORE', payload)).toBe('+OK\r\n');
    return payload;
  }

  it('a payload dumped by redis-server restores into strata with the same libraries, functions and code', async () => {
    await loadViaRedis(LIB_A, LIB_B);
    for (const args of [[], ['WITHCODE'], ['LIBRARYNAME', 'liba'], ['LIBRARYNAME', 'lib*', 'WITHCODE'], ['WITHCODE', 'LIBRARYNAME', '*b'], ['LIBRARYNAME', 'nomatch']]) {
      const [mine, theirs] = await Promise.all([pair.strata.call('FUNCTION', 'LIST', ...args), pair.redis.call('FUNCTION', 'LIST', ...args)]);
      expect(normalizeList(mine), args.join(' ')).toBe(normalizeList(theirs));
    }
    await same('FUNCTION', 'STATS');
  });

  it("strata's FUNCTION DUMP restores into redis-server", async () => {
    await loadViaRedis(LIB_A, LIB_B);
    const payload = bulkPayload(await pair.strata.call('FUNCTION', 'DUMP'));
    expect(await pair.redis.call('FUNCTION', 'RESTORE', payload, 'FLUSH')).toBe('+OK\r\n');
    const [mine, theirs] = await Promise.all([pair.strata.call('FUNCTION', 'LIST', 'WITHCODE'), pair.redis.call('FUNCTION', 'LIST', 'WITHCODE')]);
    expect(normalizeList(mine)).toBe(normalizeList(theirs));
  });

  it('an empty store dumps to the same payload as redis-server', async () => {
    await same('FUNCTION', 'FLUSH', 'SYNC');
    await same('FUNCTION', 'DUMP');
  });

  it('RESTORE policies APPEND, REPLACE and FLUSH resolve collisions as Redis', async () => {
    const ab = await loadViaRedis(LIB_A, LIB_B);
    // Redis checks the payload's libraries in hash order, so either name may be the one reported.
    for (const policy of [[], ['append']]) {
      const [mine, theirs] = await Promise.all([pair.strata.call('FUNCTION', 'RESTORE', ab, ...policy), pair.redis.call('FUNCTION', 'RESTORE', ab, ...policy)]);
      expect(mine.replace(/lib[ab]/, 'lib?')).toBe(theirs.replace(/lib[ab]/, 'lib?'));
      expect(mine).toMatch(/^-ERR Library lib[ab] already exists\r\n$/);
    }
    await same('FUNCTION', 'RESTORE', ab, 'REPLACE');
    await same('FUNCTION', 'FLUSH');
    await pair.redis.call('FUNCTION', 'LOAD', LIB_B2);
    const b2 = bulkPayload(await pair.redis.call('FUNCTION', 'DUMP'));
    await same('FUNCTION', 'FLUSH', 'ASYNC');
    await same('FUNCTION', 'RESTORE', ab);
    await same('FUNCTION', 'RESTORE', b2, 'REPLACE');
    await same('FUNCTION', 'RESTORE', b2, 'FLUSH');
    await same('FUNCTION', 'STATS');
    // A function name taken by another library stops the restore (names compare case-insensitively).
    await same('FUNCTION', 'RESTORE', ab, 'REPLACE');
    await pair.redis.call('FUNCTION', 'FLUSH');
    await pair.redis.call('FUNCTION', 'LOAD', LIB_CLASH);
    const clash = bulkPayload(await pair.redis.call('FUNCTION', 'DUMP'));
    await pair.redis.call('FUNCTION', 'RESTORE', ab, 'FLUSH');
    expect(await pair.strata.call('FUNCTION', 'RESTORE', ab, 'FLUSH')).toBe('+OK\r\n');
    await same('FUNCTION', 'RESTORE', clash);
    await same('FUNCTION', 'RESTORE', clash, 'REPLACE');
    await same('FUNCTION', 'RESTORE', ab, 'bogus');
    await same('FUNCTION', 'RESTORE', ab, 'FLUSH', 'extra');
  });

  it('corrupt payloads are refused and change nothing', async () => {
    const ab = await loadViaRedis(LIB_A, LIB_B);
    await same('FUNCTION', 'FLUSH');
    const flipped = Buffer.from(ab);
    flipped[3] ^= 0x20;
    await same('FUNCTION', 'RESTORE', flipped);
    const newer = Buffer.from(ab);
    newer.writeUInt16LE(11, newer.length - 10);
    await same('FUNCTION', 'RESTORE', newer);
    await same('FUNCTION', 'RESTORE', 'short');
    await same('FUNCTION', 'RESTORE', '');
    await same('FUNCTION', 'LIST');
  });

  it('FUNCTION DELETE removes one library', async () => {
    await loadViaRedis(LIB_A, LIB_B);
    await same('FUNCTION', 'DELETE', 'liba');
    await same('FUNCTION', 'DELETE', 'liba');
    await same('FUNCTION', 'DELETE', 'LIBB');
    await same('FUNCTION', 'LIST', 'WITHCODE');
    await same('FUNCTION', 'STATS');
  });

  it('FUNCTION argument errors have Redis texts', async () => {
    await same('FUNCTION', 'LIST', 'LIBRARYNAME');
    await same('FUNCTION', 'LIST', 'bogus');
    await same('FUNCTION', 'LIST', 'WITHCODE', 'WITHCODE');
    await same('FUNCTION', 'FLUSH', 'bogus');
    await same('FUNCTION', 'FLUSH', 'SYNC', 'extra');
    await same('FUNCTION', 'DUMP', 'extra');
    await same('FUNCTION', 'NOSUCH');
    await same('FUNCTION');
    await same('FUNCTION', 'HELP');
    await same('FUNCTION', 'KILL');
  });

  it('SCRIPT answers for an empty script cache with nothing running', async () => {
    await same('SCRIPT', 'EXISTS', 'a', 'b');
    await same('SCRIPT', 'FLUSH');
    await same('SCRIPT', 'FLUSH', 'ASYNC');
    await same('SCRIPT', 'FLUSH', 'bogus');
    await same('SCRIPT', 'KILL');
    await same('SCRIPT', 'HELP');
  });

  it('FUNCTION LOAD runs the library code: the same libraries, functions and FCALL replies as redis-server', async () => {
    await same('FUNCTION', 'FLUSH');
    await same('FUNCTION', 'LOAD', LIB_A);
    await same('FUNCTION', 'LOAD', LIB_B);
    await same('FUNCTION', 'LOAD', LIB_B2);
    await same('FUNCTION', 'LOAD', 'REPLACE', LIB_B2);
    await same('FUNCTION', 'LOAD', LIB_CLASH);
    await same('FUNCTION', 'LOAD', 'BOGUS', LIB_CLASH);
    const [mine, theirs] = await Promise.all([pair.strata.call('FUNCTION', 'LIST', 'WITHCODE'), pair.redis.call('FUNCTION', 'LIST', 'WITHCODE')]);
    expect(normalizeList(mine)).toBe(normalizeList(theirs));
    await same('SET', 'k', 'v');
    await same('FCALL', 'a_get', '1', 'k');
    await same('FCALL_RO', 'a_get', '1', 'k');
    await same('FCALL_RO', 'a_hset', '1', 'h', 'f', 'v');
    await same('FCALL', 'b_two', '0');
    await same('FCALL', 'b_one', '0');
    await same('FCALL', 'B_TWO', '0');
    await same('FCALL', 'b_two', 'x');
    await same('FCALL', 'b_two', '-1');
    await same('FCALL', 'b_two', '3', 'a');
  });
});
