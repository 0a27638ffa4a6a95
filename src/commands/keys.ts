/*
 * Keyspace commands: DEL UNLINK EXISTS TYPE RENAME KEYS SCAN RANDOMKEY TOUCH OBJECT, TTLs, MOVE COPY SWAPDB FLUSHDB FLUSHALL DBSIZE.
 */

import type { CommandSpec } from './spec.js';

export const commands = [] satisfies CommandSpec[];
