/*
 * Runs the same commands on strata and on redis-server side by side, for the keyspace tests that
 * compare replies byte for byte.
 */

import { expect } from 'vitest';
import { startServer, type RunningServer, type StartOptions } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

export class ServerPair {
  private constructor(
    readonly strata: RunningServer,
    readonly redis: RunningServer,
    readonly a: RawClient,
    readonly b: RawClient,
  ) {}

  static async start(opts: Pick<StartOptions, 'args'> = {}): Promise<ServerPair> {
    const [strata, redis] = await Promise.all([startServer(opts), startServer({ ...opts, redis: true })]);
    const [a, b] = await Promise.all([RawClient.connect(strata.port), RawClient.connect(redis.port)]);
    return new ServerPair(strata, redis, a, b);
  }

  /** Both raw replies: [strata, redis]. */
  async both(...argv: string[]): Promise<[string, string]> {
    return Promise.all([this.a.call(...argv), this.b.call(...argv)]);
  }

  /** Runs argv on both servers, expects byte-identical replies and returns the reply. */
  async same(...argv: string[]): Promise<string> {
    const [mine, theirs] = await this.both(...argv);
    expect(mine, JSON.stringify(argv)).toBe(theirs);
    return mine;
  }

  async stop(): Promise<void> {
    this.a.close();
    this.b.close();
    await Promise.all([this.strata.stop(), this.redis.stop()]);
  }
}
