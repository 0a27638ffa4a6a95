/*
 * Startup configuration, as redis-server reads it: an optional config file first, then
 * `--directive value ...` arguments appended as extra config lines (the last occurrence wins).
 * Errors print Redis's FATAL CONFIG FILE ERROR block and exit 1.
 */

import { Config, ConfigError } from './config.js';

export function loadStartupConfig(args: string[]): Config {
  const config = new Config();
  let i = 0;
  if (args.length > 0 && !args[0].startsWith('--')) {
    config.configFile = args[0];
    i = 1;
  }
  for (; i < args.length; i++) {
    const name = args[i].replace(/^--/, '');
    const values: string[] = [];
    while (i + 1 < args.length && !args[i + 1].startsWith('--')) values.push(args[++i]);
    try {
      config.set(name, values);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n>>> '${name} ${values.join(' ')}'\n${err.message}\n`);
      process.exit(1);
    }
  }
  return config;
}
