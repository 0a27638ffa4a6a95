/*
 * Every command family. Keep in step: a new family file exports `commands` and is listed here.
 */

import type { CommandSpec } from './spec.js';
import { commands as connection } from './connection.js';
import { commands as strings } from './strings.js';

export const FAMILIES: ReadonlyArray<readonly CommandSpec[]> = [connection, strings];
