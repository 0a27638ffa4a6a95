/*
 * What the hash and set families share:
 *   - HSCAN/SSCAN's half of Redis's scanGenericCommand: the cursor argument, MATCH and COUNT, the
 *     reply. The walk itself is the collection's (HashObject.scan, SetObject.scan); the cursor
 *     scheme is StringDict's scanCursorNext (types/strdict.ts).
 *   - HRANDFIELD/SRANDMEMBER's count argument and distinct sampling.
 *   - The encoding limits from the config, cached for the write paths.
 */

import type { Client } from '../server/client.js';
import type { Config } from '../config/config.js';
import type { HashLimits } from '../types/hash.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX } from '../protocol/errors.js';
import { globMatch } from '../types/glob.js';
import { parseInt64 } from '../types/numbers.js';
import { isOpt } from './args.js';

const TWO_64 = 1n << 64n;
const TWO_32 = 1n << 32n;

/**
 * parseScanCursorOrReply (strtoul): optional sign and decimal digits within 2^64 ("" is 0, "-1" is
 * 2^64-1, as strtoul). Our cursors are below 2^32, so the value is taken modulo 2^32.
 */
export function parseCollectionCursor(c: Client, s: string): number | null {
  if (!/^[+-]?\d*$/.test(s) || s === '+' || s === '-') {
    c.reply.error('ERR invalid cursor');
    return null;
  }
  const neg = s.startsWith('-');
  const digits = s.replace(/^[+-]/, '');
  const v = digits === '' ? 0n : BigInt(digits);
  if (v >= TWO_64) {
    c.reply.error('ERR invalid cursor');
    return null;
  }
  const wrapped = neg ? (TWO_64 - v) % TWO_64 : v;
  return Number(wrapped % TWO_32);
}

export interface ScanOptions {
  count: number;
  /** null when no MATCH was given (or it was exactly "*"). */
  pattern: string | null;
}

/** Options from argv[3..]: COUNT n (≥ 1) and MATCH pattern; null after replying the error. */
export function parseScanOptions(c: Client, argv: readonly string[]): ScanOptions | null {
  let count = 10;
  let pattern: string | null = null;
  for (let i = 3; i < argv.length; i += 2) {
    const more = i + 1 < argv.length;
    if (more && isOpt(argv[i], 'COUNT')) {
      const big = parseInt64(argv[i + 1]);
      if (big === null) {
        c.reply.error(ERR_NOT_INTEGER);
        return null;
      }
      if (big < 1n) {
        c.reply.error(ERR_SYNTAX);
        return null;
      }
      count = big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
    } else if (more && isOpt(argv[i], 'MATCH')) {
      pattern = argv[i + 1] === '*' ? null : argv[i + 1];
    } else {
      c.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return { count, pattern };
}

/**
 * Replies [cursor, items]. With `pairs`, items are field, value pairs and MATCH tests the field.
 */
export function replyScan(c: Client, cursor: number, items: readonly string[], pattern: string | null, pairs: boolean): void {
  const step = pairs ? 2 : 1;
  let kept = items;
  if (pattern !== null) {
    const out: string[] = [];
    for (let i = 0; i < items.length; i += step) {
      if (!globMatch(pattern, items[i])) continue;
      out.push(items[i]);
      if (pairs) out.push(items[i + 1]);
    }
    kept = out;
  }
  c.reply.array(2);
  c.reply.bulk(String(cursor));
  c.reply.bulks(kept);
}

/** The reply for a missing key: cursor 0, no elements. */
export function replyEmptyScan(c: Client): void {
  c.reply.raw('*2\r\n$1\r\n0\r\n*0\r\n');
}

// ---------------------------------------------------------------------------------------------
// Random counts and sampling

const LONG_MAX = 9223372036854775807n;
/** LONG_MAX / 2: the largest count with pairs (HRANDFIELD WITHVALUES, ZRANDMEMBER WITHSCORES). */
export const LONG_MAX_HALF = 4611686018427387903n;

/**
 * getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX) for a count argument; null after replying.
 */
export function parseRandomCount(c: Client, s: string): bigint | null {
  const n = parseInt64(s);
  if (n === null) {
    c.reply.error(ERR_NOT_INTEGER);
    return null;
  }
  if (n < -LONG_MAX) {
    c.reply.error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
    return null;
  }
  return n;
}

/**
 * Most picks a negative count may ask for. Redis would try to build any such reply and exhaust
 * memory; strata refuses beyond this many with -ERR value is out of range.
 */
export const MAX_RANDOM_PICKS = 1 << 25;

/**
 * `count` distinct indexes of 0..size-1 (count < size), as Redis's SRANDMEMBER/HRANDFIELD cases 3
 * and 4: when count is close to size, remove random indexes from the full range; otherwise draw
 * until `count` distinct ones were seen.
 */
export function pickDistinct(size: number, count: number): number[] {
  if (count * 3 > size) {
    const all = new Array<number>(size);
    for (let i = 0; i < size; i++) all[i] = i;
    for (let left = size; left > count; left--) {
      const j = Math.floor(Math.random() * left);
      all[j] = all[left - 1];
    }
    all.length = count;
    return all;
  }
  const seen = new Set<number>();
  while (seen.size < count) seen.add(Math.floor(Math.random() * size));
  return [...seen];
}

// ---------------------------------------------------------------------------------------------
// Encoding limits

export interface CollectionLimits extends HashLimits {
  /** set-max-intset-entries */
  maxIntset: number;
}

const limitsByConfig = new WeakMap<Config, CollectionLimits>();

/** hash-max-listpack-entries/-value and set-max-intset-entries, refreshed when the config changes. */
export function collectionLimits(c: Client): CollectionLimits {
  const config = c.server.config;
  let limits = limitsByConfig.get(config);
  if (limits === undefined) {
    const fresh: CollectionLimits = { maxEntries: 0, maxValue: 0, maxIntset: 0 };
    const read = (): void => {
      fresh.maxEntries = config.getNumber('hash-max-listpack-entries');
      fresh.maxValue = config.getNumber('hash-max-listpack-value');
      fresh.maxIntset = config.getNumber('set-max-intset-entries');
    };
    read();
    config.onChange(read);
    limitsByConfig.set(config, fresh);
    limits = fresh;
  }
  return limits;
}
