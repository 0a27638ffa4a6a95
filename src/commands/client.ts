/*
 * CLIENT and its subcommands (Redis 7.0.15's networking.c clientCommand), plus SETINFO, which
 * Redis 7.2 added and client libraries send on connect.
 *
 * CLIENT LIST / INFO print Redis 7.0's line: the same fields in the same order (no lib-name /
 * lib-ver, which came with 7.2). Memory figures are this server's: query buffer bytes still
 * unparsed, reply bytes not yet written. Killing another client closes it at once; killing
 * oneself closes after the reply.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { intArgOrReply, isOpt, replyHelp } from './args.js';
import { validateClientName } from './connection.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX } from '../protocol/errors.js';
import type { TrackingOptions } from '../server/tracking.js';
import { parseIntArg } from '../types/numbers.js';

type ClientType = 'normal' | 'master' | 'replica' | 'pubsub';

/** getClientTypeByName: "slave" is the old name of "replica". */
function clientTypeByName(name: string): ClientType | null {
  const n = name.toLowerCase();
  if (n === 'normal' || n === 'master' || n === 'replica' || n === 'pubsub') return n;
  if (n === 'slave') return 'replica';
  return null;
}

/** getClientType: monitors count as normal clients; strata has no replica or master links yet. */
function clientType(c: Client): ClientType {
  return c.isPubsub ? 'pubsub' : 'normal';
}

/** The `flags=` letters of CLIENT LIST, in Redis's order. */
function clientFlags(c: Client): string {
  let f = '';
  if (c.monitor) f += 'O';
  if (c.isPubsub) f += 'P';
  if (c.inMulti) f += 'x';
  if (c.blocked !== null || c.postponed !== null) f += 'b';
  if (c.tracking !== null) {
    f += 't';
    if (c.tracking.brokenRedirect) f += 'R';
    if (c.tracking.bcast) f += 'B';
  }
  if (c.dirtyCas) f += 'd';
  if (c.closeAfterReply) f += 'c';
  if (c.noEvict) f += 'e';
  return f === '' ? 'N' : f;
}

/** Bytes of an argument vector as Redis counts argv_len_sum. */
function argvBytes(argv: readonly string[]): number {
  let n = 0;
  for (const a of argv) n += a.length;
  return n;
}

/** Reply buffer size and peak Redis reports for an idle client (PROTO_REPLY_CHUNK_BYTES). */
const REPLY_BUFFER = 16384;

/**
 * catClientInfoString. `currentArgv` is the command being run when `c` is the caller (Redis frees
 * other clients' argv between commands, so theirs count 0).
 */
