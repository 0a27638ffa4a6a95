/*
 * COMMAND INFO and COMMAND DOCS of every command in strata's registry, byte for byte against
 * redis-server 7.0.15, in RESP2 and RESP3. Freedoms taken: order where Redis has none (the
 * subcommands of a container are listed in a per-process random hash order, so they are compared
 * as a sorted set; each is also compared on its own), and a container's subcommand list is
 * compared over the subcommands strata has (NEWER_THAN_7_0 ones excluded).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';
import { parseResp, serializeResp, sortElements, sortPairs, textOf, type RespNode } from '../helpers/resp-tree.js';
import { NEWER_THAN_7_0 } from '../helpers/newer-commands.js';

/**
 * The subcommands compared: those both servers have. Ones strata lacks yet are a coverage gap
 * (each missing one is absent from the registry), and ones newer than 7.0 are strata's additions.
 */
let comparable: (fullname: string) => boolean = () => true;

function keepComparableRows(list: RespNode): void {
  list.children = list.children.filter((row) => comparable(textOf(row.children[0])));
  recount(list);
}

/** Rewrites an aggregate's header after its children changed. */
function recount(node: RespNode): void {
  const type = node.head[0];
  node.head = `${type}${type === '%' ? node.children.length / 2 : node.children.length}\r\n`;
}

/** Same for a DOCS map of fullname → docs. */
function keepComparablePairs(map: RespNode): void {
  const kept: RespNode[] = [];
  for (let i = 0; i < map.children.length; i += 2) {
    if (comparable(textOf(map.children[i]))) kept.push(map.children[i], map.children[i + 1]);
  }
  map.children = kept;
  recount(map);
}

/** COMMAND INFO <name>: one 10-element row; its 10th element lists the subcommands. */
function normalizeInfo(raw: string): string {
  const reply = parseResp(raw);
  const row = reply.children[0];
  if (row.children.length === 10) {
    keepComparableRows(row.children[9]);
    sortElements(row.children[9]);
  }
  return serializeResp(reply);
}

/** COMMAND DOCS <name>: {name: {..., subcommands: {fullname: docs}}}. */
function normalizeDocs(raw: string): string {
  const reply = parseResp(raw);
  const docs: RespNode | undefined = reply.children[1];
  if (docs !== undefined) {
    for (let i = 0; i < docs.children.length; i += 2) {
      if (textOf(docs.children[i]) === 'subcommands') {
        keepComparablePairs(docs.children[i + 1]);
        sortPairs(docs.children[i + 1]);
      }
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
    const listed = parseResp(await c.call('COMMAND', 'LIST')).children.map(textOf);
    names = listed.filter((n) => !NEWER_THAN_7_0.has(n));
    const compared = new Set(names);
    comparable = (fullname) => compared.has(fullname);
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
    const newerTopLevel = [...NEWER_THAN_7_0.keys()].filter((n) => !n.includes('|')).length;
    expect(names.filter((n) => !n.includes('|'))).toHaveLength(count - newerTopLevel);
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
