/*
 * The shared crash instruments (../shared/tools/crash) run against bin/strata-server: kill -9 under
 * concurrent writes with BGREWRITEAOF, and torn AOF tails including cuts inside MULTI/EXEC with the
 * repair check Redis 7.0 itself fails. Small settings keep the run short; the tools print the
 * details when something fails.
 */

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, STRATA_BIN } from '../helpers/server.js';

const TOOLS = path.resolve(ROOT, '../shared/tools/crash');
const TEMPLATE = `node ${STRATA_BIN} --port {port} --dir {dir} --bind 127.0.0.1`;

function run(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd: TOOLS, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('crash instruments from shared/tools/crash', () => {
  it('kill -9 under concurrent writes and rewrites loses no acknowledged write (appendfsync always)', () => {
    const r = run('node', ['durability.mjs', '--template', TEMPLATE, '--rounds', '3', '--writers', '6', '--fsync', 'always', '--seed', '7', '--port', '7341']);
    expect(r.out).toMatch(/DURABILITY rounds=3 lost_acked=0 corrupt=0 restart_failures=0/);
    expect(r.status, r.out.slice(-3000)).toBe(0);
  }, 250_000);

  it('a torn AOF tail, even inside MULTI/EXEC, restarts to an exact prefix and later writes survive', () => {
    const r = run('bash', ['torn-tail.sh', '--template', TEMPLATE, '--seed', '11', '--offsets', '6', '--strict', '--port', '7342']);
    expect(r.out).toMatch(/TORN-TAIL offsets=\d+ pass=\d+ fail=0 repair_fail=0/);
    expect(r.status, r.out.slice(-3000)).toBe(0);
  }, 250_000);
});
