/*
 * The canonical JSON of an RDB file ("rdb-acceptance-dump/1", ../shared/rdb-fixtures/README.md):
 * what `strata rdb dump` prints and what the fixture tests compare against.
 *
 * Invariants: byte strings are UTF-8 text when they decode strictly, else {"b64": ...}; every
 * collection is in the form's canonical order (keys, set members, hash fields and consumers by raw
 * bytes; zsets by score then member; PEL by id), so the output depends only on the data, never on
 * the file's encodings. Stream group lag is computed as Redis 7.0's XINFO GROUPS does
 * (streamReplyWithCGLag) from what the file holds. Extension beyond the form (RDB 12 only): a hash
 * with field TTLs gets "field_expires": [[field, expire], ...] by field.
 *
 * The text layout is the fixtures': a value is written on one line without spaces when its
 * indentation plus its compact length fits in 110 columns, otherwise expanded with one space of
 * indentation per level and ": " after keys.
 */

import { readRdb, type RdbFileInfo } from '../storage/rdb/reader.js';
import type { RdbEntry, RdbValue, StreamId, StreamValue, StreamGroup } from '../storage/rdb/model.js';
import { analyzeLibrary } from '../src/keyspace/functions.js';

export const DUMP_FORMAT = 'rdb-acceptance-dump/1';
/** What the dumper understands: streams in listpack forms 1 and 2, and function libraries. */
export const DUMP_FEATURES = ['streams', 'streams-v2', 'functions'] as const;

export type BytesJson = string | { b64: string };

export interface FunctionJson {
  name: string;
  description: string | null;
  flags: string[];
}

export interface LibraryJson {
  library_name: string | null;
  engine: string | null;
  functions: FunctionJson[];
  code: BytesJson;
  /** Only when the code's metadata or registrations cannot be read. */
  error?: string;
}

export interface KeyJson {
  key: BytesJson;
  type: RdbValue['type'];
  /** Rounded to the minute, "2100-01-01T00:08Z"; the raw milliseconds when no date can show it. */
  expire?: string | number;
  value: unknown;
  /** RDB 12 hashes with field TTLs only: [field, expire] by field. */
  field_expires?: Array<[BytesJson, string | number]>;
}

export interface DbJson {
  db: number;
  size: number;
  keys: KeyJson[];
}

