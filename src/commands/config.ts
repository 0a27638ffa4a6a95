/*
 * CONFIG GET SET RESETSTAT REWRITE HELP, as Redis 7.0's config.c. The semantics live in
 * src/config (Config.matching, Config.setFromCommand, rewriteConfigFile); this file adapts them
 * to the wire. CONFIG SET redacts the values of sensitive directives (requirepass, masterauth,
 * masteruser) in the command's argv, so the slowlog never shows them, even when the SET fails.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { ERR_SYNTAX } from '../protocol/errors.js';
import { SENSITIVE } from '../config/kinds.js';
import { rewriteConfigFile } from '../config/rewrite.js';
import { setFailed } from '../config/config.js';
import { strerror } from '../config/errno.js';

function configGetCommand(c: Client, argv: string[]): void {
  const pairs = c.server.config.matching(argv.slice(2));
  c.reply.map(pairs.length);
  for (const [name, value] of pairs) {
    c.reply.bulk(name);
    c.reply.bulk(value);
  }
}

function configSetCommand(c: Client, argv: string[]): void {
  if (argv.length % 2 === 1) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  const server = c.server;
  const config = server.config;
  const before = ['port', config.getString('port'), 'bind', config.getString('bind')];
  const error = config.setFromCommand(argv.slice(2), protectedConfigsAllowed(c));
  for (let i = 2; i < argv.length; i += 2) {
    const d = config.directive(argv[i]);
    if (d !== undefined && d.flags & SENSITIVE) argv[i + 1] = '(redacted)';
  }
  if (error !== null) c.reply.error(error);
  else if (server.listenChanged) moveListeners(c, before);
  else c.reply.ok();
}

/**
 * A new port or bind: the reply waits for the new listeners (binding is asynchronous in Node);
 * if they cannot listen, the old values come back and the reply is Redis's error. Inside MULTI,
 * which cannot wait, the move goes on after an OK, and a failure is only logged (and undone).
 */
function moveListeners(c: Client, before: string[]): void {
  const server = c.server;
  const wait = server.blocking.canBlock(c);
  if (wait) server.suspendInput(c);
  else c.reply.ok();
  void server.rebind().then((ok) => {
    if (!ok) {
      const port = server.config.getString('port') !== before[1];
      server.config.setFromCommand(before, true);
      if (wait) c.reply.error(port ? setFailed('port', 'Unable to listen on this port. Check server logs.') : setFailed('bind', 'Failed to bind to specified addresses.'));
    } else if (wait) {
      c.reply.ok();
    }
    if (!wait) return;
    server.queueFlush(c);
    server.resumeInput(c);
  });
}

/** allowProtectedAction(enable-protected-configs): yes, or local for a loopback client. */
function protectedConfigsAllowed(c: Client): boolean {
  switch (c.server.config.getString('enable-protected-configs')) {
    case 'yes':
      return true;
    case 'local':
      return isLocalClient(c);
    default:
      return false;
  }
}

/** islocalClient: connected over loopback (127.0.0.1 or ::1). */
function isLocalClient(c: Client): boolean {
  const addr = c.socket.remoteAddress;
  return addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';
}

function configResetStatCommand(c: Client): void {
  c.server.resetStats();
  c.reply.ok();
}

function configRewriteCommand(c: Client): void {
  const server = c.server;
  const file = server.config.configFile;
  if (file === '') {
    c.reply.error('ERR The server is running without a config file');
    return;
  }
  try {
    rewriteConfigFile(server.config, file);
  } catch (err) {
    server.log.warn(`CONFIG REWRITE failed: ${strerror(err)}`);
    c.reply.error(`ERR Rewriting config file: ${strerror(err)}`);
    return;
  }
  server.log.warn('CONFIG REWRITE executed with success.');
  c.reply.ok();
}

const HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

/** addReplyHelp: a header naming the command as typed, the lines, then HELP's own entry. */
function configHelpCommand(c: Client, argv: string[]): void {
  const r = c.reply;
  r.array(HELP.length + 3);
  r.simple(`${argv[0].toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of HELP) r.simple(line);
  r.simple('HELP');
  r.simple('    Prints this help.');
}

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;

export const commands = [
  {
    name: 'config',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'get', arity: -3, flags: ADMIN, run: configGetCommand },
      { name: 'set', arity: -4, flags: ADMIN, run: configSetCommand },
      { name: 'resetstat', arity: 2, flags: ADMIN, run: configResetStatCommand },
      { name: 'rewrite', arity: 2, flags: ADMIN, run: configRewriteCommand },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], run: configHelpCommand },
    ],
  },
] satisfies CommandSpec[];
