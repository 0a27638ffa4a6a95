/*
 * RDB writer: RDB 10 (Redis 7.0) by default, or a chosen target version 9–12.
 *
 * Encodings written, as Redis 7.0 writes them (so that DUMP payloads are its bytes): strings with
 * the integer and LZF encodings; lists as QUICKLIST_2 nodes of listpacks; integer sets kept as
 * intsets as INTSET; sorted sets and hashes kept as listpacks as ZSET_LISTPACK / HASH_LISTPACK,
 * larger ones as ZSET_2 / HASH, entries in the order the value gives them. Below version 10 lists, sorted sets
 * and hashes take the plain forms (LIST, ZSET_2, HASH) every Redis since 4.0 loads. Hashes with
 * field TTLs are HASH_METADATA (version 12 only); streams are listpack nodes in the stream format
 * the target knows (v1 for 9, v2 for 10, v3 for 11+). What a target cannot hold is an error
 * (RdbTargetError), never a silent loss.
 *
 * Output goes to a sink in chunks as it is produced, with the CRC64 computed on the way, so a
 * snapshot of any size streams to disk without being held in memory.
 */

import { crc64 } from './crc64.js';
import { ByteBuffer } from '../../src/types/bytes.js';
import { sealPayload } from './payload.js';
import { lzfCompress } from './lzf.js';
import { QUICKLIST_NODE_PACKED, RDB_VERSION_DEFAULT, RdbOpcode, RdbType, STREAM_ITEM_FLAG_DELETED, STREAM_ITEM_FLAG_SAMEFIELDS } from './constants.js';
import { listpackScore } from '../../src/types/numbers.js';
import type { RdbEntry, RdbValue, StreamId, StreamNodeLayout, StreamValue } from './model.js';

export class RdbTargetError extends Error {}

export interface RdbWriteOptions {
  version?: number;
  /** rdbcompression: LZF for strings over 20 bytes. */
  compression?: boolean;
  /** rdbchecksum: when false the trailer is zero. */
  checksum?: boolean;
}

const CHUNK = 64 * 1024;
const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

/** A growable byte buffer with RDB's primitive encodings. */
export class RdbBuffer extends ByteBuffer {
  constructor(private readonly compression: boolean) {
    super(CHUNK * 2);
  }

  /** rdbSaveLen. */
  saveLen(n: number | bigint): void {
    const v = BigInt(n);
    if (v < 64n) this.u8(Number(v));
    else if (v < 16384n) {
      this.u8(0x40 | Number(v >> 8n));
      this.u8(Number(v & 0xffn));
    } else if (v <= 0xffffffffn) {
      this.u8(0x80);
      this.ensure(4);
      this.buf.writeUInt32BE(Number(v), this.len);
      this.len += 4;
    } else {
      this.u8(0x81);
      this.ensure(8);
      this.buf.writeBigUInt64BE(v, this.len);
      this.len += 8;
    }
  }

  /** rdbSaveRawString: integer encoding for small canonical integers, LZF when it pays. */
  string(s: string): void {
    if (s.length <= 11 && /^-?(0|[1-9][0-9]*)$/.test(s) && s !== '-0') {
      const v = Number(s);
      if (v >= -128 && v <= 127) {
        this.u8(0xc0);
        this.u8(v & 0xff);
        return;
      }
      if (v >= -32768 && v <= 32767) {
        this.u8(0xc1);
        this.ensure(2);
        this.buf.writeInt16LE(v, this.len);
        this.len += 2;
        return;
      }
      if (v >= -2147483648 && v <= 2147483647) {
        this.u8(0xc2);
        this.ensure(4);
        this.buf.writeInt32LE(v, this.len);
        this.len += 4;
        return;
      }
    }
    if (this.compression && s.length > 20) {
      const raw = Buffer.from(s, 'latin1');
      const packed = lzfCompress(raw);
      if (packed !== null) {
        this.u8(0xc3);
        this.saveLen(packed.length);
        this.saveLen(raw.length);
        this.bytes(packed);
        return;
      }
    }
    this.saveLen(s.length);
    this.latin1(s);
  }

