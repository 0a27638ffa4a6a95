/*
 * Keyspace event classes (notify-keyspace-events), as Redis's notify.c.
 * The flags string and the bit set convert both ways; CONFIG GET shows the canonical form.
 */

export const NOTIFY_KEYSPACE = 1 << 0; // K
export const NOTIFY_KEYEVENT = 1 << 1; // E
export const NOTIFY_GENERIC = 1 << 2; // g
export const NOTIFY_STRING = 1 << 3; // $
export const NOTIFY_LIST = 1 << 4; // l
export const NOTIFY_SET = 1 << 5; // s
export const NOTIFY_HASH = 1 << 6; // h
export const NOTIFY_ZSET = 1 << 7; // z
export const NOTIFY_EXPIRED = 1 << 8; // x
export const NOTIFY_EVICTED = 1 << 9; // e
export const NOTIFY_STREAM = 1 << 10; // t
export const NOTIFY_KEY_MISS = 1 << 11; // m (excluded from A)
export const NOTIFY_LOADED = 1 << 12; // module only
export const NOTIFY_MODULE = 1 << 13; // d
export const NOTIFY_NEW = 1 << 14; // n (excluded from A)
export const NOTIFY_ALL =
  NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE;

const LETTERS: Array<[string, number]> = [
  ['g', NOTIFY_GENERIC],
  ['$', NOTIFY_STRING],
  ['l', NOTIFY_LIST],
  ['s', NOTIFY_SET],
  ['h', NOTIFY_HASH],
  ['z', NOTIFY_ZSET],
  ['x', NOTIFY_EXPIRED],
  ['e', NOTIFY_EVICTED],
  ['K', NOTIFY_KEYSPACE],
  ['E', NOTIFY_KEYEVENT],
  ['t', NOTIFY_STREAM],
  ['m', NOTIFY_KEY_MISS],
  ['d', NOTIFY_MODULE],
  ['n', NOTIFY_NEW],
];

/** keyspaceEventsStringToFlags: -1 when a character is not a known class. */
export function parseNotifyFlags(s: string): number {
  let flags = 0;
  for (const ch of s) {
    if (ch === 'A') {
      flags |= NOTIFY_ALL;
      continue;
    }
    const hit = LETTERS.find(([l]) => l === ch);
    if (!hit) return -1;
    flags |= hit[1];
  }
  return flags;
}

/** keyspaceEventsFlagsToString: 'A' when all of A's classes are set, else the classes; then K, E, m. */
export function formatNotifyFlags(flags: number): string {
  let out = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) {
    out += 'A';
  } else {
    // 'n' is listed with the classes, so "A" hides it (as Redis's keyspaceEventsFlagsToString).
    for (const [l, f] of LETTERS) {
      if (l === 'K' || l === 'E' || l === 'm') continue;
      if (flags & f) out += l;
    }
  }
  if (flags & NOTIFY_KEYSPACE) out += 'K';
  if (flags & NOTIFY_KEYEVENT) out += 'E';
  if (flags & NOTIFY_KEY_MISS) out += 'm';
  return out;
}
