/*
 * Redis's shared replies for container commands: addReplyHelp (the HELP subcommand) and
 * addReplySubcommandSyntaxError. Both name the command as the client typed it, upper-cased.
 */

import type { Client } from '../server/client.js';

/** "<CMD> <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", the lines, then HELP's own entry. */
export function replyHelp(c: Client, command: string, lines: readonly string[]): void {
  c.reply.array(lines.length + 3);
  c.reply.simple(`${command.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) c.reply.simple(line);
  c.reply.simple('HELP');
  c.reply.simple('    Prints this help.');
}

export function replySubcommandSyntaxError(c: Client, argv: readonly string[]): void {
  c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`);
}
