/*
 * Differential testing against redis-server: run the same commands on strata and on Debian's
 * redis-server and compare replies, byte for byte where Redis's reply is deterministic, or after
 * normalising (sorting members of unordered replies, keeping only the shape of random ones).
 */

import { startServer, type RunningServer } from './server.js';
import { RawClient, replyEnd } from './resp.js';

/** A parsed reply: type byte plus a scalar text or child replies (maps flattened). */
export interface Reply {
  type: string;
  text?: string;
  items?: Reply[];
}

/** Parses one complete raw reply (as RawClient returns it). */
export function parseReply(raw: string): Reply {
  const buf = Buffer.from(raw, 'latin1');
  const [reply] = parseAt(buf, 0);
  return reply;
}

function parseAt(buf: Buffer, at: number): [Reply, number] {
  const lf = buf.indexOf(10, at);
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString('latin1', at + 1, lf - 1);
  switch (type) {
    case '$':
    case '=': {
      const n = Number(line);
      if (n < 0) return [{ type: '_' }, lf + 1];
      return [{ type, text: buf.toString('latin1', lf + 1, lf + 1 + n) }, lf + 1 + n + 2];
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      let n = Number(line);
      if (n < 0) return [{ type: '_' }, lf + 1];
      if (type === '%') n *= 2;
      const items: Reply[] = [];
      let pos = lf + 1;
      for (let i = 0; i < n; i++) {
        const [child, next] = parseAt(buf, pos);
        items.push(child);
        pos = next;
      }
      return [{ type, items }, pos];
    }
    default:
      if (replyEnd(buf, at) < 0) throw new Error('incomplete reply');
      return [{ type, text: line }, lf + 1];
  }
}

/** The reply with every aggregate's children sorted (for replies in no defined order). */
export function sortedReply(r: Reply): Reply {
  if (r.items === undefined) return r;
  const items = r.items.map(sortedReply);
  items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
  return { type: r.type, items };
}

/** The reply with bulk texts erased: what is left is its shape (types and lengths). */
export function replyShape(r: Reply): Reply {
  if (r.items !== undefined) return { type: r.type, items: r.items.map(replyShape) };
  return r.type === '$' ? { type: '$' } : r;
}

/** Both servers, one raw connection to each. */
export interface Pair {
  strata: RawClient;
  redis: RawClient;
  /** Sends argv to both and returns both raw replies. */
  both(...argv: string[]): Promise<[string, string]>;
  stop(): Promise<void>;
}

export async function startPair(args: string[] = []): Promise<Pair> {
  const servers: RunningServer[] = [await startServer({ args }), await startServer({ redis: true, args })];
  const strata = await RawClient.connect(servers[0].port);
  const redis = await RawClient.connect(servers[1].port);
  return {
    strata,
    redis,
    both: async (...argv) => Promise.all([strata.call(...argv), redis.call(...argv)]),
    stop: async () => {
      strata.close();
      redis.close();
      for (const s of servers) await s.stop();
    },
  };
}
