/*
 * The offline RDB tools behind `strata rdb dump`, `strata rdb check` and `strata rdb convert`.
 *
 * dump: the canonical JSON of rdb-json.ts.
 *
 * check: redis-check-rdb's report (one "[offset N] ..." line per aux field, SELECTDB, function
 * library; "Checksum OK" and "\o/ RDB looks OK! \o/"; then [info] counts), with the reader's full
 * validation. Unlike redis-check-rdb, empty collections are reported as skipped keys, not as an
 * error: the server drops them on load, as Redis's server does.
 *
 * convert: reads the whole file (any version the reader knows), then writes it with the writer at
 * the target version into a temp file beside OUT, fsyncs and renames it over OUT; nothing touches
 * OUT unless the whole conversion succeeded. What the target cannot hold is an error: function
 * libraries before RDB 10, hash field TTLs before RDB 12, stream metadata before RDB 10 that a
 * loader could not re-derive (entries-added, max-deleted-id, first-id, group entries-read),
 * module auxiliary data (never). Consumer active-time (RDB 11) is dropped for older targets: like
 * LRU/LFU it is access metadata, and those versions have no place for it (the seen-time stays).
 *
 * Nothing here throws on bad input: every failure is a message and an exit code.
 */

import fs from 'node:fs';
import path from 'node:path';
import { readRdb, RdbError } from '../storage/rdb/reader.js';
import { RdbTargetError, RdbWriter } from '../storage/rdb/writer.js';
import type { RdbEntry, RdbValue, StreamValue } from '../storage/rdb/model.js';
import { compareBytes, estimateEntriesRead, formatDump, rdbToDump } from './rdb-json.js';

/** Reports how far a long operation got (the CLI draws a bar on a terminal). */
export type ProgressReporter = (done: number, total: number) => void;

export interface ToolOutput {
  /** A line of the report (stdout). */
  line(text: string): void;
  /** A warning or error line (stderr). */
  error(text: string): void;
  progress?: ProgressReporter;
}

/** Non-printable bytes of a latin1 string as \xHH, so a report line is plain text. */
export function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Sums per database and per type, as the check reports them. */
class RdbTally {
  keys = 0;
  expires = 0;
  alreadyExpired = 0;
  libraries = 0;
  readonly perDb = new Map<number, { keys: number; expires: number }>();
  readonly perType = new Map<RdbValue['type'], number>();
  readonly skipped: string[] = [];

  add(e: RdbEntry, now: number): void {
    this.keys++;
    let db = this.perDb.get(e.db);
    if (db === undefined) this.perDb.set(e.db, (db = { keys: 0, expires: 0 }));
    db.keys++;
    if (e.expire >= 0) {
      this.expires++;
      db.expires++;
      if (e.expire < now) this.alreadyExpired++;
    }
    this.perType.set(e.value.type, (this.perType.get(e.value.type) ?? 0) + 1);
  }

  report(out: ToolOutput): void {
    out.line(`[info] ${this.keys} keys read`);
    out.line(`[info] ${this.expires} expires`);
    out.line(`[info] ${this.alreadyExpired} already expired`);
    for (const [db, n] of [...this.perDb].sort((a, b) => a[0] - b[0])) out.line(`[info] db ${db}: ${n.keys} keys, ${n.expires} expires`);
    if (this.perType.size > 0) out.line(`[info] types: ${[...this.perType].sort((a, b) => compareBytes(a[0], b[0])).map(([t, n]) => `${t} ${n}`).join(', ')}`);
    out.line(`[info] ${this.libraries} function libraries`);
    for (const key of this.skipped) out.line(`[info] skipping empty key: '${printable(key)}'`);
    if (this.skipped.length > 0) out.line(`[info] empty keys skipped: ${this.skipped.length}`);
  }
}

function readFileOrReport(file: string, out: ToolOutput): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    out.error(`Cannot open file ${file}: ${(err as Error).message}`);
    return null;
  }
}

/** `strata rdb dump FILE`: the canonical JSON on stdout; 1 with a message when the file is bad. */
export function dumpRdbFile(file: string, out: ToolOutput): number {
  const data = readFileOrReport(file, out);
  if (data === null) return 1;
  try {
    const { dump } = rdbToDump(data, out.progress === undefined ? undefined : (at) => out.progress!(at, data.length));
    out.progress?.(data.length, data.length);
    out.line(formatDump(dump).slice(0, -1));
    return 0;
  } catch (err) {
    out.error(`Can't read ${printable(file)}: ${printable(String((err as Error)?.message ?? err))}`);
    return 1;
  }
}