export function clientInfoLine(c: Client, currentArgv: readonly string[] | null): string {
  const nowSec = Math.floor(Date.now() / 1000);
  const argvMem = currentArgv === null ? 0 : argvBytes(currentArgv);
  let multiMem = 0;
  // queueMultiCommand adds each queued command's argv bytes and its pointer array.
  for (const q of c.multiQueue) multiMem += argvBytes(q.argv) + 8 * q.argv.length;
  const qbuf = c.parser.buffered;
  const omem = c.reply.length;
  const totMem = qbuf + argvMem + multiMem + omem + REPLY_BUFFER;
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name} ` +
    `age=${nowSec - Math.floor(c.createdAt / 1000)} idle=${nowSec - Math.floor(c.lastInteraction / 1000)} ` +
    `flags=${clientFlags(c)} db=${c.db.id} sub=${c.channels.size} psub=${c.patterns.size} ssub=${c.shardChannels.size} ` +
    `multi=${c.inMulti ? c.multiQueue.length : -1} qbuf=${qbuf} qbuf-free=0 argv-mem=${argvMem} multi-mem=${multiMem} ` +
    `rbs=${REPLY_BUFFER} rbp=${REPLY_BUFFER} obl=${omem} oll=0 omem=0 tot-mem=${totMem} events=r ` +
    `cmd=${c.lastCommand} user=${c.user} redir=${c.tracking === null ? -1 : c.tracking.redirect} resp=${c.reply.resp}`
  );
}

function clientIdCommand(c: Client): void {
  c.reply.integer(c.id);
}

function clientInfoCommand(c: Client, argv: string[]): void {
  c.reply.verbatim(clientInfoLine(c, argv) + '\n');
}

function clientListCommand(c: Client, argv: string[]): void {
  const server = c.server;
  let out = '';
  if (argv.length === 4 && isOpt(argv[2], 'TYPE')) {
    const type = clientTypeByName(argv[3]);
    if (type === null) {
      c.reply.error(`ERR Unknown client type '${argv[3]}'`);
      return;
    }
    for (const other of server.clients.values()) {
      if (clientType(other) === type) out += clientInfoLine(other, other === c ? argv : null) + '\n';
    }
  } else if (argv.length > 3 && isOpt(argv[2], 'ID')) {
    for (let j = 3; j < argv.length; j++) {
      const id = parseIntArg(argv[j]);
      if (id === null) {
        c.reply.error('ERR Invalid client ID');
        return;
      }
      const other = server.clients.get(id);
      if (other !== undefined) out += clientInfoLine(other, other === c ? argv : null) + '\n';
    }
  } else if (argv.length !== 2) {
    c.reply.error(ERR_SYNTAX);
    return;
  } else {
    for (const other of server.clients.values()) out += clientInfoLine(other, other === c ? argv : null) + '\n';
  }
  c.reply.verbatim(out);
}

function clientSetnameCommand(c: Client, argv: string[]): void {
  const bad = validateClientName(argv[2]);
  if (bad !== null) {
    c.reply.error(bad);
    return;
  }
  c.name = argv[2];
  c.reply.ok();
}

function clientGetnameCommand(c: Client): void {
  if (c.name === '') c.reply.nullBulk();
  else c.reply.bulk(c.name);
}

/** CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2). */
function clientSetinfoCommand(c: Client, argv: string[]): void {
  const attr = argv[2].toLowerCase();
  if (attr !== 'lib-name' && attr !== 'lib-ver') {
    c.reply.error(`ERR Unrecognized option '${argv[2]}'`);
    return;
  }
  if (validateClientName(argv[3]) !== null) {
    c.reply.error(`ERR ${argv[2]} cannot contain spaces, newlines or special characters.`);
    return;
  }
  if (attr === 'lib-name') c.libName = argv[3];
  else c.libVer = argv[3];
  c.reply.ok();
}

/** CLIENT REPLY: OFF and SKIP have no reply of their own (dispatch drops what follows). */
function clientReplyCommand(c: Client, argv: string[]): void {
  const mode = argv[2].toLowerCase();
  if (mode === 'on') {
    c.replyMode = 'on';
    c.skipNextReply = false;
    c.reply.ok();
  } else if (mode === 'off') {
    c.replyMode = 'off';
  } else if (mode === 'skip') {
    if (c.replyMode !== 'off') c.skipNextReply = true;
  } else {
    c.reply.error(ERR_SYNTAX);
  }
}

function clientNoEvictCommand(c: Client, argv: string[]): void {
  const mode = argv[2].toLowerCase();
  if (mode === 'on') c.noEvict = true;
  else if (mode === 'off') c.noEvict = false;
  else {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  c.reply.ok();
}

/** CLIENT PAUSE timeout [WRITE|ALL]: the timeout is in milliseconds from now. */
function clientPauseCommand(c: Client, argv: string[]): void {
  if (argv.length > 4) {
    c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try CLIENT HELP.`);
    return;
  }
  let type: 'write' | 'all' = 'all';
  if (argv.length === 4) {
    const mode = argv[3].toLowerCase();
    if (mode !== 'write' && mode !== 'all') {
      c.reply.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
      return;
    }
    type = mode;
  }
  const ms = parseIntArg(argv[2]);
  if (ms === null) {
    c.reply.error('ERR timeout is not an integer or out of range');
    return;
  }
  if (ms < 0) {
    c.reply.error('ERR timeout is negative');
    return;
  }
  c.server.pauseClients(type, ms > 0 ? Date.now() + ms : 0);
  c.reply.ok();
}

