/*
 * The Lua environment Redis 7.0 gives scripts, built on stock Lua 5.1 (Redis patches its Lua with
 * read-only tables; strata cannot, so it gets the same behaviour from proxies):
 *
 * - Libraries: base, table, string, math, and Redis's cjson, struct, cmsgpack, bit. No io, os,
 *   package, debug; no print, dofile, loadfile, module, require, getfenv, setfenv, newproxy.
 * - Globals are read-only: a script's environment is an empty proxy whose __index is the real
 *   globals and whose __newindex raises "Attempt to modify a readonly table"; the library tables
 *   are proxies the same way; rawset and setmetatable refuse protected tables. Reading a missing
 *   global raises "Script attempted to access nonexistent global variable 'x'".
 * - math.random / math.randomseed are Redis's (its own lrand48, one sequence per server).
 */

import { LuaVm, LUA_GLOBALSINDEX, LUA_REGISTRYINDEX, T_FUNCTION, T_STRING, T_TABLE, raise } from './lua.js';
import { argCheck, checkInteger, luaError, where } from './libs/auxlib.js';

const REMOVED_GLOBALS = ['io', 'os', 'package', 'debug', 'print', 'dofile', 'loadfile', 'module', 'require', 'getfenv', 'setfenv', 'newproxy'];
const PROTECTED_LIBRARIES = ['string', 'math', 'table', 'coroutine', 'redis', 'cjson', 'bit', 'struct', 'cmsgpack'];
const READONLY = 'Attempt to modify a readonly table';

/** Redis's rand.c: the 48-bit lrand48 generator behind math.random, seeded as libc seeds it. */
class Lrand48 {
  private x = 0x1234abcd330en;

  next(): number {
    this.x = (0x5deece66dn * this.x + 0xbn) & 0xffffffffffffn;
    return Number(this.x >> 17n);
  }

  seed(seed: number): void {
    this.x = ((BigInt(seed >>> 0) << 16n) | 0x330en) & 0xffffffffffffn;
  }
}

const LRAND48_MAX = 0x7fffffff;

export class Sandbox {
  /** lua_topointer of every protected table. */
  private readonly protectedTables = new Set<number>();
  private readonly random = new Lrand48();
  /** Registry ref of the environment proxy and of its metatable (whose __index FUNCTION LOAD swaps). */
  envRef = 0;
  envMetaRef = 0;

  constructor(
    private readonly vm: LuaVm,
    private readonly L: number,
  ) {}

  /** Opens the standard libraries and removes what Redis does not expose. */
  openLibraries(): void {
    const { vm, L } = this;
    vm.m._luaL_openlibs(L);
    for (const name of REMOVED_GLOBALS) {
      vm.m._lua_pushnil(L);
      vm.setField(L, LUA_GLOBALSINDEX, name);
    }
    vm.getField(L, LUA_GLOBALSINDEX, 'math');
    vm.setFunction(L, 'random', (L) => this.mathRandom(L));
    vm.setFunction(L, 'randomseed', (L) => {
      this.random.seed(checkInt(vm, L, 1));
      return 0;
    });
    vm.pop(L, 1);
  }

  /**
   * Locks the globals: replaces library tables with read-only proxies, guards rawset and
   * setmetatable, and builds the environment proxy scripts run in (left in the registry).
   */
  protect(): void {
    const { vm, L } = this;
    const m = vm.m;
    for (const name of PROTECTED_LIBRARIES) {
      if (vm.getField(L, LUA_GLOBALSINDEX, name) !== T_TABLE) {
        vm.pop(L, 1);
        continue;
      }
      this.pushProxy(-1);
      m._lua_remove(L, -2);
      vm.setField(L, LUA_GLOBALSINDEX, name);
    }
    vm.getField(L, LUA_GLOBALSINDEX, 'rawset');
    const rawsetRef = m._luaL_ref(L, LUA_REGISTRYINDEX);
    vm.pushFunction(L, (L) => {
      if (this.isProtected(L, 1)) raise(READONLY);
      m._lua_rawgeti(L, LUA_REGISTRYINDEX, rawsetRef);
      m._lua_insert(L, 1);
      m._lua_call(L, m._lua_gettop(L) - 1, 1);
      return 1;
    });
    vm.setField(L, LUA_GLOBALSINDEX, 'rawset');
    vm.getField(L, LUA_GLOBALSINDEX, 'setmetatable');
    const setmetatableRef = m._luaL_ref(L, LUA_REGISTRYINDEX);
    vm.pushFunction(L, (L) => {
      if (this.isProtected(L, 1)) raise(READONLY);
      m._lua_rawgeti(L, LUA_REGISTRYINDEX, setmetatableRef);
      m._lua_insert(L, 1);
      m._lua_call(L, m._lua_gettop(L) - 1, 1);
      return 1;
    });
    vm.setField(L, LUA_GLOBALSINDEX, 'setmetatable');
    this.protectStringMetatable();
    for (const loader of ['loadstring', 'load']) this.confineLoader(loader);

    // Missing globals are an error.
    m._lua_createtable(L, 0, 1);
    vm.setFunction(L, '__index', (L) => {
      const name = vm.toString(L, 2) ?? '?';
      raise(`${where(vm, L, 1)}Script attempted to access nonexistent global variable '${name}'`);
    });
    m._lua_setmetatable(L, LUA_GLOBALSINDEX);

    // The environment: an empty proxy in front of the globals; _G names the proxy.
    m._lua_pushvalue(L, LUA_GLOBALSINDEX);
    this.pushProxy(-1);
    m._lua_remove(L, -2);
    m._lua_pushvalue(L, -1);
    vm.setField(L, LUA_GLOBALSINDEX, '_G');
    m._lua_getmetatable(L, -1);
    this.envMetaRef = m._luaL_ref(L, LUA_REGISTRYINDEX);
    this.envRef = m._luaL_ref(L, LUA_REGISTRYINDEX);
  }

