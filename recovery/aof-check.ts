/*
 * `strata aof check DIR|FILE [--fix]`: redis-check-aof for the multi-part layout, on the loader's
 * own walk (aof-load.ts), so the check accepts exactly what startup loads.
 *
 * DIR is an appenddirname (its one *.manifest is read), FILE a manifest or a single AOF file (an
 * old-style appendonly.aof, with or without an RDB preamble, or one part of a log). Every file the
 * manifest loads is read whole: RDB data with the RDB reader's full validation, records with their
 * MULTI/EXEC structure. The first problem is reported with its file and offset.
 *
 * --fix (non-interactive) does what aof-load-truncated does at startup and nothing more: it
 * truncates the last file to its valid prefix when its tail is torn (or ends inside MULTI). Damage
 * anywhere else — bad bytes followed by more data, bad RDB data, a torn earlier file, a missing
 * file — is refused: cutting there would throw away valid, acknowledged writes after it.
 */

import fs from 'node:fs';
import path from 'node:path';
import { parseManifest, type Manifest } from '../storage/aof/manifest.js';
import { readRdb } from '../storage/rdb/reader.js';
import { AofLoadError, loadAof, manifestFiles, type AofFileScan } from './aof-load.js';
import { printable, type ToolOutput } from './rdb-tools.js';

interface CheckTarget {
  aofDir: string;
  manifest: Manifest;
  /** A single file checked on its own (no manifest). */
  single: boolean;
}

const MANIFEST_SUFFIX = '.manifest';

/** Resolves DIR|FILE to the files to check; a string is the reason it cannot. */
function resolveTarget(target: string): CheckTarget | string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch (err) {
    return `Cannot open ${printable(target)}: ${(err as Error).message}`;
  }
  let manifestFile: string;
  if (stat.isDirectory()) {
    const manifests = fs.readdirSync(target).filter((n) => n.endsWith(MANIFEST_SUFFIX) && !n.startsWith('temp-'));
    if (manifests.length === 0) return `No AOF manifest (*${MANIFEST_SUFFIX}) in ${printable(target)}`;
    if (manifests.length > 1) return `Several AOF manifests in ${printable(target)} (${manifests.map(printable).join(', ')}): name the one to check`;
    manifestFile = path.join(target, manifests[0]);
  } else if (target.endsWith(MANIFEST_SUFFIX)) {
    manifestFile = target;
  } else {
    const name = path.basename(target);
    return { aofDir: path.dirname(target), manifest: { base: null, incrs: [{ name, seq: 1, type: 'i' }], history: [] }, single: true };
  }
  try {
    return { aofDir: path.dirname(manifestFile), manifest: parseManifest(fs.readFileSync(manifestFile, 'latin1')), single: false };
  } catch (err) {
    return `Invalid AOF manifest ${printable(manifestFile)}: ${(err as Error).message}`;
  }
}

/** The RDB part of a file, read with full validation and nothing kept. */
const validateRdbPart = (data: Buffer): number => readRdb(data, { entry: () => {} }, { prefix: true }).end;

export function checkAof(target: string, opts: { fix: boolean }, out: ToolOutput): number {
  const resolved = resolveTarget(target);
  if (typeof resolved === 'string') {
    out.error(resolved);
    return 1;
  }
  const { aofDir, manifest, single } = resolved;
  const files = manifestFiles(manifest);
  const total = files.reduce((sum, f) => sum + fileSize(path.join(aofDir, f.name)), 0);
  let done = 0;
  out.line(single ? `Start checking AOF file ${printable(target)}` : 'Start checking Multi Part AOF');
  const report = (label: string, name: string, scan: AofFileScan): void => {
    const format = scan.recordsStart === 0 ? 'RESP' : scan.recordsStart === scan.size ? 'RDB' : 'RDB+RESP';
    out.line(`AOF analyzed: filename=${printable(name)}, format=${format}, size=${scan.size}, ok_up_to=${scan.validEnd}, diff=${scan.size - scan.validEnd}`);
    if (scan.validEnd === scan.size) out.line(`${label} ${printable(name)} is valid`);
  };
  try {
    let commands = 0;
    const result = loadAof(
      {
        aofDir,
        manifest,
        loadTruncated: opts.fix,
        loadRdb: validateRdbPart,
        loaded: (info, scan) => {
          commands += scan.commands;
          report(single ? 'AOF' : info.type === 'b' ? 'BASE AOF' : 'INCR AOF', info.name, scan);
          done += scan.size;
          out.progress?.(done, total);
        },
      },
      () => {},
    );
    if (result.truncated !== null) {
      const t = result.truncated;
      out.line(`Successfully truncated AOF ${printable(t.file)} from ${t.from} to ${t.to} bytes (cut ${t.from - t.to} bytes of torn tail)`);
    }
    out.line(`[info] ${commands} commands in ${files.length} file${files.length === 1 ? '' : 's'}`);
    out.line(single ? 'AOF is valid' : 'All AOF files and manifest are valid');
    return 0;
  } catch (err) {
    out.progress?.(total, total);
    if (!(err instanceof AofLoadError) || err.problem === null) {
      out.line(`AOF is not valid: ${printable(String((err as Error)?.message ?? err))}`);
      return 1;
    }
    const p = err.problem;
    out.line(`AOF analyzed: filename=${printable(p.file)}, size=${p.size}, ok_up_to=${p.offset}, diff=${p.size - p.offset}`);
    const what = p.kind === 'torn' ? `the data ends inside a command or an unfinished MULTI block after offset ${p.offset}` : p.message;
    out.line(`AOF ${printable(p.file)} is not valid: ${printable(what)}`);
    if (p.fixable) {
      // Only reachable without --fix: with it, the loader cut the tail and returned.
      out.line('Use the --fix option to cut the torn tail back to the last complete command.');
    } else if (opts.fix && p.kind !== 'missing') {
      out.line(
        `Refusing to fix: the damage at offset ${p.offset} of ${printable(p.file)} is not a torn tail of the last file, ` +
          'and truncating there would drop the valid data after it. Nothing was changed.',
      );
    }
    return 1;
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
