import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { STRATA_CLI, startServer } from '../helpers/server.js';
import { RawClient } from '../helpers/resp.js';
import { RecordBuffer } from '../../storage/aof/records.js';
import { rdbToBuffer } from '../../storage/rdb/writer.js';
import { checkAof } from '../../recovery/aof-check.js';
import type { ToolOutput } from '../../recovery/rdb-tools.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-aof-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const LIB = "#!lua name=checklib\nredis.register_function('checkfn', function(keys, args) return 1 end)";
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

function strata(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(STRATA_CLI, args, { encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function encode(...commands: string[][]): Buffer {
  const rb = new RecordBuffer();
  for (const c of commands) rb.command(c);
  return Buffer.from(rb.view());
}

/** A hand-made appendonlydir: an RDB base (with a function library) and incr files. */
function makeLog(incrs: Buffer[], base: Buffer | null = rdbBase()): { dir: string; files: string[] } {
  const dir = fs.mkdtempSync(path.join(tmp, 'log-'));
  let manifest = '';
  const files: string[] = [];
  if (base !== null) {
    fs.writeFileSync(path.join(dir, 'appendonly.aof.1.base.rdb'), base);
    manifest += 'file appendonly.aof.1.base.rdb seq 1 type b\n';
    files.push(path.join(dir, 'appendonly.aof.1.base.rdb'));
  }
  incrs.forEach((data, i) => {
    const name = `appendonly.aof.${i + 1}.incr.aof`;
    fs.writeFileSync(path.join(dir, name), data);
    manifest += `file ${name} seq ${i + 1} type i\n`;
    files.push(path.join(dir, name));
  });
  fs.writeFileSync(path.join(dir, 'appendonly.aof.manifest'), manifest);
  return { dir, files };
}

function rdbBase(): Buffer {
  return rdbToBuffer(
    (w) => {
      w.aux('aof-base', '1');
      w.functionLibrary(LIB);
      w.selectDb(0, 1, 0);
      w.entry({ db: 0, key: 'in-base', value: { type: 'list', items: ['a', Buffer.from([0, 255]).toString('latin1')] }, expire: -1 });
    },
    { version: 10 },
  );
}

const UNIT_A = encode(['SELECT', '0'], ['SET', 'a', '1']);
const UNIT_TX = encode(['MULTI'], ['INCR', 'n'], ['INCR', 'n'], ['EXEC']);

describe('strata aof check', () => {
  it('accepts a log written by strata: RDB base after BGREWRITEAOF, then incr records', async () => {
    const s = await startServer({ dir: fs.mkdtempSync(path.join(tmp, 'strata-')), args: ['--appendonly', 'yes'] });
    const c = await RawClient.connect(s.port);
    await c.call('SET', 'before', '1');
    expect(await c.call('BGREWRITEAOF')).toMatch(/^\+/);
    for (let i = 0; i < 200 && !fs.readFileSync(path.join(s.dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1').includes('base'); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await c.call('MULTI');
    await c.call('SET', 'after', '2');
    await c.call('EXEC');
    c.close();
    await s.stop();
    const r = strata('aof', 'check', path.join(s.dir, 'appendonlydir'));
    expect(r.stdout).toContain('format=RDB,');
    expect(r.stdout).toMatch(/BASE AOF appendonly\.aof\.1\.base\.rdb is valid\n/);
    expect(r.stdout).toMatch(/INCR AOF appendonly\.aof\.2\.incr\.aof is valid\n/);
    expect(r.stdout).toContain('All AOF files and manifest are valid');
    expect(r.status).toBe(0);
  });

  it('accepts a log written by redis-server 7.0.15 with an RDB preamble base holding a function library', async () => {
    const s = await startServer({ redis: true, dir: fs.mkdtempSync(path.join(tmp, 'redis-')), args: ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'yes'] });
    const c = await RawClient.connect(s.port);
    await c.call('FUNCTION', 'LOAD', LIB);
    await c.call('SET', 'k', 'v');
    await c.call('BGREWRITEAOF');
    for (let i = 0; i < 200 && !(await c.call('INFO', 'persistence')).includes('aof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0'); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await c.call('RPUSH', 'l', 'x');
    c.close();
    await s.stop();
    const manifest = path.join(s.dir, 'appendonlydir', 'appendonly.aof.manifest');
    const r = strata('aof', 'check', manifest);
    expect(r.stdout).toMatch(/BASE AOF appendonly\.aof\.\d+\.base\.rdb is valid/);
    expect(r.stdout).toContain('All AOF files and manifest are valid');
    expect(r.status).toBe(0);
  });

  it('a torn tail of the last incr is reported; --fix cuts it to the last whole command and redis-check-aof agrees', () => {
    const torn = encode(['SET', 'b', '2']).subarray(0, 11);
    const { dir, files } = makeLog([UNIT_A, Buffer.concat([UNIT_A, UNIT_TX, torn])]);
    const last = files[files.length - 1];
    const r = strata('aof', 'check', dir);
    expect(r.status).toBe(1);
    const end = UNIT_A.length + UNIT_TX.length;
    expect(r.stdout).toContain(`AOF analyzed: filename=appendonly.aof.2.incr.aof, size=${end + torn.length}, ok_up_to=${end}, diff=${torn.length}`);
    expect(r.stdout).toContain('Use the --fix option');
    expect(fs.statSync(last).size).toBe(end + torn.length);

    const fixed = strata('aof', 'check', dir, '--fix');
    expect(fixed.stdout).toContain(`Successfully truncated AOF appendonly.aof.2.incr.aof from ${end + torn.length} to ${end} bytes`);
    expect(fixed.status).toBe(0);
    expect(fs.readFileSync(last)).toEqual(Buffer.concat([UNIT_A, UNIT_TX]));
    expect(strata('aof', 'check', dir).status).toBe(0);
    const redis = spawnSync('/usr/bin/redis-check-aof', [path.join(dir, 'appendonly.aof.manifest')], { encoding: 'utf8' });
    expect(redis.stdout).toContain('All AOF files and manifest are valid');
  });

  it('--fix cuts a tail that ends inside MULTI back to before the MULTI', () => {
    const unfinished = encode(['MULTI'], ['SET', 'in-tx', '1']);
    const { dir, files } = makeLog([Buffer.concat([UNIT_A, unfinished])]);
    const r = strata('aof', 'check', dir, '--fix');
    expect(r.status).toBe(0);
    expect(fs.readFileSync(files[files.length - 1])).toEqual(UNIT_A);
  });

  it('garbage followed by valid records is refused by --fix: nothing is changed', () => {
    const data = Buffer.concat([UNIT_A, Buffer.from('garbage\r\n'), UNIT_TX]);
    const { dir, files } = makeLog([data]);
    const r = strata('aof', 'check', dir, '--fix');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`Bad file format reading the append only file appendonly.aof.1.incr.aof at offset ${UNIT_A.length}`);
    expect(r.stdout).toContain('Refusing to fix');
    expect(fs.readFileSync(files[1])).toEqual(data);
  });

  it('a torn incr that is not the last file is refused by --fix', () => {
    const first = Buffer.concat([UNIT_A, UNIT_TX.subarray(0, 7)]);
    const { dir, files } = makeLog([first, UNIT_A]);
    const r = strata('aof', 'check', dir, '--fix');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`AOF appendonly.aof.1.incr.aof is not valid: the data ends inside a command or an unfinished MULTI block after offset ${UNIT_A.length}`);
    expect(r.stdout).toContain('Refusing to fix');
    expect(fs.readFileSync(files[1])).toEqual(first);
  });

  it('a damaged RDB base is reported with its file and offset and never "fixed"', () => {
    const base = rdbBase();
    base[20] ^= 0x01;
    const { dir, files } = makeLog([UNIT_A], base);
    const r = strata('aof', 'check', dir, '--fix');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`Bad RDB data in the append only file appendonly.aof.1.base.rdb at offset ${base.length - 8}: Wrong RDB checksum`);
    expect(r.stdout).toContain('Refusing to fix');
    expect(fs.readFileSync(files[0])).toEqual(base);
  });

  it('a missing file, a bad manifest, a directory without one: exit 1 with the reason', () => {
    const { dir, files } = makeLog([UNIT_A, UNIT_A]);
    fs.rmSync(files[1]);
    const missing = strata('aof', 'check', dir);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain("The AOF file appendonly.aof.1.incr.aof doesn't exist");
    fs.writeFileSync(path.join(dir, 'appendonly.aof.manifest'), 'file x seq 1\n');
    const bad = strata('aof', 'check', dir);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('Invalid AOF manifest');
    const empty = fs.mkdtempSync(path.join(tmp, 'empty-'));
    expect(strata('aof', 'check', empty).stderr).toContain('No AOF manifest');
    for (const r of [missing, bad]) expect(r.stdout + r.stderr).not.toMatch(STACK_LINE);
  });

  it('a single old-style file, with an RDB preamble, is checked and fixed on its own', () => {
    const file = path.join(fs.mkdtempSync(path.join(tmp, 'single-')), 'appendonly.aof');
    fs.writeFileSync(file, Buffer.concat([rdbBase(), UNIT_A, UNIT_TX.subarray(0, 20)]));
    const r = strata('aof', 'check', file);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('ok_up_to=' + (rdbBase().length + UNIT_A.length));
    const fixed = strata('aof', 'check', file, '--fix');
    expect(fixed.stdout).toContain('format=RDB+RESP');
    expect(fixed.status).toBe(0);
    expect(fs.readFileSync(file)).toEqual(Buffer.concat([rdbBase(), UNIT_A]));
    expect(strata('aof', 'check', file).stdout).toContain('AOF is valid');
  });

  it('random damage to a log: a verdict and exit 0 or 1, never a crash; a --fix that succeeds leaves a valid log (fast-check)', () => {
    const unit = fc.oneof(
      fc.constant(UNIT_A),
      fc.constant(UNIT_TX),
      fc.uint8Array({ maxLength: 30 }).map((b) => encode(['SET', 'k', Buffer.from(b).toString('latin1')])),
    );
    const quiet = (lines: string[]): ToolOutput => ({ line: (t) => lines.push(t), error: (t) => lines.push(t) });
    fc.assert(
      fc.property(
        fc.array(fc.array(unit, { maxLength: 5 }), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        fc.nat(),
        (incrs, withBase, edits, cutSeed) => {
          const { dir, files } = makeLog(incrs.map((u) => Buffer.concat(u)), withBase ? rdbBase() : null);
          const victim = files[edits.length > 0 ? edits[0][0] % files.length : files.length - 1];
          const data = fs.readFileSync(victim);
          for (const [at, byte] of edits) if (data.length > 0) data[at % data.length] = byte;
          fs.writeFileSync(victim, data.subarray(0, data.length - (cutSeed % (data.length + 1))));
          const lines: string[] = [];
          const status = checkAof(dir, { fix: true }, quiet(lines));
          const text = lines.join('\n');
          expect(text).not.toMatch(STACK_LINE);
          if (status === 0) {
            expect(text).toContain('All AOF files and manifest are valid');
            expect(checkAof(dir, { fix: false }, quiet([]))).toBe(0);
          } else {
            expect(text).toMatch(/is not valid|doesn't exist/);
          }
          fs.rmSync(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: 150 },
    );
  });
});
