/*
 * Loading of the multi-part AOF: the manifest's base, then its incr files in order. The same walk
 * serves startup and `strata aof check` (which executes nothing and cuts only when asked to fix).
 *
 * Rules (Redis 7.0's loadAppendOnlyFiles, with one deliberate difference):
 * - A file that starts with "REDIS" is RDB data (an RDB base, or an old-style file with an RDB
 *   preamble), read with the RDB loader; the AOF records after it, if any, follow as usual.
 * - Commands inside MULTI ... EXEC are handed over only when their EXEC is read, as one group.
 * - A torn tail (the last file ends inside a record) is cut back to the last whole record when
 *   `aof-load-truncated yes`, and the file is truncated there so later appends follow valid data.
 * - Difference: when the valid prefix ends inside a MULTI block, the cut goes back to before the
 *   MULTI. Redis 7.0 cuts inside the block, and the dangling MULTI then swallows the next
 *   acknowledged write at the following restart.
 * - A tail of zero bytes (after at most one partial record) is a torn tail too: a crash can keep a
 *   file's new size without its last pages.
 * - Corruption anywhere else (a bad record followed by more data, bad RDB data, a torn base or
 *   earlier incr, a missing file) stops with an AofLoadError naming the file and offset; nothing is
 *   changed on disk.
 */

import fs from 'node:fs';
import path from 'node:path';
import { decodeRecords } from '../storage/aof/records.js';
import { RdbError } from '../storage/rdb/reader.js';
import type { AofFileInfo, Manifest } from '../storage/aof/manifest.js';

/** What is wrong with one file of the log, and whether cutting its tail would repair it. */
export interface AofProblem {
  file: string;
  kind: 'missing' | 'corrupt' | 'torn';
  /** Where the valid data ends (the bad byte, or the cut point of a torn tail). */
  offset: number;
  size: number;
  message: string;
  /** A torn tail of the last file: what aof-load-truncated (or `aof check --fix`) cuts. */
  fixable: boolean;
}

export class AofLoadError extends Error {
  constructor(
    message: string,
    readonly problem: AofProblem | null = null,
  ) {
    super(message);
  }
}

/** Runs commands: one command, or the commands of one transaction. Throws on unknown commands. */
export type CommandExecutor = (commands: string[][]) => void;

/** Loads the RDB data at the start of `data` and returns the offset just past it. */
export type RdbPartLoader = (data: Buffer) => number;

export interface AofLoadResult {
  /** Commands executed (transactions count their commands). */
  commands: number;
  /** When a torn tail was cut: which file, and its size before and after. */
  truncated: { file: string; from: number; to: number } | null;
}

/** One file's walk: what ran, and how far its data is valid. */
export interface AofFileScan {
  commands: number;
  /** Offset where the RDB part ends and AOF records begin (0 for a pure AOF file). */
  recordsStart: number;
  /** End of the whole units (cut back to before an unfinished MULTI). */
  validEnd: number;
  size: number;
  /** Bytes at `validEnd` that are no record, with more data after them. */
  corrupt: string | null;
}

function isCommand(argv: readonly string[], name: string): boolean {
  return argv[0].length === name.length && argv[0].toUpperCase() === name;
}

const RDB_SIGNATURE = Buffer.from('REDIS', 'latin1');

/**
 * Is everything after `from` at most one partial record followed by zero bytes up to the end? That
 * is what a crash leaves when the file's size reached the disk but its last pages did not (pages
 * dropped after a failed fsync, delayed allocation): a torn tail, not corruption.
 */
function zeroFilledTail(data: Buffer, from: number): boolean {
  let z = data.length;
  while (z > from && data[z - 1] === 0) z--;
  if (z === data.length) return false;
  if (z === from) return true;
  const rest = decodeRecords(data.subarray(from, z));
  return rest.status === 'truncated' && rest.records.length === 0;
}

/**
 * Walks one file's bytes: its RDB part (when it starts with "REDIS") through `loadRdb`, then its
 * records. Corrupt records are reported before any command runs; RDB errors are thrown as
 * AofLoadError naming `name` and the offset.
 */
