/*
 * RDB reader: versions 1–12, every type 0–25 except module values, and every opcode.
 *
 * The whole file (or DUMP payload) is in one Buffer; a cursor walks it with bounds checks on every
 * read. Validation is strict: lengths within the data, compact encodings decoded and cross-checked
 * (encodings.ts), duplicate members and counts checked, the CRC64 trailer verified (version ≥ 5,
 * unless it is zero, which means "not computed") before any key is delivered. The first problem
 * throws RdbError with the offset; keys already delivered must then be discarded by the caller
 * (startup aborts, RESTORE answers an error), so a corrupt file never yields a half-loaded dataset.
 *
 * Empty collections are skipped with a notice, as Redis does ("skipping empty key").
 */

import { crc64 } from './crc64.js';
import { lzfDecompress, LzfError } from './lzf.js';
import { decodeIntset, decodeListpack, decodeZiplist, decodeZipmap, EncodingError } from './encodings.js';
import {
  QUICKLIST_NODE_PACKED,
  QUICKLIST_NODE_PLAIN,
  RDB_ENC_INT16,
  RDB_ENC_INT32,
  RDB_ENC_INT8,
  RDB_ENC_LZF,
  RDB_MODULE_OPCODE_DOUBLE,
  RDB_MODULE_OPCODE_EOF,
  RDB_MODULE_OPCODE_FLOAT,
  RDB_MODULE_OPCODE_SINT,
  RDB_MODULE_OPCODE_STRING,
  RDB_MODULE_OPCODE_UINT,
  RDB_VERSION_MAX,
  RDB_VERSION_MIN,
  RdbOpcode,
  RdbType,
  STREAM_ITEM_FLAG_DELETED,
  STREAM_ITEM_FLAG_SAMEFIELDS,
} from './constants.js';
import { parseDouble } from '../../src/types/numbers.js';
import { latin1String } from '../../src/types/bytes.js';
import type { RdbEntry, RdbValue, RdbVisitor, StreamEntry, StreamGroup, StreamId, StreamNodeLayout, StreamValue } from './model.js';

