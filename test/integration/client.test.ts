import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

function bulkText(reply: string): string {
  return reply.slice(reply.indexOf('\r\n') + 2, -2);
}

/** CLIENT LIST lines → one field map per client. */
function parseClients(text: string): Array<Map<string, string>> {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => new Map(l.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])));
}

describe('CLIENT', () => {
  let strata: RunningServer;
  let redis: RunningServer;

  beforeAll(async () => {
    [strata, redis] = await Promise.all([startServer(), startServer({ redis: true })]);
  });

  afterAll(async () => {
    await Promise.all([strata.stop(), redis.stop()]);
  });

  it('answers bad input with the same errors as redis-server', async () => {
    const [s, r] = await Promise.all([RawClient.connect(strata.port), RawClient.connect(redis.port)]);
    const cases = [
      ['CLIENT'],
      ['CLIENT', 'NOSUCH'],
      ['CLIENT', 'GETNAME', 'x'],
      ['CLIENT', 'SETNAME', 'a b'],
      ['CLIENT', 'SETNAME', 'caf\xe9'],
      ['CLIENT', 'LIST', 'TYPE', 'foo'],
      ['CLIENT', 'LIST', 'ID', '1', 'x'],
      ['CLIENT', 'LIST', 'foo'],
      ['CLIENT', 'LIST', 'TYPE'],
      ['CLIENT', 'KILL'],
      ['CLIENT', 'KILL', '1.2.3.4:5'],
      ['CLIENT', 'KILL', 'ID', 'abc'],
      ['CLIENT', 'KILL', 'ID', '0'],
      ['CLIENT', 'KILL', 'ID'],
      ['CLIENT', 'KILL', 'ID', '1', 'TYPE'],
      ['CLIENT', 'KILL', 'TYPE', 'bogus'],
      ['CLIENT', 'KILL', 'USER', 'nobody'],
      ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
      ['CLIENT', 'KILL', 'MAXAGE', '1'],
      ['CLIENT', 'KILL', 'ID', '999999', 'SKIPME', 'no'],
      ['CLIENT', 'PAUSE', '-1'],
      ['CLIENT', 'PAUSE', 'abc'],
      ['CLIENT', 'PAUSE', '10', 'sometimes'],
      ['CLIENT', 'PAUSE', '10', 'ALL', 'extra'],
      ['CLIENT', 'REPLY', 'maybe'],
      ['CLIENT', 'NO-EVICT', 'maybe'],
      ['CLIENT', 'NO-EVICT', 'on'],
      ['CLIENT', 'NO-EVICT', 'off'],
      ['CLIENT', 'UNPAUSE'],
      ['CLIENT', 'HELP'],
    ];
    for (const argv of cases) expect(await s.call(...argv), argv.join(' ')).toBe(await r.call(...argv));
    s.close();
    r.close();
  });

  it('ID, SETNAME and GETNAME work on the calling connection', async () => {
    const c = await RawClient.connect(strata.port);
    const id = Number((await c.call('CLIENT', 'ID')).slice(1, -2));
    expect(id).toBeGreaterThan(0);
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$-1\r\n');
    expect(await c.call('CLIENT', 'SETNAME', 'worker-1')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$8\r\nworker-1\r\n');
    expect(await c.call('CLIENT', 'SETNAME', '')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'GETNAME')).toBe('$-1\r\n');
    c.close();
  });

  it('LIST and INFO print the fields of Redis 7.0 in its order', async () => {
    const [s, r] = await Promise.all([RawClient.connect(strata.port), RawClient.connect(redis.port)]);
    const mine = parseClients(bulkText(await s.call('CLIENT', 'INFO')))[0];
    const theirs = parseClients(bulkText(await r.call('CLIENT', 'INFO')))[0];
    expect([...mine.keys()]).toEqual([...theirs.keys()]);
    expect(mine.get('cmd')).toBe('client|info');
    expect(mine.get('flags')).toBe('N');
    expect(mine.get('argv-mem')).toBe(theirs.get('argv-mem'));
    expect(mine.get('laddr')).toBe(`127.0.0.1:${strata.port}`);
    await s.call('SELECT', '2');
    await s.call('CLIENT', 'SETNAME', 'lister');
    await s.call('SET', 'k', 'v');
    const other = await RawClient.connect(strata.port);
    const me = parseClients(bulkText(await other.call('CLIENT', 'LIST'))).find((m) => m.get('name') === 'lister')!;
    other.close();
    expect(me.get('db')).toBe('2');
    expect(me.get('cmd')).toBe('set');
    expect(me.get('argv-mem')).toBe('0');
    s.close();
    r.close();
  });

  it('LIST filters by TYPE and by ID', async () => {
    const a = await RawClient.connect(strata.port);
    const b = await RawClient.connect(strata.port);
    const idA = (await a.call('CLIENT', 'ID')).slice(1, -2);
    const idB = (await b.call('CLIENT', 'ID')).slice(1, -2);
    const byId = parseClients(bulkText(await a.call('CLIENT', 'LIST', 'ID', idB, '999999', idA)));
    expect(byId.map((m) => m.get('id'))).toEqual([idB, idA]);
    const normal = parseClients(bulkText(await a.call('CLIENT', 'LIST', 'TYPE', 'normal')));
    expect(normal.map((m) => m.get('id'))).toContain(idA);
    expect(await a.call('CLIENT', 'LIST', 'TYPE', 'replica')).toBe('$0\r\n\r\n');
    expect(await a.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).toBe('$0\r\n\r\n');
    a.close();
    b.close();
  });

  it('KILL in the old form closes the client at that address and replies OK', async () => {
    const killer = await RawClient.connect(strata.port);
    const victim = await RawClient.connect(strata.port);
    const addr = `127.0.0.1:${victim.socket.localPort}`;
    expect(await killer.call('CLIENT', 'KILL', addr)).toBe('+OK\r\n');
    expect(await victim.waitClosed()).toBe(true);
    expect(await killer.call('CLIENT', 'KILL', addr)).toBe('-ERR No such client\r\n');
    killer.close();
  });

  it('KILL with filters counts the clients it closed, skipping the caller unless SKIPME no', async () => {
    const killer = await RawClient.connect(strata.port);
    const v1 = await RawClient.connect(strata.port);
    const v2 = await RawClient.connect(strata.port);
    const id1 = (await v1.call('CLIENT', 'ID')).slice(1, -2);
    expect(await killer.call('CLIENT', 'KILL', 'ID', id1)).toBe(':1\r\n');
    expect(await v1.waitClosed()).toBe(true);
    expect(await killer.call('CLIENT', 'KILL', 'ADDR', `127.0.0.1:${v2.socket.localPort}`, 'TYPE', 'normal')).toBe(':1\r\n');
    expect(await v2.waitClosed()).toBe(true);
    expect(await killer.call('CLIENT', 'KILL', 'LADDR', '10.0.0.1:1')).toBe(':0\r\n');
    const ownId = (await killer.call('CLIENT', 'ID')).slice(1, -2);
    expect(await killer.call('CLIENT', 'KILL', 'ID', ownId)).toBe(':0\r\n');
    expect(await killer.call('CLIENT', 'KILL', 'ID', ownId, 'SKIPME', 'no')).toBe(':1\r\n');
    expect(await killer.waitClosed()).toBe(true);
  });

  it('KILL USER default and LADDR close every matching client but the caller', async () => {
    const killer = await RawClient.connect(strata.port);
    const others = await Promise.all([RawClient.connect(strata.port), RawClient.connect(strata.port)]);
    for (const o of others) await o.call('PING');
    const killed = Number((await killer.call('CLIENT', 'KILL', 'LADDR', `127.0.0.1:${strata.port}`, 'USER', 'default')).slice(1, -2));
    expect(killed).toBeGreaterThanOrEqual(2);
    for (const o of others) expect(await o.waitClosed()).toBe(true);
    expect(await killer.call('PING')).toBe('+PONG\r\n');
    killer.close();
  });

  it('REPLY OFF silences every reply until REPLY ON; SKIP silences the next command only', async () => {
    const c = await RawClient.connect(strata.port);
    c.send('CLIENT', 'REPLY', 'OFF');
    c.send('SET', 'reply:k', '1');
    c.send('GET', 'reply:k');
    c.send('NOSUCHCOMMAND');
    expect(await c.call('CLIENT', 'REPLY', 'ON')).toBe('+OK\r\n');
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('INCR', 'reply:k');
    expect(await c.call('GET', 'reply:k')).toBe('$1\r\n2\r\n');
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('GET');
    expect(await c.call('PING')).toBe('+PONG\r\n');
    c.close();
  });

  it('SETINFO records the library (Redis 7.2) and validates like Redis 7.2', async () => {
    const c = await RawClient.connect(strata.port);
    expect(await c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'ioredis')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'SETINFO', 'lib-ver', '5.4.1')).toBe('+OK\r\n');
    expect(await c.call('CLIENT', 'SETINFO', 'lib-name', 'a b')).toBe('-ERR lib-name cannot contain spaces, newlines or special characters.\r\n');
    expect(await c.call('CLIENT', 'SETINFO', 'color', 'red')).toBe("-ERR Unrecognized option 'color'\r\n");
    c.close();
  });
});

