/*
 * The scripting engine: EVAL scripts and FUNCTION libraries on Lua 5.1, as Redis 7.0's eval.c,
 * script.c, script_lua.c and function_lua.c define them.
 *
 * Two Lua states, as in Redis: one for EVAL (its script cache), one for function libraries.
 * A script runs as a coroutine with a count hook. When it has run longer than
 * busy-reply-threshold, the hook yields (where Lua 5.1 can: not under pcall or a metamethod);
 * the command thread then goes back to the event loop, other clients get -BUSY (SCRIPT KILL,
 * FUNCTION KILL and SHUTDOWN NOSAVE work), and the script resumes on the next turn. Meanwhile the
 * caller's input stays suspended, time stays frozen at the script's start, and the propagation
 * unit stays open, so the script's writes still reach the log as one MULTI/EXEC.
 *
 * redis.call runs commands through dispatch's `call` on a script client (Redis's fake client),
 * whose RESP reply is parsed into Lua values, exactly Redis's conversion path.
 */

import { createHash } from 'node:crypto';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import type { CommandEntry } from '../commands/registry.js';
import type { DeclaredFlags } from '../commands/spec.js';
import { call } from '../commands/dispatch.js';
import { ERR_OOM } from '../keyspace/evict.js';
import { formatDouble, parseInt64 } from '../types/numbers.js';
import { LuaRaise, LuaVm, LUA_GLOBALSINDEX, LUA_REGISTRYINDEX, LUA_YIELD, MASK_COUNT, MASK_LINE, T_FUNCTION, T_NIL, T_NUMBER, T_STRING, T_TABLE, raise } from './lua.js';
import { errorFromTable, pushErrorTable, pushReply, writeLuaValue, writeScriptError, type ScriptError } from './convert.js';
import { Sandbox } from './sandbox.js';
import { openRedisLibraries } from './libs/index.js';
import { cString } from './libs/auxlib.js';
import { SCRIPT_FLAGS, type FunctionInfo } from '../keyspace/functions.js';
// The module binding: the global `performance` is a lazy getter, run on every access.
import { performance } from 'node:perf_hooks';

export const ERR_BUSY_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
export const ERR_BUSY_FUNCTION = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';
export const ERR_NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';

/** Script flags (shebang `flags=` or register_function's `flags`): bit i is SCRIPT_FLAGS[i]; these two change how a script runs. */
export const FLAG_NO_WRITES = 1;
export const FLAG_ALLOW_OOM = 2;
/** An EVAL script without a shebang: Redis 6 rules, flags come from the commands it runs. */
export const FLAG_EVAL_COMPAT = 32;

const FLAG_BITS = new Map<string, number>(SCRIPT_FLAGS.map((name, i) => [name, 1 << i]));

const REPL_AOF = 1;
const REPL_REPLICA = 2;
const REPL_ALL = REPL_AOF | REPL_REPLICA;

/**
 * pcall and xpcall in Lua (arguments: Redis's plain pcall, Lua's xpcall, and JS functions to mark a
 * coroutine pausable, to forget it, and to ask whether the caller may pause). Results keep their
 * count, nils included. xpcall's handler runs after the error unwound (scripts have no debug
 * library, so it cannot tell), and a failing handler gives Lua's "error in error handling".
 */
const PAUSABLE_PCALL = `
local plainPcall, plainXpcall, markPausable, forget, mayPause = ...
local create, resume, status, yield = coroutine.create, coroutine.resume, coroutine.status, coroutine.yield
local type, select, unpack, rawget = type, select, unpack, rawget
local function pack(...) return { n = select('#', ...), ... } end
local function pausable(f)
  if type(f) ~= 'function' or not mayPause() then return nil end
  local ok, co = plainPcall(create, f)
  if ok then return co end
end
local function run(co, ...)
  markPausable(co)
  local r = pack(resume(co, ...))
  while status(co) == 'suspended' do
    if mayPause() then yield() end
    r = pack(resume(co))
  end
  forget(co)
  return r
end
local function pcall(...)
  local co = pausable((...))
  if not co then return plainPcall(...) end
  local r = run(co, select(2, ...))
  if not r[1] and type(r[2]) == 'table' and type(rawget(r[2], 'err')) == 'string' then r[2] = rawget(r[2], 'err') end
  return unpack(r, 1, r.n)
end
local function xpcall(f, handler)
  local co = pausable(f)
  if not co then return plainXpcall(f, handler) end
  local r = run(co)
  if r[1] then return unpack(r, 1, r.n) end
  local ok, replaced = plainPcall(handler, r[2])
  if ok then return false, replaced end
  return false, 'error in error handling'
end
return pcall, xpcall
`;

/** Instructions between two looks at the clock, as Redis's count hook. */
const HOOK_INSTRUCTIONS = 100000;
/** While timed out, how long a script runs before the event loop gets a turn (ms). */
const BUSY_SLICE_MS = 20;
const FUNCTION_LOAD_TIMEOUT_MS = 500;

const LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const;
const REDIS_VERSION = '7.0.15';
const REDIS_VERSION_NUM = 0x07000f;

interface CachedScript {
  body: string;
  flags: number;
  /** Registry ref of the compiled chunk. */
  ref: number;
}

/** One script or function invocation (Redis's scriptRunCtx). */
export interface ScriptRun {
  caller: Client;
  argv: string[];
  evalMode: boolean;
  /** The script's sha or the function's name, as error messages and FUNCTION STATS show it. */
  name: string;
  readOnly: boolean;
  allowOom: boolean;
  /** The dataset was out of memory when the script started. */
  oomAtStart: boolean;
  writeDirty: boolean;
  killed: boolean;
  timedOut: boolean;
  replFlags: number;
  resp: 2 | 3;
  /** A top-level EVAL/FCALL may pause for the event loop; one run by EXEC may not (EXEC is atomic). */
  mayYield: boolean;
  startedAt: number;
  sliceStartedAt: number;
  /** The command-time clock of the script (time is frozen while it runs). */
  now: number;
  L: number;
  thread: number;
}