export class RdbError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at offset ${offset})`);
  }
}

/** Cursor over the RDB bytes. */
export class RdbCursor {
  pos = 0;

  constructor(readonly buf: Buffer) {}

  fail(message: string): never {
    throw new RdbError(message, this.pos);
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length) this.fail('Unexpected end of file');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** rdbLoadLen: returns the length, or -(encoding+1) for a special string encoding. */
  lenOrEncoding(): number {
    const first = this.u8();
    const type = first >> 6;
    if (type === 3) return -((first & 0x3f) + 1);
    if (type === 0) return first & 0x3f;
    if (type === 1) return ((first & 0x3f) << 8) | this.u8();
    if (first === 0x80) {
      this.need(4);
      const n = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return n;
    }
    if (first === 0x81) {
      this.need(8);
      const n = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) this.fail('Length out of range');
      return Number(n);
    }
    this.fail(`Unknown length encoding ${first}`);
  }

  len(): number {
    const n = this.lenOrEncoding();
    if (n < 0) this.fail('Unexpected string encoding where a length was expected');
    return n;
  }

  /** A length that may exceed 2^53 (stream ids, counters), as bigint. */
  bigLen(): bigint {
    const first = this.buf[this.pos];
    if (first === 0x81) {
      this.pos++;
      this.need(8);
      const n = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      return n;
    }
    return BigInt(this.len());
  }

  /** rdbGenericLoadStringObject as raw bytes. */
  stringBytes(): Buffer {
    const n = this.lenOrEncoding();
    // A view into the file: callers turn it into a string (a copy) or decode it at once.
    if (n >= 0) return this.bytes(n);
    const enc = -n - 1;
    if (enc === RDB_ENC_INT8) return Buffer.from(String(this.bytes(1).readInt8(0)), 'latin1');
    if (enc === RDB_ENC_INT16) return Buffer.from(String(this.bytes(2).readInt16LE(0)), 'latin1');
    if (enc === RDB_ENC_INT32) return Buffer.from(String(this.bytes(4).readInt32LE(0)), 'latin1');
    if (enc === RDB_ENC_LZF) {
      const clen = this.len();
      const len = this.len();
      const data = this.bytes(clen);
      // A 3-byte back reference yields at most 264 bytes: a larger claim is corrupt, and must not
      // make us allocate it.
      if (len > clen * 88) this.fail('Invalid LZF compressed string: impossible uncompressed length');
      try {
        return lzfDecompress(data, len);
      } catch (err) {
        if (err instanceof LzfError) this.fail(`Invalid LZF compressed string: ${err.message}`);
        throw err;
      }
    }
    this.fail(`Unknown RDB string encoding type ${enc}`);
  }

  string(): string {
    // The common case without an intermediate Buffer view: a plain length-prefixed string.
    const first = this.buf[this.pos];
    if (first !== undefined && first >> 6 !== 3) {
      const n = this.len();
      this.need(n);
      const s = latin1String(this.buf, this.pos, this.pos + n);
      this.pos += n;
      return s;
    }
    const b = this.stringBytes();
    return b.latin1Slice(0, b.length);
  }

  /** A double stored as text (RDB_TYPE_ZSET): 253 nan, 254 +inf, 255 -inf, else len + digits. */
  textDouble(): number {
    const len = this.u8();
    if (len === 253) return NaN;
    if (len === 254) return Infinity;
    if (len === 255) return -Infinity;
    const s = this.bytes(len).toString('latin1');
    const v = Number(s);
    if (Number.isNaN(v) && !/^nan$/i.test(s)) this.fail('Invalid double value');
    return v;
  }

  binaryDouble(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  millis(): number {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return Number(v);
  }
}

function str(b: Buffer): string {
  return b.toString('latin1');
}

/** Runs a compact-encoding decoder, turning its errors into an RdbError at the cursor. */
function decodeBlob(cur: RdbCursor, decoder: (b: Buffer) => string[], blob: Buffer): string[] {
  try {
    return decoder(blob);
  } catch (err) {
    if (err instanceof EncodingError) cur.fail(err.message);
    throw err;
  }
}

function pairs(items: string[], cur: RdbCursor, what: string): Array<[string, string]> {
  if (items.length % 2 !== 0) cur.fail(`${what} has an odd number of elements`);
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i += 2) {
    if (seen.has(items[i])) cur.fail(`${what} has duplicate entries`);
    seen.add(items[i]);
    out.push([items[i], items[i + 1]]);
  }
  return out;
}

function scoresFromPairs(items: string[], cur: RdbCursor, what: string): Array<[string, number]> {
  return pairs(items, cur, what).map(([m, s]) => {
    // Compact encodings keep scores as text ("inf", "-inf", "1.5", integers): strtod's rules.
    const v = parseDouble(s);
    if (v === null) cur.fail(`${what} has an invalid score`);
    return [m, v];
  });
}

function noDuplicates(items: string[], cur: RdbCursor, what: string): string[] {
  if (new Set(items).size !== items.length) cur.fail(`${what} has duplicate members`);
  return items;
}

function streamIdFrom(buf: Buffer): StreamId {
  return [buf.readBigUInt64BE(0), buf.readBigUInt64BE(8)];
}

/** Reads one value of the given type (rdbLoadObject). Returns null for a skipped empty value. */
export function readValue(cur: RdbCursor, type: number): RdbValue | null {
  switch (type) {
    case RdbType.String:
      return { type: 'string', value: cur.string() };
    case RdbType.List: {
      const n = cur.len();
      const items: string[] = [];
      for (let i = 0; i < n; i++) items.push(cur.string());
      return items.length === 0 ? null : { type: 'list', items };
    }
    case RdbType.Set: {
      const n = cur.len();
      const members: string[] = [];
      for (let i = 0; i < n; i++) members.push(cur.string());
      noDuplicates(members, cur, 'Set');
      return members.length === 0 ? null : { type: 'set', members };
    }
    case RdbType.Zset:
    case RdbType.Zset2: {
      const n = cur.len();
      const entries: Array<[string, number]> = [];
      const seen = new Set<string>();
      for (let i = 0; i < n; i++) {
        const m = cur.string();
        const s = type === RdbType.Zset ? cur.textDouble() : cur.binaryDouble();
        if (Number.isNaN(s)) cur.fail('Zset with NAN score detected');
        if (seen.has(m)) cur.fail('Duplicate zset fields detected');
        seen.add(m);
        entries.push([m, s]);
      }
      return entries.length === 0 ? null : { type: 'zset', entries };
    }
    case RdbType.Hash: {
      const n = cur.len();
      const items: string[] = [];
      for (let i = 0; i < n; i++) items.push(cur.string(), cur.string());
      const entries = pairs(items, cur, 'Hash');
      return entries.length === 0 ? null : { type: 'hash', entries };
    }
    case RdbType.HashMetadataPreGa:
    case RdbType.HashMetadata: {
      const minExpire = type === RdbType.HashMetadata ? cur.millis() : 0;
      const n = cur.len();
      const entries: Array<[string, string]> = [];
      const fieldExpires = new Map<string, number>();
      const seen = new Set<string>();
      for (let i = 0; i < n; i++) {
        const ttl = cur.bigLen();
        const field = cur.string();
        const value = cur.string();
        if (seen.has(field)) cur.fail('Duplicate hash fields detected');
        seen.add(field);
        entries.push([field, value]);
        // HASH_METADATA stores TTLs relative to minExpire, plus one (0 means none).
        const at = ttl === 0n ? 0 : type === RdbType.HashMetadata ? Number(ttl) + minExpire - 1 : Number(ttl);
        if (at !== 0) fieldExpires.set(field, at);
      }
      return entries.length === 0 ? null : { type: 'hash', entries, fieldExpires };
    }
    case RdbType.HashZipmap: {
      const items = decodeBlob(cur, decodeZipmap, cur.stringBytes());
      const entries = pairs(items, cur, 'Zipmap');
      return entries.length === 0 ? null : { type: 'hash', entries };
    }
    case RdbType.ListZiplist: {
      const items = decodeBlob(cur, decodeZiplist, cur.stringBytes());
      return items.length === 0 ? null : { type: 'list', items };
    }
    case RdbType.SetIntset: {
      const members = decodeBlob(cur, decodeIntset, cur.stringBytes());
      return members.length === 0 ? null : { type: 'set', members };
    }
    case RdbType.SetListpack: {
      const members = noDuplicates(decodeBlob(cur, decodeListpack, cur.stringBytes()), cur, 'Set listpack');
      return members.length === 0 ? null : { type: 'set', members };
    }
    case RdbType.ZsetZiplist:
    case RdbType.ZsetListpack: {
      const items = decodeBlob(cur, type === RdbType.ZsetZiplist ? decodeZiplist : decodeListpack, cur.stringBytes());
      const entries = scoresFromPairs(items, cur, 'Zset');
      return entries.length === 0 ? null : { type: 'zset', entries };
    }
    case RdbType.HashZiplist:
    case RdbType.HashListpack: {
      const items = decodeBlob(cur, type === RdbType.HashZiplist ? decodeZiplist : decodeListpack, cur.stringBytes());
      const entries = pairs(items, cur, 'Hash');
      return entries.length === 0 ? null : { type: 'hash', entries };
    }
    case RdbType.HashListpackExPreGa:
    case RdbType.HashListpackEx: {
      if (type === RdbType.HashListpackEx) cur.millis(); // minExpire: informational
      const items = decodeBlob(cur, decodeListpack, cur.stringBytes());
      if (items.length % 3 !== 0) cur.fail('Hash listpackex integrity check failed');
      const entries: Array<[string, string]> = [];
      const fieldExpires = new Map<string, number>();
      const seen = new Set<string>();
      for (let i = 0; i < items.length; i += 3) {
        if (seen.has(items[i])) cur.fail('Duplicate hash fields detected');
        seen.add(items[i]);
        entries.push([items[i], items[i + 1]]);
        const ttl = Number(items[i + 2]);
        if (ttl !== 0) fieldExpires.set(items[i], ttl);
      }
      return entries.length === 0 ? null : { type: 'hash', entries, fieldExpires };
    }
    case RdbType.ListQuicklist:
    case RdbType.ListQuicklist2: {
      const nodes = cur.len();
      const items: string[] = [];
      for (let i = 0; i < nodes; i++) {
        let container = QUICKLIST_NODE_PACKED;
        if (type === RdbType.ListQuicklist2) {
          container = cur.len();
          if (container !== QUICKLIST_NODE_PACKED && container !== QUICKLIST_NODE_PLAIN) cur.fail('Quicklist integrity check failed: bad container');
        }
        const blob = cur.stringBytes();
        if (container === QUICKLIST_NODE_PLAIN) {
          items.push(str(blob));
          continue;
        }
        const node = decodeBlob(cur, type === RdbType.ListQuicklist ? decodeZiplist : decodeListpack, blob);
        // Redis skips empty nodes when loading (they are never written by a healthy server).
        for (const it of node) items.push(it);
      }
      return items.length === 0 ? null : { type: 'list', items };
    }
    case RdbType.StreamListpacks:
    case RdbType.StreamListpacks2:
    case RdbType.StreamListpacks3:
      return readStream(cur, type);
    case RdbType.ModulePreGa:
    case RdbType.Module2:
      cur.fail('Module values are not supported (no modules are loaded)');
      break;
    default:
      cur.fail(`Unknown RDB encoding type ${type}`);
  }
  return null;
}

const UNKNOWN_ENTRIES_READ = 0xffffffffffffffffn;

function readStream(cur: RdbCursor, type: number): StreamValue {
  const nodes = cur.len();
  const entries: StreamEntry[] = [];
  const layout: StreamNodeLayout[] = [];
  let lastMaster: StreamId | null = null;
  for (let n = 0; n < nodes; n++) {
    const nodeKey = cur.stringBytes();
    if (nodeKey.length !== 16) cur.fail('Stream node key entry is not the size of a stream ID');
    const master = streamIdFrom(nodeKey);
    if (lastMaster !== null && (master[0] < lastMaster[0] || (master[0] === lastMaster[0] && master[1] <= lastMaster[1]))) {
      cur.fail('Stream node keys out of order');
    }
    lastMaster = master;
    const lp = decodeBlob(cur, decodeListpack, cur.stringBytes());
    if (lp.length === 0) cur.fail('Empty listpack inside stream');
    layout.push(readStreamNode(cur, master, lp, entries));
  }
  const length = cur.len();
  const lastId: StreamId = [cur.bigLen(), cur.bigLen()];
  let firstId: StreamId = entries.length > 0 ? entries[0].id : [0n, 0n];
  let maxDeletedId: StreamId = [0n, 0n];
  let entriesAdded = length;
  if (type >= RdbType.StreamListpacks2) {
    firstId = [cur.bigLen(), cur.bigLen()];
    maxDeletedId = [cur.bigLen(), cur.bigLen()];
    entriesAdded = cur.len();
  }
  if (length !== entries.length) cur.fail('Stream length inconsistent with its entries');
  const groups: StreamGroup[] = [];
  const groupCount = cur.len();
  const groupNames = new Set<string>();
  for (let g = 0; g < groupCount; g++) {
    const name = cur.string();
    if (groupNames.has(name)) cur.fail(`Duplicated consumer group name ${name}`);
    groupNames.add(name);
    const lastGroupId: StreamId = [cur.bigLen(), cur.bigLen()];
    // entries-read is a uint64 where all ones means "unknown" (SCG_INVALID_ENTRIES_READ).
    const rawRead = type >= RdbType.StreamListpacks2 ? cur.bigLen() : UNKNOWN_ENTRIES_READ;
    const entriesRead = rawRead === UNKNOWN_ENTRIES_READ ? -1 : Number(rawRead);
    const pelSize = cur.len();
    const pending: StreamGroup['pending'] = [];
    const pelIndex = new Map<string, boolean>();
    for (let i = 0; i < pelSize; i++) {
      const raw = cur.bytes(16);
      const id = streamIdFrom(raw);
      const k = raw.toString('hex');
      if (pelIndex.has(k)) cur.fail('Duplicated global PEL entry loading stream consumer group');
      pelIndex.set(k, false);
      const deliveryTime = cur.millis();
      const deliveryCount = cur.len();
      pending.push({ id, deliveryTime, deliveryCount });
    }
    const consumerCount = cur.len();
    const consumers: StreamGroup['consumers'] = [];
    const consumerNames = new Set<string>();
    for (let i = 0; i < consumerCount; i++) {
      const cname = cur.string();
      if (consumerNames.has(cname)) cur.fail('Duplicate stream consumer detected');
      consumerNames.add(cname);
      const seenTime = cur.millis();
      const activeTime = type >= RdbType.StreamListpacks3 ? cur.millis() : seenTime;
      const n = cur.len();
      const ids: StreamId[] = [];
      for (let k = 0; k < n; k++) {
        const raw = cur.bytes(16);
        const key = raw.toString('hex');
        if (!pelIndex.has(key)) cur.fail('Consumer entry not found in group global PEL');
        if (pelIndex.get(key)) cur.fail('Duplicated consumer PEL entry loading a stream consumer group');
        pelIndex.set(key, true);
        ids.push(streamIdFrom(raw));
      }
      consumers.push({ name: cname, seenTime, activeTime, pending: ids });
    }
    for (const owned of pelIndex.values()) if (!owned) cur.fail('Stream CG PEL entry without consumer');
    groups.push({ name, lastId: lastGroupId, entriesRead, pending, consumers });
  }
  return { type: 'stream', entries, nodes: layout, length, lastId, firstId, maxDeletedId, entriesAdded, groups };
}

/**
 * One stream listpack node: a master entry (count, deleted, master field names, 0) then entries
 * (flags, ms-delta, seq-delta, [numfields], fields/values, lp-count).
 */
function readStreamNode(cur: RdbCursor, master: StreamId, lp: string[], out: StreamEntry[]): StreamNodeLayout {
  let i = 0;
  const next = (): string => {
    if (i >= lp.length) cur.fail('Stream listpack integrity check failed: truncated node');
    return lp[i++];
  };
  const int = (): number => {
    const s = next();
    const v = Number(s);
    if (!Number.isInteger(v)) cur.fail('Stream listpack integrity check failed: integer expected');
    return v;
  };
  const count = int();
  const deleted = int();
  const masterFieldCount = int();
  const masterFields: string[] = [];
  for (let f = 0; f < masterFieldCount; f++) masterFields.push(next());
  if (int() !== 0) cur.fail('Stream listpack integrity check failed: master entry terminator');
  const node: StreamNodeLayout = { master, masterFields, entries: [] };
  let seen = 0;
  while (i < lp.length) {
    const flags = int();
    // Deltas are the uint64 differences stored as int64s.
    const ms = BigInt.asUintN(64, master[0] + BigInt(next()));
    const seq = BigInt.asUintN(64, master[1] + BigInt(next()));
    const fields: string[] = [];
    if (flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
      for (const f of masterFields) fields.push(f, next());
    } else {
      const nf = int();
      for (let f = 0; f < nf; f++) fields.push(next(), next());
    }
    int(); // lp-count, for backward walks
    seen++;
    const isDeleted = (flags & STREAM_ITEM_FLAG_DELETED) !== 0;
    const entry = { id: [ms, seq] as const, fields, deleted: isDeleted };
    node.entries.push(entry);
    if (!isDeleted) out.push(entry);
  }
  if (seen !== count + deleted) cur.fail('Stream listpack integrity check failed: entry count');
  return node;
}

/** Skips a MODULE_AUX payload: module id, when-opcode, when, then typed values up to EOF. */
function skipModuleAux(cur: RdbCursor): void {
  cur.bigLen(); // module id
  cur.len(); // when opcode
  cur.len(); // when
  for (;;) {
    const op = cur.len();
    if (op === RDB_MODULE_OPCODE_EOF) return;
    if (op === RDB_MODULE_OPCODE_SINT || op === RDB_MODULE_OPCODE_UINT) cur.bigLen();
    else if (op === RDB_MODULE_OPCODE_FLOAT) cur.bytes(4);
    else if (op === RDB_MODULE_OPCODE_DOUBLE) cur.bytes(8);
    else if (op === RDB_MODULE_OPCODE_STRING) cur.stringBytes();
    else cur.fail(`Unknown module value opcode ${op}`);
  }
}

export interface RdbFileInfo {
  version: number;
  /** False when the file had no checksum (version < 5, or a zero checksum). */
  checksummed: boolean;
  /** Offset just past the RDB (its checksum trailer): data.length unless read as a prefix. */
  end: number;
}

export interface RdbReadOptions {
  /**
   * The RDB is a prefix of `data` (an AOF with an RDB preamble: commands follow the trailer). Its
   * end is only known once EOF is read, so the checksum is verified then, after the keys were
   * delivered — unless the whole data is one RDB whose trailer verifies, which is checked first.
   */
  prefix?: boolean;
}

/** The whole-data checksum check: 'ok', 'unchecked' (zero trailer) or 'bad'. */
function trailerStatus(data: Buffer, end: number): 'ok' | 'unchecked' | 'bad' {
  const stored = data.readBigUInt64LE(end - 8);
  if (stored === 0n) return 'unchecked';
  return crc64(0n, data, 0, end - 8) === stored ? 'ok' : 'bad';
}

/** Reads a whole RDB file, delivering its content to the visitor in file order. */
export function readRdb(data: Buffer, visitor: RdbVisitor, opts: RdbReadOptions = {}): RdbFileInfo {
  const cur = new RdbCursor(data);
  if (data.length < 9 || data.toString('latin1', 0, 5) !== 'REDIS') cur.fail('Wrong signature trying to load DB from file');
  const versionText = data.toString('latin1', 5, 9);
  if (!/^\d{4}$/.test(versionText)) cur.fail('Wrong signature trying to load DB from file');
  const version = Number(versionText);
  if (version < RDB_VERSION_MIN || version > RDB_VERSION_MAX) cur.fail(`Can't handle RDB format version ${version}`);
  // Verify the trailer first: nothing is delivered from a file whose checksum is wrong.
  let checksummed = false;
  let verifyAtEof = false;
  if (version >= 5) {
    if (data.length < 9 + 1 + 8) cur.fail('Unexpected end of file');
    const status = trailerStatus(data, data.length);
    if (status === 'bad' && !opts.prefix) throw new RdbError('Wrong RDB checksum', data.length - 8);
    checksummed = status === 'ok';
    verifyAtEof = opts.prefix === true && status !== 'ok';
  }
  cur.pos = 9;
  let db = 0;
  let expire = -1;
  let idle: number | undefined;
  let freq: number | undefined;
  for (;;) {
    visitor.recordStart?.(cur.pos);
    const type = cur.u8();
    if (type === RdbOpcode.Eof) break;
    switch (type) {
      case RdbOpcode.ExpireTime:
        expire = cur.bytes(4).readInt32LE(0) * 1000;
        continue;
      case RdbOpcode.ExpireTimeMs:
        expire = cur.millis();
        continue;
      case RdbOpcode.Freq:
        freq = cur.u8();
        continue;
      case RdbOpcode.Idle:
        idle = Number(cur.bigLen());
        continue;
      case RdbOpcode.SelectDb:
        db = cur.len();
        visitor.selectDb?.(db);
        continue;
      case RdbOpcode.ResizeDb: {
        const size = cur.len();
        const expires = cur.len();
        visitor.resizeDb?.(db, size, expires);
        continue;
      }
      case RdbOpcode.Aux: {
        const k = cur.string();
        const v = cur.string();
        visitor.aux?.(k, v);
        continue;
      }
      case RdbOpcode.ModuleAux:
        skipModuleAux(cur);
        visitor.warning?.('Skipped module auxiliary data (no modules are loaded)');
        continue;
      case RdbOpcode.Function2: {
        // Read before the optional call: `f?.(arg)` skips evaluating arg when f is absent.
        const code = cur.string();
        visitor.functionLibrary?.(code);
        continue;
      }
      case RdbOpcode.FunctionPreGa:
        cur.fail('Pre-release function format (Redis 7.0 RC) is not supported');
        break;
      case RdbOpcode.SlotInfo:
        cur.len();
        cur.len();
        cur.len();
        continue;
      default:
        break;
    }
    const key = cur.string();
    let value: RdbValue | null;
    try {
      value = readValue(cur, type);
    } catch (err) {
      if (err instanceof RdbError) throw new RdbError(`${err.message.replace(/ \(at offset \d+\)$/, '')} in key '${key.slice(0, 128)}'`, err.offset);
      throw err;
    }
    if (value === null) {
      visitor.skipped?.(key, 'empty');
    } else {
      const e: RdbEntry = { db, key, value, expire };
      if (idle !== undefined) e.idle = idle;
      if (freq !== undefined) e.freq = freq;
      visitor.entry(e);
    }
    expire = -1;
    idle = undefined;
    freq = undefined;
  }
  if (version < 5) return { version, checksummed, end: cur.pos };
  if (verifyAtEof) {
    cur.need(8);
    const status = trailerStatus(data, cur.pos + 8);
    if (status === 'bad') cur.fail('Wrong RDB checksum');
    checksummed = status === 'ok';
  } else if (cur.pos + 8 !== data.length) {
    cur.fail('Unexpected data after the end of the RDB');
  }
  return { version, checksummed, end: cur.pos + 8 };
}
