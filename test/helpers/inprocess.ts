/*
 * An in-process server for fast unit tests of the mutation path: a Server built from a Config that
 * never listens, clients over stub sockets, requests run through processCommand exactly as the
 * socket path does, replies read back as raw RESP text (latin1). No ports, no child processes.
 *
 * The command clock is Date.now(): tests that need time to pass fake it (vi.useFakeTimers with
 * toFake: ['Date'] and vi.setSystemTime).
 */

import type { Socket } from 'node:net';
import { loadStartupConfig } from '../../src/config/startup.js';
import { Server } from '../../src/server/server.js';
import { Client } from '../../src/server/client.js';
import { processCommand } from '../../src/commands/dispatch.js';
import type { PropagatedCommand, PropagationSink } from '../../src/keyspace/effects.js';
import { stringOf, typeOfValue, type Value } from '../../src/types/object.js';

/** A socket that never connects; whatever the server writes to it (out-of-band pushes, flushes) is kept. */
function stubSocket(port: number): { socket: Socket; written: Buffer[] } {
  const written: Buffer[] = [];
  const socket = {
    remoteAddress: '127.0.0.1',
    remotePort: port,
    localAddress: '127.0.0.1',
    localPort: 6379,
    destroyed: false,
    write(data: Buffer | string) {
      written.push(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data));
      return true;
    },
    end() {
      this.destroyed = true;
    },
    destroy() {
      this.destroyed = true;
    },
    setNoDelay() {},
    on() {
      return this;
    },
  };
  return { socket: socket as unknown as Socket, written };
}

export class TestClient {
  constructor(
    readonly client: Client,
    /** What reached the socket: replies the server delivered (the reply gate let go). */
    readonly written: Buffer[],
  ) {}

  /** Runs one request as the server would and returns its reply as raw RESP text. */
  call(...argv: string[]): string {
    processCommand(this.client, argv);
    return this.takeOutput();
  }

  /** Everything the server produced for this client since the last read. */
  takeOutput(): string {
    const parts = this.written.splice(0).map((b) => b.toString('latin1'));
    if (this.client.reply.length > 0) parts.push(this.client.reply.take().toString('latin1'));
    return parts.join('');
  }
}

/** One database's contents in a comparable form: values as bytes (strings) or the objects themselves. */
export interface DbDump {
  id: number;
  /** key → [type, content], sorted by key. */
  entries: Array<[string, string, unknown]>;
  /** key → absolute unix ms, sorted by key. */
  expires: Array<[string, number]>;
}

/** A string's bytes whatever its encoding; collections as they are (compared structurally). */
function contentOf(v: Value): unknown {
  return typeof v === 'object' ? v : stringOf(v);
}

export class InProcessServer {
  readonly server: Server;
  private nextId = 1;

  /** `args` are redis-server style directives, e.g. ['--databases', '4']. */
  constructor(args: string[] = []) {
    this.server = new Server(loadStartupConfig(['--loglevel', 'warning', ...args]));
  }

  connect(): TestClient {
    const id = this.nextId++;
    const { socket, written } = stubSocket(40000 + id);
    const c = new Client(this.server, socket, id);
    this.server.clients.set(c.id, c);
    return new TestClient(c, written);
  }

  /** Captures every propagated unit from now on. */
  capturePropagation(): PropagationCapture {
    const capture = new PropagationCapture();
    this.server.keyspace.effects.addSink(capture);
    return capture;
  }

  /** Every non-empty database, keys sorted, with types, contents and expires. */
  dataset(): DbDump[] {
    const out: DbDump[] = [];
    for (const db of this.server.keyspace.dbs) {
      if (db.dict.size === 0 && db.expires.size === 0) continue;
      const entries: DbDump['entries'] = [...db.dict.entries()].map(([k, v]) => [k, typeOfValue(v), contentOf(v)]);
      entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const expires = [...db.expires.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      out.push({ id: db.id, entries, expires });
    }
    return out;
  }

  /**
   * Applies a propagated stream as the log loader does: a client that follows the units'
   * databases (SELECT when one changes, so that it is queued in order inside MULTI), keys never
   * expiring while loading. Throws on a replayed command that fails: a propagated stream must
   * replay cleanly.
   */
  replay(units: ReadonlyArray<readonly PropagatedCommand[]>): void {
    const client = this.connect();
    const ks = this.server.keyspace;
    ks.loading = true;
    try {
      for (const unit of units) {
        for (const op of unit) {
          if (client.client.db.id !== op.db) client.call('SELECT', String(op.db));
          const reply = client.call(...op.argv);
          if (reply.startsWith('-')) throw new Error(`replaying ${JSON.stringify(op.argv)} failed: ${reply.trimEnd()}`);
        }
      }
    } finally {
      ks.loading = false;
    }
  }
}

/** A propagation sink that keeps copies of the units it receives. */
export class PropagationCapture implements PropagationSink {
  readonly units: PropagatedCommand[][] = [];

  write(ops: readonly PropagatedCommand[]): void {
    this.units.push(ops.map((op) => ({ db: op.db, argv: [...op.argv] })));
  }

  /** The commands of every unit, flattened, as readable argv arrays. */
  commands(): string[][] {
    return this.units.flat().map((op) => op.argv);
  }
}

/** The simple view the collection tests use: one client, its propagated argv and keyevents. */
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
  const ips = new InProcessServer(['--notify-keyspace-events', 'KEA', ...config.flatMap(([name, value]) => [`--${name}`, value])]);
  const tc = ips.connect();
  const propagated: string[][] = [];
  const events: string[] = [];
  const effects = ips.server.keyspace.effects;
  effects.addSink({ write: (ops: readonly PropagatedCommand[]) => ops.forEach((op) => propagated.push(op.argv)) });
  effects.publisher = (channel, message) => {
    if (channel.startsWith('__keyevent@')) events.push(`${channel.slice(channel.indexOf(':') + 1)} ${message}`);
  };
  return {
    server: ips.server,
    client: tc.client,
    propagated,
    events,
    run: (...argv) => tc.call(...argv),
    reset: () => {
      propagated.length = 0;
      events.length = 0;
    },
  };
}
