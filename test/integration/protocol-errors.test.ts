/*
 * Malformed requests, compared with redis-server 7.0.15 byte for byte: the replies sent before
 * and the protocol error itself, and whether the connection is closed. The server keeps serving
 * its other clients afterwards.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

/**
 * How a case ends: 'close' reads until the server closes; 'sentinel' sends an ECHO and reads up to
 * its reply (the connection must stay usable); 'stuck' sends 70 000 more bytes without a newline,
 * which only a server still waiting for the line's end answers with "too big inline request".
 */
type Ending = 'close' | 'sentinel' | 'stuck';

interface Case {
  name: string;
  writes: string[];
  ending: Ending;
  /** Part of what redis-server answers, as documentation and a guard on the comparison. */
  expect?: string;
  /** Run against the servers started with requirepass. */
  auth?: boolean;
}

const PASSWORD = 'sesame';
const SENTINEL = 'sentinel-8d1f';

const CASES: Case[] = [
  { name: 'non-numeric multibulk length', writes: ['*abc\r\n'], ending: 'close', expect: '-ERR Protocol error: invalid multibulk length\r\n' },
  { name: 'multibulk length above INT_MAX', writes: ['*2147483648\r\n'], ending: 'close', expect: 'invalid multibulk length' },
  { name: 'empty multibulk length', writes: ['*\r\n'], ending: 'close', expect: 'invalid multibulk length' },
  { name: 'multibulk length with a leading zero', writes: ['*01\r\n$4\r\nPING\r\n'], ending: 'close', expect: 'invalid multibulk length' },
  { name: 'multibulk length -0', writes: ['*-0\r\n'], ending: 'close', expect: 'invalid multibulk length' },
  { name: 'multibulk header ended by LF alone', writes: ['*1\nPING\r\n'], ending: 'close', expect: 'invalid multibulk length' },
  { name: 'non-numeric bulk length', writes: ['*1\r\n$abc\r\n'], ending: 'close', expect: '-ERR Protocol error: invalid bulk length\r\n' },
  { name: 'negative bulk length', writes: ['*1\r\n$-1\r\n'], ending: 'close', expect: 'invalid bulk length' },
  { name: 'bulk length above proto-max-bulk-len', writes: ['*2\r\n$4\r\nECHO\r\n$536870913\r\n'], ending: 'close', expect: 'invalid bulk length' },
  { name: 'bulk header ended by LF alone', writes: ['*1\r\n$4\nPING\r\n'], ending: 'close', expect: 'invalid bulk length' },
  { name: "expected '$' got 'x'", writes: ['*1\r\nx4\r\nPING\r\n'], ending: 'close', expect: "-ERR Protocol error: expected '$', got 'x'\r\n" },
  { name: "replies before the error, then expected '$' got ':'", writes: ['PING\r\n*2\r\n$4\r\nECHO\r\n:3\r\n'], ending: 'close', expect: "+PONG\r\n-ERR Protocol error: expected '$', got ':'\r\n" },
  { name: 'huge multibulk count still waiting for its arguments', writes: ['*2147483647\r\n', 'x\r\n'], ending: 'close', expect: "got 'x'" },
  { name: 'too big inline request', writes: ['a'.repeat(70_000)], ending: 'close', expect: '-ERR Protocol error: too big inline request\r\n' },
  { name: 'too big mbulk count string', writes: ['*' + '1'.repeat(70_000)], ending: 'close', expect: '-ERR Protocol error: too big mbulk count string\r\n' },
  { name: 'too big bulk count string', writes: ['*1\r\n$' + '1'.repeat(70_000)], ending: 'close', expect: '-ERR Protocol error: too big bulk count string\r\n' },
  { name: 'unbalanced double quotes', writes: ['SET "a b\r\nPING\r\n'], ending: 'close', expect: '-ERR Protocol error: unbalanced quotes in request\r\n' },
  { name: 'unbalanced single quotes', writes: ["SET 'a b\r\n"], ending: 'close', expect: 'unbalanced quotes' },
  { name: 'closing quote not followed by a space', writes: ['ECHO "a"b\r\n'], ending: 'close', expect: 'unbalanced quotes' },
  { name: 'unauthenticated multibulk length', auth: true, writes: ['*11\r\n'], ending: 'close', expect: '-ERR Protocol error: unauthenticated multibulk length\r\n' },
  { name: 'unauthenticated bulk length', auth: true, writes: ['*2\r\n$4\r\nECHO\r\n$16385\r\n'], ending: 'close', expect: '-ERR Protocol error: unauthenticated bulk length\r\n' },
  { name: 'at the unauthenticated limits: NOAUTH, connection kept', auth: true, writes: ['*10\r\n' + '$4\r\nPING\r\n'.repeat(10), '*2\r\n$4\r\nECHO\r\n$16384\r\n' + 'e'.repeat(16384) + '\r\n'], ending: 'sentinel', expect: '-NOAUTH Authentication required.\r\n' },
  { name: 'authenticated clients are not held to the unauthenticated limits', auth: true, writes: [`AUTH ${PASSWORD}\r\n`, '*11\r\n$4\r\nMGET\r\n' + '$1\r\nk\r\n'.repeat(10), '*2\r\n$4\r\nECHO\r\n$16385\r\n' + 'e'.repeat(16385) + '\r\n'], ending: 'sentinel' },
  { name: 'empty lines are skipped', writes: ['\r\n\n   \r\n\t\r\nPING\r\n'], ending: 'sentinel', expect: '+PONG\r\n' },
  { name: '*0 and *-1 run nothing', writes: ['*0\r\n*-1\r\n*-5\r\nPING\r\n'], ending: 'sentinel', expect: '+PONG\r\n' },
  { name: 'inline quotes and \\x escapes', writes: ['ECHO "a\\x41\\x4g\\x\\n\\r\\t\\b\\a\\\\\\"z"\r\n', "ECHO 'it\\'s \"x\"'\r\n", 'SET "k\\x00\\xff" "\\xfe\\x0d\\x0a"\r\nGET "k\\x00\\xFF"\r\n', 'ECHO ""\r\n'], ending: 'sentinel' },
  { name: 'inline line ended by LF alone, and a CR inside a line', writes: ['ECHO hi\nECHO a\rb\r\n'], ending: 'sentinel' },
  { name: 'header CR followed by any byte', writes: ['*1\rx$4\ryPING\r\n'], ending: 'sentinel', expect: '+PONG\r\n' },
  { name: 'bulk payload not followed by CRLF', writes: ['*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n'], ending: 'sentinel', expect: '+PONG\r\n+PONG\r\n' },
  { name: 'inline request with a NUL byte never completes', writes: ['ECHO a\0b\r\nPING\r\n'], ending: 'stuck', expect: '-ERR Protocol error: too big inline request\r\n' },
  { name: 'multibulk header with a NUL byte never completes', writes: ['*1\0\r\n$4\r\nPING\r\n'], ending: 'stuck', expect: '-ERR Protocol error: too big mbulk count string\r\n' },
];

