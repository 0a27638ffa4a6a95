/*
 * Which arguments of a command are keys (db.c getKeysFromCommandWithSpecs), for COMMAND GETKEYS /
 * GETKEYSANDFLAGS and later ACL key patterns and cluster routing.
 *
 * Key specs first: each spec finds where to begin (an index, or the first/last occurrence of a
 * keyword) and then which arguments are keys (a range up to a last index, counted from the end
 * when negative, optionally a 1/limit share of the rest; or a count read from an argument). When
 * the specs cannot answer (an incomplete spec, flags that depend on the arguments, arguments that
 * do not fit), the command's own key-finding function decides, as Redis's getkeys_proc; their
 * quirks (atoi, key flags left empty) are Redis's.
 *
 * Positions index argv, where argv[0] is the command name.
 */

import type { CommandEntry } from './registry.js';
import { redisCommandData, type KeySpec } from './redis-data.js';

export interface KeyReference {
  pos: number;
  flags: readonly string[];
}

type KeyFinder = (argv: readonly string[]) => KeyReference[];

const RO_ACCESS = ['RO', 'access'];
const RW_ACCESS_UPDATE = ['RW', 'access', 'update'];
const OW_UPDATE = ['OW', 'update'];
const RW_ACCESS_DELETE = ['RW', 'access', 'delete'];
const NO_FLAGS: readonly string[] = [];