function clientUnpauseCommand(c: Client): void {
  c.server.unpauseClients();
  c.reply.ok();
}

interface KillFilter {
  addr: string | null;
  laddr: string | null;
  type: ClientType | null;
  id: number;
  user: string | null;
  skipme: boolean;
}

/** Parses the new form (option value ...); null after replying the error. */
function parseKillFilter(c: Client, argv: string[]): KillFilter | null {
  const f: KillFilter = { addr: null, laddr: null, type: null, id: 0, user: null, skipme: true };
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i].toLowerCase();
    const value = argv[i + 1];
    if (value === undefined) {
      c.reply.error(ERR_SYNTAX);
      return null;
    }
    if (opt === 'id') {
      const id = parseIntArg(value);
      if (id === null || id < 1) {
        c.reply.error('ERR client-id should be greater than 0');
        return null;
      }
      f.id = id;
    } else if (opt === 'type') {
      f.type = clientTypeByName(value);
      if (f.type === null) {
        c.reply.error(`ERR Unknown client type '${value}'`);
        return null;
      }
    } else if (opt === 'addr') {
      f.addr = value;
    } else if (opt === 'laddr') {
      f.laddr = value;
    } else if (opt === 'user') {
      // The default user is the only one until ACLs exist.
      if (value !== 'default') {
        c.reply.error(`ERR No such user '${value}'`);
        return null;
      }
      f.user = value;
    } else if (opt === 'skipme') {
      const v = value.toLowerCase();
      if (v !== 'yes' && v !== 'no') {
        c.reply.error(ERR_SYNTAX);
        return null;
      }
      f.skipme = v === 'yes';
    } else {
      c.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return f;
}

/** CLIENT KILL addr (old form: may kill the caller, replies OK) or CLIENT KILL filters (count). */
function clientKillCommand(c: Client, argv: string[]): void {
  const oldForm = argv.length === 3;
  const filter: KillFilter | null = oldForm ? { addr: argv[2], laddr: null, type: null, id: 0, user: null, skipme: false } : parseKillFilter(c, argv);
  if (filter === null) return;
  const server = c.server;
  let killed = 0;
  let killSelf = false;
  for (const other of [...server.clients.values()]) {
    if (filter.addr !== null && other.addr !== filter.addr) continue;
    if (filter.laddr !== null && other.laddr !== filter.laddr) continue;
    if (filter.type !== null && clientType(other) !== filter.type) continue;
    if (filter.id !== 0 && other.id !== filter.id) continue;
    if (filter.user !== null && other.user !== filter.user) continue;
    if (other === c && filter.skipme) continue;
    if (other === c) killSelf = true;
    else server.closeClient(other);
    killed++;
  }
  if (oldForm) {
    if (killed === 0) c.reply.error('ERR No such client');
    else c.reply.ok();
  } else {
    c.reply.integer(killed);
  }
  if (killSelf) c.closeAfterReply = true;
}

const CLIENT_HELP = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
];

function clientHelpCommand(c: Client, argv: string[]): void {
  replyHelp(c, argv[0], CLIENT_HELP);
}

// ---------------------------------------------------------------------------------------------
// Client-side caching: TRACKING CACHING GETREDIR TRACKINGINFO (state in server/tracking.ts)

/** C's %s: a string argument is cut at its first NUL byte in Redis's formatted errors. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** Two prefixes overlap when one starts with the other: some key would match both. */
function prefixesOverlap(a: string, b: string): boolean {
  return a.length <= b.length ? b.startsWith(a) : a.startsWith(b);
}

/**
 * checkPrefixCollisionsOrReply. Redis 7.0 returns the index of the colliding prefix on a clash
 * within the new prefixes, so a clash found past the first one replies the error and still counts
 * as success: the command goes on and replies OK too. That double reply is reproduced.
 */
