import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

describe('MULTI / EXEC / DISCARD / WATCH', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server.stop();
  });

  async function client(): Promise<RawClient> {
    return RawClient.connect(server.port);
  }

  it('EXEC runs the queued commands and returns their replies in order', async () => {
    const c = await client();
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('SET', 'tx:a', '1')).toBe('+QUEUED\r\n');
    expect(await c.call('INCR', 'tx:a')).toBe('+QUEUED\r\n');
    expect(await c.call('GET', 'tx:a')).toBe('+QUEUED\r\n');
    expect(await c.call('EXEC')).toBe('*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n');
    c.close();
  });

  it('a command rejected while queueing aborts EXEC with EXECABORT', async () => {
    const c = await client();
    await c.call('MULTI');
    expect(await c.call('SET', 'tx:b')).toBe("-ERR wrong number of arguments for 'set' command\r\n");
    expect(await c.call('NOSUCHCMD')).toBe("-ERR unknown command 'NOSUCHCMD', with args beginning with: \r\n");
    expect(await c.call('SET', 'tx:b', 'x')).toBe('+QUEUED\r\n');
    expect(await c.call('EXEC')).toBe('-EXECABORT Transaction discarded because of previous errors.\r\n');
    expect(await c.call('GET', 'tx:b')).toBe('$-1\r\n');
    c.close();
  });

  it('an EXEC rejected before it runs ends the transaction with EXECABORT, even outside MULTI', async () => {
    const c = await client();
    await c.call('MULTI');
    await c.call('SET', 'tx:abort', '1');
    expect(await c.call('EXEC', 'x')).toBe("-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n");
    expect(await c.call('EXEC')).toBe('-ERR EXEC without MULTI\r\n');
    expect(await c.call('GET', 'tx:abort')).toBe('$-1\r\n');
    expect(await c.call('EXEC', 'x')).toBe("-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n");
    c.close();
  });

  it('CLIENT REPLY OFF queued in MULTI silences the rest of EXEC after its header, and ON brings replies back (as redis-server)', async () => {
    const c = await client();
    /** The raw bytes received until they end with `marker`'s reply (EXEC's array is left short). */
    const rawUntil = async (marker: string): Promise<string> => {
      c.send('ECHO', marker);
      const end = `$${marker.length}\r\n${marker}\r\n`;
      const until = Date.now() + 5000;
      while (!c.pending().endsWith(end)) {
        if (Date.now() > until) throw new Error(`no ${marker} in ${JSON.stringify(c.pending())}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return c.pending().slice(0, -end.length);
    };
    await c.call('MULTI');
    for (const argv of [['PING'], ['CLIENT', 'REPLY', 'OFF'], ['PING'], ['CLIENT', 'REPLY', 'ON'], ['PING', 'back']]) await c.call(...argv);
    c.send('EXEC');
    expect(await rawUntil('one')).toBe('*5\r\n+PONG\r\n+OK\r\n$4\r\nback\r\n');
    c.close();
  });

  it('errors at run time do not stop the other queued commands', async () => {
    const c = await client();
    await c.call('SET', 'tx:str', 'abc');
    await c.call('MULTI');
    await c.call('INCR', 'tx:str');
    await c.call('SET', 'tx:after', 'ok');
    expect(await c.call('EXEC')).toBe('*2\r\n-ERR value is not an integer or out of range\r\n+OK\r\n');
    c.close();
  });

  it('MULTI cannot be nested, EXEC and DISCARD need MULTI, WATCH is refused inside MULTI', async () => {
    const c = await client();
    expect(await c.call('EXEC')).toBe('-ERR EXEC without MULTI\r\n');
    expect(await c.call('DISCARD')).toBe('-ERR DISCARD without MULTI\r\n');
    await c.call('MULTI');
    expect(await c.call('MULTI')).toBe('-ERR MULTI calls can not be nested\r\n');
    expect(await c.call('WATCH', 'x')).toBe('-ERR WATCH inside MULTI is not allowed\r\n');
    expect(await c.call('SET', 'tx:c', '1')).toBe('+QUEUED\r\n');
    // Neither error dooms the transaction.
    expect(await c.call('EXEC')).toBe('*1\r\n+OK\r\n');
    c.close();
  });

  it('DISCARD drops the queue', async () => {
    const c = await client();
    await c.call('MULTI');
    await c.call('SET', 'tx:d', '1');
    expect(await c.call('DISCARD')).toBe('+OK\r\n');
    expect(await c.call('GET', 'tx:d')).toBe('$-1\r\n');
    c.close();
  });

  it('EXEC fails with a null reply when a WATCHed key was modified by another client', async () => {
    const c = await client();
    const other = await client();
    await c.call('SET', 'tx:w', '1');
    expect(await c.call('WATCH', 'tx:w')).toBe('+OK\r\n');
    await other.call('SET', 'tx:w', '2');
    await c.call('MULTI');
    await c.call('SET', 'tx:w', '3');
    expect(await c.call('EXEC')).toBe('*-1\r\n');
    expect(await c.call('GET', 'tx:w')).toBe('$1\r\n2\r\n');
    c.close();
    other.close();
  });

  it('EXEC succeeds when the WATCHed key was left alone, and UNWATCH forgets keys', async () => {
    const c = await client();
    const other = await client();
    await c.call('WATCH', 'tx:u');
    await c.call('MULTI');
    await c.call('SET', 'tx:u', 'mine');
    expect(await c.call('EXEC')).toBe('*1\r\n+OK\r\n');
    await c.call('WATCH', 'tx:u');
    expect(await c.call('UNWATCH')).toBe('+OK\r\n');
    await other.call('SET', 'tx:u', 'theirs');
    await c.call('MULTI');
    await c.call('GET', 'tx:u');
    expect(await c.call('EXEC')).toBe('*1\r\n$6\r\ntheirs\r\n');
    c.close();
    other.close();
  });

  it('a WATCHed key that expires before EXEC aborts the transaction', async () => {
    const c = await client();
    await c.call('SET', 'tx:e', '1', 'PX', '30');
    await c.call('WATCH', 'tx:e');
    // Let the TTL pass without touching the key: only time can make it expire.
    await new Promise((r) => setTimeout(r, 60));
    await c.call('MULTI');
    await c.call('SET', 'tx:e', '2');
    expect(await c.call('EXEC')).toBe('*-1\r\n');
    c.close();
  });

  it('EXEC in RESP3 answers a null for an aborted transaction', async () => {
    const c = await client();
    const other = await client();
    await c.call('HELLO', '3');
    await c.call('WATCH', 'tx:r3');
    await other.call('SET', 'tx:r3', 'x');
    await c.call('MULTI');
    await c.call('GET', 'tx:r3');
    expect(await c.call('EXEC')).toBe('_\r\n');
    c.close();
    other.close();
  });
});
