/*
 * Live configuration: the current value of every directive of the table. Each value is parsed
 * once when set and kept three ways: typed (for the directive's own use), as CONFIG GET's text
 * (getString) and as a number (getNumber: memory units resolved, enums as their code), so the
 * hot paths read a field. Values change only through the setters here, which validate as Redis
 * does and tell the listeners which directives changed, so cached copies stay in step.
 *
 * Names are case-insensitive; an alias (slaveof, hash-max-ziplist-entries, ...) reaches the same
 * value as its directive but is a name of its own for CONFIG GET.
 */

import { DIRECTIVES } from './directives.js';
import { ConfigError, HIDDEN, IMMUTABLE, MULTI_ARG, PROTECTED, type Directive, type LoadState } from './kinds.js';
import { globMatch } from '../types/glob.js';

export { ConfigError } from './kinds.js';

/**
 * Told which directives (primary names) a CONFIG SET or set() changed. A listener that cannot
 * apply a value throws ConfigError (with `directive` set to the culprit): the change is rolled back.
 */
export type ConfigListener = (changed: readonly string[]) => void;

interface Slot {
  readonly directive: Directive;
  value: unknown;
  text: string;
  num: number;
}

export class Config {
  /** By lower-case name, aliases included, in table order (each alias right after its directive). */
  private readonly slots = new Map<string, Slot>();
  private readonly listeners: ConfigListener[] = [];
  /** Absolute path of the config file the server started with ('' when none). */
  configFile = '';

  constructor(directives: readonly Directive[] = DIRECTIVES) {
    for (const d of directives) {
      const slot: Slot = { directive: d, value: d.defaultValue, text: '', num: NaN };
      this.store(slot, d.defaultValue);
      this.slots.set(d.name, slot);
      if (d.alias !== null) this.slots.set(d.alias, slot);
    }
  }

  private slot(name: string): Slot {
    const s = this.slots.get(name) ?? this.slots.get(name.toLowerCase());
    if (s === undefined) throw new Error(`unknown config ${name}`);
    return s;
  }

  private store(slot: Slot, value: unknown): void {
    slot.value = value;
    slot.text = slot.directive.format(value);
    slot.num = slot.directive.toNumber(value);
  }

  /** CONFIG GET's text of a directive. */
  getString(name: string): string {
    return this.slot(name).text;
  }

  /** A numeric directive's value (memory units resolved; percentages negative, as Redis keeps them). */
  getNumber(name: string): number {
    return this.slot(name).num;
  }

  getBool(name: string): boolean {
    return this.slot(name).value === true;
  }

  /** The typed value (e.g. save points, client-output-buffer-limit classes). */
  getValue<T>(name: string): T {
    return this.slot(name).value as T;
  }

  onChange(listener: ConfigListener): void {
    this.listeners.push(listener);
  }

  /** The directive a name (or alias) refers to, case-insensitively. */
  directive(name: string): Directive | undefined {
    return (this.slots.get(name) ?? this.slots.get(name.toLowerCase()))?.directive;
  }

  /** Every directive, in table order, with its typed value (CONFIG REWRITE). */
  *directives(): Generator<[Directive, unknown]> {
    for (const [name, slot] of this.slots) {
      if (name === slot.directive.name) yield [slot.directive, slot.value];
    }
  }

  /** A config-file line for `d` (arguments already arity-checked): no listeners run at startup. */
  load(d: Directive, args: readonly string[], state: LoadState): void {
    const slot = this.slot(d.name);
    this.store(slot, d.parse(args, slot.value, state));
  }

  /** Sets one directive from its arguments, as CONFIG SET does, immutable ones included. */
  set(name: string, args: readonly string[]): void {
    const slot = this.slots.get(name.toLowerCase());
    if (slot === undefined) throw new ConfigError('Bad directive or wrong number of arguments');
    const d = slot.directive;
    if (!(d.flags & MULTI_ARG) && args.length !== 1) throw new ConfigError('wrong number of arguments');
    const before = slot.text;
    this.store(slot, d.parse(args, slot.value, null));
    if (slot.text === before) return;
    this.adjust(slot);
    this.notify([d.name], [slot], [before]);
  }

