/*
 * Directives whose default strata changes on purpose from Redis 7.0.15's: strata is durable by
 * default (issue 7). Tests comparing configurations with redis-server set these aside and check
 * strata's value on its own.
 */

export const STRATA_DEFAULTS: ReadonlyMap<string, { strata: string; redis: string }> = new Map([
  ['appendonly', { strata: 'yes', redis: 'no' }],
  ['appendfsync', { strata: 'always', redis: 'everysec' }],
]);

/** Directives redis-server does not have: strata's own features (the cold tier). */
export const STRATA_ONLY: ReadonlySet<string> = new Set(['cold-tier', 'cold-tier-dir', 'cold-tier-max-disk-bytes', 'cold-tier-async-reads']);

function setAside(name: string): boolean {
  return STRATA_DEFAULTS.has(name) || STRATA_ONLY.has(name);
}

/** Drops those directives (and strata's own) from a [name, value] list or a name → value map. */
export function withoutStrataDefaults<T extends Array<[string, string]> | Map<string, string>>(config: T): T {
  if (config instanceof Map) {
    const out = new Map(config);
    for (const name of out.keys()) if (setAside(name)) out.delete(name);
    return out as T;
  }
  return config.filter(([name]) => !setAside(name)) as T;
}

/** Drops config-file lines that set them ("appendonly no" is written by CONFIG REWRITE only on strata). */
export function withoutStrataDefaultLines(lines: string[]): string[] {
  return lines.filter((l) => !STRATA_DEFAULTS.has(l.split(' ')[0]));
}
