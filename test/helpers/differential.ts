/*
 * Differential testing against Debian's redis-server 7.0.15: the same requests go to strata and to
 * redis-server over raw RESP, and the replies are compared byte for byte. The first difference is
 * reported with the requests and replies that led to it.
 *
 * Replies that legitimately differ (TTLs that drift with each server's clock, run ids) go through
 * a normaliser first. Inside MULTI ... EXEC the normaliser sees each element of EXEC's reply with
 * the request that produced it.
 */

import { afterAll, beforeAll, expect } from 'vitest';
import { startServer, type RunningServer, type StartOptions } from './server.js';
import { RawClient, encodeCommand, replyEnd } from './resp.js';

/** Maps a reply (raw RESP) of `argv` to the form that is compared. */
export type Normalizer = (reply: string, argv: readonly string[]) => string;

export interface Exchange {
  argv: string[];
  strata: string;
  redis: string;
}

export interface Mismatch {
  /** Index of the request whose replies differ. */
  index: number;
  exchange: Exchange;
  /** The requests before it (up to `contextSize`), with their replies. */
  before: Exchange[];
}

export interface CompareOptions {
  normalize?: Normalizer;
  /** How many earlier exchanges a mismatch report shows. */
  contextSize?: number;
}

/** Splits an aggregate reply into its header and its elements (raw RESP each). */
function splitAggregate(reply: string): { header: string; elements: string[] } | null {
  if (reply[0] !== '*') return null;
  const buf = Buffer.from(reply, 'latin1');
  const headerEnd = buf.indexOf(10) + 1;
  const n = Number(reply.slice(1, headerEnd - 2));
  if (!(n >= 0)) return null;
  const elements: string[] = [];
  let at = headerEnd;
  for (let i = 0; i < n; i++) {
    const end = replyEnd(buf, at);
    elements.push(buf.toString('latin1', at, end));
    at = end;
  }
  return { header: reply.slice(0, headerEnd), elements };
}

/**
 * Applies the normaliser to each reply, and to each element of EXEC's reply with the queued
 * request it answers.
 */
function normalizeAll(requests: readonly string[][], replies: string[], normalize: Normalizer): string[] {
  const out: string[] = [];
  let queued: string[][] | null = null;
  for (let i = 0; i < requests.length; i++) {
    const argv = requests[i];
    const name = argv[0].toUpperCase();
    let reply = replies[i];
    if (name === 'EXEC' && queued !== null) {
      const agg = splitAggregate(reply);
      if (agg !== null && agg.elements.length === queued.length) {
        reply = agg.header + agg.elements.map((e, j) => normalize(e, queued![j])).join('');
      }
      queued = null;
    } else if (name === 'DISCARD') {
      queued = null;
    } else if (queued !== null && reply === '+QUEUED\r\n') {
      queued.push(argv);
    } else if (name === 'MULTI' && reply === '+OK\r\n') {
      queued = [];
    } else {
      reply = normalize(reply, argv);
    }
    out.push(reply);
  }
  return out;
}

const identity: Normalizer = (reply) => reply;

export class DifferentialPair {
  private constructor(
    readonly strata: RunningServer,
    readonly redis: RunningServer,
    private readonly strataClient: RawClient,
    private readonly redisClient: RawClient,
  ) {}

  /** Starts strata and redis-server side by side with the same directives. */
  static async start(opts: Omit<StartOptions, 'redis'> = {}): Promise<DifferentialPair> {
    const [strata, redis] = await Promise.all([startServer(opts), startServer({ ...opts, redis: true })]);
    const [sc, rc] = await Promise.all([RawClient.connect(strata.port), RawClient.connect(redis.port)]);
    return new DifferentialPair(strata, redis, sc, rc);
  }

  /** Sends the requests (pipelined) to both servers and returns both replies of each. */
  async exchange(requests: readonly string[][]): Promise<Exchange[]> {
    const wire = Buffer.concat(requests.map((argv) => encodeCommand(argv)));
    const read = async (client: RawClient): Promise<string[]> => {
      client.write(wire);
      const replies: string[] = [];
      for (let i = 0; i < requests.length; i++) replies.push(await client.readReply(10_000));
      return replies;
    };
    const [s, r] = await Promise.all([read(this.strataClient), read(this.redisClient)]);
    return requests.map((argv, i) => ({ argv: [...argv], strata: s[i], redis: r[i] }));
  }

