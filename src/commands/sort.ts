/*
 * SORT and SORT_RO (Redis's sort.c) over lists, sets and sorted sets.
 *
 * Ordering, as sortCompare: numeric by default (each element, or its BY value, read with strtod; a
 * missing BY value is 0; equal numbers fall back to the element bytes), ALPHA by the bytes of the
 * element or BY value (strcoll in the C locale, so up to the first NUL byte, except with STORE,
 * where the whole string is compared; a missing BY value sorts first). DESC negates the comparison.
 * A BY pattern without '*' means "do not sort": lists and sorted sets keep their order (DESC walks it
 * backwards), sets their iteration order, except with STORE, where a set is sorted ALPHA so that
 * the stored list does not depend on hash order.
 *
 * Patterns (lookupKeyByPattern): "#" is the element; otherwise the first '*' is replaced by the
 * element, and a "->field" after it reads that hash field. BY and GET keys are read with
 * lookupRead (hits, misses, lazy expiry) and must hold a string (or hash, for "->").
 *
 * STORE writes a list (GET values missing become ""), event "sortstore", or deletes the
 * destination when the result is empty (event "del"). SORT is replayed as sent.
 */

import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { intArgOrReply, isOpt } from './args.js';
import { ERR_SYNTAX, ERR_WRONGTYPE } from '../protocol/errors.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../keyspace/notify.js';
import { parseDouble, strtodRange } from '../types/numbers.js';
import { stringOf, type Value } from '../types/object.js';
import { ListValue } from '../types/list.js';
import type { SetObject } from '../types/set.js';
import type { ZSet } from '../types/zset.js';
import type { HashObject } from '../types/hash.js';
import { expireDueFields } from '../keyspace/field-expire.js';

const ERR_NOT_DOUBLE = "ERR One or more scores can't be converted into double";

/** One element being sorted, with what it sorts by. */
interface SortItem {
  element: string;
  score: number;
  /** ALPHA with BY: the BY value, null when missing. */
  by: string | null;
}

/** The value a pattern names for `element`, or null (lookupKeyByPattern). */
function lookupByPattern(c: Client, pattern: string, element: string): string | null {
  if (pattern === '#') return element;
  const star = pattern.indexOf('*');
  if (star < 0) return null;
  const arrow = pattern.indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pattern.length;
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, hasField ? arrow : pattern.length);
  const ks = c.server.keyspace;
  const v = ks.lookupRead(c.db, key);
  if (v === undefined) return null;
  if (!hasField) return typeof v === 'object' ? null : stringOf(v);
  if (typeof v !== 'object' || v.type !== 'hash') return null;
  const hash = v as HashObject;
  if (hash.supportsTtls && expireDueFields(ks, c.db, key, hash)) return null;
  return hash.get(pattern.slice(arrow + 2)) ?? null;
}

/**
 * strtod as SORT uses it: leading whitespace skipped, the rest must be a number; "" is 0. Null
 * where Redis reports a conversion error (junk after the number, NaN, overflow, underflow).
 */
function sortScore(s: string): number | null {
  if (s === '') return 0;
  const text = s.replace(/^[ \t\n\v\f\r]+/, '');
  if (text === '') return null;
  const d = parseDouble(text);
  // Any ERANGE, a subnormal included (sortCompare checks errno alone).
  return d === null || strtodRange(text, d) !== null ? null : d;
}

/** strcoll in the C locale: bytes compared up to the first NUL. */
function collate(a: string, b: string): number {
  const na = a.indexOf('\0');
  const nb = b.indexOf('\0');
  if (na >= 0) a = a.slice(0, na);
  if (nb >= 0) b = b.slice(0, nb);
  return a < b ? -1 : a > b ? 1 : 0;
}

function bytesCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The elements of the value to sort, in its own order (sets: iteration order). */
function elementsOf(v: Value): string[] {
  if (typeof v !== 'object') return [];
  if (v.type === 'list') return (v as ListValue).toArray();
  if (v.type === 'set') return (v as SetObject).members();
  const out: string[] = [];
  for (const m of (v as ZSet).entries()) out.push(m.member);
  return out;
}

