/*
 * The directives with their own syntax (config.c's createSpecialConfig rows): dir, save,
 * client-output-buffer-limit, oom-score-adj-values, notify-keyspace-events, bind, replicaof and
 * latency-tracking-info-percentiles. Each validates every argument before producing a value, so a
 * refused CONFIG SET changes nothing.
 *
 * `dir` is the one with a side effect, as in Redis: setting it changes the process's working
 * directory at once (later relative paths in the same config file, and the RDB/AOF files, are
 * relative to it), and its value is always the current working directory.
 */

import { formatMemory, memtoull, strtoll } from './cnumbers.js';
import { ConfigError, IMMUTABLE, MULTI_ARG, PROTECTED, eqNoCase, type Directive, type RewriteLine } from './kinds.js';
import { strerror } from './errno.js';
import { formatNotifyFlags, parseNotifyFlags } from '../keyspace/notify.js';
import { parseDouble } from '../types/numbers.js';
import { sdsRepr } from '../types/repr.js';

/** Shared by the rows that are not numbers. */
const notANumber = (): number => NaN;

const dir: Directive<string> = {
  name: 'dir',
  alias: null,
  flags: PROTECTED,
  defaultValue: '',
  parse(args) {
    try {
      // Node takes and gives paths as UTF-8 text; config values are latin1 bytes.
      process.chdir(Buffer.from(args[0], 'latin1').toString());
    } catch (err) {
      throw new ConfigError(strerror(err));
    }
    return workingDirectory();
  },
  format: workingDirectory,
  toNumber: notANumber,
  rewrite: () => [{ line: `dir ${sdsRepr(workingDirectory())}`, force: true }],
};

function workingDirectory(): string {
  return Buffer.from(process.cwd()).toString('latin1');
}

/** A snapshot point: save after `seconds` if at least `changes` writes happened. */
export type SavePoint = readonly [seconds: bigint, changes: number];

const save: Directive<readonly SavePoint[]> = {
  name: 'save',
  alias: null,
  flags: MULTI_ARG,
  defaultValue: [
    [3600n, 1],
    [300n, 100],
    [60n, 10000],
  ],
  parse(args, current, loading) {
    // A single empty argument means no snapshots at all.
    const reset = args.length === 1 && args[0] === '';
    const list = reset ? [] : args;
    if (list.length % 2 === 1) throw new ConfigError('Invalid save parameters');
    const points: SavePoint[] = [];
    for (let j = 0; j < list.length; j += 2) {
      const seconds = strtoll(list[j], 10);
      const changes = strtoll(list[j + 1], 10);
      if (!seconds.complete || seconds.value < 1n || !changes.complete || changes.value < 0n) {
        throw new ConfigError('Invalid save parameters');
      }
      points.push([seconds.value, Number(BigInt.asIntN(32, changes.value))]);
    }
    // While a config file is read, the first `save` line replaces the defaults and later ones add
    // to it (the pre-7.0 "one line per point" form); elsewhere a value replaces the whole list.
    if (loading?.readingFile) {
      const first = !loading.saveSeen;
      loading.saveSeen = true;
      if (!first && !reset) return [...current, ...points];
    }
    return points;
  },
  format: (points) => points.map(([s, c]) => `${s} ${c}`).join(' '),
  toNumber: notANumber,
  rewrite: (points) =>
    points.length === 0 ? [{ line: 'save ""', force: true }] : points.map(([s, c]) => ({ line: `save ${s} ${c}`, force: true })),
};

/** Output buffer limits of one client class. */
export interface BufferLimit {
  readonly hard: bigint;
  readonly soft: bigint;
  readonly seconds: number;
}

/** In Redis's order; "replica" is accepted for "slave", and rewritten so. */
const BUFFER_LIMIT_CLASSES = ['normal', 'slave', 'pubsub'] as const;

const BUFFER_LIMIT_DEFAULTS: readonly BufferLimit[] = [
  { hard: 0n, soft: 0n, seconds: 0 },
  { hard: 256n * 1024n * 1024n, soft: 64n * 1024n * 1024n, seconds: 60 },
  { hard: 32n * 1024n * 1024n, soft: 8n * 1024n * 1024n, seconds: 60 },
];

function bufferLimitClass(name: string): number {
  if (eqNoCase(name, 'replica')) return 1;
  return BUFFER_LIMIT_CLASSES.findIndex((c) => eqNoCase(name, c));
}

