/*
 * Bitmap commands (Redis's bitops.c): SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
 *
 * A bitmap is an ordinary string value (latin1, one char per byte; see types/object.ts), so every
 * string command, DEBUG DIGEST and the RDB code see the same bytes Redis would. A write builds the
 * new string: SETBIT splices one byte in, BITFIELD and BITOP work on a Buffer and store its bytes.
 * Values written here are stored as strings, never in the number form (Redis leaves them raw).
 *
 * Offsets are bit offsets below proto-max-bulk-len * 8 ("ERR bit offset is not an integer or out
 * of range"); a value that would outgrow V8's longest string gets the string size error instead.
 *
 * Replayed forms: SETBIT, BITOP and BITFIELD replay as sent, and only when they changed something.
 * As in Redis, SETBIT and BITFIELD create or zero-pad the value before they know whether anything
 * changes: BITFIELD whose every write fails (OVERFLOW FAIL) still leaves the padded value behind,
 * without an event or a replayed command.
 */

import { constants as bufferConstants } from 'node:buffer';
import type { Client } from '../server/client.js';
import type { CommandSpec } from './spec.js';
import { intArgOrReply, isOpt, wrongType } from './args.js';
import { ERR_NOT_INTEGER, ERR_STRING_TOO_LONG, ERR_SYNTAX } from '../protocol/errors.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../keyspace/notify.js';
import { stringOf } from '../types/object.js';
import { parseInt64 } from '../types/numbers.js';
import { countBits, fieldResult, findBit, getSignedField, getUnsignedField, setField, type FieldType, type Overflow } from '../types/bitfield.js';

const ERR_BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
const ERR_BIT_VALUE = 'ERR bit is not an integer or out of range';
const ERR_FIELD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

// ---------------------------------------------------------------------------------------------
// Low level: arguments and values

/**
 * getBitOffsetFromArgument: a bit offset, or null after replying the error. With `fieldBits` > 0
 * (BITFIELD) "#n" means n * fieldBits; the product wraps in int64 as Redis's does.
 */
function bitOffsetOrReply(c: Client, arg: string, fieldBits: number): number | null {
  const hash = fieldBits > 0 && arg.charCodeAt(0) === 35; // '#'
  let n = parseInt64(hash ? arg.slice(1) : arg);
  if (n !== null && hash) n = BigInt.asIntN(64, n * BigInt(fieldBits));
  if (n === null || n < 0n || n >> 3n >= BigInt(c.server.protoMaxBulkLen)) {
    c.reply.error(ERR_BIT_OFFSET);
    return null;
  }
  return Number(n);
}

/** getBitfieldTypeFromArgument: i1..i64 or u1..u63 (u64 would not fit a RESP integer). */
function fieldTypeOrReply(c: Client, arg: string): FieldType | null {
  const sign = arg.charCodeAt(0);
  // C reads the width with strlen: it ends at the first NUL byte.
  const nul = arg.indexOf('\0');
  const bits = parseInt64(arg.slice(1, nul < 0 ? arg.length : nul));
  const signed = sign === 105; // 'i'
  if ((signed || sign === 117) && bits !== null && bits >= 1n && bits <= (signed ? 64n : 63n)) return { signed, bits: Number(bits) };
  c.reply.error(ERR_FIELD_TYPE);
  return null;
}

/** The string at key for a read: undefined when missing, null after a WRONGTYPE reply. */
function readBitmap(c: Client, key: string): string | undefined | null {
  const v = c.server.keyspace.lookupRead(c.db, key);
  if (v === undefined) return undefined;
  if (wrongType(c, v, 'string')) return null;
  return stringOf(v as string | number);
}

/**
 * lookupStringForBitCommand, for a write reaching byte `lastByte`: the current bytes ('' when the
 * key is missing), or null after replying WRONGTYPE or the size error.
 */
function writeBitmap(c: Client, key: string, lastByte: number): { bytes: string; grows: boolean } | null {
  const v = c.server.keyspace.lookupWrite(c.db, key);
  if (wrongType(c, v, 'string')) return null;
  if (lastByte + 1 > bufferConstants.MAX_STRING_LENGTH) {
    c.reply.error(ERR_STRING_TOO_LONG);
    return null;
  }
  const bytes = v === undefined ? '' : stringOf(v as string | number);
  // Redis's lookupStringForBitCommand unshares the value even when nothing changes.
  if (v !== undefined) c.server.keyspace.markRaw(c.db, key);
  return { bytes, grows: v === undefined || lastByte >= bytes.length };
}

