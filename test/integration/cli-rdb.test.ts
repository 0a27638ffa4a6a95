import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RDB_FIXTURES, STRATA_CLI } from '../helpers/server.js';
import { checkRdb, type ToolOutput } from '../../recovery/rdb-tools.js';

const ASSETS = path.join(RDB_FIXTURES, 'redis-tests-assets');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-rdb-'));

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function strata(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(STRATA_CLI, args, { encoding: 'utf8', timeout: 60000, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function copyWith(name: string, data: Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, data);
  return file;
}

/** A stack trace line, which no tool output may ever contain. */
const STACK_LINE = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

describe('strata rdb and strata aof', () => {
  it('--help lists the offline tools', () => {
    expect(strata('--help').stdout).toMatch(/\n {2}rdb +offline tools for RDB files\n {2}aof +offline tools for the append-only log\n/);
    const rdb = strata('rdb', '--help').stdout;
    for (const sub of ['dump <file>', 'check <file>', 'convert [options] <in> <out>']) expect(rdb).toContain(sub);
    expect(strata('aof', '--help').stdout).toContain('check [options] <path>');
  });
});

describe('strata rdb dump', () => {
  for (const variant of ['small', 'big', 'empty']) {
    it(`prints exactly the fixture JSON of 7.0.15-${variant}.rdb, data and layout`, () => {
      const r = strata('rdb', 'dump', path.join(RDB_FIXTURES, `7.0.15-${variant}.rdb`));
      expect(r.status).toBe(0);
      const expected = fs.readFileSync(path.join(RDB_FIXTURES, `7.0.15-${variant}.json`), 'utf8');
      expect(JSON.parse(r.stdout)).toEqual(JSON.parse(expected));
      expect(r.stdout).toBe(expected);
    });
  }

  it('shows a progress bar only on a terminal: piped output is the plain JSON', () => {
    const file = path.join(RDB_FIXTURES, '7.0.15-big.rdb');
    // script(1) runs the CLI on a pseudo-terminal.
    const tty = spawnSync('/usr/bin/script', ['-qec', `${STRATA_CLI} rdb dump ${file}`, '/dev/null'], { encoding: 'utf8', timeout: 60000, maxBuffer: 64 * 1024 * 1024 });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toContain(`\rreading [${'#'.repeat(30)}] 100%\r\x1b[K{\r\n "format": "rdb-acceptance-dump/1",`);
    const piped = strata('rdb', 'dump', file);
    expect(piped.stdout).not.toContain('reading [');
    expect(piped.stderr).toBe('');
  });

  it('non-UTF-8 bytes come out as base64 and old encodings as plain values', () => {
    const r = strata('rdb', 'dump', path.join(ASSETS, 'encodings.rdb'));
    expect(r.status).toBe(0);
    const dump = JSON.parse(r.stdout);
    expect(dump.functions).toEqual([]);
    const keys = new Map(dump.dbs[0].keys.map((k: { key: string; value: unknown }) => [k.key, k.value]));
    expect(keys.get('compressible')).toBe('a'.repeat(137));
    expect(keys.get('hash_zipped')).toEqual([['a', '1'], ['b', '2'], ['c', '3']]);
    const small = JSON.parse(fs.readFileSync(path.join(RDB_FIXTURES, '7.0.15-small.json'), 'utf8'));
    expect(small.dbs[0].keys[1].key).toEqual({ b64: 'AAH//oA=' });
  });

  it('a corrupt file is an error with its offset and exit code 1, never a stack trace', () => {
    const r = strata('rdb', 'dump', path.join(ASSETS, 'corrupt_ziplist.rdb'));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Ziplist integrity check failed.*key:000000000091.*at offset 494/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    const missing = strata('rdb', 'dump', path.join(tmp, 'no-such.rdb'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('Cannot open file');
  });
});

describe('strata rdb check', () => {
  it('accepts a valid file: aux fields, databases, checksum, "RDB looks OK", counts per db and type', () => {
    const r = strata('rdb', 'check', path.join(RDB_FIXTURES, '7.0.15-small.rdb'));
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('[offset 9] RDB version 10');
    expect(lines).toContain("[offset 27] AUX FIELD redis-ver = '7.0.15'");
    expect(lines).toContain('[offset 560] Selecting DB ID 0');
    expect(lines).toContain('[offset 180332] Checksum OK');
    expect(lines).toContain('[offset 180332] \\o/ RDB looks OK! \\o/');
    expect(lines).toContain('[info] 615 keys read');
    expect(lines).toContain('[info] 18 expires');
    expect(lines).toContain('[info] db 0: 110 keys, 8 expires');
    expect(lines).toContain('[info] db 15: 3 keys, 0 expires');
    expect(lines).toContain('[info] types: hash 8, list 12, set 10, stream 6, string 572, zset 7');
    expect(lines).toContain('[info] 2 function libraries');
  });

  it("accepts every valid file of Redis's test assets, old versions included", () => {
    for (const name of ['encodings.rdb', 'hash-ziplist.rdb', 'hash-zipmap.rdb', 'list-quicklist.rdb', 'scriptbackup.rdb', 'zset-ziplist.rdb']) {
      const r = strata('rdb', 'check', path.join(ASSETS, name));
      expect({ name, status: r.status }).toEqual({ name, status: 0 });
      expect(r.stdout).toContain('RDB looks OK!');
    }
    expect(strata('rdb', 'check', path.join(ASSETS, 'encodings.rdb')).stdout).toContain('No checksum (RDB version < 5)');
  });

  it('corrupt_ziplist.rdb fails with the offset, the message and the key, exit 1', () => {
    const r = strata('rdb', 'check', path.join(ASSETS, 'corrupt_ziplist.rdb'));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('--- RDB ERROR DETECTED ---');
    expect(r.stdout).toMatch(/\[offset 494\] Ziplist integrity check failed.* in key 'key:000000000091'/);
    expect(r.stdout).not.toContain('looks OK');
  });

  it('corrupt_empty_keys.rdb passes, reporting the nine empty keys it skips', () => {
    const r = strata('rdb', 'check', path.join(ASSETS, 'corrupt_empty_keys.rdb'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('RDB looks OK!');
    expect(r.stdout).toContain("[info] skipping empty key: 'list_quicklist_empty_ziplist'");
    expect(r.stdout).toContain('[info] empty keys skipped: 9');
    expect(r.stdout).toContain('[info] 0 keys read');
  });

  it('truncated copies fail with "Unexpected end of file" or a checksum error, exit 1', () => {
    const data = fs.readFileSync(path.join(RDB_FIXTURES, '7.0.15-small.rdb'));
    for (const size of [0, 5, 9, 100, 90000, data.length - 1]) {
      const r = strata('rdb', 'check', copyWith(`trunc-${size}.rdb`, data.subarray(0, size)));
      expect({ size, status: r.status }).toEqual({ size, status: 1 });
      expect(r.stdout).toMatch(/--- RDB ERROR DETECTED ---\n\[offset \d+\] (Wrong signature|Unexpected end of file|Wrong RDB checksum)/);
    }
  });

  it('a flipped bit is caught by the checksum; with the checksum zeroed, by the structure checks', () => {
    const data = fs.readFileSync(path.join(RDB_FIXTURES, '7.0.15-small.rdb'));
    const flipped = Buffer.from(data);
    flipped[5000] ^= 0x10;
    const r = strata('rdb', 'check', copyWith('flipped.rdb', flipped));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`[offset ${data.length - 8}] Wrong RDB checksum`);
    // The type byte of the first key in db 0 (a string) made into an unknown type.
    const unchecked = Buffer.from(data);
    unchecked.fill(0, data.length - 8);
    unchecked[564] = 99;
    const r2 = strata('rdb', 'check', copyWith('unknown-type.rdb', unchecked));
    expect(r2.status).toBe(1);
    expect(r2.stdout).toMatch(/\[offset \d+\] Unknown RDB encoding type 99/);
  });

  it('random corruption of a valid file gives exit 0 or 1 with a verdict, never a crash (fast-check)', () => {
    const original = fs.readFileSync(path.join(RDB_FIXTURES, '7.0.15-small.rdb'));
    const assets = fs.readFileSync(path.join(ASSETS, 'encodings.rdb'));
    const file = path.join(tmp, 'fuzz.rdb');
    fc.assert(
      fc.property(
        fc.constantFrom(original, assets),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.boolean(),
        (source, edits, cut, zeroChecksum) => {
          const data = Buffer.from(source);
          // A zero checksum means "not computed": the corruption then reaches the parser itself.
          if (zeroChecksum && Number(data.latin1Slice(5, 9)) >= 5) data.fill(0, data.length - 8);
          for (const [at, byte] of edits) data[9 + (at % (data.length - 9))] = byte;
          fs.writeFileSync(file, cut === undefined ? data : data.subarray(0, cut % data.length));
          const lines: string[] = [];
          const out: ToolOutput = { line: (t) => lines.push(t), error: (t) => lines.push(t) };
          const status = checkRdb(file, out);
          const text = lines.join('\n');
          expect(status === 0 ? text.includes('RDB looks OK!') : text.includes('--- RDB ERROR DETECTED ---')).toBe(true);
          expect(text).not.toContain('Internal error');
          expect(text).not.toMatch(STACK_LINE);
        },
      ),
      { numRuns: 300 },
    );
  });
});
