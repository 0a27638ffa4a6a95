/*
 * The DUMP payload frame (cluster.c createDumpPayload / verifyDumpPayload), shared by DUMP/RESTORE
 * and FUNCTION DUMP/RESTORE:
 *
 *   body | RDB version (2 bytes, little endian) | CRC-64 of everything before (8 bytes, little endian)
 *
 * A payload is accepted when its RDB version is not newer than ours and the checksum matches.
 */

import { crc64 } from './crc64.js';
import { RDB_VERSION_DEFAULT, RDB_VERSION_MAX } from './constants.js';

const FOOTER = 10;

export function sealPayload(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length + FOOTER);
  body.copy(out, 0);
  out.writeUInt16LE(RDB_VERSION_DEFAULT, body.length);
  out.writeBigUInt64LE(crc64(0n, out, 0, body.length + 2), body.length + 2);
  return out;
}

/** The body's end offset and the payload's RDB version, or null when the frame is not valid. */
export function openPayload(payload: Buffer): { bodyEnd: number; rdbVersion: number } | null {
  if (payload.length < FOOTER) return null;
  const bodyEnd = payload.length - FOOTER;
  const rdbVersion = payload.readUInt16LE(bodyEnd);
  // Newer payloads are refused; strata reads every version up to 12 but Redis 7.0 stops at its own.
  if (rdbVersion > RDB_VERSION_MAX) return null;
  if (crc64(0n, payload, 0, bodyEnd + 2) !== payload.readBigUInt64LE(bodyEnd + 2)) return null;
  return { bodyEnd, rdbVersion };
}