/** A Buffer of at least `length` bytes holding `bytes`, zero-padded. */
function paddedBuffer(bytes: string, length: number): Buffer {
  const buf = Buffer.alloc(Math.max(bytes.length, length));
  buf.latin1Write(bytes, 0);
  return buf;
}

// ---------------------------------------------------------------------------------------------
// SETBIT GETBIT

function setbitCommand(c: Client, argv: string[]): void {
  const offset = bitOffsetOrReply(c, argv[2], 0);
  if (offset === null) return;
  const on = intArgOrReply(c, argv[3], ERR_BIT_VALUE);
  if (on === null) return;
  if (on !== 0 && on !== 1) {
    c.reply.error(ERR_BIT_VALUE);
    return;
  }
  const key = argv[1];
  const byte = Math.floor(offset / 8);
  const cur = writeBitmap(c, key, byte);
  if (cur === null) return;
  const s = cur.bytes;
  const old = byte < s.length ? s.charCodeAt(byte) : 0;
  const shift = 7 - (offset & 7);
  const was = (old >> shift) & 1;
  if (cur.grows || was !== on) {
    const ch = String.fromCharCode((old & ~(1 << shift)) | (on << shift));
    const next = byte < s.length ? s.slice(0, byte) + ch + s.slice(byte + 1) : s + '\0'.repeat(byte - s.length) + ch;
    const ks = c.server.keyspace;
    ks.setKey(c.db, key, next, true);
    ks.markRaw(c.db, key);
    ks.effects.keyChanged(c.db, key, NOTIFY_STRING, 'setbit');
    ks.effects.propagate(c.db.id, argv);
  }
  c.reply.integer(was);
}

function getbitCommand(c: Client, argv: string[]): void {
  const offset = bitOffsetOrReply(c, argv[2], 0);
  if (offset === null) return;
  const s = readBitmap(c, argv[1]);
  if (s === null) return;
  const byte = Math.floor(offset / 8);
  c.reply.integer(s === undefined || byte >= s.length ? 0 : (s.charCodeAt(byte) >> (7 - (offset & 7))) & 1);
}

// ---------------------------------------------------------------------------------------------
// BITCOUNT BITPOS

/** BIT or BYTE (the unit of a range); null after a syntax error reply. */
function rangeUnitOrReply(c: Client, arg: string): boolean | null {
  if (isOpt(arg, 'BIT')) return true;
  if (isOpt(arg, 'BYTE')) return false;
  c.reply.error(ERR_SYNTAX);
  return null;
}

/**
 * A start..end range in units of `total` (bytes or bits), negative from the end, clamped as Redis
 * does (start to 0, end to total - 1); start > end when empty.
 */
function clampRange(start: number, end: number, total: number): [number, number] {
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  return [start, end];
}

/** BITCOUNT key [start end [BYTE|BIT]]: a missing key counts 0 before any argument is read. */
function bitcountCommand(c: Client, argv: string[]): void {
  const s = readBitmap(c, argv[1]);
  if (s === null) return;
  if (s === undefined) {
    c.reply.integer(0);
    return;
  }
  let startBit = 0;
  let endBit = s.length * 8 - 1;
  if (argv.length === 4 || argv.length === 5) {
    const start = intArgOrReply(c, argv[2]);
    if (start === null) return;
    const end = intArgOrReply(c, argv[3]);
    if (end === null) return;
    // Checked before the unit, as Redis does.
    if (start < 0 && end < 0 && start > end) {
      c.reply.integer(0);
      return;
    }
    const isBit = argv.length === 5 ? rangeUnitOrReply(c, argv[4]) : false;
    if (isBit === null) return;
    const [from, to] = clampRange(start, end, isBit ? s.length * 8 : s.length);
    if (from > to) {
      c.reply.integer(0);
      return;
    }
    startBit = isBit ? from : from * 8;
    endBit = isBit ? to : to * 8 + 7;
  } else if (argv.length !== 2) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  c.reply.integer(countBits(s, startBit, endBit));
}

/**
 * BITPOS key bit [start [end [BYTE|BIT]]]. A missing key is all zeros: 0 for a clear bit, -1 for a
 * set one. Without an end the value is taken as zero-padded on the right, so a search for a clear
 * bit through all ones answers the first bit after the range; with an end it answers -1.
 */