/** A registered function's compiled callback. */
export interface CompiledFunction extends FunctionInfo {
  ref: number;
  flagBits: number;
}

/** Where a library's registrations go while FUNCTION LOAD runs its code. */
interface LoadContext {
  functions: CompiledFunction[];
  startedAt: number;
  /** 0 while loading the dataset: a library from the log or an RDB file is trusted to finish. */
  timeoutMs: number;
}

export class ScriptEngine {
  readonly vm: LuaVm;
  readonly scripts = new Map<string, CachedScript>();
  running: ScriptRun | null = null;
  /** The running script is past busy-reply-threshold and yields to the event loop. */
  busy = false;
  private readonly evalL: number;
  private readonly evalSandbox: Sandbox;
  private readonly functionsL: number;
  private readonly functionsSandbox: Sandbox;
  private loading: LoadContext | null = null;
  /** Registry ref of the globals FUNCTION LOAD's code sees (redis.register_function and little else). */
  private loadGlobalsRef = 0;
  /** A finished coroutine is reused by the next run; one that failed is replaced. */
  private readonly idleThreads = new Map<number, { thread: number; ref: number }>();
  private readonly hookPtr: number;
  private readonly scriptClient: Client;
  /** The coroutines of pcalls in progress (lua_State addresses), which may pause with the script. */
  private readonly pausable = new Set<number>();

  constructor(
    private readonly server: Server,
    vm: LuaVm,
    scriptClient: Client,
  ) {
    this.vm = vm;
    this.scriptClient = scriptClient;
    this.hookPtr = vm.m.addFunction((L: number, ar: number) => this.countHook(L, ar), 'vii');
    this.evalL = vm.newState();
    this.evalSandbox = this.createState(this.evalL, true);
    this.functionsL = vm.newState();
    this.functionsSandbox = this.createState(this.functionsL, false);
    this.createLoadGlobals();
  }

  // -------------------------------------------------------------------------------------------
  // Lua states

  private createState(L: number, evalState: boolean): Sandbox {
    const vm = this.vm;
    const sandbox = new Sandbox(vm, L);
    sandbox.openLibraries();
    openRedisLibraries(vm, L);
    this.installPcall(L);
    vm.m._lua_createtable(L, 0, 32);
    vm.setFunction(L, 'call', (L) => this.redisCall(L, true));
    vm.setFunction(L, 'pcall', (L) => this.redisCall(L, false));
    this.registerLogAndVersion(L);
    vm.setFunction(L, 'setresp', (L) => this.setResp(L));
    vm.setFunction(L, 'sha1hex', (L) => this.sha1hex(L));
    vm.setFunction(L, 'error_reply', (L) => this.errorReply(L));
    vm.setFunction(L, 'status_reply', (L) => this.statusReply(L));
    vm.setFunction(L, 'set_repl', (L) => this.setRepl(L));
    for (const [name, value] of [['REPL_NONE', 0], ['REPL_AOF', REPL_AOF], ['REPL_SLAVE', REPL_REPLICA], ['REPL_REPLICA', REPL_REPLICA], ['REPL_ALL', REPL_ALL]] as const) {
      vm.m._lua_pushnumber(L, value);
      vm.setField(L, -2, name);
    }
    vm.setFunction(L, 'acl_check_cmd', (L) => this.aclCheckCmd(L));
    if (evalState) {
      vm.setFunction(L, 'breakpoint', (L) => {
        vm.m._lua_pushboolean(L, 0);
        return 1;
      });
      vm.setFunction(L, 'debug', () => 0);
      vm.setFunction(L, 'replicate_commands', (L) => {
        vm.m._lua_pushboolean(L, 1);
        return 1;
      });
    }
    vm.setField(L, LUA_GLOBALSINDEX, 'redis');
    sandbox.protect();
    vm.m._lua_sethook(L, this.hookPtr, MASK_COUNT, HOOK_INSTRUCTIONS);
    return sandbox;
  }

  /** redis.log, its levels and REDIS_VERSION(_NUM), for the table at the top of the stack. */
  private registerLogAndVersion(L: number): void {
    const vm = this.vm;
    vm.setFunction(L, 'log', (L) => this.log(L));
    LOG_LEVELS.forEach((level, i) => {
      vm.m._lua_pushnumber(L, i);
      vm.setField(L, -2, `LOG_${level.toUpperCase()}`);
    });
    vm.pushString(L, REDIS_VERSION);
    vm.setField(L, -2, 'REDIS_VERSION');
    vm.m._lua_pushnumber(L, REDIS_VERSION_NUM);
    vm.setField(L, -2, 'REDIS_VERSION_NUM');
  }

  /** The globals of FUNCTION LOAD: `redis` with register_function, log and the versions only. */
  private createLoadGlobals(): void {
    const vm = this.vm;
    const L = this.functionsL;
    vm.m._lua_createtable(L, 0, 1);
    vm.m._lua_createtable(L, 0, 8);
    vm.setFunction(L, 'register_function', (L) => this.registerFunction(L));
    this.registerLogAndVersion(L);
    this.pushMissingGlobalMetatable(L);
    vm.setField(L, -2, 'redis');
    this.pushMissingGlobalMetatable(L);
    this.loadGlobalsRef = vm.m._luaL_ref(L, LUA_REGISTRYINDEX);
  }

  /** Gives the table at the top of the stack the "nonexistent global variable" metatable. */
  private pushMissingGlobalMetatable(L: number): void {
    const vm = this.vm;
    vm.m._lua_getmetatable(L, LUA_GLOBALSINDEX);
    vm.m._lua_setmetatable(L, -2);
  }

  // -------------------------------------------------------------------------------------------
  // EVAL

  static sha1(body: string): string {
    return createHash('sha1').update(body, 'latin1').digest('hex');
  }

