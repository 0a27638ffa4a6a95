import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Config, ConfigError } from '../../src/config/config.js';
import { ConfigFileError, ConfigOpenError, loadConfigString, newLoadState } from '../../src/config/conf-file.js';
import { formatMemory, memtoull, strtoll } from '../../src/config/cnumbers.js';
import { parseCommandLine, readStartupConfig } from '../../src/config/startup.js';
import { rewriteConfigFile } from '../../src/config/rewrite.js';
import { globMatch } from '../../src/types/glob.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'strata-config-unit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, text, 'latin1');
  return p;
}

function loaded(text: string): Config {
  const config = new Config();
  loadConfigString(config, text, newLoadState());
  return config;
}

function loadError(text: string): ConfigFileError {
  try {
    loaded(text);
  } catch (err) {
    if (err instanceof ConfigFileError) return err;
    throw err;
  }
  throw new Error('loaded without error');
}

describe('globMatch (Redis stringmatchlen)', () => {
  it.each([
    ['*', '', false], // stringmatchlen needs a character for the loop (KEYS * special-cases it)
    ['*', 'anything', true],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h*llo', 'heeeello', true],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hbllo', true],
    ['h[b-a]llo', 'hbllo', true], // reversed ranges are swapped
    ['h[a-b]llo', 'hcllo', false],
    ['h\\*llo', 'h*llo', true],
    ['h\\*llo', 'hello', false],
    ['[\\]]', ']', true],
    ['a[', 'a', false],
    ['a[bc', 'ab', true], // an unterminated set runs to the end of the pattern
    ['a\\', 'a\\', true], // a trailing backslash is literal
    ['**a', 'ba', true],
    ['a*', 'a', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
  ])('%j matches %j: %s', (pattern, s, expected) => {
    expect(globMatch(pattern, s)).toBe(expected);
  });

  it('nocase folds ASCII letters in literals, sets and ranges', () => {
    expect(globMatch('MAX*', 'maxmemory', true)).toBe(true);
    expect(globMatch('[A-C]x', 'bx', true)).toBe(true);
    expect(globMatch('MAX*', 'maxmemory')).toBe(false);
  });

  it('a pattern without special characters matches only itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', 'c') }), fc.string({ unit: fc.constantFrom('a', 'b', 'c') }), (p, s) => {
        expect(globMatch(p, s)).toBe(p === s);
      }),
    );
  });

  it('stays fast on patterns that backtrack', () => {
    expect(globMatch('a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(60))).toBe(false);
  });
});

describe('C number conversions', () => {
  it('memtoull takes units, wraps on overflow and reads an empty number as 0', () => {
    expect(memtoull('1kb')).toBe(1024n);
    expect(memtoull('1K')).toBe(1000n);
    expect(memtoull('2GB')).toBe(2n * 1024n ** 3n);
    expect(memtoull('5b')).toBe(5n);
    expect(memtoull('')).toBe(0n);
    expect(memtoull('mb')).toBe(0n);
    expect(memtoull('-1')).toBe(null);
    expect(memtoull('1 kb')).toBe(null);
    expect(memtoull('99999999999999999999gb')).toBe(18446744072635809792n);
  });

  it('strtoll skips spaces, takes a sign, and reports unconsumed text', () => {
    expect(strtoll(' +12', 10)).toEqual({ value: 12n, complete: true, overflow: false });
    expect(strtoll('12x', 10).complete).toBe(false);
    expect(strtoll('', 10)).toEqual({ value: 0n, complete: true, overflow: false });
    expect(strtoll('x', 10).complete).toBe(false);
    expect(strtoll('777', 8).value).toBe(511n);
    expect(strtoll('99999999999999999999', 10)).toEqual({ value: 9223372036854775807n, complete: true, overflow: true });
  });

  it('formatMemory picks the largest exact unit', () => {
    expect(formatMemory(0n)).toBe('0');
    expect(formatMemory(1024n ** 3n)).toBe('1gb');
    expect(formatMemory(3n * 1024n * 1024n)).toBe('3mb');
    expect(formatMemory(2048n)).toBe('2kb');
    expect(formatMemory(1000n)).toBe('1000');
  });
});

