/*
 * The byte helpers on the request and reply paths agree with Node's own latin1 codec: strings built
 * with String.fromCharCode (short) or latin1Slice (long), writes done in JS (short) or by
 * latin1Write (long), and lengths written as digits without a string.
 */

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { latin1String, writeLatin1 } from '../../src/types/bytes.js';
import { ReplyWriter } from '../../src/protocol/reply.js';
import { RequestParser } from '../../src/protocol/parser.js';
import { encodeCommand } from '../helpers/resp.js';

const latin1 = fc.uint8Array({ maxLength: 48 }).map((a) => Buffer.from(a).toString('latin1'));

describe('latin1 bytes ↔ strings', () => {
  it('latin1String equals latin1Slice for every length and offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), fc.nat(8), (bytes, lead) => {
        const buf = Buffer.concat([Buffer.alloc(lead, 0x41), bytes]);
        expect(latin1String(buf, lead, buf.length)).toBe(buf.latin1Slice(lead, buf.length));
      }),
    );
  });

  it('writeLatin1 writes what Buffer#write does in latin1, and says how many bytes', () => {
    fc.assert(
      fc.property(latin1, fc.nat(8), (s, at) => {
        const ours = Buffer.alloc(64 + at, 0xee);
        const node = Buffer.alloc(64 + at, 0xee);
        expect(writeLatin1(ours, s, at)).toBe(s.length);
        node.write(s, at, 'latin1');
        expect(ours).toEqual(node);
      }),
    );
  });

  it('replies: bulk, array and integer headers are the decimal text of the number', () => {
    fc.assert(
      fc.property(latin1, fc.oneof(fc.nat(), fc.maxSafeNat(), fc.integer({ min: -1000, max: -1 }), fc.maxSafeInteger()), (s, n) => {
        const w = new ReplyWriter();
        w.bulk(s);
        w.array(n);
        w.integer(n);
        expect(w.take().toString('latin1')).toBe(`$${s.length}\r\n${s}\r\n*${n}\r\n:${n}\r\n`);
      }),
    );
  });

  it('a request\'s command name is reused only when its bytes are the same as the last one', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('GET', 'get', 'SET', 'GEX', 'GETX', 'G\xc5T', ''), latin1), { minLength: 1, maxLength: 8 }), (requests) => {
        const p = new RequestParser();
        p.feed(Buffer.concat(requests.map(([name, arg]) => encodeCommand([name, arg]))));
        for (const [name, arg] of requests) expect(p.next()).toEqual([name, arg]);
      }),
    );
  });
});
