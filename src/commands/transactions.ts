/*
 * Transactions: MULTI EXEC DISCARD WATCH UNWATCH.
 */

import type { CommandSpec } from './spec.js';

export const commands = [] satisfies CommandSpec[];
