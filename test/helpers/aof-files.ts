/*
 * Reading what a server (strata or redis-server) wrote to its append-only directory.
 */

import fs from 'node:fs';
import path from 'node:path';
import { decodeRecords } from '../../storage/aof/records.js';

/** The commands in `dir`/appendonlydir/appendonly.aof.1.incr.aof; throws when the file does not decode cleanly. */
export function loggedArgv(dir: string): string[][] {
  const file = path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
  const decoded = decodeRecords(fs.readFileSync(file));
  if (decoded.status !== 'ok') throw new Error(`${file} does not decode: ${decoded.status}`);
  return decoded.records.map((r) => r.argv);
}