function bitposCommand(c: Client, argv: string[]): void {
  const bit = intArgOrReply(c, argv[2]);
  if (bit === null) return;
  if (bit !== 0 && bit !== 1) {
    c.reply.error('ERR The bit argument must be 1 or 0.');
    return;
  }
  const s = readBitmap(c, argv[1]);
  if (s === null) return;
  if (s === undefined) {
    c.reply.integer(bit === 1 ? -1 : 0);
    return;
  }
  let startBit = 0;
  let endBit = s.length * 8 - 1;
  const endGiven = argv.length >= 5;
  if (argv.length >= 4 && argv.length <= 6) {
    const start = intArgOrReply(c, argv[3]);
    if (start === null) return;
    const isBit = argv.length === 6 ? rangeUnitOrReply(c, argv[5]) : false;
    if (isBit === null) return;
    const total = isBit ? s.length * 8 : s.length;
    let end = total - 1;
    if (endGiven) {
      const e = intArgOrReply(c, argv[4]);
      if (e === null) return;
      end = e;
    }
    const [from, to] = clampRange(start, end, total);
    startBit = isBit ? from : from * 8;
    endBit = isBit ? to : to * 8 + 7;
  } else if (argv.length !== 3) {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  if (startBit > endBit) {
    c.reply.integer(-1);
    return;
  }
  const pos = findBit(s, bit, startBit, endBit);
  c.reply.integer(pos >= 0 || bit === 1 || endGiven ? pos : endBit + 1);
}

// ---------------------------------------------------------------------------------------------
// BITOP

function bitopCommand(c: Client, argv: string[]): void {
  const op = argv[1].toUpperCase();
  if (op !== 'AND' && op !== 'OR' && op !== 'XOR' && op !== 'NOT') {
    c.reply.error(ERR_SYNTAX);
    return;
  }
  if (op === 'NOT' && argv.length !== 4) {
    c.reply.error('ERR BITOP NOT must be called with a single source key.');
    return;
  }
  const sources: string[] = [];
  let maxLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const s = readBitmap(c, argv[j]);
    if (s === null) return;
    const bytes = s ?? '';
    sources.push(bytes);
    if (bytes.length > maxLen) maxLen = bytes.length;
  }
  const ks = c.server.keyspace;
  const dst = argv[2];
  if (maxLen > 0) {
    const out = Buffer.alloc(maxLen);
    const first = sources[0];
    for (let i = 0; i < maxLen; i++) {
      let b = i < first.length ? first.charCodeAt(i) : 0;
      if (op === 'NOT') b = ~b & 0xff;
      for (let k = 1; k < sources.length; k++) {
        const src = sources[k];
        const x = i < src.length ? src.charCodeAt(i) : 0;
        if (op === 'AND') b &= x;
        else if (op === 'OR') b |= x;
        else b ^= x;
      }
      out[i] = b;
    }
    ks.setKey(c.db, dst, out.latin1Slice(0, maxLen));
    ks.markRaw(c.db, dst);
    ks.effects.keyChanged(c.db, dst, NOTIFY_STRING, 'set');
    ks.effects.propagate(c.db.id, argv);
  } else if (ks.delete(c.db, dst)) {
    ks.effects.keyChanged(c.db, dst, NOTIFY_GENERIC, 'del');
    ks.effects.propagate(c.db.id, argv);
  }
  c.reply.integer(maxLen);
}

// ---------------------------------------------------------------------------------------------
// BITFIELD BITFIELD_RO

const OP_GET = 0;
const OP_SET = 1;
const OP_INCRBY = 2;

interface FieldOp {
  code: number;
  type: FieldType;
  offset: number;
  /** SET's value or INCRBY's increment. */
  value: bigint;
  overflow: Overflow;
}

/**
 * BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
 * [OVERFLOW WRAP|SAT|FAIL] ...: every operation is parsed (and every error found) before the key
 * is touched; OVERFLOW applies to the SET and INCRBY that follow it.
 */