function prefixesAccepted(c: Client, prefixes: readonly string[]): boolean {
  const existing = c.tracking === null ? [] : [...c.tracking.prefixes].sort();
  for (let i = 0; i < prefixes.length; i++) {
    const clash = existing.find((p) => prefixesOverlap(p, prefixes[i]));
    if (clash !== undefined) {
      c.reply.error(`ERR Prefix '${cString(prefixes[i])}' overlaps with an existing prefix '${cString(clash)}'. Prefixes for a single client must not overlap.`);
      return false;
    }
    for (let j = i + 1; j < prefixes.length; j++) {
      if (!prefixesOverlap(prefixes[i], prefixes[j])) continue;
      c.reply.error(`ERR Prefix '${cString(prefixes[i])}' overlaps with another provided prefix '${cString(prefixes[j])}'. Prefixes for a single client must not overlap.`);
      return i > 0;
    }
  }
  return true;
}

/** The checks enableTracking's caller makes, in Redis's order; the error, or null. */
function trackingOptionsError(c: Client, opts: TrackingOptions): string | null {
  const t = c.tracking;
  if (!opts.bcast && opts.prefixes.length > 0) return 'ERR PREFIX option requires BCAST mode to be enabled';
  if (t !== null && t.bcast !== opts.bcast) {
    return "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.";
  }
  if (opts.bcast && (opts.optin || opts.optout)) return 'ERR OPTIN and OPTOUT are not compatible with BCAST';
  if (opts.optin && opts.optout) return "ERR You can't specify both OPTIN mode and OPTOUT mode";
  if (t !== null && ((opts.optin && t.optout) || (opts.optout && t.optin))) {
    return "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.";
  }
  return null;
}

/** CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]. */
function clientTrackingCommand(c: Client, argv: string[]): void {
  const opts: TrackingOptions = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false, prefixes: [] };
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j].toLowerCase();
    if (opt === 'redirect' && more > 0) {
      j++;
      if (opts.redirect !== 0) {
        c.reply.error('ERR A client can only redirect to a single other client');
        return;
      }
      const id = parseIntArg(argv[j]);
      if (id === null) {
        c.reply.error(ERR_NOT_INTEGER);
        return;
      }
      // The client must exist now; it may still go away later (the redirect then breaks).
      if (!c.server.clients.has(id)) {
        c.reply.error('ERR The client ID you want redirect to does not exist');
        return;
      }
      opts.redirect = id;
    } else if (opt === 'bcast') {
      opts.bcast = true;
    } else if (opt === 'optin') {
      opts.optin = true;
    } else if (opt === 'optout') {
      opts.optout = true;
    } else if (opt === 'noloop') {
      opts.noloop = true;
    } else if (opt === 'prefix' && more > 0) {
      prefixes.push(argv[++j]);
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  opts.prefixes = prefixes;
  const mode = argv[2].toLowerCase();
  if (mode === 'on') {
    const error = trackingOptionsError(c, opts);
    if (error !== null) {
      c.reply.error(error);
      return;
    }
    if (opts.bcast && !prefixesAccepted(c, prefixes)) return;
    c.server.tracking.enable(c, opts);
  } else if (mode === 'off') {
    c.server.tracking.disable(c);
  } else {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  c.reply.ok();
}

/** CLIENT CACHING YES (OPTIN) / NO (OPTOUT): for the next command or transaction only. */
function clientCachingCommand(c: Client, argv: string[]): void {
  const t = c.tracking;
  if (t === null) {
    c.reply.error('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
    return;
  }
  const opt = argv[2].toLowerCase();
  if (opt === 'yes') {
    if (!t.optin) {
      c.reply.error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
      return;
    }
  } else if (opt === 'no') {
    if (!t.optout) {
      c.reply.error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
      return;
    }
  } else {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  t.caching = true;
  c.reply.ok();
}

function clientGetredirCommand(c: Client): void {
  c.reply.integer(c.tracking === null ? -1 : c.tracking.redirect);
}

function clientTrackinginfoCommand(c: Client): void {
  const t = c.tracking;
  const flags = [t === null ? 'off' : 'on'];
  if (t !== null) {
    if (t.bcast) flags.push('bcast');
    if (t.optin) flags.push('optin');
    if (t.optin && t.caching) flags.push('caching-yes');
    if (t.optout) flags.push('optout');
    if (t.optout && t.caching) flags.push('caching-no');
    if (t.noloop) flags.push('noloop');
    if (t.brokenRedirect) flags.push('broken_redirect');
  }
  const r = c.reply;
  r.map(3);
  r.bulk('flags');
  r.set(flags.length);
  for (const f of flags) r.bulk(f);
  r.bulk('redirect');
  r.integer(t === null ? -1 : t.redirect);
  r.bulk('prefixes');
  r.bulks(t === null ? [] : [...t.prefixes].sort());
}

const CONN = ['noscript', 'loading', 'stale', 'sentinel'] as const;
const ADMIN_CONN = ['admin', 'noscript', 'loading', 'stale', 'sentinel'] as const;


/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: releases a client blocked on keys; 1 when it was blocked. */
function clientUnblockCommand(c: Client, argv: string[]): void {
  if (argv.length > 4) {
    // Redis names the subcommand as the client spelled it.
    c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try CLIENT HELP.`);
    return;
  }
  let withError = false;
  if (argv.length === 4) {
    if (isOpt(argv[3], 'ERROR')) withError = true;
    else if (!isOpt(argv[3], 'TIMEOUT')) {
      c.reply.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      return;
    }
  }
  const id = intArgOrReply(c, argv[2]);
  if (id === null) return;
  const target = c.server.clients.get(id);
  c.reply.integer(target !== undefined && c.server.blocking.unblockByRequest(target, withError) ? 1 : 0);
}

export const commands = [
  {
    name: 'client',
    arity: -2,
    flags: ['sentinel'],
    subcommands: [
      { name: 'getname', arity: 2, flags: CONN, acl: ['connection'], run: clientGetnameCommand },
      { name: 'help', arity: 2, flags: ['loading', 'stale', 'sentinel'], acl: ['connection'], run: clientHelpCommand },
      { name: 'id', arity: 2, flags: CONN, acl: ['connection'], run: clientIdCommand },
      { name: 'info', arity: 2, flags: CONN, acl: ['connection'], run: clientInfoCommand },
      { name: 'kill', arity: -3, flags: ADMIN_CONN, acl: ['connection'], run: clientKillCommand },
      { name: 'list', arity: -2, flags: ADMIN_CONN, acl: ['connection'], run: clientListCommand },
      { name: 'no-evict', arity: 3, flags: ADMIN_CONN, acl: ['connection'], run: clientNoEvictCommand },
      { name: 'pause', arity: -3, flags: ADMIN_CONN, acl: ['connection'], run: clientPauseCommand },
      { name: 'reply', arity: 3, flags: CONN, acl: ['connection'], run: clientReplyCommand },
      { name: 'setinfo', arity: 4, flags: CONN, acl: ['connection'], run: clientSetinfoCommand },
      { name: 'unblock', arity: -3, flags: ['admin', 'noscript', 'loading', 'stale', 'sentinel'], acl: ['connection'], run: clientUnblockCommand },
      { name: 'setname', arity: 3, flags: CONN, acl: ['connection'], run: clientSetnameCommand },
      { name: 'unpause', arity: 2, flags: ADMIN_CONN, acl: ['connection'], run: clientUnpauseCommand },
      { name: 'tracking', arity: -3, flags: CONN, acl: ['connection'], run: clientTrackingCommand },
      { name: 'caching', arity: 3, flags: CONN, acl: ['connection'], run: clientCachingCommand },
      { name: 'getredir', arity: 2, flags: CONN, acl: ['connection'], run: clientGetredirCommand },
      { name: 'trackinginfo', arity: 2, flags: CONN, acl: ['connection'], run: clientTrackinginfoCommand },
    ],
  },
] satisfies CommandSpec[];
