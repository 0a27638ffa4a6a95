/*
 * Argument helpers shared by the families: parse a number with Redis's rules and reply Redis's
 * error when it does not parse (the handler then just returns).
 */

import type { Client } from '../server/client.js';
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_WRONGTYPE } from '../protocol/errors.js';
import { parseDouble, parseIntArg } from '../types/numbers.js';
import { typeOfValue, type ObjectType, type Value } from '../types/object.js';

/** getLongLongFromObjectOrReply: the integer, or null after replying the error. */
export function intArgOrReply(c: Client, s: string, error: string = ERR_NOT_INTEGER): number | null {
  const n = parseIntArg(s);
  if (n === null) c.reply.error(error);
  return n;
}

/** getDoubleFromObjectOrReply. */
export function doubleArgOrReply(c: Client, s: string, error: string = ERR_NOT_FLOAT): number | null {
  const n = parseDouble(s);
  if (n === null) c.reply.error(error);
  return n;
}

/** checkType: true (after replying WRONGTYPE) when the value exists and is not of `type`. */
export function wrongType(c: Client, v: Value | undefined, type: ObjectType): boolean {
  if (v === undefined || typeOfValue(v) === type) return false;
  c.reply.error(ERR_WRONGTYPE);
  return true;
}

/** Case-insensitive option match without allocating for the common case. */
export function isOpt(arg: string, upper: string): boolean {
  return arg.length === upper.length && (arg === upper || arg.toUpperCase() === upper);
}
