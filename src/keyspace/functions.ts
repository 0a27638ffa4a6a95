/*
 * The function library store (Redis's functionsLibCtx): libraries by name (case-sensitive), and
 * every library's functions by name in one global index (case-insensitive, as FCALL looks them
 * up). A function name belongs to at most one library; a library has at least one function.
 *
 * A library is its code: the shebang (`#!lua name=mylib`) names it and its engine, and the
 * functions are those the code registers with redis.register_function when the scripting engine
 * (the store's `compiler`) runs it. Without an engine (the offline `strata rdb` tools) the
 * registrations are read statically from the code (string-literal names, descriptions and flags,
 * the forms redis.io documents). FUNCTION DUMP / RESTORE use Redis's payload: one FUNCTION2 record (the code as an RDB
 * string) per library, then the RDB version and CRC-64.
 */

import { RdbBuffer } from '../../storage/rdb/writer.js';
import { RdbCursor, RdbError } from '../../storage/rdb/reader.js';
import { RdbOpcode } from '../../storage/rdb/constants.js';
import { openPayload, sealPayload } from '../../storage/rdb/payload.js';

export interface FunctionInfo {
  name: string;
  description: string | null;
  /** In Redis's order: no-writes allow-oom allow-stale no-cluster allow-cross-slot-keys. */
  flags: string[];
}

export interface Library {
  name: string;
  /** The engine's canonical name, as FUNCTION LIST shows it. */
  engine: string;
  code: string;
  functions: FunctionInfo[];
}

/** The scripting engine's part in creating a library: run its code, collect its registrations. */
export interface LibraryCompiler {
  /** The functions the code after the shebang (from `bodyStart`) registers, or Redis's error text. */
  compileLibrary(code: string, bodyStart: number): FunctionInfo[] | string;
  /** Frees what compileLibrary kept for these functions. */
  releaseFunctions(functions: readonly FunctionInfo[]): void;
}

export type RestorePolicy = 'append' | 'replace' | 'flush';

export const SCRIPT_FLAGS = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'] as const;

const ENGINES = new Map([['lua', 'LUA']]);

/** Library and function names: letters, digits and underscores, at least one. */
const VALID_NAME = /^[A-Za-z0-9_]+$/;

export class FunctionStore {
  readonly libraries = new Map<string, Library>();
  /** Lower-cased function name → its library. */
  private readonly owners = new Map<string, Library>();
  compiler: LibraryCompiler | null = null;

  /** The function FCALL names (case-insensitive). */
  findFunction(name: string): FunctionInfo | undefined {
    const lower = name.toLowerCase();
    return this.owners.get(lower)?.functions.find((f) => f.name.toLowerCase() === lower);
  }

  get functionCount(): number {
    return this.owners.size;
  }

  /** Redis's functionsCreateWithLibraryCtx: the library created, or Redis's error text (without "ERR "). */
  create(code: string, replace: boolean): Library | string {
    const lib = analyzeLibrary(code, this.compiler);
    if (typeof lib === 'string') return lib;
    const old = this.libraries.get(lib.name);
    let err: string | null = null;
    if (old !== undefined && !replace) err = `Library '${lib.name}' already exists`;
    for (const f of lib.functions) {
      const owner = this.owners.get(f.name.toLowerCase());
      if (err === null && owner !== undefined && owner !== old) err = `Function ${f.name} already exists`;
    }
    if (err !== null) {
      this.compiler?.releaseFunctions(lib.functions);
      return err;
    }
    if (old !== undefined) this.release(old);
    this.link(lib);
    return lib;
  }

  delete(name: string): boolean {
    const lib = this.libraries.get(name);
    if (lib === undefined) return false;
    this.release(lib);
    return true;
  }

  flush(): void {
    for (const lib of this.libraries.values()) this.compiler?.releaseFunctions(lib.functions);
    this.libraries.clear();
    this.owners.clear();
  }

  /** Unlinks a library for good: its compiled functions go too. */
  private release(lib: Library): void {
    this.unlink(lib);
    this.compiler?.releaseFunctions(lib.functions);
  }

  private link(lib: Library): void {
    this.libraries.set(lib.name, lib);
    for (const f of lib.functions) this.owners.set(f.name.toLowerCase(), lib);
  }

  private unlink(lib: Library): void {
    this.libraries.delete(lib.name);
    for (const f of lib.functions) this.owners.delete(f.name.toLowerCase());
  }

