import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RecordBuffer, decodeRecords } from '../../storage/aof/records.js';
import { loadAofFile } from '../../recovery/aof-load.js';

const byteString = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a).toString('latin1'));
const command = fc.array(byteString, { minLength: 1, maxLength: 5 }).map((args) => ['SET', ...args]);
/** A log: plain commands and MULTI/EXEC blocks. */
const logUnits = fc.array(
  fc.oneof(
    command.map((c) => [c]),
    fc.array(command, { minLength: 1, maxLength: 4 }).map((cs) => [['MULTI'], ...cs, ['EXEC']]),
  ),
  { maxLength: 12 },
);

function encode(units: string[][][]): Buffer {
  const rb = new RecordBuffer();
  for (const u of units) for (const c of u) rb.command(c);
  return Buffer.from(rb.view());
}

describe('AOF records', () => {
  it('decode(encode(commands)) gives the commands back, binary-safe', () => {
    fc.assert(
      fc.property(logUnits, (units) => {
        const decoded = decodeRecords(encode(units));
        expect(decoded.status).toBe('ok');
        expect(decoded.records.map((r) => r.argv)).toEqual(units.flat());
      }),
    );
  });

  it('a log cut at any byte loads whole units only, and never the commands of an unfinished MULTI', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aof-cut-'));
    try {
      fc.assert(
        fc.property(logUnits, fc.nat(), (units, cutSeed) => {
          const data = encode(units);
          const cut = data.length === 0 ? 0 : cutSeed % (data.length + 1);
          const file = path.join(dir, 'cut.aof');
          fs.writeFileSync(file, data.subarray(0, cut));
          const executed: string[][] = [];
          const r = loadAofFile(file, (cmds) => executed.push(...cmds));
          // The valid prefix is the last unit boundary at or before the cut ...
          let validEnd = 0;
          const expected: string[][] = [];
          for (const u of units) {
            const end = validEnd + encode([u]).length;
            if (end > cut) break;
            validEnd = end;
            expected.push(...u.filter((c) => c[0] !== 'MULTI' && c[0] !== 'EXEC'));
          }
          expect(r.validEnd).toBe(validEnd);
          // ... and what ran is exactly the commands of the whole units before it.
          expect(executed).toEqual(expected);
        }),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('garbage instead of a record is corruption, not a torn tail', () => {
    const data = Buffer.concat([encode([[['SET', 'a', '1']]]), Buffer.from('hello\r\n'), encode([[['SET', 'b', '2']]])]);
    const d = decodeRecords(data);
    expect(d.status).toBe('corrupt');
    expect(d.validEnd).toBe(encode([[['SET', 'a', '1']]]).length);
  });
});
