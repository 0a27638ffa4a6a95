/*
 * The stream type (Redis 7.0's t_stream.c data layer), with consumer groups.
 *
 * Ids are two uint64s. Each half is a `U64`: a JS number when it is at most 2^53 - 1, a bigint
 * beyond, always normalised that way, so that equal values have equal representations and `<`,
 * `>`, `===` compare exactly across the two kinds.
 *
 * Layout: Redis keeps entries in listpack "nodes" (at most stream-node-max-entries entries and
 * about stream-node-max-bytes bytes each) under a radix tree keyed by each node's first ("master")
 * id. That layout is visible: approximate trimming (~) removes whole nodes only, XINFO reports
 * radix-tree-keys/-nodes, and a node decides when it is full by its listpack size. So nodes are
 * kept here as Redis keeps them: the same split points, the same tombstones (deleted entries stay in
 * their node until the whole node goes), and each node's listpack size computed from the sizes of
 * the encoded elements, without holding the bytes.
 *
 * Invariants:
 *   - nodes are in id order; a node's entries (tombstones included) are in id order and its first
 *     entry has the master id; `live + deleted === entries.length`.
 *   - a node with no live entry is removed (XDEL), except when MINID trimming marks every live entry
 *     of a node whose last entry is a later tombstone (Redis keeps that node too).
 *   - `length` counts live entries; `firstId` is the first live id (0-0 when empty);
 *     `lastId` only grows, except through XSETID.
 *   - every pending entry (NACK) is in its group's PEL and in exactly its consumer's PEL.
 */

import { ARRAY_SLOT_BYTES, MAP_ENTRY_BYTES, OBJECT_BYTES } from './heapsize.js';

import type { CollectionObject } from './object.js';

// ---------------------------------------------------------------------------------------------
// uint64 halves and ids

export type U64 = number | bigint;

export const U64_MAX = 18446744073709551615n;
const SAFE_MAX = Number.MAX_SAFE_INTEGER;
const FIRST_BIG = 9007199254740992n; // 2^53

/** The normal form of a uint64: a number when exact. */
export function u64(v: bigint): U64 {
  return v <= BigInt(SAFE_MAX) ? Number(v) : v;
}

function u64Succ(v: U64): U64 {
  if (typeof v === 'number') return v < SAFE_MAX ? v + 1 : FIRST_BIG;
  return v + 1n;
}

function u64Pred(v: U64): U64 {
  if (typeof v === 'number') return v - 1;
  return v === FIRST_BIG ? SAFE_MAX : v - 1n;
}

export interface StreamID {
  readonly ms: U64;
  readonly seq: U64;
}

export const ID_ZERO: StreamID = { ms: 0, seq: 0 };
export const ID_MAX: StreamID = { ms: U64_MAX, seq: U64_MAX };

export function makeId(ms: U64, seq: U64): StreamID {
  return { ms, seq };
}

export function compareIds(a: StreamID, b: StreamID): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function idIsZero(id: StreamID): boolean {
  return id.ms === 0 && id.seq === 0;
}

/** streamIncrID: the next id, or null past the last possible one. */
export function idSucc(id: StreamID): StreamID | null {
  if (id.seq === U64_MAX) {
    if (id.ms === U64_MAX) return null;
    return { ms: u64Succ(id.ms), seq: 0 };
  }
  return { ms: id.ms, seq: u64Succ(id.seq) };
}

/** streamDecrID: the previous id, or null before 0-0. */
export function idPred(id: StreamID): StreamID | null {
  if (id.seq === 0) {
    if (id.ms === 0) return null;
    return { ms: u64Pred(id.ms), seq: U64_MAX };
  }
  return { ms: id.ms, seq: u64Pred(id.seq) };
}

/** "<ms>-<seq>", as replies and propagated commands carry ids. */
export function idString(id: StreamID): string {
  return `${id.ms}-${id.seq}`;
}

// ---------------------------------------------------------------------------------------------
// Listpack sizes (listpack.c): what a node's lpBytes would be, element by element

const LP_OVERHEAD = 7; // 6-byte header + end byte
const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

