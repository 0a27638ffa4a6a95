/*
 * Memory accounting for INFO memory, MEMORY STATS and MEMORY USAGE.
 *
 * The process total comes from Node (V8 heap in use + memory held outside it by Buffers); there
 * is no allocator to ask about a single key, so MEMORY USAGE is an estimate that prices a key
 * the way Redis 7.0 (jemalloc, 64-bit) would store it, so that numbers are comparable with
 * redis-server:
 *
 *   usage = dictEntry (24) + key sds + value object
 *   key sds       jemalloc size class of header + bytes + NUL (sdshdr5 below 32 bytes, then 8/16/32/64)
 *   int string    robj (16)                                   stringEncoding "int"
 *   embstr        size class of robj + sdshdr8 + bytes + NUL  up to 44 bytes
 *   raw           robj + size class of the sds                longer strings
 *
 * Collections may provide `memoryUsage(samples)` (the MemoryUsageEstimate interface below) with
 * their own Redis-shaped estimate; without it a collection is priced as its robj alone.
 */

import { stringEncoding, type Value } from '../types/object.js';
import type { Db } from '../keyspace/db.js';

const ROBJ = 16;
const DICT_ENTRY = 24;
const POINTER = 8;

/** A collection's own estimate of what Redis would allocate for it (MEMORY USAGE SAMPLES n). */
export interface MemoryUsageEstimate {
  memoryUsage(samples: number): number;
}

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

/** objectComputeSize for a value. */
export function valueSize(v: Value, samples: number): number {
  if (typeof v === 'object') {
    const estimate = (v as Partial<MemoryUsageEstimate>).memoryUsage;
    return typeof estimate === 'function' ? estimate.call(v, samples) : ROBJ;
  }
  const enc = stringEncoding(v);
  if (enc === 'int') return ROBJ;
  const len = (v as string).length;
  if (enc === 'embstr') return jemallocSize(ROBJ + 3 + len + 1);
  return ROBJ + sdsSize(len, false);
}

/** MEMORY USAGE: value + key + its dict entry. */
export function keyUsage(key: string, v: Value, samples: number): number {
  return valueSize(v, samples) + sdsSize(key.length) + DICT_ENTRY;
}

/** Hash table overhead of one of a db's dicts: bucket array (power of two) + entries. */
export function dictOverhead(size: number): number {
  if (size === 0) return 0;
  const slots = 2 ** Math.ceil(Math.log2(Math.max(4, size)));
  return slots * POINTER + size * DICT_ENTRY;
}

export interface DbOverhead {
  id: number;
  main: number;
  expires: number;
}

/** Per-db overhead for the non-empty databases (MEMORY STATS db.N). */
export function dbOverheads(dbs: readonly Db[]): DbOverhead[] {
  const out: DbOverhead[] = [];
  for (const db of dbs) {
    if (db.dict.size === 0) continue;
    out.push({ id: db.id, main: dictOverhead(db.dict.size), expires: dictOverhead(db.expires.size) });
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