  /** luaCreateFunction: the cached script's sha, or Redis's error text (the script is compiled once). */
  createScript(body: string): string | { error: string } {
    const sha = ScriptEngine.sha1(body);
    if (this.scripts.has(sha)) return sha;
    const shebang = parseShebang(body);
    if (typeof shebang === 'string') return { error: `ERR ${shebang}` };
    const vm = this.vm;
    const L = this.evalL;
    // The shebang line is skipped but its newline kept, so line numbers stay the user's.
    if (vm.loadBuffer(L, body.slice(shebang.length), '@user_script') !== 0) {
      const msg = vm.toString(L, -1);
      vm.pop(L, 1);
      return { error: `ERR Error compiling script (new function): ${msg}` };
    }
    this.evalSandbox.setEnvironment(L);
    const ref = vm.m._luaL_ref(L, LUA_REGISTRYINDEX);
    this.scripts.set(sha, { body, flags: shebang.flags, ref });
    return sha;
  }

  /** The flags of a cached or new EVAL script, without compiling it (evalGetCommandFlags). */
  scriptFlags(argv: string[], evalsha: boolean): number | null {
    const sha = evalsha ? argv[1].toLowerCase() : ScriptEngine.sha1(argv[1]);
    const cached = this.scripts.get(sha);
    if (cached !== undefined) return cached.flags;
    if (evalsha) return null;
    const shebang = parseShebang(argv[1]);
    return typeof shebang === 'string' ? null : shebang.flags;
  }

  /** Bytes the EVAL and the function Lua states hold (lua_gc LUA_GCCOUNT, as Redis's luaMemory). */
  vmMemory(): { eval: number; functions: number } {
    const m = this.vm.m;
    return { eval: m._lua_gc(this.evalL, 3, 0) * 1024, functions: m._lua_gc(this.functionsL, 3, 0) * 1024 };
  }

  /** The script cache's size: bodies and their shas (Redis's lua_scripts_mem). */
  scriptsMemory(): number {
    let n = 0;
    for (const s of this.scripts.values()) n += s.body.length + 40 + 64;
    return n;
  }

  /**
   * evalGetCommandFlags / fcallGetCommandFlags: what a script's declared flags make of its
   * command (write unless no-writes; denyoom unless allow-oom or no-writes). Null for a script
   * without a shebang or one not known yet: the command's own flags stay.
   */
  declaredFlags(argv: string[], kind: 'eval' | 'evalsha' | 'fcall'): DeclaredFlags | null {
    let flags: number | null;
    if (kind === 'fcall') flags = (this.server.functions.findFunction(argv[1]) as CompiledFunction | undefined)?.flagBits ?? null;
    else if (kind === 'evalsha' && argv[1].length !== 40) flags = null;
    else flags = this.scriptFlags(argv, kind === 'evalsha');
    if (flags === null || flags & FLAG_EVAL_COMPAT) return null;
    return { write: !(flags & FLAG_NO_WRITES), denyoom: !(flags & (FLAG_ALLOW_OOM | FLAG_NO_WRITES)) };
  }

  /** SCRIPT FLUSH: a fresh EVAL state in Redis; here the cached chunks are released. */
  flushScripts(): void {
    for (const s of this.scripts.values()) this.vm.m._luaL_unref(this.evalL, LUA_REGISTRYINDEX, s.ref);
    this.scripts.clear();
    this.vm.m._lua_gc(this.evalL, 2, 0);
  }

  /** EVAL / EVALSHA (and _RO): evalGenericCommand. */
  eval(c: Client, argv: string[], evalsha: boolean, ro: boolean): void {
    const numkeys = parseNumKeys(c, argv, 'ERR value is not an integer or out of range');
    if (numkeys === null) return;
    let sha: string;
    if (evalsha) {
      sha = argv[1].toLowerCase();
      if (sha.length !== 40 || !this.scripts.has(sha)) {
        c.reply.error(ERR_NOSCRIPT);
        return;
      }
    } else {
      const created = this.createScript(argv[1]);
      if (typeof created !== 'string') {
        c.reply.error(created.error);
        return;
      }
      sha = created;
    }
    const script = this.scripts.get(sha)!;
    const run = this.prepare(c, argv, sha, script.flags, ro, true, this.evalL);
    if (run === null) return;
    const vm = this.vm;
    const T = run.thread;
    vm.m._lua_rawgeti(T, LUA_REGISTRYINDEX, script.ref);
    this.setGlobalArray(T, 'KEYS', argv, 3, 3 + numkeys);
    this.setGlobalArray(T, 'ARGV', argv, 3 + numkeys, argv.length);
    this.start(run, 0);
  }

  private setGlobalArray(L: number, name: string, argv: string[], from: number, to: number): void {
    this.pushArray(L, argv, from, to);
    // The real globals have no __newindex (only the scripts' proxy refuses writes).
    this.vm.setField(L, LUA_GLOBALSINDEX, name);
  }

  private pushArray(L: number, argv: string[], from: number, to: number): void {
    const vm = this.vm;
    vm.m._lua_createtable(L, to - from, 0);
    for (let i = from; i < to; i++) {
      vm.pushString(L, argv[i]);
      vm.m._lua_rawseti(L, -2, i - from + 1);
    }
  }

  // -------------------------------------------------------------------------------------------
  // FUNCTION

  /**
   * Runs a library's code (after its shebang line) so that it registers its functions; the
   * registrations, or Redis's error text (without "ERR ").
   */
  compileLibrary(code: string, bodyStart: number): CompiledFunction[] | string {
    const vm = this.vm;
    const L = this.functionsL;
    const m = vm.m;
    // The shebang line is replaced by an empty one so line numbers stay the user's.
    if (vm.loadBuffer(L, code.slice(bodyStart), '@user_function') !== 0) {
      const msg = vm.toString(L, -1);
      vm.pop(L, 1);
      return `Error compiling function: ${msg}`;
    }
    this.functionsSandbox.setEnvironment(L);
    const ctx: LoadContext = { functions: [], startedAt: performance.now(), timeoutMs: this.server.keyspace.loading ? 0 : FUNCTION_LOAD_TIMEOUT_MS };
    this.setEnvironmentGlobals(this.loadGlobalsRef);
    this.loading = ctx;
    const rc = m._lua_pcall(L, 0, 0, 0);
    this.loading = null;
    this.setEnvironmentGlobals(0);
    if (rc !== 0) {
      const message = this.errorMessage(L);
      vm.pop(L, 1);
      for (const f of ctx.functions) m._luaL_unref(L, LUA_REGISTRYINDEX, f.ref);
      return `Error registering functions: ${message}`;
    }
    return ctx.functions;
  }

