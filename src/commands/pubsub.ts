/*
 * Pub/sub commands (Redis's pubsub.c): PUBLISH SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE,
 * the sharded SPUBLISH SSUBSCRIBE SUNSUBSCRIBE, and PUBSUB introspection. Delivery and the
 * subscription tables live in server/pubsub.ts.
 *
 * PUBLISH changes no data: Redis propagates it to replicas only (never to the AOF), and strata has
 * no replicas yet, so nothing is propagated. A subscribing command run by EXEC is Redis's "deny
 * blocking" case: SUBSCRIBE / PSUBSCRIBE are still allowed there (for backward compatibility),
 * SSUBSCRIBE is not.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { CLASSIC, SHARDED } from '../server/pubsub.js';
import { replyHelp, replySubcommandSyntaxError } from './args.js';
import { globMatch } from '../types/glob.js';

function publishCommand(c: Client, argv: string[]): void {
  c.reply.integer(c.server.pubsub.publish(argv[1], argv[2], CLASSIC));
}

function spublishCommand(c: Client, argv: string[]): void {
  c.reply.integer(c.server.pubsub.publish(argv[1], argv[2], SHARDED));
}

function subscribeCommand(c: Client, argv: string[]): void {
  const pubsub = c.server.pubsub;
  for (let j = 1; j < argv.length; j++) pubsub.subscribe(c, argv[j], CLASSIC);
}

function ssubscribeCommand(c: Client, argv: string[]): void {
  // Inside EXEC (the only nested call that can reach a pub/sub command).
  if (c.server.callDepth > 1) {
    c.reply.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    return;
  }
  const pubsub = c.server.pubsub;
  for (let j = 1; j < argv.length; j++) pubsub.subscribe(c, argv[j], SHARDED);
}

function unsubscribeCommand(c: Client, argv: string[]): void {
  const pubsub = c.server.pubsub;
  if (argv.length === 1) pubsub.unsubscribeAll(c, CLASSIC, true);
  else for (let j = 1; j < argv.length; j++) pubsub.unsubscribe(c, argv[j], CLASSIC, true);
}

function sunsubscribeCommand(c: Client, argv: string[]): void {
  const pubsub = c.server.pubsub;
  if (argv.length === 1) pubsub.unsubscribeAll(c, SHARDED, true);
  else for (let j = 1; j < argv.length; j++) pubsub.unsubscribe(c, argv[j], SHARDED, true);
}

function psubscribeCommand(c: Client, argv: string[]): void {
  const pubsub = c.server.pubsub;
  for (let j = 1; j < argv.length; j++) pubsub.psubscribe(c, argv[j]);
}

function punsubscribeCommand(c: Client, argv: string[]): void {
  const pubsub = c.server.pubsub;
  if (argv.length === 1) pubsub.punsubscribeAll(c, true);
  else for (let j = 1; j < argv.length; j++) pubsub.punsubscribe(c, argv[j], true);
}

/** channelList: the active channels, all or those matching a pattern. */
function replyChannels(c: Client, argv: string[], table: ReadonlyMap<string, unknown>): void {
  if (argv.length > 3) {
    replySubcommandSyntaxError(c, argv);
    return;
  }
  const pattern = argv.length === 3 ? argv[2] : null;
  const out: string[] = [];
  for (const channel of table.keys()) if (pattern === null || globMatch(pattern, channel)) out.push(channel);
  c.reply.bulks(out);
}

/** NUMSUB / SHARDNUMSUB: each channel with its number of subscribers (patterns not counted). */
function replyNumsub(c: Client, argv: string[], table: ReadonlyMap<string, ReadonlySet<Client>>): void {
  c.reply.array((argv.length - 2) * 2);
  for (let j = 2; j < argv.length; j++) {
    c.reply.bulk(argv[j]);
    c.reply.integer(table.get(argv[j])?.size ?? 0);
  }
}

function pubsubChannelsCommand(c: Client, argv: string[]): void {
  replyChannels(c, argv, c.server.pubsub.channels);
}

function pubsubShardchannelsCommand(c: Client, argv: string[]): void {
  replyChannels(c, argv, c.server.pubsub.shardChannels);
}

function pubsubNumsubCommand(c: Client, argv: string[]): void {
  replyNumsub(c, argv, c.server.pubsub.channels);
}

function pubsubShardnumsubCommand(c: Client, argv: string[]): void {
  replyNumsub(c, argv, c.server.pubsub.shardChannels);
}

function pubsubNumpatCommand(c: Client): void {
  c.reply.integer(c.server.pubsub.patterns.size);
}

const PUBSUB_HELP = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
];

function pubsubHelpCommand(c: Client, argv: string[]): void {
  replyHelp(c, argv[0], PUBSUB_HELP);
}

const SUBSCRIBING = ['pubsub', 'noscript', 'loading', 'stale'] as const;
const SUBSCRIBING_SENTINEL = ['pubsub', 'noscript', 'loading', 'stale', 'sentinel'] as const;
const INTROSPECTION = ['pubsub', 'loading', 'stale'] as const;

export const commands = [
  { name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate', 'sentinel'], run: publishCommand },
  { name: 'spublish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'], keys: [1, 1, 1], run: spublishCommand },
  { name: 'subscribe', arity: -2, flags: SUBSCRIBING_SENTINEL, run: subscribeCommand },
  { name: 'ssubscribe', arity: -2, flags: SUBSCRIBING, keys: [1, -1, 1], run: ssubscribeCommand },
  { name: 'unsubscribe', arity: -1, flags: SUBSCRIBING_SENTINEL, run: unsubscribeCommand },
  { name: 'sunsubscribe', arity: -1, flags: SUBSCRIBING, keys: [1, -1, 1], run: sunsubscribeCommand },
  { name: 'psubscribe', arity: -2, flags: SUBSCRIBING_SENTINEL, run: psubscribeCommand },
  { name: 'punsubscribe', arity: -1, flags: SUBSCRIBING_SENTINEL, run: punsubscribeCommand },
  {
    name: 'pubsub',
    arity: -2,
    flags: [],
    subcommands: [
      { name: 'channels', arity: -2, flags: INTROSPECTION, run: pubsubChannelsCommand },
      { name: 'help', arity: 2, flags: ['loading', 'stale'], run: pubsubHelpCommand },
      { name: 'numpat', arity: 2, flags: INTROSPECTION, run: pubsubNumpatCommand },
      { name: 'numsub', arity: -2, flags: INTROSPECTION, run: pubsubNumsubCommand },
      { name: 'shardchannels', arity: -2, flags: INTROSPECTION, run: pubsubShardchannelsCommand },
      { name: 'shardnumsub', arity: -2, flags: INTROSPECTION, run: pubsubShardnumsubCommand },
    ],
  },
] satisfies CommandSpec[];