  /** FUNCTION DUMP's payload. */
  dump(): Buffer {
    const w = new RdbBuffer(true);
    for (const lib of this.libraries.values()) {
      w.u8(RdbOpcode.Function2);
      w.string(lib.code);
    }
    return sealPayload(w.drain());
  }

  /**
   * FUNCTION RESTORE: loads every library of the payload into a fresh store, then joins it with
   * this one by the policy; nothing changes on error. Returns null, or Redis's error text.
   */
  restore(payload: Buffer, policy: RestorePolicy): string | null {
    const frame = openPayload(payload);
    if (frame === null) return 'DUMP payload version or checksum are wrong';
    const incoming = new FunctionStore();
    incoming.compiler = this.compiler;
    const fail = (err: string): string => {
      incoming.flush();
      return err;
    };
    const r = new RdbCursor(payload.subarray(0, frame.bodyEnd));
    while (r.pos < r.buf.length) {
      const type = r.u8();
      if (type !== RdbOpcode.FunctionPreGa && type !== RdbOpcode.Function2) return fail('given type is not a function');
      let code: string;
      try {
        code = type === RdbOpcode.Function2 ? r.string() : readPreReleaseFunction(r);
      } catch (err) {
        if (!(err instanceof RdbError)) throw err;
        return fail(type === RdbOpcode.Function2 ? 'Failed loading library payload' : 'Failed loading library');
      }
      const created = incoming.create(code, false);
      if (typeof created === 'string') return fail(created);
    }
    if (policy === 'flush') {
      this.flush();
    } else {
      const err = this.checkJoin(incoming, policy === 'replace');
      if (err !== null) return fail(err);
      for (const lib of incoming.libraries.values()) {
        const old = this.libraries.get(lib.name);
        if (old !== undefined) this.release(old);
      }
    }
    for (const lib of incoming.libraries.values()) this.link(lib);
    return null;
  }

  /** libraryJoin's checks: name collisions (unless replacing), then function collisions with the libraries that stay. */
  private checkJoin(incoming: FunctionStore, replace: boolean): string | null {
    for (const name of incoming.libraries.keys()) {
      if (this.libraries.has(name) && !replace) return `Library ${name} already exists`;
    }
    for (const [fname, lib] of incoming.owners) {
      const owner = this.owners.get(fname);
      if (owner !== undefined && !(replace && incoming.libraries.has(owner.name))) {
        return `Function ${lib.functions.find((f) => f.name.toLowerCase() === fname)!.name} already exists`;
      }
    }
    return null;
  }
}

/** A FUNCTION record of 7.0-rc1/rc2 (name, engine, optional description, code) as FUNCTION2 code. */
function readPreReleaseFunction(r: RdbCursor): string {
  const name = r.string();
  const engine = r.string();
  if (r.len() !== 0) r.string(); // description
  const blob = r.string();
  return `#!${engine} name=${name}\n${blob}`;
}

// ---------------------------------------------------------------------------------------------
// Library analysis: metadata line and function registrations

/** Redis's functionExtractLibMetaData plus what the engine learns by running the code (or a static reading without one). */
export function analyzeLibrary(code: string, compiler: LibraryCompiler | null = null): Library | string {
  if (!code.startsWith('#!')) return 'Missing library metadata';
  const eol = code.indexOf('\n');
  if (eol < 0) return 'Invalid library metadata';
  const parts = splitArgs(code.slice(0, eol));
  if (parts === null || parts.length === 0) return 'Invalid library metadata';
  const engineName = parts[0].slice(2);
  let name: string | null = null;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    if (part.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== null) return 'Invalid metadata value, name argument was given multiple times';
      name = part.slice(5);
      continue;
    }
    return `Invalid metadata value given: ${part}`;
  }
  if (name === null) return 'Library name was not given';
  if (!VALID_NAME.test(name)) {
    return 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';
  }
  const engine = ENGINES.get(engineName.toLowerCase());
  if (engine === undefined) return `Engine '${engineName}' not found`;
  if (compiler !== null) {
    const functions = compiler.compileLibrary(code, eol);
    if (typeof functions === 'string') return functions;
    if (functions.length === 0) return 'No functions registered';
    return { name, engine, code, functions };
  }
  const functions = scanRegistrations(code.slice(eol));
  if (typeof functions === 'string') return `Error registering functions: ${functions}`;
  if (functions.length === 0) return 'No functions registered';
  return { name, engine, code, functions };
}

