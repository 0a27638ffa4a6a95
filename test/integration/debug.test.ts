import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startServer, type RunningServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';

const NOT_ALLOWED =
  '-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, ' +
  'otherwise you need to set this option in the configuration file, and then restart the server.\r\n';

describe('DEBUG is gated by enable-debug-command', () => {
  it('refuses DEBUG by default, before authentication is checked', async () => {
    const server = await startServer({ args: ['--requirepass', 'pw'] });
    const redis = await startServer({ redis: true, args: ['--requirepass', 'pw'] });
    try {
      for (const port of [server.port, redis.port]) {
        const c = await RawClient.connect(port);
        expect(await c.call('DEBUG', 'DIGEST')).toBe(NOT_ALLOWED);
        expect(await c.call('DEBUG')).toBe("-ERR wrong number of arguments for 'debug' command\r\n");
        expect(await c.call('AUTH', 'pw')).toBe('+OK\r\n');
        expect(await c.call('DEBUG', 'DIGEST')).toBe(NOT_ALLOWED);
        c.close();
      }
    } finally {
      await Promise.all([server.stop(), redis.stop()]);
    }
  });

  it('allows DEBUG from a loopback connection when set to local, and everywhere when set to yes', async () => {
    for (const setting of ['local', 'yes']) {
      const server = await startServer({ args: ['--enable-debug-command', setting] });
      const c = await RawClient.connect(server.port);
      expect(await c.call('DEBUG', 'DIGEST')).toBe('+0000000000000000000000000000000000000000\r\n');
      c.close();
      await server.stop();
    }
  });
});

