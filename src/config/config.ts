/*
 * Live configuration: the current value of every directive of the table, in canonical text form
 * (what CONFIG GET shows), with typed accessors for the server. Values change only through
 * `set`, which validates as Redis does and notifies listeners, so cached copies stay in step.
 */

import { DIRECTIVES, type Directive } from './directives.js';

export class ConfigError extends Error {}

export type ConfigListener = (name: string, value: string) => void;

/** Redis's memtoull: a non-negative number with an optional k/kb/m/mb/g/gb unit. */
export function parseMemory(s: string): number | null {
  const m = /^(-?\d+)(k|kb|m|mb|g|gb)?$/i.exec(s);
  if (!m) return null;
  const unit = (m[2] ?? '').toLowerCase();
  const mul: Record<string, number> = { '': 1, k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3 };
  return Number(m[1]) * mul[unit];
}

export class Config {
  private readonly values = new Map<string, string>();
  private readonly table = new Map<string, Directive>();
  private readonly listeners: ConfigListener[] = [];
  /** Path of the config file the server started with ('' when none). */
  configFile = '';

  constructor() {
    for (const d of DIRECTIVES) {
      this.table.set(d.name, d);
      if (d.alias) this.table.set(d.alias, d);
      this.values.set(d.name, d.default);
    }
  }

  directive(name: string): Directive | undefined {
    return this.table.get(name.toLowerCase());
  }

  getString(name: string): string {
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`unknown config ${name}`);
    return v;
  }

  getNumber(name: string): number {
    const d = this.table.get(name)!;
    const v = this.getString(d.name);
    return d.memory ? parseMemory(v)! : Number(v);
  }

  getBool(name: string): boolean {
    return this.getString(name) === 'yes';
  }

  onChange(listener: ConfigListener): void {
    this.listeners.push(listener);
  }

  /** Validates and stores a value; throws ConfigError with Redis's reason text. */
  set(name: string, args: string[]): void {
    const d = this.directive(name);
    if (!d) throw new ConfigError('Bad directive or wrong number of arguments');
    const value = normalize(d, args);
    this.values.set(d.name, value);
    for (const l of this.listeners) l(d.name, value);
  }

  /** [name, value] pairs whose name (or alias) matches the glob, in table order. */
  entries(): Array<[string, string]> {
    return DIRECTIVES.map((d) => [d.name, this.values.get(d.name)!]);
  }
}

function normalize(d: Directive, args: string[]): string {
  if (!d.multiArg && args.length !== 1) throw new ConfigError('wrong number of arguments');
  const v = d.multiArg ? args.join(' ') : args[0];
  switch (d.kind) {
    case 'bool': {
      const l = v.toLowerCase();
      if (l !== 'yes' && l !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
      return l;
    }
    case 'int': {
      const n = d.memory ? parseMemory(v) : /^-?\d+$/.test(v) ? Number(v) : null;
      if (n === null) throw new ConfigError(d.memory ? 'argument must be a memory value' : "argument couldn't be parsed into an integer");
      if ((d.min !== undefined && n < d.min) || (d.max !== undefined && n > d.max)) {
        throw new ConfigError(`argument must be between ${d.min} and ${d.max} inclusive`);
      }
      return String(n);
    }
    case 'enum': {
      const l = v.toLowerCase();
      if (!d.values!.includes(l)) throw new ConfigError(`argument(s) must be one of the following: ${d.values!.join(', ')}`);
      return l;
    }
    default:
      return v;
  }
}
