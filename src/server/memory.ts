/*
 * Memory accounting for INFO memory, MEMORY STATS and MEMORY USAGE.
 *
 * used_memory is not the process heap: it is what counts against maxmemory, kept incrementally by
 * the keyspace from per-key estimates of the V8 heap (types/heapsize.ts, keyspace/db.ts), plus
 * the server's own memory at startup and the clients' buffers:
 *
 *   used_memory = startup (process heap once set up) + Σ per-key estimates + client buffers
 *
 * Client buffers are mem_not_counted_for_evict: summing them costs a walk over the clients, too
 * much before every command, so eviction compares startup + dataset with maxmemory. The process's
 * real figures (heap, RSS) are reported as the allocator_* fields and mem_fragmentation_ratio.
 * MEMORY USAGE is a key's share of used_memory, for every type.
 */

import type { Value } from '../types/object.js';
import { accountedBytes, keyBytes, type Db } from '../keyspace/db.js';
import { MAP_ENTRY_BYTES } from '../types/heapsize.js';

/** MEMORY USAGE: the key's entries, its name and its value's current estimate. */
export function keyUsage(key: string, v: Value): number {
  return keyBytes(key) + (typeof v === 'object' ? v.memoryBytes() : accountedBytes(v));
}

export interface DbOverhead {
  id: number;
  main: number;
  expires: number;
}

/** Per-db overhead of the non-empty databases (MEMORY STATS db.N): their Map entries. */
export function dbOverheads(dbs: readonly Db[]): DbOverhead[] {
  const out: DbOverhead[] = [];
  for (const db of dbs) {
    if (db.dict.size === 0) continue;
    out.push({ id: db.id, main: db.dict.size * 2 * MAP_ENTRY_BYTES, expires: db.expires.size * MAP_ENTRY_BYTES });
  }
  return out;
}

/** The process's memory as Redis would name it. */
export function processMemory(): { used: number; rss: number; heapTotal: number } {
  const m = process.memoryUsage();
  return { used: m.heapUsed + m.external, rss: m.rss, heapTotal: m.heapTotal + m.external };
}

/** bytesToHuman: 1023B, 1.00K, 1.50M, ... */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  for (let i = 0; i < units.length; i++) {
    const scale = 1024 ** (i + 2);
    if (n < scale) return `${(n / (scale / 1024)).toFixed(2)}${units[i]}`;
  }
  return `${n}B`;
}
