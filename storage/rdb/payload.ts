/*
 * The DUMP payload frame (cluster.c createDumpPayload / verifyDumpPayload), shared by DUMP/RESTORE
 * and FUNCTION DUMP/RESTORE:
 *
 *   body | RDB version (2 bytes, little endian) | CRC-64 of everything before (8 bytes, little endian)
 *
 * A payload is accepted when its RDB version is not newer than ours and the checksum matches.
 */

import { crc64 } from './crc64.js';

/** The RDB format version Redis 7.0 writes. */
export const RDB_VERSION = 10;

/** Opcodes of the records a payload or RDB file holds (rdb.h). */
export const RDB_OPCODE_FUNCTION2 = 245;
/** The 7.0-rc1/rc2 function record: name, engine, optional description, code. */
export const RDB_OPCODE_FUNCTION = 246;

const FOOTER = 10;

export function sealPayload(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length + FOOTER);
  body.copy(out, 0);
  out.writeUInt16LE(RDB_VERSION, body.length);
  out.writeBigUInt64LE(crc64(out, 0n, 0, body.length + 2), body.length + 2);
  return out;
}

/** The body's end offset and the payload's RDB version, or null when the frame is not valid. */
export function openPayload(payload: Buffer): { bodyEnd: number; rdbVersion: number } | null {
  if (payload.length < FOOTER) return null;
  const bodyEnd = payload.length - FOOTER;
  const rdbVersion = payload.readUInt16LE(bodyEnd);
  if (rdbVersion > RDB_VERSION) return null;
  if (crc64(payload, 0n, 0, bodyEnd + 2) !== payload.readBigUInt64LE(bodyEnd + 2)) return null;
  return { bodyEnd, rdbVersion };
}