describe('Config values', () => {
  it('starts at the defaults, with numbers resolved and aliases reaching the same value', () => {
    const c = new Config();
    expect(c.getNumber('proto-max-bulk-len')).toBe(512 * 1024 * 1024);
    expect(c.getString('save')).toBe('3600 1 300 100 60 10000');
    expect(c.getString('client-output-buffer-limit')).toBe('normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
    expect(c.getBool('protected-mode')).toBe(true);
    expect(c.getNumber('hash-max-ziplist-entries')).toBe(512);
    expect(c.getString('requirepass')).toBe('');
    expect(c.getString('unixsocketperm')).toBe('0');
  });

  it('set() validates, stores the canonical form and tells listeners what changed', () => {
    const c = new Config();
    const seen: string[][] = [];
    c.onChange((changed) => seen.push([...changed]));
    c.set('maxmemory', ['1gb']);
    expect(c.getString('maxmemory')).toBe('1073741824');
    expect(c.getNumber('maxmemory')).toBe(1073741824);
    c.set('maxmemory', ['1073741824']);
    c.set('slave-read-only', ['NO']);
    expect(seen).toEqual([['maxmemory'], ['replica-read-only']]);
    expect(() => c.set('hz', ['x'])).toThrow(new ConfigError("argument couldn't be parsed into an integer"));
    expect(() => c.set('nosuch', ['1'])).toThrow(ConfigError);
  });

  it('a listener refusing a change rolls the whole CONFIG SET back', () => {
    const c = new Config();
    c.onChange((changed) => {
      if (changed.includes('port') && c.getNumber('port') === 1) {
        const err = new ConfigError('Unable to listen on this port. Check server logs.');
        err.directive = 'port';
        throw err;
      }
    });
    expect(c.setFromCommand(['timeout', '5', 'port', '1'], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.",
    );
    expect(c.getNumber('timeout')).toBe(0);
    expect(c.getNumber('port')).toBe(6379);
  });

  it('CONFIG SET of protected directives needs enable-protected-configs', () => {
    const c = new Config();
    expect(c.setFromCommand(['dbfilename', 'x.rdb'], false)).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config",
    );
    expect(c.setFromCommand(['dbfilename', 'x.rdb'], true)).toBe(null);
    expect(c.getString('dbfilename')).toBe('x.rdb');
  });

  it('CONFIG SET repl-backlog-size raises small sizes to 16kb, as resizing the backlog does', () => {
    const c = loaded('repl-backlog-size 1kb');
    expect(c.getString('repl-backlog-size')).toBe('1024');
    expect(c.setFromCommand(['repl-backlog-size', '2kb'], false)).toBe(null);
    expect(c.getString('repl-backlog-size')).toBe('16384');
  });

  it('CONFIG GET shows exact names as typed and matches patterns against names and aliases', () => {
    const c = new Config();
    expect(c.matching(['MAXMEMORY', 'maxmemory'])).toEqual([['MAXMEMORY', '0']]);
    expect(c.matching(['*slave-read*'])).toEqual([['slave-read-only', 'yes']]);
    expect(c.matching(['watchdog*'])).toEqual([]);
    expect(c.matching(['watchdog-period'])).toEqual([['watchdog-period', '0']]);
  });
});

describe('config file parsing', () => {
  it('reads quoted arguments, case-insensitive names, and lets the last occurrence win', () => {
    const c = loaded(
      ['# comment', '   ', '  maxmemory 1mb  ', 'MAXMEMORY 2mb', 'requirepass "a b\\x41\\n"', "masterauth 'it\\'s'", 'bind 127.0.0.1 ::1'].join('\r\n'),
    );
    expect(c.getString('maxmemory')).toBe('2097152');
    expect(c.getString('requirepass')).toBe('a bA\n');
    expect(c.getString('masterauth')).toBe("it's");
    expect(c.getString('bind')).toBe('127.0.0.1 ::1');
  });

  it('accumulates save lines within a file, the first replacing the defaults', () => {
    expect(loaded('save 900 1\nsave 300 10').getString('save')).toBe('900 1 300 10');
    expect(loaded('save "900 1 300 10"').getString('save')).toBe('900 1 300 10');
    expect(loaded('save 900 1\nsave ""\nsave 60 5').getString('save')).toBe('60 5');
    expect(loaded('hz 20').getString('save')).toBe('3600 1 300 100 60 10000');
  });

  it('includes other files at the point of the include, nested, globs matching nothing ignored', () => {
    const inner = file('inner.conf', 'maxmemory 3mb\n');
    const outer = file('outer.conf', `hz 11\ninclude ${inner}\n`);
    const c = loaded(`maxmemory 1mb\ninclude ${outer}\ninclude ${path.join(tmp, 'nothing-*.conf')}\ntimeout 7`);
    expect(c.getString('maxmemory')).toBe(String(3 * 1024 * 1024));
    expect(c.getString('hz')).toBe('11');
    expect(c.getString('timeout')).toBe('7');
    file('glob-a.conf', 'timeout 1\n');
    file('glob-b.conf', 'timeout 2\n');
    expect(loaded(`include ${path.join(tmp, 'glob-?.conf')}`).getString('timeout')).toBe('2');
    expect(() => loaded(`include ${path.join(tmp, 'missing.conf')}`)).toThrow(ConfigOpenError);
  });

  it('reports the failing line and Redis reason', () => {
    const e = loadError('port 1\n\nfoo bar');
    expect([e.lineNumber, e.line, e.reason]).toEqual([3, 'foo bar', 'Bad directive or wrong number of arguments']);
    expect(loadError('hz 1 2').reason).toBe('wrong number of arguments');
    expect(loadError('port "1').reason).toBe('Unbalanced quotes in configuration line');
    expect(loadError('daemonize yes').reason).toMatch(/^strata cannot daemonize/);
    expect(loadError('logfile /nonexistent-dir/x.log')).toMatchObject({ lineNumber: null, reason: "Can't open the log file: No such file or directory" });
  });

  it('ignores the deprecated directives Redis ignores', () => {
    expect(() => loaded('list-max-ziplist-entries 10\nlua-replicate-commands yes')).not.toThrow();
  });
});

describe('command line', () => {
  it('turns arguments into config lines as redis-server does', () => {
    expect(parseCommandLine(['/etc/redis.conf', '--port', '7000', '--save', '900', '1'])).toEqual({
      configFile: '/etc/redis.conf',
      fromStdin: false,
      options: 'port "7000" \nsave "900" "1" ',
    });
    expect(parseCommandLine(['--save', '--port', '1']).options).toBe('save ""\nport "1" ');
    expect(parseCommandLine(['--port 6380', '--hz', '--x']).options).toBe('port 6380 \nhz "--x" ');
    expect(parseCommandLine(['-', '--port', '1']).fromStdin).toBe(true);
  });

  it('appends the options after the file, so they override it', () => {
    const conf = file('cmdline.conf', 'maxmemory 1mb\nsave 900 1\n');
    const c = readStartupConfig([conf, '--maxmemory', '2mb', '--save', '60', '5']);
    expect(c.configFile).toBe(conf);
    expect(c.getString('maxmemory')).toBe('2097152');
    expect(c.getString('save')).toBe('900 1 60 5');
  });
});

describe('CONFIG REWRITE', () => {
  it('keeps comments and layout, reuses lines, blanks duplicates, appends the rest once', () => {
    const conf = file(
      'rewrite.conf',
      ['# header', 'slave-read-only no', 'unknown-thing 1', 'save 900 1', 'save 300 10', '  # indented', 'maxmemory 1gb', ''].join('\n'),
    );
    const c = new Config();
    c.setFromCommand(['replica-read-only', 'no', 'save', '60 5', 'maxmemory', '0', 'notify-keyspace-events', 'KEA', 'maxmemory-clients', '10%'], true);
    rewriteConfigFile(c, conf);
    const text = readFileSync(conf, 'latin1');
    expect(text).toBe(
      [
        '# header',
        'replica-read-only no',
        '# ??? unknown-thing 1',
        'save 60 5',
        '',
        '# indented',
        'maxmemory 0',
        '',
        '# Generated by CONFIG REWRITE',
        'maxmemory-clients 10%',
        `dir ${JSON.stringify(process.cwd())}`,
        'notify-keyspace-events "AKE"',
        'latency-tracking-info-percentiles 50 99 99.9',
        '',
      ].join('\n'),
    );
    // As in Redis, the file's final newline reads as one more (empty) line: one blank line at the end.
    rewriteConfigFile(c, conf);
    expect(readFileSync(conf, 'latin1')).toBe(text + '\n');
    rewriteConfigFile(c, conf);
    expect(readFileSync(conf, 'latin1')).toBe(text + '\n');
  });
});
