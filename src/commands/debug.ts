/*
 * DEBUG, gated by enable-debug-command.
 */

import type { CommandSpec } from './spec.js';

export const commands = [] satisfies CommandSpec[];
