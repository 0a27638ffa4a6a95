/*
 * The kinds of config directive, as config.c defines them, and the Directive interface every row
 * of the table (directives.ts) implements. Each row parses arguments into a typed value once
 * (CONFIG SET, startup), formats it the way CONFIG GET shows it, and renders the lines CONFIG
 * REWRITE writes:
 *
 *   yesno    yes|no, case-insensitive
 *   text     a string; rows whose default is null store "" as null (absent from a rewrite)
 *   choice   one name of an enum (case-insensitive); `multi` rows take several and OR them
 *   int      64-bit integers within [lower, upper]; `memory` rows take units (1k, 1kb, ... 1gb),
 *            `percent` rows also "N%" (stored negative), `octal` rows base 8; `unsigned` rows are
 *            range-checked as C unsigned (so -1 is out of range, not below it)
 *   special  save, bind, dir, ... implement Directive themselves (special.ts)
 *
 * Validation errors throw ConfigError with Redis's reason text; callers add the context (the
 * FATAL CONFIG FILE ERROR block, or "CONFIG SET failed (possibly related to argument ...)").
 */

import { formatMemory, memtoull, strtoll } from './cnumbers.js';
import { parseInt64 } from '../types/numbers.js';
import { sdsRepr } from '../types/repr.js';

export class ConfigError extends Error {
  /** Set by a config listener refusing to apply a value: the directive it could not apply. */
  directive?: string;
}

/** Not settable by CONFIG SET. */
export const IMMUTABLE = 1 << 0;
/** CONFIG SET needs enable-protected-configs (yes, or local for loopback clients). */
export const PROTECTED = 1 << 1;
/** CONFIG SET redacts the value from the slowlog. */
export const SENSITIVE = 1 << 2;
/** Left out of CONFIG GET patterns: only an exact name shows it. */
export const HIDDEN = 1 << 3;
/** Takes several arguments on a config line (or one, split on spaces). */
export const MULTI_ARG = 1 << 4;

/** State of one config file load, for `save` whose lines accumulate while a file is read. */
export interface LoadState {
  readingFile: boolean;
  saveSeen: boolean;
}

/** A line CONFIG REWRITE writes; `force` when it must be added even if the file lacks the option. */
export interface RewriteLine {
  line: string;
  force: boolean;
}

export interface Directive<T = unknown> {
  readonly name: string;
  readonly alias: string | null;
  readonly flags: number;
  readonly defaultValue: T;
  /** The new value from the arguments (exactly one unless MULTI_ARG); throws ConfigError. */
  parse(args: readonly string[], current: T, loading: LoadState | null): T;
  /** CONFIG GET's text. */
  format(value: T): string;
  /** getNumber's view (NaN for non-numeric kinds). */
  toNumber(value: T): number;
  /** CONFIG REWRITE's lines; none means the option must not appear in the file. */
  rewrite(value: T): RewriteLine[];
  /** What CONFIG SET's apply step does to a changed value, for rows where Redis adjusts it. */
  adjustOnSet?(value: T): T;
}

export interface RowOptions<T> {
  alias?: string;
  immutable?: boolean;
  protected?: boolean;
  sensitive?: boolean;
  hidden?: boolean;
  /** Extra validation of a parsed value (config.c's is_valid_fn): an error text, or null. */
  check?: (value: T) => string | null;
}

function rowFlags(opts: RowOptions<never> & { multi?: boolean }): number {
  return (
    (opts.immutable ? IMMUTABLE : 0) |
    (opts.protected ? PROTECTED : 0) |
    (opts.sensitive ? SENSITIVE : 0) |
    (opts.hidden ? HIDDEN : 0) |
    (opts.multi ? MULTI_ARG : 0)
  );
}

function checked<T>(opts: RowOptions<T>, value: T): T {
  const err = opts.check?.(value);
  if (err) throw new ConfigError(err);
  return value;
}

/** strcasecmp against a lower-case ASCII word. */
export function eqNoCase(s: string, lowerWord: string): boolean {
  return s.length === lowerWord.length && (s === lowerWord || s.toLowerCase() === lowerWord);
}

export function yesno(name: string, def: boolean, opts: RowOptions<boolean> = {}): Directive<boolean> {
  return {
    name,
    alias: opts.alias ?? null,
    flags: rowFlags(opts),
    defaultValue: def,
    parse(args) {
      const v = eqNoCase(args[0], 'yes') ? true : eqNoCase(args[0], 'no') ? false : null;
      if (v === null) throw new ConfigError("argument must be 'yes' or 'no'");
      return checked(opts, v);
    },
    format: (v) => (v ? 'yes' : 'no'),
    toNumber: (v) => (v ? 1 : 0),
    rewrite: (v) => [{ line: `${name} ${v ? 'yes' : 'no'}`, force: v !== def }],
  };
}

