/*
 * Argument helpers shared by the families: parse a number with Redis's rules and reply Redis's
 * error when it does not parse (the handler then just returns).
 */

import type { Client } from '../server/client.js';
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_WRONGTYPE } from '../protocol/errors.js';
import { parseDoubleArg, parseIntArg } from '../types/numbers.js';
import { typeOfValue, type ObjectType, type Value } from '../types/object.js';

/** getLongLongFromObjectOrReply: the integer, or null after replying the error. */
export function intArgOrReply(c: Client, s: string, error: string = ERR_NOT_INTEGER): number | null {
  const n = parseIntArg(s);
  if (n === null) c.reply.error(error);
  return n;
}

/** getDoubleFromObjectOrReply. */
export function doubleArgOrReply(c: Client, s: string, error: string = ERR_NOT_FLOAT): number | null {
  const n = parseDoubleArg(s);
  if (n === null) c.reply.error(error);
  return n;
}

/** checkType: true (after replying WRONGTYPE) when the value exists and is not of `type`. */
export function wrongType(c: Client, v: Value | undefined, type: ObjectType): boolean {
  if (v === undefined || typeOfValue(v) === type) return false;
  c.reply.error(ERR_WRONGTYPE);
  return true;
}

/**
 * Case-insensitive option match (`upper` is in capitals), ASCII letters only as Redis's strcasecmp,
 * without allocating: commands with options try each argument against many of them.
 */
export function isOpt(arg: string, upper: string): boolean {
  const n = arg.length;
  if (n !== upper.length) return false;
  for (let i = 0; i < n; i++) {
    const c = arg.charCodeAt(i);
    const u = upper.charCodeAt(i);
    if (c !== u && (c < 97 || c > 122 || c - 32 !== u)) return false;
  }
  return true;
}

/** addReplyHelp: "<CMD> <subcommand> ..." then the lines, then HELP, all as status replies. */
export function replyHelp(c: Client, command: string, lines: readonly string[]): void {
  const r = c.reply;
  r.array(lines.length + 3);
  r.simple(`${command.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) r.simple(line);
  r.simple('HELP');
  r.simple('    Prints this help.');
}

/** addReplySubcommandSyntaxError: a known subcommand with arguments it does not take. */
export function replySubcommandSyntaxError(c: Client, argv: readonly string[]): void {
  c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`);
}