describe('CLIENT PAUSE', () => {
  let strata: RunningServer;

  beforeAll(async () => {
    strata = await startServer();
  });

  afterAll(async () => {
    await strata.stop();
  });

  it('WRITE holds writers (not readers) and runs their commands in order when UNPAUSE comes', async () => {
    const admin = await RawClient.connect(strata.port);
    const writer = await RawClient.connect(strata.port);
    const reader = await RawClient.connect(strata.port);
    await writer.call('SET', 'pause:k', '0');
    expect(await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE')).toBe('+OK\r\n');
    writer.send('INCR', 'pause:k');
    writer.send('GET', 'pause:k');
    writer.send('INCR', 'pause:k');
    // Readers go on; the writer is shown blocked.
    expect(await reader.call('GET', 'pause:k')).toBe('$1\r\n0\r\n');
    const list = bulkText(await reader.call('CLIENT', 'LIST'));
    expect(parseClients(list).some((m) => m.get('flags') === 'b' && m.get('cmd') === 'incr')).toBe(true);
    expect(bulkText(await reader.call('INFO', 'clients'))).toContain('blocked_clients:1\r\n');
    expect(writer.pending()).toBe('');
    expect(await admin.call('CLIENT', 'UNPAUSE')).toBe('+OK\r\n');
    expect(await writer.readReply()).toBe(':1\r\n');
    expect(await writer.readReply()).toBe('$1\r\n1\r\n');
    expect(await writer.readReply()).toBe(':2\r\n');
    admin.close();
    writer.close();
    reader.close();
  });

  it('ALL holds every command, UNPAUSE included, until the timeout ends it', async () => {
    const admin = await RawClient.connect(strata.port);
    const other = await RawClient.connect(strata.port);
    expect(await admin.call('CLIENT', 'PAUSE', '300', 'ALL')).toBe('+OK\r\n');
    other.send('PING');
    admin.send('CLIENT', 'UNPAUSE');
    expect(await other.readReply()).toBe('+PONG\r\n');
    expect(await admin.readReply()).toBe('+OK\r\n');
    admin.close();
    other.close();
  });

  it('keys that expire during a pause read as missing but are only deleted after it', async () => {
    const c = await RawClient.connect(strata.port);
    await c.call('SET', 'pause:ttl', 'v', 'PX', '30');
    await c.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    while ((await c.call('GET', 'pause:ttl')) !== '$-1\r\n');
    expect(await c.call('INFO', 'keyspace')).toMatch(/db0:keys=\d+,expires=1,/);
    await c.call('CLIENT', 'UNPAUSE');
    expect(await c.call('GET', 'pause:ttl')).toBe('$-1\r\n');
    expect(await c.call('INFO', 'keyspace')).not.toMatch(/expires=1,/);
    c.close();
  });

  it('a held client that disconnects is simply forgotten', async () => {
    const admin = await RawClient.connect(strata.port);
    const gone = await RawClient.connect(strata.port);
    await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    gone.send('SET', 'pause:gone', '1');
    expect(await admin.call('PING')).toBe('+PONG\r\n');
    const goneId = (await admin.call('CLIENT', 'LIST', 'TYPE', 'normal')).match(/id=(\d+)[^\n]*flags=b/)![1];
    gone.close();
    while ((await admin.call('CLIENT', 'LIST', 'ID', goneId)) !== '$0\r\n\r\n');
    await admin.call('CLIENT', 'UNPAUSE');
    expect(await admin.call('GET', 'pause:gone')).toBe('$-1\r\n');
    admin.close();
  });
});