/** `strata rdb check FILE`: 0 when the file is valid, 1 otherwise. */
export function checkRdb(file: string, out: ToolOutput): number {
  const data = readFileOrReport(file, out);
  if (data === null) return 1;
  out.line(`[offset 0] Checking RDB file ${printable(file)}`);
  const header = data.latin1Slice(0, Math.min(9, data.length));
  if (/^REDIS\d{4}$/.test(header)) out.line(`[offset 9] RDB version ${Number(header.slice(5))}`);
  const tally = new RdbTally();
  const now = Date.now();
  let offset = 0;
  // Like redis-check-rdb, a record's line shows the offset just past it: it is printed when the
  // next record starts.
  let pending: string | null = null;
  try {
    const info = readRdb(data, {
      recordStart: (at) => {
        offset = at;
        if (pending !== null) out.line(`[offset ${at}] ${pending}`);
        pending = null;
        out.progress?.(at, data.length);
      },
      aux: (k, v) => (pending = `AUX FIELD ${printable(k)} = '${printable(v)}'`),
      selectDb: (db) => (pending = `Selecting DB ID ${db}`),
      resizeDb: (db, size, expires) => (pending = `RESIZEDB db ${db}: ${size} keys, ${expires} expires`),
      functionLibrary: (code) => {
        tally.libraries++;
        const name = /^#!\S+\s+name=(\S+)/.exec(code);
        pending = `FUNCTION library ${name !== null ? `'${printable(name[1])}'` : '(no name line)'}`;
      },
      entry: (e) => tally.add(e, now),
      skipped: (key) => tally.skipped.push(key),
      warning: (message) => (pending = printable(message)),
    });
    out.progress?.(data.length, data.length);
    out.line(`[offset ${info.end}] ${info.version < 5 ? 'No checksum (RDB version < 5)' : info.checksummed ? 'Checksum OK' : 'Checksum not computed (zero in the file)'}`);
    out.line(`[offset ${info.end}] \\o/ RDB looks OK! \\o/`);
    tally.report(out);
    return 0;
  } catch (err) {
    out.progress?.(data.length, data.length);
    out.line('--- RDB ERROR DETECTED ---');
    if (err instanceof RdbError) out.line(`[offset ${err.offset}] ${printable(err.message.replace(/ \(at offset \d+\)$/, ''))}`);
    else out.line(`[offset ${offset}] Internal error while reading the record at this offset: ${printable(String((err as Error)?.message ?? err))}`);
    tally.report(out);
    return 1;
  }
}

interface RdbContent {
  version: number;
  aux: Array<[string, string]>;
  libraries: string[];
  /** Entries per database, in file order. */
  dbs: Map<number, RdbEntry[]>;
  skipped: string[];
  warnings: string[];
}

function readContent(data: Buffer, progress?: ProgressReporter): RdbContent {
  const content: RdbContent = { version: 0, aux: [], libraries: [], dbs: new Map(), skipped: [], warnings: [] };
  const info = readRdb(data, {
    aux: (k, v) => content.aux.push([k, v]),
    functionLibrary: (code) => content.libraries.push(code),
    entry: (e) => {
      let list = content.dbs.get(e.db);
      if (list === undefined) content.dbs.set(e.db, (list = []));
      list.push(e);
    },
    skipped: (key) => content.skipped.push(key),
    warning: (message) => content.warnings.push(message),
    recordStart: progress === undefined ? undefined : (at) => progress(at, data.length),
  });
  content.version = info.version;
  return content;
}

const sameId = (a: readonly [bigint, bigint], b: readonly [bigint, bigint]): boolean => a[0] === b[0] && a[1] === b[1];