function sortGeneric(c: Client, argv: string[], readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let sortBy: string | null = null;
  let dontSort = false;
  let storeKey: string | null = null;
  const gets: string[] = [];
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const opt = argv[j];
    if (isOpt(opt, 'ASC')) desc = false;
    else if (isOpt(opt, 'DESC')) desc = true;
    else if (isOpt(opt, 'ALPHA')) alpha = true;
    else if (isOpt(opt, 'LIMIT') && left >= 2) {
      const start = intArgOrReply(c, argv[j + 1]);
      if (start === null) return;
      const count = intArgOrReply(c, argv[j + 2]);
      if (count === null) return;
      limitStart = start;
      limitCount = count;
      j += 2;
    } else if (!readonly && isOpt(opt, 'STORE') && left >= 1) storeKey = argv[++j];
    else if (isOpt(opt, 'BY') && left >= 1) {
      sortBy = argv[++j];
      // A constant BY pattern: nothing to sort by.
      dontSort = !sortBy.includes('*');
    } else if (isOpt(opt, 'GET') && left >= 1) gets.push(argv[++j]);
    else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
  }
  const ks = c.server.keyspace;
  const v = ks.lookupRead(c.db, argv[1]);
  const type = v === undefined ? 'list' : typeof v === 'object' ? v.type : 'string';
  if (type !== 'list' && type !== 'set' && type !== 'zset') {
    c.reply.error(ERR_WRONGTYPE);
    return;
  }
  // A set's order is its hash order: a stored result must not depend on it.
  if (dontSort && type === 'set' && storeKey !== null) {
    dontSort = false;
    alpha = true;
    sortBy = null;
  }
  let elements = v === undefined ? [] : elementsOf(v);
  const len = elements.length;
  let start = Math.min(Math.max(limitStart, 0), len);
  const count = Math.min(Math.max(limitCount, -1), len);
  let end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;
  if (dontSort) {
    if (type !== 'set' && desc) elements.reverse();
  } else {
    const items: SortItem[] = new Array(len);
    let conversionError = false;
    for (let i = 0; i < len; i++) {
      const element = elements[i];
      const item: SortItem = { element, score: 0, by: null };
      items[i] = item;
      const byValue = sortBy === null ? element : lookupByPattern(c, sortBy, element);
      if (byValue === null) continue;
      if (alpha) {
        if (sortBy !== null) item.by = byValue;
      } else {
        const score = sortScore(byValue);
        if (score === null) conversionError = true;
        else item.score = score;
      }
    }
    if (conversionError) {
      c.reply.error(ERR_NOT_DOUBLE);
      return;
    }
    const compareText = storeKey !== null ? bytesCompare : collate;
    const sign = desc ? -1 : 1;
    if (!alpha) {
      items.sort((a, b) => sign * (a.score > b.score ? 1 : a.score < b.score ? -1 : bytesCompare(a.element, b.element)));
    } else if (sortBy !== null) {
      items.sort((a, b) => sign * (a.by === null || b.by === null ? (a.by === b.by ? 0 : a.by === null ? -1 : 1) : compareText(a.by, b.by)));
    } else {
      items.sort((a, b) => sign * compareText(a.element, b.element));
    }
    elements = items.map((item) => item.element);
  }
  const outputLen = (gets.length > 0 ? gets.length : 1) * (end - start + 1);
  if (storeKey === null) {
    c.reply.array(outputLen);
    for (let j = start; j <= end; j++) {
      if (gets.length === 0) c.reply.bulk(elements[j]);
      for (const pattern of gets) c.reply.bulkOrNull(lookupByPattern(c, pattern, elements[j]));
    }
    return;
  }
  const list = new ListValue();
  for (let j = start; j <= end; j++) {
    if (gets.length === 0) list.pushBack(elements[j]);
    for (const pattern of gets) list.pushBack(lookupByPattern(c, pattern, elements[j]) ?? '');
  }
  const effects = ks.effects;
  if (outputLen > 0) {
    ks.setKey(c.db, storeKey, list);
    effects.keyChanged(c.db, storeKey, NOTIFY_LIST, 'sortstore');
    effects.dirty += outputLen - 1;
    effects.propagate(c.db.id, argv);
  } else if (ks.delete(c.db, storeKey)) {
    effects.keyChanged(c.db, storeKey, NOTIFY_GENERIC, 'del');
    effects.propagate(c.db.id, argv);
  }
  c.reply.integer(outputLen);
}

/** SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination] */
function sortCommand(c: Client, argv: string[]): void {
  sortGeneric(c, argv, false);
}

/** SORT_RO: SORT without STORE. */
function sortRoCommand(c: Client, argv: string[]): void {
  sortGeneric(c, argv, true);
}

export const commands = [
  { name: 'sort', arity: -2, flags: ['write', 'denyoom', 'movablekeys'], acl: ['set', 'sortedset', 'list', 'dangerous'], keys: [1, 1, 1], run: sortCommand },
  { name: 'sort_ro', arity: -2, flags: ['readonly', 'movablekeys'], acl: ['set', 'sortedset', 'list', 'dangerous'], keys: [1, 1, 1], run: sortRoCommand },
] satisfies CommandSpec[];
