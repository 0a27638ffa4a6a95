/*
 * The function library store: FUNCTION LIST FLUSH DELETE DUMP RESTORE STATS (execution comes with scripting).
 */

import type { CommandSpec } from './spec.js';

export const commands = [] satisfies CommandSpec[];