export interface AcceptanceDump {
  format: typeof DUMP_FORMAT;
  features: string[];
  functions: LibraryJson[];
  dbs: DbJson[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A latin1 byte string in the form's text-or-base64 shape. */
export function bytesJson(s: string): BytesJson {
  const b = Buffer.from(s, 'latin1');
  try {
    return utf8.decode(b);
  } catch {
    return { b64: b.toString('base64') };
  }
}

/** Raw byte order (memcmp): latin1 strings compare char by char exactly as their bytes do. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIds(a: StreamId, b: StreamId): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] === b[1] ? 0 : a[1] < b[1] ? -1 : 1;
}

const idText = (i: StreamId): string => `${i[0]}-${i[1]}`;
const isZeroId = (i: StreamId): boolean => i[0] === 0n && i[1] === 0n;

export function scoreText(v: number): string {
  return v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
}

/** An absolute unix-ms time rounded to the minute, as "2100-01-01T00:08Z". */
export function minuteText(ms: number): string | number {
  const date = new Date(Math.round(ms / 60000) * 60000);
  if (Number.isNaN(date.getTime())) return ms;
  return date.toISOString().replace(/:00\.000Z$/, 'Z');
}

/** Redis 7.0's streamEstimateDistanceFromFirstEverEntry; null when it cannot tell. */
export function estimateEntriesRead(s: StreamValue, id: StreamId): number | null {
  if (s.entriesAdded === 0) return 0;
  const cmpLast = compareIds(id, s.lastId);
  if (s.length === 0 && cmpLast <= 0) return s.entriesAdded;
  if (cmpLast === 0) return s.entriesAdded;
  if (cmpLast > 0) return null;
  if (isZeroId(s.maxDeletedId) || compareIds(s.maxDeletedId, s.firstId) < 0) {
    const cmpFirst = compareIds(id, s.firstId);
    if (cmpFirst < 0) return s.entriesAdded - s.length;
    if (cmpFirst === 0) return s.entriesAdded - s.length + 1;
  }
  return null;
}

/** Redis 7.0's streamRangeHasTombstones for [start, +inf]. */
function hasTombstonesFrom(s: StreamValue, start: StreamId): boolean {
  if (s.length === 0 || isZeroId(s.maxDeletedId)) return false;
  if (compareIds(s.firstId, s.maxDeletedId) > 0) return false;
  return compareIds(start, s.maxDeletedId) <= 0;
}

/** Redis 7.0's streamReplyWithCGLag: the group's lag, or null when it is unknown. */
export function groupLag(s: StreamValue, g: StreamGroup): number | null {
  if (s.entriesAdded === 0) return 0;
  if (g.entriesRead >= 0 && !hasTombstonesFrom(s, g.lastId)) return s.entriesAdded - g.entriesRead;
  const read = estimateEntriesRead(s, g.lastId);
  return read === null ? null : s.entriesAdded - read;
}

function streamJson(s: StreamValue): unknown {
  return {
    length: s.length,
    last_id: idText(s.lastId),
    entries_added: s.entriesAdded,
    max_deleted_id: idText(s.maxDeletedId),
    first_id: idText(s.firstId),
    entries: s.entries.map((e) => [idText(e.id), e.fields.map(bytesJson)]),
    groups: [...s.groups]
      .sort((a, b) => compareBytes(a.name, b.name))
      .map((g) => {
        const owner = new Map<string, string>();
        for (const c of g.consumers) for (const id of c.pending) owner.set(idText(id), c.name);
        return {
          name: bytesJson(g.name),
          last_delivered_id: idText(g.lastId),
          entries_read: g.entriesRead < 0 ? null : g.entriesRead,
          lag: groupLag(s, g),
          pending: g.pending.length,
          consumers: [...g.consumers].sort((a, b) => compareBytes(a.name, b.name)).map((c) => [bytesJson(c.name), c.pending.length]),
          pel: [...g.pending]
            .sort((a, b) => compareIds(a.id, b.id))
            .map((p) => [idText(p.id), bytesJson(owner.get(idText(p.id)) ?? ''), p.deliveryCount]),
        };
      }),
  };
}

export function valueJson(v: RdbValue): unknown {
  switch (v.type) {
    case 'string':
      return bytesJson(v.value);
    case 'list':
      return v.items.map(bytesJson);
    case 'set':
      return [...v.members].sort(compareBytes).map(bytesJson);
    case 'zset':
      return [...v.entries].sort((a, b) => a[1] - b[1] || compareBytes(a[0], b[0])).map(([m, s]) => [bytesJson(m), scoreText(s)]);
    case 'hash':
      return [...v.entries].sort((a, b) => compareBytes(a[0], b[0])).map(([f, x]) => [bytesJson(f), bytesJson(x)]);
    case 'stream':
      return streamJson(v);
  }
}

export function keyJson(e: RdbEntry): KeyJson {
  const key = bytesJson(e.key);
  const value = valueJson(e.value);
  const out: KeyJson = e.expire >= 0 ? { key, type: e.value.type, expire: minuteText(e.expire), value } : { key, type: e.value.type, value };
  const v = e.value;
  if (v.type === 'hash' && v.fieldExpires !== undefined && v.fieldExpires.size > 0) {
    out.field_expires = [...v.fieldExpires].sort((a, b) => compareBytes(a[0], b[0])).map(([f, at]) => [bytesJson(f), minuteText(at)]);
  }
  return out;
}

export function libraryJson(code: string): LibraryJson {
  const lib = analyzeLibrary(code);
  if (typeof lib === 'string') return { library_name: null, engine: null, functions: [], code: bytesJson(code), error: lib };
  return {
    library_name: lib.name,
    engine: lib.engine,
    functions: [...lib.functions].sort((a, b) => compareBytes(a.name, b.name)).map((f) => ({ name: f.name, description: f.description, flags: f.flags })),
    code: bytesJson(code),
  };
}

/** Collects a file's content into the canonical form. */
export class DumpCollector {
  private readonly dbs = new Map<number, RdbEntry[]>();
  private readonly libraries: string[] = [];

  entry(e: RdbEntry): void {
    let list = this.dbs.get(e.db);
    if (list === undefined) this.dbs.set(e.db, (list = []));
    list.push(e);
  }

  functionLibrary(code: string): void {
    this.libraries.push(code);
  }

  result(): AcceptanceDump {
    const functions = this.libraries.map(libraryJson).sort((a, b) => compareBytes(a.library_name ?? '', b.library_name ?? ''));
    const dbs = [...this.dbs.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([db, entries]) => ({ db, size: entries.length, keys: [...entries].sort((a, b) => compareBytes(a.key, b.key)).map(keyJson) }));
    return { format: DUMP_FORMAT, features: [...DUMP_FEATURES], functions, dbs };
  }
}

/** Reads a whole RDB file into the canonical form; throws RdbError on a bad file. */
export function rdbToDump(data: Buffer, onRecordStart?: (offset: number) => void): { dump: AcceptanceDump; info: RdbFileInfo } {
  const collector = new DumpCollector();
  const info = readRdb(data, {
    entry: (e) => collector.entry(e),
    functionLibrary: (code) => collector.functionLibrary(code),
    recordStart: onRecordStart,
  });
  return { dump: collector.result(), info };
}

const WIDTH = 110;

/** The fixtures' layout (see the file comment), with a final newline. */
export function formatDump(value: unknown): string {
  return layout(value, 0) + '\n';
}

function layout(v: unknown, indent: number): string {
  const compact = JSON.stringify(v);
  if (v === null || typeof v !== 'object' || indent + compact.length <= WIDTH) return compact;
  const pad = ' '.repeat(indent + 1);
  const close = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return compact;
    return `[\n${v.map((x) => pad + layout(x, indent + 1)).join(',\n')}\n${close}]`;
  }
  const fields = Object.entries(v as Record<string, unknown>);
  if (fields.length === 0) return compact;
  return `{\n${fields.map(([k, x]) => `${pad}${JSON.stringify(k)}: ${layout(x, indent + 1)}`).join(',\n')}\n${close}}`;
}
