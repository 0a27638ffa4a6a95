/*
 * The Lua 5.1 virtual machine: PUC-Rio Lua 5.1 compiled to WebAssembly (the `wasmoon-lua5.1`
 * package), driven through its raw C API exports. Only the C API is used, never the package's
 * JS object bridge: strings cross as bytes (latin1 JS strings, one char per byte), so scripts are
 * as binary-safe as Redis's.
 *
 * A JS function registered with `pushFunction` is a lua_CFunction. It raises a Lua error by
 * throwing `LuaRaise` (or `raise(message)`); the wrapper turns that into lua_error outside any JS
 * try block, because lua_error unwinds with a longjmp, which this build implements as a thrown
 * `Infinity` that must reach the wasm frame that called setjmp.
 */

import { createRequire } from 'node:module';
import { latin1String, writeLatin1 } from '../types/bytes.js';

const require = createRequire(import.meta.url);

export const LUA_REGISTRYINDEX = -10000;
export const LUA_GLOBALSINDEX = -10002;
export const LUA_YIELD = 1;

export const T_NIL = 0;
export const T_BOOLEAN = 1;
export const T_LIGHTUSERDATA = 2;
export const T_NUMBER = 3;
export const T_STRING = 4;
export const T_TABLE = 5;
export const T_FUNCTION = 6;

export const MASK_LINE = 4;
export const MASK_COUNT = 8;

/** The emscripten module's raw exports this file uses. */
interface RawLua {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(n: number): number;
  _free(p: number): void;
  addFunction(fn: (...args: number[]) => number | void, sig: string): number;
  [name: `_lua${string}`]: (...args: number[]) => number;
}

/** Thrown inside a registered function to raise a Lua error with the value pushed (or with `message`). */
export class LuaRaise extends Error {
  constructor(readonly luaMessage: string | null = null) {
    super(luaMessage ?? 'lua error');
  }
}

/** Raises a Lua error whose value is the string `message`. */
export function raise(message: string): never {
  throw new LuaRaise(message);
}

export type LuaFunction = (L: number) => number;

/** The module with every wasm export reachable as `_name` without the debug wrapper. */
function directExports(module: RawLua, exports: WebAssembly.Exports): RawLua {
  const direct = Object.create(module) as Record<string, unknown>;
  for (const [name, fn] of Object.entries(exports)) if (typeof fn === 'function') direct[`_${name}`] = fn;
  return direct as unknown as RawLua;
}

/** A longjmp in flight (emscripten's _emscripten_throw_longjmp throws Infinity). */
function isLongjmp(e: unknown): boolean {
  return e === Infinity;
}

export class LuaVm {
  private scratch = 0;
  private scratchSize = 0;
  private readonly lenPtr: number;
  private readonly names = new Map<string, number>();
  /** A Buffer over the wasm memory, renewed when the memory grows (its ArrayBuffer changes). */
  private heapView: Buffer = Buffer.alloc(0);

  private constructor(readonly m: RawLua) {
    this.lenPtr = m._malloc(4);
  }

  static async load(): Promise<LuaVm> {
    const { LuaApi } = require('wasmoon-lua5.1') as { LuaApi: { initialize(): Promise<{ module: RawLua }> } };
    // The package's exports go through emscripten's debug wrappers (an assertion and a rest-args
    // array per call); the command path calls the wasm exports directly, caught at instantiation.
    const instantiate = WebAssembly.instantiate;
    let exports: WebAssembly.Exports | null = null;
    WebAssembly.instantiate = async function (this: unknown, ...args: Parameters<typeof instantiate>) {
      const result = (await Reflect.apply(instantiate, this, args)) as WebAssembly.WebAssemblyInstantiatedSource | WebAssembly.Instance;
      exports = ('instance' in result ? result.instance : result).exports;
      return result;
    } as typeof instantiate;
    let api: { module: RawLua };
    try {
      api = await LuaApi.initialize();
    } finally {
      WebAssembly.instantiate = instantiate;
    }
    return new LuaVm(exports === null ? api.module : directExports(api.module, exports));
  }

  newState(): number {
    return this.m._luaL_newstate();
  }

  /** A NUL-terminated copy of a constant name, kept for the life of the VM. */
  cname(name: string): number {
    let p = this.names.get(name);
    if (p === undefined) {
      const bytes = Buffer.from(name + '\0', 'latin1');
      p = this.m._malloc(bytes.length);
      this.m.HEAPU8.set(bytes, p);
      this.names.set(name, p);
    }
    return p;
  }

  /** Copies bytes into the scratch area (grown as needed) and returns its address. */
  private stage(s: string): number {
    const n = s.length;
    if (n + 1 > this.scratchSize) {
      if (this.scratch !== 0) this.m._free(this.scratch);
      this.scratchSize = Math.max(256, n + 1, this.scratchSize * 2);
      this.scratch = this.m._malloc(this.scratchSize);
    }
    const heap = this.heap();
    const p = this.scratch;
    writeLatin1(heap, s, p);
    heap[p + n] = 0;
    return p;
  }

