/*
 * Hash field expiry (Redis 7.4's HFE): removing fields whose TTL has passed, lazily and actively,
 * with the effects Redis gives it: each field is propagated as HDEL key field, the key gets a
 * "hexpired" event, and when its last field goes the key is deleted ("del" event; replicas and the
 * log delete it through the HDELs).
 *
 * Lazy: every hash command looks its hash up through `expireDueFields` first, which removes all the
 * fields that are due, so expired fields are invisible to every hash command. (7.4 removes a field
 * when it is touched and skips due fields when iterating; removing them all at the first touch
 * gives the same replies and keeps HLEN exact.)
 *
 * Active: a per-database queue of (time, key) ordered by the earliest field expiry of each hash
 * that has field TTLs; the cron pops the due ones (Redis keeps db->hexpires, an ebuckets structure,
 * for the same purpose). Each hash has one valid registration (key, dict, time), kept beside it in
 * a WeakMap; queue entries that no longer match (TTL moved, key renamed, overwritten, deleted,
 * flushed) are dropped when popped. The queue is keyed by the db's dict map, so SWAPDB carries it.
 *
 * Keep in step: commands that move a hash to another key (RENAME, MOVE, COPY, RESTORE, SWAPDB's
 * callers need nothing) should call `trackFieldExpiry` for the new key; until they do, such a hash
 * is registered again at its next hash command, and its fields stay invisible meanwhile.
 * While loading (AOF replay) nothing expires: the log carries the HDELs that did happen.
 */

import type { Db, Keyspace } from './db.js';
import type { Value } from '../types/object.js';
import { HashObject } from '../types/hash.js';
import { TimeHeap } from '../types/timeheap.js';
import { NOTIFY_GENERIC, NOTIFY_HASH } from './notify.js';

/** Where a hash is queued: the queue entry (when, key) of the queue of `dict` is its valid one. */
interface Registration {
  key: string;
  dict: Map<string, Value>;
  when: number;
}

class ExpiryQueue extends TimeHeap {
  /** Size after the last compaction: the queue is rebuilt when it doubles past it. */
  compactedAt = 0;
}

const queues = new WeakMap<Map<string, Value>, ExpiryQueue>();

function queueOf(dict: Map<string, Value>): ExpiryQueue {
  let q = queues.get(dict);
  if (q === undefined) {
    q = new ExpiryQueue();
    queues.set(dict, q);
  }
  return q;
}

const registrations = new WeakMap<HashObject, Registration>();

/** The hash whose current registration is the queue entry (when, key), or null for a stale entry. */
function isCurrent(dict: Map<string, Value>, key: string, when: number): HashObject | null {
  const v = dict.get(key);
  if (!(v instanceof HashObject)) return null;
  const r = registrations.get(v);
  return r !== undefined && r.key === key && r.dict === dict && r.when === when ? v : null;
}

/**
 * Makes sure the hash at key is queued for its earliest field expiry. Cheap when nothing changed;
 * call after setting field TTLs and whenever a hash may have arrived under a new key.
 */
export function trackFieldExpiry(db: Db, key: string, hash: HashObject): void {
  const when = hash.minExpire();
  const r = registrations.get(hash);
  if (when === Infinity) {
    if (r !== undefined) registrations.delete(hash);
    return;
  }
  if (r !== undefined && r.key === key && r.dict === db.dict && r.when <= when) return;
  registrations.set(hash, { key, dict: db.dict, when });
  const q = queueOf(db.dict);
  q.push(when, key);
  if (q.size > 2 * q.compactedAt + 1024) compact(db.dict, q);
}

/** Drops entries that are no longer any hash's registration. */
function compact(dict: Map<string, Value>, q: ExpiryQueue): void {
  const times = q.times;
  const keys = q.names;
  q.clear();
  for (let i = 0; i < times.length; i++) if (isCurrent(dict, keys[i], times[i]) !== null) q.push(times[i], keys[i]);
  q.compactedAt = q.size;
}

/** Reused buffer for the names of the fields expired by one call. */
const expiredNames: string[] = [];

/**
 * Removes the hash's due fields (at most `max`), reporting them as Redis 7.4 does. Returns true
 * when the key was deleted because its last field expired.
 */
export function expireDueFields(ks: Keyspace, db: Db, key: string, hash: HashObject, max = Infinity): boolean {
  if (!hash.supportsTtls) return false;
  const r = registrations.get(hash);
  if (r === undefined || r.key !== key || r.dict !== db.dict) trackFieldExpiry(db, key, hash);
  if (ks.loading || hash.minExpire() >= ks.now) return false;
  expiredNames.length = 0;
  hash.expireFields(ks.now, max, expiredNames);
  const effects = ks.effects;
  for (const field of expiredNames) effects.propagate(db.id, ['HDEL', key, field]);
  expiredNames.length = 0;
  effects.notify(NOTIFY_HASH, 'hexpired', key, db.id);
  const deleted = hash.size === 0;
  if (deleted) {
    ks.delete(db, key);
    effects.notify(NOTIFY_GENERIC, 'del', key, db.id);
  }
  effects.touchWatchedKey(db, key);
  return deleted;
}

/**
 * The cron's share: expires due fields of the db's queued hashes, up to `maxFields` fields or
 * until `deadline` (performance.now() ms). Returns the number of fields expired.
 */
export function activeExpireFields(ks: Keyspace, db: Db, maxFields: number, deadline: number): number {
  const q = queues.get(db.dict);
  if (q === undefined || q.size === 0 || ks.loading) return 0;
  let expired = 0;
  while (q.size > 0 && q.times[0] < ks.now && expired < maxFields) {
    const when = q.times[0];
    const key = q.names[0];
    q.pop();
    const hash = isCurrent(db.dict, key, when);
    if (hash === null || ks.isExpired(db, key)) continue;
    const before = hash.size;
    ks.effects.beginUnit();
    const deleted = expireDueFields(ks, db, key, hash, maxFields - expired);
    ks.effects.endUnit();
    expired += before - hash.size;
    if (!deleted) {
      // This entry is spent: queue the hash again for its next expiry, if it has one.
      registrations.delete(hash);
      trackFieldExpiry(db, key, hash);
    }
    if (performance.now() > deadline) break;
  }
  return expired;
}