/** C's atoi. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number.parseInt(m[1], 10) | 0;
}

/** strict string2ll for a keynum argument. */
function parseKeyCount(s: string): number | null {
  if (!/^(0|-?[1-9][0-9]{0,18})$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** Redis's genericGetKeys: a count at keyCountOfs, keys from firstKeyOfs, and an optional store key last. */
function genericKeys(storeKeyOfs: number, keyCountOfs: number, firstKeyOfs: number, keyStep: number): KeyFinder {
  return (argv) => {
    const num = atoi(argv[keyCountOfs]);
    if (num < 1 || num > Math.trunc((argv.length - firstKeyOfs) / keyStep)) return [];
    const keys: KeyReference[] = [];
    for (let i = 0; i < num; i++) keys.push({ pos: firstKeyOfs + i * keyStep, flags: NO_FLAGS });
    if (storeKeyOfs) keys.push({ pos: storeKeyOfs, flags: NO_FLAGS });
    return keys;
  };
}

function sortKeys(argv: readonly string[]): KeyReference[] {
  const keys: KeyReference[] = [{ pos: 1, flags: RO_ACCESS }];
  let store: KeyReference | null = null;
  const skips: Record<string, number> = { limit: 2, get: 1, by: 1 };
  for (let i = 2; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    // The last STORE wins, as in SORT itself.
    if (opt in skips) i += skips[opt];
    else if (opt === 'store' && i + 1 < argv.length) store = { pos: i + 1, flags: OW_UPDATE };
  }
  if (store !== null) keys.push(store);
  return keys;
}

function migrateKeys(argv: readonly string[]): KeyReference[] {
  let first = 3;
  let num = 1;
  const skips: Record<string, number> = { copy: 0, replace: 0, auth: 1, auth2: 2 };
  if (argv.length > 6) {
    for (let i = 6; i < argv.length; i++) {
      const opt = argv[i].toLowerCase();
      if (opt === 'keys') {
        // With KEYS the key argument must be empty; otherwise MIGRATE reports the syntax error.
        if (argv[3].length > 0) {
          num = 0;
        } else {
          first = i + 1;
          num = argv.length - first;
        }
        break;
      }
      if (opt in skips) i += skips[opt];
    }
  }
  const keys: KeyReference[] = [];
  for (let i = 0; i < num; i++) keys.push({ pos: first + i, flags: RW_ACCESS_DELETE });
  return keys;
}

function setKeys(argv: readonly string[]): KeyReference[] {
  for (let i = 3; i < argv.length; i++) {
    if (argv[i].toLowerCase() === 'get') return [{ pos: 1, flags: RW_ACCESS_UPDATE }];
  }
  return [{ pos: 1, flags: OW_UPDATE }];
}

function bitfieldKeys(argv: readonly string[]): KeyReference[] {
  let readonly = true;
  for (let i = 2; i < argv.length; i++) {
    const remaining = argv.length - i - 1;
    const op = argv[i].toLowerCase();
    if (op === 'get' && remaining >= 2) {
      i += 2;
    } else if ((op === 'set' || op === 'incrby') && remaining >= 3) {
      readonly = false;
      break;
    } else if (op === 'overflow' && remaining >= 1) {
      i += 1;
    } else {
      // A syntax error: safer to assume a write.
      readonly = false;
      break;
    }
  }
  return [{ pos: 1, flags: readonly ? RO_ACCESS : RW_ACCESS_UPDATE }];
}

function georadiusKeys(argv: readonly string[]): KeyReference[] {
  let stored = -1;
  for (let i = 5; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if ((opt === 'store' || opt === 'storedist') && i + 1 < argv.length) {
      stored = i + 1;
      i++;
    }
  }
  const keys: KeyReference[] = [{ pos: 1, flags: NO_FLAGS }];
  if (stored >= 0) keys.push({ pos: stored, flags: NO_FLAGS });
  return keys;
}

function xreadKeys(argv: readonly string[]): KeyReference[] {
  let streamsPos = -1;
  for (let i = 1; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if (opt === 'block' || opt === 'count') i++;
    else if (opt === 'group') i += 2;
    else if (opt === 'noack') continue;
    else {
      if (opt === 'streams') streamsPos = i;
      break;
    }
  }
  const num = streamsPos < 0 ? 0 : argv.length - streamsPos - 1;
  if (num === 0 || num % 2 !== 0) return [];
  const keys: KeyReference[] = [];
  for (let i = streamsPos + 1; i < argv.length - num / 2; i++) keys.push({ pos: i, flags: NO_FLAGS });
  return keys;
}

/** The commands that have a key-finding function in Redis 7.0 (get_keys_function in their JSON). */
const KEY_FINDERS = new Map<string, KeyFinder>([
  ['sort', sortKeys],
  ['sort_ro', () => [{ pos: 1, flags: RO_ACCESS }]],
  ['migrate', migrateKeys],
  ['set', setKeys],
  ['bitfield', bitfieldKeys],
  ['georadius', georadiusKeys],
  ['georadiusbymember', georadiusKeys],
  ['xread', xreadKeys],
  ['xreadgroup', xreadKeys],
]);
for (const name of ['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro', 'blmpop', 'bzmpop']) KEY_FINDERS.set(name, genericKeys(0, 2, 3, 1));
for (const name of ['zunion', 'zinter', 'zdiff', 'zintercard', 'sintercard', 'lmpop', 'zmpop']) KEY_FINDERS.set(name, genericKeys(0, 1, 2, 1));
for (const name of ['zunionstore', 'zinterstore', 'zdiffstore']) KEY_FINDERS.set(name, genericKeys(1, 2, 3, 1));

/** doesCommandHaveKeys: a key-finding function, or a key spec that is not marked not_key. */
export function commandHasKeys(cmd: CommandEntry): boolean {
  return KEY_FINDERS.has(cmd.fullname) || redisCommandData(cmd.fullname).key_specs.some((s) => !s.flags.includes('not_key'));
}

/** The keys of a full command line (argv[0] is the command); empty when there are none or the arguments do not parse. */
export function getKeys(cmd: CommandEntry, argv: readonly string[]): KeyReference[] {
  const specs = redisCommandData(cmd.fullname).key_specs;
  const hasKeySpec = specs.some((s) => !s.flags.includes('not_key'));
  const hasVariableFlags = specs.some((s) => s.flags.includes('variable_flags'));
  if (hasKeySpec && !hasVariableFlags) {
    const keys = keysFromSpecs(cmd, specs, argv);
    if (keys !== null) return keys;
  }
  return KEY_FINDERS.get(cmd.fullname)?.(argv) ?? [];
}

/** getKeysUsingKeySpecs: null when a spec is incomplete or does not fit the arguments. */
function keysFromSpecs(cmd: CommandEntry, specs: readonly KeySpec[], argv: readonly string[]): KeyReference[] | null {
  const argc = argv.length;
  const keys: KeyReference[] = [];
  for (const spec of specs) {
    if (spec.flags.includes('not_key')) continue;
    let first = 0;
    const bs = spec.begin_search;
    if (bs.type === 'index') {
      first = bs.spec.index!;
    } else if (bs.type === 'keyword') {
      const startfrom = bs.spec.startfrom!;
      const keyword = bs.spec.keyword!.toLowerCase();
      const start = startfrom > 0 ? startfrom : argc + startfrom;
      const end = startfrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i].toLowerCase() === keyword) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    } else {
      return null;
    }

    let last: number;
    let step: number;
    const fk = spec.find_keys;
    if (fk.type === 'range') {
      step = fk.spec.keystep!;
      const lastkey = fk.spec.lastkey!;
      const limit = fk.spec.limit!;
      if (lastkey >= 0) last = first + lastkey;
      else if (limit === 0) last = argc + lastkey;
      else last = first + (Math.trunc((argc - first) / limit) + lastkey);
    } else if (fk.type === 'keynum') {
      step = fk.spec.keystep!;
      const keynumidx = fk.spec.keynumidx!;
      if (keynumidx >= argc) return null;
      const count = first + keynumidx < argc ? parseKeyCount(argv[first + keynumidx]) : null;
      if (count === null || count < 0) return null;
      first += fk.spec.firstkey!;
      last = first + count - 1;
    } else {
      return null;
    }

    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) {
      // Commands with a variable arity may be short of a full step; they report that themselves.
      if (i >= argc || i < first) {
        if (cmd.arity < 0) continue;
        return null;
      }
      keys.push({ pos: i, flags: spec.flags });
    }
    if (spec.flags.includes('incomplete')) return null;
  }
  return keys;
}
