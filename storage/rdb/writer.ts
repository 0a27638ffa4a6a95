/*
 * RDB writer: RDB 10 (Redis 7.0) by default, or a chosen target version 9–12.
 *
 * Encodings written: strings with Redis's integer and LZF encodings; lists, sets, sorted sets and
 * hashes in their plain forms (LIST, SET, ZSET_2, HASH: every Redis since 4.0 loads them and
 * converts to its compact encodings itself); hashes with field TTLs as HASH_METADATA (version 12
 * only); streams as listpack nodes in the stream format the target knows (v1 for 9, v2 for 10, v3
 * for 11+). What a target cannot hold is an error (RdbTargetError), never a silent loss.
 *
 * Output goes to a sink in chunks as it is produced, with the CRC64 computed on the way, so a
 * snapshot of any size streams to disk without being held in memory.
 */

import { crc64 } from './crc64.js';
import { ByteBuffer } from '../../src/types/bytes.js';
import { sealPayload } from './payload.js';
import { lzfCompress } from './lzf.js';
import { RDB_VERSION_DEFAULT, RdbOpcode, RdbType, STREAM_ITEM_FLAG_DELETED, STREAM_ITEM_FLAG_SAMEFIELDS } from './constants.js';
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
function canonicalInt(s: string): bigint | null {
  if (s.length === 0 || s.length > 20 || !/^-?(0|[1-9][0-9]*)$/.test(s) || s === '-0') return null;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

function backlen(n: number): number[] {
  if (n <= 127) return [n];
  if (n < 16383) return [n >> 7, (n & 127) | 128];
  if (n < 2097151) return [n >> 14, ((n >> 7) & 127) | 128, (n & 127) | 128];
  if (n < 268435455) return [n >> 21, ((n >> 14) & 127) | 128, ((n >> 7) & 127) | 128, (n & 127) | 128];
  return [Math.floor(n / 2 ** 28), ((n >> 21) & 127) | 128, ((n >> 14) & 127) | 128, ((n >> 7) & 127) | 128, (n & 127) | 128];
}

/** Encodes elements as a listpack (integers in their compact forms, as lpAppend does). */
export function encodeListpack(items: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  let total = 6 + 1;
  for (const s of items) {
    let enc: Buffer;
    const v = canonicalInt(s);
    if (v !== null && v >= 0n && v <= 127n) enc = Buffer.from([Number(v)]);
    else if (v !== null && v >= -4096n && v <= 4095n) {
      const u = Number(v < 0n ? v + 8192n : v);
      enc = Buffer.from([0xc0 | (u >> 8), u & 0xff]);
    } else if (v !== null && v >= -32768n && v <= 32767n) {
      enc = Buffer.alloc(3);
      enc[0] = 0xf1;
      enc.writeInt16LE(Number(v), 1);
    } else if (v !== null && v >= -8388608n && v <= 8388607n) {
      enc = Buffer.alloc(4);
      enc[0] = 0xf2;
      enc.writeIntLE(Number(v), 1, 3);
    } else if (v !== null && v >= -2147483648n && v <= 2147483647n) {
      enc = Buffer.alloc(5);
      enc[0] = 0xf3;
      enc.writeInt32LE(Number(v), 1);
    } else if (v !== null) {
      enc = Buffer.alloc(9);
      enc[0] = 0xf4;
      enc.writeBigInt64LE(v, 1);
    } else {
      const data = Buffer.from(s, 'latin1');
      const n = data.length;
      if (n < 64) enc = Buffer.concat([Buffer.from([0x80 | n]), data]);
      else if (n < 4096) enc = Buffer.concat([Buffer.from([0xe0 | (n >> 8), n & 0xff]), data]);
      else {
        const head = Buffer.alloc(5);
        head[0] = 0xf0;
        head.writeUInt32LE(n, 1);
        enc = Buffer.concat([head, data]);
      }
    }
    const bl = Buffer.from(backlen(enc.length));
    parts.push(enc, bl);
    total += enc.length + bl.length;
  }
  const head = Buffer.alloc(6);
  head.writeUInt32LE(total, 0);
  head.writeUInt16LE(items.length < 65535 ? items.length : 65535, 4);
  return Buffer.concat([head, ...parts, Buffer.from([0xff])]);
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
      return RdbType.List;
    case 'set':
      return RdbType.Set;
    case 'zset':
      return RdbType.Zset2;
    case 'hash':
      if (v.fieldExpires !== undefined && v.fieldExpires.size > 0) {
        if (version < 12) throw new RdbTargetError(`hash field TTLs need RDB version 12 (target is ${version})`);
        return RdbType.HashMetadata;
      }
      return RdbType.Hash;
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
      out.saveLen(v.items.length);
      for (const it of v.items) out.string(it);
      return;
    case 'set':
      out.saveLen(v.members.length);
      for (const m of v.members) out.string(m);
      return;
    case 'zset':
      out.saveLen(v.entries.length);
      // Redis writes zsets from the tail so loading appends in order; order does not matter here.
      for (const [m, s] of v.entries) {
        out.string(m);
        out.binaryDouble(s);
      }
      return;
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