  /** Runs the requests on both servers; the first request whose (normalised) replies differ, or null. */
  async compare(requests: readonly string[][], opts: CompareOptions = {}): Promise<Mismatch | null> {
    const exchanges = await this.exchange(requests);
    const normalize = opts.normalize ?? identity;
    const s = normalizeAll(requests, exchanges.map((e) => e.strata), normalize);
    const r = normalizeAll(requests, exchanges.map((e) => e.redis), normalize);
    const index = s.findIndex((reply, i) => reply !== r[i]);
    if (index < 0) return null;
    const contextSize = opts.contextSize ?? 8;
    return { index, exchange: exchanges[index], before: exchanges.slice(Math.max(0, index - contextSize), index) };
  }

  /** Empties both servers when strata has FLUSHALL; returns false when it does not. */
  async flushAll(): Promise<boolean> {
    const [s, r] = await Promise.all([this.strataClient.call('FLUSHALL'), this.redisClient.call('FLUSHALL')]);
    if (r !== '+OK\r\n') throw new Error(`redis-server FLUSHALL: ${r}`);
    return s === '+OK\r\n';
  }

  async stop(): Promise<void> {
    this.strataClient.close();
    this.redisClient.close();
    await Promise.all([this.strata.stop(), this.redis.stop()]);
  }
}

/** A readable report of a mismatch: the context, then the differing replies. */
export function formatMismatch(m: Mismatch): string {
  const show = (s: string): string => JSON.stringify(s.length > 300 ? s.slice(0, 300) + '…' : s);
  const lines = [`replies differ at request #${m.index}:`];
  for (const e of m.before) {
    lines.push(`  ${JSON.stringify(e.argv)}`);
    lines.push(`    -> ${show(e.redis)}${e.strata === e.redis ? '' : `  (strata ${show(e.strata)})`}`);
  }
  lines.push(`> ${JSON.stringify(m.exchange.argv)}`);
  lines.push(`    redis-server: ${show(m.exchange.redis)}`);
  lines.push(`    strata:       ${show(m.exchange.strata)}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Structural comparison, for replies whose order or content Redis leaves open (set members,
// random picks): parse, then sort members or keep only the shape.

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
  strataServer: RunningServer;
  redisServer: RunningServer;
  /** Sends argv to both and returns both raw replies. */
  both(...argv: string[]): Promise<[string, string]>;
  /** Sends each request to both and expects the same raw reply, naming the request that differs. */
  expectSame(requests: string[][]): Promise<void>;
  stop(): Promise<void>;
}

export async function startPair(args: string[] = []): Promise<Pair> {
  const servers = await Promise.all([startServer({ args }), startServer({ redis: true, args })]);
  const [strata, redis] = await Promise.all(servers.map((srv) => RawClient.connect(srv.port)));
  return {
    strata,
    redis,
    strataServer: servers[0],
    redisServer: servers[1],
    both: async (...argv) => Promise.all([strata.call(...argv), redis.call(...argv)]),
    expectSame: async (requests) => {
      for (const argv of requests) {
        const [s, r] = await Promise.all([strata.call(...argv), redis.call(...argv)]);
        expect(s, argv.join(' ')).toBe(r);
      }
    },
    stop: async () => {
      strata.close();
      redis.close();
      for (const s of servers) await s.stop();
    },
  };
}

/**
 * A pair for the enclosing suite: started in its beforeAll, stopped in its afterAll. The fields
 * are read through, so the returned object may be captured before the servers are up.
 */
export function pairForSuite(args: string[] = []): Pair {
  let started: Pair | undefined;
  beforeAll(async () => {
    started = await startPair(args);
  });
  afterAll(async () => {
    await started?.stop();
  });
  const live = (): Pair => {
    if (started === undefined) throw new Error('the pair is used outside its suite');
    return started;
  };
  return {
    get strata() {
      return live().strata;
    },
    get redis() {
      return live().redis;
    },
    get strataServer() {
      return live().strataServer;
    },
    get redisServer() {
      return live().redisServer;
    },
    both: (...argv) => live().both(...argv),
    expectSame: (requests) => live().expectSame(requests),
    stop: () => live().stop(),
  };
}
