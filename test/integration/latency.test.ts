import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient, encodeCommand } from '../helpers/resp.js';

/** A command that takes well over a millisecond on any machine: MSET of 200k keys. */
function slowCommand(): string[] {
  const argv = ['MSET'];
  for (let i = 0; i < 200_000; i++) argv.push(`lat:${i}`, 'v');
  return argv;
}

function bulkText(reply: string): string {
  return reply.slice(reply.indexOf('\r\n') + 2, -2);
}

describe('LATENCY', () => {
  let strata: RunningServer;
  let redis: RunningServer;
  let s: RawClient;
  let r: RawClient;

  beforeAll(async () => {
    const args = ['--latency-monitor-threshold', '1'];
    [strata, redis] = await Promise.all([startServer({ args }), startServer({ redis: true, args })]);
    [s, r] = await Promise.all([RawClient.connect(strata.port), RawClient.connect(redis.port)]);
  });

  afterAll(async () => {
    s.close();
    r.close();
    await Promise.all([strata.stop(), redis.stop()]);
  });

  it('answers HELP, an unknown event and bad input exactly as redis-server', async () => {
    for (const argv of [['LATENCY', 'HELP'], ['LATENCY', 'HISTORY', 'nosuchevent'], ['LATENCY', 'GRAPH', 'nosuchevent'], ['LATENCY', 'LATEST', 'x'], ['LATENCY', 'NOPE'], ['LATENCY', 'RESET', 'nosuchevent']]) {
      expect(await s.call(...argv), argv.join(' ')).toBe(await r.call(...argv));
    }
  });

  it('records a slow command under "command": LATEST, HISTORY and GRAPH have Redis shapes', async () => {
    const slow = encodeCommand(slowCommand());
    for (const c of [s, r]) {
      c.write(slow);
      expect(await c.readReply(20000)).toBe('+OK\r\n');
    }
    const latest = /^\*1\r\n\*4\r\n\$7\r\ncommand\r\n:(\d+)\r\n:(\d+)\r\n:(\d+)\r\n$/;
    const mine = latest.exec(await s.call('LATENCY', 'LATEST'))!;
    expect(mine).not.toBeNull();
    expect(latest.test(await r.call('LATENCY', 'LATEST'))).toBe(true);
    expect(Number(mine[2])).toBeGreaterThanOrEqual(1);
    expect(Number(mine[3])).toBeGreaterThanOrEqual(Number(mine[2]));
    // On a loaded machine other commands may pass the 1 ms threshold too: the MSET's sample is the last.
    const history = await s.call('LATENCY', 'HISTORY', 'command');
    expect(history).toMatch(/^\*\d+\r\n(\*2\r\n:\d+\r\n:\d+\r\n)+$/);
    expect(history.endsWith(`*2\r\n:${mine[1]}\r\n:${mine[2]}\r\n`)).toBe(true);
    // The header's shape; the columns below it depend on how many samples the load produced.
    const shape = (graph: string): string => bulkText(graph).replace(/\d+/g, 'N').split('\n').slice(0, 2).join('\n');
    expect(shape(await s.call('LATENCY', 'GRAPH', 'command'))).toBe(shape(await r.call('LATENCY', 'GRAPH', 'command')));
  });

  it('DOCTOR reports the spikes in Redis words', async () => {
    const report = bulkText(await s.call('LATENCY', 'DOCTOR'));
    // Under load other commands may spike too: the slow MSET's event comes first in any case.
    expect(report).toMatch(/^Dave, I have observed latency spikes in this Redis instance\. You don't mind talking about it, do you Dave\?\n\n1\. command: \d+ latency spikes \(average \d+ms, mean deviation \d+ms, period \d+\.\d\d sec\)\. Worst all time event \d+ms\.\n/);
    expect(report).toContain('\nI have a few advices for you:\n\n');
    const theirs = bulkText(await r.call('LATENCY', 'DOCTOR'));
    const advice = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('- '));
    // The advice a "command" spike brings, worded as Redis words it.
    const commandAdvice = advice(theirs).filter((l) => l.startsWith('- Check your Slow Log') || l.startsWith('- Deleting'));
    expect(commandAdvice).toHaveLength(2);
    for (const line of commandAdvice) expect(advice(report)).toContain(line);
  });

  it('HISTOGRAM gives per-command cumulative distributions', async () => {
    const reply = await s.call('LATENCY', 'HISTOGRAM', 'mset', 'nosuchcommand');
    expect(reply).toMatch(/^\*2\r\n\$4\r\nmset\r\n\*4\r\n\$5\r\ncalls\r\n:1\r\n\$14\r\nhistogram_usec\r\n\*2\r\n:\d+\r\n:1\r\n$/);
    expect(await s.call('LATENCY', 'HISTOGRAM', 'nosuchcommand')).toBe('*0\r\n');
    const all = await s.call('LATENCY', 'HISTOGRAM');
    expect(all).toContain('$4\r\nmset\r\n');
  });

  it('RESET forgets events and counts them', async () => {
    for (const c of [s, r]) {
      expect(await c.call('LATENCY', 'RESET', 'COMMAND')).toBe(':1\r\n');
      expect(await c.call('LATENCY', 'LATEST')).toBe('*0\r\n');
      expect(await c.call('LATENCY', 'RESET')).toBe(':0\r\n');
    }
  });
});

describe('LATENCY DOCTOR with the monitor disabled', () => {
  it('says so, as Redis', async () => {
    const [strata, redis] = await Promise.all([startServer(), startServer({ redis: true })]);
    const [s, r] = await Promise.all([RawClient.connect(strata.port), RawClient.connect(redis.port)]);
    expect(await s.call('LATENCY', 'DOCTOR')).toBe(await r.call('LATENCY', 'DOCTOR'));
    s.close();
    r.close();
    await Promise.all([strata.stop(), redis.stop()]);
  });
});
