/*
 * Every command family. Keep in step: a new family file exports `commands` and is listed here.
 */

import type { CommandSpec } from './spec.js';
import { commands as client } from './client.js';
import { commands as config } from './config.js';
import { commands as connection } from './connection.js';
import { commands as debug } from './debug.js';
import { commands as functions } from './functions.js';
import { commands as keys } from './keys.js';
import { commands as lists } from './lists.js';
import { commands as server } from './server.js';
import { commands as strings } from './strings.js';
import { commands as transactions } from './transactions.js';

export const FAMILIES: ReadonlyArray<readonly CommandSpec[]> = [connection, client, strings, keys, lists, transactions, config, server, debug, functions];