  /** Points the function state's environment at the load globals (a ref) or back at the real ones (0). */
  private setEnvironmentGlobals(ref: number): void {
    const m = this.vm.m;
    const L = this.functionsL;
    m._lua_rawgeti(L, LUA_REGISTRYINDEX, this.functionsSandbox.envMetaRef);
    if (ref === 0) m._lua_pushvalue(L, LUA_GLOBALSINDEX);
    else m._lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    this.vm.setField(L, -2, '__index');
    this.vm.pop(L, 1);
  }

  releaseFunctions(functions: readonly FunctionInfo[]): void {
    for (const f of functions as readonly CompiledFunction[]) this.vm.m._luaL_unref(this.functionsL, LUA_REGISTRYINDEX, f.ref);
  }

  /** FCALL / FCALL_RO: fcallCommandGeneric. */
  fcall(c: Client, argv: string[], ro: boolean): void {
    const f = this.server.functions.findFunction(argv[1]) as CompiledFunction | undefined;
    if (f === undefined) {
      c.reply.error('ERR Function not found');
      return;
    }
    const numkeys = parseNumKeys(c, argv, 'ERR Bad number of keys provided');
    if (numkeys === null) return;
    const run = this.prepare(c, argv, f.name, f.flagBits, ro, false, this.functionsL);
    if (run === null) return;
    const T = run.thread;
    this.vm.m._lua_rawgeti(T, LUA_REGISTRYINDEX, f.ref);
    this.pushArray(T, argv, 3, 3 + numkeys);
    this.pushArray(T, argv, 3 + numkeys, argv.length);
    this.start(run, 2);
  }

  private registerFunction(L: number): number {
    const vm = this.vm;
    const m = vm.m;
    const ctx = this.loading;
    if (ctx === null) this.raiseError(L, 'redis.register_function can only be called on FUNCTION LOAD command');
    const argc = vm.top(L);
    if (argc < 1 || argc > 2) this.raiseError(L, 'wrong number of arguments to redis.register_function');
    let name: string | null = null;
    let description: string | null = null;
    let flagBits = 0;
    let ref = 0;
    if (argc === 2) {
      name = isStringLike(vm, L, 1) ? vm.toString(L, 1) : null;
      if (name === null) this.raiseError(L, 'first argument to redis.register_function must be a string');
      if (vm.type(L, 2) !== T_FUNCTION) this.raiseError(L, 'second argument to redis.register_function must be a function');
      ref = m._luaL_ref(L, LUA_REGISTRYINDEX);
    } else {
      if (vm.type(L, 1) !== T_TABLE) {
        this.raiseError(L, 'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).');
      }
      const fail = (msg: string): never => {
        if (ref !== 0) m._luaL_unref(L, LUA_REGISTRYINDEX, ref);
        return this.raiseError(L, msg);
      };
      m._lua_pushnil(L);
      while (m._lua_next(L, 1) !== 0) {
        if (!isStringLike(vm, L, -2)) fail('named argument key given to redis.register_function is not a string');
        const key = vm.toString(L, -2)!.toLowerCase();
        if (key === 'function_name') {
          if (!isStringLike(vm, L, -1)) fail('function_name argument given to redis.register_function must be a string');
          name = vm.toString(L, -1);
        } else if (key === 'description') {
          if (!isStringLike(vm, L, -1)) fail('description argument given to redis.register_function must be a string');
          description = vm.toString(L, -1);
        } else if (key === 'callback') {
          if (vm.type(L, -1) !== T_FUNCTION) fail('callback argument given to redis.register_function must be a function');
          if (ref !== 0) m._luaL_unref(L, LUA_REGISTRYINDEX, ref);
          ref = m._luaL_ref(L, LUA_REGISTRYINDEX);
          continue;
        } else if (key === 'flags') {
          if (vm.type(L, -1) !== T_TABLE) fail('flags argument to redis.register_function must be a table representing function flags');
          const bits = readFlagTable(vm, L);
          if (bits === null) fail('unknown flag given');
          flagBits = bits!;
        } else {
          fail('unknown argument given to redis.register_function');
        }
        vm.pop(L, 1);
      }
      if (name === null) fail('redis.register_function must get a function name argument');
      if (ref === 0) fail('redis.register_function must get a callback argument');
    }
    const err = checkFunctionName(name!, ctx!.functions);
    if (err !== null) {
      m._luaL_unref(L, LUA_REGISTRYINDEX, ref);
      this.raiseError(L, err);
    }
    ctx!.functions.push({ name: name!, description, flags: flagNames(flagBits), flagBits, ref });
    return 0;
  }

  // -------------------------------------------------------------------------------------------
  // Running

