import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

/** A MONITOR line with its variable parts (time, client port) replaced. */
function normalize(line: string): string {
  return line.replace(/^\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]/, '+T [$1 ADDR]');
}

/** Reads monitor lines until one matches `last`. */
async function readUntil(monitor: RawClient, last: RegExp): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    const line = await monitor.readReply();
    lines.push(line);
    if (last.test(line)) return lines;
  }
}

const SCRIPT: string[][] = [
  ['SET', 'mon:k', 'v'],
  ['GET', 'mon:k'],
  ['SELECT', '1'],
  ['SET', 'mon:\x00\xff\x7f', 'a"b\\c\n\r\t\x07\x08 '],
  ['CLIENT', 'SETNAME', 'watched'],
  ['CLIENT', 'LIST'],
  ['SLOWLOG', 'LEN'],
  ['NOSUCHCOMMAND', 'x'],
  ['GET'],
  ['INCR', 'mon:k'],
  ['ECHO', 'done'],
];

describe('MONITOR', () => {
  let strata: RunningServer;
  let redis: RunningServer;

  beforeAll(async () => {
    [strata, redis] = await Promise.all([startServer(), startServer({ redis: true })]);
  });

  afterAll(async () => {
    await Promise.all([strata.stop(), redis.stop()]);
  });

  async function transcript(port: number): Promise<string[]> {
    const monitor = await RawClient.connect(port);
    const client = await RawClient.connect(port);
    expect(await monitor.call('MONITOR')).toBe('+OK\r\n');
    for (const argv of SCRIPT) await client.call(...argv);
    const lines = await readUntil(monitor, /"ECHO" "done"/);
    monitor.close();
    client.close();
    return lines.map(normalize);
  }

  it('shows the same lines as redis-server: executed, non-admin commands with db and quoting', async () => {
    const [mine, theirs] = await Promise.all([transcript(strata.port), transcript(redis.port)]);
    expect(mine).toEqual(theirs);
    expect(mine[0]).toBe('+T [0 ADDR] "SET" "mon:k" "v"\r\n');
  });

  it('a monitor may not touch keys, sees its own commands after their replies, and RESET ends it', async () => {
    for (const port of [strata.port, redis.port]) {
      const monitor = await RawClient.connect(port);
      const client = await RawClient.connect(port);
      expect(await monitor.call('MONITOR')).toBe('+OK\r\n');
      expect(await monitor.call('GET', 'mon:k')).toBe("-ERR Replica can't interact with the keyspace\r\n");
      // A second MONITOR has no reply; PING's reply comes before PING's own monitor line.
      monitor.send('MONITOR');
      expect(await monitor.call('PING')).toBe('+PONG\r\n');
      expect(normalize(await monitor.readReply())).toBe('+T [0 ADDR] "PING"\r\n');
      expect(await monitor.call('RESET')).toBe('+RESET\r\n');
      await client.call('SET', 'mon:after', '1');
      expect(await monitor.call('PING')).toBe('+PONG\r\n');
      expect(monitor.pending()).toBe('');
      monitor.close();
      client.close();
    }
  });
});
