/*
 * The request path through the real server: requests split at random points across writes,
 * frames split across writes, and deep pipelines of thousands of commands in one write all get
 * the replies they would get one by one.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient, encodeCommand } from '../helpers/resp.js';

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a).toString('latin1'));
const bulk = (s: string): string => `$${s.length}\r\n${s}\r\n`;

/** A request and the exact reply it must get. */
interface Exchange {
  argv: string[];
  reply: string;
}

/** ECHO, PING, and SET directly followed by GET of the same key: replies known without a model. */
const exchanges: fc.Arbitrary<Exchange[]> = (() => {
  const one = fc.oneof(
    bytes(64).map((s) => [{ argv: ['ECHO', s], reply: bulk(s) }]),
    fc.constant<Exchange[]>([{ argv: ['PING'], reply: '+PONG\r\n' }]),
    fc.tuple(bytes(16), bytes(200)).map(([k, v]) => [
      { argv: ['SET', 'split:' + k, v], reply: '+OK\r\n' },
      { argv: ['GET', 'split:' + k], reply: bulk(v) },
    ]),
  );
  return fc.array(one, { minLength: 1, maxLength: 30 }).map((xs) => xs.flat());
})();

function cut(wire: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (wire.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of [...at, wire.length]) {
    if (p > prev) chunks.push(wire.subarray(prev, p));
    prev = Math.max(prev, p);
  }
  return chunks;
}

describe('request framing through the server', () => {
  let server: RunningServer;
  let client: RawClient;

  beforeAll(async () => {
    server = await startServer();
    client = await RawClient.connect(server.port);
  });

  afterAll(async () => {
    client.close();
    await server.stop();
  });

  it('requests cut at random points across writes get the replies they get whole', async () => {
    await fc.assert(
      fc.asyncProperty(exchanges, fc.array(fc.nat(), { maxLength: 12 }), async (xs, points) => {
        const wire = Buffer.concat(xs.map((x) => encodeCommand(x.argv)));
        await client.writeChunks(cut(wire, points));
        expect(await client.readReplies(xs.length)).toBe(xs.map((x) => x.reply).join(''));
      }),
      { numRuns: 60 },
    );
  });

  it('a frame split byte by byte across writes is one request', async () => {
    const value = 'a\r\nb\0c';
    await client.writeChunks([...encodeCommand(['SET', 'bytewise', value])].map((b) => Buffer.from([b])));
    expect(await client.readReply()).toBe('+OK\r\n');
    await client.writeChunks([...Buffer.from('GET bytewise\r\n')].map((b) => Buffer.from([b])));
    expect(await client.readReply()).toBe(bulk(value));
  });

  it('a big bulk split across many writes arrives intact', async () => {
    const value = Buffer.alloc(300_000);
    for (let i = 0; i < value.length; i++) value[i] = (i * 7919) & 0xff;
    const wire = encodeCommand(['SET', 'bigsplit', value]);
    const chunks: Buffer[] = [];
    for (let at = 0; at < wire.length; at += 4099) chunks.push(wire.subarray(at, at + 4099));
    await client.writeChunks(chunks);
    expect(await client.readReply()).toBe('+OK\r\n');
    expect(await client.call('GET', 'bigsplit')).toBe(bulk(value.toString('latin1')));
  });

  it('a pipeline of thousands of commands in one write gets every reply, in order', async () => {
    const n = 5000;
    const parts: Buffer[] = [];
    let expected = '';
    for (let i = 0; i < n; i++) {
      const key = `pipe:${i % 97}`;
      const value = `v${i}\r\n\0${'x'.repeat(i % 50)}`;
      parts.push(encodeCommand(['SET', key, value]), encodeCommand(['GET', key]));
      parts.push(Buffer.from(i % 3 === 0 ? `ECHO "\\x00${i}"\r\n` : 'PING\r\n'));
      expected += '+OK\r\n' + bulk(value) + (i % 3 === 0 ? bulk(`\0${i}`) : '+PONG\r\n');
    }
    client.write(Buffer.concat(parts));
    expect(await client.readReplies(3 * n, 20_000)).toBe(expected);
  });

  it('pipelined inline and multibulk requests mix freely', async () => {
    client.write('PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n\r\nECHO "a b"\n*0\r\n*-1\r\nPING x\r\n');
    expect(await client.readReplies(4)).toBe('+PONG\r\n$2\r\nhi\r\n$3\r\na b\r\n$1\r\nx\r\n');
  });

  it('inline requests split on space, tab, CR and LF only: \\v and \\f stay in the argument, as in redis-server 7.0.15', async () => {
    client.write('ECHO a\vb\r\nECHO a\fb\r\nECHO\va\r\n');
    expect(await client.readReplies(3)).toBe("$3\r\na\vb\r\n$3\r\na\fb\r\n-ERR unknown command 'ECHO\va', with args beginning with: \r\n");
  });
});
