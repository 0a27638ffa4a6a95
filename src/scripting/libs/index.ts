/*
 * The C libraries Redis 7.0 bundles into its Lua, rebuilt in TypeScript: bit, cjson, cmsgpack and
 * struct, each a global table as in Redis's scripting environment.
 */

import type { LuaVm } from '../lua.js';
import { openBit } from './bit.js';
import { openCjson } from './cjson.js';
import { openCmsgpack } from './cmsgpack.js';
import { openStruct } from './struct.js';

/** Opens the four libraries in the order Redis loads them (cjson, struct, cmsgpack, bit). */
export function openRedisLibraries(vm: LuaVm, L: number): void {
  openCjson(vm, L);
  openStruct(vm, L);
  openCmsgpack(vm, L);
  openBit(vm, L);
}
