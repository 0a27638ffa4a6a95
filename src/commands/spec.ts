/*
 * The declarative shape of a command. Each family file ends with a table of CommandSpec rows; the
 * registry compiles them, and dispatch checks arity, auth, MULTI, OOM and writability from them
 * before a handler runs (Redis's processCommand). ACL categories are derived from the flags where
 * Redis derives them (@write, @read, @fast, @slow, @admin, @dangerous, @blocking, @pubsub); a spec
 * only names its family categories (@string, @keyspace, ...).
 */

import type { Client } from '../server/client.js';

export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'module'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'asking'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'sentinel'
  | 'only_sentinel'
  | 'no_mandatory_keys'
  | 'protected'
  | 'no_async_loading'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy';

/** In Redis's order (acl.c ACLCommandCategories), which is the order COMMAND INFO lists them. */
export const ACL_CATEGORIES = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
] as const;

export type AclCategory = (typeof ACL_CATEGORIES)[number];

/** Runs a command. Reads argv, works on the keyspace, writes the reply to c.reply. */
export type Handler = (c: Client, argv: string[]) => void;

export interface CommandSpec {
  /** Lower case; for a subcommand, the subcommand name alone ("get" under "config"). */
  name: string;
  /** Redis arity: exact count when positive, minimum count when negative (the name counts). */
  arity: number;
  flags: readonly CommandFlag[];
  /** Family categories; the derived ones are added by the registry. */
  acl?: readonly AclCategory[];
  /** First key, last key (negative counts from the end), step; absent for keyless commands. */
  keys?: readonly [number, number, number];
  run?: Handler;
  subcommands?: readonly CommandSpec[];
  /**
   * Flags that depend on the arguments (Redis's getCommandFlags): a script's declared flags make
   * EVAL/FCALL a write and denyoom, or neither; null keeps the spec's.
   */
  declaredFlags?: (c: Client, argv: string[]) => DeclaredFlags | null;
}

export interface DeclaredFlags {
  write: boolean;
  denyoom: boolean;
}

/** Derives the categories Redis 7.0 adds from flags (setImplicitACLCategories). */
export function implicitAclCategories(spec: CommandSpec): AclCategory[] {
  const out: AclCategory[] = [];
  const f = spec.flags;
  if (f.includes('write')) out.push('write');
  if (f.includes('readonly') && !(spec.acl ?? []).includes('scripting')) out.push('read');
  if (f.includes('admin')) out.push('admin', 'dangerous');
  if (f.includes('pubsub')) out.push('pubsub');
  if (f.includes('fast')) out.push('fast');
  if (f.includes('blocking')) out.push('blocking');
  if (!f.includes('fast')) out.push('slow');
  return out;
}
