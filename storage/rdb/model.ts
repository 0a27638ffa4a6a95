/*
 * The neutral form of RDB content: what the reader produces and the writer consumes. Storage
 * knows nothing of the server's in-memory types; the server converts between these and its
 * objects. Bytes are latin1 strings; stream ids are [ms, seq] as bigints (both are uint64).
 */

export type StreamId = readonly [bigint, bigint];

export interface StreamEntry {
  id: StreamId;
  /** field, value, field, value, ... in stored order. */
  fields: string[];
}

export interface StreamPendingEntry {
  id: StreamId;
  deliveryTime: number;
  deliveryCount: number;
}

export interface StreamConsumer {
  name: string;
  seenTime: number;
  activeTime: number;
  /** Ids of the group's pending entries owned by this consumer. */
  pending: StreamId[];
}

export interface StreamGroup {
  name: string;
  lastId: StreamId;
  /** entries-read; -1 when unknown (SCG_INVALID_ENTRIES_READ). */
  entriesRead: number;
  pending: StreamPendingEntry[];
  consumers: StreamConsumer[];
}

/**
 * One listpack node as stored: the master id and field names, then every entry in order, deleted
 * ones (tombstones) included. Redis keeps nodes as they were written, so this layout is what its
 * approximate trimming and XINFO see after a load.
 */
export interface StreamNodeLayout {
  master: StreamId;
  masterFields: string[];
  entries: Array<StreamEntry & { deleted: boolean }>;
}

export interface StreamValue {
  type: 'stream';
  /** The live entries, in id order. */
  entries: StreamEntry[];
  /** The node layout, when known (read from a file) or to be kept (written from memory). */
  nodes?: StreamNodeLayout[];
  length: number;
  lastId: StreamId;
  firstId: StreamId;
  maxDeletedId: StreamId;
  entriesAdded: number;
  groups: StreamGroup[];
}

export type RdbValue =
  | { type: 'string'; value: string }
  | { type: 'list'; items: string[] }
  /** `intset`: kept as an intset (integer members only), which the writer then uses too. */
  | { type: 'set'; members: string[]; intset?: boolean }
  /**
   * `entries` in the file's order (a listpack's lowest score first; Redis's ZSET_2 highest first).
   * `compact`: a listpack in memory (Redis's OBJ_ENCODING_LISTPACK), written as one from RDB 10.
   */
  | { type: 'zset'; entries: Array<[string, number]>; compact?: boolean }
  | { type: 'hash'; entries: Array<[string, string]>; fieldExpires?: Map<string, number>; compact?: boolean }
  | StreamValue;

export interface RdbEntry {
  db: number;
  key: string;
  value: RdbValue;
  /** Absolute unix ms, -1 for none. */
  expire: number;
  /** LRU idle seconds (IDLE opcode), when present. */
  idle?: number;
  /** LFU frequency (FREQ opcode), when present. */
  freq?: number;
}

/** Receives the file's content in order. */
export interface RdbVisitor {
  aux?(key: string, value: string): void;
  selectDb?(db: number): void;
  resizeDb?(db: number, size: number, expires: number): void;
  entry(e: RdbEntry): void;
  /** A FUNCTION2 library (its code). */
  functionLibrary?(code: string): void;
  /** A key that was skipped (an empty collection, as Redis skips them). */
  skipped?(key: string, why: string): void;
  warning?(message: string): void;
  /** Before each record (opcode or key) with its offset (just past the previous one): progress, a checker's offsets. */
  recordStart?(offset: number): void;
}
