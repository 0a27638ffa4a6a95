/*
 * The `strata` command line: `strata server [args...]` runs the server exactly as strata-server;
 * `strata rdb dump|check|convert` and `strata aof check` are the offline tools (recovery/);
 * `strata --version`, `strata --help`.
 *
 * Each subcommand is one `defineX(program)` function listed in SUBCOMMANDS; a new one is one
 * function and one row. A subcommand imports its implementation when it runs. The offline tools
 * print plain lines; on a terminal, long work also shows a progress line on stderr.
 */

import { Command } from 'commander';
import { REDIS_VERSION, STRATA_VERSION } from './server/server.js';
import type { ToolOutput } from '../recovery/rdb-tools.js';

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

/** A one-line progress bar on stderr, drawn only when stdout and stderr are terminals. */
class ProgressLine {
  private readonly enabled = Boolean(process.stdout.isTTY && process.stderr.isTTY);
  private shown = false;
  private lastDraw = 0;

  constructor(private readonly label: string) {}

  readonly update = (done: number, total: number): void => {
    const now = Date.now();
    if (!this.enabled || (done < total && now - this.lastDraw < 100)) return;
    this.lastDraw = now;
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * 30);
    process.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(30 - filled)}] ${Math.floor(ratio * 100)}%`);
    this.shown = true;
  };

  clear(): void {
    if (this.shown) process.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}

/** Report lines to stdout, errors to stderr, clearing the progress line first. */
function toolOutput(label: string): ToolOutput {
  const bar = new ProgressLine(label);
  return {
    line: (text) => {
      bar.clear();
      process.stdout.write(text + '\n');
    },
    error: (text) => {
      bar.clear();
      process.stderr.write(text + '\n');
    },
    progress: bar.update,
  };
}

/** `strata rdb dump FILE`, `strata rdb check FILE`, `strata rdb convert IN OUT --target-version N`. */
function defineRdb(program: Command): void {
  const rdb = program.command('rdb').description('offline tools for RDB files');
  rdb
    .command('dump')
    .description('print the canonical JSON of an RDB file (rdb-acceptance-dump/1)')
    .argument('<file>', 'the RDB file')
    .action(async (file: string) => {
      const { dumpRdbFile } = await import('../recovery/rdb-tools.js');
      process.exitCode = dumpRdbFile(file, toolOutput('reading'));
    });
  rdb
    .command('check')
    .description('validate an RDB file completely, like redis-check-rdb; exit 0 when it is valid')
    .argument('<file>', 'the RDB file')
    .action(async (file: string) => {
      const { checkRdb } = await import('../recovery/rdb-tools.js');
      process.exitCode = checkRdb(file, toolOutput('checking'));
    });
  rdb
    .command('convert')
    .description('rewrite an RDB file at another RDB version (9 to 12); OUT is replaced atomically')
    .argument('<in>', 'the RDB file to read')
    .argument('<out>', 'the RDB file to write')
    .requiredOption('--target-version <n>', 'RDB version to write: 9, 10, 11 or 12')
    .action(async (input: string, output: string, opts: { targetVersion: string }) => {
      const { convertRdb } = await import('../recovery/rdb-tools.js');
      const version = /^\d+$/.test(opts.targetVersion) ? Number(opts.targetVersion) : NaN;
      process.exitCode = convertRdb(input, output, version, toolOutput('converting'));
    });
}

/** `strata aof check DIR|FILE [--fix]`. */
function defineAof(program: Command): void {
  const aof = program.command('aof').description('offline tools for the append-only log');
  aof
    .command('check')
    .description('validate an append-only log (its directory, manifest or a single file), like redis-check-aof')
    .argument('<path>', 'the appenddirname directory, its manifest, or one AOF file')
    .option('--fix', 'truncate a torn tail of the last file to its last complete command (asks nothing)')
    .action(async (target: string, opts: { fix?: boolean }) => {
      const { checkAof } = await import('../recovery/aof-check.js');
      process.exitCode = checkAof(target, { fix: opts.fix === true }, toolOutput('checking'));
    });
}

const SUBCOMMANDS: readonly SubcommandDefinition[] = [defineServer, defineRdb, defineAof];

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