  /** scriptPrepareForRun: checks the flags against the server state; null when refused (replied). */
  private prepare(c: Client, argv: string[], name: string, flags: number, ro: boolean, evalMode: boolean, L: number): ScriptRun | null {
    const server = this.server;
    const oom = server.eviction.maxmemory !== 0 && server.eviction.usedMemory() > server.eviction.maxmemory;
    if (!(flags & FLAG_EVAL_COMPAT)) {
      if (!(flags & FLAG_NO_WRITES)) {
        if (server.writeRefusal !== null) {
          c.reply.error(scriptMisconf(server.writeRefusal));
          return null;
        }
        if (ro) {
          c.reply.error('ERR Can not execute a script with write flag using *_ro command.');
          return null;
        }
      }
      if (oom && !(flags & (FLAG_ALLOW_OOM | FLAG_NO_WRITES))) {
        c.reply.error("OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'");
        return null;
      }
    }
    const now = performance.now();
    return {
      caller: c,
      argv,
      evalMode,
      name,
      readOnly: ro || (!(flags & FLAG_EVAL_COMPAT) && (flags & FLAG_NO_WRITES) !== 0),
      allowOom: !(flags & FLAG_EVAL_COMPAT) && (flags & FLAG_ALLOW_OOM) !== 0,
      oomAtStart: oom,
      writeDirty: false,
      killed: false,
      timedOut: false,
      replFlags: REPL_ALL,
      resp: 2,
      mayYield: server.callDepth === 1,
      startedAt: now,
      sliceStartedAt: now,
      now: server.keyspace.now,
      L,
      thread: this.takeThread(L),
    };
  }

  private takeThread(L: number): number {
    const idle = this.idleThreads.get(L);
    if (idle !== undefined) return idle.thread;
    const m = this.vm.m;
    const thread = m._lua_newthread(L);
    const ref = m._luaL_ref(L, LUA_REGISTRYINDEX);
    m._lua_sethook(thread, this.hookPtr, MASK_COUNT, HOOK_INSTRUCTIONS);
    this.idleThreads.set(L, { thread, ref });
    return thread;
  }

  private start(run: ScriptRun, nargs: number): void {
    this.running = run;
    this.scriptClient.db = run.caller.db;
    this.resume(run, nargs);
  }

  /** Runs the coroutine until it finishes, or yields because it is past the busy threshold. */
  private resume(run: ScriptRun, nargs: number): void {
    run.sliceStartedAt = performance.now();
    const status = this.vm.m._lua_resume(run.thread, nargs);
    if (status === LUA_YIELD) {
      if (!this.busy) this.enterBusy(run);
      setImmediate(() => this.continueBusy(run));
      return;
    }
    this.finish(run, status);
  }

  /** The first yield: the caller waits, the unit stays open until the script ends. */
  private enterBusy(run: ScriptRun): void {
    this.busy = true;
    this.server.log.warn(
      `Slow script detected: still in execution after ${Math.round(performance.now() - run.startedAt)} milliseconds. You can try killing the script using the ${run.evalMode ? 'SCRIPT KILL' : 'FUNCTION KILL'} command.`,
    );
    this.server.suspendInput(run.caller);
    this.server.keyspace.effects.beginUnit();
  }

  /** Another slice of a busy script, outside any command: restore the command context around it. */
  private continueBusy(run: ScriptRun): void {
    if (this.running !== run) return;
    const server = this.server;
    server.callDepth++;
    server.currentClient = run.caller;
    server.keyspace.now = run.now;
    try {
      this.resume(run, 0);
    } finally {
      server.callDepth--;
      server.currentClient = null;
    }
    if (this.running === null) {
      this.busy = false;
      server.keyspace.effects.endUnit();
      // The EVAL's call() has long returned: its error (if any) is counted here.
      server.countErrors(run.caller);
      if (server.keyspace.readyKeys.length > 0) server.blocking.serveReadyKeys();
      server.queueFlush(run.caller);
      server.resumeInput(run.caller);
    }
  }

  /** luaCallFunction's tail: the reply (or error) for the caller, and the coroutine's fate. */
  private finish(run: ScriptRun, status: number): void {
    const vm = this.vm;
    const T = run.thread;
    const r = run.caller.reply;
    this.running = null;
    // A killed script leaves its pcall coroutines behind; their addresses may be reused.
    this.pausable.clear();
    if (status === 0) {
      // A script returns one value (the first, as lua_pcall with one result keeps).
      if (vm.top(T) === 0) r.nullBulk();
      else {
        vm.setTop(T, 1);
        writeLuaValue(vm, T, r, run.resp);
      }
      vm.setTop(T, 0);
    } else {
      this.replyRuntimeError(run, T);
      // A failed coroutine is dead: the next run gets a new one.
      const idle = this.idleThreads.get(run.L)!;
      vm.m._luaL_unref(run.L, LUA_REGISTRYINDEX, idle.ref);
      this.idleThreads.delete(run.L);
    }
  }

  /** Replies the error of a failed run: the message, then where the script failed (Redis's error handler). */
  private replyRuntimeError(run: ScriptRun, T: number): void {
    const vm = this.vm;
    const location = this.errorLocation(T);
    const err: ScriptError =
      vm.type(T, -1) === T_TABLE ? errorFromTable(vm, T) : { message: 'ERR ' + luaToString(vm, T, -1), source: null, line: null, counted: false };
    writeScriptError(run.caller.reply, err, location === null ? null : ` script: ${run.name}, on ${location.source}:${location.line}.`);
  }

  /** The error text of a pcall that failed on `L`: a table's err field, or 'ERR ' and the value. */
  private errorMessage(L: number): string {
    const vm = this.vm;
    if (vm.type(L, -1) === T_TABLE) return errorFromTable(vm, L).message;
    return 'ERR ' + luaToString(vm, L, -1);
  }

  /**
   * Where a dead coroutine failed: the innermost Lua frame at the error (a C function such as
   * error() or redis.call reports its caller), as Redis's error handler reads it with getinfo.
   */
  private errorLocation(T: number): { source: string; line: number } | null {
    const m = this.vm.m;
    const ar = this.debugRecord();
    for (let level = 0; level < 2; level++) {
      if (m._lua_getstack(T, level, ar) === 0) return null;
      m._lua_getinfo(T, this.vm.cname('Sl'), ar);
      const what = cString(this.vm, m.HEAPU32[(ar + 12) >> 2]);
      if (what === 'C' && level === 0) continue;
      return { source: cString(this.vm, m.HEAPU32[(ar + 16) >> 2]) ?? '?', line: m.HEAPU32[(ar + 20) >> 2] | 0 };
    }
    return null;
  }

