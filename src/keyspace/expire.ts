/*
 * Active expiry, as Redis's activeExpireCycle: each cron tick walks the keys that have a TTL,
 * 20 at a time per database, deleting the expired ones; a database is revisited while more than
 * 10% of a sample was stale, within a time budget (25% of a tick). Each database keeps its walk
 * position between ticks, like Redis's expires_cursor, so the whole set is visited over time.
 * Each database's turn first expires due hash fields (keyspace/field-expire.ts), then its cold
 * keys whose TTL passed, taken in expiry order from the cold tier's index (tier.ts): exact, and a
 * cold key is never read for it.
 */

import type { Db, Keyspace } from './db.js';
import { activeExpireFields } from './field-expire.js';

const KEYS_PER_LOOP = 20;
/** Hash fields (Redis 7.4 field TTLs) expired per database per cycle, at most. */
const FIELDS_PER_CYCLE = 1000;
/** Cold keys expired per database per cycle, at most. */
const COLD_KEYS_PER_CYCLE = 1000;
const ACCEPTABLE_STALE = 10;

export class ActiveExpire {
  enabled = true;
  private readonly walkers: Array<Iterator<[string, number]> | null> = [];
  /** The map each walker iterates: SWAPDB replaces a db's map, which restarts its walk. */
  private readonly walked: Array<Map<string, number> | null> = [];
  private nextDb = 0;

  constructor(private readonly ks: Keyspace) {}

  /** Runs one slow cycle within `budgetMs`. */
  cycle(budgetMs: number): void {
    const ks = this.ks;
    if (!this.enabled || ks.loading) return;
    const deadline = performance.now() + budgetMs;
    const dbs = ks.dbs;
    for (let n = 0; n < dbs.length; n++) {
      const dbIndex = this.nextDb;
      this.nextDb = (this.nextDb + 1) % dbs.length;
      const db = dbs[dbIndex];
      ks.now = Date.now();
      activeExpireFields(ks, db, FIELDS_PER_CYCLE, deadline);
      if (db.coldVolatile !== 0) expireColdKeys(ks, db, deadline);
      if (db.expires.size === 0) {
        this.walkers[dbIndex] = null;
        continue;
      }
      let ttlSum = 0;
      let ttlSamples = 0;
      for (;;) {
        ks.now = Date.now();
        let sampled = 0;
        let expired = 0;
        let walker = this.walked[dbIndex] === db.expires ? this.walkers[dbIndex] ?? db.expires.entries() : db.expires.entries();
        this.walked[dbIndex] = db.expires;
        while (sampled < KEYS_PER_LOOP) {
          let step = walker.next();
          if (step.done) {
            walker = db.expires.entries();
            step = walker.next();
            if (step.done) break;
          }
          const [key, when] = step.value;
          sampled++;
          if (ks.now > when) {
            ks.effects.beginUnit();
            ks.deleteExpired(db, key);
            ks.effects.endUnit();
            expired++;
          } else {
            ttlSum += when - ks.now;
            ttlSamples++;
          }
          if (sampled >= db.expires.size + expired) break;
        }
        this.walkers[dbIndex] = walker;
        if (ttlSamples > 0) {
          const avg = ttlSum / ttlSamples;
          db.avgTtl = db.avgTtl === 0 ? avg : Math.round(db.avgTtl / 50 * 49 + avg / 50);
        }
        if (performance.now() > deadline) {
          ks.stats.expiredTimeCapReached++;
          return;
        }
        if (sampled === 0 || (expired * 100) / sampled <= ACCEPTABLE_STALE) break;
      }
    }
  }
}

/** Deletes the cold keys of `db` whose TTL has passed, up to COLD_KEYS_PER_CYCLE or until `deadline`. */
function expireColdKeys(ks: Keyspace, db: Db, deadline: number): void {
  for (let n = 0; n < COLD_KEYS_PER_CYCLE; n++) {
    const key = ks.cold!.nextExpired(db, ks.now);
    if (key === undefined) return;
    ks.effects.beginUnit();
    ks.deleteExpiredCold(db, key);
    ks.effects.endUnit();
    if (performance.now() > deadline) return;
  }
}
