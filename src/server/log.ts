/*
 * Logging with pino, at Redis's levels: debug < verbose < notice < warning (and "nothing").
 * Quiet by default at notice; `logfile ""` means standard output, as Redis in the foreground.
 */

import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger<'verbose' | 'notice'>;

const LEVELS: Record<string, string> = { debug: 'debug', verbose: 'verbose', notice: 'notice', warning: 'warn', nothing: 'silent' };

export function createLogger(level: string, logfile: string): Logger {
  const destination = logfile === '' ? pino.destination({ fd: 1, sync: true }) : pino.destination({ dest: logfile, sync: true, mkdir: true });
  return pino(
    {
      level: LEVELS[level] ?? 'notice',
      customLevels: { verbose: 25, notice: 35 },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export function setLogLevel(log: Logger, level: string): void {
  log.level = LEVELS[level] ?? 'notice';
}