/** Encoded size of an integer element, its 1-byte backlen included. */
function intElementSize(v: number): number {
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

function backlenSize(encoded: number): number {
  if (encoded <= 127) return 1;
  if (encoded < 16383) return 2;
  if (encoded < 2097151) return 3;
  if (encoded < 268435455) return 4;
  return 5;
}

/** lpStringToInt64: the int64 value of a canonical integer text, else null. */
function lpInteger(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  if (n <= 15) return Number(s);
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/** Encoded size of a string element as lpAppend stores it (integers in integer form). */
function stringElementSize(s: string): number {
  const asInt = lpInteger(s);
  if (asInt !== null) return typeof asInt === 'number' ? intElementSize(asInt) : 10;
  const len = s.length;
  const encoded = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return encoded + backlenSize(encoded);
}

/** Size of an id delta element: the uint64 difference read as an int64, as lpAppendInteger gets it. */
function deltaElementSize(a: U64, b: U64): number {
  if (typeof a === 'number' && typeof b === 'number') return intElementSize(a - b);
  const d = BigInt.asIntN(64, BigInt(a) - BigInt(b));
  return d >= -2147483648n && d <= 2147483647n ? intElementSize(Number(d)) : 10;
}

// ---------------------------------------------------------------------------------------------
// Entries and nodes

export interface StreamEntry {
  readonly id: StreamID;
  /** field, value, field, value, ... */
  readonly fields: readonly string[];
  deleted: boolean;
}

export class StreamNode {
  readonly entries: StreamEntry[] = [];
  live = 0;
  deleted = 0;
  /** lpBytes without the header, end byte and the two counters (which change size as they change). */
  private fixedBytes: number;

  constructor(
    readonly master: StreamID,
    /** The field names of the entry that created the node (the master entry). */
    readonly masterFields: readonly string[],
  ) {
    let bytes = intElementSize(masterFields.length) + 2; // num-fields ... master terminator 0
    for (const f of masterFields) bytes += stringElementSize(f);
    this.fixedBytes = bytes;
  }

  /** lpBytes: the node's listpack size. */
  get bytes(): number {
    return LP_OVERHEAD + intElementSize(this.live) + intElementSize(this.deleted) + this.fixedBytes;
  }

  /** Adds an entry at the end, accounting its elements as streamAppendItem encodes them. */
  push(entry: StreamEntry, deleted = false): void {
    const fields = entry.fields;
    const numFields = fields.length / 2;
    const master = this.masterFields;
    let same = numFields === master.length;
    for (let i = 0; same && i < numFields; i++) if (fields[i * 2] !== master[i]) same = false;
    let bytes = 2 + deltaElementSize(entry.id.ms, this.master.ms) + deltaElementSize(entry.id.seq, this.master.seq);
    let lpCount = numFields + 3;
    if (!same) {
      bytes += intElementSize(numFields);
      lpCount += numFields + 1;
      for (let i = 0; i < fields.length; i += 2) bytes += stringElementSize(fields[i]);
    }
    for (let i = 1; i < fields.length; i += 2) bytes += stringElementSize(fields[i]);
    bytes += intElementSize(lpCount);
    this.fixedBytes += bytes;
    this.entries.push(entry);
    if (deleted) this.deleted++;
    else this.live++;
  }

  /** Index of the first entry (tombstones included) with id >= `id`; entries.length when none. */
  lowerBound(id: StreamID): number {
    const a = this.entries;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(a[mid].id, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get lastEntry(): StreamEntry {
    return this.entries[this.entries.length - 1];
  }

  clone(): StreamNode {
    const n = new StreamNode(this.master, this.masterFields);
    n.fixedBytes = this.fixedBytes;
    n.live = this.live;
    n.deleted = this.deleted;
    for (const e of this.entries) n.entries.push({ id: e.id, fields: e.fields, deleted: e.deleted });
    return n;
  }
}

// ---------------------------------------------------------------------------------------------
// Consumer groups

/** A pending entry (Redis's streamNACK): delivered, not yet acknowledged. */
export interface PendingEntry {
  readonly id: StreamID;
  deliveryTime: number;
  deliveryCount: number;
  consumer: Consumer;
}

/** Items kept sorted by id (the PELs, Redis's rax keyed by big-endian ids). */
export class IdIndex<T extends { readonly id: StreamID }> {
  readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Index of the first item with id >= `id`. */
  lowerBound(id: StreamID): number {
    const a = this.items;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(a[mid].id, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(id: StreamID): T | undefined {
    const i = this.lowerBound(id);
    const item = this.items[i];
    return item !== undefined && compareIds(item.id, id) === 0 ? item : undefined;
  }

  /** Adds an item whose id is not present (appends in O(1) when it is the largest). */
  insert(item: T): void {
    const a = this.items;
    if (a.length === 0 || compareIds(a[a.length - 1].id, item.id) < 0) a.push(item);
    else a.splice(this.lowerBound(item.id), 0, item);
  }

  remove(id: StreamID): T | undefined {
    const i = this.lowerBound(id);
    const item = this.items[i];
    if (item === undefined || compareIds(item.id, id) !== 0) return undefined;
    this.items.splice(i, 1);
    return item;
  }
}

export class Consumer {
  readonly pel = new IdIndex<PendingEntry>();

  constructor(
    readonly name: string,
    /** Last time the consumer was looked up by a read or claim (XINFO's seen-time / idle). */
    public seenTime: number,
  ) {}
}

/** SCG_INVALID_ENTRIES_READ. */
export const ENTRIES_READ_INVALID = -1;

export class ConsumerGroup {
  readonly pel = new IdIndex<PendingEntry>();
  readonly consumers = new Map<string, Consumer>();

  constructor(
    readonly name: string,
    public lastId: StreamID,
    /** entries-read, or ENTRIES_READ_INVALID. */
    public entriesRead: number,
  ) {}

  /** Consumers in name order (Redis keeps them in a rax: byte order). */
  consumersInOrder(): Consumer[] {
    return sortedByName([...this.consumers.values()]);
  }

  /** streamDelConsumer: drops the consumer and its pending entries; returns how many it had. */
  deleteConsumer(consumer: Consumer): number {
    const pending = consumer.pel.size;
    for (const nack of consumer.pel.items) this.pel.remove(nack.id);
    this.consumers.delete(consumer.name);
    return pending;
  }

  /** XACK of one id: removes the pending entry from both PELs. */
  acknowledge(id: StreamID): boolean {
    const nack = this.pel.remove(id);
    if (nack === undefined) return false;
    nack.consumer.pel.remove(id);
    return true;
  }

  /** Gives a pending entry to `consumer` (moving it from its previous owner's PEL). */
  assign(nack: PendingEntry, consumer: Consumer): void {
    if (nack.consumer === consumer) return;
    nack.consumer.pel.remove(nack.id);
    nack.consumer = consumer;
    consumer.pel.insert(nack);
  }
}

function sortedByName<T extends { name: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// The stream

export type TrimStrategy = 'maxlen' | 'minid';

export interface TrimArgs {
  strategy: TrimStrategy;
  maxlen: number;
  minid: StreamID;
  approx: boolean;
  /** Most entries to remove; 0 for no limit. */
  limit: number;
}

/** Where a node listpack must end (stream-node-max-bytes / stream-node-max-entries). */
export interface NodeLimits {
  maxBytes: number;
  maxEntries: number;
}

/** STREAM_LISTPACK_MAX_SIZE. */
export const LISTPACK_MAX_SIZE = 1 << 30;

export class Stream implements CollectionObject {
  nodes: StreamNode[] = [];
  length = 0;
  lastId: StreamID = ID_ZERO;
  firstId: StreamID = ID_ZERO;
  maxDeletedId: StreamID = ID_ZERO;
  entriesAdded = 0;
  readonly groups = new Map<string, ConsumerGroup>();
  accountedBytes = 0;

  get type(): 'stream' {
    return 'stream';
  }

  /**
   * Estimated heap bytes (used_memory), in O(1) because it runs after every write to the stream:
   * the nodes priced from the first and last node's listpack-equivalent size (twice that in JS
   * objects), plus an entry object per live entry and the groups' pending entries.
   */
  memoryBytes(): number {
    const nodes = this.nodes;
    let bytes = OBJECT_BYTES * 2 + this.length * (OBJECT_BYTES + ARRAY_SLOT_BYTES);
    if (nodes.length > 0) bytes += nodes.length * (OBJECT_BYTES + nodes[0].bytes + nodes[nodes.length - 1].bytes);
    for (const g of this.groups.values()) bytes += OBJECT_BYTES + g.pel.size * MAP_ENTRY_BYTES * 2;
    return bytes;
  }

  encoding(): string {
    return 'stream';
  }

  // ------------------------------------------------------------------ ids

  /**
   * The id streamAppendItem would give the next entry: `use` when given (with `seqGiven` false its
   * sequence is picked), else from the clock. 'edom' when it is not greater than the last id;
   * 'overflow' when the picked sequence would pass the largest one.
   */
  nextId(use: StreamID | null, seqGiven: boolean, nowMs: number): StreamID | 'edom' | 'overflow' {
    let id: StreamID;
    const last = this.lastId;
    if (use !== null) {
      if (seqGiven) id = use;
      else if (last.ms === use.ms) {
        if (last.seq === U64_MAX) return 'overflow';
        id = { ms: last.ms, seq: u64Succ(last.seq) };
      } else id = { ms: use.ms, seq: 0 };
    } else if (nowMs > last.ms) {
      id = { ms: nowMs, seq: 0 };
    } else {
      id = idSucc(last) ?? ID_ZERO;
    }
    return compareIds(id, last) > 0 ? id : 'edom';
  }

  // ------------------------------------------------------------------ writes

  /** Appends an entry with an id greater than lastId (see nextId), starting a node when the last is full. */
  append(id: StreamID, fields: readonly string[], limits: NodeLimits): void {
    let tail = this.nodes.length > 0 ? this.nodes[this.nodes.length - 1] : null;
    if (tail !== null) {
      let maxBytes = limits.maxBytes;
      if (maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE) maxBytes = LISTPACK_MAX_SIZE;
      let total = 0;
      for (const f of fields) total += f.length;
      if (tail.bytes + total >= maxBytes) tail = null;
      else if (limits.maxEntries > 0 && tail.entries.length >= limits.maxEntries) tail = null;
    }
    if (tail === null) {
      const names: string[] = [];
      for (let i = 0; i < fields.length; i += 2) names.push(fields[i]);
      tail = new StreamNode(id, names);
      this.nodes.push(tail);
    }
    tail.push({ id, fields, deleted: false });
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  /** streamDeleteItem: marks a live entry deleted (dropping its node when it was the last live one). */
  delete(id: StreamID): boolean {
    const ni = this.nodeFor(id);
    if (ni < 0) return false;
    const node = this.nodes[ni];
    const ei = node.lowerBound(id);
    const entry = node.entries[ei];
    if (entry === undefined || entry.deleted || compareIds(entry.id, id) !== 0) return false;
    if (node.live === 1) {
      this.nodes.splice(ni, 1);
    } else {
      entry.deleted = true;
      node.live--;
      node.deleted++;
    }
    this.length--;
    return true;
  }

  /**
   * XDEL of several ids: deletes, then keeps max-deleted-entry-id and the first id as Redis does.
   * Returns how many were deleted.
   */
  deleteIds(ids: readonly StreamID[]): number {
    let deleted = 0;
    let firstDeleted = false;
    for (const id of ids) {
      if (!this.delete(id)) continue;
      if (compareIds(id, this.firstId) === 0) firstDeleted = true;
      if (compareIds(id, this.maxDeletedId) > 0) this.maxDeletedId = id;
      deleted++;
    }
    if (deleted > 0) {
      if (this.length === 0) this.firstId = ID_ZERO;
      else if (firstDeleted) this.firstId = this.edgeId(true, true);
    }
    return deleted;
  }

  /** streamTrim: removes entries from the head; returns how many. */
  trim(args: TrimArgs): number {
    const byLength = args.strategy === 'maxlen';
    let deleted = 0;
    while (this.nodes.length > 0) {
      if (byLength && this.length <= args.maxlen) break;
      const node = this.nodes[0];
      const entries = node.live;
      if (args.limit && deleted + entries > args.limit) break;
      const removeNode = byLength ? this.length - entries >= args.maxlen : compareIds(node.lastEntry.id, args.minid) < 0;
      if (removeNode) {
        this.nodes.shift();
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (args.approx) break;
      // Mark entries deleted inside the node until the condition holds.
      let marked = 0;
      for (const e of node.entries) {
        if (byLength ? this.length <= args.maxlen : compareIds(e.id, args.minid) >= 0) break;
        if (!e.deleted) {
          e.deleted = true;
          marked++;
          this.length--;
        }
      }
      node.live -= marked;
      node.deleted += marked;
      deleted += marked;
      break;
    }
    if (this.length === 0) this.firstId = ID_ZERO;
    else if (deleted > 0) this.firstId = this.edgeId(true, true);
    return deleted;
  }

  // ------------------------------------------------------------------ reads

  /** Index of the node that would hold `id` (last node with master <= id), -1 when before all. */
  private nodeFor(id: StreamID): number {
    const nodes = this.nodes;
    let lo = 0;
    let hi = nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(nodes[mid].master, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The live entry with this id. */
  get(id: StreamID): StreamEntry | undefined {
    const ni = this.nodeFor(id);
    if (ni < 0) return undefined;
    const node = this.nodes[ni];
    const e = node.entries[node.lowerBound(id)];
    return e !== undefined && !e.deleted && compareIds(e.id, id) === 0 ? e : undefined;
  }

  /**
   * Live entries with start <= id <= end, ascending (or descending when `rev`), at most `count`
   * (0: all). streamReplyWithRange's walk.
   */
  range(start: StreamID, end: StreamID, rev: boolean, count: number): StreamEntry[] {
    const out: StreamEntry[] = [];
    if (compareIds(start, end) > 0) return out;
    const nodes = this.nodes;
    if (!rev) {
      let ni = Math.max(0, this.nodeFor(start));
      let ei = ni < nodes.length ? nodes[ni].lowerBound(start) : 0;
      for (; ni < nodes.length; ni++, ei = 0) {
        const entries = nodes[ni].entries;
        for (; ei < entries.length; ei++) {
          const e = entries[ei];
          if (e.deleted) continue;
          if (compareIds(e.id, end) > 0) return out;
          out.push(e);
          if (out.length === count) return out;
        }
      }
    } else {
      let ni = this.nodeFor(end);
      if (ni < 0) return out;
      let entries = nodes[ni].entries;
      let ei = nodes[ni].lowerBound(end);
      if (ei === entries.length || compareIds(entries[ei].id, end) > 0) ei--;
      for (;;) {
        for (; ei >= 0; ei--) {
          const e = entries[ei];
          if (e.deleted) continue;
          if (compareIds(e.id, start) < 0) return out;
          out.push(e);
          if (out.length === count) return out;
        }
        if (--ni < 0) return out;
        entries = nodes[ni].entries;
        ei = entries.length - 1;
      }
    }
    return out;
  }

  /**
   * streamGetEdgeID: the first (or last) id, skipping tombstones or not; when there is none, the
   * largest id for the first edge and 0-0 for the last, as Redis answers.
   */
  edgeId(first: boolean, skipTombstones: boolean): StreamID {
    const nodes = this.nodes;
    if (first) {
      for (const n of nodes) for (const e of n.entries) if (!skipTombstones || !e.deleted) return e.id;
      return ID_MAX;
    }
    for (let ni = nodes.length - 1; ni >= 0; ni--) {
      const entries = nodes[ni].entries;
      for (let i = entries.length - 1; i >= 0; i--) if (!skipTombstones || !entries[i].deleted) return entries[i].id;
    }
    return ID_ZERO;
  }

  /** streamLastValidID: the last live id (0-0 when empty). */
  lastValidId(): StreamID {
    return this.edgeId(false, true);
  }

  // ------------------------------------------------------------------ Redis 7 counters

  /** streamRangeHasTombstones from `start` to the end of the stream. */
  hasTombstonesFrom(start: StreamID): boolean {
    if (this.length === 0 || idIsZero(this.maxDeletedId)) return false;
    if (compareIds(this.firstId, this.maxDeletedId) > 0) return false;
    return compareIds(start, this.maxDeletedId) <= 0;
  }

  /**
   * streamEstimateDistanceFromFirstEverEntry: the entries-read counter an id stands for, or
   * ENTRIES_READ_INVALID when it cannot be known.
   */
  estimateDistance(id: StreamID): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && compareIds(id, this.lastId) < 1) return this.entriesAdded;
    const cmpLast = compareIds(id, this.lastId);
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return ENTRIES_READ_INVALID;
    const cmpFirst = compareIds(id, this.firstId);
    if (idIsZero(this.maxDeletedId) || compareIds(this.maxDeletedId, this.firstId) < 0) {
      if (cmpFirst < 0) return this.entriesAdded - this.length;
      if (cmpFirst === 0) return this.entriesAdded - this.length + 1;
    }
    return ENTRIES_READ_INVALID;
  }

  /** streamReplyWithCGLag: the group's lag, or null when it cannot be computed. */
  lag(group: ConsumerGroup): number | null {
    if (this.entriesAdded === 0) return 0;
    if (group.entriesRead !== ENTRIES_READ_INVALID && !this.hasTombstonesFrom(group.lastId)) {
      return this.entriesAdded - group.entriesRead;
    }
    const read = this.estimateDistance(group.lastId);
    return read === ENTRIES_READ_INVALID ? null : this.entriesAdded - read;
  }

  /** A group reads `id` (greater than its last id): its last id and read counter move on. */
  advanceGroup(group: ConsumerGroup, id: StreamID): void {
    if (group.entriesRead !== ENTRIES_READ_INVALID && !this.hasTombstonesFrom(id)) group.entriesRead++;
    else if (this.entriesAdded) group.entriesRead = this.estimateDistance(id);
    group.lastId = id;
  }

  // ------------------------------------------------------------------ groups

  /** Groups in name order (a rax in Redis). */
  groupsInOrder(): ConsumerGroup[] {
    return sortedByName([...this.groups.values()]);
  }

  // ------------------------------------------------------------------ introspection

  /** raxSize of the node tree. */
  get radixTreeKeys(): number {
    return this.nodes.length;
  }

  /**
   * rax->numnodes of the node tree: a radix tree over the 16-byte big-endian master ids, with
   * chains of single-child nodes compressed, as rax keeps it after inserts and deletes.
   */
  radixTreeNodes(): number {
    if (this.nodes.length === 0) return 1;
    const keys = this.nodes.map((n) => idBytes(n.master));
    return countRaxNodes(keys, 0, keys.length, 0);
  }

  clone(): Stream {
    const s = new Stream();
    s.nodes = this.nodes.map((n) => n.clone());
    s.length = this.length;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    for (const g of this.groups.values()) {
      const copy = new ConsumerGroup(g.name, g.lastId, g.entriesRead);
      for (const c of g.consumers.values()) {
        const cc = new Consumer(c.name, c.seenTime);
        copy.consumers.set(c.name, cc);
        for (const nack of c.pel.items) {
          const n: PendingEntry = { id: nack.id, deliveryTime: nack.deliveryTime, deliveryCount: nack.deliveryCount, consumer: cc };
          cc.pel.items.push(n);
        }
      }
      for (const nack of g.pel.items) copy.pel.items.push(copy.consumers.get(nack.consumer.name)!.pel.get(nack.id)!);
      s.groups.set(g.name, copy);
    }
    return s;
  }
}

/** The 16 bytes of an id as the rax key (big endian ms, then seq). */
function idBytes(id: StreamID): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(id.ms));
  v.setBigUint64(8, BigInt(id.seq));
  return b;
}

/**
 * Nodes of a compressed radix tree holding keys[lo, hi) (sorted, distinct, 16 bytes), whose common
 * prefix of length `depth` is already consumed: a leaf at the end of the key; else one compressed
 * node for a longer common prefix, or one branching node with a subtree per next byte.
 */
function countRaxNodes(keys: Uint8Array[], lo: number, hi: number, depth: number): number {
  if (depth === 16) return 1;
  const a = keys[lo];
  const b = keys[hi - 1];
  let common = depth;
  while (common < 16 && a[common] === b[common]) common++;
  if (common > depth) return 1 + countRaxNodes(keys, lo, hi, common);
  let n = 1;
  let start = lo;
  for (let i = lo + 1; i <= hi; i++) {
    if (i === hi || keys[i][depth] !== keys[start][depth]) {
      n += countRaxNodes(keys, start, i, depth + 1);
      start = i;
    }
  }
  return n;
}
