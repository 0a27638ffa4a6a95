/*
 * Eviction under `maxmemory`, as Redis 7.0's evict.c.
 *
 * perform() runs before every command while maxmemory is set (dispatch.ts); when used memory is
 * over the limit it frees keys until it is not, in two separate steps so that a cold tier can
 * change what "free" means without touching the choice:
 *
 *   pickVictim()       which key goes, by maxmemory-policy: the random policies draw one key; the
 *                      LRU, LFU and TTL policies keep a pool of the best 16 candidates found so far
 *                      (evictionPoolPopulate) and refill it with maxmemory-samples keys per db.
 *   dispose(db, key)   what happens to it: deleted, as an "evicted" event, propagated as DEL (or
 *                      UNLINK under lazyfree-lazy-eviction), each one its own unit.
 *
 * With the cold tier on (tier.ts) victims are demoted instead: written to LMDB with their TTL and
 * access stamp, with no event, no propagation and no evicted_keys (the data is still there). Demotions
 * go in batches (one LMDB transaction each) and free a little more than needed (TIER_HEADROOM), so
 * that a stream of writes does not pay one disk transaction per key. A demotion the tier refuses
 * (disk bound, LMDB error) keeps the keys in memory and eviction fails: denyoom commands get the
 * OOM error rather than anything being lost. While loading a dataset, loaders call relieve() so that
 * a log or RDB larger than maxmemory spills as it loads.
 *
 * Scores, higher = evicted first: idle milliseconds (LRU), 255 - frequency (LFU), and for
 * volatile-ttl MAX_SAFE_INTEGER - expiry time (the sooner it expires, the better).
 *
 * Sampling: a JS Map has no random access, so each db keeps a walk over its dict and one over its
 * expires, wrapping around; each sampled key comes after a random gap (KeyWalk.sample). Over time
 * every key is seen equally often, as with Redis's dictGetSomeKeys from random buckets.
 *
 * maxmemory-eviction-tenacity bounds the time one call spends; beyond it eviction goes on in the
 * background (evictionTimeProc) and the command is not refused.
 */

import type { Db, Keyspace } from './db.js';
import { idleTimeMs, lfuCounter } from './access.js';
import { NOTIFY_EVICTED } from './notify.js';

export type EvictionPolicy =
  | 'noeviction'
  | 'allkeys-lru'
  | 'allkeys-lfu'
  | 'allkeys-random'
  | 'volatile-lru'
  | 'volatile-lfu'
  | 'volatile-random'
  | 'volatile-ttl';

export const EVICT_OK = 0;
export const EVICT_RUNNING = 1;
export const EVICT_FAIL = 2;

export const ERR_OOM = "OOM command not allowed when used memory > 'maxmemory'.";

const POOL_SIZE = 16;
/** Demotions per LMDB transaction at most. */
const DEMOTE_BATCH = 1024;
/** With the cold tier, eviction frees this fraction of maxmemory beyond the excess (at most 4 MB). */
const TIER_HEADROOM = 1 / 64;
/** The mean gap between sampled keys is at most this (bounds the cost of a sample). */
const MAX_STRIDE = 32;

/** A walk over one Map's keys, resumed across samples (see the file comment). */
class KeyWalk {
  private map: Map<string, unknown> | null = null;
  private keys: Iterator<string> | null = null;

  /**
   * Appends `count` keys of a non-empty `map` to `out` (all of them when it has no more), each
   * after skipping a random 0..2×stride keys: a sample spreads over the map instead of taking
   * neighbours in insertion order, which often correlates with age or TTL.
   */
  sample(map: Map<string, unknown>, count: number, out: string[]): void {
    if (map.size <= count) {
      for (const key of map.keys()) out.push(key);
      return;
    }
    if (this.map !== map) {
      this.map = map;
      this.keys = map.keys();
    }
    const stride = Math.min(MAX_STRIDE, Math.floor(map.size / count));
    let skip = Math.floor(Math.random() * (2 * stride + 1));
    while (count > 0) {
      const step = this.keys!.next();
      if (step.done) {
        this.keys = map.keys();
        continue;
      }
      if (skip > 0) skip--;
      else {
        out.push(step.value);
        count--;
        skip = Math.floor(Math.random() * (2 * stride + 1));
      }
    }
  }
}

