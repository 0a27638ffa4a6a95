/*
 * Blocking list commands: every scenario runs against strata and against redis-server 7.0, so the
 * expectations are Redis's own behaviour. A client is known to be blocked when the PING sent in the
 * same write before its blocking command has been answered (both servers run every complete
 * request of a read before replying).
 */
import { describe, expect, it } from 'vitest';
import { serverForSuite } from '../helpers/server.js';
import { RawClient, arr, bulk, encodeCommand } from '../helpers/resp.js';

const NULL_ARRAY = '*-1\r\n';

/** The client id from HELLO (both servers report it). */
async function clientId(c: RawClient): Promise<string> {
  const hello = await c.call('HELLO', '2');
  const m = /\$2\r\nid\r\n:(\d+)\r\n/.exec(hello);
  if (!m) throw new Error(`no id in ${hello}`);
  return m[1];
}

describe.each([['strata'], ['redis']])('blocking list commands on %s', (which) => {
  const { client } = serverForSuite(which === 'redis');
  let n = 0;

  /** A key name no other test uses. */
  function key(name: string): string {
    return `${name}:${n++}`;
  }

  it('BLPOP is served by a later RPUSH from another client', async () => {
    const [a, b] = [await client(), await client()];
    const k = key('q');
    await a.block('BLPOP', k, '0');
    expect(await b.call('RPUSH', k, 'v1', 'v2')).toBe(':2\r\n');
    expect(await a.readReply()).toBe(arr(bulk(k), bulk('v1')));
    expect(await b.call('LRANGE', k, '0', '-1')).toBe(arr(bulk('v2')));
  });

  it('blocked clients are served in the order they blocked, one element each', async () => {
    const [a, c, d, pusher] = [await client(), await client(), await client(), await client()];
    const k = key('fifo');
    await a.block('BRPOP', k, '0');
    await c.block('BLPOP', 'other', k, '0');
    await d.block('BLMPOP', '0', '1', k, 'LEFT', 'COUNT', '5');
    expect(await pusher.call('RPUSH', k, 'x', 'y')).toBe(':2\r\n');
    expect(await a.readReply()).toBe(arr(bulk(k), bulk('y')));
    expect(await c.readReply()).toBe(arr(bulk(k), bulk('x')));
    expect(await pusher.call('LPUSH', k, '1', '2', '3')).toBe(':3\r\n');
    expect(await d.readReply()).toBe(arr(bulk(k), arr(bulk('3'), bulk('2'), bulk('1'))));
    expect(await pusher.call('LLEN', k)).toBe(':0\r\n');
  });

  it('a client blocked on several keys is served by the first that gets data, once', async () => {
    const [a, b] = [await client(), await client()];
    const [k1, k2] = [key('m1'), key('m2')];
    await a.block('BLPOP', k1, k2, k1, '0');
    expect(await b.call('RPUSH', k2, 'two')).toBe(':1\r\n');
    expect(await a.readReply()).toBe(arr(bulk(k2), bulk('two')));
    expect(await b.call('RPUSH', k1, 'one')).toBe(':1\r\n');
    expect(await b.call('LLEN', k1)).toBe(':1\r\n');
  });

  it('a timeout answers null, RESP3 null too, and the client serves its next requests', async () => {
    const [a, a3, b] = [await client(), await client(), await client()];
    await a3.call('HELLO', '3');
    const k = key('t');
    a.write(Buffer.concat([encodeCommand(['BLPOP', k, '0.1']), encodeCommand(['ECHO', 'after'])]));
    a3.send('BLMOVE', k, key('d'), 'LEFT', 'LEFT', '0.05');
    expect(await a.readReply()).toBe(NULL_ARRAY);
    expect(await a.readReply()).toBe(bulk('after'));
    expect(await a3.readReply()).toBe('_\r\n');
    // Nothing is left waiting: a push stays in the list.
    expect(await b.call('RPUSH', k, 'v')).toBe(':1\r\n');
    expect(await b.call('LLEN', k)).toBe(':1\r\n');
  });

  it('a timeout longer than a Node timer can hold still blocks until data comes', async () => {
    const [a, b] = [await client(), await client()];
    const k = key('long');
    await a.block('BLPOP', k, '3000000');
    expect(await b.call('PING')).toBe('+PONG\r\n');
    await b.call('RPUSH', k, 'v');
    expect(await a.readReply()).toBe(arr(bulk(k), bulk('v')));
  });

  it('a client timing out leaves the next waiter first in line', async () => {
    const [a, c, b] = [await client(), await client(), await client()];
    const k = key('tq');
    await a.block('BLPOP', k, '0.05');
    await c.block('BLPOP', k, '0');
    expect(await a.readReply()).toBe(NULL_ARRAY);
    await b.call('RPUSH', k, 'v');
    expect(await c.readReply()).toBe(arr(bulk(k), bulk('v')));
  });

  it('requests pipelined behind a blocked command wait until it is served', async () => {
    const [a, b] = [await client(), await client()];
    const [k, side] = [key('p'), key('side')];
    a.write(Buffer.concat([encodeCommand(['PING']), encodeCommand(['BLPOP', k, '0']), encodeCommand(['RPUSH', side, 'x']), encodeCommand(['LLEN', side])]));
    expect(await a.readReply()).toBe('+PONG\r\n');
    expect(await b.call('LLEN', side)).toBe(':0\r\n');
    await b.call('RPUSH', k, 'go');
    expect(await a.readReply()).toBe(arr(bulk(k), bulk('go')));
    expect(await a.readReply()).toBe(':1\r\n');
    expect(await a.readReply()).toBe(':1\r\n');
  });

  it('BLMOVE chains: each move serves the client blocked on its destination', async () => {
    const [a, c, d, b] = [await client(), await client(), await client(), await client()];
    const [k1, k2, k3] = [key('c1'), key('c2'), key('c3')];
    await a.block('BLMOVE', k1, k2, 'RIGHT', 'LEFT', '0');
    await c.block('BRPOPLPUSH', k2, k3, '0');
    await d.block('BLPOP', k3, '0');
    expect(await b.call('RPUSH', k1, 'hop')).toBe(':1\r\n');
    expect(await a.readReply()).toBe(bulk('hop'));
    expect(await c.readReply()).toBe(bulk('hop'));
    expect(await d.readReply()).toBe(arr(bulk(k3), bulk('hop')));
    for (const k of [k1, k2, k3]) expect(await b.call('LLEN', k)).toBe(':0\r\n');
  });

  it('BLMOVE of a list onto itself keeps the list, so every waiter after it is served too', async () => {
    const [a, c, d, b] = [await client(), await client(), await client(), await client()];
    const k = key('self');
    await a.block('BLMOVE', k, k, 'LEFT', 'RIGHT', '0');
    await c.block('BLMOVE', k, k, 'RIGHT', 'LEFT', '0');
    await d.block('BLPOP', k, '0');
    expect(await b.call('RPUSH', k, 'a', 'b')).toBe(':2\r\n');
    expect(await a.readReply()).toBe(bulk('a'));
    expect(await c.readReply()).toBe(bulk('a'));
    expect(await d.readReply()).toBe(arr(bulk(k), bulk('a')));
    expect(await b.call('LRANGE', k, '0', '-1')).toBe(arr(bulk('b')));
  });

  it('keys filled by one EXEC serve a client blocked on several of them from the first one filled', async () => {
    const [a, b] = [await client(), await client()];
    const [z, y] = [key('z'), key('y')];
    await a.block('BLPOP', z, y, '0');
    await b.call('MULTI');
    await b.call('RPUSH', y, '1');
    await b.call('RPUSH', z, '2');
    expect(await b.call('EXEC')).toBe(arr(':1\r\n', ':1\r\n'));
    expect(await a.readReply()).toBe(arr(bulk(y), bulk('1')));
    expect(await b.call('LRANGE', z, '0', '-1')).toBe(arr(bulk('2')));
  });

  it('BLMOVE into a key of the wrong type answers WRONGTYPE when served and leaves the element', async () => {
    const [a, b] = [await client(), await client()];
    const [src, dst] = [key('ws'), key('wd')];
    await b.call('SET', dst, 'string');
    await a.block('BLMOVE', src, dst, 'LEFT', 'LEFT', '0');
    await b.call('RPUSH', src, 'v');
    expect(await a.readReply()).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    expect(await b.call('LRANGE', src, '0', '-1')).toBe(arr(bulk('v')));
  });

  it('pushes inside MULTI/EXEC serve blocked clients after EXEC, with the list as EXEC left it', async () => {
    const [a, c, b] = [await client(), await client(), await client()];
    const k = key('tx');
    await a.block('BLPOP', k, '0');
    await c.block('BLPOP', k, '0');
    await b.call('MULTI');
    await b.call('RPUSH', k, '1', '2', '3');
    await b.call('LPOP', k);
    await b.call('RPUSH', k, '4');
    expect(await b.call('EXEC')).toBe(arr(':3\r\n', bulk('1'), ':3\r\n'));
    expect(await a.readReply()).toBe(arr(bulk(k), bulk('2')));
    expect(await c.readReply()).toBe(arr(bulk(k), bulk('3')));
    expect(await b.call('LRANGE', k, '0', '-1')).toBe(arr(bulk('4')));
  });

  it('inside MULTI a blocking command on empty keys answers null at once', async () => {
    const a = await client();
    const k = key('mb');
    await a.call('MULTI');
    await a.call('BLPOP', k, '0');
    await a.call('BLMOVE', k, key('x'), 'LEFT', 'LEFT', '0');
    await a.call('BLMPOP', '0', '1', k, 'LEFT');
    expect(await a.call('EXEC')).toBe(arr(NULL_ARRAY, '$-1\r\n', NULL_ARRAY));
  });

  it('a client that disconnects while blocked is forgotten', async () => {
    const [a, c, b] = [await client(), await client(), await client()];
    const k = key('gone');
    await a.block('BLPOP', k, '0');
    await c.block('BLPOP', k, '0');
    a.socket.end();
    expect(await a.waitClosed()).toBe(true);
    await b.call('RPUSH', k, 'v1', 'v2');
    expect(await c.readReply()).toBe(arr(bulk(k), bulk('v1')));
    expect(await b.call('LRANGE', k, '0', '-1')).toBe(arr(bulk('v2')));
  });

  it('CLIENT UNBLOCK releases a blocked client with its timeout reply or an UNBLOCKED error', async () => {
    const [a, b] = [await client(), await client()];
    const id = await clientId(a);
    const k = key('u');
    expect(await b.call('CLIENT', 'UNBLOCK', id)).toBe(':0\r\n');
    await a.block('BLPOP', k, '0');
    expect(await b.call('CLIENT', 'UNBLOCK', id)).toBe(':1\r\n');
    expect(await a.readReply()).toBe(NULL_ARRAY);
    await a.block('BLMOVE', k, key('d'), 'LEFT', 'RIGHT', '0');
    expect(await b.call('CLIENT', 'UNBLOCK', id, 'error')).toBe(':1\r\n');
    expect(await a.readReply()).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
    expect(await b.call('CLIENT', 'UNBLOCK', id, 'TIMEOUT')).toBe(':0\r\n');
    expect(await b.call('CLIENT', 'UNBLOCK', id, 'later')).toBe('-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n');
    expect(await b.call('CLIENT', 'UNBLOCK', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await b.call('CLIENT', 'UNBLOCK', id, 'timeout', 'x')).toBe("-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n");
    expect(await b.call('CLIENT', 'UNBLOCK')).toBe("-ERR wrong number of arguments for 'client|unblock' command\r\n");
    // The released client works normally again.
    expect(await a.call('PING')).toBe('+PONG\r\n');
  });

  it('a blocked BLMPOP takes at most its COUNT and leaves the rest for the next waiter', async () => {
    const [a, c, b] = [await client(), await client(), await client()];
    const k = key('cnt');
    await a.block('BLMPOP', '0', '2', key('none'), k, 'RIGHT', 'COUNT', '2');
    await c.block('BLMPOP', '0', '1', k, 'LEFT', 'COUNT', '10');
    await b.call('RPUSH', k, '1', '2', '3', '4', '5');
    expect(await a.readReply()).toBe(arr(bulk(k), arr(bulk('5'), bulk('4'))));
    expect(await c.readReply()).toBe(arr(bulk(k), arr(bulk('1'), bulk('2'), bulk('3'))));
  });
});