/** sdssplitargs: space-separated words, "double" (with escapes) or 'single' quoted; null when unbalanced. */
function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    let word = '';
    let quote = '';
    for (;;) {
      if (i >= line.length) {
        if (quote !== '') return null;
        break;
      }
      const ch = line[i];
      if (quote === '') {
        if (/\s/.test(ch)) break;
        if (ch === '"' || ch === "'") quote = ch;
        else word += ch;
        i++;
      } else if (ch === '\\' && quote === '"' && i + 1 < line.length) {
        const esc: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };
        word += esc[line[i + 1]] ?? line[i + 1];
        i += 2;
      } else if (ch === quote) {
        i++;
        // A closing quote must be followed by a space or the end.
        if (i < line.length && !/\s/.test(line[i])) return null;
        quote = '';
        break;
      } else {
        word += ch;
        i++;
      }
    }
    out.push(word);
  }
  return out;
}

/**
 * The redis.register_function calls in Lua source, outside comments and strings:
 *   redis.register_function('name', callback)
 *   redis.register_function{function_name='name', callback=..., description='...', flags={'no-writes'}}
 * Returns the functions in registration order, or an error message.
 */
function scanRegistrations(src: string): FunctionInfo[] | string {
  const lex = new LuaScanner(src);
  const out: FunctionInfo[] = [];
  const seen = new Set<string>();
  for (;;) {
    const at = lex.findCall('redis.register_function');
    if (at < 0) break;
    let f: FunctionInfo | string;
    if (lex.peekChar() === '(') {
      lex.pos++;
      lex.skipSpace();
      f = lex.peekChar() === '{' ? readNamedArgs(lex) : readPositionalArgs(lex);
    } else if (lex.peekChar() === '{') {
      f = readNamedArgs(lex);
    } else {
      continue;
    }
    if (typeof f === 'string') return f;
    if (!VALID_NAME.test(f.name)) {
      return 'Function names can only contain letters, numbers, or underscores(_) and must be at least one character long';
    }
    if (seen.has(f.name)) return 'Function already exists in the library';
    seen.add(f.name);
    out.push(f);
  }
  return out;
}

function readPositionalArgs(lex: LuaScanner): FunctionInfo | string {
  const name = lex.readString();
  if (name === null) return 'first argument to redis.register_function must be a string';
  return { name, description: null, flags: [] };
}

function readNamedArgs(lex: LuaScanner): FunctionInfo | string {
  lex.pos++; // '{'
  let name: string | null = null;
  let description: string | null = null;
  const flags = new Set<string>();
  let hasCallback = false;
  for (;;) {
    lex.skipSpace();
    const ch = lex.peekChar();
    if (ch === '}' || ch === '') break;
    if (ch === ',' || ch === ';') {
      lex.pos++;
      continue;
    }
    const key = lex.readIdentifier();
    lex.skipSpace();
    if (key === null || lex.peekChar() !== '=') return 'named argument key given to redis.register_function is not a string';
    lex.pos++;
    lex.skipSpace();
    if (key === 'function_name') {
      name = lex.readString();
      if (name === null) return 'function_name argument given to redis.register_function must be a string';
    } else if (key === 'description') {
      description = lex.readString();
      if (description === null) return 'description argument given to redis.register_function must be a string';
    } else if (key === 'flags') {
      if (lex.peekChar() !== '{') return 'flags argument to redis.register_function must be a table representing function flags';
      lex.pos++;
      for (;;) {
        lex.skipSpace();
        const c2 = lex.peekChar();
        if (c2 === '}') {
          lex.pos++;
          break;
        }
        if (c2 === ',' || c2 === ';') {
          lex.pos++;
          continue;
        }
        const flag = lex.readString();
        if (flag === null || !(SCRIPT_FLAGS as readonly string[]).includes(flag)) return 'unknown flag given';
        flags.add(flag);
      }
    } else if (key === 'callback') {
      hasCallback = true;
      lex.skipValue();
    } else {
      return 'unknown argument given to redis.register_function';
    }
  }
  if (name === null) return 'redis.register_function must get a function name argument';
  if (!hasCallback) return 'redis.register_function must get a callback argument';
  return { name, description, flags: SCRIPT_FLAGS.filter((f) => flags.has(f)) };
}

