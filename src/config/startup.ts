/*
 * Startup configuration, as redis-server's main() reads it:
 *
 *   strata-server [/path/to/redis.conf] [-] [--directive value ...]
 *
 * The config file (made absolute: CONFIG REWRITE writes it back), then standard input when `-`
 * is given first or last, then the `--directive value` arguments, each turned into one more config
 * line appended to the text (so the last occurrence wins, and errors name the line it became:
 * `--port 99999` is line `port "99999"`). Arguments are taken as bytes (latin1), like file text.
 * Errors print Redis's FATAL CONFIG FILE ERROR block to stderr and exit 1.
 */

import fs from 'node:fs';
import path from 'node:path';
import { Config } from './config.js';
import { ConfigFileError, ConfigOpenError, loadConfigString, newLoadState, readConfigSource } from './conf-file.js';
import { eqNoCase } from './kinds.js';
import { splitArgs } from '../protocol/parser.js';
import { sdsRepr } from '../types/repr.js';
import { REDIS_VERSION, STRATA_VERSION } from '../server/server.js';

export interface CommandLine {
  configFile: string | null;
  fromStdin: boolean;
  /** The arguments as config lines. */
  options: string;
}

/** redis-server's argument scan (server.c main). */
export function parseCommandLine(args: readonly string[]): CommandLine {
  const n = args.length;
  let j = 0;
  let configFile: string | null = null;
  if (n > 0 && args[0][0] !== '-') {
    configFile = args[0];
    j = 1;
  }
  let fromStdin = false;
  let options = '';
  // False after a bare `--name`: what follows are its values, even if they start with "--".
  let nameHasValue = true;
  for (; j < n; j++) {
    const a = args[j];
    if (a === '-' && (j === 0 || j === n - 1)) {
      fromStdin = true;
    } else if (nameHasValue && a.startsWith('--')) {
      if (options.length > 0) options += '\n';
      options += a.slice(2) + ' ';
      if (splitArgs(a)?.length === 1) {
        nameHasValue = false;
        const nextIsName = j !== n - 1 && args[j + 1].startsWith('--');
        // `--save` with no value (followed by another option, or last) means `save ""`, as before 7.0.
        if (eqNoCase(a, '--save') && (nextIsName || j === n - 1)) {
          options += '""';
          nameHasValue = nextIsName;
        } else if (eqNoCase(a, '--sentinel') && nextIsName) {
          nameHasValue = true;
        }
      } else {
        // "--port 6380" given as one argument.
        nameHasValue = true;
      }
    } else {
      options += sdsRepr(a) + ' ';
      nameHasValue = true;
    }
  }
  return { configFile, fromStdin, options };
}

/** The configuration the arguments describe; throws ConfigFileError or ConfigOpenError. */
export function readStartupConfig(args: readonly string[]): Config {
  const config = new Config();
  if (args.length === 0) return config;
  const cmd = parseCommandLine(args);
  let text = '';
  if (cmd.configFile !== null) {
    config.configFile = path.resolve(cmd.configFile);
    text += readConfigSource(config.configFile);
  }
  if (cmd.fromStdin) text += fs.readFileSync(0, 'latin1');
  text += '\n' + cmd.options;
  loadConfigString(config, text, newLoadState());
  return config;
}

/** readStartupConfig for main(): prints redis-server's messages and exits on errors, -v and -h. */
export function loadStartupConfig(processArgs: readonly string[]): Config {
  const args = processArgs.map((a) => Buffer.from(a).toString('latin1'));
  if (args[0] === '-v' || args[0] === '--version') {
    process.stdout.write(`strata-server v=${STRATA_VERSION} redis_version=${REDIS_VERSION}\n`);
    process.exit(0);
  }
  if (args[0] === '-h' || args[0] === '--help') {
    process.stderr.write(USAGE);
    process.exit(1);
  }
  try {
    return readStartupConfig(args);
  } catch (err) {
    if (err instanceof ConfigFileError) {
      let out = `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n`;
      if (err.lineNumber !== null) out += `Reading the configuration file, at line ${err.lineNumber}\n>>> '${err.line}'\n`;
      writeLatin1(out + err.reason + '\n');
    } else if (err instanceof ConfigOpenError) {
      writeLatin1(err.message + '\n');
    } else {
      throw err;
    }
    process.exit(1);
  }
}

function writeLatin1(s: string): void {
  process.stderr.write(Buffer.from(s, 'latin1'));
}

const USAGE = `Usage: ./strata-server [/path/to/redis.conf] [options] [-]
       ./strata-server - (read config from stdin)
       ./strata-server -v or --version
       ./strata-server -h or --help

Examples:
       ./strata-server (run the server with default conf)
       ./strata-server /etc/redis/6379.conf
       ./strata-server --port 7777
       ./strata-server /etc/myredis.conf --loglevel verbose -
       ./strata-server /etc/myredis.conf --loglevel verbose

`;
