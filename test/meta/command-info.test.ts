/*
 * COMMAND INFO and COMMAND DOCS of every command in strata's registry, byte for byte against
 * redis-server 7.0.15, in RESP2 and RESP3. The only freedom taken is order where Redis has none:
 * the subcommands of a container (Redis lists them in a per-process random hash order) are
 * compared as a sorted set, and each subcommand is also compared on its own.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';
import { parseResp, serializeResp, sortElements, sortPairs, textOf, type RespNode } from '../helpers/resp-tree.js';

/** COMMAND INFO <name>: one 10-element row; its 10th element lists the subcommands. */
function normalizeInfo(raw: string): string {
  const reply = parseResp(raw);
  const row = reply.children[0];
  if (row.children.length === 10) sortElements(row.children[9]);
  return serializeResp(reply);
}

/** COMMAND DOCS <name>: {name: {..., subcommands: {fullname: docs}}}. */
function normalizeDocs(raw: string): string {
  const reply = parseResp(raw);
  const docs: RespNode | undefined = reply.children[1];
  if (docs !== undefined) {
    for (let i = 0; i < docs.children.length; i += 2) {
      if (textOf(docs.children[i]) === 'subcommands') sortPairs(docs.children[i + 1]);
    }
  }
  return serializeResp(reply);
}

describe('COMMAND INFO and COMMAND DOCS match redis-server 7.0.15 for every registered command', () => {
  let strata: RunningServer;
  let redis: RunningServer;
  let names: string[] = [];

  beforeAll(async () => {
    [strata, redis] = await Promise.all([startServer(), startServer({ redis: true })]);
    const c = await RawClient.connect(strata.port);
    names = parseResp(await c.call('COMMAND', 'LIST')).children.map(textOf);
    c.close();
  });

  afterAll(async () => {
    await Promise.all([strata?.stop(), redis?.stop()]);
  });

  async function compareAll(resp: 2 | 3, kind: 'INFO' | 'DOCS'): Promise<string[]> {
    const [s, r] = await Promise.all([RawClient.connect(strata.port), RawClient.connect(redis.port)]);
    if (resp === 3) await Promise.all([s.call('HELLO', '3'), r.call('HELLO', '3')]);
    const normalize = kind === 'INFO' ? normalizeInfo : normalizeDocs;
    const mismatches: string[] = [];
    for (const name of names) {
      const [mine, theirs] = await Promise.all([s.call('COMMAND', kind, name), r.call('COMMAND', kind, name)]);
      if (normalize(mine) !== normalize(theirs)) {
        mismatches.push(`${name}:\n  strata: ${JSON.stringify(mine).slice(0, 600)}\n  redis:  ${JSON.stringify(theirs).slice(0, 600)}`);
      }
    }
    s.close();
    r.close();
    return mismatches;
  }

  it('the registry is listed and counted consistently', async () => {
    const c = await RawClient.connect(strata.port);
    const count = Number((await c.call('COMMAND', 'COUNT')).slice(1, -2));
    c.close();
    expect(names.filter((n) => !n.includes('|'))).toHaveLength(count);
    expect(names).toContain('command|info');
  });

  for (const resp of [2, 3] as const) {
    for (const kind of ['INFO', 'DOCS'] as const) {
      it(`COMMAND ${kind} <name> is byte-identical in RESP${resp}`, async () => {
        const mismatches = await compareAll(resp, kind);
        expect(mismatches.join('\n'), `${mismatches.length} of ${names.length} commands differ`).toBe('');
      });
    }
  }
});
