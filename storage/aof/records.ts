/*
 * AOF records: each effect is a RESP multibulk command (`*N\r\n$len\r\narg\r\n...`), exactly what
 * Redis writes, so either server loads the other's files. Arguments are latin1 strings (bytes).
 *
 * Decoding reports where every record starts and ends, so that a loader can cut a torn tail back
 * to a record boundary (or to before a dangling MULTI) and a checker can name the bad offset.
 * Lines starting with '#' between records are annotations (Redis's aof-timestamp-enabled) and
 * are skipped.
 */

import { ByteBuffer, latin1String } from '../../src/types/bytes.js';

/** Encodes commands into one growable buffer, reused across ticks. */
export class RecordBuffer extends ByteBuffer {
  constructor() {
    super(64 * 1024);
  }

  command(argv: readonly string[]): void {
    this.latin1('*' + argv.length + '\r\n');
    for (const a of argv) {
      this.ensure(a.length + 16);
      this.len += this.buf.latin1Write('$' + a.length + '\r\n', this.len);
      this.len += this.buf.latin1Write(a, this.len);
      this.buf[this.len++] = 13;
      this.buf[this.len++] = 10;
    }
  }

  reset(): void {
    this.len = 0;
    // Don't keep a huge buffer after a burst.
    if (this.buf.length > 16 * 1024 * 1024) this.buf = Buffer.allocUnsafe(64 * 1024);
  }
}

export interface DecodedRecord {
  argv: string[];
  /** Offset of the record's first byte in the decoded data. */
  start: number;
  /** Offset just past the record. */
  end: number;
}

/** The outcome of decoding a whole file's bytes. */
export interface DecodeResult {
  records: DecodedRecord[];
  /** Offset up to which the data is a sequence of whole, valid records. */
  validEnd: number;
  /** 'ok': the data ended on a record boundary; 'truncated': it ends inside a record;
   *  'corrupt': bytes at validEnd are not a record (and more data follows or it can't be one). */
  status: 'ok' | 'truncated' | 'corrupt';
  /** For 'corrupt': what was wrong. */
  reason?: string;
}

/** Decodes every record in `data`. Never throws on bad input. */
export function decodeRecords(data: Buffer): DecodeResult {
  const records: DecodedRecord[] = [];
  let pos = 0;
  const n = data.length;
  while (pos < n) {
    const start = pos;
    if (data[pos] === 35 /* '#' */) {
      const lf = data.indexOf(10, pos);
      if (lf < 0) return { records, validEnd: start, status: 'truncated' };
      pos = lf + 1;
      continue;
    }
    if (data[pos] !== 42 /* '*' */) return { records, validEnd: start, status: 'corrupt', reason: `expected '*' at offset ${start}` };
    const count = readNumberLine(data, pos + 1);
    if (count === 'eof') return { records, validEnd: start, status: 'truncated' };
    if (count === 'bad' || count.value < 1) return { records, validEnd: start, status: 'corrupt', reason: `invalid multibulk length at offset ${start}` };
    pos = count.next;
    const argv: string[] = [];
    for (let i = 0; i < count.value; i++) {
      if (pos >= n) return { records, validEnd: start, status: 'truncated' };
      if (data[pos] !== 36 /* '$' */) return { records, validEnd: start, status: 'corrupt', reason: `expected '$' at offset ${pos}` };
      const len = readNumberLine(data, pos + 1);
      if (len === 'eof') return { records, validEnd: start, status: 'truncated' };
      if (len === 'bad' || len.value < 0) return { records, validEnd: start, status: 'corrupt', reason: `invalid bulk length at offset ${pos}` };
      const from = len.next;
      const to = from + len.value;
      if (to + 2 > n) return { records, validEnd: start, status: 'truncated' };
      if (data[to] !== 13 || data[to + 1] !== 10) return { records, validEnd: start, status: 'corrupt', reason: `missing CRLF after bulk at offset ${to}` };
      argv.push(latin1String(data, from, to));
      pos = to + 2;
    }
    records.push({ argv, start, end: pos });
  }
  return { records, validEnd: pos, status: 'ok' };
}

/** Reads "<digits>\r\n" at `at`: the number and the offset after the line. */
function readNumberLine(data: Buffer, at: number): { value: number; next: number } | 'eof' | 'bad' {
  let i = at;
  let v = 0;
  let digits = 0;
  let neg = false;
  if (i < data.length && data[i] === 45) {
    neg = true;
    i++;
  }
  for (; i < data.length; i++) {
    const c = data[i];
    if (c === 13) break;
    if (c < 48 || c > 57 || digits > 15) return 'bad';
    v = v * 10 + (c - 48);
    digits++;
  }
  if (i + 1 >= data.length) return 'eof';
  if (digits === 0 || data[i + 1] !== 10) return 'bad';
  return { value: neg ? -v : v, next: i + 2 };
}
