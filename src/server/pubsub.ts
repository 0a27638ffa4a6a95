/*
 * Pub/sub delivery (Redis's pubsub.c): the server-side subscription tables and message fan-out.
 *
 * Invariants:
 *   - a client is in `channels[ch]` exactly when `ch` is in its own `channels` set (likewise for
 *     patterns and shard channels); a table entry goes away with its last subscriber, so the tables'
 *     sizes are PUBSUB NUMPAT and INFO's pubsub_* figures.
 *   - a message is encoded once per publish into bytes (a RESP3 push differs only in its type byte)
 *     and copied into every receiver's reply buffer, which is then queued for the end-of-tick flush.
 *   - a receiver whose pending output (reply buffer plus what the socket still holds) passes its
 *     class's `client-output-buffer-limit` is disconnected, as Redis's
 *     closeClientOnOutputBufferLimitReached: a slow or dead subscriber costs bounded memory and
 *     never holds up the publisher.
 *
 * Subscription replies ("subscribe", "unsubscribe", ...) and messages are push messages in RESP3
 * and plain arrays in RESP2. Counts in (un)subscribe replies are channels + patterns for the
 * classic kind and shard channels alone for the sharded kind.
 */

import type { Client } from './client.js';
import type { Server } from './server.js';
import type { BufferLimit } from '../config/special.js';
import { globMatch } from '../types/glob.js';
import { clientInfoLine } from '../commands/client.js';

/** The classic (channel + pattern) kind or the sharded kind of a channel subscription. */
export interface ChannelKind {
  readonly shard: boolean;
  readonly subscribeWord: string;
  readonly unsubscribeWord: string;
  readonly messageWord: string;
}

export const CLASSIC: ChannelKind = { shard: false, subscribeWord: 'subscribe', unsubscribeWord: 'unsubscribe', messageWord: 'message' };
export const SHARDED: ChannelKind = { shard: true, subscribeWord: 'ssubscribe', unsubscribeWord: 'sunsubscribe', messageWord: 'smessage' };

/** One class of client-output-buffer-limit in bytes (0: no limit). */
interface OutputLimit {
  hard: number;
  soft: number;
  seconds: number;
}

const NO_LIMIT: OutputLimit = { hard: 0, soft: 0, seconds: 0 };

/** '>': a RESP3 push has the header of a RESP2 array with this type byte. */
const PUSH_TYPE = 0x3e;

function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

export class PubSub {
  /** channel → subscribers, in subscription order. */
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();
  /** client-output-buffer-limit of the normal and pubsub classes (replicas do not get messages). */
  private normalLimit = NO_LIMIT;
  private pubsubLimit = NO_LIMIT;

  constructor(private readonly server: Server) {
    // Keyspace notifications are published like PUBLISH (to this server's subscribers only).
    server.keyspace.effects.publisher = (channel, message) => {
      this.publish(channel, message);
    };
    server.clientResetHooks.push((c) => this.forget(c));
  }

  /** Takes client-output-buffer-limit's classes (normal, replica, pubsub), as the config holds them. */
  setLimits(limits: readonly BufferLimit[]): void {
    const bytes = (l: BufferLimit): OutputLimit => ({ hard: Number(l.hard), soft: Number(l.soft), seconds: l.seconds });
    this.normalLimit = bytes(limits[0]);
    this.pubsubLimit = bytes(limits[2]);
  }

  private table(kind: ChannelKind): Map<string, Set<Client>> {
    return kind.shard ? this.shardChannels : this.channels;
  }

  private clientChannels(c: Client, kind: ChannelKind): Set<string> {
    return kind.shard ? c.shardChannels : c.channels;
  }

  /** The count a (un)subscribe reply carries. */
  private subscriptionCount(c: Client, kind: ChannelKind): number {
    return kind.shard ? c.shardChannels.size : c.channels.size + c.patterns.size;
  }

  /** [word, name or null, count]: the reply to each (un)subscribed channel or pattern. */
  private replySubscription(c: Client, word: string, name: string | null, count: number): void {
    const resp3 = c.reply.resp === 3;
    const nameField = name !== null ? bulk(name) : resp3 ? '_\r\n' : '$-1\r\n';
    writePush(c, (resp3 ? '>3\r\n' : '*3\r\n') + bulk(word) + nameField + ':' + count + '\r\n');
  }

  subscribe(c: Client, channel: string, kind: ChannelKind): void {
    const own = this.clientChannels(c, kind);
    if (!own.has(channel)) {
      own.add(channel);
      addTo(this.table(kind), channel, c);
    }
    this.replySubscription(c, kind.subscribeWord, channel, this.subscriptionCount(c, kind));
  }

  unsubscribe(c: Client, channel: string, kind: ChannelKind, notify: boolean): boolean {
    const removed = this.clientChannels(c, kind).delete(channel);
    if (removed) removeFrom(this.table(kind), channel, c);
    if (notify) this.replySubscription(c, kind.unsubscribeWord, channel, this.subscriptionCount(c, kind));
    return removed;
  }

  /** UNSUBSCRIBE / SUNSUBSCRIBE without arguments; one reply with a null name when there was nothing. */
  unsubscribeAll(c: Client, kind: ChannelKind, notify: boolean): void {
    const own = this.clientChannels(c, kind);
    let count = 0;
    for (const channel of [...own]) if (this.unsubscribe(c, channel, kind, notify)) count++;
    if (notify && count === 0) this.replySubscription(c, kind.unsubscribeWord, null, this.subscriptionCount(c, kind));
  }