function bitfieldGeneric(c: Client, argv: string[], readonlyCommand: boolean): void {
  const ops: FieldOp[] = [];
  let overflow: Overflow = 'wrap';
  let writes = false;
  let highestBit = 0;
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const sub = argv[j];
    let code: number;
    if (isOpt(sub, 'GET') && remaining >= 2) code = OP_GET;
    else if (isOpt(sub, 'SET') && remaining >= 3) code = OP_SET;
    else if (isOpt(sub, 'INCRBY') && remaining >= 3) code = OP_INCRBY;
    else if (isOpt(sub, 'OVERFLOW') && remaining >= 1) {
      const policy = argv[++j];
      if (isOpt(policy, 'WRAP')) overflow = 'wrap';
      else if (isOpt(policy, 'SAT')) overflow = 'sat';
      else if (isOpt(policy, 'FAIL')) overflow = 'fail';
      else {
        c.reply.error('ERR Invalid OVERFLOW type specified');
        return;
      }
      continue;
    } else {
      c.reply.error(ERR_SYNTAX);
      return;
    }
    const type = fieldTypeOrReply(c, argv[j + 1]);
    if (type === null) return;
    const offset = bitOffsetOrReply(c, argv[j + 2], type.bits);
    if (offset === null) return;
    let value = 0n;
    if (code !== OP_GET) {
      writes = true;
      highestBit = Math.max(highestBit, offset + type.bits - 1);
      const v = parseInt64(argv[j + 3]);
      if (v === null) {
        c.reply.error(ERR_NOT_INTEGER);
        return;
      }
      value = v;
    }
    ops.push({ code, type, offset, value, overflow });
    j += code === OP_GET ? 2 : 3;
  }

  const r = c.reply;
  if (!writes) {
    const s = readBitmap(c, argv[1]);
    if (s === null) return;
    r.array(ops.length);
    for (const op of ops) r.integer(readField(s ?? '', op));
    return;
  }
  if (readonlyCommand) {
    r.error('ERR BITFIELD_RO only supports the GET subcommand');
    return;
  }
  const key = argv[1];
  const cur = writeBitmap(c, key, Math.floor(highestBit / 8));
  if (cur === null) return;
  const buf = paddedBuffer(cur.bytes, Math.floor(highestBit / 8) + 1);
  let changes = 0;
  r.array(ops.length);
  for (const op of ops) {
    if (op.code === OP_GET) {
      r.integer(readField(buf, op));
      continue;
    }
    const old = readField(buf, op);
    const next = fieldResult(op.type, old, op.value, op.code === OP_INCRBY, op.overflow);
    if (next === null) {
      r.nullBulk();
      continue;
    }
    r.integer(op.code === OP_INCRBY ? next : old);
    setField(buf, op.offset, op.type.bits, next);
    if (cur.grows || next !== old) changes++;
  }
  const ks = c.server.keyspace;
  if (changes > 0 || cur.grows) {
    ks.setKey(c.db, key, buf.latin1Slice(0, buf.length), true);
    ks.markRaw(c.db, key);
  }
  if (changes > 0) {
    ks.effects.keyChanged(c.db, key, NOTIFY_STRING, 'setbit');
    ks.effects.dirty += changes - 1;
    ks.effects.propagate(c.db.id, argv);
  }
}

function readField(src: string | Uint8Array, op: FieldOp): bigint {
  return op.type.signed ? getSignedField(src, op.offset, op.type.bits) : getUnsignedField(src, op.offset, op.type.bits);
}

function bitfieldCommand(c: Client, argv: string[]): void {
  bitfieldGeneric(c, argv, false);
}

function bitfieldRoCommand(c: Client, argv: string[]): void {
  bitfieldGeneric(c, argv, true);
}

export const commands = [
  { name: 'setbit', arity: 4, flags: ['write', 'denyoom'], acl: ['bitmap'], keys: [1, 1, 1], run: setbitCommand },
  { name: 'getbit', arity: 3, flags: ['readonly', 'fast'], acl: ['bitmap'], keys: [1, 1, 1], run: getbitCommand },
  { name: 'bitcount', arity: -2, flags: ['readonly'], acl: ['bitmap'], keys: [1, 1, 1], run: bitcountCommand },
  { name: 'bitpos', arity: -3, flags: ['readonly'], acl: ['bitmap'], keys: [1, 1, 1], run: bitposCommand },
  { name: 'bitop', arity: -4, flags: ['write', 'denyoom'], acl: ['bitmap'], keys: [2, -1, 1], run: bitopCommand },
  { name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], acl: ['bitmap'], keys: [1, 1, 1], run: bitfieldCommand },
  { name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], acl: ['bitmap'], keys: [1, 1, 1], run: bitfieldRoCommand },
] satisfies CommandSpec[];
