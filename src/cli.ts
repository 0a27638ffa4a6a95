/*
 * The `strata` command line: `strata server [args...]` runs the server exactly as strata-server,
 * `strata --version`, `strata --help`.
 *
 * Each subcommand is one `defineX(program)` function listed in SUBCOMMANDS; a new one (rdb, aof,
 * ...) is one function and one row. A subcommand imports its implementation when it runs.
 */

import { Command } from 'commander';
import { REDIS_VERSION, STRATA_VERSION } from './server/server.js';

type SubcommandDefinition = (program: Command) => void;

/** `strata server [args...]`: every argument goes to the server untouched, options included. */
function defineServer(program: Command): void {
  program
    .command('server')
    .description('run the server (same arguments as redis-server: [/path/to/redis.conf] [--directive value ...])')
    .argument('[args...]', 'config file and --directive value pairs')
    .helpOption(false)
    .allowUnknownOption()
    .passThroughOptions()
    .action(async (args: string[]) => {
      const { main } = await import('./main.js');
      await main(args);
    });
}

const SUBCOMMANDS: readonly SubcommandDefinition[] = [defineServer];

export function versionLine(): string {
  return `strata ${STRATA_VERSION} (presents Redis ${REDIS_VERSION})`;
}

export function buildProgram(): Command {
  const program = new Command('strata')
    .description('strata: a durable, Redis-compatible server')
    .version(versionLine(), '-v, --version', "print strata's version and the Redis version it presents")
    .enablePositionalOptions();
  for (const define of SUBCOMMANDS) define(program);
  return program;
}

/** Runs the CLI on process.argv-style arguments (node, script, ...args). */
export async function run(argv: readonly string[]): Promise<void> {
  await buildProgram().parseAsync([...argv]);
}