  private debugPtr = 0;

  /** A lua_Debug record (100 bytes in this wasm32 build). */
  private debugRecord(): number {
    if (this.debugPtr === 0) this.debugPtr = this.vm.m._malloc(128);
    return this.debugPtr;
  }

  /** The count hook: SCRIPT KILL, FUNCTION LOAD's timeout, and yielding once past the threshold. */
  private countHook(L: number, ar: number): void {
    const m = this.vm.m;
    if (this.loading !== null) {
      if (this.loading.timeoutMs > 0 && performance.now() - this.loading.startedAt > this.loading.timeoutMs) {
        m._lua_sethook(L, this.hookPtr, MASK_LINE, 0);
        pushErrorTable(this.vm, L, 'FUNCTION LOAD timeout');
        m._lua_error(L);
      }
      return;
    }
    const run = this.running;
    if (run === null) return;
    if (run.killed) {
      // Not inside strata's own pcall code: a kill caught by the script's pcall lets the rest of
      // the line run, as in Redis, whose pcall has no lines of its own.
      if (this.inPcallCode(L, ar)) return;
      // Every line fails from now on (the script's too, not only this pcall's), so a pcall cannot keep the script alive.
      m._lua_sethook(L, this.hookPtr, MASK_LINE, 0);
      m._lua_sethook(run.thread, this.hookPtr, MASK_LINE, 0);
      pushErrorTable(this.vm, L, 'Script killed by user with SCRIPT KILL...');
      m._lua_error(L);
      return;
    }
    const now = performance.now();
    const threshold = this.server.config.getNumber('busy-reply-threshold');
    if (!run.timedOut) {
      if (threshold <= 0 || now - run.startedAt < threshold) return;
      run.timedOut = true;
    }
    // Only the script's coroutine or a pcall's yields: one the script made would wake its resume() early.
    if (now - run.sliceStartedAt >= BUSY_SLICE_MS && this.mayPause(L)) m._lua_yield(L, 0);
  }

  private inPcallCode(L: number, ar: number): boolean {
    const m = this.vm.m;
    m._lua_getinfo(L, this.vm.cname('S'), ar);
    return cString(this.vm, m.HEAPU32[(ar + 16) >> 2]) === '=pcall';
  }

  /** SCRIPT KILL / FUNCTION KILL: scriptKill. */
  kill(c: Client, evalKill: boolean): void {
    const run = this.running;
    if (run === null) {
      c.reply.error('NOTBUSY No scripts in execution right now.');
    } else if (run.writeDirty) {
      c.reply.error(
        'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.',
      );
    } else if (evalKill && !run.evalMode) {
      c.reply.error(ERR_BUSY_FUNCTION);
    } else if (!evalKill && run.evalMode) {
      c.reply.error(ERR_BUSY_EVAL);
    } else {
      run.killed = true;
      // A killed script's next slice must come soon, even if it is in a pcall that cannot yield.
      c.reply.ok();
    }
  }

  /** The BUSY error for a command refused while a script is timed out. */
  busyError(): string {
    return this.running?.evalMode === false ? ERR_BUSY_FUNCTION : ERR_BUSY_EVAL;
  }

  // -------------------------------------------------------------------------------------------
  // The redis.* API

  private raiseError(L: number, message: string): never {
    pushErrorTable(this.vm, L, message);
    throw new LuaRaise();
  }

  /** redis.call (raise) and redis.pcall: luaRedisGenericCommand. */
  private redisCall(L: number, raiseErrors: boolean): number {
    const vm = this.vm;
    const run = this.running;
    if (run === null) this.raiseError(L, 'redis.call/pcall can only be called inside a script invocation');
    const argc = vm.top(L);
    if (argc === 0) return this.callFailed(L, 'Please specify at least one argument for this redis lib call', raiseErrors);
    const argv = new Array<string>(argc);
    for (let i = 0; i < argc; i++) {
      const t = vm.type(L, i + 1);
      if (t === T_NUMBER) argv[i] = formatDouble(vm.m._lua_tonumber(L, i + 1));
      else if (t === T_STRING) argv[i] = vm.toString(L, i + 1)!;
      else return this.callFailed(L, 'Lua redis lib command arguments must be strings or integers', raiseErrors);
    }
    vm.setTop(L, 0);
    const err = this.scriptCall(run!, argv);
    if (err !== null) {
      // A refused command counts in errorstats as Redis's afterErrorReply counts it.
      const sc = this.scriptClient;
      sc.reply.errors.push(err.startsWith('-') ? err.slice(1) : `ERR ${err}`);
      this.server.countErrors(sc);
      pushErrorTable(vm, L, err);
      vm.m._lua_pushboolean(L, 1);
      vm.setField(L, -2, 'ignore_error_stats_update');
      if (raiseErrors) throw new LuaRaise();
      return 1;
    }
    const reply = this.scriptClient.reply.drain();
    pushReply(vm, L, reply, 0);
    if (raiseErrors && reply[0] === 0x2d) throw new LuaRaise();
    return 1;
  }

  private callFailed(L: number, message: string, raiseErrors: boolean): number {
    this.vm.setTop(L, 0);
    pushErrorTable(this.vm, L, message);
    if (raiseErrors) throw new LuaRaise();
    return 1;
  }

  /** scriptCall: the checks Redis makes before a script's command runs; the error text, or null when it ran. */
  private scriptCall(run: ScriptRun, argv: string[]): string | null {
    const server = this.server;
    const sc = this.scriptClient;
    const cmd = server.commands.lookup(argv);
    if (cmd === undefined || (cmd.subcommands !== null && argv.length >= 2)) return 'Unknown Redis command called from script';
    const refused = this.refusal(run, cmd, argv);
    if (refused !== null) {
      cmd.stats.rejectedCalls++;
      return refused;
    }
    if (cmd.isWrite) run.writeDirty = true;
    sc.reply.resp = run.resp;
    const effects = server.keyspace.effects;
    const mark = effects.unitLength;
    call(sc, cmd, argv);
    if (!(run.replFlags & REPL_AOF)) effects.truncateUnit(mark);
    server.countErrors(sc);
    return null;
  }

