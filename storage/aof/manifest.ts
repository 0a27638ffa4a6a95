/*
 * The AOF manifest of Redis 7's multi-part layout:
 *
 *   <dir>/<appenddirname>/<appendfilename>.manifest
 *   file appendonly.aof.1.base.rdb seq 1 type b
 *   file appendonly.aof.1.incr.aof seq 1 type i
 *
 * One base (type b, RDB or AOF format by its suffix), history files (type h, awaiting deletion after
 * a rewrite) and incr files (type i) in increasing seq order; loading replays the base then the
 * incrs. Names that need quoting are written as Redis's sdscatrepr does.
 *
 * The manifest is replaced atomically: written to temp-<name>, fsynced, renamed over the old one,
 * then the directory is fsynced, so a crash leaves either the old or the new manifest, whole.
 */

import fs from 'node:fs';
import path from 'node:path';
import { splitArgs } from '../../src/types/splitargs.js';
import { realIo, type FileIo } from '../io/fs.js';

export type AofFileType = 'b' | 'h' | 'i';

export interface AofFileInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

export interface Manifest {
  base: AofFileInfo | null;
  incrs: AofFileInfo[];
  history: AofFileInfo[];
}

export class ManifestError extends Error {}

const MAX_LINE = 1024;

export function manifestName(appendfilename: string): string {
  return `${appendfilename}.manifest`;
}

export function baseName(appendfilename: string, seq: number, rdb: boolean): string {
  return `${appendfilename}.${seq}.base.${rdb ? 'rdb' : 'aof'}`;
}

export function incrName(appendfilename: string, seq: number): string {
  return `${appendfilename}.${seq}.incr.aof`;
}

/** Parses manifest text as Redis 7.0 does; throws ManifestError with Redis's wording. */
export function parseManifest(text: string): Manifest {
  const m: Manifest = { base: null, incrs: [], history: [] };
  const lines = text.split('\n');
  // A file that does not end in a newline has a torn last line.
  if (text.length > 0 && !text.endsWith('\n')) throw new ManifestError('The AOF manifest file is invalid format');
  let lastIncrSeq = 0;
  for (const line of lines.slice(0, -1)) {
    if (line.length > MAX_LINE) throw new ManifestError('The AOF manifest file contains too long line');
    if (line.startsWith('#') || line.trim() === '') continue;
    const argv = splitArgs(line);
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) throw new ManifestError('Invalid AOF manifest file format');
    let name: string | undefined;
    let seq: number | undefined;
    let type: string | undefined;
    for (let i = 0; i < argv.length; i += 2) {
      const key = argv[i];
      const value = argv[i + 1];
      if (key === 'file') name = value;
      else if (key === 'seq') seq = /^\d+$/.test(value) ? Number(value) : NaN;
      else if (key === 'type') type = value;
      // Unknown keys are ignored, for forward compatibility (as Redis).
    }
    if (name === undefined || seq === undefined || Number.isNaN(seq) || type === undefined || type.length !== 1) {
      throw new ManifestError('Invalid AOF manifest file format');
    }
    const info: AofFileInfo = { name, seq, type: type as AofFileType };
    if (type === 'b') {
      if (m.base) throw new ManifestError('Found duplicate base file information');
      m.base = info;
    } else if (type === 'h') {
      m.history.push(info);
    } else if (type === 'i') {
      if (seq <= lastIncrSeq) throw new ManifestError('Found a non-monotonic sequence number');
      lastIncrSeq = seq;
      m.incrs.push(info);
    } else {
      throw new ManifestError('Unknown AOF file type');
    }
  }
  if (m.base === null && m.incrs.length === 0 && m.history.length === 0) throw new ManifestError('Found an empty AOF manifest');
  return m;
}

/** Redis's sdscatrepr when the name needs it (spaces, quotes, non-printables), else as is. */
function quoteName(name: string): string {
  if (/^[\x21-\x7e]+$/.test(name) && !/["'\\]/.test(name)) return name;
  let out = '"';
  for (const ch of name) {
    const c = ch.charCodeAt(0);
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c >= 32 && c < 127) out += ch;
    else out += '\\x' + c.toString(16).padStart(2, '0');
  }
  return out + '"';
}

export function formatManifest(m: Manifest): string {
  let out = '';
  const line = (f: AofFileInfo): string => `file ${quoteName(f.name)} seq ${f.seq} type ${f.type}\n`;
  if (m.base) out += line(m.base);
  for (const h of m.history) out += line(h);
  for (const i of m.incrs) out += line(i);
  return out;
}

/** Writes the manifest atomically (temp file + fsync + rename + fsync dir). */
export function writeManifest(aofDir: string, appendfilename: string, m: Manifest, io: FileIo = realIo): void {
  const final = path.join(aofDir, manifestName(appendfilename));
  const temp = path.join(aofDir, `temp-${manifestName(appendfilename)}`);
  const data = Buffer.from(formatManifest(m), 'latin1');
  const fd = io.openSync(temp, 'w');
  try {
    let off = 0;
    while (off < data.length) off += io.writeSync(fd, data, off, data.length - off);
    io.fsyncSync(fd);
  } finally {
    io.closeSync(fd);
  }
  io.renameSync(temp, final);
  io.fsyncDir(aofDir);
}

/** The manifest in `aofDir`, or null when there is none. */
export function readManifest(aofDir: string, appendfilename: string): Manifest | null {
  const file = path.join(aofDir, manifestName(appendfilename));
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return parseManifest(text);
}
