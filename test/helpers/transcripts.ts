/*
 * Transcripts of several connections to one server, for comparing pub/sub and client-side caching
 * traffic (replies interleaved with pushes and messages) with redis-server byte for byte.
 *
 * A scenario names its connections and lists steps; each step sends one connection's requests
 * (pipelined) plus a PING carrying a marker, and keeps everything that connection received up to
 * the marker's reply. Steps run one after the other, so what other connections caused is already
 * delivered when a connection reads.
 *
 * Connection ids differ between servers: an argument "$id:<name>" is replaced by that connection's
 * id, and an id that follows "redirect" or "tracking-redir-broken" in a transcript is shown as
 * "<name>". HELLO's id field is masked.
 */

import { afterAll, beforeAll, expect } from 'vitest';
import { RawClient } from './resp.js';
import { startServer, type RunningServer } from './server.js';

const MARK = 'end-of-transcript';

export type Step = [connection: string, requests: string[][]];

/** Everything one connection receives for its requests, up to the marker PING's reply. */
export async function transcript(client: RawClient, requests: readonly string[][]): Promise<string> {
  for (const argv of requests) client.send(...argv);
  client.send('PING', MARK);
  let out = '';
  for (;;) {
    const reply = await client.readReply();
    out += reply;
    if (reply.includes(MARK)) return out;
  }
}

/** Runs a scenario on the server at `port`; one "name: transcript" per step. */
export async function runScenario(port: number, connections: readonly string[], steps: readonly Step[]): Promise<string[]> {
  const clients = new Map<string, RawClient>();
  const ids = new Map<string, string>();
  try {
    for (const name of connections) {
      const c = await RawClient.connect(port);
      clients.set(name, c);
      ids.set(name, (await c.call('CLIENT', 'ID')).slice(1, -2));
    }
    const names = new Map([...ids].map(([name, id]) => [id, name]));
    const out: string[] = [];
    for (const [name, requests] of steps) {
      const resolved = requests.map((argv) => argv.map((a) => (a.startsWith('$id:') ? (ids.get(a.slice(4)) ?? a) : a)));
      const text = (await transcript(clients.get(name)!, resolved))
        .replace(/(\$2\r\nid\r\n):\d+/g, '$1:ID')
        .replace(/((?:redirect|tracking-redir-broken)\r\n):(\d+)/g, (_m, head: string, id: string) => `${head}:<${names.get(id) ?? id}>`);
      out.push(`${name}: ${text}`);
    }
    return out;
  } finally {
    for (const c of clients.values()) c.close();
  }
}

export interface TranscriptPair {
  readonly strata: RunningServer;
  readonly redis: RunningServer;
  /** Runs the scenario on both servers and expects the same transcripts. */
  expectSame(connections: string[], steps: readonly Step[]): Promise<void>;
}

/** For the enclosing suite: strata and redis-server started with `args` (beforeAll), stopped in afterAll. */
export function transcriptsForSuite(args: string[] = []): TranscriptPair {
  let servers: RunningServer[] = [];
  beforeAll(async () => {
    servers = await Promise.all([startServer({ args }), startServer({ redis: true, args })]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });
  return {
    get strata() {
      return servers[0];
    },
    get redis() {
      return servers[1];
    },
    async expectSame(connections, steps) {
      const expected = await runScenario(servers[1].port, connections, steps);
      const actual = await runScenario(servers[0].port, connections, steps);
      expect(actual).toEqual(expected);
    },
  };
}