export class Eviction {
  maxmemory = 0;
  policy: EvictionPolicy = 'noeviction';
  samples = 5;
  tenacity = 10;
  /** lazyfree-lazy-eviction: evictions propagate as UNLINK. */
  lazy = false;
  /** INFO stats evicted_keys. */
  evictedKeys = 0;
  /** Eviction went on past the time limit and continues in the background. */
  private backgroundRunning = false;

  private readonly poolKeys: Array<string | null> = new Array<string | null>(POOL_SIZE).fill(null);
  private readonly poolScores = new Float64Array(POOL_SIZE);
  private readonly poolDbs = new Int32Array(POOL_SIZE);
  private readonly dictWalks: KeyWalk[] = [];
  private readonly expiresWalks: KeyWalk[] = [];
  private readonly sampled: string[] = [];
  /** The random policies' rotation over databases. */
  private nextDb = 0;

  /**
   * `overhead` is the memory besides the dataset that counts against maxmemory (the server's
   * startup memory).
   */
  constructor(
    private readonly ks: Keyspace,
    private readonly overhead: () => number,
  ) {
    for (let i = 0; i < ks.dbs.length; i++) {
      this.dictWalks.push(new KeyWalk());
      this.expiresWalks.push(new KeyWalk());
    }
  }

  /** The memory compared with maxmemory. */
  usedMemory(): number {
    return this.overhead() + this.ks.datasetBytes();
  }

  /**
   * performEvictions: frees keys while used memory is over maxmemory. EVICT_OK when under the
   * limit (or nothing was needed), EVICT_RUNNING when the time limit passed and eviction goes on
   * in the background, EVICT_FAIL when over the limit with nothing (more) to evict.
   */
  perform(): number {
    const ks = this.ks;
    const tiered = this.tiered;
    if (ks.loading && !tiered) return EVICT_OK;
    const used = this.usedMemory();
    if (used <= this.maxmemory) return EVICT_OK;
    if (this.policy === 'noeviction') return EVICT_FAIL;
    if (!ks.loading) ks.now = Date.now();
    const toFree = used - this.maxmemory + (tiered ? Math.min(this.maxmemory * TIER_HEADROOM, 4 << 20) : 0);
    const limitMs = timeLimitUs(this.tenacity) / 1000;
    const start = performance.now();
    let freed = 0;
    let keysFreed = 0;
    while (freed < toFree) {
      const before = ks.datasetBytes();
      const n = tiered ? this.demoteSome(toFree - freed) : this.evictOne();
      if (n === 0) return EVICT_FAIL;
      freed += before - ks.datasetBytes();
      keysFreed += n;
      if (keysFreed >= 16 && performance.now() - start > limitMs && !ks.loading) {
        this.continueInBackground();
        return EVICT_RUNNING;
      }
    }
    return this.backgroundRunning ? EVICT_RUNNING : EVICT_OK;
  }

  /** Eviction demotes to the cold tier rather than deleting. */
  private get tiered(): boolean {
    return this.ks.cold !== null && this.ks.cold.enabled && this.policy !== 'noeviction';
  }

  /** While loading a dataset: spill to the cold tier when over maxmemory (no-op otherwise). */
  relieve(): void {
    if (this.maxmemory !== 0 && this.tiered) this.perform();
  }

  /** Deletes one victim; the number of keys freed (0: nothing qualifies). */
  private evictOne(): number {
    const victim = this.pickVictim();
    if (victim === null) return 0;
    this.dispose(this.ks.dbs[victim.db], victim.key);
    return 1;
  }

  /**
   * Demotes victims worth about `bytes`, in one transaction per db; the number of keys demoted (0:
   * nothing qualifies, or the tier refused them).
   */
  private demoteSome(bytes: number): number {
    const ks = this.ks;
    const byDb = new Map<number, Set<string>>();
    let picked = 0;
    let total = 0;
    while (total < bytes && picked < DEMOTE_BATCH) {
      const victim = this.pickVictim();
      if (victim === null) break;
      const keys = byDb.get(victim.db) ?? new Set<string>();
      // The victims stay in memory until the batch is written, so the pool can offer one again.
      if (keys.has(victim.key)) break;
      keys.add(victim.key);
      byDb.set(victim.db, keys);
      picked++;
      total += ks.entryBytes(ks.dbs[victim.db], victim.key);
    }
    let demoted = 0;
    for (const [id, keys] of byDb) if (ks.demote(ks.dbs[id], [...keys])) demoted += keys.size;
    return demoted;
  }