/** Runs a case on a fresh connection and returns everything the server sent. */
async function play(port: number, c: Case): Promise<{ output: string; closed: boolean }> {
  const client = await RawClient.connect(port);
  try {
    await client.writeChunks(c.writes);
    if (c.ending === 'close') return { output: await client.readToClose(), closed: true };
    if (c.ending === 'stuck') {
      await client.writeChunks(['x'.repeat(70_000)]);
      return { output: await client.readToClose(), closed: true };
    }
    const sentinel = `${c.auth ? `AUTH ${PASSWORD}\r\n` : ''}ECHO ${SENTINEL}\r\n`;
    await client.writeChunks([sentinel]);
    const last = `$${SENTINEL.length}\r\n${SENTINEL}\r\n`;
    let output = '';
    for (;;) {
      const reply = await client.readReply();
      output += reply;
      if (reply === last) break;
    }
    return { output, closed: client.closed };
  } finally {
    client.close();
  }
}

describe('protocol errors, compared with redis-server', () => {
  const servers: Record<'strata' | 'redis' | 'strataAuth' | 'redisAuth', RunningServer | undefined> = {
    strata: undefined,
    redis: undefined,
    strataAuth: undefined,
    redisAuth: undefined,
  };
  const bystanders = new Map<RunningServer, RawClient>();

  beforeAll(async () => {
    const auth = ['--requirepass', PASSWORD];
    [servers.strata, servers.redis, servers.strataAuth, servers.redisAuth] = await Promise.all([
      startServer(),
      startServer({ redis: true }),
      startServer({ args: auth }),
      startServer({ redis: true, args: auth }),
    ]);
    for (const s of Object.values(servers)) bystanders.set(s!, await RawClient.connect(s!.port));
  });

  afterAll(async () => {
    for (const c of bystanders.values()) c.close();
    await Promise.all(Object.values(servers).map((s) => s?.stop()));
  });

  for (const c of CASES) {
    it(`${c.name}: same replies and close behaviour as redis-server`, async () => {
      const [strata, redis] = c.auth ? [servers.strataAuth!, servers.redisAuth!] : [servers.strata!, servers.redis!];
      const expected = await play(redis.port, c);
      if (c.expect !== undefined) expect(expected.output).toContain(c.expect);
      expect(await play(strata.port, c)).toEqual(expected);
      // The server keeps serving its other clients.
      const bystander = bystanders.get(strata)!;
      expect(await bystander.call(...(c.auth ? ['ECHO', 'still here'] : ['PING']))).toBe(c.auth ? '-NOAUTH Authentication required.\r\n' : '+PONG\r\n');
    });
  }
});
