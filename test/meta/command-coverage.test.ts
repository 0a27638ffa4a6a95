/*
 * Every command in strata's registry (subcommands as "container subcommand") is mentioned by at
 * least one integration test: as a quoted name ('GET', "config", `SET k v`) or an ioredis method
 * call (.get( / .getBuffer(). A failure lists every command that no test mentions.
 */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/server.js';
import { CommandTable } from '../../src/commands/registry.js';

function testSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testSources(p));
    else if (entry.name.endsWith('.test.ts')) out.push(readFileSync(p, 'utf8'));
  }
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How a test mentions a command: a quoted word ("GET", 'get', `GET k`), or an ioredis call (.get( .getBuffer(). */
function mentionPattern(fullname: string): RegExp {
  const [name, sub] = fullname.split('|').map(escape);
  if (sub === undefined) return new RegExp(`['"\`]${name}['"\` ]|\\.${name}(Buffer)?\\(`, 'i');
  // "CONFIG GET ...", or 'CONFIG', 'GET' as separate arguments.
  return new RegExp(`['"\`]${name}(['"\`]\\s*,\\s*['"\`]|\\s+)${sub}['"\` ]|\\.${name}\\(\\s*['"\`]${sub}['"\`]`, 'i');
}

describe('every registered command has an integration test', () => {
  it('each command and subcommand is mentioned by a test under test/integration', () => {
    const sources = testSources(path.join(ROOT, 'test/integration')).join('\n');
    const untested: string[] = [];
    for (const cmd of new CommandTable().all()) {
      if (!mentionPattern(cmd.fullname).test(sources)) untested.push(cmd.fullname);
    }
    expect(untested, `commands without an integration test:\n  ${untested.join('\n  ')}`).toEqual([]);
  });
});
