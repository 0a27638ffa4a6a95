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
 * MEMORY USAGE prices strings as Redis would (comparable with redis-server), collections by the
 * estimate the keyspace counts.
 */

import { stringEncoding, type Value } from '../types/object.js';
import { keyBytes, type Db } from '../keyspace/db.js';
import { MAP_ENTRY_BYTES } from '../types/heapsize.js';

const ROBJ = 16;
const DICT_ENTRY = 24;

/** jemalloc's size class for an allocation of n bytes (quantum 16, four classes per doubling). */
export function jemallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  const group = 2 ** Math.floor(Math.log2(n - 1));
  const step = group / 4;
  return Math.ceil(n / step) * step;
}

/** Header size of an sds string of `len` bytes (sdsReqType; type 5 only where Redis uses it). */
function sdsHeader(len: number, allowType5: boolean): number {
  if (len < 32 && allowType5) return 1;
  if (len < 256) return 3;
  if (len < 65536) return 5;
  if (len < 2 ** 32) return 9;
  return 17;
}

export function sdsSize(len: number, allowType5 = true): number {
  return jemallocSize(sdsHeader(len, allowType5) + len + 1);
}

/**
 * MEMORY USAGE. A string key is priced as Redis 7.0 (jemalloc, 64-bit) would store it, so that
 * figures equal redis-server's: dictEntry + key sds + robj (int), or robj + sds (embstr up to 44
 * bytes, else raw). A collection is priced as the keyspace counts it: its heap estimate.
 */
export function keyUsage(key: string, v: Value): number {
  if (typeof v === 'object') return keyBytes(key) + v.memoryBytes();
  const head = sdsSize(key.length) + DICT_ENTRY;
  const enc = stringEncoding(v);
  if (enc === 'int') return head + ROBJ;
  const len = (v as string).length;
  if (enc === 'embstr') return head + jemallocSize(ROBJ + 3 + len + 1);
  return head + ROBJ + sdsSize(len, false);
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