/** Just enough of a Lua lexer to find calls and read literals: skips comments and strings. */
class LuaScanner {
  pos = 0;

  constructor(private readonly src: string) {}

  peekChar(): string {
    return this.pos < this.src.length ? this.src[this.pos] : '';
  }

  /** Moves past the next occurrence of `name` in code (not in a string or comment); its position or -1. */
  findCall(name: string): number {
    while (this.pos < this.src.length) {
      if (this.skipCommentOrString()) continue;
      if (this.src.startsWith(name, this.pos) && !isIdentChar(this.src[this.pos - 1] ?? ' ') && !isIdentChar(this.src[this.pos + name.length] ?? ' ')) {
        const at = this.pos;
        this.pos += name.length;
        this.skipSpace();
        return at;
      }
      this.pos++;
    }
    return -1;
  }

  skipSpace(): void {
    while (this.pos < this.src.length) {
      if (/\s/.test(this.src[this.pos])) this.pos++;
      else if (this.src.startsWith('--', this.pos)) this.skipCommentOrString();
      else break;
    }
  }

  /** Skips a comment or string literal at pos; true when one was there. */
  private skipCommentOrString(): boolean {
    const s = this.src;
    if (s.startsWith('--', this.pos)) {
      const level = longBracketLevel(s, this.pos + 2);
      if (level >= 0) {
        this.pos = closeLongBracket(s, this.pos + 2, level);
      } else {
        const eol = s.indexOf('\n', this.pos);
        this.pos = eol < 0 ? s.length : eol + 1;
      }
      return true;
    }
    if (this.readString() !== null) return true;
    return false;
  }

  /** A string literal at pos ('..', "..", [[..]]), decoded; null (pos unchanged) when there is none. */
  readString(): string | null {
    const s = this.src;
    const q = s[this.pos];
    if (q === '"' || q === "'") {
      let out = '';
      let i = this.pos + 1;
      while (i < s.length && s[i] !== q) {
        if (s[i] === '\\' && i + 1 < s.length) {
          const esc: Record<string, string> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', f: '\f', v: '\v' };
          out += esc[s[i + 1]] ?? s[i + 1];
          i += 2;
        } else {
          out += s[i++];
        }
      }
      this.pos = Math.min(i + 1, s.length);
      return out;
    }
    if (q === '[') {
      const level = longBracketLevel(s, this.pos);
      if (level < 0) return null;
      const start = this.pos + level + 2;
      const end = closeLongBracket(s, this.pos, level);
      this.pos = end;
      return s.slice(s[start] === '\n' ? start + 1 : start, Math.max(start, end - level - 2));
    }
    return null;
  }

  readIdentifier(): string | null {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.src.slice(this.pos, this.pos + 256));
    if (m === null) return null;
    this.pos += m[0].length;
    return m[0];
  }

  /** Skips one table-field value: up to the next ',' ';' or '}' outside brackets and blocks (function/if/do/repeat … end/until). */
  skipValue(): void {
    let depth = 0;
    while (this.pos < this.src.length) {
      if (this.skipCommentOrString()) continue;
      const ch = this.src[this.pos];
      if (depth === 0 && (ch === ',' || ch === ';' || ch === '}')) return;
      if (ch === '(' || ch === '{' || ch === '[') depth++;
      else if (ch === ')' || ch === '}' || ch === ']') depth--;
      else if (!isIdentChar(this.src[this.pos - 1] ?? ' ')) {
        const word = this.readIdentifier();
        if (word !== null) {
          if (BLOCK_OPENERS.has(word)) depth++;
          else if (word === 'end' || word === 'until') depth--;
          continue;
        }
      }
      this.pos++;
    }
  }
}

const BLOCK_OPENERS = new Set(['function', 'if', 'do', 'repeat']);

function isIdentChar(ch: string): boolean {
  return /[A-Za-z0-9_.]/.test(ch);
}

/** Level of a long bracket `[==[` at i, or -1. */
function longBracketLevel(s: string, i: number): number {
  if (s[i] !== '[') return -1;
  let j = i + 1;
  while (s[j] === '=') j++;
  return s[j] === '[' ? j - i - 1 : -1;
}

/** Position after the `]==]` closing a long bracket opened at i. */
function closeLongBracket(s: string, i: number, level: number): number {
  const close = ']' + '='.repeat(level) + ']';
  const end = s.indexOf(close, i + level + 2);
  return end < 0 ? s.length : end + close.length;
}