describe('DEBUG subcommands', () => {
  let strata: RunningServer;
  let redis: RunningServer;
  let s: RawClient;
  let r: RawClient;

  beforeAll(async () => {
    const args = ['--enable-debug-command', 'yes', '--hz', '100'];
    [strata, redis] = await Promise.all([startServer({ args }), startServer({ redis: true, args })]);
    [s, r] = await Promise.all([RawClient.connect(strata.port), RawClient.connect(redis.port)]);
  });

  afterAll(async () => {
    s.close();
    r.close();
    await Promise.all([strata.stop(), redis.stop()]);
  });

  async function both(...argv: string[]): Promise<[string, string]> {
    return Promise.all([s.call(...argv), r.call(...argv)]);
  }

  async function same(...argv: string[]): Promise<string> {
    const [mine, theirs] = await both(...argv);
    expect(mine, argv.join(' ')).toBe(theirs);
    return mine;
  }

  it('DEBUG DIGEST of an empty dataset is 40 zeros', async () => {
    expect(await same('DEBUG', 'DIGEST')).toBe('+0000000000000000000000000000000000000000\r\n');
  });

  it('DEBUG DIGEST and DIGEST-VALUE equal redis-server on random string datasets with TTLs over several dbs', async () => {
    const bytes = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a).toString('latin1'));
    const value = fc.oneof(bytes, fc.integer().map(String), fc.constantFrom('0', '-1', '9007199254740993', '12345678901234567890', '007'));
    const op = fc.record({ db: fc.integer({ min: 0, max: 3 }), key: bytes, value, ttl: fc.boolean() });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        round++;
        for (const { db, key, value: v, ttl } of ops) {
          const k = `r${round}:${key}`;
          for (const c of [s, r]) {
            await c.call('SELECT', String(db));
            expect(await c.call('SET', k, v, ...(ttl ? ['EX', '1000'] : []))).toBe('+OK\r\n');
          }
        }
        await same('SELECT', '0');
        await same('DEBUG', 'DIGEST');
        const keys = ops.filter((o) => o.db === 0).map((o) => `r${round}:${o.key}`);
        await same('DEBUG', 'DIGEST-VALUE', ...keys, 'missing-key');
      }),
      { numRuns: 40 },
    );
  });

  it('DEBUG POPULATE creates the same dataset as redis-server', async () => {
    await same('SELECT', '5');
    await same('DEBUG', 'POPULATE', '50');
    await same('DEBUG', 'POPULATE', '20', 'sized', '12');
    await same('DEBUG', 'POPULATE', '20', 'short', '3');
    await same('DEBUG', 'POPULATE', '-1');
    await same('DEBUG', 'POPULATE', 'x');
    await same('DEBUG', 'DIGEST');
    await same('GET', 'sized:7');
    await same('SELECT', '0');
  });

  it('DEBUG PROTOCOL replies every type exactly as Redis in RESP2 and RESP3', async () => {
    const types = ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true', 'false', 'nope', 'STRING'];
    for (const resp of ['2', '3']) {
      await both('HELLO', resp);
      for (const t of types) {
        s.send('DEBUG', 'PROTOCOL', t);
        r.send('DEBUG', 'PROTOCOL', t);
        // A push message comes before the reply that follows it; an attribute is read with its reply.
        const replies = t === 'push' && resp === '3' ? 2 : 1;
        for (let i = 0; i < replies; i++) expect(await s.readReply(), `${t} RESP${resp}`).toBe(await r.readReply());
      }
    }
    await both('HELLO', '2');
  });

  it('DEBUG OBJECT describes a value in Redis format', async () => {
    await both('SET', 'obj:int', '100');
    await both('SET', 'obj:str', 'hello');
    const line = /^\+Value at:0x[0-9a-f]+ refcount:(\d+) encoding:(\w+) serializedlength:(\d+) lru:\d+ lru_seconds_idle:\d+\r\n$/;
    for (const [key, refcount, encoding, length] of [
      ['obj:int', '2147483647', 'int', '2'],
      ['obj:str', '1', 'embstr', '6'],
    ]) {
      const [mine, theirs] = await both('DEBUG', 'OBJECT', key);
      expect(mine).toMatch(line);
      expect(line.exec(mine)!.slice(1)).toEqual(line.exec(theirs)!.slice(1));
      expect(line.exec(mine)!.slice(1)).toEqual([refcount, encoding, length]);
    }
    await same('DEBUG', 'OBJECT', 'obj:missing');
    await same('DEBUG', 'LISTPACK', 'obj:str');
    await same('DEBUG', 'LISTPACK', 'obj:missing');
  });

  it('DEBUG HELP lists the subcommands as Redis does', async () => {
    const [mine, theirs] = await both('DEBUG', 'HELP');
    // Debian's build has jemalloc and lists MALLCTL; strata has no allocator to tune.
    const withoutMallctl = theirs.replace(/\+MALLCTL(-STR)? <key> \[<val>\]\r\n\+ {4}Get or set a malloc tuning (integer|string)\.\r\n/g, '');
    const count = (x: string): number => Number(/^\*(\d+)/.exec(x)![1]);
    expect(mine.replace(/^\*\d+/, '')).toBe(withoutMallctl.replace(/^\*\d+/, ''));
    expect(count(mine)).toBe(count(theirs) - 4);
  });

  it('unknown subcommands and wrong argument counts get Redis errors', async () => {
    await same('DEBUG', 'nosuch');
    await same('DEBUG', 'Object');
    await same('DEBUG', 'LOG');
    await same('DEBUG', 'digest', 'extra');
    await same('DEBUG', 'jmap');
    await same('DEBUG', 'stringmatch-len');
  });

  it('DEBUG LOG, SLEEP, ERROR, CHANGE-REPL-ID and STRINGMATCH-TEST answer as Redis', async () => {
    await same('DEBUG', 'LOG', 'hello from the test');
    await same('DEBUG', 'SLEEP', '0');
    await same('DEBUG', 'SLEEP', '0.01');
    await same('DEBUG', 'ERROR', 'MYERR something went wrong');
    await same('DEBUG', 'CHANGE-REPL-ID');
    // redis-server runs 10M fuzz cycles for this one; strata's answer is checked alone.
    expect(await s.call('DEBUG', 'STRINGMATCH-TEST')).toBe('+Apparently Redis did not crash: test passed\r\n');
    await same('DEBUG', 'DIGEST-VALUE');
  });

  it('DEBUG QUICKLIST-PACKED-THRESHOLD validates sizes as Redis', async () => {
    for (const size of ['1', '100mb', '0', '4gb', '5gb', 'abc', '-1', '1k']) await same('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', size);
  });

  it('DEBUG RELOAD saves, empties and reloads the dataset: the digest is unchanged and equal to Redis\'s', async () => {
    await same('FLUSHALL');
    const build: string[][] = [
      ['SET', 'str', 'v'],
      ['SET', 'int', '42'],
      ['SET', 'ttl', 'x', 'EX', '10000'],
      ['ZADD', 'z', '1.5', 'a', '-inf', 'b', '0.1', 'c'],
      ['HSET', 'h', 'f1', 'v1', 'f2', '2'],
      ['SADD', 'si', '1', '2', '3'],
      ['SADD', 'ss', 'x', 'y\x00z'],
      ['SELECT', '3'],
      ['HSET', 'big', ...Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]).flat()],
      ['ZADD', 'bigz', ...Array.from({ length: 200 }, (_, i) => [String(i / 3), `m${i}`]).flat()],
      ['SELECT', '0'],
    ];
    for (const cmd of build) await same(...cmd);
    const before = await same('DEBUG', 'DIGEST');
    expect(before).not.toBe('+0000000000000000000000000000000000000000\r\n');
    expect(await s.call('DEBUG', 'RELOAD')).toBe('+OK\r\n');
    expect(await s.call('DEBUG', 'DIGEST')).toBe(before);
    expect(await s.call('DEBUG', 'RELOAD', 'NOSAVE')).toBe('+OK\r\n');
    expect(await s.call('DEBUG', 'DIGEST')).toBe(before);
    await same('DEBUG', 'RELOAD', 'BADOPT');
  });

  it('DEBUG SET-ACTIVE-EXPIRE 0 keeps expired keys until it is turned back on', async () => {
    const c = await RawClient.connect(strata.port);
    await c.call('SELECT', '9');
    expect(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0')).toBe('+OK\r\n');
    expect(await c.call('SET', 'volatile', 'v', 'PX', '1')).toBe('+OK\r\n');
    // Let the key expire and many cron cycles (hz 100) pass; DIGEST-VALUE does not expire keys lazily.
    expect(await c.call('DEBUG', 'SLEEP', '0.05')).toBe('+OK\r\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await c.call('DEBUG', 'DIGEST-VALUE', 'volatile')).not.toBe('*1\r\n+0000000000000000000000000000000000000000\r\n');
    expect(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1')).toBe('+OK\r\n');
    for (;;) {
      if ((await c.call('DEBUG', 'DIGEST-VALUE', 'volatile')) === '*1\r\n+0000000000000000000000000000000000000000\r\n') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    c.close();
  });
});
