import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

/**
 * XREAD / XREADGROUP BLOCK, each scenario run on strata and on redis-server and the replies
 * compared: who is served by what, in which order, with which reply, what times out, and that a
 * blocked client runs none of its pipelined requests until it is released.
 */

let servers: RunningServer[] = [];

beforeAll(async () => {
  servers = await Promise.all([startServer(), startServer({ redis: true })]);
});

afterAll(async () => {
  for (const s of servers) await s.stop();
});

/** Waits until `n` clients are blocked (CLIENT LIST shows their blocking command as the last one, with an empty query buffer or not). */
async function untilBlocked(admin: RawClient, n: number): Promise<void> {
  for (;;) {
    const list = await admin.call('CLIENT', 'LIST');
    const blocked = list.split('\n').filter((l) => /cmd=xread(group)? /.test(l)).length;
    if (blocked >= n) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

type Scenario = (admin: RawClient, readers: RawClient[]) => Promise<string[]>;

/** Runs the scenario on both servers (fresh data) and returns both transcripts. */
async function onBoth(readers: number, scenario: Scenario): Promise<[string[], string[]]> {
  const out: string[][] = [];
  for (const s of servers) {
    const admin = await RawClient.connect(s.port);
    await admin.call('FLUSHALL');
    const rs = await Promise.all(Array.from({ length: readers }, () => RawClient.connect(s.port)));
    try {
      out.push(await scenario(admin, rs));
    } finally {
      admin.close();
      for (const r of rs) r.close();
    }
  }
  return [out[0], out[1]];
}

describe('blocking stream reads', () => {
  it('XREAD BLOCK $ is served by the next XADD, in RESP2 and RESP3, with COUNT', async () => {
    const [strata, redis] = await onBoth(2, async (admin, [a, b]) => {
      const t: string[] = [];
      t.push(await admin.call('XADD', 's', '1', 'f', 'v'));
      t.push(await b.call('HELLO', '3').then((r) => r.slice(0, 1)));
      a.send('XREAD', 'BLOCK', '0', 'STREAMS', 's', 'nokey', '$', '$');
      b.send('XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 's', '$');
      await untilBlocked(admin, 2);
      t.push(await admin.call('XADD', 'nokey', '5', 'x', 'y'));
      t.push(await a.readReply());
      b.send('PING');
      t.push(await admin.call('XADD', 's', '2', 'f', 'w'));
      t.push(await b.readReply(), await b.readReply());
      return t;
    });
    expect(strata).toEqual(redis);
  });

  it('timeouts answer a null array; BLOCK inside MULTI does not block; timeout errors', async () => {
    const [strata, redis] = await onBoth(1, async (admin, [a]) => {
      const t: string[] = [];
      t.push(await a.call('XREAD', 'BLOCK', '20', 'STREAMS', 's', '$'));
      t.push(await a.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'));
      t.push(await a.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '20', 'STREAMS', 's', '>'));
      t.push(await a.call('HELLO', '3').then((r) => r.slice(0, 1)));
      t.push(await a.call('XREAD', 'BLOCK', '20', 'STREAMS', 's', '$'));
      t.push(await a.call('MULTI'), await a.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'), await a.call('EXEC'));
      t.push(await a.call('XREAD', 'BLOCK', '-1', 'STREAMS', 's', '$'), await a.call('XREAD', 'BLOCK', '1.5', 'STREAMS', 's', '$'));
      t.push(await admin.call('XINFO', 'STREAM', 's'));
      return t;
    });
    expect(strata).toEqual(redis);
  });

  it('pipelined requests behind a blocked read wait until it is served', async () => {
    const [strata, redis] = await onBoth(1, async (admin, [a]) => {
      const t: string[] = [];
      a.write(
        Buffer.from(
          '*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$1\r\ns\r\n$1\r\n$\r\n' + '*3\r\n$3\r\nSET\r\n$6\r\nmarker\r\n$1\r\n1\r\n',
          'latin1',
        ),
      );
      await untilBlocked(admin, 1);
      t.push(await admin.call('EXISTS', 'marker'));
      t.push(await admin.call('XADD', 's', '7', 'a', 'b'));
      t.push(await a.readReply(), await a.readReply());
      t.push(await admin.call('EXISTS', 'marker'));
      return t;
    });
    expect(strata).toEqual(redis);
    expect(strata[0]).toBe(':0\r\n');
  });

  it('XREADGROUP BLOCK: served in arrival order, each entry to one consumer; DEL and XGROUP DESTROY release with errors', async () => {
    const [strata, redis] = await onBoth(4, async (admin, [a, b, c, d]) => {
      const t: string[] = [];
      t.push(await admin.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'));
      t.push(await admin.call('XGROUP', 'CREATE', 's', 'h', '$'));
      a.send('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
      await untilBlocked(admin, 1);
      b.send('XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 's', '>');
      await untilBlocked(admin, 2);
      c.send('XREADGROUP', 'GROUP', 'h', 'carol', 'NOACK', 'BLOCK', '0', 'STREAMS', 's', '>');
      await untilBlocked(admin, 3);
      d.send('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
      await untilBlocked(admin, 4);
      t.push(await admin.call('MULTI'), await admin.call('XADD', 's', '1', 'f', '1'), await admin.call('XADD', 's', '2', 'f', '2'), await admin.call('EXEC'));
      t.push(await a.readReply(), await c.readReply(), await d.readReply());
      // bob is still waiting: alice took both entries of g.
      t.push(await admin.call('XPENDING', 's', 'g'));
      t.push(await admin.call('XINFO', 'GROUPS', 's'));
      a.send('XREADGROUP', 'GROUP', 'h', 'al', 'BLOCK', '0', 'STREAMS', 's', '>');
      d.send('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
      await untilBlocked(admin, 3);
      t.push(await admin.call('XGROUP', 'DESTROY', 's', 'h'));
      t.push(await a.readReply());
      t.push(await admin.call('DEL', 's'));
      t.push(await b.readReply());
      t.push(await admin.call('XADD', 's', '9', 'f', '9'));
      t.push(await d.readReply());
      return t;
    });
    expect(strata).toEqual(redis);
  });
});
