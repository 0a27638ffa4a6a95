/*
 * The upgrade of a Redis ≤ 6.2 append-only file (one `<dir>/<appendfilename>`, plain records or an
 * RDB preamble followed by records) to the multi-part layout, as Redis 7.0's aofUpgradePrepare:
 * the old file becomes the base, under its own name, with seq 1 and type b:
 *
 *   file appendonly.aof seq 1 type b
 *
 * The manifest is written first, then the file is moved into the directory. A crash in between
 * leaves a manifest naming a base that is not there yet while the old file still is: that state is
 * recognised and the upgrade runs again (Redis's third upgrade condition). The loader then opens
 * the first incr (seq 1) as for any manifest without incrs.
 */

import fs from 'node:fs';
import path from 'node:path';
import { writeManifest, type Manifest } from '../storage/aof/manifest.js';

/** Redis 7.0's upgrade conditions, given that the old file exists. */
function needsUpgrade(aofDir: string, appendfilename: string, manifest: Manifest | null): boolean {
  if (manifest === null) return true;
  if (manifest.base === null && manifest.incrs.length === 0) return true;
  return manifest.base !== null && manifest.incrs.length === 0 && manifest.base.name === appendfilename && !fs.existsSync(path.join(aofDir, appendfilename));
}

/**
 * Moves an old-style `legacyFile` (appendfilename in the working directory) into `aofDir` as the
 * base, when Redis 7.0 would. Returns the manifest to load (the given one when nothing was done).
 */
export function upgradeLegacyAof(aofDir: string, appendfilename: string, legacyFile: string, manifest: Manifest | null): { manifest: Manifest | null; upgraded: boolean } {
  if (!fs.existsSync(legacyFile) || !fs.statSync(legacyFile).isFile() || !needsUpgrade(aofDir, appendfilename, manifest)) {
    return { manifest, upgraded: false };
  }
  fs.mkdirSync(aofDir, { recursive: true });
  const upgraded: Manifest = { base: { name: appendfilename, seq: 1, type: 'b' }, incrs: [], history: [] };
  writeManifest(aofDir, appendfilename, upgraded);
  fs.renameSync(legacyFile, path.join(aofDir, appendfilename));
  return { manifest: upgraded, upgraded: true };
}
