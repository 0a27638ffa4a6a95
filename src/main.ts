/*
 * strata-server: config → recovery → listen. Arguments as redis-server:
 *   strata-server [/path/to/redis.conf] [--directive value ...]
 */

import { loadStartupConfig } from './config/startup.js';
import { Server, REDIS_VERSION, STRATA_VERSION } from './server/server.js';
import { AppendOnlyFile } from './server/persistence.js';
import { LuaVm } from './scripting/lua.js';

export async function startServer(args: string[]): Promise<Server> {
  // A `dir` directive has already changed the working directory, as it does in redis-server.
  const config = loadStartupConfig(args);
  const server = new Server(config);
  server.enableScripting(await LuaVm.load());
  // Tests only: a fault plan for the file-system seam (recovery/faults.ts documents the format).
  const faults = process.env.STRATA_FAULTS;
  if (faults) server.io = new (await import('../recovery/faults.js')).FaultyIo(JSON.parse(faults));
  try {
    server.keyspace.cold!.wipe();
    if (config.getBool('appendonly')) AppendOnlyFile.open(server);
    else server.snapshots.loadAtStartup();
  } catch (err) {
    server.log.warn(`Fatal error loading the DB: ${(err as Error).message}. Exiting.`);
    process.exit(1);
  }
  try {
    await server.listen();
  } catch (err) {
    server.log.warn(`Failed listening on port ${config.getNumber('port')} (tcp), aborting. ${(err as Error).message}`);
    process.exit(1);
  }
  server.log.notice(
    { version: STRATA_VERSION, redis_version: REDIS_VERSION, port: server.address?.port, config_file: config.configFile || null },
    'strata is ready to accept connections',
  );
  return server;
}

export function installSignalHandlers(server: Server): void {
  const stop = (signal: string): void => {
    server.log.notice(`Received ${signal} scheduling shutdown...`);
    if (server.shutdown()) server.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export async function main(args: string[]): Promise<void> {
  const server = await startServer(args);
  installSignalHandlers(server);
}
