/*
 * Connection commands: PING ECHO QUIT SELECT HELLO AUTH RESET.
 * (CLIENT lives in client.ts.)
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { intArgOrReply } from './args.js';
import { ERR_DB_INDEX } from '../protocol/errors.js';
import { REDIS_VERSION } from '../server/server.js';

function pingCommand(c: Client, argv: string[]): void {
  if (argv.length > 2) {
    c.reply.error(`ERR wrong number of arguments for 'ping' command`);
    return;
  }
  if (c.reply.resp === 2 && c.isPubsub) {
    // A RESP2 subscriber's replies look like messages: ["pong", argument or ""].
    c.reply.array(2);
    c.reply.bulk('pong');
    c.reply.bulk(argv.length === 2 ? argv[1] : '');
    return;
  }
  if (argv.length === 2) c.reply.bulk(argv[1]);
  else c.reply.raw('+PONG\r\n');
}

function echoCommand(c: Client, argv: string[]): void {
  c.reply.bulk(argv[1]);
}

function quitCommand(c: Client): void {
  c.reply.ok();
  c.closeAfterReply = true;
}

function selectCommand(c: Client, argv: string[]): void {
  const id = intArgOrReply(c, argv[1], 'ERR value is not an integer or out of range');
  if (id === null) return;
  const dbs = c.server.keyspace.dbs;
  if (id < 0 || id >= dbs.length) {
    c.reply.error(ERR_DB_INDEX);
    return;
  }
  c.db = dbs[id];
  c.reply.ok();
}

/** Checks a password for the default user (requirepass); the only user until ACLs exist. */
function checkPassword(c: Client, user: string, pass: string): boolean {
  const required = c.server.config.getString('requirepass');
  if (user !== 'default') return false;
  return required === '' ? true : pass === required;
}

function authCommand(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    c.reply.error('ERR syntax error');
    return;
  }
  const user = argv.length === 3 ? argv[1] : 'default';
  const pass = argv[argv.length - 1];
  if (argv.length === 2 && c.server.config.getString('requirepass') === '') {
    c.reply.error('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
    return;
  }
  if (!checkPassword(c, user, pass)) {
    c.reply.error('WRONGPASS invalid username-password pair or user is disabled.');
    return;
  }
  c.setAuthenticated(user);
  c.reply.ok();
}

function helloCommand(c: Client, argv: string[]): void {
  let ver = 0;
  let next = 1;
  if (argv.length >= 2) {
    const v = intArgOrReply(c, argv[1], 'ERR Protocol version is not an integer or out of range');
    if (v === null) return;
    ver = v;
    next = 2;
    if (ver < 2 || ver > 3) {
      c.reply.error('NOPROTO unsupported protocol version');
      return;
    }
  }
  let authUser: string | null = null;
  let authPass = '';
  let setName: string | null = null;
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - j - 1;
    const opt = argv[j].toUpperCase();
    if (opt === 'AUTH' && more >= 2) {
      authUser = argv[j + 1];
      authPass = argv[j + 2];
      j += 2;
    } else if (opt === 'SETNAME' && more >= 1) {
      setName = argv[j + 1];
      j += 1;
    } else {
      c.reply.error(`ERR Syntax error in HELLO option '${argv[j]}'`);
      return;
    }
  }
  if (authUser !== null) {
    if (!checkPassword(c, authUser, authPass)) {
      c.reply.error('WRONGPASS invalid username-password pair or user is disabled.');
      return;
    }
    c.setAuthenticated(authUser);
  }
  if (!c.authenticated) {
    c.reply.error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
    return;
  }
  if (setName !== null) {
    const bad = validateClientName(setName);
    if (bad !== null) {
      c.reply.error(bad);
      return;
    }
    c.name = setName;
  }
  if (ver !== 0) c.reply.resp = ver as 2 | 3;
  const r = c.reply;
  r.map(7);
  r.bulk('server');
  r.bulk('redis');
  r.bulk('version');
  r.bulk(REDIS_VERSION);
  r.bulk('proto');
  r.integer(r.resp);
  r.bulk('id');
  r.integer(c.id);
  r.bulk('mode');
  r.bulk('standalone');
  r.bulk('role');
  r.bulk('master');
  r.bulk('modules');
  r.array(0);
}

/** CLIENT SETNAME's rule: no spaces, newlines or other special characters. */
export function validateClientName(name: string): string | null {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 33 || ch > 126) return 'ERR Client names cannot contain spaces, newlines or special characters.';
  }
  return null;
}

function resetCommand(c: Client): void {
  c.discardTransaction();
  c.db = c.server.keyspace.dbs[0];
  c.reply.resp = 2;
  c.name = '';
  c.replyMode = 'on';
  c.skipNextReply = false;
  c.noEvict = false;
  if (c.monitor) {
    c.monitor = false;
    c.server.monitors.delete(c);
  }
  c.setAuthenticated(c.server.config.getString('requirepass') === '' ? 'default' : null);
  for (const hook of c.server.clientResetHooks) hook(c);
  c.reply.simple('RESET');
}

export const commands = [
  { name: 'ping', arity: -1, flags: ['fast', 'sentinel'], acl: ['connection'], run: pingCommand },
  { name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], acl: ['connection'], run: echoCommand },
  { name: 'quit', arity: -1, flags: ['allow_busy', 'no_auth', 'noscript', 'loading', 'stale', 'fast'], acl: ['connection'], run: quitCommand },
  { name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], acl: ['connection'], run: selectCommand },
  { name: 'auth', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'sentinel', 'allow_busy'], acl: ['connection'], run: authCommand },
  { name: 'hello', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'sentinel', 'allow_busy'], acl: ['connection'], run: helloCommand },
  { name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], acl: ['connection'], run: resetCommand },
] satisfies CommandSpec[];