/** Why a stream cannot be written as RDB 9 (stream format 1) without losing data, or null. */
function streamLossBeforeV10(s: StreamValue): string | null {
  // A loader of format 1 re-derives: entries-added = length, no max-deleted id, first id = first
  // entry, and each group's entries-read estimated from its last id (Redis 7.0's rdbLoadObject).
  if (s.entriesAdded !== s.length) return `entries-added ${s.entriesAdded} differs from its length ${s.length}`;
  if (s.maxDeletedId[0] !== 0n || s.maxDeletedId[1] !== 0n) return 'it records a max-deleted-entry-id';
  if (s.entries.length > 0 && !sameId(s.firstId, s.entries[0].id)) return 'its recorded first entry id is not its first entry';
  for (const g of s.groups) {
    if (g.entriesRead >= 0 && estimateEntriesRead(s, g.lastId) !== g.entriesRead) return `group '${printable(g.name)}' has an entries-read counter a loader cannot re-derive`;
  }
  return null;
}

/** Throws RdbTargetError for the first thing `version` cannot hold (the writer checks the rest). */
function checkTarget(content: RdbContent, version: number): void {
  if (content.warnings.length > 0) throw new RdbTargetError(`${content.warnings[0]}: it cannot be written back`);
  if (version < 10 && content.libraries.length > 0) throw new RdbTargetError(`function libraries need RDB version 10 (target is ${version})`);
  for (const entries of content.dbs.values()) {
    for (const e of entries) {
      const v = e.value;
      if (v.type === 'hash' && v.fieldExpires !== undefined && v.fieldExpires.size > 0 && version < 12) {
        throw new RdbTargetError(`key '${printable(e.key)}': hash field TTLs need RDB version 12 (target is ${version})`);
      }
      if (v.type === 'stream' && version < 10) {
        const loss = streamLossBeforeV10(v);
        if (loss !== null) throw new RdbTargetError(`key '${printable(e.key)}': stream metadata needs RDB version 10 (target is ${version}): ${loss}`);
      }
    }
  }
}

/** Writes the content to `target` through a temp file, fsync and rename; the temp file never stays. */
function writeAtomically(content: RdbContent, target: string, version: number, progress?: ProgressReporter): void {
  const temp = path.join(path.dirname(target), `temp-convert-${process.pid}-${path.basename(target)}`);
  const fd = fs.openSync(temp, 'w');
  let total = 0;
  for (const entries of content.dbs.values()) total += entries.length;
  try {
    const w = new RdbWriter((chunk) => fs.writeSync(fd, chunk), { version });
    for (const [k, v] of content.aux) w.aux(k, v);
    for (const code of content.libraries) w.functionLibrary(code);
    let done = 0;
    for (const [db, entries] of [...content.dbs].sort((a, b) => a[0] - b[0])) {
      w.selectDb(db, entries.length, entries.filter((e) => e.expire >= 0).length);
      for (const e of entries) {
        w.entry(e);
        if (++done % 1024 === 0) progress?.(done, total);
      }
    }
    w.finish();
    progress?.(total, total);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(temp, target);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed: the failure came from the rename
    }
    fs.rmSync(temp, { force: true });
    throw err;
  }
}

/** `strata rdb convert IN OUT --target-version N`: 0 on success, 1 with OUT untouched otherwise. */
export function convertRdb(input: string, output: string, version: number, out: ToolOutput): number {
  if (!Number.isInteger(version) || version < 9 || version > 12) {
    out.error(`Can't write RDB version ${version}: the target version must be 9, 10, 11 or 12`);
    return 1;
  }
  const data = readFileOrReport(input, out);
  if (data === null) return 1;
  let content: RdbContent;
  try {
    content = readContent(data, out.progress);
  } catch (err) {
    const where = err instanceof RdbError ? '' : ' (internal error)';
    out.error(`Can't convert ${printable(input)}: ${printable(String((err as Error)?.message ?? err))}${where}`);
    return 1;
  }
  try {
    checkTarget(content, version);
    writeAtomically(content, output, version, out.progress);
  } catch (err) {
    out.error(`Can't convert ${printable(input)} to RDB version ${version}: ${printable(String((err as Error)?.message ?? err))}`);
    return 1;
  }
  for (const key of content.skipped) out.error(`skipping empty key: '${printable(key)}'`);
  let keys = 0;
  for (const entries of content.dbs.values()) keys += entries.length;
  out.line(`Converted ${printable(input)} (RDB version ${content.version}) to ${printable(output)} (RDB version ${version}): ${keys} keys, ${content.libraries.length} function libraries`);
  return 0;
}
