/*
 * Pub/sub fan-out: one publisher, N subscribers on one channel, a fixed-size payload. The publisher
 * sends PUBLISH in pipelined batches of 500 (each batch's replies awaited before the next); the
 * clock runs from the first batch until every subscriber has received every message (counted in
 * bytes: each message frame has the same size). The figure is messages delivered per second
 * (messages × subscribers / seconds).
 */

import net from 'node:net';
import { BenchConnection, encodeCommand, startBenchServer, type ServerKind } from './servers.js';

const CHANNEL = 'bench:fanout';
const BATCH = 500;

function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

/** A subscriber that counts the bytes it receives after its SUBSCRIBE confirmation. */
class CountingSubscriber {
  received = 0;
  private target = Infinity;
  private onTarget: (() => void) | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.received += d.length;
      if (this.received >= this.target && this.onTarget !== null) {
        this.onTarget();
        this.onTarget = null;
      }
    });
  }

  static async subscribe(port: number): Promise<CountingSubscriber> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const sub = new CountingSubscriber(socket);
    const confirmation = '*3\r\n' + bulk('subscribe') + bulk(CHANNEL) + ':1\r\n';
    await sub.until(confirmation.length, () => socket.write(encodeCommand(['SUBSCRIBE', CHANNEL]), 'latin1'));
    sub.received = 0;
    return sub;
  }

  /** Resolves once `bytes` have arrived in total (`start` runs after the wait is armed). */
  until(bytes: number, start: () => void = () => {}): Promise<void> {
    return new Promise((resolve) => {
      this.target = bytes;
      this.onTarget = resolve;
      start();
      if (this.received >= bytes) resolve();
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Publishes `messages` in pipelined batches and waits until every subscriber has them all; seconds taken. */
async function round(publisher: BenchConnection, subs: readonly CountingSubscriber[], messages: number, payload: string): Promise<number> {
  const frameBytes = ('*3\r\n' + bulk('message') + bulk(CHANNEL) + bulk(payload)).length;
  for (const s of subs) s.received = 0;
  const allReceived = Promise.all(subs.map((s) => s.until(frameBytes * messages)));
  const request = encodeCommand(['PUBLISH', CHANNEL, payload]);
  const batch = request.repeat(BATCH);
  const start = performance.now();
  for (let sent = 0; sent < messages; sent += BATCH) {
    const n = Math.min(BATCH, messages - sent);
    await publisher.pipeline(n === BATCH ? batch : request.repeat(n), n, `:${subs.length}\r\n`);
  }
  await allReceived;
  return (performance.now() - start) / 1000;
}

/**
 * Messages delivered per second with one publisher and `subscribers` subscribers, after an untimed
 * warm-up round of a fifth of the messages (so that strata's JIT has compiled the delivery path).
 */
export async function fanoutRate(kind: ServerKind, subscribers: number, messages: number, payloadBytes = 64): Promise<number> {
  const server = await startBenchServer(kind);
  const subs: CountingSubscriber[] = [];
  try {
    for (let i = 0; i < subscribers; i++) subs.push(await CountingSubscriber.subscribe(server.port));
    const publisher = await BenchConnection.connect(server.port);
    const payload = 'x'.repeat(payloadBytes);
    await round(publisher, subs, Math.ceil(messages / 5), payload);
    const seconds = await round(publisher, subs, messages, payload);
    publisher.close();
    return (messages * subscribers) / seconds;
  } finally {
    for (const s of subs) s.close();
    await server.stop();
  }
}
