import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REDIS_BIN, STRATA_BIN, startServer, type RunningServer, type StartOptions } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';
import { withoutStrataDefaultLines, withoutStrataDefaults } from '../helpers/strata-defaults.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-config-startup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const p = path.join(tmp, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

/** CONFIG GET * as a name → value map (after AUTH when a password is set). */
async function configOf(port: number, password?: string): Promise<Map<string, string>> {
  const c = await RawClient.connect(port);
  if (password !== undefined) expect(await c.call('AUTH', password)).toBe('+OK\r\n');
  const reply = await c.call('CONFIG', 'GET', '*');
  c.close();
  const items: string[] = [];
  let pos = reply.indexOf('\r\n') + 2;
  while (pos < reply.length) {
    const lineEnd = reply.indexOf('\r\n', pos);
    const len = Number(reply.slice(pos + 1, lineEnd));
    items.push(reply.slice(lineEnd + 2, lineEnd + 2 + len));
    pos = lineEnd + 2 + len + 2;
  }
  const map = new Map<string, string>();
  for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
  // Compared with redis-server: strata's durable defaults are set aside (helpers/strata-defaults.ts).
  return withoutStrataDefaults(map);
}

function without(map: Map<string, string>, ...names: string[]): Map<string, string> {
  const out = new Map(map);
  for (const n of names) out.delete(n);
  return out;
}

/** Starts strata and redis-server alike, returns both CONFIG GET * maps, and stops them. */
async function bothConfigs(opts: StartOptions, password?: string): Promise<[Map<string, string>, Map<string, string>]> {
  const [strata, redis] = await Promise.all([startServer(opts), startServer({ ...opts, redis: true })]);
  try {
    return await Promise.all([configOf(strata.port, password), configOf(redis.port, password)]);
  } finally {
    await Promise.all([strata.stop(), redis.stop()]);
  }
}

describe('startup configuration', () => {
  it('a config file with quotes, nested relative includes, globs, aliases and repeats loads as in redis-server', async () => {
    const base = path.join(tmp, 'layout');
    write('layout/sub/inc.conf', 'timeout 30\ninclude sub/nested.conf\n');
    write('layout/sub/nested.conf', 'tcp-keepalive 60\nmaxmemory 30mb\n');
    write('layout/conf.d/a.conf', 'lfu-log-factor 5\n');
    write('layout/conf.d/b.conf', 'lfu-log-factor 6\n');
    const conf = write(
      'layout/main.conf',
      [
        '# a comment',
        'port 1',
        'MaxMemory 10mb',
        'maxmemory 20mb',
        'requirepass "pa ss\\x41"',
        "masterauth 'it\\'s'",
        'slave-priority 50',
        'hash-max-ziplist-entries 64',
        'save 900 1',
        'save 300 10',
        // Relative includes are relative to the working directory, which `dir` just changed.
        `dir ${base}`,
        'include sub/inc.conf',
        `include ${base}/conf.d/*.conf`,
        `include ${base}/none.d/*.conf`,
        'notify-keyspace-events "KEA"',
        'client-output-buffer-limit replica 512mb 128mb 120',
        '   hz 15   ',
        'list-max-ziplist-entries 7',
        '',
      ].join('\n'),
    );
    const [mine, theirs] = await bothConfigs({ configFile: conf, args: ['--save', '60', '10000'] }, 'pa ssA');
    expect(without(mine, 'port', 'dir')).toEqual(without(theirs, 'port', 'dir'));
    expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
    expect(mine.get('maxmemory')).toBe(String(30 * 1024 * 1024));
    expect(mine.get('masterauth')).toBe("it's");
    expect(mine.get('replica-priority')).toBe('50');
    expect(mine.get('lfu-log-factor')).toBe('6');
    expect(mine.get('notify-keyspace-events')).toBe('AKE');
    expect(mine.get('client-output-buffer-limit')).toBe('normal 0 0 0 slave 536870912 134217728 120 pubsub 33554432 8388608 60');
  });

  it('save points given as arguments add up, as in redis-server', async () => {
    const [mine, theirs] = await bothConfigs({ args: ['--save', '900 1', '--save', '300', '10'] });
    expect(mine.get('save')).toBe('900 1 300 10');
    expect(theirs.get('save')).toBe('900 1 300 10');
  });

  it('arguments override the config file', async () => {
    const conf = write('override.conf', 'maxmemory 1mb\nhz 20\n');
    const server = await startServer({ configFile: conf, args: ['--maxmemory', '2mb'] });
    const config = await configOf(server.port);
    await server.stop();
    expect(config.get('maxmemory')).toBe('2097152');
    expect(config.get('hz')).toBe('20');
  });
});

