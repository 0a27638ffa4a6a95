/*
 * redis.conf parsing, as Redis 7.0's config.c (loadServerConfig, loadServerConfigFromString):
 *
 * - one directive per line; lines are trimmed, blank lines and lines starting with '#' skipped;
 * - arguments split as sdssplitargs ("double quotes" with escapes, 'single quotes');
 * - directive names are case-insensitive; a later line overrides an earlier one (save lines add
 *   up while a file is read); a multi-argument directive given one argument has it split again,
 *   so `save "900 1 300 10"` equals `save 900 1 300 10`;
 * - `include path` loads another file at that point (relative to the current directory, which a
 *   `dir` line may have changed); a path with * ? [ is a glob, and matching nothing is not an error.
 *
 * Text is latin1 (one char per byte), paths are passed to the file system as those bytes.
 * Errors throw ConfigFileError (reason and offending line) or ConfigOpenError (unreadable file);
 * startup.ts prints them as redis-server does.
 */

import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { ConfigError, MULTI_ARG, type LoadState } from './kinds.js';
import { strerror } from './errno.js';
import { splitArgs } from '../protocol/parser.js';
import { globMatch } from '../types/glob.js';

export class ConfigFileError extends Error {
  constructor(
    readonly reason: string,
    /** 1-based line in the text being loaded, or null for checks made after the last line. */
    readonly lineNumber: number | null,
    readonly line: string,
  ) {
    super(reason);
  }
}

export class ConfigOpenError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`Fatal error, can't open config file '${path}': ${reason}`);
  }
}

/** Directives Redis no longer uses but still accepts (and ignores) with exactly one argument. */
const DEPRECATED = new Set(['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands']);

/** Redis directives strata knows but cannot honour: refused rather than silently ignored. */
const UNSUPPORTED: Record<string, string> = {
  'rename-command': 'rename-command is not supported by strata',
  user: 'ACL users are not supported by strata: use requirepass',
  loadmodule: 'modules are not supported by strata',
};

export function newLoadState(): LoadState {
  return { readingFile: false, saveSeen: false };
}

/** Reads a config file, or every file a glob pattern matches (in order); throws ConfigOpenError. */
export function readConfigSource(file: string): string {
  const paths = /[*?[]/.test(file) ? expandGlob(file) : [file];
  let text = '';
  for (const p of paths) {
    try {
      text += fs.readFileSync(fsPath(p), 'latin1');
    } catch (err) {
      throw new ConfigOpenError(p, strerror(err));
    }
  }
  return text;
}

/** loadServerConfigFromString: applies every line of `text` to `config`. */
export function loadConfigString(config: Config, text: string, state: LoadState): void {
  state.readingFile = true;
  const lines = text === '' ? [] : text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = trimConfigLine(lines[i]);
    if (line === '' || line[0] === '#') continue;
    try {
      loadLine(config, line, state);
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigFileError(err.message, i + 1, line);
      throw err;
    }
  }
  const logfile = config.getString('logfile');
  if (logfile !== '') {
    // Fail now rather than once the server runs and cannot log.
    try {
      fs.closeSync(fs.openSync(fsPath(logfile), 'a'));
    } catch (err) {
      throw new ConfigFileError(`Can't open the log file: ${strerror(err)}`, null, '');
    }
  }
  if (config.getBool('cluster-enabled') && config.getString('replicaof') !== '') {
    throw new ConfigFileError('replicaof directive not allowed in cluster mode', null, '');
  }
  // As in Redis, the end of an included file ends "reading a file" for the includer too: its
  // later save lines replace rather than add up.
  state.readingFile = false;
}

function loadLine(config: Config, line: string, state: LoadState): void {
  const argv = splitArgs(line);
  if (argv === null) throw new ConfigError('Unbalanced quotes in configuration line');
  if (argv.length === 0) return;
  const name = argv[0].toLowerCase();
  const d = config.directive(name);
  if (d !== undefined) {
    const multi = (d.flags & MULTI_ARG) !== 0;
    if (!multi && argv.length !== 2) throw new ConfigError('wrong number of arguments');
    let args = argv.slice(1);
    // `--save "900 1"` style: one non-empty argument of a multi-argument directive is split again.
    if (multi && args.length === 1 && args[0] !== '') args = splitArgs(args[0]) ?? [];
    config.load(d, args, state);
    return;
  }
  if (DEPRECATED.has(name) && argv.length === 2) return;
  if (name === 'include' && argv.length === 2) {
    loadConfigString(config, readConfigSource(argv[1]), state);
  } else if (UNSUPPORTED[name] !== undefined && argv.length >= 2) {
    throw new ConfigError(UNSUPPORTED[name]);
  } else if (name.includes('.')) {
    if (argv.length < 2) throw new ConfigError('Module config specified without value');
    throw new ConfigError('Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting');
  } else if (name === 'sentinel') {
    // A bare `sentinel` selects sentinel mode in redis-server's main(); strata has none.
    if (argv.length !== 1) throw new ConfigError('sentinel directive while not in sentinel mode');
  } else {
    throw new ConfigError('Bad directive or wrong number of arguments');
  }
}

/** sdstrim(line, " \t\r\n"). */
export function trimConfigLine(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isTrimmed(s.charCodeAt(start))) start++;
  while (end > start && isTrimmed(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

function isTrimmed(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/** A latin1 path as the bytes the file system sees. */
export function fsPath(p: string): Buffer {
  return Buffer.from(p, 'latin1');
}

/**
 * glob(3) without flags: the existing paths matching the pattern, component by component, sorted;
 * wildcards do not match a leading dot.
 */
function expandGlob(pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  let found = [absolute ? '/' : ''];
  for (const part of pattern.split('/').filter((p) => p !== '')) {
    const next: string[] = [];
    for (const base of found) {
      if (!/[*?[]/.test(part)) {
        next.push(path.posix.join(base, part));
        continue;
      }
      let names: string[];
      try {
        names = fs.readdirSync(fsPath(base === '' ? '.' : base), { encoding: 'latin1' });
      } catch {
        continue;
      }
      for (const n of names.sort()) {
        if (n.startsWith('.') && !part.startsWith('.')) continue;
        if (globMatch(part, n)) next.push(base === '' ? n : path.posix.join(base, n));
      }
    }
    found = next;
  }
  return found.filter((p) => p !== '' && fs.existsSync(fsPath(p)));
}
