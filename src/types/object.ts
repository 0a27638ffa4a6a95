/*
 * The values a key can hold.
 *
 * A string value is stored bare to keep small keys small: a latin1 JS string (one char per byte), or
 * a JS number when the bytes are a canonical integer within ±2^53 (Redis's "int" encoding; small
 * integers then cost nothing beyond the dictionary slot). Every other type is an object that names
 * its type and reports its Redis encoding; the collection families add their classes here.
 */

export type ObjectType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

export interface CollectionObject {
  readonly type: Exclude<ObjectType, 'string'>;
  /** Redis's OBJECT ENCODING name for the current representation (listpack, hashtable, ...). */
  encoding(): string;
  /** A deep copy (COPY, and snapshots' copy-before-write). */
  clone(): CollectionObject;
  /** Estimated heap bytes (types/heapsize.ts), kept current on every mutation: O(1). */
  memoryBytes(): number;
  /**
   * What the keyspace last counted for this value in used_memory (its bookkeeping, see
   * Keyspace.settleMemory); 0 while the value is not stored under a key.
   */
  accountedBytes: number;
}

export type Value = string | number | CollectionObject;

export function typeOfValue(v: Value): ObjectType {
  return typeof v === 'object' ? v.type : 'string';
}

/** The bytes of a string value. */
export function stringOf(v: string | number): string {
  return typeof v === 'number' ? String(v) : v;
}

/** Largest integer kept in number form; beyond it the canonical text is stored as a string. */
const MAX_INT_FORM = Number.MAX_SAFE_INTEGER;

/**
 * The stored form of string bytes: a number when they are a canonical integer in the exact range
 * (Redis's tryObjectEncoding turns such values into the "int" encoding too).
 */
export function storedString(s: string): string | number {
  const n = s.length;
  if (n === 0 || n > 16) return s;
  const c0 = s.charCodeAt(0);
  if (!((c0 >= 48 && c0 <= 57) || c0 === 45)) return s;
  let i = c0 === 45 ? 1 : 0;
  if (i === n) return s;
  if (s.charCodeAt(i) === 48) return n === 1 ? 0 : s;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return s;
    v = v * 10 + d;
  }
  if (v > MAX_INT_FORM) return s;
  return c0 === 45 ? -v : v;
}

/** OBJECT ENCODING of a string value, as Redis 7.0 reports it. */
export function stringEncoding(v: string | number): string {
  if (typeof v === 'number') return 'int';
  // An int64 too large for the number form is still "int" in Redis. Shorter integer text stored as
  // a string did not come through tryObjectEncoding (INCRBYFLOAT's result): Redis keeps it embstr.
  if (v.length >= 16 && v.length <= 20 && /^-?[1-9][0-9]*$/.test(v)) {
    const b = BigInt(v);
    if (b >= -9223372036854775808n && b <= 9223372036854775807n) return 'int';
  }
  return v.length <= 44 ? 'embstr' : 'raw';
}