  pushString(L: number, s: string): void {
    this.m._lua_pushlstring(L, this.stage(s), s.length);
  }

  /** The string (or number, converted in place as lua_tolstring does) at `idx`; null for other types. */
  toString(L: number, idx: number): string | null {
    const p = this.m._lua_tolstring(L, idx, this.lenPtr);
    if (p === 0) return null;
    const n = this.m.HEAPU32[this.lenPtr >> 2];
    // A flat string (not a rope): keys built from it hash once.
    return latin1String(this.heap(), p, p + n);
  }

  private heap(): Buffer {
    const memory = this.m.HEAPU8.buffer;
    if (this.heapView.buffer !== memory) this.heapView = Buffer.from(memory);
    return this.heapView;
  }

  /** A copy of the string at `idx` as bytes (null for non-strings). */
  toBytes(L: number, idx: number): Buffer | null {
    const p = this.m._lua_tolstring(L, idx, this.lenPtr);
    if (p === 0) return null;
    const n = this.m.HEAPU32[this.lenPtr >> 2];
    return Buffer.from(this.m.HEAPU8.subarray(p, p + n));
  }

  pushBytes(L: number, b: Uint8Array): void {
    const p = this.m._malloc(b.length + 1);
    this.m.HEAPU8.set(b, p);
    this.m._lua_pushlstring(L, p, b.length);
    this.m._free(p);
  }

  type(L: number, idx: number): number {
    return this.m._lua_type(L, idx);
  }

  top(L: number): number {
    return this.m._lua_gettop(L);
  }

  setTop(L: number, n: number): void {
    this.m._lua_settop(L, n);
  }

  pop(L: number, n: number): void {
    this.m._lua_settop(L, -n - 1);
  }

  /** t[name] = top of stack (popped), t at `idx`. */
  setField(L: number, idx: number, name: string): void {
    this.m._lua_setfield(L, idx, this.cname(name));
  }

  getField(L: number, idx: number, name: string): number {
    this.m._lua_getfield(L, idx, this.cname(name));
    return this.m._lua_type(L, -1);
  }

  /** Pushes t[name] without metamethods (t at `idx`, a negative index counts before the pushed key). */
  rawGetField(L: number, idx: number, name: string): number {
    const t = idx < 0 && idx > LUA_REGISTRYINDEX ? idx - 1 : idx;
    this.pushString(L, name);
    this.m._lua_rawget(L, t);
    return this.m._lua_type(L, -1);
  }

  /** Wraps `fn` as a lua_CFunction (a permanent wasm table slot: register each function once). */
  cfunction(fn: LuaFunction): number {
    const m = this.m;
    const vm = this;
    return m.addFunction((L: number) => {
      let result = 0;
      let failed = false;
      try {
        result = fn(L);
      } catch (e) {
        if (isLongjmp(e)) throw e;
        failed = true;
        if (e instanceof LuaRaise) {
          if (e.luaMessage !== null) vm.pushString(L, e.luaMessage);
        } else {
          vm.pushString(L, `internal error: ${(e as Error)?.message ?? String(e)}`);
        }
      }
      if (failed) return m._lua_error(L);
      return result;
    }, 'ii');
  }

  pushFunction(L: number, fn: LuaFunction): void {
    this.m._lua_pushcclosure(L, this.cfunction(fn), 0);
  }

  /** Sets t[name] = fn for the table at the top of the stack. */
  setFunction(L: number, name: string, fn: LuaFunction): void {
    this.pushFunction(L, fn);
    this.setField(L, -2, name);
  }

  /** luaL_loadbuffer: 0 with the chunk pushed, or an error code with the message pushed. */
  loadBuffer(L: number, code: string, chunkName: string): number {
    const bytes = Buffer.from(code, 'latin1');
    const p = this.m._malloc(bytes.length + 1);
    this.m.HEAPU8.set(bytes, p);
    const rc = this.m._luaL_loadbuffer(L, p, bytes.length, this.cname(chunkName));
    this.m._free(p);
    return rc;
  }

  /** Runs Lua code at setup time; throws on error (a bug in strata's own Lua). */
  run(L: number, code: string, chunkName: string): void {
    if (this.loadBuffer(L, code, chunkName) !== 0 || this.m._lua_pcall(L, 0, 0, 0) !== 0) {
      const msg = this.toString(L, -1);
      throw new Error(`Lua setup failed: ${msg}`);
    }
  }

  /**
   * True when a hook may yield: Lua 5.1 refuses to yield across a C call (pcall, metamethods,
   * table.sort comparators). lua_State's nCcalls and baseCcalls (offsets 52 and 54 in this wasm32
   * build) are equal exactly when no C call sits between the coroutine's base and the hook.
   */
  canYield(L: number): boolean {
    const heap = this.m.HEAPU8;
    return heap[L + 52] === heap[L + 54] && heap[L + 53] === heap[L + 55];
  }
}
