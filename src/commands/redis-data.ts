/*
 * What Redis 7.0.15 publishes about each of its commands and strata serves unchanged: the COMMAND
 * DOCS fields (summary, since, group, complexity, history, arguments, ...), the tips and the key
 * specifications of COMMAND INFO. Generated once from redis-server by tools/dump-redis-commands.mjs
 * into redis-commands.json, keyed by full name ("get", "config|get"). Arity, flags, first/last/step
 * and ACL categories are not here: each family's spec rows declare those.
 */

import data from './redis-commands.json' with { type: 'json' };

export interface KeySpec {
  notes?: string;
  /** In Redis's order: RO RW OW RM access update insert delete not_key incomplete variable_flags. */
  flags: string[];
  begin_search: { type: string; spec: { index?: number; keyword?: string; startfrom?: number } };
  find_keys: { type: string; spec: { lastkey?: number; keystep?: number; limit?: number; keynumidx?: number; firstkey?: number } };
}

export interface ArgumentDoc {
  name: string;
  type: string;
  key_spec_index?: number;
  token?: string;
  summary?: string;
  since?: string;
  deprecated_since?: string;
  flags?: string[];
  arguments?: ArgumentDoc[];
}

export interface CommandData {
  summary?: string;
  since?: string;
  group: string;
  complexity?: string;
  doc_flags?: string[];
  deprecated_since?: string;
  replaced_by?: string;
  history?: Array<[string, string]>;
  arguments?: ArgumentDoc[];
  tips: string[];
  key_specs: KeySpec[];
  /** Redis derives the movablekeys flag from the key specs and key-finding functions. */
  movablekeys?: boolean;
}

const COMMANDS = (data as unknown as { commands: Record<string, CommandData> }).commands;

const NO_DATA: CommandData = { group: 'generic', tips: [], key_specs: [] };

/** Redis's data for a command by full name; a bare entry for a name Redis does not have. */
export function redisCommandData(fullname: string): CommandData {
  return Object.hasOwn(COMMANDS, fullname) ? COMMANDS[fullname] : NO_DATA;
}