  /** evictionTimeProc: keeps evicting from the event loop until under the limit or stuck. */
  private continueInBackground(): void {
    if (this.backgroundRunning) return;
    this.backgroundRunning = true;
    // perform() schedules the next step itself when it runs out of time again.
    setImmediate(() => {
      this.backgroundRunning = false;
      if (this.maxmemory !== 0) this.perform();
    });
  }

  /** The next key to free under the policy, or null when no key qualifies. */
  pickVictim(): { db: number; key: string } | null {
    const policy = this.policy;
    const dbs = this.ks.dbs;
    const allKeys = policy.startsWith('allkeys');
    if (policy === 'allkeys-random' || policy === 'volatile-random') {
      for (let i = 0; i < dbs.length; i++) {
        const id = ++this.nextDb % dbs.length;
        const map: Map<string, unknown> = allKeys ? dbs[id].dict : dbs[id].expires;
        if (map.size === 0) continue;
        const out = this.sampled;
        out.length = 0;
        (allKeys ? this.dictWalks : this.expiresWalks)[id].sample(map, 1, out);
        return { db: id, key: out[0] };
      }
      return null;
    }
    const keys = this.poolKeys;
    for (;;) {
      let total = 0;
      for (const db of dbs) {
        const map: Map<string, unknown> = allKeys ? db.dict : db.expires;
        if (map.size === 0) continue;
        this.populate(db, map, allKeys);
        total += map.size;
      }
      if (total === 0) return null;
      // Best last: take it, dropping candidates whose key went away since they were pooled.
      for (let k = POOL_SIZE - 1; k >= 0; k--) {
        const key = keys[k];
        if (key === null) continue;
        keys[k] = null;
        const db = dbs[this.poolDbs[k]];
        if ((allKeys ? db.dict : db.expires).has(key)) return { db: db.id, key };
      }
    }
  }

  /** evictionPoolPopulate: samples keys of `db` and keeps the best in the pool, sorted ascending. */
  private populate(db: Db, map: Map<string, unknown>, allKeys: boolean): void {
    const out = this.sampled;
    out.length = 0;
    (allKeys ? this.dictWalks : this.expiresWalks)[db.id].sample(map, this.samples, out);
    const keys = this.poolKeys;
    const scores = this.poolScores;
    const ids = this.poolDbs;
    for (const key of out) {
      const score = this.score(db, key);
      let k = 0;
      while (k < POOL_SIZE && keys[k] !== null && scores[k] < score) k++;
      if (k === 0 && keys[POOL_SIZE - 1] !== null) continue; // worse than everything in a full pool
      if (k < POOL_SIZE && keys[k] === null) {
        // an empty slot: insert there
      } else if (keys[POOL_SIZE - 1] === null) {
        // room on the right: shift k.. right
        keys.copyWithin(k + 1, k, POOL_SIZE - 1);
        scores.copyWithin(k + 1, k, POOL_SIZE - 1);
        ids.copyWithin(k + 1, k, POOL_SIZE - 1);
      } else {
        // full: drop the worst (leftmost), shift ..k-1 left
        k--;
        keys.copyWithin(0, 1, k + 1);
        scores.copyWithin(0, 1, k + 1);
        ids.copyWithin(0, 1, k + 1);
      }
      keys[k] = key;
      scores[k] = score;
      ids[k] = db.id;
    }
  }

  private score(db: Db, key: string): number {
    const ks = this.ks;
    switch (this.policy) {
      case 'volatile-ttl':
        return Number.MAX_SAFE_INTEGER - db.expires.get(key)!;
      case 'allkeys-lfu':
      case 'volatile-lfu':
        return 255 - lfuCounter(ks.accessStamp(db, key), ks.now, ks.lfuParams.decayTime);
      default:
        return idleTimeMs(ks.accessStamp(db, key), ks.now);
    }
  }

  /** Frees a victim: today deletes it, with Redis's effects (the cold tier will demote instead). */
  dispose(db: Db, key: string): void {
    const ks = this.ks;
    const effects = ks.effects;
    effects.beginUnit();
    effects.propagate(db.id, [this.lazy ? 'UNLINK' : 'DEL', key]);
    ks.delete(db, key);
    this.evictedKeys++;
    effects.touchWatchedKey(db, key);
    effects.notify(NOTIFY_EVICTED, 'evicted', key, db.id);
    effects.endUnit();
  }
}

/** evictionTimeLimitUs: 0..500 µs linearly up to tenacity 10, then +15% a step, unlimited at 100. */
function timeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return 500 * 1.15 ** (tenacity - 10);
  return Infinity;
}