/** A string row; a null default means "" is stored as null (config.c's EMPTY_STRING_IS_NULL). */
export function text(name: string, def: string | null, opts: RowOptions<string> = {}): Directive<string | null> {
  return {
    name,
    alias: opts.alias ?? null,
    flags: rowFlags(opts),
    defaultValue: def,
    parse(args) {
      const v = checked(opts, args[0]);
      return def === null && v === '' ? null : v;
    },
    format: (v) => v ?? '',
    toNumber: () => NaN,
    rewrite: (v) => (v === null ? [] : [{ line: `${name} ${sdsRepr(v)}`, force: v !== def }]),
  };
}

/** Enum entries in Redis's order (CONFIG GET shows the first name of a value). */
export type EnumTable = ReadonlyArray<readonly [string, number]>;

export function choice(name: string, table: EnumTable, def: string, opts: RowOptions<number> & { multi?: boolean } = {}): Directive<number> {
  const multi = opts.multi === true;
  const defaultValue = table.find(([n]) => n === def)![1];
  const format = (v: number): string => enumNames(table, v, multi);
  return {
    name,
    alias: opts.alias ?? null,
    flags: rowFlags(opts),
    defaultValue,
    parse(args) {
      const v = enumValue(table, args, multi);
      if (v === null) throw new ConfigError(`argument(s) must be one of the following: ${table.map(([n]) => n).join(', ')}`);
      return checked(opts, v);
    },
    format,
    toNumber: (v) => v,
    rewrite: (v) => [{ line: `${name} ${format(v)}`, force: v !== defaultValue }],
  };
}

/** configEnumGetValue: every argument must name an entry; bit-flag enums OR them. */
function enumValue(table: EnumTable, args: readonly string[], bitflags: boolean): number | null {
  if (args.length === 0 || (!bitflags && args.length !== 1)) return null;
  let v = 0;
  for (const a of args) {
    let matched = false;
    for (const [n, bits] of table) {
      if (eqNoCase(a, n)) {
        v |= bits;
        matched = true;
      }
    }
    if (!matched) return null;
  }
  return v;
}

/** configEnumGetName: an exact entry, else (bit flags) the entries covering the bits, else "unknown". */
function enumNames(table: EnumTable, v: number, bitflags: boolean): string {
  const names: string[] = [];
  let unmatched = v;
  for (const [n, bits] of table) {
    if (bits === v) return n;
    if (bitflags && bits !== 0 && (unmatched & bits) === bits) {
      names.push(n);
      unmatched &= ~bits;
    }
  }
  return names.length === 0 || unmatched !== 0 ? 'unknown' : names.join(' ');
}

export interface IntOptions extends RowOptions<bigint> {
  unsigned?: boolean;
  memory?: boolean;
  percent?: boolean;
  octal?: boolean;
}

export function int(name: string, def: number | bigint, lower: number | bigint, upper: number | bigint, opts: IntOptions = {}): Directive<bigint> {
  const defaultValue = BigInt(def);
  const lo = BigInt(lower);
  const hi = BigInt(upper);
  const plain = !opts.memory && !opts.percent && !opts.octal;
  const format = (v: bigint): string => {
    if (opts.percent && v < 0n) return `${-v}%`;
    if (opts.memory) return BigInt.asUintN(64, v).toString();
    return opts.octal ? v.toString(8) : v.toString();
  };
  return {
    name,
    alias: opts.alias ?? null,
    flags: rowFlags(opts),
    defaultValue,
    parse(args) {
      const s = args[0];
      let v: bigint | null = null;
      if (opts.memory) {
        const m = memtoull(s);
        if (m !== null) v = BigInt.asIntN(64, m);
      }
      if (v === null && opts.percent && s.length > 1 && s.endsWith('%')) {
        const p = parseInt64(s.slice(0, -1));
        if (p !== null && p >= 0n) v = -p;
      }
      if (v === null && opts.octal) {
        const r = strtoll(s, 8);
        if (r.complete && !r.overflow) v = r.value;
      }
      if (v === null && plain) v = parseInt64(s);
      if (v === null) {
        throw new ConfigError(
          opts.memory && opts.percent
            ? 'argument must be a memory or percent value'
            : opts.memory
              ? 'argument must be a memory value'
              : opts.octal
                ? "argument couldn't be parsed as an octal number"
                : "argument couldn't be parsed into an integer",
        );
      }
      if (opts.unsigned) {
        v = BigInt.asUintN(64, v);
        if (v > hi || v < lo) {
          const show = (b: bigint): string => (opts.octal ? b.toString(8) : b.toString());
          throw new ConfigError(`argument must be between ${show(lo)} and ${show(hi)} inclusive`);
        }
      } else if (opts.percent && v < 0n) {
        if (v < lo) throw new ConfigError(`percentage argument must be less or equal to ${-lo}`);
      } else if (v > hi || v < lo) {
        throw new ConfigError(`argument must be between ${lo} and ${hi} inclusive`);
      }
      return checked(opts, v);
    },
    format,
    toNumber: (v) => Number(v),
    rewrite(v) {
      const shown = opts.percent && v < 0n ? `${-v}%` : opts.memory ? formatMemory(v) : format(v);
      return [{ line: `${name} ${shown}`, force: v !== defaultValue }];
    },
  };
}