export function scanAofData(name: string, data: Buffer, execute: CommandExecutor, loadRdb?: RdbPartLoader): AofFileScan {
  let recordsStart = 0;
  if (data.length >= RDB_SIGNATURE.length && data.subarray(0, RDB_SIGNATURE.length).equals(RDB_SIGNATURE)) {
    if (loadRdb === undefined) throw new AofLoadError(`The AOF file ${name} starts with RDB data, which this loader cannot read`);
    try {
      recordsStart = loadRdb(data);
    } catch (err) {
      if (!(err instanceof RdbError)) throw err;
      const message = `Bad RDB data in the append only file ${name} at offset ${err.offset}: ${err.message.replace(/ \(at offset \d+\)$/, '')}`;
      throw new AofLoadError(message, { file: name, kind: 'corrupt', offset: err.offset, size: data.length, message, fixable: false });
    }
  }
  const decoded = decodeRecords(recordsStart === 0 ? data : data.subarray(recordsStart));
  if (decoded.status === 'corrupt' && !zeroFilledTail(data, recordsStart + decoded.validEnd)) {
    return { commands: 0, recordsStart, validEnd: recordsStart + decoded.validEnd, size: data.length, corrupt: decoded.reason ?? 'not a record' };
  }
  let commands = 0;
  let multi: string[][] | null = null;
  let multiStart = -1;
  for (const rec of decoded.records) {
    const argv = rec.argv;
    try {
      if (isCommand(argv, 'MULTI')) {
        if (multi === null) {
          multi = [];
          multiStart = rec.start;
        }
      } else if (isCommand(argv, 'EXEC') && multi !== null) {
        execute(multi);
        commands += multi.length;
        multi = null;
      } else if (multi !== null) {
        multi.push(argv);
      } else {
        execute([argv]);
        commands++;
      }
    } catch (err) {
      throw new AofLoadError(`${(err as Error).message} reading the append only file ${name} at offset ${recordsStart + rec.start}`);
    }
  }
  const validEnd = recordsStart + (multi !== null ? multiStart : decoded.validEnd);
  return { commands, recordsStart, validEnd, size: data.length, corrupt: null };
}

/**
 * Loads one file. Returns the number of commands executed and, when the file's tail is torn (or
 * ends inside MULTI), the offset of the valid prefix. Throws AofLoadError on corruption.
 */
export function loadAofFile(file: string, execute: CommandExecutor, loadRdb?: RdbPartLoader): AofFileScan {
  const name = path.basename(file);
  const scan = scanAofData(name, fs.readFileSync(file), execute, loadRdb);
  if (scan.corrupt !== null) {
    const message = `Bad file format reading the append only file ${name} at offset ${scan.validEnd}: ${scan.corrupt}`;
    throw new AofLoadError(message, { file: name, kind: 'corrupt', offset: scan.validEnd, size: scan.size, message, fixable: false });
  }
  return scan;
}

/** The files a manifest loads, in order: the base, then the incrs. */
export function manifestFiles(manifest: Manifest): AofFileInfo[] {
  return [...(manifest.base ? [manifest.base] : []), ...manifest.incrs];
}

export interface AofLoadOptions {
  aofDir: string;
  manifest: Manifest;
  /** aof-load-truncated: cut a torn tail of the last file (the file is truncated on disk). */
  loadTruncated: boolean;
  /** Reads the RDB data a file starts with (the snapshot reader), when available. */
  loadRdb?: RdbPartLoader;
  /** Called after each file that loaded whole (or whose torn tail was cut). */
  loaded?: (info: AofFileInfo, scan: AofFileScan) => void;
}

export function loadAof(opts: AofLoadOptions, execute: CommandExecutor): AofLoadResult {
  const { aofDir, manifest } = opts;
  const files = manifestFiles(manifest);
  let commands = 0;
  let truncated: AofLoadResult['truncated'] = null;
  files.forEach((info, i) => {
    const file = path.join(aofDir, info.name);
    const last = i === files.length - 1;
    if (!fs.existsSync(file)) {
      const message = `The AOF file ${info.name} doesn't exist`;
      throw new AofLoadError(message, { file: info.name, kind: 'missing', offset: 0, size: 0, message, fixable: false });
    }
    const r = loadAofFile(file, execute, opts.loadRdb);
    commands += r.commands;
    if (r.validEnd < r.size) {
      if (!last || !opts.loadTruncated) {
        const message =
          `Unexpected end of file reading the append only file ${info.name} at offset ${r.validEnd}` +
          (last ? " (aof-load-truncated is no). Run 'strata aof check --fix' on the log to cut the damaged tail." : ', which is not the last file of the log.');
        throw new AofLoadError(message, { file: info.name, kind: 'torn', offset: r.validEnd, size: r.size, message, fixable: last });
      }
      fs.truncateSync(file, r.validEnd);
      truncated = { file: info.name, from: r.size, to: r.validEnd };
    }
    opts.loaded?.(info, r);
  });
  return { commands, truncated };
}