  /** A string from raw bytes (listpacks), with the same encodings. */
  blob(b: Buffer): void {
    if (this.compression && b.length > 20) {
      const packed = lzfCompress(b);
      if (packed !== null) {
        this.u8(0xc3);
        this.saveLen(packed.length);
        this.saveLen(b.length);
        this.bytes(packed);
        return;
      }
    }
    this.saveLen(b.length);
    this.bytes(b);
  }

  binaryDouble(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.len);
    this.len += 8;
  }

  millis(ms: number): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(BigInt(ms), this.len);
    this.len += 8;
  }

  /** Hands out what was written (a view valid until the next write) and rewinds. */
  drain(): Buffer {
    const out = this.buf.subarray(0, this.len);
    this.len = 0;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Listpack encoding (streams)

/** The int64 value of a canonical integer string (what lpStringToInt64 accepts), else null. */
function canonicalInt(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = s.charCodeAt(0) === 45 ? 1 : 0; // '-'
  if (i === n) return null;
  const first = s.charCodeAt(i);
  // No leading zero, and no "-0".
  if (first === 48 && (n > 1 || i === 1)) return null;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  if (n <= 15) return Number(s);
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/** Writes a listpack entry's backlen (its encoding's length, 7 bits a byte) at `p`; returns the end. */
function writeBacklen(out: Buffer, p: number, n: number): number {
  if (n <= 127) {
    out[p] = n;
    return p + 1;
  }
  if (n < 16383) {
    out[p] = n >> 7;
    out[p + 1] = (n & 127) | 128;
    return p + 2;
  }
  if (n < 2097151) {
    out[p] = n >> 14;
    out[p + 1] = ((n >> 7) & 127) | 128;
    out[p + 2] = (n & 127) | 128;
    return p + 3;
  }
  if (n < 268435455) {
    out[p] = n >> 21;
    out[p + 1] = ((n >> 14) & 127) | 128;
    out[p + 2] = ((n >> 7) & 127) | 128;
    out[p + 3] = (n & 127) | 128;
    return p + 4;
  }
  out[p] = Math.floor(n / 2 ** 28);
  out[p + 1] = ((n >> 21) & 127) | 128;
  out[p + 2] = ((n >> 14) & 127) | 128;
  out[p + 3] = ((n >> 7) & 127) | 128;
  out[p + 4] = (n & 127) | 128;
  return p + 5;
}

/** Writes one listpack entry's encoding (integers in their compact forms, as lpAppend) at `p`; returns the end. */
function writeListpackEntry(out: Buffer, p: number, s: string): number {
  const v = canonicalInt(s);
  if (typeof v === 'number') {
    if (v >= 0 && v <= 127) {
      out[p] = v;
      return p + 1;
    }
    if (v >= -4096 && v <= 4095) {
      const u = v < 0 ? v + 8192 : v;
      out[p] = 0xc0 | (u >> 8);
      out[p + 1] = u & 0xff;
      return p + 2;
    }
    if (v >= -32768 && v <= 32767) {
      out[p] = 0xf1;
      out.writeInt16LE(v, p + 1);
      return p + 3;
    }
    if (v >= -8388608 && v <= 8388607) {
      out[p] = 0xf2;
      out.writeIntLE(v, p + 1, 3);
      return p + 4;
    }
    if (v >= -2147483648 && v <= 2147483647) {
      out[p] = 0xf3;
      out.writeInt32LE(v, p + 1);
      return p + 5;
    }
  }
  if (v !== null) {
    out[p] = 0xf4;
    out.writeBigInt64LE(BigInt(v), p + 1);
    return p + 9;
  }
  const n = s.length;
  if (n < 64) {
    out[p++] = 0x80 | n;
  } else if (n < 4096) {
    out[p++] = 0xe0 | (n >> 8);
    out[p++] = n & 0xff;
  } else {
    out[p] = 0xf0;
    out.writeUInt32LE(n, p + 1);
    p += 5;
  }
  return p + out.latin1Write(s, p);
}

/** Encodes elements as a listpack (integers in their compact forms, as lpAppend does). */
export function encodeListpack(items: readonly string[]): Buffer {
  // Each entry takes at most 5 header bytes + its text (or 9 for an int64) + 5 backlen bytes.
  let room = 7;
  for (const s of items) room += s.length + 14;
  const out = Buffer.allocUnsafe(room);
  let p = 6;
  for (const s of items) {
    const start = p;
    p = writeListpackEntry(out, p, s);
    p = writeBacklen(out, p, p - start);
  }
  out[p++] = 0xff;
  out.writeUInt32LE(p, 0);
  out.writeUInt16LE(items.length < 65535 ? items.length : 65535, 4);
  return out.subarray(0, p);
}

// ---------------------------------------------------------------------------------------------
// Values

function streamIdBytes(id: StreamId): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(id[0], 0);
  b.writeBigUInt64BE(id[1], 8);
  return b;
}

const STREAM_NODE_MAX_ENTRIES = 100;

/** The RDB type byte a value is written with for `version`; throws when it cannot be held. */
export function rdbTypeFor(v: RdbValue, version: number): number {
  switch (v.type) {
    case 'string':
      return RdbType.String;
    case 'list':
      return version >= 10 ? RdbType.ListQuicklist2 : RdbType.List;
    case 'set':
      return v.intset === true ? RdbType.SetIntset : RdbType.Set;
    case 'zset':
      return v.compact === true && version >= 10 ? RdbType.ZsetListpack : RdbType.Zset2;
    case 'hash':
      if (v.fieldExpires !== undefined && v.fieldExpires.size > 0) {
        if (version < 12) throw new RdbTargetError(`hash field TTLs need RDB version 12 (target is ${version})`);
        return RdbType.HashMetadata;
      }
      return v.compact === true && version >= 10 ? RdbType.HashListpack : RdbType.Hash;
    case 'stream':
      return version >= 11 ? RdbType.StreamListpacks3 : version >= 10 ? RdbType.StreamListpacks2 : RdbType.StreamListpacks;
  }
}

/** rdbSaveObject: the value's body (after the type byte and key). */
export function writeValue(out: RdbBuffer, v: RdbValue, type: number): void {
  switch (v.type) {
    case 'string':
      out.string(v.value);
      return;
    case 'list':
      if (type === RdbType.ListQuicklist2) {
        writeQuicklist(out, v.items);
        return;
      }
      out.saveLen(v.items.length);
      for (const it of v.items) out.string(it);
      return;
    case 'set':
      if (type === RdbType.SetIntset) {
        out.blob(encodeIntset(v.members));
        return;
      }
      out.saveLen(v.members.length);
      for (const m of v.members) out.string(m);
      return;
    case 'zset': {
      if (type === RdbType.ZsetListpack) {
        const items: string[] = [];
        for (const [m, s] of v.entries) items.push(m, listpackScore(s));
        out.blob(encodeListpack(items));
        return;
      }
      out.saveLen(v.entries.length);
      for (const [m, s] of v.entries) {
        out.string(m);
        out.binaryDouble(s);
      }
      return;
    }
    case 'hash':
      if (type === RdbType.HashMetadata) {
        let min = Infinity;
        for (const at of v.fieldExpires!.values()) if (at < min) min = at;
        out.millis(min);
        out.saveLen(v.entries.length);
        for (const [f, x] of v.entries) {
          const at = v.fieldExpires!.get(f);
          // TTLs are stored relative to the minimum, plus one; 0 means none.
          out.saveLen(at === undefined ? 0 : at - min + 1);
          out.string(f);
          out.string(x);
        }
        return;
      }
      if (type === RdbType.HashListpack) {
        out.blob(encodeListpack(v.entries.flat()));
        return;
      }
      out.saveLen(v.entries.length);
      for (const [f, x] of v.entries) {
        out.string(f);
        out.string(x);
      }
      return;
    case 'stream':
      writeStream(out, v, type);
      return;
  }
}

/** Redis's default list-max-listpack-size -2: a quicklist node's listpack holds up to 8 kB. */
const QUICKLIST_NODE_BYTES = 8192;
/** Bytes of listpack bookkeeping counted per entry when a node is filled (SIZE_ESTIMATE_OVERHEAD). */
const QUICKLIST_ENTRY_OVERHEAD = 8;

/**
 * A list as Redis 7.0 saves a quicklist: the node count, then each node as a packed listpack. The
 * nodes are filled in order up to 8 kB each; Redis's own split depends on how the list grew, so
 * only a list of one node is sure to have Redis's bytes.
 */
function writeQuicklist(out: RdbBuffer, items: readonly string[]): void {
  const nodes: string[][] = [];
  let node: string[] = [];
  let bytes = 0;
  for (const it of items) {
    const add = it.length + QUICKLIST_ENTRY_OVERHEAD;
    if (node.length > 0 && bytes + add > QUICKLIST_NODE_BYTES) {
      nodes.push(node);
      node = [];
      bytes = 0;
    }
    node.push(it);
    bytes += add;
  }
  if (node.length > 0) nodes.push(node);
  out.saveLen(nodes.length);
  for (const n of nodes) {
    out.saveLen(QUICKLIST_NODE_PACKED);
    out.blob(encodeListpack(n));
  }
}

/** An intset of integer members: width (2, 4 or 8 bytes), count, then the values ascending, LE. */
function encodeIntset(members: readonly string[]): Buffer {
  const values = members.map((m) => BigInt(m)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let width = 2;
  for (const v of values) {
    if (v < -2147483648n || v > 2147483647n) width = 8;
    else if ((v < -32768n || v > 32767n) && width < 4) width = 4;
  }
  const b = Buffer.alloc(8 + width * values.length);
  b.writeUInt32LE(width, 0);
  b.writeUInt32LE(values.length, 4);
  values.forEach((v, i) => {
    const at = 8 + i * width;
    if (width === 2) b.writeInt16LE(Number(v), at);
    else if (width === 4) b.writeInt32LE(Number(v), at);
    else b.writeBigInt64LE(v, at);
  });
  return b;
}

/** Splits live entries into nodes of STREAM_NODE_MAX_ENTRIES, each led by its first entry's fields. */
function defaultLayout(s: StreamValue): StreamNodeLayout[] {
  const nodes: StreamNodeLayout[] = [];
  for (let i = 0; i < s.entries.length; i += STREAM_NODE_MAX_ENTRIES) {
    const chunk = s.entries.slice(i, i + STREAM_NODE_MAX_ENTRIES);
    const masterFields: string[] = [];
    for (let f = 0; f < chunk[0].fields.length; f += 2) masterFields.push(chunk[0].fields[f]);
    nodes.push({ master: chunk[0].id, masterFields, entries: chunk.map((e) => ({ id: e.id, fields: e.fields, deleted: false })) });
  }
  return nodes;
}

function writeStream(out: RdbBuffer, s: StreamValue, type: number): void {
  const nodes: Array<{ master: StreamId; lp: Buffer }> = [];
  for (const node of s.nodes ?? defaultLayout(s)) {
    const { master, masterFields } = node;
    let live = 0;
    for (const e of node.entries) if (!e.deleted) live++;
    const items: string[] = [String(live), String(node.entries.length - live), String(masterFields.length), ...masterFields, '0'];
    for (const e of node.entries) {
      const names: string[] = [];
      for (let f = 0; f < e.fields.length; f += 2) names.push(e.fields[f]);
      const same = names.length === masterFields.length && names.every((n, k) => n === masterFields[k]);
      const fieldItems: string[] = [];
      if (same) for (let f = 1; f < e.fields.length; f += 2) fieldItems.push(e.fields[f]);
      else fieldItems.push(String(names.length), ...e.fields);
      const flags = (same ? STREAM_ITEM_FLAG_SAMEFIELDS : 0) | (e.deleted ? STREAM_ITEM_FLAG_DELETED : 0);
      // Id deltas are uint64 differences stored as int64s.
      const entry = [String(flags), String(BigInt.asIntN(64, e.id[0] - master[0])), String(BigInt.asIntN(64, e.id[1] - master[1])), ...fieldItems];
      // lp-count: the elements of this entry before it (for backward iteration).
      items.push(...entry, String(entry.length));
    }
    nodes.push({ master, lp: encodeListpack(items) });
  }
  out.saveLen(nodes.length);
  for (const n of nodes) {
    out.blob(streamIdBytes(n.master));
    out.blob(n.lp);
  }
  out.saveLen(s.length);
  out.saveLen(s.lastId[0]);
  out.saveLen(s.lastId[1]);
  if (type >= RdbType.StreamListpacks2) {
    out.saveLen(s.firstId[0]);
    out.saveLen(s.firstId[1]);
    out.saveLen(s.maxDeletedId[0]);
    out.saveLen(s.maxDeletedId[1]);
    out.saveLen(s.entriesAdded);
  }
  out.saveLen(s.groups.length);
  for (const g of s.groups) {
    out.string(g.name);
    out.saveLen(g.lastId[0]);
    out.saveLen(g.lastId[1]);
    if (type >= RdbType.StreamListpacks2) out.saveLen(g.entriesRead < 0 ? 0xffffffffffffffffn : BigInt(g.entriesRead));
    out.saveLen(g.pending.length);
    for (const p of g.pending) {
      out.bytes(streamIdBytes(p.id));
      out.millis(p.deliveryTime);
      out.saveLen(p.deliveryCount);
    }
    out.saveLen(g.consumers.length);
    for (const c of g.consumers) {
      out.string(c.name);
      out.millis(c.seenTime);
      if (type >= RdbType.StreamListpacks3) out.millis(c.activeTime);
      out.saveLen(c.pending.length);
      for (const id of c.pending) out.bytes(streamIdBytes(id));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Whole files

export class RdbWriter {
  readonly version: number;
  private readonly out: RdbBuffer;
  private crc = 0n;
  private readonly checksum: boolean;

  constructor(
    private readonly sink: (chunk: Buffer) => void,
    opts: RdbWriteOptions = {},
  ) {
    this.version = opts.version ?? RDB_VERSION_DEFAULT;
    if (this.version < 9 || this.version > 12) throw new RdbTargetError(`can't write RDB version ${this.version} (9 to 12 are supported)`);
    this.checksum = opts.checksum ?? true;
    this.out = new RdbBuffer(opts.compression ?? true);
    this.out.latin1(`REDIS${String(this.version).padStart(4, '0')}`);
  }

  aux(key: string, value: string): void {
    this.out.u8(RdbOpcode.Aux);
    this.out.string(key);
    this.out.string(value);
    this.maybeFlush();
  }

  functionLibrary(code: string): void {
    this.out.u8(RdbOpcode.Function2);
    this.out.string(code);
    this.maybeFlush();
  }

  selectDb(db: number, size: number, expires: number): void {
    this.out.u8(RdbOpcode.SelectDb);
    this.out.saveLen(db);
    this.out.u8(RdbOpcode.ResizeDb);
    this.out.saveLen(size);
    this.out.saveLen(expires);
  }

  /** One key: expire, LRU/LFU hints, type, key, value. The entry's db must have been selected. */
  entry(e: RdbEntry): void {
    const type = rdbTypeFor(e.value, this.version);
    if (e.expire >= 0) {
      this.out.u8(RdbOpcode.ExpireTimeMs);
      this.out.millis(e.expire);
    }
    if (e.idle !== undefined) {
      this.out.u8(RdbOpcode.Idle);
      this.out.saveLen(e.idle);
    }
    if (e.freq !== undefined) {
      this.out.u8(RdbOpcode.Freq);
      this.out.u8(e.freq);
    }
    this.out.u8(type);
    this.out.string(e.key);
    writeValue(this.out, e.value, type);
    this.maybeFlush();
  }

  /** EOF and the checksum trailer; flushes everything. */
  finish(): void {
    this.out.u8(RdbOpcode.Eof);
    this.flush();
    const trailer = Buffer.alloc(8);
    if (this.checksum) trailer.writeBigUInt64LE(this.crc);
    this.sink(trailer);
  }

  private maybeFlush(): void {
    if (this.out.length >= CHUNK) this.flush();
  }

  private flush(): void {
    if (this.out.length === 0) return;
    const chunk = Buffer.from(this.out.drain());
    if (this.checksum) this.crc = crc64(this.crc, chunk);
    this.sink(chunk);
  }
}

/** Serializes a whole dataset into one Buffer (tests, DEBUG RELOAD of small sets). */
export function rdbToBuffer(write: (w: RdbWriter) => void, opts: RdbWriteOptions = {}): Buffer {
  const chunks: Buffer[] = [];
  const w = new RdbWriter((c) => chunks.push(c), opts);
  write(w);
  w.finish();
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------------------------
// DUMP payloads: <type><value>, sealed by payload.ts (RDB version, CRC64)

/** `compress` false skips LZF (the cold tier: its records are written and read back often). */
export function dumpPayload(v: RdbValue, compress = true): Buffer {
  const out = new RdbBuffer(compress);
  const type = rdbTypeFor(v, RDB_VERSION_DEFAULT);
  out.u8(type);
  writeValue(out, v, type);
  return sealPayload(out.drain());
}