  psubscribe(c: Client, pattern: string): void {
    if (!c.patterns.has(pattern)) {
      c.patterns.add(pattern);
      addTo(this.patterns, pattern, c);
    }
    this.replySubscription(c, 'psubscribe', pattern, this.subscriptionCount(c, CLASSIC));
  }

  punsubscribe(c: Client, pattern: string, notify: boolean): boolean {
    const removed = c.patterns.delete(pattern);
    if (removed) removeFrom(this.patterns, pattern, c);
    if (notify) this.replySubscription(c, 'punsubscribe', pattern, this.subscriptionCount(c, CLASSIC));
    return removed;
  }

  punsubscribeAll(c: Client, notify: boolean): void {
    let count = 0;
    for (const pattern of [...c.patterns]) if (this.punsubscribe(c, pattern, notify)) count++;
    if (notify && count === 0) this.replySubscription(c, 'punsubscribe', null, this.subscriptionCount(c, CLASSIC));
  }

  /** Drops every subscription silently (RESET, disconnect). */
  forget(c: Client): void {
    if (!c.isPubsub) return;
    this.unsubscribeAll(c, CLASSIC, false);
    this.unsubscribeAll(c, SHARDED, false);
    this.punsubscribeAll(c, false);
  }

  /**
   * Delivers a message to the channel's subscribers, then (classic kind only) to every client
   * whose pattern matches; returns the number of deliveries (a client matching twice counts twice).
   */
  publish(channel: string, message: string, kind: ChannelKind = CLASSIC): number {
    let receivers = 0;
    let overLimit: Client[] | null = null;
    const subscribers = this.table(kind).get(channel);
    if (subscribers !== undefined) {
      const frame = Buffer.from('*3\r\n' + bulk(kind.messageWord) + bulk(channel) + bulk(message), 'latin1');
      overLimit = this.deliverEach(subscribers, frame, overLimit);
      receivers += subscribers.size;
    }
    if (!kind.shard && this.patterns.size > 0) {
      const tail = bulk(channel) + bulk(message);
      for (const [pattern, clients] of this.patterns) {
        if (!globMatch(pattern, channel)) continue;
        const frame = Buffer.from('*4\r\n$8\r\npmessage\r\n' + bulk(pattern) + tail, 'latin1');
        overLimit = this.deliverEach(clients, frame, overLimit);
        receivers += clients.size;
      }
    }
    if (overLimit !== null) for (const c of overLimit) this.disconnectOverLimit(c);
    return receivers;
  }

  /**
   * Copies one message, encoded once as a RESP2 array, into each client's output (a push for RESP3
   * clients: the same bytes but the type). Returns `overLimit` plus the clients now over their limit.
   */
  private deliverEach(clients: ReadonlySet<Client>, frame: Buffer, overLimit: Client[] | null): Client[] | null {
    let push: Buffer | null = null;
    for (const c of clients) {
      if (c.reply.resp === 2) {
        writePush(c, frame);
      } else {
        if (push === null) {
          push = Buffer.from(frame);
          push[0] = PUSH_TYPE;
        }
        writePush(c, push);
      }
      if (this.delivered(c)) (overLimit ??= []).push(c);
    }
    return overLimit;
  }

  /**
   * Queues the client's new output for the flush; true when its pending output now passes its
   * output buffer limits (checkClientOutputBufferLimits: the hard limit at once, the soft limit
   * when it has been passed for more than its seconds).
   */
  delivered(c: Client): boolean {
    this.server.queueFlush(c);
    const limit = c.isPubsub ? this.pubsubLimit : this.normalLimit;
    if (limit.hard === 0 && limit.soft === 0) return false;
    const used = c.reply.length + c.socket.writableLength;
    if (limit.hard !== 0 && used >= limit.hard) return true;
    if (limit.soft === 0 || used < limit.soft) {
      c.softLimitReachedAt = 0;
      return false;
    }
    const nowSec = Math.floor(Date.now() / 1000);
    if (c.softLimitReachedAt === 0) {
      c.softLimitReachedAt = nowSec;
      return false;
    }
    return nowSec - c.softLimitReachedAt > limit.seconds;
  }

  /** Closes a client over its limits; what it had pending is dropped, as Redis frees it. */
  disconnectOverLimit(c: Client): void {
    if (c.closed) return;
    this.server.log.warn(`Client ${clientInfoLine(c, null)} scheduled to be closed ASAP for overcoming of output buffer limits.`);
    this.server.closeClient(c);
  }
}

/**
 * Appends a push (a message, a subscription reply, an invalidation) to the client's output. While
 * the client's own command runs under CLIENT REPLY OFF / SKIP its replies are dropped afterwards,
 * but pushes are not (Redis's CLIENT_PUSHING): they are held aside and written after the drop.
 */
export function writePush(c: Client, data: string | Buffer): void {
  if (c.heldPushes !== null) c.heldPushes.push(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  else if (typeof data === 'string') c.reply.raw(data);
  else c.reply.rawBytes(data);
}

function addTo(table: Map<string, Set<Client>>, name: string, c: Client): void {
  let clients = table.get(name);
  if (clients === undefined) {
    clients = new Set();
    table.set(name, clients);
  }
  clients.add(c);
}

function removeFrom(table: Map<string, Set<Client>>, name: string, c: Client): void {
  const clients = table.get(name);
  if (clients === undefined) return;
  clients.delete(c);
  if (clients.size === 0) table.delete(name);
}