interface Run {
  status: number | null;
  stderr: string;
  stdout: string;
}

function run(bin: string, args: string[], input?: string): Run {
  const r = spawnSync(bin, args, { input, encoding: 'latin1', timeout: 20000, cwd: tmp });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('configuration errors', () => {
  const cases: Array<{ name: string; file?: string; args?: string[]; stdin?: string }> = [
    { name: 'unknown directive', file: 'port 7\nfoo bar\n' },
    { name: 'wrong number of arguments', file: 'port 1 2' },
    { name: 'bad bool', file: 'protected-mode maybe' },
    { name: 'out-of-range integer', file: 'port 99999' },
    { name: 'bad enum', file: 'loglevel loud' },
    { name: 'bad memory value', file: 'maxmemory 10xb' },
    { name: 'unbalanced quotes', file: 'port "7' },
    { name: 'bad save', file: 'save 1' },
    { name: 'bad percent', file: 'maxmemory-clients 200%' },
    { name: 'bad octal', file: 'unixsocketperm 999' },
    { name: 'missing dir', file: 'dir /nonexistent-strata-dir' },
    { name: 'bad include target line', file: '# c\n\n   hz x  \n' },
    { name: 'argument: unknown directive', args: ['--foo', 'bar'] },
    { name: 'argument: out of range', args: ['--port', '99999'] },
    { name: 'argument: too many values', args: ['--port', '1', '2'] },
    { name: 'argument: bad bool', args: ['--protected-mode', 'maybe'] },
    { name: 'argument: bad memory', args: ['--maxmemory', '1x'] },
    { name: 'argument: bad enum', args: ['--loglevel', 'loud'] },
    { name: 'argument: no value', args: ['--port'] },
    { name: 'argument: value with quotes and bytes', args: ['--hz', 'a "b"\t\x01'] },
    { name: 'argument: too many bind addresses', args: ['--bind', ...'abcdefghijklmnopq'.split('')] },
    { name: 'argument: bad buffer limit', args: ['--client-output-buffer-limit', 'normal 1 1'] },
    { name: 'argument: replicaof arity', args: ['--replicaof', '1', '2', '3'] },
    { name: 'argument: log file', args: ['--logfile', '/nonexistent-strata-dir/x.log'] },
    { name: 'file then arguments', file: 'port 1\n', args: ['--hz', 'x'] },
    { name: 'standard input', args: ['-'], stdin: 'hz 5\nfoo bar\n' },
  ];

  it.each(cases)('$name: the same FATAL CONFIG FILE ERROR block and exit code as redis-server', ({ file, args = [], stdin }) => {
    const argv = file !== undefined ? [write(`bad-${Math.random().toString(36).slice(2)}.conf`, file), ...args] : args;
    const mine = run(STRATA_BIN, argv, stdin);
    const theirs = run(REDIS_BIN, argv, stdin);
    expect(theirs.stderr).toContain('*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***');
    expect({ status: mine.status, stderr: mine.stderr }).toEqual({ status: theirs.status, stderr: theirs.stderr });
  });

  it('an unreadable config file is fatal, with redis-server message', () => {
    const missing = path.join(tmp, 'missing.conf');
    const mine = run(STRATA_BIN, [missing]);
    const theirs = run(REDIS_BIN, [missing]);
    const message = `Fatal error, can't open config file '${missing}': No such file or directory`;
    expect(mine).toMatchObject({ status: 1, stderr: message + '\n' });
    expect(theirs.status).toBe(1);
    expect(theirs.stdout + theirs.stderr).toContain(message);
  });

  it('daemonize yes is refused: strata cannot detach', () => {
    const mine = run(STRATA_BIN, ['--daemonize', 'yes']);
    expect(mine.status).toBe(1);
    expect(mine.stderr).toBe(
      "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'daemonize \"yes\"'\n" +
        'strata cannot daemonize: run it in the foreground (daemonize no) under a supervisor\n',
    );
  });
});

describe('CONFIG REWRITE', () => {
  const original = [
    '# My server',
    '',
    'slave-read-only no',
    'save 900 1',
    'save 300 10',
    'maxmemory 1gb',
    '   # indented comment',
    'requirepass secret',
    'hz 20',
    'hz 30',
    '',
  ].join('\n');

  /** The rewritten file without the lines that name the instance (port, dir) or Redis's ACL users. */
  function comparable(text: string): { kept: string[]; generated: string[] } {
    const lines = withoutStrataDefaultLines(text.split('\n').filter((l) => !/^(port|dir|user) /.test(l)));
    const sig = lines.indexOf('# Generated by CONFIG REWRITE');
    return { kept: lines.slice(0, sig), generated: lines.slice(sig + 1).sort() };
  }

  async function rewritten(redis: boolean): Promise<{ text: string; config: Map<string, string>; server: RunningServer }> {
    const conf = write(`rewrite-${redis ? 'redis' : 'strata'}/redis.conf`, original);
    // A data dir of our own: it must outlive the server for the restart.
    const dir = mkdtempSync(path.join(tmp, 'data-'));
    const server = await startServer({ configFile: conf, redis, dir });
    const c = await RawClient.connect(server.port);
    expect(await c.call('AUTH', 'secret')).toBe('+OK\r\n');
    for (const argv of [
      ['CONFIG', 'SET', 'replica-read-only', 'yes', 'save', '60 5', 'maxmemory', '0'],
      ['CONFIG', 'SET', 'notify-keyspace-events', 'Kx', 'maxmemory-clients', '10%', 'timeout', '12'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 64mb 16mb 30', 'masterauth', 'a "quoted"\nvalue'],
      ['CONFIG', 'SET', 'requirepass', 'new secret', 'hz', '10'],
    ]) {
      expect(await c.call(...argv)).toBe('+OK\r\n');
    }
    expect(await c.call('CONFIG', 'REWRITE')).toBe('+OK\r\n');
    c.close();
    const config = await configOf(server.port, 'new secret');
    return { text: readFileSync(conf, 'latin1'), config, server };
  }

  it('rewrites the file in place as redis-server does', async () => {
    const [mine, theirs] = await Promise.all([rewritten(false), rewritten(true)]);
    await Promise.all([mine.server.stop(), theirs.server.stop()]);
    expect(comparable(mine.text)).toEqual(comparable(theirs.text));
    expect(mine.text.startsWith('# My server\n\nreplica-read-only yes\nsave 60 5\n\nmaxmemory 0\n# indented comment\n')).toBe(
      true,
    );
  });

  it('a server restarted on the rewritten file has the same configuration', async () => {
    const first = await rewritten(false);
    await first.server.stop();
    const conf = path.join(tmp, 'rewrite-strata/redis.conf');
    const again = await startServer({ configFile: conf, dir: first.server.dir });
    const config = await configOf(again.port, 'new secret');
    await again.stop();
    // The test helper passes --port and --save "" again after the file.
    expect(without(config, 'port', 'save')).toEqual(without(first.config, 'port', 'save'));
    expect(first.text).toContain('\nsave 60 5\n');
  });

  it('without a config file there is nothing to rewrite', async () => {
    const server = await startServer();
    const c = await RawClient.connect(server.port);
    expect(await c.call('CONFIG', 'REWRITE')).toBe('-ERR The server is running without a config file\r\n');
    c.close();
    await server.stop();
  });
});
