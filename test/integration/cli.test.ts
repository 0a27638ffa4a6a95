import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT, STRATA_CLI, startServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('strata CLI', () => {
  it('--version prints the strata version and the Redis version it presents', async () => {
    const { stdout } = await run(STRATA_CLI, ['--version']);
    expect(stdout).toBe(`strata ${pkg.version} (presents Redis 7.0.15)\n`);
    expect((await run(STRATA_CLI, ['-v'])).stdout).toBe(stdout);
  });

  it('--help lists the server subcommand', async () => {
    const { stdout } = await run(STRATA_CLI, ['--help']);
    expect(stdout).toMatch(/^Usage: strata /);
    expect(stdout).toMatch(/\n {2}server \[args\.\.\.\] /);
  });

  it('an unknown subcommand fails with a message', async () => {
    const err = await run(STRATA_CLI, ['nosuch']).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toContain("unknown command 'nosuch'");
  });

  it('strata server forwards every argument to the server, directives included', async () => {
    const server = await startServer({ cli: true, args: ['--databases', '2'] });
    try {
      const c = await RawClient.connect(server.port);
      expect(await c.call('PING')).toBe('+PONG\r\n');
      expect(await c.call('SELECT', '1')).toBe('+OK\r\n');
      expect(await c.call('SELECT', '2')).toBe('-ERR DB index is out of range\r\n');
      c.close();
    } finally {
      await server.stop();
    }
  });

  it('strata server passes a config file first, as redis-server takes it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'strata-cli-'));
    const conf = path.join(dir, 'strata.conf');
    writeFileSync(conf, '\n');
    const server = await startServer({ cli: true, configFile: conf });
    try {
      const c = await RawClient.connect(server.port);
      expect(await c.call('PING')).toBe('+PONG\r\n');
      c.close();
      expect(server.output()).toContain(`"config_file":${JSON.stringify(conf)}`);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('strata server reports a bad directive as redis-server does and exits 1', async () => {
    const err = await run(STRATA_CLI, ['server', '--no-such-directive', 'x']).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toContain(
      "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'no-such-directive \"x\"'\nBad directive or wrong number of arguments",
    );
  });
});
