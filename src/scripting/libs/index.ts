import type { LuaVm } from '../lua.js';

/** Opens cjson, struct, cmsgpack and bit (being written on the lualibs branch). */
export function openRedisLibraries(_vm: LuaVm, _L: number): void {}
