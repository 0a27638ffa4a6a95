/*
 * The EXPIRE and TTL families and PERSIST through the real server, compared with redis-server, and
 * expiry itself: lazily on access and by the active cycle without any access.
 */

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ServerPair } from './keys-pair.js';

let pair: ServerPair;

beforeAll(async () => {
  pair = await ServerPair.start();
});

afterAll(async () => {
  await pair.stop();
});

beforeEach(async () => {
  await pair.same('FLUSHALL');
});

/** Resolves once `check` holds, polling; fails after `deadlineMs`. */
async function eventually(check: () => Promise<boolean>, deadlineMs = 10000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached before the deadline');
    await new Promise((res) => setTimeout(res, 5));
  }
}

const FUTURE_S = String(Math.floor(Date.now() / 1000) + 100000);
const FUTURE_MS = String(Date.now() + 100000000);

describe('EXPIRE family', () => {
  it('sets a TTL on an existing key only', async () => {
    await pair.same('SET', 'k', 'v');
    expect(await pair.same('EXPIRE', 'k', '100')).toBe(':1\r\n');
    expect(await pair.same('TTL', 'k')).toBe(':100\r\n');
    expect(await pair.same('PEXPIRE', 'k', '200000')).toBe(':1\r\n');
    expect(await pair.same('TTL', 'k')).toBe(':200\r\n');
    expect(await pair.same('EXPIREAT', 'k', FUTURE_S)).toBe(':1\r\n');
    expect(await pair.same('EXPIRETIME', 'k')).toBe(`:${FUTURE_S}\r\n`);
    expect(await pair.same('PEXPIREAT', 'k', FUTURE_MS)).toBe(':1\r\n');
    expect(await pair.same('PEXPIRETIME', 'k')).toBe(`:${FUTURE_MS}\r\n`);
    await pair.same('EXPIRETIME', 'k');
    for (const cmd of ['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']) expect(await pair.same(cmd, 'missing', '100')).toBe(':0\r\n');
  });

  it('a time not in the future deletes the key', async () => {
    for (const [cmd, arg] of [['EXPIRE', '0'], ['EXPIRE', '-10'], ['PEXPIRE', '-1'], ['EXPIREAT', '1'], ['PEXPIREAT', '0'], ['EXPIREAT', '-9223372036854775']]) {
      await pair.same('SET', 'k', 'v');
      expect(await pair.same(cmd, 'k', arg), `${cmd} ${arg}`).toBe(':1\r\n');
      expect(await pair.same('EXISTS', 'k')).toBe(':0\r\n');
    }
  });

  it('NX, XX, GT and LT decide as Redis 7.0, "no TTL" counting as infinite', async () => {
    const options = [[], ['NX'], ['XX'], ['GT'], ['LT'], ['XX', 'GT'], ['XX', 'LT'], ['gt', 'xx'], ['nx', 'nx']];
    for (const startTtl of [null, '1000']) {
      for (const opts of options) {
        for (const seconds of ['500', '2000', '-5']) {
          await pair.same('SET', 'k', 'v');
          if (startTtl !== null) await pair.same('EXPIRE', 'k', startTtl);
          const label = `${startTtl} EXPIRE ${seconds} ${opts.join(' ')}`;
          const reply = await pair.same('EXPIRE', 'k', seconds, ...opts);
          expect(reply, label).toMatch(/^:[01]\r\n$/);
          await pair.same('TTL', 'k');
        }
      }
    }
  });

  it('reports option and argument errors as Redis, before looking at the key', async () => {
    await pair.same('SET', 'k', 'v');
    const bad = [
      ['10', 'FOO'],
      ['x', 'FOO'],
      ['10', 'NX', 'XX'],
      ['10', 'NX', 'GT'],
      ['10', 'nx', 'lt'],
      ['10', 'GT', 'LT'],
      ['10', 'XX', 'GT', 'LT', 'NX'],
      ['x'],
      ['1.5'],
      [''],
      ['9223372036854775807'],
      ['9223372036854775808'],
      ['9223372036854776'],
      ['-9223372036854776'],
      ['9223372036854775'],
    ];
    for (const cmd of ['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']) {
      for (const args of bad) {
        await pair.same('SET', 'k', 'v');
        await pair.same(cmd, 'k', ...args);
        await pair.same(cmd, 'missing', ...args);
      }
      await pair.same(cmd, 'k');
    }
  });

  it('PEXPIREAT accepts the largest int64', async () => {
    await pair.same('SET', 'k', 'v');
    expect(await pair.same('PEXPIREAT', 'k', '9223372036854775807')).toBe(':1\r\n');
    const [mine] = await pair.both('PEXPIRETIME', 'k');
    // Stored as a double: within int64, off from Redis only in the last digits.
    expect(BigInt(mine.slice(1, -2))).toBeLessThanOrEqual(9223372036854775807n);
    expect(BigInt(mine.slice(1, -2))).toBeGreaterThan(9223372036854770000n);
  });

  it('SET PXAT, EXAT and RESTORE ABSTTL at the largest int64 keep the TTL within int64 (a reply of 2^63 used to kill the server)', async () => {
    const payload = await dumpOf('v');
    for (const set of [
      ['SET', 'k', 'v', 'PXAT', '9223372036854775807'],
      ['SET', 'k', 'v', 'EXAT', '9223372036854775'],
      ['RESTORE', 'k', '9223372036854775807', payload, 'REPLACE', 'ABSTTL'],
    ]) {
      await pair.same(...set);
      for (const cmd of ['PEXPIRETIME', 'EXPIRETIME', 'PTTL', 'TTL']) {
        const [mine] = await pair.both(cmd, 'k');
        expect(BigInt(mine.slice(1, -2)), `${set.join(' ')}; ${cmd}`).toBeLessThanOrEqual(9223372036854775807n);
      }
    }
    // The snapshot writes the TTL as an int64 too.
    expect(await pair.same('SAVE')).toBe('+OK\r\n');
    expect(await pair.same('EXISTS', 'k')).toBe(':1\r\n');
  });

  it('RESTORE with a relative TTL past int64 creates nothing, as Redis (its sum wraps negative)', async () => {
    const payload = await dumpOf('v');
    await pair.same('RESTORE', 'k', '9223372036854775807', payload);
    expect(await pair.same('EXISTS', 'k')).toBe(':0\r\n');
    await pair.same('RESTORE', 'k', '1000000', payload);
    expect(await pair.same('EXISTS', 'k')).toBe(':1\r\n');
  });
});

