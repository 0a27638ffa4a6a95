/*
 * Directives whose default strata changes on purpose from Redis 7.0.15's: strata is durable by
 * default (issue 7). Tests comparing configurations with redis-server set these aside and check
 * strata's value on its own.
 */

export const STRATA_DEFAULTS: ReadonlyMap<string, { strata: string; redis: string }> = new Map([
  ['appendonly', { strata: 'yes', redis: 'no' }],
  ['appendfsync', { strata: 'always', redis: 'everysec' }],
]);

/** Drops those directives from a [name, value] list or a name → value map. */
export function withoutStrataDefaults<T extends Array<[string, string]> | Map<string, string>>(config: T): T {
  if (config instanceof Map) {
    const out = new Map(config);
    for (const name of STRATA_DEFAULTS.keys()) out.delete(name);
    return out as T;
  }
  return config.filter(([name]) => !STRATA_DEFAULTS.has(name)) as T;
}

/** Drops config-file lines that set them ("appendonly no" is written by CONFIG REWRITE only on strata). */
export function withoutStrataDefaultLines(lines: string[]): string[] {
  return lines.filter((l) => !STRATA_DEFAULTS.has(l.split(' ')[0]));
}
