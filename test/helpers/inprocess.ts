/*
 * An in-process server for tests that need to see inside: what a command propagated (the replayed
 * form), which keyspace events it published, and the stored objects. Commands run through the real
 * dispatcher on a detached client; nothing listens on a socket and the cron does not run (tests
 * call server.activeExpire.cycle themselves).
 */

import { Config } from '../../src/config/config.js';
import { Server } from '../../src/server/server.js';
import { Client } from '../../src/server/client.js';
import { processCommand } from '../../src/commands/dispatch.js';
import { parseNotifyFlags } from '../../src/keyspace/notify.js';
import type { PropagatedCommand } from '../../src/keyspace/effects.js';

export interface InProcess {
  server: Server;
  client: Client;
  /** Every propagated command, in order (MULTI/EXEC wrappers included). */
  propagated: string[][];
  /** Every keyspace event as "event key" (from the __keyevent@ channel). */
  events: string[];
  /** Runs a command and returns its raw reply. */
  run(...argv: string[]): string;
  /** Clears propagated and events. */
  reset(): void;
}

export function inProcess(config: Array<[string, string]> = []): InProcess {
  const cfg = new Config();
  cfg.set('loglevel', ['warning']);
  for (const [name, value] of config) cfg.set(name, [value]);
  const server = new Server(cfg);
  const client = Client.detached(server);
  const propagated: string[][] = [];
  const events: string[] = [];
  const effects = server.keyspace.effects;
  effects.addSink({ write: (ops: readonly PropagatedCommand[]) => ops.forEach((op) => propagated.push(op.argv)) });
  effects.notifyFlags = parseNotifyFlags('KEA');
  effects.publisher = (channel, message) => {
    if (channel.startsWith('__keyevent@')) events.push(`${channel.slice(channel.indexOf(':') + 1)} ${message}`);
  };
  return {
    server,
    client,
    propagated,
    events,
    run: (...argv) => {
      processCommand(client, argv);
      return client.reply.take().toString('latin1');
    },
    reset: () => {
      propagated.length = 0;
      events.length = 0;
    },
  };
}
