/*
 * Every command family. Keep in step: a new family file exports `commands` and is listed here.
 */

import type { CommandSpec } from './spec.js';
import { commands as bitmaps } from './bitmaps.js';
import { commands as client } from './client.js';
import { commands as command } from './command.js';
import { commands as config } from './config.js';
import { commands as connection } from './connection.js';
import { commands as debug } from './debug.js';
import { commands as functions } from './functions.js';
import { commands as geo } from './geo.js';
import { commands as hashes } from './hashes.js';
import { commands as hyperloglog } from './hyperloglog.js';
import { commands as keys } from './keys.js';
import { commands as lists } from './lists.js';
import { commands as persistence } from './persistence.js';
import { commands as pubsub } from './pubsub.js';
import { commands as replication } from './replication.js';
import { commands as scripting } from './scripting.js';
import { commands as server } from './server.js';
import { commands as sets } from './sets.js';
import { commands as sort } from './sort.js';
import { commands as streams } from './streams.js';
import { commands as strings } from './strings.js';
import { commands as transactions } from './transactions.js';
import { commands as zsets } from './zsets.js';

export const FAMILIES: ReadonlyArray<readonly CommandSpec[]> = [connection, client, strings, keys, lists, hashes, sets, transactions, config, server, command, debug, functions, scripting, zsets, persistence, streams, bitmaps, hyperloglog, geo, sort, pubsub, replication];
