import { describe, expect, it } from 'vitest';
import { pairForSuite } from '../helpers/differential.js';
import { RawClient } from '../helpers/resp.js';

/** The bulk payload of a RESP2 bulk reply. */
function bulkText(reply: string): string {
  expect(reply.startsWith('$')).toBe(true);
  return reply.slice(reply.indexOf('\r\n') + 2, -2);
}

/** INFO text → section title → field names in order. */
function sections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) {
      current = [];
      out.set(line.slice(2), current);
    } else if (line !== '') {
      current.push(line.slice(0, line.indexOf(':')));
    }
  }
  return out;
}

/** Field names that depend on which commands ran or which dbs hold keys. */
const PER_COMMAND = /^(cmdstat_|latency_percentiles_usec_|errorstat_|db\d+$)/;

async function info(c: RawClient, ...args: string[]): Promise<string> {
  return bulkText(await c.call('INFO', ...args));
}

function field(text: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(text.replace(/\r/g, ''));
  if (m === null) throw new Error(`no field ${name}`);
  return m[1];
}

describe('INFO', () => {
  const pair = pairForSuite();

  it('has the same sections, in the same order, with the same field names as redis-server', async () => {
    for (const args of [[], ['everything'], ['all'], ['default']]) {
      const mine = sections(await info(pair.strata, ...args));
      const theirs = sections(await info(pair.redis, ...args));
      expect([...mine.keys()]).toEqual([...theirs.keys()]);
      for (const [title, names] of theirs) {
        expect(mine.get(title)!.filter((n) => !PER_COMMAND.test(n)), title).toEqual(names.filter((n) => !PER_COMMAND.test(n)));
      }
    }
  });

  it('selects sections as Redis: by name, case-insensitively, several at once, unknown ones empty', async () => {
    for (const args of [['server'], ['CPU', 'keyspace'], ['commandstats'], ['latencystats'], ['modules'], ['nosuchsection'], ['default', 'commandstats'], ['all', 'server']]) {
      const mine = sections(await info(pair.strata, ...args));
      const theirs = sections(await info(pair.redis, ...args));
      expect([...mine.keys()], args.join(' ')).toEqual([...theirs.keys()]);
    }
    expect(await info(pair.strata, 'nosuchsection')).toBe('');
  });

  it('reports clients, commands, keyspace and errors as they happen', async () => {
    const c = await RawClient.connect(pair.strataServer.port);
    const before = await info(c, 'stats', 'clients');
    expect(Number(field(before, 'connected_clients'))).toBeGreaterThanOrEqual(2);
    await c.call('SET', 'info:k1', 'v');
    await c.call('SET', 'info:k2', 'v', 'PX', '100000');
    await c.call('GET', 'info:k1');
    await c.call('GET', 'info:nokey');
    await c.call('NOSUCHCOMMAND');
    await c.call('GET');
    const after = await info(c, 'stats', 'keyspace', 'errorstats', 'commandstats', 'persistence');
    expect(Number(field(after, 'total_commands_processed'))).toBeGreaterThanOrEqual(Number(field(before, 'total_commands_processed')) + 5);
    expect(Number(field(after, 'keyspace_hits'))).toBeGreaterThanOrEqual(1);
    expect(Number(field(after, 'keyspace_misses'))).toBeGreaterThanOrEqual(1);
    expect(Number(field(after, 'total_net_input_bytes'))).toBeGreaterThan(Number(field(before, 'total_net_input_bytes')));
    expect(field(after, 'db0')).toMatch(/^keys=2,expires=1,avg_ttl=\d+$/);
    expect(Number(field(after, 'errorstat_ERR').replace('count=', ''))).toBeGreaterThanOrEqual(2);
    expect(field(after, 'cmdstat_get')).toMatch(/^calls=\d+,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0$/);
    expect(Number(field(after, 'rdb_changes_since_last_save'))).toBeGreaterThanOrEqual(2);
    expect(field(after, 'total_error_replies')).toMatch(/^\d+$/);
    c.close();
  });

  it('reports server identity, memory and CPU in Redis formats', async () => {
    const text = await info(pair.strata, 'server', 'memory', 'cpu', 'replication', 'latencystats');
    expect(field(text, 'redis_version')).toBe('7.0.15');
    expect(field(text, 'run_id')).toMatch(/^[0-9a-f]{40}$/);
    expect(field(text, 'master_replid')).toMatch(/^[0-9a-f]{40}$/);
    expect(field(text, 'role')).toBe('master');
    expect(field(text, 'tcp_port')).toBe(String(pair.strataServer.port));
    expect(Number(field(text, 'used_memory'))).toBeGreaterThan(0);
    expect(field(text, 'used_memory_human')).toMatch(/^\d+\.\d\d[KMG]$/);
    expect(field(text, 'used_memory_peak_perc')).toMatch(/^\d+\.\d\d%$/);
    expect(field(text, 'used_cpu_user')).toMatch(/^\d+\.\d{6}$/);
    expect(field(text, 'latency_percentiles_usec_info')).toMatch(/^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$/);
  });

  it('answers RESP3 clients with a verbatim string', async () => {
    const [c, rc] = await Promise.all([RawClient.connect(pair.strataServer.port), RawClient.connect(pair.redisServer.port)]);
    await Promise.all([c.call('HELLO', '3'), rc.call('HELLO', '3')]);
    expect(await c.call('INFO', 'cluster')).toBe(await rc.call('INFO', 'cluster'));
    c.close();
    rc.close();
  });
});

describe('INFO persistence with the log on', () => {
  const pair = pairForSuite(['--appendonly', 'yes', '--appendfsync', 'everysec']);

  it("has Redis's aof_* fields, and aof_current_size follows the log", async () => {
    const mine = sections(await info(pair.strata, 'persistence'));
    const theirs = sections(await info(pair.redis, 'persistence'));
    expect(mine.get('Persistence')).toEqual(theirs.get('Persistence'));
    const before = Number(field(await info(pair.strata, 'persistence'), 'aof_current_size'));
    await pair.strata.call('SET', 'some-key', 'some-value');
    const after = await info(pair.strata, 'persistence');
    // *3 $3 SET $8 some-key $10 some-value, after a SELECT.
    expect(Number(field(after, 'aof_current_size'))).toBeGreaterThanOrEqual(before + 43);
    expect(field(after, 'aof_buffer_length')).toBe('0');
    expect(field(after, 'aof_delayed_fsync')).toBe('0');
  });
});

