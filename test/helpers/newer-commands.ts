/*
 * Commands and subcommands strata takes from Redis versions after 7.0 (DESIGN: 7.2/7.4 additions
 * are welcome). Tests that compare the command table with redis-server 7.0.15 leave these out;
 * each entry says what changed and where it comes from.
 */

export const NEWER_THAN_7_0: ReadonlyMap<string, string> = new Map([
  ['client|setinfo', 'Redis 7.2: sent by current ioredis and node-redis on connect'],
  ['zrank', 'Redis 7.2: WITHSCORE option (arity -3)'],
  ['zrevrank', 'Redis 7.2: WITHSCORE option (arity -3)'],
  ...['hexpire', 'hpexpire', 'hexpireat', 'hpexpireat', 'httl', 'hpttl', 'hexpiretime', 'hpexpiretime', 'hpersist'].map(
    (name): [string, string] => [name, 'Redis 7.4: hash field expiration'],
  ),
]);