  /** Why a script may not run this command now, or null. */
  private refusal(run: ScriptRun, cmd: CommandEntry, argv: string[]): string | null {
    const server = this.server;
    if ((cmd.arity > 0 && argv.length !== cmd.arity) || argv.length < -cmd.arity) return 'Wrong number of args calling Redis command from script';
    if (cmd.isNoScript) return 'This Redis command is not allowed from script';
    if (run.readOnly && (cmd.isWrite || cmd.flags.includes('may_replicate'))) return 'Write commands are not allowed from read-only scripts.';
    if (cmd.isWrite && !run.writeDirty && server.writeRefusal !== null) return '-' + server.writeRefusal;
    if (!run.allowOom && !run.writeDirty && run.oomAtStart && cmd.isDenyOom) return '-' + ERR_OOM;
    return null;
  }

  /**
   * The global pcall and xpcall. A Lua function runs in a coroutine of its own, so that a long loop
   * inside can still pause for the event loop (Lua 5.1 cannot yield across the C pcall): when that
   * coroutine pauses, pcall pauses its caller in turn, up to the script. Code inside pcall could
   * never yield in Lua 5.1, so every pause of such a coroutine is the hook's. C functions, and
   * callers that cannot pause, use Redis's plain pcall.
   */
  private installPcall(L: number): void {
    const vm = this.vm;
    const m = vm.m;
    if (vm.loadBuffer(L, PAUSABLE_PCALL, '=pcall') !== 0) throw new Error(`Lua setup failed: ${vm.toString(L, -1)}`);
    vm.pushFunction(L, (L) => this.luaPcall(L));
    vm.getField(L, LUA_GLOBALSINDEX, 'xpcall');
    vm.pushFunction(L, (L) => {
      this.pausable.add(m._lua_tothread(L, 1));
      return 1;
    });
    vm.pushFunction(L, (L) => {
      this.pausable.delete(m._lua_tothread(L, 1));
      return 0;
    });
    vm.pushFunction(L, (L) => {
      m._lua_pushboolean(L, this.mayPause(L) ? 1 : 0);
      return 1;
    });
    m._lua_call(L, 5, 2);
    vm.setField(L, LUA_GLOBALSINDEX, 'xpcall');
    vm.setField(L, LUA_GLOBALSINDEX, 'pcall');
    // A yield inside pcall fails in Lua 5.1; inside a pcall's coroutine it must fail the same way.
    vm.getField(L, LUA_GLOBALSINDEX, 'coroutine');
    vm.setFunction(L, 'yield', (L) => {
      if (this.pausable.has(L)) raise('attempt to yield across metamethod/C-call boundary');
      return m._lua_yield(L, m._lua_gettop(L));
    });
    vm.pop(L, 1);
  }

  /** Whether the coroutine `L` may pause now: the script's own, or a pcall's, with no C call in between. */
  private mayPause(L: number): boolean {
    const run = this.running;
    return run !== null && run.mayYield && (L === run.thread || this.pausable.has(L)) && this.vm.canYield(L);
  }

  /** Redis 7's pcall: an error table becomes its err string. */
  private luaPcall(L: number): number {
    const vm = this.vm;
    const m = vm.m;
    const argc = vm.top(L);
    if (argc === 0) {
      // Redis's pcall calls the `true` it inserted when given nothing to call.
      m._lua_pushboolean(L, 0);
      vm.pushString(L, 'attempt to call a boolean value');
      return 2;
    }
    m._lua_pushboolean(L, 1);
    m._lua_insert(L, 1);
    if (m._lua_pcall(L, argc - 1, -1, 0) !== 0) {
      m._lua_remove(L, 1);
      if (vm.type(L, -1) === T_TABLE) {
        vm.getField(L, -1, 'err');
        if (isStringLike(vm, L, -1)) m._lua_replace(L, -2);
        else vm.pop(L, 1);
      }
      m._lua_pushboolean(L, 0);
      m._lua_insert(L, 1);
    }
    return vm.top(L);
  }

  private log(L: number): number {
    const vm = this.vm;
    const argc = vm.top(L);
    if (argc < 2) this.raiseError(L, 'redis.log() requires two arguments or more.');
    if (vm.m._lua_isnumber(L, 1) === 0) this.raiseError(L, 'First argument must be a number (log level).');
    const level = Math.trunc(vm.m._lua_tonumber(L, 1));
    if (level < 0 || level > 3) this.raiseError(L, 'Invalid debug level.');
    const parts: string[] = [];
    for (let i = 2; i <= argc; i++) {
      const s = isStringLike(vm, L, i) ? vm.toString(L, i) : null;
      if (s !== null) parts.push(s);
    }
    const text = parts.join(' ');
    const logger = this.server.log;
    if (level === 3) logger.warn(text);
    else if (level === 2) logger.info(text);
    else logger.debug(text);
    return 0;
  }

  private setResp(L: number): number {
    const vm = this.vm;
    const run = this.running;
    if (run === null) this.raiseError(L, 'redis.setresp can only be called inside a script invocation');
    if (vm.top(L) !== 1) this.raiseError(L, 'redis.setresp() requires one argument.');
    const resp = Math.trunc(vm.m._lua_tonumber(L, 1));
    if (resp !== 2 && resp !== 3) this.raiseError(L, 'RESP version must be 2 or 3.');
    run!.resp = resp as 2 | 3;
    return 0;
  }

  private sha1hex(L: number): number {
    const vm = this.vm;
    if (vm.top(L) !== 1) this.raiseError(L, 'wrong number of arguments');
    vm.pushString(L, ScriptEngine.sha1(vm.toString(L, 1) ?? ''));
    return 1;
  }

