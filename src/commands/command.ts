/*
 * COMMAND: what strata's command table holds, in Redis 7.0's reply formats (server.c
 * addReplyCommandInfo / addReplyCommandDocs). COMMAND lists only the commands strata has; arity,
 * flags, first/last/step and ACL categories come from strata's spec rows, while tips, key specs
 * and documentation come from Redis's own published data (redis-data.ts).
 *
 * Order: Redis lists commands and subcommands in its hash tables' order, which varies from run to
 * run; strata lists them in table order. Everything inside one command's reply is in Redis's order.
 */

import type { Client } from '../server/client.js';
import type { CommandEntry, CommandTable } from './registry.js';
import type { CommandFlag, CommandSpec } from './spec.js';
import { ERR_SYNTAX } from '../protocol/errors.js';
import { isOpt } from './args.js';
import { replyHelp } from './help.js';
import { commandHasKeys, getKeys } from './getkeys.js';
import { redisCommandData, type ArgumentDoc, type KeySpec } from './redis-data.js';
import { globMatch } from '../types/glob.js';

/** The flags COMMAND INFO shows, in Redis's order; may_replicate, sentinel, only_sentinel and protected are hidden on purpose. */
const SHOWN_FLAGS: readonly CommandFlag[] = [
  'write',
  'readonly',
  'denyoom',
  'module',
  'admin',
  'pubsub',
  'noscript',
  'blocking',
  'loading',
  'stale',
  'skip_monitor',
  'skip_slowlog',
  'asking',
  'fast',
  'no_auth',
  'no_mandatory_keys',
  'no_async_loading',
  'no_multi',
  'movablekeys',
  'allow_busy',
];

// ---------------------------------------------------------------------------------------------
// Lookups

/** lookupCommandBySds: "name" or "container|sub", one level deep. */
function lookupByFullname(table: CommandTable, fullname: string): CommandEntry | undefined {
  const parts = fullname.split('|');
  if (fullname === '' || parts.length > 2) return undefined;
  const base = table.get(parts[0]);
  if (base === undefined || parts.length === 1) return base;
  return base.subcommands?.get(parts[1].toLowerCase());
}

