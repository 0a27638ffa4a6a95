/*
 * When cold reads are parked (server/cold-reads.ts), against stand-ins for the server, the tier and
 * clients: mode yes parks every read of a key not in memory and none of one in memory, mode no
 * never parks, and auto parks after a window of command-thread reads of which enough were slow,
 * for a span of commands, then reads synchronously again. The tier's prefetch is driven by hand.
 */

import { describe, expect, it } from 'vitest';
import { ColdReads, type AsyncReadMode } from '../../src/server/cold-reads.js';
import { CommandTable } from '../../src/commands/registry.js';
import type { Client } from '../../src/server/client.js';
import type { Server } from '../../src/server/server.js';

const table = new CommandTable();

interface FakeClient {
  db: { dict: Map<string, unknown>; coldSpace: number };
  prefetched: string[] | null;
  postponed: string[] | null;
  isScript: boolean;
  closed: boolean;
  ran: string[][];
}

function setup(mode: AsyncReadMode) {
  const tier = {
    reads: 0,
    slowReads: 0,
    stats: { parkedReads: 0 },
    pending: [] as Array<() => void>,
    recordKey: (_db: unknown, key: string) => Buffer.from(key),
    prefetch(_keys: Buffer[], done: () => void): boolean {
      this.pending.push(done);
      return true;
    },
  };
  let coldReads: ColdReads;
  const server = {
    keyspace: { cold: tier },
    suspendInput: () => {},
    // Runs the held command as processCommand would: park() is asked again and must let it run.
    runHeld(c: FakeClient) {
      const argv = c.postponed!;
      c.postponed = null;
      if (!coldReads.park(c as unknown as Client, table.lookup(argv)!, argv)) c.ran.push(argv);
    },
  };
  coldReads = new ColdReads(server as unknown as Server);
  coldReads.setMode(mode);
  const client = (): FakeClient => ({ db: { dict: new Map([['hot', 'v']]), coldSpace: 0 }, prefetched: null, postponed: null, isScript: false, closed: false, ran: [] });
  const park = (c: FakeClient, ...argv: string[]) => coldReads.park(c as unknown as Client, table.lookup(argv)!, argv);
  /** Reads on the command thread, `slow` of them slow. */
  const read = (n: number, slow: number) => {
    tier.reads += n;
    tier.slowReads += slow;
  };
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return { tier, client, park, read, settle };
}

describe('cold reads off the command thread', () => {
  it('mode yes parks reads of keys not in memory, runs them once their prefetch is done, in order', async () => {
    const { tier, client, park, settle } = setup('yes');
    const a = client();
    const b = client();
    expect(park(a, 'GET', 'hot')).toBe(false);
    expect(park(a, 'MGET', 'hot', 'cold1')).toBe(true);
    expect(park(b, 'EXISTS', 'cold2')).toBe(true);
    expect(tier.stats.parkedReads).toBe(2);
    await settle();
    // One prefetch for both, nothing run before it is done.
    expect(tier.pending.length).toBe(1);
    expect(a.ran).toEqual([]);
    tier.pending.shift()!();
    expect(a.ran).toEqual([['MGET', 'hot', 'cold1']]);
    expect(b.ran).toEqual([['EXISTS', 'cold2']]);
    expect(a.prefetched).toBeNull();
  });

  it('a client closed while parked is skipped', async () => {
    const { tier, client, park, settle } = setup('yes');
    const a = client();
    expect(park(a, 'GET', 'cold')).toBe(true);
    a.closed = true;
    await settle();
    tier.pending.shift()!();
    expect(a.ran).toEqual([]);
  });

  it('mode no never parks', () => {
    const { client, park, read } = setup('no');
    read(5000, 5000);
    expect(park(client(), 'GET', 'cold')).toBe(false);
  });

  it('auto parks after a window with enough slow reads, for a span of commands, then measures again', async () => {
    const { tier, client, park, read, settle } = setup('auto');
    const c = client();
    // A window of fast reads: synchronous.
    read(1024, 15);
    expect(park(c, 'GET', 'cold')).toBe(false);
    read(100, 0);
    expect(park(c, 'GET', 'cold')).toBe(false);
    // A window that waited on the disk: the next reads park.
    read(1024, 16);
    expect(park(c, 'GET', 'cold')).toBe(true);
    let parked = 1;
    while (park(client(), 'GET', 'cold')) parked++;
    expect(parked).toBe(16384);
    expect(tier.stats.parkedReads).toBe(16384);
    await settle();
    // Synchronous again until the next window says otherwise.
    read(1000, 1000);
    expect(park(c, 'GET', 'other')).toBe(false);
  });
});
