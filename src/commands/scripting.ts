/*
 * Scripts: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, FCALL, FCALL_RO and SCRIPT (LOAD EXISTS FLUSH KILL
 * DEBUG HELP). The engine (src/scripting/engine.ts) runs them; these handlers parse, feed MONITOR
 * before the script's own commands (as Redis does) and hand over.
 *
 * Scripts are never propagated: their write commands are (effects replication), wrapped in
 * MULTI/EXEC by the propagation unit of the EVAL or FCALL that ran them.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec, DeclaredFlags } from './spec.js';
import type { ScriptEngine } from '../scripting/engine.js';
import { isOpt } from './args.js';
import { replyHelp } from './help.js';

/** The engine, or null after replying that there is none (an in-process server built without Lua). */
function engineOf(c: Client): ScriptEngine | null {
  const engine = c.server.scripting;
  if (engine === null) c.reply.error('ERR scripting is not enabled on this server');
  return engine;
}

function feedMonitors(c: Client, argv: string[]): void {
  if (c.server.monitors.size > 0) c.server.feedMonitors(c, argv);
}

function evalCommand(c: Client, argv: string[]): void {
  feedMonitors(c, argv);
  engineOf(c)?.eval(c, argv, false, argv[0].length > 4);
}

function evalShaCommand(c: Client, argv: string[]): void {
  feedMonitors(c, argv);
  engineOf(c)?.eval(c, argv, true, argv[0].length > 7);
}

function fcallCommand(c: Client, argv: string[]): void {
  feedMonitors(c, argv);
  engineOf(c)?.fcall(c, argv, argv[0].length > 5);
}

function evalFlags(c: Client, argv: string[]): DeclaredFlags | null {
  return c.server.scripting?.declaredFlags(argv, 'eval') ?? null;
}

function evalShaFlags(c: Client, argv: string[]): DeclaredFlags | null {
  return c.server.scripting?.declaredFlags(argv, 'evalsha') ?? null;
}

function fcallFlags(c: Client, argv: string[]): DeclaredFlags | null {
  return c.server.scripting?.declaredFlags(argv, 'fcall') ?? null;
}

function scriptLoadCommand(c: Client, argv: string[]): void {
  const engine = engineOf(c);
  if (engine === null) return;
  const created = engine.createScript(argv[2]);
  if (typeof created === 'string') c.reply.bulk(created);
  else c.reply.error(created.error);
}

function scriptExistsCommand(c: Client, argv: string[]): void {
  const scripts = c.server.scripting?.scripts;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.integer(scripts?.has(argv[i].toLowerCase()) ? 1 : 0);
}

function scriptFlushCommand(c: Client, argv: string[]): void {
  if (argv.length > 3 || (argv.length === 3 && !isOpt(argv[2], 'SYNC') && !isOpt(argv[2], 'ASYNC'))) {
    c.reply.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
    return;
  }
  c.server.scripting?.flushScripts();
  c.reply.ok();
}

function scriptKillCommand(c: Client): void {
  const engine = c.server.scripting;
  if (engine === null) c.reply.error('NOTBUSY No scripts in execution right now.');
  else engine.kill(c, true);
}

/** SCRIPT DEBUG: strata has no Lua debugger (LDB); NO is accepted, as it changes nothing. */
function scriptDebugCommand(c: Client, argv: string[]): void {
  const mode = argv[2].toLowerCase();
  if (mode === 'no') c.reply.ok();
  else if (mode === 'yes' || mode === 'sync') c.reply.error('ERR SCRIPT DEBUG is not supported by strata');
  else c.reply.error('ERR Use SCRIPT DEBUG YES/SYNC/NO');
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
  { name: 'eval', arity: -3, flags: ['noscript', 'stale', 'skip_monitor', 'may_replicate', 'no_mandatory_keys', 'movablekeys'], acl: ['scripting'], run: evalCommand, declaredFlags: evalFlags },
  { name: 'evalsha', arity: -3, flags: ['noscript', 'stale', 'skip_monitor', 'may_replicate', 'no_mandatory_keys', 'movablekeys'], acl: ['scripting'], run: evalShaCommand, declaredFlags: evalShaFlags },
  { name: 'eval_ro', arity: -3, flags: ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys', 'readonly'], acl: ['scripting'], run: evalCommand, declaredFlags: evalFlags },
  { name: 'evalsha_ro', arity: -3, flags: ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys', 'readonly'], acl: ['scripting'], run: evalShaCommand, declaredFlags: evalShaFlags },
  { name: 'fcall', arity: -3, flags: ['noscript', 'stale', 'skip_monitor', 'may_replicate', 'no_mandatory_keys', 'movablekeys'], acl: ['scripting'], run: fcallCommand, declaredFlags: fcallFlags },
  { name: 'fcall_ro', arity: -3, flags: ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys', 'readonly'], acl: ['scripting'], run: fcallCommand, declaredFlags: fcallFlags },
  {
    name: 'script',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'load', arity: 3, flags: ['noscript', 'stale'], acl: ['scripting'], run: scriptLoadCommand },
      { name: 'debug', arity: 3, flags: ['noscript'], acl: ['scripting'], run: scriptDebugCommand },
      { name: 'exists', arity: -3, flags: ['noscript'], acl: ['scripting'], run: scriptExistsCommand },
      { name: 'flush', arity: -2, flags: ['noscript'], acl: ['scripting'], run: scriptFlushCommand },
      { name: 'kill', arity: 2, flags: ['noscript', 'allow_busy'], acl: ['scripting'], run: scriptKillCommand },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['scripting'], run: scriptHelpCommand },
    ],
  },
] satisfies CommandSpec[];