/** lookupCommand on a command line: the subcommand when the base is a container and one is given. */
function lookupCommandLine(table: CommandTable, args: readonly string[]): CommandEntry | undefined {
  const base = table.get(args[0]);
  if (base === undefined || base.subcommands === null || args.length === 1) return base;
  return base.subcommands.get(args[1].toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// COMMAND INFO

function replyStatusSet(c: Client, items: readonly string[]): void {
  c.reply.set(items.length);
  for (const s of items) c.reply.simple(s);
}

function replyKeySpecs(c: Client, specs: readonly KeySpec[]): void {
  const r = c.reply;
  r.set(specs.length);
  for (const spec of specs) {
    r.map(spec.notes !== undefined ? 4 : 3);
    if (spec.notes !== undefined) {
      r.bulk('notes');
      r.bulk(spec.notes);
    }
    r.bulk('flags');
    replyStatusSet(c, spec.flags);
    r.bulk('begin_search');
    r.map(2);
    r.bulk('type');
    r.bulk(spec.begin_search.type);
    r.bulk('spec');
    const bs = spec.begin_search.spec;
    if (spec.begin_search.type === 'index') {
      r.map(1);
      r.bulk('index');
      r.integer(bs.index!);
    } else if (spec.begin_search.type === 'keyword') {
      r.map(2);
      r.bulk('keyword');
      r.bulk(bs.keyword!);
      r.bulk('startfrom');
      r.integer(bs.startfrom!);
    } else {
      r.map(0);
    }
    r.bulk('find_keys');
    r.map(2);
    r.bulk('type');
    r.bulk(spec.find_keys.type);
    r.bulk('spec');
    const fk = spec.find_keys.spec;
    if (spec.find_keys.type === 'range') {
      r.map(3);
      r.bulk('lastkey');
      r.integer(fk.lastkey!);
      r.bulk('keystep');
      r.integer(fk.keystep!);
      r.bulk('limit');
      r.integer(fk.limit!);
    } else if (spec.find_keys.type === 'keynum') {
      r.map(3);
      r.bulk('keynumidx');
      r.integer(fk.keynumidx!);
      r.bulk('firstkey');
      r.integer(fk.firstkey!);
      r.bulk('keystep');
      r.integer(fk.keystep!);
    } else {
      r.map(0);
    }
  }
}

function replyCommandInfo(c: Client, cmd: CommandEntry | undefined): void {
  const r = c.reply;
  if (cmd === undefined) {
    r.nullBulk();
    return;
  }
  const data = redisCommandData(cmd.fullname);
  const [first, last, step] = cmd.spec.keys ?? [0, 0, 0];
  r.array(10);
  r.bulk(cmd.fullname);
  r.integer(cmd.arity);
  replyStatusSet(c, SHOWN_FLAGS.filter((f) => cmd.flags.includes(f) || (f === 'movablekeys' && data.movablekeys === true)));
  r.integer(first);
  r.integer(last);
  r.integer(step);
  replyStatusSet(c, cmd.acl.map((cat) => '@' + cat));
  r.set(data.tips.length);
  for (const tip of data.tips) r.bulk(tip);
  replyKeySpecs(c, data.key_specs);
  if (cmd.subcommands === null) {
    r.set(0);
  } else {
    r.array(cmd.subcommands.size);
    for (const sub of cmd.subcommands.values()) replyCommandInfo(c, sub);
  }
}

// ---------------------------------------------------------------------------------------------
// COMMAND DOCS

function replyArguments(c: Client, args: readonly ArgumentDoc[]): void {
  const r = c.reply;
  r.array(args.length);
  for (const a of args) {
    const nested = a.type === 'oneof' || a.type === 'block';
    let fields = 2;
    if (a.key_spec_index !== undefined) fields++;
    if (a.token !== undefined) fields++;
    if (a.summary !== undefined) fields++;
    if (a.since !== undefined) fields++;
    if (a.deprecated_since !== undefined) fields++;
    if (a.flags !== undefined) fields++;
    if (nested) fields++;
    r.map(fields);
    r.bulk('name');
    r.bulk(a.name);
    r.bulk('type');
    r.bulk(a.type);
    if (a.key_spec_index !== undefined) {
      r.bulk('key_spec_index');
      r.integer(a.key_spec_index);
    }
    if (a.token !== undefined) {
      r.bulk('token');
      r.bulk(a.token);
    }
    if (a.summary !== undefined) {
      r.bulk('summary');
      r.bulk(a.summary);
    }
    if (a.since !== undefined) {
      r.bulk('since');
      r.bulk(a.since);
    }
    if (a.deprecated_since !== undefined) {
      r.bulk('deprecated_since');
      r.bulk(a.deprecated_since);
    }
    if (a.flags !== undefined) {
      r.bulk('flags');
      replyStatusSet(c, a.flags);
    }
    if (nested) {
      r.bulk('arguments');
      replyArguments(c, a.arguments ?? []);
    }
  }
}

function replyCommandDocs(c: Client, cmd: CommandEntry): void {
  const r = c.reply;
  const d = redisCommandData(cmd.fullname);
  const textFields = [
    ['summary', d.summary],
    ['since', d.since],
    ['group', d.group],
    ['complexity', d.complexity],
  ] as const;
  let fields = 0;
  for (const [, v] of textFields) if (v !== undefined) fields++;
  if (d.doc_flags !== undefined) fields++;
  if (d.deprecated_since !== undefined) fields++;
  if (d.replaced_by !== undefined) fields++;
  if (d.history !== undefined) fields++;
  if (d.arguments !== undefined) fields++;
  if (cmd.subcommands !== null) fields++;
  r.map(fields);
  for (const [name, v] of textFields) {
    if (v === undefined) continue;
    r.bulk(name);
    r.bulk(v);
  }
  if (d.doc_flags !== undefined) {
    r.bulk('doc_flags');
    replyStatusSet(c, d.doc_flags);
  }
  if (d.deprecated_since !== undefined) {
    r.bulk('deprecated_since');
    r.bulk(d.deprecated_since);
  }
  if (d.replaced_by !== undefined) {
    r.bulk('replaced_by');
    r.bulk(d.replaced_by);
  }
  if (d.history !== undefined) {
    r.bulk('history');
    r.set(d.history.length);
    for (const [since, changes] of d.history) {
      r.array(2);
      r.bulk(since);
      r.bulk(changes);
    }
  }
  if (d.arguments !== undefined) {
    r.bulk('arguments');
    replyArguments(c, d.arguments);
  }
  if (cmd.subcommands !== null) {
    r.bulk('subcommands');
    r.map(cmd.subcommands.size);
    for (const sub of cmd.subcommands.values()) {
      r.bulk(sub.fullname);
      replyCommandDocs(c, sub);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

function commandCommand(c: Client): void {
  const table = c.server.commands;
  c.reply.array(table.commands.size);
  for (const cmd of table.commands.values()) replyCommandInfo(c, cmd);
}

function commandCountCommand(c: Client): void {
  c.reply.integer(c.server.commands.commands.size);
}

function commandInfoCommand(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    commandCommand(c);
    return;
  }
  const table = c.server.commands;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) replyCommandInfo(c, lookupByFullname(table, argv[i]));
}

function commandDocsCommand(c: Client, argv: string[]): void {
  const table = c.server.commands;
  const found: CommandEntry[] = [];
  if (argv.length === 2) {
    found.push(...table.commands.values());
  } else {
    for (let i = 2; i < argv.length; i++) {
      const cmd = lookupByFullname(table, argv[i]);
      if (cmd !== undefined) found.push(cmd);
    }
  }
  c.reply.map(found.length);
  for (const cmd of found) {
    c.reply.bulk(cmd.fullname);
    replyCommandDocs(c, cmd);
  }
}

function commandListCommand(c: Client, argv: string[]): void {
  let filter: ((cmd: CommandEntry) => boolean) | null = null;
  for (let i = 2; i < argv.length; i++) {
    if (!isOpt(argv[i], 'FILTERBY') || argv.length - 1 - i !== 2) {
      c.reply.error(ERR_SYNTAX);
      return;
    }
    const arg = argv[i + 2];
    const type = argv[i + 1].toLowerCase();
    if (type === 'module') {
      // strata loads no modules: no command belongs to one.
      filter = () => false;
    } else if (type === 'aclcat') {
      const category = arg.toLowerCase();
      filter = (cmd) => (cmd.acl as readonly string[]).includes(category);
    } else if (type === 'pattern') {
      filter = (cmd) => globMatch(arg, cmd.fullname, true);
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
    i += 2;
  }
  const names: string[] = [];
  for (const cmd of c.server.commands.all()) if (filter === null || filter(cmd)) names.push(cmd.fullname);
  c.reply.bulks(names);
}

function getKeysSubcommand(c: Client, argv: string[], withFlags: boolean): void {
  const args = argv.slice(2);
  const cmd = lookupCommandLine(c.server.commands, args);
  if (cmd === undefined) {
    c.reply.error('ERR Invalid command specified');
    return;
  }
  if (!commandHasKeys(cmd)) {
    c.reply.error('ERR The command has no key arguments');
    return;
  }
  if ((cmd.arity > 0 && cmd.arity !== args.length) || args.length < -cmd.arity) {
    c.reply.error('ERR Invalid number of arguments specified for command');
    return;
  }
  const keys = getKeys(cmd, args);
  if (keys.length === 0) {
    if (cmd.flags.includes('no_mandatory_keys')) c.reply.array(0);
    else c.reply.error('ERR Invalid arguments specified for command');
    return;
  }
  c.reply.array(keys.length);
  for (const key of keys) {
    if (withFlags) {
      c.reply.array(2);
      c.reply.bulk(args[key.pos]);
      replyStatusSet(c, key.flags);
    } else {
      c.reply.bulk(args[key.pos]);
    }
  }
}

function commandGetKeysCommand(c: Client, argv: string[]): void {
  getKeysSubcommand(c, argv, false);
}

function commandGetKeysAndFlagsCommand(c: Client, argv: string[]): void {
  getKeysSubcommand(c, argv, true);
}

const COMMAND_HELP = [
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
];

function commandHelpCommand(c: Client, argv: string[]): void {
  replyHelp(c, argv[0], COMMAND_HELP);
}

export const commands = [
  {
    name: 'command',
    arity: -1,
    flags: ['loading', 'stale'],
    acl: ['connection'],
    run: commandCommand,
    subcommands: [
      { name: 'count', arity: 2, flags: ['loading', 'stale'], run: commandCountCommand },
      { name: 'info', arity: -2, flags: ['loading', 'stale'], run: commandInfoCommand },
      { name: 'docs', arity: -2, flags: ['loading', 'stale'], run: commandDocsCommand },
      { name: 'list', arity: -2, flags: ['loading', 'stale'], run: commandListCommand },
      { name: 'getkeys', arity: -4, flags: ['loading', 'stale'], run: commandGetKeysCommand },
      { name: 'getkeysandflags', arity: -4, flags: ['loading', 'stale'], run: commandGetKeysAndFlagsCommand },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], run: commandHelpCommand },
    ],
  },
] satisfies CommandSpec[];