  /**
   * Strings' metatable (getmetatable("")) is read-only too, as in Redis: methods resolve through
   * the string library's proxy, and getmetatable of a string returns a proxy of the metatable, so
   * that no script can take `("x"):upper()` away from the next one.
   */
  private protectStringMetatable(): void {
    const { vm, L } = this;
    const m = vm.m;
    vm.pushString(L, '');
    m._lua_getmetatable(L, -1);
    m._lua_remove(L, -2);
    vm.getField(L, LUA_GLOBALSINDEX, 'string');
    vm.setField(L, -2, '__index');
    this.pushProxy(-1);
    m._lua_remove(L, -2);
    const proxyRef = m._luaL_ref(L, LUA_REGISTRYINDEX);
    vm.getField(L, LUA_GLOBALSINDEX, 'getmetatable');
    const getmetatableRef = m._luaL_ref(L, LUA_REGISTRYINDEX);
    vm.pushFunction(L, (L) => {
      if (vm.type(L, 1) === T_STRING) {
        m._lua_rawgeti(L, LUA_REGISTRYINDEX, proxyRef);
        return 1;
      }
      m._lua_rawgeti(L, LUA_REGISTRYINDEX, getmetatableRef);
      m._lua_insert(L, 1);
      m._lua_call(L, m._lua_gettop(L) - 1, 1);
      return 1;
    });
    vm.setField(L, LUA_GLOBALSINDEX, 'getmetatable');
  }

  /** Code compiled at run time (loadstring, load) runs in the scripts' environment too. */
  private confineLoader(name: string): void {
    const { vm, L } = this;
    const m = vm.m;
    vm.getField(L, LUA_GLOBALSINDEX, name);
    const ref = m._luaL_ref(L, LUA_REGISTRYINDEX);
    vm.pushFunction(L, (L) => {
      m._lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
      m._lua_insert(L, 1);
      m._lua_call(L, m._lua_gettop(L) - 1, -1);
      if (vm.type(L, 1) === T_FUNCTION) {
        m._lua_rawgeti(L, LUA_REGISTRYINDEX, this.envRef);
        m._lua_setfenv(L, 1);
      }
      return m._lua_gettop(L);
    });
    vm.setField(L, LUA_GLOBALSINDEX, name);
  }

  /** Pushes a read-only proxy of the table at `idx`. */
  private pushProxy(idx: number): void {
    const { vm, L } = this;
    const m = vm.m;
    const target = idx < 0 ? m._lua_gettop(L) + idx + 1 : idx;
    m._lua_createtable(L, 0, 0);
    m._lua_createtable(L, 0, 3);
    m._lua_pushvalue(L, target);
    vm.setField(L, -2, '__index');
    vm.setFunction(L, '__newindex', (L) => raise(`${where(vm, L, 1)}${READONLY}`));
    this.protectedTables.add(m._lua_topointer(L, -1));
    m._lua_setmetatable(L, -2);
    this.protectedTables.add(m._lua_topointer(L, -1));
    this.protectedTables.add(m._lua_topointer(L, target));
  }

  private isProtected(L: number, idx: number): boolean {
    return this.vm.type(L, idx) === T_TABLE && this.protectedTables.has(this.vm.m._lua_topointer(L, idx));
  }

  /** Sets the environment of the function at the top of the stack to the proxy. */
  setEnvironment(L: number): void {
    this.vm.m._lua_rawgeti(L, LUA_REGISTRYINDEX, this.envRef);
    this.vm.m._lua_setfenv(L, -2);
  }

  /** Lua's math.random with Redis's generator. */
  private mathRandom(L: number): number {
    const { vm } = this;
    const r = (this.random.next() % LRAND48_MAX) / LRAND48_MAX;
    switch (vm.top(L)) {
      case 0:
        vm.m._lua_pushnumber(L, r);
        break;
      case 1: {
        const u = checkInt(vm, L, 1);
        argCheck(vm, L, 1 <= u, 1, 'interval is empty');
        vm.m._lua_pushnumber(L, Math.floor(r * u) + 1);
        break;
      }
      case 2: {
        const l = checkInt(vm, L, 1);
        const u = checkInt(vm, L, 2);
        argCheck(vm, L, l <= u, 2, 'interval is empty');
        vm.m._lua_pushnumber(L, Math.floor(r * (u - l + 1)) + l);
        break;
      }
      default:
        luaError(vm, L, 'wrong number of arguments');
    }
    return 1;
  }
}

/** luaL_checkint: luaL_checkinteger cast to a C int. */
function checkInt(vm: LuaVm, L: number, narg: number): number {
  return checkInteger(vm, L, narg) | 0;
}