/** A DUMP payload of a string, made by strata (the same bytes Redis restores). */
async function dumpOf(value: string): Promise<string> {
  await pair.same('SET', 'dump:src', value);
  const reply = (await pair.both('DUMP', 'dump:src'))[0];
  await pair.same('DEL', 'dump:src');
  const len = Number(reply.slice(1, reply.indexOf('\r\n')));
  return reply.slice(reply.indexOf('\r\n') + 2, reply.indexOf('\r\n') + 2 + len);
}

describe('TTL family and PERSIST', () => {
  it('report -2 for a missing key and -1 without TTL', async () => {
    await pair.same('SET', 'k', 'v');
    for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) {
      expect(await pair.same(cmd, 'missing')).toBe(':-2\r\n');
      expect(await pair.same(cmd, 'k')).toBe(':-1\r\n');
      await pair.same(cmd);
      await pair.same(cmd, 'k', 'x');
    }
  });

  it('TTL rounds to the nearest second; PTTL counts down', async () => {
    await pair.same('SET', 'k', 'v');
    await pair.same('PEXPIRE', 'k', '2900');
    expect(await pair.same('TTL', 'k')).toBe(':3\r\n');
    await pair.same('PEXPIRE', 'k', '2400');
    expect(await pair.same('TTL', 'k')).toBe(':2\r\n');
    const pttl = Number((await pair.a.call('PTTL', 'k')).slice(1, -2));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(2400);
  });

  it('PERSIST removes a TTL, once', async () => {
    await pair.same('SET', 'k', 'v');
    expect(await pair.same('PERSIST', 'k')).toBe(':0\r\n');
    await pair.same('EXPIRE', 'k', '100');
    expect(await pair.same('PERSIST', 'k')).toBe(':1\r\n');
    expect(await pair.same('TTL', 'k')).toBe(':-1\r\n');
    expect(await pair.same('PERSIST', 'k')).toBe(':0\r\n');
    expect(await pair.same('PERSIST', 'missing')).toBe(':0\r\n');
    await pair.same('PERSIST');
  });

  it('SET without KEEPTTL clears the TTL that EXPIRE set', async () => {
    await pair.same('SET', 'k', 'v');
    await pair.same('EXPIRE', 'k', '100');
    await pair.same('SET', 'k', 'w');
    expect(await pair.same('TTL', 'k')).toBe(':-1\r\n');
  });
});

describe('expiry', () => {
  it('an expired key is gone for every command that looks at it', async () => {
    const c = pair.a;
    for (const cmd of [['GET', 'k'], ['EXISTS', 'k'], ['TTL', 'k'], ['TYPE', 'k'], ['RENAME', 'k', 'j'], ['MOVE', 'k', '1'], ['COPY', 'k', 'j'], ['PERSIST', 'k'], ['EXPIRE', 'k', '100'], ['OBJECT', 'ENCODING', 'k'], ['KEYS', '*'], ['RANDOMKEY']]) {
      await c.call('SET', 'k', 'v', 'PX', '1');
      const setAt = Date.now();
      await eventually(async () => Date.now() > setAt + 2);
      const reply = await c.call(...cmd);
      expect([':0\r\n', ':-2\r\n', '+none\r\n', '-ERR no such key\r\n', '$-1\r\n', '*0\r\n'], cmd.join(' ')).toContain(reply);
    }
  });

  it('the active cycle deletes expired keys nobody reads', async () => {
    const c = pair.a;
    const args: string[] = [];
    for (let i = 0; i < 500; i++) args.push(`vol:${i}`, 'v');
    await c.call('MSET', ...args);
    for (let i = 0; i < 500; i++) c.send('PEXPIRE', `vol:${i}`, String(1 + (i % 20)));
    for (let i = 0; i < 500; i++) expect(await c.readReply()).toBe(':1\r\n');
    await c.call('SET', 'stays', 'v');
    await c.call('SET', 'stays-volatile', 'v', 'EX', '1000');
    // DBSIZE counts keys without touching them: it drops only through active expiry.
    await eventually(async () => (await c.call('DBSIZE')) === ':2\r\n');
    expect(await c.call('EXISTS', 'stays', 'stays-volatile')).toBe(':2\r\n');
  });
});
