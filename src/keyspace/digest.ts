/*
 * Redis's dataset digest (debug.c computeDatasetDigest / xorObjectDigest), byte for byte, so DEBUG
 * DIGEST compares strata's and redis-server's datasets, and recovery and replicas can compare
 * theirs. A digest is 20 bytes; two ways to fold data in:
 *
 *   xor(d, data)   d ^= SHA1(data)             order-free: for unordered members (keys, set members)
 *   mix(d, data)   d = SHA1(d ^ SHA1(data))    order-dependent: for sequences (list elements, fields)
 *
 * Dataset: for each non-empty db in order, mix(final, db id as a big-endian uint32), then for each
 * key xor(final, keyDigest) (so final takes SHA1 of the key digest) where keyDigest starts at zero and takes mix(key), mix(type id as a
 * big-endian uint32), the value digest, and xor("!!expire!!") when the key has a TTL (the time is
 * left out on purpose, so that replicas agree). Keys that are logically expired but not yet
 * deleted count, as in Redis. An empty dataset digests to 40 zeros.
 *
 * Value digests: strings mix their bytes; every other type registers its own (registerValueDigest)
 * following xorObjectDigest: lists mix each element; sets xor each member; zsets and hashes xor, per
 * member, a fresh digest of mix(member) mix(score as %.17g | field value); streams mix each entry ID
 * ("ms.seq") and then each field and value.
 */

import { hash } from 'node:crypto';
import type { Db, Keyspace } from './db.js';
import type { CollectionObject, ObjectType, Value } from '../types/object.js';

export type Digest = Buffer;

/** Folds a collection value into the key's digest. */
export type ValueDigester = (digest: Digest, value: CollectionObject) => void;

/** Redis's OBJ_* type ids, the second thing mixed into every key digest. */
const TYPE_IDS: Record<ObjectType, number> = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 };

const valueDigesters = new Map<ObjectType, ValueDigester>();

/** Called once by each collection type's module. */
export function registerValueDigest(type: Exclude<ObjectType, 'string'>, digester: ValueDigester): void {
  valueDigesters.set(type, digester);
}

export function newDigest(): Digest {
  return Buffer.alloc(20);
}

/** One-shot hash(): a digest takes one SHA-1 per element, and a Hash object per call costs half again as much. */
function sha1(data: string | Uint8Array): Buffer {
  // hash() would read a string as UTF-8.
  return hash('sha1', typeof data === 'string' ? Buffer.from(data, 'latin1') : data, 'buffer');
}

/** digest ^= SHA1(data). `data` strings are latin1 bytes. */
export function xorDigest(digest: Digest, data: string | Uint8Array): void {
  const h = sha1(data);
  for (let i = 0; i < 20; i++) digest[i] ^= h[i];
}

/** digest = SHA1(digest ^ SHA1(data)). */
export function mixDigest(digest: Digest, data: string | Uint8Array): void {
  xorDigest(digest, data);
  sha1(digest).copy(digest);
}

function uint32BE(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n);
  return b;
}

/** xorObjectDigest: the type, the value and the expire marker of one key, folded into `digest`. */
function objectDigest(digest: Digest, value: Value, hasExpire: boolean): void {
  const type = typeof value === 'object' ? value.type : 'string';
  mixDigest(digest, uint32BE(TYPE_IDS[type]));
  if (typeof value === 'object') valueDigesters.get(value.type)?.(digest, value);
  else mixDigest(digest, typeof value === 'number' ? String(value) : value);
  if (hasExpire) xorDigest(digest, '!!expire!!');
}

/** The DEBUG DIGEST-VALUE digest of one key (a cold one is brought back): zeros when it does not exist. */
export function keyValueDigest(keyspace: Keyspace, db: Db, key: string): Digest {
  const digest = newDigest();
  const value = keyspace.storedValue(db, key);
  if (value !== undefined) objectDigest(digest, value, db.expires.has(key));
  return digest;
}

/** computeDatasetDigest. */
export function datasetDigest(keyspace: Keyspace): Digest {
  const final = newDigest();
  const keyDigest = newDigest();
  const fold = (key: string, value: Value, hasExpire: boolean): void => {
    keyDigest.fill(0);
    mixDigest(keyDigest, key);
    objectDigest(keyDigest, value, hasExpire);
    xorDigest(final, keyDigest);
  };
  for (const db of keyspace.dbs) {
    if (db.size === 0) continue;
    mixDigest(final, uint32BE(db.id));
    for (const [key, value] of db.dict) fold(key, value, db.expires.has(key));
    // Cold keys are read where they are, not brought back.
    if (db.coldKeys !== 0) for (const cold of keyspace.cold!.values(db)) fold(cold.key, cold.value, cold.expire >= 0);
  }
  return final;
}
