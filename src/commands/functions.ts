/*
 * FUNCTION: the library store (LOAD LIST FLUSH DELETE DUMP RESTORE STATS KILL HELP). FUNCTION
 * LOAD runs the library's code in the scripting engine (the store's compiler); FCALL is in
 * scripting.ts with EVAL.
 *
 * Library changes are writes: they count as dirty and propagate verbatim, as Redis does.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { isOpt } from './args.js';
import { replyHelp, replySubcommandSyntaxError } from './help.js';
import { globMatch } from '../types/glob.js';
import type { RestorePolicy } from '../keyspace/functions.js';

import { ERR_BUSY_EVAL } from '../scripting/engine.js';


/** Counts a change of the library store and propagates the command as sent. */
function librariesChanged(c: Client, argv: string[]): void {
  const effects = c.server.keyspace.effects;
  effects.dirty++;
  effects.propagate(c.db.id, argv);
}

// ---------------------------------------------------------------------------------------------
// FUNCTION

function functionListCommand(c: Client, argv: string[]): void {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    if (!withCode && isOpt(argv[i], 'WITHCODE')) {
      withCode = true;
    } else if (pattern === null && isOpt(argv[i], 'LIBRARYNAME')) {
      if (i >= argv.length - 1) {
        c.reply.error('ERR library name argument was not given');
        return;
      }
      pattern = argv[++i];
    } else {
      c.reply.error(`ERR Unknown argument ${argv[i]}`);
      return;
    }
  }
  const libs = [...c.server.functions.libraries.values()].filter((lib) => pattern === null || globMatch(pattern, lib.name, true));
  const r = c.reply;
  r.array(libs.length);
  for (const lib of libs) {
    r.map(withCode ? 4 : 3);
    r.bulk('library_name');
    r.bulk(lib.name);
    r.bulk('engine');
    r.bulk(lib.engine);
    r.bulk('functions');
    r.array(lib.functions.length);
    for (const f of lib.functions) {
      r.map(3);
      r.bulk('name');
      r.bulk(f.name);
      r.bulk('description');
      r.bulkOrNull(f.description);
      r.bulk('flags');
      r.set(f.flags.length);
      for (const flag of f.flags) r.simple(flag);
    }
    if (withCode) {
      r.bulk('library_code');
      r.bulk(lib.code);
    }
  }
}

function functionLoadCommand(c: Client, argv: string[]): void {
  let replace = false;
  let i = 2;
  for (; i < argv.length - 1; i++) {
    if (!isOpt(argv[i], 'REPLACE')) {
      c.reply.error(`ERR Unknown option given: ${argv[i]}`);
      return;
    }
    replace = true;
  }
  if (i >= argv.length) {
    c.reply.error('ERR Function code is missing');
    return;
  }
  const created = c.server.functions.create(argv[i], replace);
  if (typeof created === 'string') {
    c.reply.error(`ERR ${created}`);
    return;
  }
  librariesChanged(c, argv);
  c.reply.bulk(created.name);
}

function functionDeleteCommand(c: Client, argv: string[]): void {
  if (!c.server.functions.delete(argv[2])) {
    c.reply.error('ERR Library not found');
    return;
  }
  librariesChanged(c, argv);
  c.reply.ok();
}

function functionFlushCommand(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    replySubcommandSyntaxError(c, argv);
    return;
  }
  // ASYNC and SYNC free the same way here: the libraries are plain objects.
  if (argv.length === 3 && !isOpt(argv[2], 'SYNC') && !isOpt(argv[2], 'ASYNC')) {
    c.reply.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
    return;
  }
  c.server.functions.flush();
  librariesChanged(c, argv);
  c.reply.ok();
}

function functionDumpCommand(c: Client): void {
  c.reply.bulkBuffer(c.server.functions.dump());
}

function functionRestoreCommand(c: Client, argv: string[]): void {
  if (argv.length > 4) {
    replySubcommandSyntaxError(c, argv);
    return;
  }
  let policy: RestorePolicy = 'append';
  if (argv.length === 4) {
    const p = argv[3].toLowerCase();
    if (p !== 'append' && p !== 'replace' && p !== 'flush') {
      c.reply.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
      return;
    }
    policy = p;
  }
  const err = c.server.functions.restore(Buffer.from(argv[2], 'latin1'), policy);
  if (err !== null) {
    c.reply.error(`ERR ${err}`);
    return;
  }
  librariesChanged(c, argv);
  c.reply.ok();
}

function functionStatsCommand(c: Client): void {
  const store = c.server.functions;
  const run = c.server.scripting?.running ?? null;
  if (run !== null && run.evalMode) {
    c.reply.error(ERR_BUSY_EVAL);
    return;
  }
  const r = c.reply;
  r.map(2);
  r.bulk('running_script');
  if (run === null) {
    r.nullBulk();
  } else {
    r.map(3);
    r.bulk('name');
    r.bulk(run.name);
    r.bulk('command');
    r.bulks(run.argv);
    r.bulk('duration_ms');
    r.integer(Math.floor(performance.now() - run.startedAt));
  }
  r.bulk('engines');
  r.map(1);
  r.bulk('LUA');
  r.map(2);
  r.bulk('libraries_count');
  r.integer(store.libraries.size);
  r.bulk('functions_count');
  r.integer(store.functionCount);
}

function functionKillCommand(c: Client): void {
  const engine = c.server.scripting;
  if (engine === null) c.reply.error('NOTBUSY No scripts in execution right now.');
  else engine.kill(c, false);
}

const FUNCTION_HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
];

function functionHelpCommand(c: Client, argv: string[]): void {
  replyHelp(c, argv[0], FUNCTION_HELP);
}

export const commands = [
  {
    name: 'function',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'load', arity: -3, flags: ['write', 'denyoom', 'noscript', 'may_replicate'], acl: ['scripting'], run: functionLoadCommand },
      { name: 'delete', arity: 3, flags: ['write', 'noscript', 'may_replicate'], acl: ['scripting'], run: functionDeleteCommand },
      { name: 'flush', arity: -2, flags: ['write', 'noscript', 'may_replicate'], acl: ['scripting'], run: functionFlushCommand },
      { name: 'list', arity: -2, flags: ['noscript'], acl: ['scripting'], run: functionListCommand },
      { name: 'dump', arity: 2, flags: ['noscript'], acl: ['scripting'], run: functionDumpCommand },
      { name: 'restore', arity: -3, flags: ['write', 'denyoom', 'noscript', 'may_replicate'], acl: ['scripting'], run: functionRestoreCommand },
      { name: 'stats', arity: 2, flags: ['noscript', 'allow_busy'], acl: ['scripting'], run: functionStatsCommand },
      { name: 'kill', arity: 2, flags: ['noscript', 'allow_busy'], acl: ['scripting'], run: functionKillCommand },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['scripting'], run: functionHelpCommand },
    ],
  },
] satisfies CommandSpec[];
