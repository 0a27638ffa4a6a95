/*
 * Key finding for commands whose families strata does not have yet (sorted sets, streams, geo,
 * SORT, MIGRATE, BITFIELD, ...): getKeys on a table row built with Redis's own arity and flags,
 * against redis-server's COMMAND GETKEYSANDFLAGS for the same line.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';
import { parseResp, textOf } from '../helpers/resp-tree.js';
import { CommandEntry } from '../../src/commands/registry.js';
import { getKeys } from '../../src/commands/getkeys.js';
import type { CommandFlag, CommandSpec } from '../../src/commands/spec.js';

describe('getKeys for every kind of key spec', () => {
  let redis: RunningServer;
  let r: RawClient;
  const entries = new Map<string, CommandEntry>();

  beforeAll(async () => {
    redis = await startServer({ redis: true });
    r = await RawClient.connect(redis.port);
  });

  afterAll(async () => {
    r.close();
    await redis.stop();
  });

  /** A table entry with Redis's arity and flags; for a container, the entry of the subcommand argv names. */
  async function entryFor(argv: string[]): Promise<CommandEntry | undefined> {
    const name = argv[0].toLowerCase();
    const key = argv.length > 1 ? `${name} ${argv[1].toLowerCase()}` : name;
    if (!entries.has(key)) {
      const row = parseResp(await r.call('COMMAND', 'INFO', name)).children[0];
      const shape = (info: typeof row, short: string): CommandSpec => ({
        name: short,
        arity: Number(info.children[1].head.slice(1, -2)),
        flags: info.children[2].children.map(textOf) as CommandFlag[],
      });
      const subs = row.children[9].children;
      if (subs.length === 0) {
        entries.set(key, new CommandEntry(shape(row, name), null));
      } else {
        const sub = subs.find((x) => textOf(x.children[0]) === `${name}|${argv[1]?.toLowerCase()}`);
        const container = new CommandEntry({ ...shape(row, name), subcommands: sub ? [shape(sub, argv[1].toLowerCase())] : [] }, null);
        const found = container.subcommands!.get(argv[1]?.toLowerCase() ?? '');
        if (found) entries.set(key, found);
      }
    }
    return entries.get(key);
  }

  /** Redis's answer as [key, flags] pairs; null for an error reply. */
  async function redisKeys(argv: string[]): Promise<Array<[string, string[]]> | null> {
    const raw = await r.call('COMMAND', 'GETKEYSANDFLAGS', ...argv);
    if (raw.startsWith('-')) return null;
    return parseResp(raw).children.map((pair) => [textOf(pair.children[0]), pair.children[1].children.map(textOf)]);
  }

  async function check(argv: string[]): Promise<void> {
    const entry = await entryFor(argv);
    if (entry === undefined) return;
    const mine = getKeys(entry, argv).map((k): [string, string[]] => [argv[k.pos], [...k.flags]]);
    const theirs = await redisKeys(argv);
    const argc = argv.length;
    const arityOk = entry.arity > 0 ? argc === entry.arity : argc >= -entry.arity;
    if (!arityOk) return;
    if (theirs === null) expect(mine, argv.join(' ')).toEqual([]);
    else expect(mine, argv.join(' ')).toEqual(theirs);
  }

  it('fixed lines agree with redis-server', async () => {
    const lines = [
      'SORT k BY w GET x STORE dst',
      'SORT k LIMIT 0 1 STORE a STORE b',
      'SORT_RO k BY x',
      'ZUNIONSTORE dst 2 a b WEIGHTS 1 2',
      'ZINTER 2 a b WITHSCORES',
      'ZDIFFSTORE d 3 a b',
      'XREAD COUNT 2 STREAMS s1 s2 0 0',
      'XREADGROUP GROUP g c STREAMS s 0',
      'XREAD STREAMS s1 s2 0',
      'MIGRATE host 6379 k 0 5000',
      'MIGRATE host 6379 "" 0 5000 COPY KEYS a b c',
      'MIGRATE host 6379 "" 0 5000 AUTH2 u p KEYS a',
      'GEORADIUS g 0 0 10 km STORE s',
      'GEORADIUSBYMEMBER g m 10 km STOREDIST d',
      'BITFIELD k GET u8 0',
      'BITFIELD k GET u8 0 SET u8 0 1',
      'BITFIELD_RO k GET u8 0',
      'LMPOP 2 a b LEFT COUNT 2',
      'BLMPOP 0 2 a b LEFT',
      'ZMPOP 1 z MIN',
      'BZPOPMIN a b 0',
      'BLPOP a b c 0',
      'SINTERCARD 2 a b LIMIT 1',
      'LCS a b',
      'RENAME a b',
      'OBJECT ENCODING k',
      'MEMORY USAGE k',
      'XINFO STREAM s',
      'SMOVE a b m',
    ];
    for (const line of lines) await check(line.split(' ').map((w) => (w === '""' ? '' : w)));
  });

  it('generated lines agree with redis-server', async () => {
    const word = fc.constantFrom('k', 'STORE', 'STREAMS', 'KEYS', 'GET', 'SET', 'BY', 'LIMIT', '0', '1', '2', '3', '-1', 'x', '');
    const command = fc.constantFrom('SORT', 'ZUNIONSTORE', 'ZINTER', 'XREAD', 'MIGRATE', 'GEORADIUS', 'BITFIELD', 'LMPOP', 'BZMPOP', 'ZINTERCARD', 'BLPOP');
    await fc.assert(
      fc.asyncProperty(command, fc.array(word, { minLength: 1, maxLength: 9 }), async (cmd, args) => {
        await check([cmd, ...args]);
      }),
      { numRuns: 400 },
    );
  });
});
