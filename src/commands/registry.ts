/*
 * The command table: compiles every family's CommandSpec rows into entries with the flags the
 * dispatcher tests on its hot path, the full ACL categories and per-command statistics
 * (INFO commandstats). Container commands (CONFIG, CLIENT, ...) hold their subcommands.
 *
 * Keep in step: a new family file is imported here and its table added to FAMILIES.
 */

import { ACL_CATEGORIES, implicitAclCategories, type AclCategory, type CommandFlag, type CommandSpec, type Handler } from './spec.js';
import { FAMILIES } from './families.js';
import type { LatencyHistogram } from '../server/latency.js';

export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

export class CommandEntry {
  readonly name: string;
  /** "get", or "config|get" for a subcommand. */
  readonly fullname: string;
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  readonly acl: readonly AclCategory[];
  readonly run: Handler | undefined;
  readonly subcommands: Map<string, CommandEntry> | null;
  readonly stats: CommandStats = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 };
  /** Durations of its calls (INFO latencystats, LATENCY HISTOGRAM); made on the first call. */
  latencyHistogram: LatencyHistogram | null = null;

  readonly isWrite: boolean;
  readonly isReadOnly: boolean;
  readonly isDenyOom: boolean;
  readonly isNoAuth: boolean;
  readonly isAdmin: boolean;
  readonly isFast: boolean;
  readonly isPubsub: boolean;
  readonly isNoMulti: boolean;
  readonly isSkipMonitor: boolean;
  readonly isSkipSlowlog: boolean;
  readonly isStale: boolean;
  readonly isLoading: boolean;
  readonly isNoScript: boolean;
  readonly isBlocking: boolean;
  readonly isProtected: boolean;
  readonly declaredFlags: CommandSpec['declaredFlags'];

  constructor(
    readonly spec: CommandSpec,
    readonly parent: CommandEntry | null,
  ) {
    this.name = spec.name;
    this.fullname = parent ? `${parent.name}|${spec.name}` : spec.name;
    this.arity = spec.arity;
    this.flags = spec.flags;
    const family = spec.acl ?? parent?.spec.acl ?? [];
    const all = new Set<AclCategory>([...family, ...implicitAclCategories(spec)]);
    this.acl = ACL_CATEGORIES.filter((c) => all.has(c));
    this.run = spec.run;
    const has = (f: CommandFlag): boolean => spec.flags.includes(f);
    this.isWrite = has('write');
    this.isReadOnly = has('readonly');
    this.isDenyOom = has('denyoom');
    this.isNoAuth = has('no_auth');
    this.isAdmin = has('admin');
    this.isFast = has('fast');
    this.isPubsub = has('pubsub');
    this.isNoMulti = has('no_multi');
    this.isSkipMonitor = has('skip_monitor');
    this.isSkipSlowlog = has('skip_slowlog');
    this.isStale = has('stale');
    this.isLoading = has('loading');
    this.isNoScript = has('noscript');
    this.isBlocking = has('blocking');
    this.isProtected = has('protected');
    this.declaredFlags = spec.declaredFlags;
    if (spec.subcommands) {
      this.subcommands = new Map();
      for (const sub of spec.subcommands) this.subcommands.set(sub.name, new CommandEntry(sub, this));
    } else {
      this.subcommands = null;
    }
  }
}

export class CommandTable {
  readonly commands = new Map<string, CommandEntry>();
  private readonly byUpperName: Map<string, CommandEntry>;

  constructor(families: ReadonlyArray<readonly CommandSpec[]> = FAMILIES) {
    for (const family of families) {
      for (const spec of family) {
        if (this.commands.has(spec.name)) throw new Error(`duplicate command spec ${spec.name}`);
        this.commands.set(spec.name, new CommandEntry(spec, null));
      }
    }
    // Clients mostly send names in upper case: index that spelling too, so lookup allocates nothing.
    this.byUpperName = new Map();
    for (const [name, entry] of this.commands) this.byUpperName.set(name.toUpperCase(), entry);
  }

  /** The top-level entry for a name, case-insensitively. */
  get(name: string): CommandEntry | undefined {
    return this.byUpperName.get(name) ?? this.commands.get(name) ?? this.commands.get(name.toLowerCase());
  }

  /**
   * The entry that runs argv: the command, or its subcommand for containers. Returns the container
   * itself when the subcommand is missing or unknown (the dispatcher reports that).
   */
  lookup(argv: readonly string[]): CommandEntry | undefined {
    const cmd = this.get(argv[0]);
    if (cmd === undefined || cmd.subcommands === null || argv.length < 2) return cmd;
    return cmd.subcommands.get(argv[1].toLowerCase()) ?? cmd;
  }

  /** Every entry, subcommands included. */
  *all(): Generator<CommandEntry> {
    for (const cmd of this.commands.values()) {
      yield cmd;
      if (cmd.subcommands) yield* cmd.subcommands.values();
    }
  }
}