const clientOutputBufferLimit: Directive<readonly BufferLimit[]> = {
  name: 'client-output-buffer-limit',
  alias: null,
  flags: MULTI_ARG,
  defaultValue: BUFFER_LIMIT_DEFAULTS,
  parse(args, current) {
    if (args.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
    const next = [...current];
    for (let j = 0; j < args.length; j += 4) {
      const cls = bufferLimitClass(args[j]);
      if (cls < 0) throw new ConfigError('Invalid client class specified in buffer limit configuration.');
      const hard = memtoull(args[j + 1]);
      const soft = memtoull(args[j + 2]);
      const secs = strtoll(args[j + 3], 10);
      const seconds = Number(BigInt.asIntN(32, secs.value));
      if (hard === null || soft === null || seconds < 0 || !secs.complete) {
        throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
      }
      next[cls] = { hard, soft, seconds };
    }
    return next;
  },
  format: (limits) => limits.map((l, i) => `${BUFFER_LIMIT_CLASSES[i]} ${l.hard} ${l.soft} ${l.seconds}`).join(' '),
  toNumber: notANumber,
  rewrite: (limits) =>
    limits.map((l, i) => {
      const d = BUFFER_LIMIT_DEFAULTS[i];
      const cls = i === 1 ? 'replica' : BUFFER_LIMIT_CLASSES[i];
      return {
        line: `client-output-buffer-limit ${cls} ${formatMemory(l.hard)} ${formatMemory(l.soft)} ${l.seconds}`,
        force: l.hard !== d.hard || l.soft !== d.soft || l.seconds !== d.seconds,
      };
    }),
};

const OOM_SCORE_DEFAULTS = [0, 200, 800] as const;

const oomScoreAdjValues: Directive<readonly number[]> = {
  name: 'oom-score-adj-values',
  alias: null,
  flags: MULTI_ARG,
  defaultValue: OOM_SCORE_DEFAULTS,
  parse(args) {
    if (args.length !== 3) throw new ConfigError('wrong number of arguments');
    return args.map((a) => {
      const r = strtoll(a, 10);
      if (!r.complete || r.value < -2000n || r.value > 2000n) {
        throw new ConfigError('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
      }
      return Number(r.value);
    });
  },
  format: (v) => v.join(' '),
  toNumber: notANumber,
  rewrite: (v) => [{ line: `oom-score-adj-values ${v.join(' ')}`, force: v.some((x, i) => x !== OOM_SCORE_DEFAULTS[i]) }],
};

const notifyKeyspaceEvents: Directive<number> = {
  name: 'notify-keyspace-events',
  alias: null,
  flags: 0,
  defaultValue: 0,
  parse(args) {
    const flags = parseNotifyFlags(args[0]);
    if (flags === -1) throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    return flags;
  },
  format: formatNotifyFlags,
  toNumber: (flags) => flags,
  rewrite: (flags) => [{ line: `notify-keyspace-events ${sdsRepr(formatNotifyFlags(flags))}`, force: flags !== 0 }],
};

const DEFAULT_BIND = ['*', '-::*'] as const;

const bind: Directive<readonly string[]> = {
  name: 'bind',
  alias: null,
  flags: MULTI_ARG,
  defaultValue: DEFAULT_BIND,
  parse(args) {
    if (args.length > 16) throw new ConfigError('Too many bind addresses specified.');
    // A single empty argument means no TCP listener at all.
    return args.length === 1 && args[0] === '' ? [] : [...args];
  },
  format: (addrs) => addrs.join(' '),
  toNumber: notANumber,
  rewrite(addrs): RewriteLine[] {
    if (addrs.length === DEFAULT_BIND.length && addrs.every((a, i) => a === DEFAULT_BIND[i])) return [];
    return [{ line: `bind ${addrs.length > 0 ? addrs.join(' ') : '""'}`, force: true }];
  },
};

export interface Primary {
  readonly host: string;
  readonly port: number;
}

const replicaof: Directive<Primary | null> = {
  name: 'replicaof',
  alias: 'slaveof',
  flags: IMMUTABLE | MULTI_ARG,
  defaultValue: null,
  parse(args) {
    if (args.length !== 2) throw new ConfigError('wrong number of arguments');
    if (eqNoCase(args[0], 'no') && eqNoCase(args[1], 'one')) return null;
    // strtol into an int: the value is truncated to 32 bits before the range check.
    const r = strtoll(args[1], 10);
    const port = Number(BigInt.asIntN(32, r.value));
    if (port < 0 || port > 65535 || !r.complete) throw new ConfigError('Invalid master port');
    return { host: args[0], port };
  },
  format: (p) => (p === null ? '' : `${p.host} ${p.port}`),
  toNumber: notANumber,
  rewrite: (p) => (p === null ? [] : [{ line: `replicaof ${p.host} ${p.port}`, force: true }]),
};

/** printf("%f") with trimDoubleString: 99.900000 → 99.9, 50.000000 → 50. */
function formatPercentile(p: number): string {
  return p.toFixed(6).replace(/\.?0+$/, '');
}

const latencyTrackingInfoPercentiles: Directive<readonly number[]> = {
  name: 'latency-tracking-info-percentiles',
  alias: null,
  flags: MULTI_ARG,
  defaultValue: [50, 99, 99.9],
  parse(args) {
    if (args.length === 1 && args[0] === '') return [];
    return args.map((a) => {
      const p = parseDouble(a);
      if (p === null) throw new ConfigError('Invalid latency-tracking-info-percentiles parameters');
      if (p > 100 || p < 0) throw new ConfigError('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
      return p;
    });
  },
  format: (ps) => ps.map(formatPercentile).join(' '),
  toNumber: notANumber,
  rewrite: (ps) => [{ line: `latency-tracking-info-percentiles ${ps.length > 0 ? ps.map(formatPercentile).join(' ') : '""'}`, force: true }],
};

export const SPECIAL_DIRECTIVES: readonly Directive[] = [
  dir,
  save,
  clientOutputBufferLimit,
  oomScoreAdjValues,
  notifyKeyspaceEvents,
  bind,
  replicaof,
  latencyTrackingInfoPercentiles,
];
