import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';
import { NEWER_THAN_7_0 } from '../helpers/newer-commands.js';
import { parseResp, serializeResp, textOf } from '../helpers/resp-tree.js';

describe('COMMAND', () => {
  let strata: RunningServer;
  let redis: RunningServer;
  let s: RawClient;
  let r: RawClient;
  let names: string[];

  beforeAll(async () => {
    [strata, redis] = await Promise.all([startServer(), startServer({ redis: true })]);
    [s, r] = await Promise.all([RawClient.connect(strata.port), RawClient.connect(redis.port)]);
    names = parseResp(await s.call('COMMAND', 'LIST')).children.map(textOf);
  });

  afterAll(async () => {
    s.close();
    r.close();
    await Promise.all([strata.stop(), redis.stop()]);
  });

  /** The same command on both servers must get the same bytes. */
  async function same(...argv: string[]): Promise<string> {
    const [mine, theirs] = await Promise.all([s.call(...argv), r.call(...argv)]);
    expect(mine, argv.join(' ')).toBe(theirs);
    return mine;
  }

  it('COMMAND COUNT counts the top-level commands COMMAND returns', async () => {
    const count = Number((await s.call('COMMAND', 'COUNT')).slice(1, -2));
    const all = parseResp(await s.call('COMMAND'));
    expect(all.children).toHaveLength(count);
    expect(all.children.map((row) => textOf(row.children[0]))).toEqual(names.filter((n) => !n.includes('|')));
  });

  it('COMMAND INFO answers null for unknown names and resolves container|subcommand names', async () => {
    await same('COMMAND', 'INFO', 'nosuchcommand', 'get|x', 'command|', '', 'a|b|c');
    await same('COMMAND', 'INFO', 'COMMAND|INFO', 'Get');
    const s3 = await RawClient.connect(strata.port);
    const r3 = await RawClient.connect(redis.port);
    await s3.call('HELLO', '3');
    await r3.call('HELLO', '3');
    expect(await s3.call('COMMAND', 'INFO', 'nosuch', 'get')).toBe(await r3.call('COMMAND', 'INFO', 'nosuch', 'get'));
    s3.close();
    r3.close();
  });

  it('COMMAND DOCS skips unknown names and documents the known ones', async () => {
    await same('COMMAND', 'DOCS', 'nosuch', 'set', 'getdel', 'command|getkeys');
    await same('COMMAND', 'DOCS', 'nosuch');
  });

  it('COMMAND LIST FILTERBY ACLCAT and PATTERN select what redis-server selects among strata commands', async () => {
    const filtered = async (c: RawClient, ...args: string[]): Promise<string[]> =>
      parseResp(await c.call('COMMAND', 'LIST', 'FILTERBY', ...args))
        .children.map(textOf)
        .filter((n) => names.includes(n) && !NEWER_THAN_7_0.has(n))
        .sort();
    for (const cat of ['string', 'FAST', 'write', 'scripting', 'connection', 'dangerous', 'nosuchcat']) {
      expect(await filtered(s, 'ACLCAT', cat), cat).toEqual(await filtered(r, 'ACLCAT', cat));
    }
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[a-z*?[\]^\\|-]{0,8}$/), async (pattern) => {
        expect(await filtered(s, 'PATTERN', pattern), pattern).toEqual(await filtered(r, 'PATTERN', pattern));
      }),
      { numRuns: 150 },
    );
    expect(await s.call('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x')).toBe('*0\r\n');
  });

  it('COMMAND LIST rejects malformed filters with a syntax error', async () => {
    await same('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT');
    await same('COMMAND', 'LIST', 'FILTERBY', 'FOO', 'x');
    await same('COMMAND', 'LIST', 'WHATEVER', 'a', 'b');
  });

  it('COMMAND GETKEYS and GETKEYSANDFLAGS find keys from the key specs', async () => {
    const lines = [
      ['GET', 'k'],
      ['SET', 'k', 'v'],
      ['SET', 'k', 'v', 'GET'],
      ['MSET', 'a', '1', 'b', '2', 'c', '3'],
      ['MGET', 'a', 'b', 'c'],
      ['MSETNX', 'a', '1', 'b'],
      ['EVAL', 'return 1', '2', 'k1', 'k2', 'arg'],
      ['EVAL', 'return 1', '0'],
      ['EVAL', 'return 1', '3', 'k1'],
      ['EVAL', 'return 1', 'x', 'k1'],
      ['FCALL', 'f', '1', 'key', 'arg'],
      ['EVALSHA_RO', 'abc', '2', 'a', 'b'],
    ];
    for (const line of lines) {
      await same('COMMAND', 'GETKEYS', ...line);
      await same('COMMAND', 'GETKEYSANDFLAGS', ...line);
    }
  });

  it('COMMAND GETKEYS errors have Redis texts', async () => {
    expect(await same('COMMAND', 'GETKEYS', 'nosuch', 'a')).toBe('-ERR Invalid command specified\r\n');
    expect(await same('COMMAND', 'GETKEYS', 'PING', 'a')).toBe('-ERR The command has no key arguments\r\n');
    expect(await same('COMMAND', 'GETKEYS', 'GET', 'a', 'b')).toBe('-ERR Invalid number of arguments specified for command\r\n');
    await same('COMMAND', 'GETKEYS', 'COMMAND', 'nosuchsub');
    await same('COMMAND', 'GETKEYS', 'FUNCTION', 'LIST');
    await same('COMMAND', 'GETKEYS', 'GET');
  });

  it('COMMAND GETKEYS agrees with redis-server on generated EVAL, MSET and SET lines', async () => {
    const word = fc.constantFrom('k', 'GET', 'get', '0', '1', '2', '-1', 'x', 'NX', 'EX', '10');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('EVAL', 'FCALL_RO', 'MSET', 'SET', 'MGET'), fc.array(word, { minLength: 1, maxLength: 7 }), async (cmd, args) => {
        await same('COMMAND', 'GETKEYSANDFLAGS', cmd, ...args);
      }),
      { numRuns: 200 },
    );
  });

  it('COMMAND HELP and unknown subcommands answer as Redis', async () => {
    await same('COMMAND', 'HELP');
    await same('command', 'help');
    await same('COMMAND', 'NOSUCH');
    await same('COMMAND', 'COUNT', 'extra');
  });

  it('COMMAND INFO lists subcommands of containers with their own rows', async () => {
    const reply = parseResp(await s.call('COMMAND', 'INFO', 'command'));
    const subs = reply.children[0].children[9];
    expect(subs.children.map((row) => textOf(row.children[0])).sort()).toEqual(
      ['command|count', 'command|docs', 'command|getkeys', 'command|getkeysandflags', 'command|help', 'command|info', 'command|list'],
    );
    for (const row of subs.children) {
      expect(serializeResp(row), 'each row is COMMAND INFO of the subcommand').toBe(
        (await s.call('COMMAND', 'INFO', textOf(row.children[0]))).replace(/^\*1\r\n/, ''),
      );
    }
  });
});