  private errorReply(L: number): number {
    const vm = this.vm;
    if (vm.top(L) !== 1 || vm.type(L, -1) !== T_STRING) {
      pushErrorTable(vm, L, 'wrong number or type of arguments');
      return 1;
    }
    const err = vm.toString(L, -1)!;
    pushErrorTable(vm, L, err.startsWith('-') ? err : '-' + err);
    return 1;
  }

  private statusReply(L: number): number {
    const vm = this.vm;
    if (vm.top(L) !== 1 || vm.type(L, -1) !== T_STRING) {
      pushErrorTable(vm, L, 'wrong number or type of arguments');
      return 1;
    }
    vm.m._lua_createtable(L, 0, 1);
    vm.m._lua_pushvalue(L, -2);
    vm.setField(L, -2, 'ok');
    return 1;
  }

  private setRepl(L: number): number {
    const vm = this.vm;
    const run = this.running;
    if (run === null) this.raiseError(L, 'redis.set_repl can only be called inside a script invocation');
    if (vm.top(L) !== 1) this.raiseError(L, 'redis.set_repl() requires two arguments.');
    const flags = Math.trunc(vm.m._lua_tonumber(L, -1));
    if ((flags & ~REPL_ALL) !== 0) this.raiseError(L, 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
    run!.replFlags = flags;
    return 0;
  }

  /** redis.acl_check_cmd: strata has only the default user, who may run every command. */
  private aclCheckCmd(L: number): number {
    const vm = this.vm;
    if (this.running === null) this.raiseError(L, 'redis.acl_check_cmd can only be called inside a script invocation');
    const argc = vm.top(L);
    if (argc === 0) this.raiseError(L, 'Please specify at least one argument for this redis lib call');
    const argv: string[] = [];
    for (let i = 1; i <= argc; i++) {
      if (!isStringLike(vm, L, i)) this.raiseError(L, 'Lua redis lib command arguments must be strings or integers');
      argv.push(vm.toString(L, i)!);
    }
    const cmd = this.server.commands.lookup(argv);
    if (cmd === undefined || (cmd.subcommands !== null && argv.length >= 2)) this.raiseError(L, 'Invalid command passed to redis.acl_check_cmd()');
    vm.m._lua_pushboolean(L, 1);
    return 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function isStringLike(vm: LuaVm, L: number, idx: number): boolean {
  const t = vm.type(L, idx);
  return t === T_STRING || t === T_NUMBER;
}

/** Lua's tostring for an error value that is not a table. */
function luaToString(vm: LuaVm, L: number, idx: number): string {
  const t = vm.type(L, idx);
  if (t === T_STRING || t === T_NUMBER) return vm.toString(L, idx)!;
  if (t === T_NIL || t === -1) return 'nil';
  if (t === 1) return vm.m._lua_toboolean(L, idx) ? 'true' : 'false';
  return 'execution failure';
}


/** EVAL/FCALL's numkeys, or null after replying Redis's error. */
function parseNumKeys(c: Client, argv: string[], notANumber: string): number | null {
  const parsed = parseInt64(argv[2]);
  if (parsed === null) {
    c.reply.error(notANumber);
    return null;
  }
  const n = Number(parsed);
  if (n > argv.length - 3) {
    c.reply.error("ERR Number of keys can't be greater than number of args");
    return null;
  }
  if (n < 0) {
    c.reply.error("ERR Number of keys can't be negative");
    return null;
  }
  return n;
}

/** The script-flavoured MISCONF error of scriptPrepareForRun, from the server's write refusal. */
function scriptMisconf(refusal: string): string {
  const aof = refusal.indexOf('AOF error:');
  if (aof >= 0) {
    return `MISCONF Redis is configured to persist data to AOF, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts. ${refusal.slice(aof)}`;
  }
  return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts.";
}

/**
 * evalExtractShebangFlags: `#!lua [flags=a,b]` on the first line; its length (kept out of the
 * compiled code) and the flags, or Redis's error text (without "ERR ").
 */
export function parseShebang(body: string): { length: number; flags: number } | string {
  if (!body.startsWith('#!')) return { length: 0, flags: FLAG_EVAL_COMPAT };
  const eol = body.indexOf('\n');
  if (eol < 0) return 'Invalid script shebang';
  const parts = body.slice(0, eol).split(/[ \t\r\v\f]+/).filter((p) => p !== '');
  if (parts.length === 0) return 'Invalid engine in script shebang';
  if (parts[0] !== '#!lua') return `Unexpected engine in script shebang: ${parts[0]}`;
  let flags = 0;
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) return `Unknown lua shebang option: ${part}`;
    // An empty list splits into no flags at all (sdssplitlen of nothing).
    if (part === 'flags=') continue;
    for (const flag of part.slice(6).split(',')) {
      const bit = FLAG_BITS.get(flag);
      if (bit === undefined) return `Unexpected flag in script shebang: ${flag}`;
      flags |= bit;
    }
  }
  return { length: eol, flags };
}

/** register_function's flags table: the flag bits, or null on an unknown flag. */
function readFlagTable(vm: LuaVm, L: number): number | null {
  let bits = 0;
  for (let i = 1; ; i++) {
    vm.m._lua_rawgeti(L, -1, i);
    const t = vm.type(L, -1);
    if (t === T_NIL) {
      vm.pop(L, 1);
      return bits;
    }
    const flag = isStringLike(vm, L, -1) ? vm.toString(L, -1)!.toLowerCase() : null;
    vm.pop(L, 1);
    const bit = flag === null ? undefined : FLAG_BITS.get(flag);
    if (bit === undefined) return null;
    bits |= bit;
  }
}

function flagNames(bits: number): string[] {
  return SCRIPT_FLAGS.filter((_, i) => (bits & (1 << i)) !== 0);
}

/** functionLibCreateFunction's checks (its message for a bad function name does say "Library"). */
function checkFunctionName(name: string, registered: readonly CompiledFunction[]): string | null {
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    return 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';
  }
  if (registered.some((f) => f.name === name)) return 'Function already exists in the library';
  return null;
}
