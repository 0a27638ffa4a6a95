/*
 * Startup loading of the multi-part AOF: the manifest's base, then its incr files in order.
 *
 * Rules (Redis 7.0's loadAppendOnlyFiles, with one deliberate difference):
 * - Commands inside MULTI ... EXEC are handed over only when their EXEC is read, as one group.
 * - A torn tail (the last file ends inside a record) is cut back to the last whole record when
 *   `aof-load-truncated yes`, and the file is truncated there so later appends follow valid data.
 * - Difference: when the valid prefix ends inside a MULTI block, the cut goes back to before the
 *   MULTI. Redis 7.0 cuts inside the block, and the dangling MULTI then swallows the next
 *   acknowledged write at the following restart.
 * - A tail of zero bytes (after at most one partial record) is a torn tail too: a crash can keep a
 *   file's new size without its last pages.
 * - Corruption anywhere else (a bad record followed by more data, a torn base or earlier incr) stops
 *   startup with an error naming the file and offset; nothing is changed on disk.
 */

import fs from 'node:fs';
import path from 'node:path';
import { decodeRecords } from '../storage/aof/records.js';
import type { AofFileInfo, Manifest } from '../storage/aof/manifest.js';

export class AofLoadError extends Error {}

/** Runs commands: one command, or the commands of one transaction. Throws on unknown commands. */
export type CommandExecutor = (commands: string[][]) => void;

export interface AofLoadResult {
  /** Commands executed (transactions count their commands). */
  commands: number;
  /** When a torn tail was cut: which file, and its size before and after. */
  truncated: { file: string; from: number; to: number } | null;
}

function isCommand(argv: readonly string[], name: string): boolean {
  return argv[0].length === name.length && argv[0].toUpperCase() === name;
}

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
 * Loads one AOF-format file. Returns the number of commands executed and, when the file's tail is
 * torn (or ends inside MULTI), the offset of the valid prefix.
 */
export function loadAofFile(file: string, execute: CommandExecutor): { commands: number; validEnd: number; size: number } {
  const data = fs.readFileSync(file);
  const decoded = decodeRecords(data);
  if (decoded.status === 'corrupt' && !zeroFilledTail(data, decoded.validEnd)) {
    throw new AofLoadError(`Bad file format reading the append only file ${path.basename(file)} at offset ${decoded.validEnd}: ${decoded.reason}`);
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
      throw new AofLoadError(`${(err as Error).message} reading the append only file ${path.basename(file)} at offset ${rec.start}`);
    }
  }
  const validEnd = multi !== null ? multiStart : decoded.validEnd;
  return { commands, validEnd, size: data.length };
}

export interface AofLoadOptions {
  aofDir: string;
  manifest: Manifest;
  /** aof-load-truncated */
  loadTruncated: boolean;
  /** Loads an RDB-format base file (the snapshot reader), when available. */
  loadRdbBase?: (file: string) => void;
}

export function loadAof(opts: AofLoadOptions, execute: CommandExecutor): AofLoadResult {
  const { aofDir, manifest } = opts;
  const files: AofFileInfo[] = [...(manifest.base ? [manifest.base] : []), ...manifest.incrs];
  let commands = 0;
  let truncated: AofLoadResult['truncated'] = null;
  files.forEach((info, i) => {
    const file = path.join(aofDir, info.name);
    const last = i === files.length - 1;
    if (!fs.existsSync(file)) {
      throw new AofLoadError(`The AOF file ${info.name} doesn't exist`);
    }
    if (info.type === 'b' && info.name.endsWith('.rdb')) {
      if (!opts.loadRdbBase) throw new AofLoadError(`The base file ${info.name} is in RDB format, which this build cannot load yet`);
      opts.loadRdbBase(file);
      return;
    }
    const r = loadAofFile(file, execute);
    commands += r.commands;
    if (r.validEnd < r.size) {
      if (!last || !opts.loadTruncated) {
        throw new AofLoadError(
          `Unexpected end of file reading the append only file ${info.name} at offset ${r.validEnd}` +
            (last ? ' (aof-load-truncated is no)' : '') +
            `. Run 'strata aof check --fix' on it to cut the damaged tail.`,
        );
      }
      fs.truncateSync(file, r.validEnd);
      truncated = { file: info.name, from: r.size, to: r.validEnd };
    }
  });
  return { commands, truncated };
}
