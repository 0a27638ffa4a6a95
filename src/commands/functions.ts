/*
 * Functions and scripts: the FUNCTION library store (LIST FLUSH DELETE DUMP RESTORE STATS KILL
 * HELP), and the commands that need the Lua engine (FUNCTION LOAD, FCALL, FCALL_RO, EVAL,
 * EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT LOAD/DEBUG), which answer ERR_NO_SCRIPTING until it exists.
 * SCRIPT EXISTS / FLUSH / KILL answer what is true of an empty script cache with nothing running.
 *
 * Library changes are writes: they count as dirty and propagate verbatim, as Redis does.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { isOpt } from './args.js';
import { replyHelp, replySubcommandSyntaxError } from './help.js';
import { globMatch } from '../types/glob.js';
import type { RestorePolicy } from '../keyspace/functions.js';

export const ERR_NO_SCRIPTING = 'ERR scripting is not available yet: strata has no Lua engine';
const ERR_NOTBUSY = 'NOTBUSY No scripts in execution right now.';

function noScripting(c: Client): void {
  c.reply.error(ERR_NO_SCRIPTING);
}

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
  const r = c.reply;
  r.map(2);
  r.bulk('running_script');
  r.nullBulk();
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
  c.reply.error(ERR_NOTBUSY);
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

// ---------------------------------------------------------------------------------------------
// SCRIPT: the script cache is empty until the engine exists

function scriptExistsCommand(c: Client, argv: string[]): void {
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.integer(0);
}

function scriptFlushCommand(c: Client, argv: string[]): void {
  if (argv.length > 3 || (argv.length === 3 && !isOpt(argv[2], 'SYNC') && !isOpt(argv[2], 'ASYNC'))) {
    c.reply.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
    return;
  }
  c.reply.ok();
}

const SCRIPT_HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

function scriptHelpCommand(c: Client, argv: string[]): void {
  replyHelp(c, argv[0], SCRIPT_HELP);
}

export const commands = [
  {
    name: 'function',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'load', arity: -3, flags: ['write', 'denyoom', 'noscript', 'may_replicate'], acl: ['scripting'], run: noScripting },
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
  { name: 'fcall', arity: -3, flags: ['noscript', 'stale', 'skip_monitor', 'may_replicate', 'no_mandatory_keys', 'movablekeys'], acl: ['scripting'], run: noScripting },
  { name: 'fcall_ro', arity: -3, flags: ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys', 'readonly'], acl: ['scripting'], run: noScripting },
  { name: 'eval', arity: -3, flags: ['noscript', 'stale', 'skip_monitor', 'may_replicate', 'no_mandatory_keys', 'movablekeys'], acl: ['scripting'], run: noScripting },
  { name: 'evalsha', arity: -3, flags: ['noscript', 'stale', 'skip_monitor', 'may_replicate', 'no_mandatory_keys', 'movablekeys'], acl: ['scripting'], run: noScripting },
  { name: 'eval_ro', arity: -3, flags: ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys', 'readonly'], acl: ['scripting'], run: noScripting },
  { name: 'evalsha_ro', arity: -3, flags: ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys', 'readonly'], acl: ['scripting'], run: noScripting },
  {
    name: 'script',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'load', arity: 3, flags: ['noscript', 'stale'], acl: ['scripting'], run: noScripting },
      { name: 'debug', arity: 3, flags: ['noscript'], acl: ['scripting'], run: noScripting },
      { name: 'exists', arity: -3, flags: ['noscript'], acl: ['scripting'], run: scriptExistsCommand },
      { name: 'flush', arity: -2, flags: ['noscript'], acl: ['scripting'], run: scriptFlushCommand },
      { name: 'kill', arity: 2, flags: ['noscript', 'allow_busy'], acl: ['scripting'], run: functionKillCommand },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['scripting'], run: scriptHelpCommand },
    ],
  },
] satisfies CommandSpec[];