  /**
   * CONFIG SET name value [name value ...], all or nothing: every name is checked (unknown,
   * immutable, protected, repeated) before any value is parsed; values are then set in order and
   * the earlier ones restored if one is refused; finally the listeners apply the changes, and a
   * refusal there restores everything. Returns null, or the error reply (Redis's text).
   */
  setFromCommand(pairs: readonly string[], protectedAllowed: boolean): string | null {
    const slots: Slot[] = [];
    const names: string[] = [];
    for (let i = 0; i < pairs.length; i += 2) {
      const name = pairs[i];
      const slot = this.slots.get(name) ?? this.slots.get(name.toLowerCase());
      if (slot === undefined) return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      const flags = slot.directive.flags;
      if (flags & IMMUTABLE) return setFailed(name, "can't set immutable config");
      if (flags & PROTECTED && !protectedAllowed) return setFailed(name, "can't set protected config");
      // An alias and its directive are distinct names here, as in Redis: the last one wins.
      const key = name.toLowerCase();
      if (names.includes(key)) return setFailed(name, 'duplicate parameter');
      slots.push(slot);
      names.push(key);
    }
    const before = slots.map((s) => s.text);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      const value = pairs[2 * i + 1];
      try {
        this.store(slot, slot.directive.parse(splitSetValue(slot.directive, value), slot.value, null));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        this.restore(slots.slice(0, i + 1), before);
        return setFailed(names[i], err.message);
      }
    }
    const changed = slots.filter((s, i) => s.text !== before[i]);
    if (changed.length === 0) return null;
    for (const slot of changed) this.adjust(slot);
    try {
      this.notify(
        changed.map((s) => s.directive.name),
        slots,
        before,
      );
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return setFailed(err.directive ?? names[0], err.message);
    }
    return null;
  }

  private adjust(slot: Slot): void {
    const d = slot.directive;
    if (d.adjustOnSet !== undefined) this.store(slot, d.adjustOnSet(slot.value));
  }

  /** Runs the listeners; if one refuses, restores `slots` to `before`, re-applies and rethrows. */
  private notify(changed: readonly string[], slots: readonly Slot[], before: readonly string[]): void {
    try {
      for (const l of this.listeners) l(changed);
    } catch (err) {
      this.restore(slots, before);
      for (const l of this.listeners) l(changed);
      throw err;
    }
  }

  /** Puts values back by parsing their previous text, as Redis's restoreBackupConfig (dir chdirs back). */
  private restore(slots: readonly Slot[], before: readonly string[]): void {
    slots.forEach((slot, i) => {
      try {
        this.store(slot, slot.directive.parse(splitSetValue(slot.directive, before[i]), slot.value, null));
      } catch {
        // The previous value parsed once already; only a vanished `dir` can refuse it.
      }
    });
  }

  /**
   * CONFIG GET: [name, value] pairs for names given exactly (shown as typed, hidden directives
   * included) and for glob patterns (case-insensitive, aliases included, hidden ones not), each
   * directive name once.
   */
  matching(patterns: readonly string[]): Array<[string, string]> {
    const out = new Map<string, [string, string]>();
    for (const pattern of patterns) {
      if (!/[[*?]/.test(pattern)) {
        const key = pattern.toLowerCase();
        const slot = this.slots.get(key);
        if (slot !== undefined && !out.has(key)) out.set(key, [pattern, slot.text]);
        continue;
      }
      for (const [name, slot] of this.slots) {
        if (slot.directive.flags & HIDDEN || out.has(name)) continue;
        if (globMatch(pattern, name, true)) out.set(name, [name, slot.text]);
      }
    }
    return [...out.values()];
  }
}

export function setFailed(name: string, reason: string): string {
  return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
}

/** CONFIG SET's value: one argument, or split on single spaces for multi-argument directives. */
function splitSetValue(d: Directive, value: string): readonly string[] {
  if (!(d.flags & MULTI_ARG)) return [value];
  return value === '' ? [] : value.split(' ');
}
