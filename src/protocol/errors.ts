/*
 * Redis's exact error texts (server.c shared.* objects and the common reply helpers). Replies carry
 * the error code as the first word; ReplyWriter.error adds the leading '-'.
 */

export const ERR_WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const ERR_SYNTAX = 'ERR syntax error';
export const ERR_NOT_INTEGER = 'ERR value is not an integer or out of range';
export const ERR_NOT_FLOAT = 'ERR value is not a valid float';
export const ERR_NO_SUCH_KEY = 'ERR no such key';
export const ERR_OUT_OF_RANGE = 'ERR index out of range';
export const ERR_DB_INDEX = 'ERR DB index is out of range';
export const ERR_SAME_OBJECT = 'ERR source and destination objects are the same';
export const ERR_NOAUTH = 'NOAUTH Authentication required.';
export const ERR_OVERFLOW = 'ERR increment or decrement would overflow';
export const ERR_EXEC_ABORT = 'EXECABORT Transaction discarded because of previous errors.';
export const ERR_STRING_TOO_LONG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';
export const ERR_INVALID_EXPIRE = (cmd: string): string => `ERR invalid expire time in '${cmd}' command`;
export const ERR_POSITIVE = (what: string): string => `ERR ${what} is out of range, must be positive`;

export function errWrongArity(fullname: string): string {
  return `ERR wrong number of arguments for '${fullname}' command`;
}

/** Redis's "unknown command" text: the name and the first args, quoted, up to 128 chars of args. */
export function errUnknownCommand(argv: readonly string[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${argv[i].slice(0, 128 - args.length)}' `;
  }
  return `ERR unknown command '${argv[0].slice(0, 128)}', with args beginning with: ${args}`;
}

export function errUnknownSubcommand(parent: string, sub: string): string {
  return `ERR unknown subcommand '${sub.slice(0, 128)}'. Try ${parent.toUpperCase()} HELP.`;
}

/** A protected command (DEBUG) refused by its enable-*-command setting. */
export function errProtectedCommand(name: string): string {
  return (
    `ERR ${name.toUpperCase()} command not allowed. If the enable-${name}-command option is set to "local", you can run it from a local ` +
    'connection, otherwise you need to set this option in the configuration file, and then restart the server.'
  );
}
